// The customer's signature on a canvas (the vendored signature_pad). visit.js keeps its strokes in
// local storage and sends the drawing as a PNG file part. No inline scripts (CSP).
(function () {
  "use strict";
  var canvas = document.getElementById("signature-pad");
  if (!canvas || !window.SignaturePad) { return; }
  var pad = new window.SignaturePad(canvas, { penColor: "rgb(16, 24, 64)", minWidth: 1, maxWidth: 3.2 });
  var listeners = [];

  function changed() {
    listeners.forEach(function (fn) { fn(); });
  }

  // Sharp on dense screens, but never beyond the 2000 x 1000 pixels the server accepts.
  function resize() {
    var width = canvas.offsetWidth, height = canvas.offsetHeight;
    if (!width || !height) { return; }  // hidden (another step is shown): size it when it appears
    var strokes = pad.toData();
    var ratio = Math.min(Math.max(window.devicePixelRatio || 1, 1), 2000 / width, 1000 / height);
    canvas.width = Math.floor(width * ratio);
    canvas.height = Math.floor(height * ratio);
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    if (strokes.length) { pad.fromData(strokes); }
  }

  window.addEventListener("resize", resize);
  pad.addEventListener("endStroke", changed);
  var clear = document.querySelector("[data-sig-clear]");
  if (clear) {
    clear.addEventListener("click", function () { pad.clear(); changed(); });
  }

  window.fsSignature = {
    isEmpty: function () { return pad.isEmpty(); },
    strokes: function () { return pad.toData(); },
    restore: function (strokes) { resize(); pad.fromData(strokes); },
    toBlob: function () {
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/png"); });
    },
    onChange: function (fn) { listeners.push(fn); },
    resize: resize
  };
  resize();
})();

// The technician's visit pages. Everything here enhances server-rendered forms (no inline scripts: CSP).
// Patchy mobile data: the completion form and the signature live in local storage until the server
// has confirmed the report, and a retry reuses the same idempotency key, so nothing is signed twice.
(function () {
  "use strict";

  // Arrival: add the position when the browser allows it; submit either way.
  document.querySelectorAll("form[data-geolocate]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!navigator.geolocation) { return; }
      event.preventDefault();
      var sent = false;
      function send() {
        if (!sent) { sent = true; form.submit(); }
      }
      navigator.geolocation.getCurrentPosition(function (position) {
        form.querySelector("[name=lat]").value = position.coords.latitude;
        form.querySelector("[name=lon]").value = position.coords.longitude;
        send();
      }, send, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
      window.setTimeout(send, 10000);  // some browsers never answer when the prompt is ignored
    });
  });

  // A completed visit needs no stored draft any more.
  var done = document.querySelector("[data-visit-done]");
  if (done) {
    try { window.localStorage.removeItem("fs-visit-" + done.getAttribute("data-visit-done")); } catch (e) { /* none */ }
  }

  var form = document.getElementById("visit-form");
  if (!form) { return; }
  form.classList.add("js");
  var storeKey = "fs-visit-" + form.getAttribute("data-visit");
  var statusBox = form.querySelector("[data-submit-status]");
  var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
  var nav = form.querySelector(".steps-nav");
  var stepButtons = form.querySelector("[data-step-buttons]");
  var current = 1, sending = false, pendingStrokes = null;

  function say(message, isError) {
    statusBox.textContent = message || "";
    statusBox.classList.toggle("error", !!isError);
  }

  // -- Local storage ---------------------------------------------------------------------------
  function save() {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrf_token") { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        fields[el.name] = fields[el.name] || [];
        if (el.checked) { fields[el.name].push(el.value); }
      } else {
        fields[el.name] = el.value;
      }
    });
    var pad = window.fsSignature;
    var signature = pad && !pad.isEmpty() ? pad.strokes() : pendingStrokes;
    try {
      window.localStorage.setItem(storeKey, JSON.stringify({ fields: fields, signature: signature, step: current }));
    } catch (e) { /* storage full or disabled: the form still works, it is just not kept */ }
  }

  function load() {
    try { return JSON.parse(window.localStorage.getItem(storeKey)); } catch (e) { return null; }
  }

  function restore(state) {
    Object.keys(state.fields).forEach(function (name) {
      var match = /^(labour|parts)-(\d+)-/.exec(name);
      if (match) { ensureRows(match[1], parseInt(match[2], 10) + 1); }
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in state.fields) || el.type === "file" || el.name === "csrf_token") { return; }
      var value = state.fields[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = value.indexOf(el.value) >= 0;
      } else {
        el.value = value;
      }
    });
    if (state.signature && state.signature.length) { pendingStrokes = state.signature; }
  }

  // -- Labour and part lines -------------------------------------------------------------------
  function rows(kind) {
    return form.querySelectorAll("[data-lines=" + kind + "] .line-row");
  }

  function addRow(kind) {
    var all = rows(kind), last = all[all.length - 1], index = all.length;
    var row = last.cloneNode(true);
    var pattern = new RegExp("^" + kind + "-\\d+-");
    row.querySelectorAll("[name], [id], [for]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        if (el.hasAttribute(attr)) {
          el.setAttribute(attr, el.getAttribute(attr).replace(pattern, kind + "-" + index + "-"));
        }
      });
      if (el.tagName === "SELECT") { el.selectedIndex = 0; }
      if (el.tagName === "INPUT") { el.value = "1"; }
    });
    row.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    row.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    last.parentNode.appendChild(row);
    return row;
  }

  function ensureRows(kind, count) {
    while (rows(kind).length < count) { addRow(kind); }
  }

  form.querySelectorAll("[data-add-line]").forEach(function (button) {
    button.addEventListener("click", function () {
      var row = addRow(button.getAttribute("data-add-line"));
      row.querySelector("select").focus();
      save();
    });
  });

  // -- Parts against the van ------------------------------------------------------------------
  // Each part option carries data-van-qty (what the van holds when the page loaded). Going past the work
  // step with more than that is refused on the row, before the customer sees the fees and signs; the server
  // checks again on the fee preview and when it takes the parts (stock may change in between).
  var WORK_STEP = 2;
  function wholeNumber(text) {
    var value = (text || "").normalize("NFKC").trim();
    return /^\d+$/.test(value) ? parseInt(value, 10) : null;  // anything else: the server explains
  }
  function checkVanStock() {
    var wanted = {}, lines = [];
    rows("parts").forEach(function (row) {
      var select = row.querySelector("select"), input = row.querySelector("input");
      var option = select.options[select.selectedIndex];
      row.querySelectorAll(".field-error.stock-short").forEach(function (el) { el.remove(); });
      row.querySelectorAll(".field.short-field").forEach(function (el) { el.classList.remove("short-field"); });
      if (!option || !option.value || !option.hasAttribute("data-van-qty")) { return; }
      var qty = wholeNumber(input.value);
      if (qty === null) { return; }
      wanted[option.value] = (wanted[option.value] || 0) + qty;
      lines.push({ row: row, input: input, option: option });
    });
    var first = null;
    lines.forEach(function (line) {
      var have = parseInt(line.option.getAttribute("data-van-qty"), 10);
      var want = wanted[line.option.value];
      if (want <= have) { return; }
      var div = document.createElement("div");
      div.className = "field-error stock-short";
      div.setAttribute("role", "alert");
      div.setAttribute("data-testid", "stock-short");
      div.textContent = form.getAttribute("data-msg-short-row").replace("{have}", have);
      var holder = line.input.closest(".field") || line.input.parentNode;
      holder.classList.add("short-field");
      holder.appendChild(div);
      if (!first) {
        first = { input: line.input, message: form.getAttribute("data-msg-short")
          .replace("{part}", line.option.getAttribute("data-part")).replace("{want}", want).replace("{have}", have) };
      }
    });
    nav.querySelector("[data-goto='" + WORK_STEP + "']").classList.toggle("stock-short", !!first);
    return first;
  }

  // -- Steps -----------------------------------------------------------------------------------
  function show(step) {
    if (step > WORK_STEP) {
      var short = checkVanStock();
      if (short) {
        step = WORK_STEP;
        window.setTimeout(function () {
          say(short.message, true);
          short.input.focus();
        }, 0);
      }
    }
    current = step;
    steps.forEach(function (el) { el.classList.toggle("current", parseInt(el.getAttribute("data-step"), 10) === step); });
    nav.querySelectorAll("[data-goto]").forEach(function (button) {
      button.classList.toggle("current", parseInt(button.getAttribute("data-goto"), 10) === step);
    });
    stepButtons.querySelector("[data-prev]").disabled = step === 1;
    stepButtons.querySelector("[data-next]").hidden = step === steps.length;
    if (step === steps.length) {
      if (window.fsSignature) {
        window.fsSignature.resize();
        if (pendingStrokes && window.fsSignature.isEmpty()) { window.fsSignature.restore(pendingStrokes); }
      }
      loadFees();
    }
    window.scrollTo(0, 0);
    save();
  }

  nav.addEventListener("click", function (event) {
    var button = event.target.closest("[data-goto]");
    if (button) { show(parseInt(button.getAttribute("data-goto"), 10)); }
  });
  stepButtons.querySelector("[data-prev]").addEventListener("click", function () { show(Math.max(1, current - 1)); });
  stepButtons.querySelector("[data-next]").addEventListener("click", function () {
    show(Math.min(steps.length, current + 1));
  });

  // -- The fee summary, computed by the server in the customer's language ----------------------
  function loadFees() {
    var box = form.querySelector("[data-fee-summary]");
    window.fsRefreshCsrf().catch(function () { return null; }).then(function () {
      var data = new FormData(form);
      data.delete("photos");
      return fetch(form.getAttribute("data-fees-url"), {
        method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" }
      });
    }).then(function (response) { return response.text(); })
      .then(function (html) { box.innerHTML = html; })
      .catch(function () { box.textContent = form.getAttribute("data-msg-offline"); });
  }

  // -- What the record says and the outcome ----------------------------------------------------
  var serial = form.querySelector("[name=serial_found]");
  var warning = form.querySelector("[data-identity-warning]");
  var recordSerial = form.getAttribute("data-record-serial");
  function normalise(text) {
    return (text || "").normalize("NFKC").replace(/\s+/g, "").toUpperCase();
  }
  function checkSerial() {
    var differs = !!recordSerial && !!serial.value && normalise(serial.value) !== normalise(recordSerial);
    warning.classList.toggle("shown", differs);
  }
  var depotOnly = form.querySelector("[data-depot-only]");
  function checkOutcome() {
    var chosen = form.querySelector("[name=outcome]:checked");
    depotOnly.hidden = !chosen || chosen.value !== "depot_repair";
  }

  form.addEventListener("input", save);
  form.querySelector("[data-lines=parts]").addEventListener("change", function () {
    if (!checkVanStock() && statusBox.classList.contains("error")) { say("", false); }
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "outcome") { checkOutcome(); }
    save();
  });
  serial.addEventListener("input", checkSerial);
  if (window.fsSignature) { window.fsSignature.onChange(save); }

  // -- Submitting once -------------------------------------------------------------------------
  function markFields(fields) {
    var firstStep = null;
    form.querySelectorAll(".field-error.from-server").forEach(function (el) { el.remove(); });
    nav.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    Object.keys(fields).forEach(function (name) {
      var input = form.querySelector("[name='" + name + "']") ||
        (name === "signature" ? document.getElementById("signature-pad") : null);
      if (!input) { return; }
      var step = input.closest(".step");
      var holder = input.closest(".field") || input.parentNode;
      (fields[name] || []).forEach(function (message) {
        var div = document.createElement("div");
        div.className = "field-error from-server";
        div.setAttribute("role", "alert");
        div.textContent = message;
        holder.appendChild(div);
      });
      if (step) {
        var n = parseInt(step.getAttribute("data-step"), 10);
        nav.querySelector("[data-goto='" + n + "']").classList.add("has-error");
        firstStep = firstStep === null ? n : Math.min(firstStep, n);
      }
    });
    return firstStep;
  }

  function setBusy(busy) {
    form.querySelectorAll("[type=submit]").forEach(function (button) { button.disabled = busy; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; }
    var short = checkVanStock();
    if (short) {
      show(WORK_STEP);  // says why and puts the cursor on the row
      return;
    }
    if (!window.fsSignature || window.fsSignature.isEmpty()) {
      show(steps.length);
      say(form.getAttribute("data-msg-sign"), true);
      return;
    }
    sending = true;
    setBusy(true);
    say(form.getAttribute("data-msg-sending"), false);
    save();
    window.fsRefreshCsrf().catch(function () { return null; }).then(function () {
      return window.fsSignature.toBlob();
    }).then(function (blob) {
      var data = new FormData(form);
      data.set("signature", blob, "signature.png");
      return fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
      });
    }).then(function (response) {
      var isJson = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
      return (isJson ? response.json() : Promise.resolve(null)).then(function (body) {
        return { response: response, body: body };
      });
    }).then(function (result) {
      var body = result.body;
      if (result.response.ok && body && body.redirect) {
        window.localStorage.removeItem(storeKey);
        window.location.assign(body.redirect);
        return;
      }
      var error = body && body.error;
      if (result.response.status === 413) {
        // The web server refuses the whole request before the app sees it: the photos are too big together.
        error = { message: form.getAttribute("data-msg-too-large"), field: "photos" };
        error.fields = { photos: [error.message] };
      }
      var refused = form.getAttribute("data-msg-refused").replace("{status}", result.response.status);
      say(error ? error.message : refused, true);
      var fields = (error && error.fields) || {};
      if (error && error.field) { fields[error.field] = fields[error.field] || []; }
      var step = markFields(fields);
      if (step !== null && step !== current) { show(step); say(error.message, true); }
    }).catch(function () {
      say(form.getAttribute("data-msg-offline"), true);
    }).then(function () {
      sending = false;
      setBusy(false);
    });
  });

  // -- Start -----------------------------------------------------------------------------------
  nav.hidden = false;
  stepButtons.hidden = false;
  var state = load();
  if (state && state.fields) {
    restore(state);
    say(form.getAttribute("data-msg-restored"), false);
  }
  checkSerial();
  checkOutcome();
  show(state && state.step ? Math.min(state.step, steps.length) : 1);
})();

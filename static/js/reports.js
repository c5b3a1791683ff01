// Reports: small enhancements; every page works without them (no inline scripts, CSP).
(function () {
  "use strict";

  // An offer call is one tap: the button is disabled once pressed so a double tap sends one request.
  document.querySelectorAll("form.offer-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button");
      if (button) { button.disabled = true; }
    });
  });

  // The overview stays current on a wall screen: reload every five minutes unless the page is hidden.
  if (document.body.classList.contains("dashboard")) {
    window.setInterval(function () {
      if (!document.hidden) { window.location.reload(); }
    }, 5 * 60 * 1000);
  }
})();

// Progressive enhancements; every page works without them. No inline scripts (CSP).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
    if (event.target.closest("[data-action=print]")) {
      window.print();
    }
  });

  // Promise and reply countdowns: <span class="countdown" data-deadline="ISO" data-overdue-label="…">.
  // The text comes from the page's language: <body data-countdown="{h} h {m} min"> (base.html), the same
  // message the server renders first (the `countdown` filter).
  var countdownFormat = document.body.getAttribute("data-countdown") || "{h} h {m} min";
  function renderCountdowns() {
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      var ms = Date.parse(el.getAttribute("data-deadline")) - Date.now();
      var minutes = Math.round(Math.abs(ms) / 60000);
      var text = countdownFormat.replace("{h}", String(Math.floor(minutes / 60)))
        .replace("{m}", String(minutes % 60));
      el.classList.toggle("overdue", ms < 0);
      el.classList.toggle("soon", ms >= 0 && ms < 4 * 3600000);
      var overdue = el.getAttribute("data-overdue-label");
      el.textContent = ms < 0 ? (overdue ? overdue + " " : "-") + text : text;
    });
  }
  renderCountdowns();
  window.setInterval(renderCountdowns, 30000);

  // Text areas count their characters against the limit in their hint (templates/_macros/forms.html), so a long
  // paste is noticed before saving; the server refuses an over-long text with a message.
  document.querySelectorAll("textarea[data-max-chars]").forEach(function (area) {
    var max = parseInt(area.getAttribute("data-max-chars"), 10);
    var hint = area.parentNode.querySelector(".hint");
    if (!hint || !max) { return; }
    var text = hint.textContent;
    function count() {
      hint.textContent = area.value.length + " / " + max + " · " + text;
      hint.classList.toggle("field-error", area.value.length > max);
    }
    area.addEventListener("input", count);
    count();
  });

  // After a refused save the first invalid control gets the focus, ahead of any autofocus, so the correction
  // is typed at once and a screen reader reads the error with the field (aria-describedby, forms.html).
  var invalid = Array.prototype.find.call(
    document.querySelectorAll("main [aria-invalid=true], main .has-error :is(input:not([type=hidden]), select, textarea)"),
    function (el) { return el.getClientRects().length > 0 && !el.disabled; });
  if (invalid) {
    if (invalid.type === "radio" && invalid.form) {
      // A radio group is entered at its chosen option, as Tab would.
      invalid = invalid.form.querySelector("input[type=radio][name='" + invalid.name + "']:checked") || invalid;
    }
    invalid.focus();
  }

  // Forms with data-autosubmit submit on change (filters).
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function () { form.submit(); });
  });

  // A fresh CSRF token for long-lived pages (a technician may spend an hour on one visit).
  window.fsRefreshCsrf = function () {
    return fetch("/csrf-token", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        document.querySelectorAll("input[name=csrf_token]").forEach(function (i) { i.value = data.csrf_token; });
        var meta = document.querySelector("meta[name=csrf-token]");
        if (meta) { meta.setAttribute("content", data.csrf_token); }
        return data.csrf_token;
      });
  };
})();

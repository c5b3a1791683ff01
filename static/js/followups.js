// Follow-up call list: reveal a customer's full number in place (the POST is audited), ready to tap and dial.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-reveal-phone]");
    if (!form) { return; }
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        var id = form.action.match(/\/(\d+)\/phone$/)[1];
        document.querySelectorAll("[data-phone-for='" + id + "']").forEach(function (span) {
          var link = document.createElement("a");
          link.href = "tel:" + data.phone;
          link.textContent = data.phone;
          link.className = "phone-full";
          span.replaceChildren(link);
        });
        form.remove();
      })
      .catch(function () { form.submit(); });  // fall back to the plain POST (the number comes as a message)
  });
})();

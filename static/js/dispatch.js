// Booking and dispatch pages. Everything works without this file; it only spares a round trip.
(function () {
  "use strict";

  // A window after the promise needs the customer's reason: say so before submitting.
  var form = document.getElementById("book-form");
  if (form) {
    var box = document.getElementById("late-reason");
    var input = box && box.querySelector("input");
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !input) { return; }
      var late = button.getAttribute("data-late") === "1";
      if (button.value === "picked") {
        var picked = form.querySelector("input[name=picked]:checked");
        late = !!picked && picked.getAttribute("data-late") === "1";
      }
      if (late && !input.value.trim()) {
        event.preventDefault();
        box.classList.add("needed");
        box.scrollIntoView({ block: "center" });
        input.focus();
      }
    });
    // The picker starts with the nearest twelve technicians; the rest on request.
    var more = form.querySelector("[data-show-more]");
    if (more) {
      form.querySelectorAll("[data-more]").forEach(function (el) { el.hidden = true; });
      more.hidden = false;
      more.addEventListener("click", function () {
        form.querySelectorAll("[data-more]").forEach(function (el) { el.hidden = false; });
        more.hidden = true;
      });
    }
  }

  // Copy the confirmation for an SMS.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) { return; }
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = button.getAttribute("data-copied");
      });
    });
  });

  // Planning takes seconds: show it is working and prevent a second submission.
  document.querySelectorAll("form[data-busy]").forEach(function (busyForm) {
    busyForm.addEventListener("submit", function () {
      var button = busyForm.querySelector("button");
      if (button) { button.disabled = true; button.textContent = busyForm.getAttribute("data-busy"); }
    });
  });
  document.querySelectorAll("[data-testid=apply-plan]").forEach(function (button) {
    button.form.addEventListener("submit", function () { button.disabled = true; });
  });
})();

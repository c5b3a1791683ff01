// Booking and dispatch pages. Everything works without this file; it only spares a round trip.
(function () {
  "use strict";

  // A window after the promise needs the customer's reason, and a move needs its reason: say so (in the
  // page's language, next to the field) before submitting. The server refuses both the same way.
  var form = document.getElementById("book-form");
  if (form) {
    var box = document.getElementById("late-reason");
    var input = box && box.querySelector("input");
    var lateMessage = box && box.querySelector("[data-late-message]");
    var moveBox = document.getElementById("move-reason");
    var moveInput = moveBox && moveBox.querySelector("input");
    var moveMessage = moveBox && moveBox.querySelector("[data-move-message]");
    var ask = function (event, where, field, message) {
      event.preventDefault();
      where.classList.add("needed");
      if (message && !where.querySelector(".field-error:not([hidden])")) { message.hidden = false; }
      where.scrollIntoView({ block: "center" });
      field.focus();
    };
    var settle = function (where, field, message) {
      field.addEventListener("input", function () {
        if (field.value.trim()) { where.classList.remove("needed"); if (message) { message.hidden = true; } }
      });
    };
    if (input) { settle(box, input, lateMessage); }
    if (moveInput) { settle(moveBox, moveInput, moveMessage); }
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button) { return; }
      if (moveInput && !moveInput.value.trim()) { ask(event, moveBox, moveInput, moveMessage); return; }
      if (!input) { return; }
      var late = button.getAttribute("data-late") === "1";
      if (button.value === "picked") {
        var picked = form.querySelector("input[name=picked]:checked");
        late = !!picked && picked.getAttribute("data-late") === "1";
      }
      if (late && !input.value.trim()) { ask(event, box, input, lateMessage); }
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

// New-request screen: show only the fields the chosen options need. Without JS every field shows
// and the server ignores the ones that do not apply.
(function () {
  "use strict";
  var form = document.getElementById("request-form");
  if (!form) { return; }

  function checked(name) {
    var input = form.querySelector("input[name=" + name + "]:checked");
    return input ? input.value : "";
  }

  function update() {
    var customer = checked("customer");
    form.querySelectorAll("[data-show-when]").forEach(function (section) {
      var rule = section.getAttribute("data-show-when").split("=");
      section.hidden = checked(rule[0]) !== rule[1];
    });
    // Only the chosen customer's units can be picked.
    form.querySelectorAll("label[data-customer]").forEach(function (label) {
      var mine = label.getAttribute("data-customer") === customer;
      label.hidden = !mine;
      var radio = label.querySelector("input");
      if (!mine && radio.checked) {
        radio.checked = false;
        form.querySelector("input[name=unit][value=new]").checked = true;
      }
    });
  }

  form.addEventListener("change", update);
  update();

  // The number typed in the caller search above is the new customer's phone, until the agent types another.
  var search = document.getElementById("find-phone");
  var phone = form.querySelector("input[name=phone]");
  if (search && phone) {
    var following = phone.value === "" || phone.value === search.value;
    var follow = function () {
      if (following) { phone.value = search.value; }
    };
    search.addEventListener("input", follow);
    phone.addEventListener("input", function () { following = phone.value === ""; });
    follow();  // typed before this script ran
    form.addEventListener("submit", follow);
  }

  // Searching the caller's number reloads this page: the fault, channel and kind typed while the caller
  // talked come along (the customer and unit choices are the search's to make).
  var KEPT = ["fault_description", "channel", "kind"];
  var STORE = "new-request-kept";
  if (search && search.form && window.sessionStorage) {
    search.form.addEventListener("submit", function () {
      var kept = {};
      KEPT.forEach(function (name) { if (form.elements[name]) { kept[name] = form.elements[name].value; } });
      try { sessionStorage.setItem(STORE, JSON.stringify(kept)); } catch (e) { /* storage off: nothing kept */ }
    });
    var saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
      sessionStorage.removeItem(STORE);
    } catch (e) { saved = null; }
    if (saved) {
      KEPT.forEach(function (name) {
        var field = form.elements[name];
        if (field && saved[name] && !(field.tagName === "TEXTAREA" && field.value)) { field.value = saved[name]; }
      });
    }
  }

  // Characters typed against the limit, so a long paste is noticed before saving.
  form.querySelectorAll("[data-counter]").forEach(function (area) {
    var max = parseInt(area.getAttribute("data-counter"), 10);
    var hint = area.parentNode.querySelector(".hint");
    var text = hint ? hint.textContent : "";
    function count() {
      if (!hint) { return; }
      hint.textContent = area.value.length + " / " + max + " · " + text;
      hint.classList.toggle("field-error", area.value.length > max);
    }
    area.addEventListener("input", count);
    count();
  });
})();

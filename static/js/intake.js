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

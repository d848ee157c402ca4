// The closing page (结案): the pre-closing check follows the closing method chosen. What each method still misses
// comes from the page's JSON block (cases.views_closing); the server checks again when the form is sent.
(function () {
  "use strict";
  function init() {
    var source = document.getElementById("closing-check");
    var select = document.getElementById("closing_method");
    var button = document.getElementById("close-button");
    if (!source || !select || !button) { return; }
    var data = JSON.parse(source.textContent);
    var box = document.getElementById("missing-nodes");
    var names = document.getElementById("missing-names");
    var passed = document.getElementById("check-passed");
    var methods = Object.keys(data.methods);
    function update() {
      var chosen = Object.prototype.hasOwnProperty.call(data.methods, select.value) ? select.value : "";
      var missing = chosen ? data.methods[chosen] : data.all;
      // No method chosen: the button stays on if some method may close (the select is required anyway).
      var blocked = chosen || !methods.length
        ? missing.length > 0
        : methods.every(function (method) { return data.methods[method].length > 0; });
      if (box) { box.hidden = missing.length === 0; }
      if (names) { names.textContent = missing.join("、"); }
      if (passed) { passed.hidden = missing.length > 0; }
      button.disabled = blocked;
      document.querySelectorAll("#missing-by-method li").forEach(function (item) {
        item.classList.toggle("chosen", item.getAttribute("data-method") === chosen);
      });
    }
    select.addEventListener("change", update);
    update();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

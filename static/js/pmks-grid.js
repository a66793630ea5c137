/* PMKS grid: numbers only, Enter moves to the next cell like Tab, L + P fill the total as you type. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("grid-form");
    if (!form) { return; }
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input.num"));
    inputs.forEach(function (input, index) {
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          var next = inputs[index + 1];
          if (next) { next.focus(); next.select(); }
        }
      });
      input.addEventListener("input", function () {
        input.value = input.value.replace(/[^0-9]/g, "");
        var name = input.name;
        if (/-[lp]$/.test(name)) {
          var base = name.slice(0, -2);
          var l = form.elements[base + "-l"].value, p = form.elements[base + "-p"].value;
          if (l !== "" && p !== "") { form.elements[base + "-t"].value = String(Number(l) + Number(p)); }
        }
      });
    });
  });
})();

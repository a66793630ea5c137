/* PMKS grid: numbers only, Enter moves to the next cell like Tab, L + P fill the total as you type, and the row
   (per desa) and column (per category and sex) totals follow every change. Nothing is sent until "Simpan". */
(function () {
  "use strict";
  function number(input) { return input && input.value !== "" ? Number(input.value) : 0; }
  function recompute(form) {
    var columns = {}, grand = 0;
    form.querySelectorAll("tbody tr").forEach(function (row) {
      var rowTotal = 0;
      row.querySelectorAll("input.num").forEach(function (input) {
        var parts = input.name.split("-"), key = parts[parts.length - 2] + "-" + parts[parts.length - 1];
        columns[key] = (columns[key] || 0) + number(input);
        if (input.classList.contains("total")) { rowTotal += number(input); }
      });
      row.querySelector(".row-total").textContent = rowTotal.toLocaleString("id-ID");
      grand += rowTotal;
    });
    form.querySelectorAll("tfoot .col-total").forEach(function (cell) {
      cell.textContent = (columns[cell.dataset.col] || 0).toLocaleString("id-ID");
    });
    document.getElementById("grid-total").textContent = grand.toLocaleString("id-ID");
  }
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
        recompute(form);
      });
    });
    recompute(form);
  });
})();

/* Chained wilayah picker: each select loads its children from the server (which filters them to the user's scope).
   The hidden input carries the deepest chosen code. Works without a framework; no request per keystroke. */
(function () {
  "use strict";
  function clearBelow(picker, level) {
    picker.querySelectorAll("select[data-level]").forEach(function (sel) {
      if (Number(sel.dataset.level) > level && !sel.disabled) {
        sel.innerHTML = "";
        var opt = document.createElement("option");
        opt.value = ""; opt.textContent = sel.dataset.placeholder;
        sel.appendChild(opt);
      }
    });
  }
  function deepestChoice(picker) {
    var code = "";
    picker.querySelectorAll("select[data-level]").forEach(function (sel) { if (sel.value) { code = sel.value; } });
    return code;
  }
  function onChange(picker, select) {
    var level = Number(select.dataset.level);
    clearBelow(picker, level);
    picker.querySelector("input[type=hidden]").value = deepestChoice(picker);
    var next = picker.querySelector('select[data-level="' + (level + 1) + '"]');
    if (!next || !select.value) { return; }
    next.setAttribute("aria-busy", "true");
    fetch(picker.dataset.optionsUrl + "?induk=" + encodeURIComponent(select.value), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (r) { return r.json(); }).then(function (data) {
      (data.options || []).forEach(function (o) {
        var opt = document.createElement("option");
        opt.value = o.code; opt.textContent = o.label + " (" + o.code + ")";
        next.appendChild(opt);
      });
      next.removeAttribute("aria-busy");
    });
  }
  function init(root) {
    root.querySelectorAll(".wilayah-picker").forEach(function (picker) {
      picker.querySelectorAll("select[data-level]").forEach(function (sel) {
        sel.addEventListener("change", function () { onChange(picker, sel); });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();

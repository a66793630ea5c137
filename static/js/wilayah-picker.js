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
    var requested = select.value;
    next.setAttribute("aria-busy", "true");
    fetch(picker.dataset.optionsUrl + "?induk=" + encodeURIComponent(requested), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (r) {
      var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!r.ok || !json) { throw new Error(r.status === 200 ? "session" : String(r.status)); }
      return r.json();
    }).then(function (data) {
      // A later choice may have replaced this one while the answer travelled: drop stale answers.
      if (select.value !== requested) { return; }
      (data.options || []).forEach(function (o) {
        var opt = document.createElement("option");
        opt.value = o.code; opt.textContent = o.label + " (" + o.code + ")";
        next.appendChild(opt);
      });
    }).catch(function (err) {
      if (select.value !== requested) { return; }
      var opt = document.createElement("option");
      opt.value = "";
      opt.textContent = err.message === "session" ? picker.dataset.errorSession : picker.dataset.errorLoad;
      next.innerHTML = ""; next.appendChild(opt);
    }).finally(function () {
      if (select.value === requested) { next.removeAttribute("aria-busy"); }
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

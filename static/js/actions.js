// Page actions without inline event handlers (the Content-Security-Policy allows no `onclick=`/`onsubmit=`):
//   <button type="button" data-print>            prints the page
//   <form method="post" data-confirm="Yakin?">   asks before it is submitted
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();

// The API token page: a "Copy" button for the key shown once (the button stays hidden without JavaScript).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.querySelector("[data-copy-status]");
    if (!input || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        if (status) { status.textContent = button.getAttribute("data-copied") || "OK"; }
      }, function () {
        input.select();
      });
    });
    input.addEventListener("focus", function () { input.select(); });
  });
  // Revoking cannot be undone: ask once (without JavaScript the button revokes directly).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();

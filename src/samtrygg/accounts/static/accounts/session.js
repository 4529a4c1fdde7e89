// Typing in a long form (the weekly assessment, a case journal) is activity too: without a request now and then,
// the idle timeout would log the writer out and the text would be lost on saving. At most one call per 5 minutes.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.dataset.keepalive;
  if (!url || !window.fetch) { return; }
  var every = 5 * 60 * 1000;
  var last = Date.now();
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function activity() {
    if (Date.now() - last < every) { return; }
    last = Date.now();
    fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" } })
      .catch(function () { /* offline: the next save will tell */ });
  }
  document.addEventListener("input", activity, true);
})();

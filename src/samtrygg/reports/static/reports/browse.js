/* Report list: the filter panel starts open on wide screens (on a phone, and above the map, it stays folded). */
(function () {
  "use strict";
  var panel = document.getElementById("report-filters");
  if (panel && panel.dataset.openWide && window.matchMedia && window.matchMedia("(min-width: 1024px)").matches) { panel.open = true; }
})();

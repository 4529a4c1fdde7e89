/* Results page: a heat layer per map question (points from the #heat-data JSON). */
(function () {
  "use strict";
  const data = document.getElementById("heat-data");
  if (!data || !window.L || !window.Samtrygg) { return; }
  const byKey = {};
  JSON.parse(data.textContent).forEach(function (q) { byKey[q.key] = q.points; });
  document.querySelectorAll(".heat-map").forEach(function (el) {
    const points = byKey[el.dataset.key] || [];
    const map = Samtrygg.createMap(el);
    if (!points.length) { return; }
    if (L.heatLayer) {
      L.heatLayer(points.map(function (p) { return [p[0], p[1], 1]; }), { radius: 25, blur: 20 }).addTo(map);
    }
    map.fitBounds(L.latLngBounds(points), { maxZoom: 16, padding: [20, 20] });
  });
})();

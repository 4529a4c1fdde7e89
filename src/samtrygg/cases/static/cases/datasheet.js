/* The data sheet's map: the place, its surroundings ring, the visible reports and the repeat locations,
 * read from a json_script element named by the map's data-source attribute. */
(function () {
  "use strict";
  var el = document.getElementById("ds-map");
  if (!el || !window.L || !window.Samtrygg) { return; }
  var source = document.getElementById(el.dataset.source);
  var data = source ? JSON.parse(source.textContent) : null;
  var map = Samtrygg.createMap(el);
  el.samtryggMap = map;
  if (!data) { return; }
  var STYLES = {
    place: { color: "#123e6e", weight: 3, fillOpacity: 0.08 },
    ring: { color: "#59636e", weight: 1.5, dashArray: "5 4", fillOpacity: 0.02 },
  };
  var outline = L.geoJSON({ type: "FeatureCollection", features: data.features }, {
    style: function (f) { return STYLES[f.properties.role] || STYLES.ring; },
  }).addTo(map);
  (data.points || []).forEach(function (p) {
    L.circleMarker([p.lat, p.lon], { radius: 4, color: "#c0392b", weight: 1, fillOpacity: 0.6 })
      .bindTooltip(p.category).addTo(map);
  });
  (data.repeats || []).forEach(function (g, i) {
    L.marker([g.lat, g.lon], {
      icon: L.divIcon({ className: "ds-repeat-icon", html: String(i + 1), iconSize: [26, 26] }),
      title: "#" + (i + 1) + ": " + g.count,
      alt: "#" + (i + 1) + ": " + g.count,
    }).addTo(map);
  });
  if (outline.getLayers().length) { map.fitBounds(outline.getBounds(), { padding: [10, 10] }); }
})();

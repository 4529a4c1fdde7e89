/* The evaluation page's map: the place, the buffer ring and the control area as outlines. */
(function () {
  "use strict";
  const element = document.getElementById("evaluation-map");
  const data = document.getElementById("evaluation-geometry");
  if (!element || !data || !window.Samtrygg) { return; }
  const geometry = JSON.parse(data.textContent);
  const map = window.Samtrygg.createMap(element);
  const styles = {
    control: { color: "#5b6672", weight: 1.5, dashArray: "4 4", fillOpacity: 0.06 },
    buffer: { color: "#1d5fa8", weight: 1.5, fillOpacity: 0.12 },
    place: { color: "#c0392b", weight: 2.5, fillOpacity: 0.25 },
  };
  let bounds = null;
  ["control", "buffer", "place"].forEach(function (key) {
    if (!geometry[key]) { return; }
    const layer = L.geoJSON(geometry[key], { style: styles[key] }).addTo(map);
    if (key !== "control" || !bounds) {
      bounds = bounds ? bounds.extend(layer.getBounds()) : layer.getBounds();
    }
  });
  if (bounds) { map.fitBounds(bounds, { padding: [10, 10] }); }
})();

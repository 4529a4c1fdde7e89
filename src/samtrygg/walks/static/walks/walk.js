/* Safety walks: draw the route as a line on the walk form; on the walk page show the route and the
 * observations, and let a tap on the map fill in the new observation's position.
 *
 * Adapted from cases/cases.js (click to add points, undo, clear) rather than vendoring Leaflet.draw:
 * Leaflet.draw is unmaintained and builds its toolbar with inline styles the Content-Security-Policy refuses.
 */
(function () {
  "use strict";
  const COLOR = "#8a3ffc";

  function showJsOnly() {
    document.querySelectorAll(".js-only").forEach(function (node) { node.classList.remove("hidden"); });
  }

  function drawRoute(el) {
    showJsOnly();
    const input = document.getElementById(el.dataset.input);
    const status = document.getElementById("walk-draw-status");
    let points = [];
    try {
      const stored = input.value.trim() ? JSON.parse(input.value) : null;
      if (stored && stored.type === "LineString") {
        points = stored.coordinates.map(function (c) { return L.latLng(c[1], c[0]); });
      }
    } catch (e) { points = []; }
    const map = Samtrygg.createMap(el, points.length ? { fitAreas: false } : {});
    const line = L.polyline([], { color: COLOR, weight: 4 }).addTo(map);
    const dots = L.layerGroup().addTo(map);

    function redraw() {
      line.setLatLngs(points);
      dots.clearLayers();
      points.forEach(function (p) { L.circleMarker(p, { radius: 4, color: COLOR }).addTo(dots); });
      if (points.length >= 2) {
        input.value = JSON.stringify({
          type: "LineString",
          coordinates: points.map(function (p) { return [+p.lng.toFixed(7), +p.lat.toFixed(7)]; }),
        });
      } else {
        input.value = "";
      }
      status.textContent = points.length ? points.length + " ✓" : "";
    }
    if (points.length) { map.fitBounds(L.latLngBounds(points).pad(0.3)); }
    redraw();
    map.on("click", function (ev) { points.push(ev.latlng); redraw(); });
    document.getElementById("walk-draw-undo").addEventListener("click", function () { points.pop(); redraw(); });
    document.getElementById("walk-draw-clear").addEventListener("click", function () { points = []; redraw(); });
  }

  function showWalk(el) {
    showJsOnly();
    const data = JSON.parse(document.getElementById(el.dataset.data).textContent);
    const map = Samtrygg.createMap(el, { fitAreas: !data.route && !data.points.length });
    const bounds = L.latLngBounds([]);
    if (data.route) {
      const layer = L.geoJSON(data.route, { style: { color: COLOR, weight: 4 } }).addTo(map);
      bounds.extend(layer.getBounds());
    }
    data.points.forEach(function (p) {
      L.marker([p.lat, p.lon], {
        icon: L.divIcon({ className: "walk-marker", html: String(p.n), iconSize: [24, 24] }),
        title: p.label, alt: p.label, keyboard: false,
      }).addTo(map);
      bounds.extend([p.lat, p.lon]);
    });
    if (bounds.isValid()) { map.fitBounds(bounds.pad(0.2), { maxZoom: 17 }); }
    const latInput = el.dataset.latInput && document.getElementById(el.dataset.latInput);
    const lonInput = el.dataset.lonInput && document.getElementById(el.dataset.lonInput);
    if (latInput && lonInput) {
      let marker = null;
      map.on("click", function (ev) {
        latInput.value = ev.latlng.lat.toFixed(6);
        lonInput.value = ev.latlng.lng.toFixed(6);
        if (marker) { marker.setLatLng(ev.latlng); } else {
          marker = L.circleMarker(ev.latlng, { radius: 8, color: "#b3261e" }).addTo(map);
        }
      });
    }
  }

  if (window.L && window.Samtrygg) {
    const draw = document.getElementById("walk-draw-map");
    if (draw) { drawRoute(draw); }
    const shown = document.getElementById("walk-detail-map");
    if (shown) { showWalk(shown); }
  }
})();

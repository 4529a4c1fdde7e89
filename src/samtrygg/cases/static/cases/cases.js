/* Place cases: draw the case area on the form, show it on the case page, add hypothesis rows.
 *
 * The drawing is a small click-to-add-corners tool written here rather than vendoring Leaflet.draw:
 * Leaflet.draw is unmaintained since 2018, large, and builds its toolbar with inline styles that the
 * strict Content-Security-Policy refuses; a polygon of clicked corners is all a case needs.
 */
(function () {
  "use strict";

  function showJsOnly() {
    document.querySelectorAll(".js-only").forEach(function (node) { node.classList.remove("hidden"); });
  }

  function drawMap(el) {
    showJsOnly();
    const input = document.getElementById(el.dataset.input);
    const status = document.getElementById("case-draw-status");
    let corners = [];
    try {
      const stored = input.value.trim() ? JSON.parse(input.value) : null;
      if (stored && stored.type === "Polygon") {
        corners = stored.coordinates[0].slice(0, -1).map(function (c) { return L.latLng(c[1], c[0]); });
      }
    } catch (e) { corners = []; }
    const map = Samtrygg.createMap(el, corners.length ? { fitAreas: false } : {});
    const shape = L.polygon([], { color: "#b3261e", weight: 3, fillOpacity: 0.15 }).addTo(map);
    const dots = L.layerGroup().addTo(map);

    function redraw() {
      shape.setLatLngs(corners);
      dots.clearLayers();
      corners.forEach(function (c) { L.circleMarker(c, { radius: 5, color: "#b3261e" }).addTo(dots); });
      if (corners.length >= 3) {
        const ring = corners.map(function (c) { return [+c.lng.toFixed(7), +c.lat.toFixed(7)]; });
        ring.push(ring[0]);
        input.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      } else {
        input.value = "";
      }
      status.textContent = corners.length ? corners.length + " ✓" : "";
    }
    if (corners.length) { map.fitBounds(L.latLngBounds(corners).pad(0.5)); }
    redraw();
    map.on("click", function (ev) { corners.push(ev.latlng); redraw(); });
    document.getElementById("case-draw-undo").addEventListener("click", function () { corners.pop(); redraw(); });
    document.getElementById("case-draw-clear").addEventListener("click", function () { corners = []; redraw(); });
  }

  function showShape(el) {
    const geojson = JSON.parse(document.getElementById(el.dataset.shape).textContent);
    const map = Samtrygg.createMap(el, { fitAreas: false });
    const layer = L.geoJSON(geojson, { style: { color: "#b3261e", weight: 3, fillOpacity: 0.15 } }).addTo(map);
    map.fitBounds(layer.getBounds().pad(0.3));
  }

  function hypotheses(button) {
    showJsOnly();
    const prefix = button.dataset.prefix;
    const total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    const list = document.getElementById("hypotheses");
    const template = document.getElementById("hypothesis-template");
    button.addEventListener("click", function () {
      const index = parseInt(total.value, 10);
      const html = template.innerHTML.replace(/__prefix__/g, String(index));
      list.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const rows = list.querySelectorAll(".case-hypothesis");
      const last = rows[rows.length - 1];
      last.querySelectorAll(".js-only").forEach(function (n) { n.classList.remove("hidden"); });
      const first = last.querySelector("textarea");
      if (first) { first.focus(); }
    });
    list.addEventListener("click", function (ev) {
      const target = ev.target.closest(".case-fill-link");
      if (!target) { return; }
      const row = target.closest(".case-hypothesis");
      const field = row.querySelector("input[name$='-data_link']");
      field.value = target.dataset.kind === "reports" ? button.dataset.reports : button.dataset.datasheet;
    });
  }

  if (window.L && window.Samtrygg) {
    const draw = document.getElementById("case-draw-map");
    if (draw) { drawMap(draw); }
    const shown = document.getElementById("case-detail-map");
    if (shown) { showShape(shown); }
  }
  const add = document.getElementById("add-hypothesis");
  if (add) { hypotheses(add); }
})();

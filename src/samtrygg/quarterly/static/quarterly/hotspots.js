/* The hotspot page: the grid cells from data-cells-url drawn on the shared map, coloured AND patterned by
 * hot/cold class (SVG patterns, so the classes read without colour), or shaded by kernel density; a popup per
 * cell with its numbers and class in words. */
(function () {
  "use strict";
  var el = document.getElementById("hotspot-map");
  if (!el || !window.L || !window.Samtrygg) { return; }
  var labels = JSON.parse(document.getElementById("hotspot-class-labels").textContent);
  var COLOURS = { hot99: "#b2182b", hot95: "#ef8a62", hot90: "#fddbc7", cold90: "#d1e5f0", cold95: "#67a9cf", cold99: "#2166ac" };
  // pattern ink and spacing per class: hot = diagonal lines, cold = dots; denser = stronger
  var PATTERNS = {
    hot99: { kind: "line", ink: "#5a0c15", size: 5 }, hot95: { kind: "line", ink: "#8c3b1c", size: 6 },
    hot90: { kind: "line", ink: "#b06a45", size: 8 }, cold90: { kind: "dot", ink: "#3d6e8f", size: 7 },
    cold95: { kind: "dot", ink: "#173f5c", size: 5 }, cold99: { kind: "dot", ink: "#e8f1f8", size: 4 }
  };
  var RAMP = ["#fff5eb", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603", "#7f2704"];
  var SVGNS = "http://www.w3.org/2000/svg";
  var map = Samtrygg.createMap(el, { fitAreas: false });
  el.samtryggMap = map;
  map.options.zoomSnap = 0.25;  // fit the town snugly: a whole zoom step halves or doubles the scale
  var renderer = L.svg({ padding: 0.5 });
  var status = document.getElementById("hotspot-status");
  var giLayer = null, kdeLayer = null;

  function addPatterns() {
    var svg = renderer._container;
    if (!svg || svg.querySelector("defs.hotspot-defs")) { return; }
    var defs = document.createElementNS(SVGNS, "defs");
    defs.setAttribute("class", "hotspot-defs");
    Object.keys(PATTERNS).forEach(function (key) {
      var p = PATTERNS[key], s = p.size;
      var pat = document.createElementNS(SVGNS, "pattern");
      pat.setAttribute("id", "hatch-" + key);
      pat.setAttribute("patternUnits", "userSpaceOnUse");
      pat.setAttribute("width", s);
      pat.setAttribute("height", s);
      var bg = document.createElementNS(SVGNS, "rect");
      bg.setAttribute("width", s); bg.setAttribute("height", s); bg.setAttribute("fill", COLOURS[key]);
      pat.appendChild(bg);
      var mark;
      if (p.kind === "line") {
        mark = document.createElementNS(SVGNS, "path");
        mark.setAttribute("d", "M0," + s + " L" + s + ",0");
        mark.setAttribute("stroke", p.ink); mark.setAttribute("stroke-width", "1.2");
      } else {
        mark = document.createElementNS(SVGNS, "circle");
        mark.setAttribute("cx", s / 2); mark.setAttribute("cy", s / 2); mark.setAttribute("r", "1.1");
        mark.setAttribute("fill", p.ink);
      }
      pat.appendChild(mark);
      defs.appendChild(pat);
    });
    svg.insertBefore(defs, svg.firstChild);
  }

  function fmt(value, digits) {
    if (value === null || value === undefined) { return "–"; }
    return Number(value).toLocaleString(document.documentElement.lang || undefined,
      { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }

  function popup(p) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = p.hot_class ? labels[p.hot_class] : el.dataset.noneLabel;
    box.appendChild(title);
    var rows = [[el.dataset.countLabel, fmt(p.count, 0)], [el.dataset.kdeLabel, fmt(p.kde, 1)],
      [el.dataset.zLabel, fmt(p.gi_z, 2)], [el.dataset.qLabel, fmt(p.gi_q, 4)]];
    rows.forEach(function (r) {
      var line = document.createElement("div");
      line.textContent = r[0] + ": " + r[1];
      box.appendChild(line);
    });
    return box;
  }

  function giStyle(f) {
    var c = f.properties.hot_class;
    if (!c) { return { stroke: false, fill: false }; }
    return { renderer: renderer, color: "#1f2d3d", weight: 0.4, opacity: 0.6, fillColor: COLOURS[c], fillOpacity: 0.85 };
  }

  function kdeStyle(max) {
    return function (f) {
      var v = f.properties.kde || 0;
      if (v <= 0) { return { stroke: false, fill: false }; }
      var i = Math.min(RAMP.length - 1, Math.floor(Math.sqrt(v / max) * RAMP.length));
      return { renderer: renderer, stroke: false, fillColor: RAMP[i], fillOpacity: 0.7 };
    };
  }

  function applyPatterns(layer) {
    addPatterns();
    layer.eachLayer(function (l) {
      var c = l.feature.properties.hot_class;
      if (c && l._path) { l._path.setAttribute("fill", "url(#hatch-" + c + ")"); }
    });
  }

  function quantile(sorted, q) { return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]; }

  function fitBounds(features) {
    if (!features.length) { return L.latLngBounds([]); }
    var lats = [], lons = [];
    features.forEach(function (f) {
      f.geometry.coordinates[0].forEach(function (c) { lons.push(c[0]); lats.push(c[1]); });
    });
    lats.sort(function (a, b) { return a - b; });
    lons.sort(function (a, b) { return a - b; });
    var lo = features.length >= 20 ? 0.02 : 0, hi = features.length >= 20 ? 0.98 : 1;
    return L.latLngBounds([quantile(lats, lo), quantile(lons, lo)], [quantile(lats, hi), quantile(lons, hi)]);
  }

  function show(view) {
    if (!giLayer) { return; }
    var gi = view !== "kde";
    if (gi) { map.removeLayer(kdeLayer); map.addLayer(giLayer); applyPatterns(giLayer); }
    else { map.removeLayer(giLayer); map.addLayer(kdeLayer); }
    document.getElementById("legend-gi").classList.toggle("hidden", !gi);
    document.getElementById("legend-kde").classList.toggle("hidden", gi);
  }

  fetch(el.dataset.cellsUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
    .then(function (geojson) {
      var hot = { type: "FeatureCollection", features: geojson.features.filter(function (f) { return f.properties.hot_class; }) };
      var dense = { type: "FeatureCollection", features: geojson.features.filter(function (f) { return f.properties.kde > 0; }) };
      var max = dense.features.reduce(function (m, f) { return Math.max(m, f.properties.kde); }, 0) || 1;
      giLayer = L.geoJSON(hot, { style: giStyle, onEachFeature: function (f, l) { l.bindPopup(function () { return popup(f.properties); }); } });
      kdeLayer = L.geoJSON(dense, { style: kdeStyle(max), onEachFeature: function (f, l) { l.bindPopup(function () { return popup(f.properties); }); } });
      // Fit the bulk of the cells with reports (2nd to 98th percentile of their corners), so a few reports
      // far out in the countryside do not zoom the town out to a speck.
      var bounds = fitBounds(geojson.features.filter(function (f) { return f.properties.count > 0; }));
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8], maxZoom: 15 }); }
      var checked = document.querySelector("input[name=view]:checked");
      show(checked ? checked.value : "gi");
      map.on("zoomend moveend", function () { if (map.hasLayer(giLayer)) { applyPatterns(giLayer); } });
      document.querySelectorAll("input[name=view]").forEach(function (input) {
        input.addEventListener("change", function () { show(input.value); });
      });
      if (status) { status.textContent = el.dataset.loadedLabel + " " + geojson.features.length; }
      el.dataset.loaded = String(geojson.features.length);
      el.dataset.hot = String(hot.features.length);
    })
    .catch(function () {
      if (status) { status.textContent = el.dataset.errorLabel; status.classList.add("error-text"); }
      el.dataset.loaded = "error";
    });
})();

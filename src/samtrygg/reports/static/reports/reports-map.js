/* Maps of reports.
 *  #reports-map          the filtered reports of the view (data-points-url with bbox and zoom): points with
 *                        popups (time, category, link), or counts per grid cell when there are many.
 *  #report-detail-map    one report's position (read from the json_script named by data-position).
 */
(function () {
  "use strict";
  if (!window.L || !window.Samtrygg) { return; }

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) { el.className = cls; }
    return el;
  }

  function popup(props, el) {
    var box = document.createElement("div");
    box.className = "report-popup";
    box.appendChild(text("strong", props.category));
    box.appendChild(text("div", props.time));
    if (props.deleted) { box.appendChild(text("div", el.dataset.deletedLabel, "badge-deleted")); }
    var link = text("a", el.dataset.openLabel);
    link.href = props.url;
    box.appendChild(link);
    return box;
  }

  function numberText(n) {
    return n.toLocaleString(document.documentElement.lang || undefined);
  }

  // A grid cell with more reports than are worth drawing one by one: its count at the mean position of its
  // reports; selecting it zooms to them.
  function cellMarker(map, feature, el) {
    var c = feature.geometry.coordinates, p = feature.properties, n = p.count;
    var size = n < 100 ? "small" : n < 1000 ? "medium" : "large";
    var digits = String(n).length;
    var inner = document.createElement("div");
    inner.appendChild(text("span", numberText(n)));
    var width = Math.max(40, 18 + 9 * digits);
    var icon = L.divIcon({ html: inner, className: "marker-cluster marker-cluster-" + size + " report-cell",
                           iconSize: L.point(width, 40) });
    var label = numberText(n) + " " + el.dataset.cellLabel;
    var marker = L.marker([c[1], c[0]], { icon: icon, title: label, alt: label, keyboard: true });
    marker.on("click", function () {
      var b = p.bounds;
      if (b[0] === b[2] && b[1] === b[3]) {
        map.setView([b[1], b[0]], Math.min(map.getZoom() + 3, map.getMaxZoom()));
      } else {
        map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [30, 30] });
      }
    });
    return marker;
  }

  function pointMarker(feature, el) {
    var c = feature.geometry.coordinates, props = feature.properties;
    var marker = L.marker([c[1], c[0]], { title: props.category + " " + props.time,
                                          alt: props.category + " " + props.time });
    marker.bindPopup(function () { return popup(props, el); }, { autoPanPaddingTopLeft: L.point(50, 20) });
    return marker;
  }

  // The overview map asks the server for the reports of its current view each time it stops moving: the
  // reports themselves when there are few enough (grouped in the browser where they overlap), else counts per
  // grid cell computed in the database (samtrygg.reports.map_clusters), so a month of a large city is a few
  // hundred numbers, not tens of thousands of points.
  function clustered(el) {
    var map = Samtrygg.createMap(el, { fitAreas: false });
    el.samtryggMap = map;
    // Marker clustering needs a maximum zoom, which a map without a tile layer does not have.
    if (map.getMaxZoom() === Infinity) { map.setMaxZoom(19); }
    var points = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50 });
    var cells = L.layerGroup();
    map.addLayer(points);
    map.addLayer(cells);
    var source = document.getElementById(el.dataset.extent);
    var box = source ? JSON.parse(source.textContent) : null;
    if (box) {
      map.fitBounds([[box[1], box[0]], [box[3], box[2]]], { padding: [20, 20], maxZoom: 16, animate: false });
    } else {
      map.areasReady.then(function (layer) { if (layer) { map.fitBounds(layer.getBounds()); } });
    }

    // view counts the map's moves: an answer for a view the map has since left is dropped, so the state shown
    // (and data-loaded, which the browser tests wait for) always belongs to the view on screen.
    var controller = null, timer = null, view = 0;
    function viewUrl() {
      var b = map.getBounds();
      var base = el.dataset.pointsUrl;
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); });
      return base + (base.indexOf("?") >= 0 ? "&" : "?") + "bbox=" + bbox.join(",") + "&zoom=" + map.getZoom();
    }
    function load() {
      if (controller) { controller.abort(); }
      controller = new AbortController();
      var asked = view;
      el.dataset.loading = "true";
      fetch(viewUrl(), { credentials: "same-origin", headers: { Accept: "application/json" },
                         signal: controller.signal })
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (data) {
          if (asked !== view) { return; }
          points.clearLayers();
          cells.clearLayers();
          if (data.mode === "clusters") {
            data.features.forEach(function (f) { cells.addLayer(cellMarker(map, f, el)); });
          } else {
            points.addLayers(data.features.map(function (f) { return pointMarker(f, el); }));
          }
          el.dataset.mode = data.mode;
          el.dataset.total = String(data.total);
          el.dataset.loaded = String(data.features.length);
          delete el.dataset.loading;
        })
        .catch(function (err) {
          if ((err && err.name === "AbortError") || asked !== view) { return; }
          var status = document.getElementById("map-status");
          if (status) { status.textContent = el.dataset.errorLabel; status.classList.add("error-text"); }
          el.dataset.loaded = "error";
          delete el.dataset.loading;
        });
    }
    map.on("moveend", function () {
      view += 1;
      el.dataset.loading = "true";
      clearTimeout(timer);
      timer = setTimeout(load, 120);
    });
    load();
  }

  function single(el) {
    var source = document.getElementById(el.dataset.position);
    var pos = source ? JSON.parse(source.textContent) : null;
    if (!pos) { return; }
    var map = Samtrygg.createMap(el, { center: [pos.lat, pos.lon], zoom: 16, fitAreas: false });
    el.samtryggMap = map;
    L.circleMarker([pos.lat, pos.lon], { radius: 9, color: "#b3261e", weight: 3, fillOpacity: 0.5 }).addTo(map);
  }

  var overview = document.getElementById("reports-map");
  if (overview) { clustered(overview); }
  var one = document.getElementById("report-detail-map");
  if (one) { single(one); }
})();

/* Maps of reports.
 *  #reports-map          the filtered reports as clustered points (GeoJSON from data-points-url), popups
 *                        with time, category and a link to the report.
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

  function clustered(el) {
    var map = Samtrygg.createMap(el, { fitAreas: false });
    el.samtryggMap = map;
    // Marker clustering needs a maximum zoom, which a map without a tile layer does not have.
    if (map.getMaxZoom() === Infinity) { map.setMaxZoom(19); }
    var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50 });
    map.addLayer(cluster);
    fetch(el.dataset.pointsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (geojson) {
        var markers = geojson.features.map(function (f) {
          var c = f.geometry.coordinates;
          var marker = L.marker([c[1], c[0]], { title: f.properties.category + " " + f.properties.time,
                                                alt: f.properties.category + " " + f.properties.time });
          marker.bindPopup(function () { return popup(f.properties, el); },
                           { autoPanPaddingTopLeft: L.point(50, 20) });
          return marker;
        });
        cluster.addLayers(markers);
        if (markers.length) {
          // chunkedLoading adds the markers over several frames, so the cluster's own bounds are not
          // valid yet: take the bounds from the markers themselves.
          var bounds = L.latLngBounds(markers.map(function (m) { return m.getLatLng(); }));
          map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 });
        } else {
          map.areasReady.then(function (layer) { if (layer) { map.fitBounds(layer.getBounds()); } });
        }
        el.dataset.loaded = String(markers.length);
      })
      .catch(function () {
        var status = document.getElementById("map-status");
        if (status) { status.textContent = el.dataset.errorLabel; status.classList.add("error-text"); }
        el.dataset.loaded = "error";
      });
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

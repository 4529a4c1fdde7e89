/* The weekly picture page: the map of the week's reports (clustered points + heat-layer toggle) and the
 * week picker. Data comes from data attributes: data-points-url is the reports map-data URL with the
 * week's date filters, so only reports the user may see are drawn. */
(function () {
  "use strict";

  // The week picker: without JavaScript the form sends ?goto=YYYY-Www and the server redirects.
  var form = document.querySelector(".week-filter-form");
  var weekInput = document.getElementById("id_goto");
  if (form && weekInput) {
    form.addEventListener("submit", function (event) {
      var value = (weekInput.value || "").trim();
      if (!/^\d{4}-W\d{2}$/i.test(value)) { return; }
      event.preventDefault();
      var params = new URLSearchParams(new FormData(form));
      params.delete("goto");
      var query = params.toString().replace(/(^|&)[a-z]+=(?=&|$)/g, "").replace(/^&+|&+$/g, "");
      window.location.href = form.action.replace(/\/[^/]+\/$/, "/" + value.toUpperCase() + "/") + (query ? "?" + query : "");
    });
  }

  var el = document.getElementById("weekly-map");
  if (!el || !window.L || !window.Samtrygg) { return; }
  var map = Samtrygg.createMap(el, { fitAreas: true });
  el.samtryggMap = map;
  if (map.getMaxZoom() === Infinity) { map.setMaxZoom(19); }
  var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50 });
  map.addLayer(cluster);
  var heat = null;
  var status = document.getElementById("map-status");
  var toggle = document.getElementById("heat-toggle");

  function popup(props) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = props.category;
    var time = document.createElement("div");
    time.textContent = props.time;
    var link = document.createElement("a");
    link.textContent = el.dataset.openLabel;
    link.href = props.url;
    box.appendChild(title);
    box.appendChild(time);
    box.appendChild(link);
    return box;
  }

  function showHeat(on) {
    if (!heat) { return; }
    if (on) { map.addLayer(heat); map.removeLayer(cluster); } else { map.removeLayer(heat); map.addLayer(cluster); }
  }

  fetch(el.dataset.pointsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
    .then(function (geojson) {
      var points = [];
      var markers = geojson.features.map(function (f) {
        var c = f.geometry.coordinates;
        points.push([c[1], c[0], 1]);
        var label = f.properties.category + " " + f.properties.time;
        var marker = L.marker([c[1], c[0]], { title: label, alt: label });
        marker.bindPopup(function () { return popup(f.properties); });
        return marker;
      });
      cluster.addLayers(markers);
      if (L.heatLayer) { heat = L.heatLayer(points, { radius: 22, blur: 18, maxZoom: 15 }); }
      if (toggle) {
        toggle.disabled = !heat;
        toggle.addEventListener("change", function () { showHeat(toggle.checked); });
        if (toggle.checked) { showHeat(true); }
      }
      if (markers.length) {
        var bounds = L.latLngBounds(markers.map(function (m) { return m.getLatLng(); }));
        map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
      }
      if (status) { status.textContent = el.dataset.loadedLabel + " " + markers.length; }
      el.dataset.loaded = String(markers.length);
    })
    .catch(function () {
      if (status) { status.textContent = el.dataset.errorLabel; status.classList.add("error-text"); }
      el.dataset.loaded = "error";
    });
})();

/* Area pages: the outline map on /areas/ (clicking an area or place opens its page) and the map of
 * one area or place (its outline, the areas and places within it) read from a json_script element. */
(function () {
  "use strict";
  if (!window.L || !window.Samtrygg) { return; }

  var STYLES = {
    area: { color: "#1f5f8b", weight: 3, fillOpacity: 0.08 },
    child: { color: "#1f5f8b", weight: 1.5, dashArray: "4 3", fillOpacity: 0.03 },
    place: { color: "#1e6b34", weight: 2, fillOpacity: 0.2 },
  };

  function linkTo(template, code) {
    return template.replace("CODE", encodeURIComponent(code));
  }

  function overview(el) {
    var map = Samtrygg.createMap(el);
    el.samtryggMap = map;
    map.areasReady.then(function (layer) {
      if (!layer) { return; }
      layer.eachLayer(function (l) {
        var code = l.feature && l.feature.properties.code;
        if (code) { l.on("click", function () { window.location.href = linkTo(el.dataset.areaUrl, code); }); }
      });
    });
    fetch(el.dataset.placesUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (geojson) {
        if (!geojson || !geojson.features.length) { return; }
        L.geoJSON(geojson, {
          style: STYLES.place,
          onEachFeature: function (feature, l) {
            l.bindTooltip(feature.properties.name, { sticky: true });
            l.on("click", function () { window.location.href = linkTo(el.dataset.placeUrl, feature.properties.code); });
          },
        }).addTo(map);
      });
  }

  function single(el) {
    var source = document.getElementById(el.dataset.geojson);
    var data = source ? JSON.parse(source.textContent) : null;
    var map = Samtrygg.createMap(el);
    el.samtryggMap = map;
    if (!data || !data.features.length) { return; }
    var own = null;
    L.geoJSON(data, {
      style: function (feature) { return STYLES[feature.properties.role] || STYLES.child; },
      onEachFeature: function (feature, l) {
        l.bindTooltip(feature.properties.name, { sticky: true });
        if (feature.properties.role === "area") { own = l; }
        if (feature.properties.url) {
          l.on("click", function () { window.location.href = feature.properties.url; });
        }
      },
    }).addTo(map);
    if (own) { map.fitBounds(own.getBounds(), { padding: [10, 10] }); }
  }

  var overviewEl = document.getElementById("areas-map");
  if (overviewEl) { overview(overviewEl); }
  var singleEl = document.getElementById("area-map");
  if (singleEl) { single(singleEl); }
})();

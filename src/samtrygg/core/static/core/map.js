/* Shared Leaflet set-up. A map element carries its options as data attributes:
 *   data-tile-url, data-tile-attribution   background tiles (optional; without them a plain background)
 *   data-areas-url                          GeoJSON of area outlines to draw (optional)
 * Usage from another static script:  const map = Samtrygg.createMap(element);
 */
(function () {
  "use strict";
  const UPPSALA = [59.8586, 17.6389];

  function createMap(element, options) {
    options = options || {};
    const map = L.map(element, { zoomControl: true, attributionControl: true })
      .setView(options.center || UPPSALA, options.zoom || 12);
    const tileUrl = element.dataset.tileUrl;
    if (tileUrl) {
      L.tileLayer(tileUrl, { maxZoom: 19, attribution: element.dataset.tileAttribution || "" }).addTo(map);
    }
    const areasUrl = element.dataset.areasUrl;
    map.areasReady = Promise.resolve(null);
    if (areasUrl) {
      map.areasReady = fetch(areasUrl, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (geojson) {
          if (!geojson || !geojson.features.length) { return null; }
          const layer = L.geoJSON(geojson, {
            style: { color: "#1f5f8b", weight: 1.5, fill: true, fillOpacity: 0.04 },
            onEachFeature: function (feature, l) { l.bindTooltip(feature.properties.name, { sticky: true }); },
          }).addTo(map);
          if (options.fitAreas !== false) { map.fitBounds(layer.getBounds()); }
          return layer;
        });
    }
    return map;
  }

  window.Samtrygg = Object.assign(window.Samtrygg || {}, { createMap: createMap });
})();

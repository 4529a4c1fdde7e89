/* The report form: tap on the map (draggable marker), "use my position", or pick a place; and the small
 * map of nearby reports on the page after saving. Without JavaScript the place list and the coordinate
 * inputs still work, so everything here only adds convenience. */
(function () {
  "use strict";

  function readJSON(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function round(v) { return Math.round(v * 1e6) / 1e6; }

  function reportForm() {
    const mapEl = document.getElementById("report-map");
    const latInput = document.getElementById("id_lat");
    const lonInput = document.getElementById("id_lon");
    if (!mapEl || !latInput || !lonInput || !window.L) { return; }
    document.querySelectorAll(".js-only").forEach(function (el) { el.classList.remove("hidden"); });

    const placeSelect = document.getElementById("id_place");
    const placePositions = readJSON("place-positions") || {};
    const status = document.getElementById("position-status");
    const hasStart = latInput.value !== "" && lonInput.value !== "";
    const map = Samtrygg.createMap(mapEl, { fitAreas: !hasStart });
    let marker = null;

    function setPosition(lat, lon, opts) {
      opts = opts || {};
      latInput.value = round(lat);
      lonInput.value = round(lon);
      const ll = L.latLng(lat, lon);
      if (!marker) {
        marker = L.marker(ll, { draggable: true, keyboard: true, title: mapEl.dataset.markerTitle || "" })
          .addTo(map);
        marker.on("dragend", function () {
          const p = marker.getLatLng();
          latInput.value = round(p.lat);
          lonInput.value = round(p.lng);
        });
      } else {
        marker.setLatLng(ll);
      }
      if (opts.zoom) { map.setView(ll, Math.max(map.getZoom(), opts.zoom)); }
      mapEl.classList.add("has-marker");
    }

    if (hasStart) {
      const lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
      if (isFinite(lat) && isFinite(lon)) { setPosition(lat, lon); map.setView([lat, lon], 16, { animate: false }); }
    } else if (placeSelect && placeSelect.value && placePositions[placeSelect.value]) {
      const p = placePositions[placeSelect.value];
      setPosition(p[0], p[1]);
      map.setView(p, 16, { animate: false });
    }

    map.on("click", function (e) { setPosition(e.latlng.lat, e.latlng.lng); });

    function fromInputs() {
      const lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
      if (isFinite(lat) && isFinite(lon)) { setPosition(lat, lon, { zoom: 15 }); }
    }
    latInput.addEventListener("change", fromInputs);
    lonInput.addEventListener("change", fromInputs);

    if (placeSelect) {
      placeSelect.addEventListener("change", function () {
        const p = placePositions[placeSelect.value];
        if (p) { setPosition(p[0], p[1], { zoom: 16 }); }
      });
    }

    const button = document.getElementById("use-position");
    if (button) {
      if (!("geolocation" in navigator)) { button.classList.add("hidden"); return; }
      button.addEventListener("click", function () {
        status.textContent = button.dataset.waiting || "";
        button.setAttribute("aria-busy", "true");
        navigator.geolocation.getCurrentPosition(function (pos) {
          button.removeAttribute("aria-busy");
          setPosition(pos.coords.latitude, pos.coords.longitude, { zoom: 17 });
          status.textContent = (button.dataset.found || "").replace("%s", Math.round(pos.coords.accuracy));
        }, function () {
          button.removeAttribute("aria-busy");
          status.textContent = button.dataset.failed || "";
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
  }

  function nearbyMap() {
    const el = document.getElementById("nearby-map");
    const points = readJSON("nearby-points");
    if (!el || !points || !window.L) { return; }
    const map = Samtrygg.createMap(el, { fitAreas: false });
    const bounds = [];
    const own = points[0];
    let circle = null;
    if (own && el.dataset.radius) {
      circle = L.circle([own.lat, own.lon], { radius: parseFloat(el.dataset.radius), color: "#1f5f8b", weight: 1,
        dashArray: "4 4", fill: false, interactive: false }).addTo(map);
    }
    points.forEach(function (p) {
      const m = L.circleMarker([p.lat, p.lon], {
        radius: p.own ? 9 : 7, weight: 2,
        color: p.own ? "#1f5f8b" : "#8a5300", fillColor: p.own ? "#1f5f8b" : "#f0a830", fillOpacity: 0.8,
      }).addTo(map);
      m.bindTooltip(p.label);
      bounds.push([p.lat, p.lon]);
    });
    if (circle) {
      map.fitBounds(circle.getBounds(), { padding: [10, 10], animate: false });
    } else if (bounds.length) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17, animate: false });
    }
  }

  function init() { reportForm(); nearbyMap(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();

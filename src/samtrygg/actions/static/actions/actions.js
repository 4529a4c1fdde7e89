/* Actions: pick an optional map point on the form; show the point on the action's page. */
(function () {
  "use strict";
  if (!window.L || !window.Samtrygg) { return; }

  function pickerMap(el) {
    document.querySelectorAll(".js-only").forEach(function (node) { node.classList.remove("hidden"); });
    const latInput = document.getElementById(el.dataset.latInput);
    const lonInput = document.getElementById(el.dataset.lonInput);
    const lat0 = parseFloat(latInput.value), lon0 = parseFloat(lonInput.value);
    const has = !isNaN(lat0) && !isNaN(lon0);
    const map = Samtrygg.createMap(el, has ? { center: [lat0, lon0], zoom: 15, fitAreas: false } : {});
    let marker = null;

    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); return; }
      marker = L.circleMarker(latlng, { radius: 9, color: "#b3261e", weight: 3, fillOpacity: 0.4 }).addTo(map);
      marker.on("click", function (ev) {
        L.DomEvent.stopPropagation(ev);
        map.removeLayer(marker);
        marker = null;
        latInput.value = "";
        lonInput.value = "";
      });
    }
    if (has) { place([lat0, lon0]); }
    map.on("click", function (ev) {
      place(ev.latlng);
      latInput.value = ev.latlng.lat.toFixed(6);
      lonInput.value = ev.latlng.lng.toFixed(6);
    });
    function fromInputs() {
      const lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
      if (!isNaN(lat) && !isNaN(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        place([lat, lon]);
        map.panTo([lat, lon]);
      }
    }
    latInput.addEventListener("change", fromInputs);
    lonInput.addEventListener("change", fromInputs);
  }

  function showMap(el) {
    const data = JSON.parse(document.getElementById(el.dataset.position).textContent);
    const map = Samtrygg.createMap(el, { center: [data.lat, data.lon], zoom: 15, fitAreas: false });
    L.circleMarker([data.lat, data.lon], { radius: 9, color: "#b3261e", weight: 3, fillOpacity: 0.4 }).addTo(map);
  }

  const picker = document.getElementById("action-map");
  if (picker) { pickerMap(picker); }
  const shown = document.getElementById("action-detail-map");
  if (shown) { showMap(shown); }
})();

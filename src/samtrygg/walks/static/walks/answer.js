/* Answer form: show/hide conditional questions, a character counter and a personal-data hint for free
 * text, and an optional map to tap for map questions (the place list always works without it). */
(function () {
  "use strict";
  const form = document.querySelector(".answer-form");
  if (!form) { return; }

  function valuesOf(key) {
    const box = form.querySelector('fieldset[data-key="' + key + '"]');
    if (!box || box.hidden) { return []; }
    return Array.from(box.querySelectorAll("input:checked, select")).map(function (el) { return el.value; })
      .filter(function (v) { return v !== ""; });
  }

  function updateConditions() {
    form.querySelectorAll("fieldset[data-condition-key]").forEach(function (box) {
      const wanted = (box.dataset.conditionValues || "").split(",").filter(Boolean);
      const given = valuesOf(box.dataset.conditionKey);
      const show = given.length > 0 && (wanted.length === 0 || given.some(function (v) { return wanted.indexOf(v) >= 0; }));
      box.hidden = !show;
    });
  }
  form.addEventListener("change", updateConditions);
  updateConditions();

  // Rough personal-data patterns (the server's scanner is the real check): personnummer, phone, e-mail.
  const PII = [/\b(19|20)?\d{6}[-+]?\d{4}\b/, /(\+46|\b0)[\s-]?7\d([\s-]?\d){7}\b/, /[^\s@]+@[^\s@]+\.[a-z]{2,}/i];
  form.querySelectorAll("textarea[data-pii-check]").forEach(function (area) {
    const max = parseInt(area.dataset.max, 10);
    const counter = form.querySelector('[data-count-for="' + area.id + '"]');
    const hint = area.parentElement.querySelector(".pii-live");
    function check() {
      if (counter) {
        const left = max - area.value.length;
        counter.textContent = left < 0 ? counter.dataset.over || ("-" + (-left)) : (left < 200 ? String(left) : "");
      }
      const serverWarned = area.parentElement.querySelector(".pii-warning");
      if (hint) { hint.hidden = Boolean(serverWarned) || !PII.some(function (re) { return re.test(area.value); }); }
    }
    area.addEventListener("input", check);
    check();
  });

  if (!window.L || !window.Samtrygg) { return; }
  form.querySelectorAll(".answer-map").forEach(function (el) {
    const details = el.closest("details");
    let map = null;
    let marker = null;
    const latInput = document.getElementById(el.dataset.latInput);
    const lonInput = document.getElementById(el.dataset.lonInput);
    const chosen = el.parentElement.querySelector(".map-chosen");
    function init() {
      if (map) { map.invalidateSize(); return; }
      map = window.Samtrygg.createMap(el);
      if (latInput.value && lonInput.value) {
        marker = L.marker([+latInput.value, +lonInput.value]).addTo(map);
      }
      map.on("click", function (e) {
        latInput.value = e.latlng.lat.toFixed(6);
        lonInput.value = e.latlng.lng.toFixed(6);
        if (marker) { marker.setLatLng(e.latlng); } else { marker = L.marker(e.latlng).addTo(map); }
        if (chosen) { chosen.textContent = chosen.dataset.done || "✓"; }
      });
    }
    if (details) { details.addEventListener("toggle", function () { if (details.open) { init(); } }); } else { init(); }
  });
})();

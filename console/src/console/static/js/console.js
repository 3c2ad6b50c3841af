/* SAC console: the little behaviour the server cannot render. No inline script (CSP). */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  // Print buttons (receipts).
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-print]");
    if (b) { window.print(); }
  });

  // After htmx puts a fragment in, move the keyboard focus where the fragment asks.
  document.addEventListener("htmx:afterSettle", function (ev) {
    var marker = ev.detail.elt && ev.detail.elt.querySelector ? ev.detail.elt.querySelector("[data-focus-next]") : null;
    if (!marker && ev.detail.elt && ev.detail.elt.matches && ev.detail.elt.matches("[data-focus-next]")) { marker = ev.detail.elt; }
    if (marker) {
      var target = document.querySelector(marker.getAttribute("data-focus-next"));
      if (target) { target.focus(); }
    }
  });

  function baseLayer(map, el) {
    var tiles = el.getAttribute("data-tiles");
    if (tiles) {
      window.L.tileLayer(tiles, { maxZoom: 19, attribution: el.getAttribute("data-attribution") || "" }).addTo(map);
    }
  }

  function pickMap(el) {
    var L = window.L;
    var lat = document.getElementById("lat"), lon = document.getElementById("lon");
    var start = [parseFloat(lat.value) || parseFloat(el.dataset.lat), parseFloat(lon.value) || parseFloat(el.dataset.lon)];
    var map = L.map(el, { keyboard: true }).setView(start, 14);
    baseLayer(map, el);
    var pin = null;
    function place(ll, fromMap) {
      if (!pin) { pin = L.circleMarker(ll, { radius: 9, color: "#0b4f6c", weight: 3, fillColor: "#f0b429", fillOpacity: 0.9 }).addTo(map); }
      else { pin.setLatLng(ll); }
      if (fromMap) {
        lat.value = ll.lat.toFixed(6);
        lon.value = ll.lng.toFixed(6);
      }
    }
    if (lat.value && lon.value) { place(start, false); }
    map.on("click", function (e) { place(e.latlng, true); });
    function typed() {
      var a = parseFloat(lat.value), b = parseFloat(lon.value);
      if (!isNaN(a) && !isNaN(b)) { place(L.latLng(a, b), false); map.panTo([a, b]); }
    }
    lat.addEventListener("change", typed);
    lon.addEventListener("change", typed);
  }

  var COLORS = { on_time: "#1e6b34", at_risk: "#b26a00", overdue: "#9b1c1c" };

  function pointsMap(el) {
    var L = window.L;
    var map = L.map(el).setView([parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], 12);
    baseLayer(map, el);
    fetch(el.dataset.src, { credentials: "same-origin", headers: { "Accept": "application/geo+json" } })
      .then(function (r) { return r.ok ? r.json() : { features: [] }; })
      .then(function (data) {
        map.invalidateSize();  // a map built inside a fragment htmx just settled may have had no size yet
        var layer = L.geoJSON(data, {
          pointToLayer: function (f, ll) {
            var c = COLORS[f.properties.traffic_light] || "#0b4f6c";
            return L.circleMarker(ll, { radius: f.properties.radius || 7, color: c, weight: 2, fillColor: c, fillOpacity: 0.6 });
          },
          onEachFeature: function (f, lyr) {
            var p = f.properties, box = document.createElement("div");
            box.textContent = p.label || "";
            lyr.bindPopup(box);
          }
        }).addTo(map);
        if (data.features && data.features.length) { map.fitBounds(layer.getBounds().pad(0.2), { maxZoom: 16 }); }
        el.setAttribute("data-loaded", String(data.features ? data.features.length : 0));
      });
  }

  function initMaps(root) {
    if (!window.L) { return; }
    root.querySelectorAll("[data-map]:not([data-ready])").forEach(function (el) {
      el.setAttribute("data-ready", "1");
      if (el.dataset.map === "pick") { pickMap(el); } else { pointsMap(el); }
    });
  }

  onReady(function () { initMaps(document); });
  // a fragment htmx put in (Consultas results) may carry its own map
  document.addEventListener("htmx:afterSettle", function (ev) { initMaps(ev.detail.elt || document); });
})();

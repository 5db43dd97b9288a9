// The map on the staff list (bot/http/templates.py map_block). A file, not an inline script:
// the pages' Content-Security-Policy (script-src 'self') runs only the bot's own scripts. Its
// data comes from the map element's data-* attributes: the GeoJSON export of the list's
// filters (data-geojson) and the tile URL (data-tiles). Popups are built with textContent, so
// nothing from a report becomes markup.
(function () {
  "use strict";
  const element = document.getElementById("map");
  if (!element || !window.L) {
    return; // Leaflet did not load: the list still works
  }
  const map = window.L.map(element).setView([-6.2, 106.82], 11);
  window.L.tileLayer(element.dataset.tiles, {
    maxZoom: 19,
    attribution: "&copy; OpenStreetMap",
  }).addTo(map);
  fetch(element.dataset.geojson, { credentials: "same-origin" })
    .then((response) => response.json())
    .then((data) => {
      const layer = window.L.geoJSON(data, {
        onEachFeature: (feature, marker) => {
          const link = document.createElement("a");
          link.href = feature.properties.url;
          link.textContent = "#" + feature.properties.id + " " + feature.properties.status;
          marker.bindPopup(link);
        },
      }).addTo(map);
      if (data.features.length) {
        map.fitBounds(layer.getBounds(), { maxZoom: 16 });
      }
      element.dataset.loaded = String(data.features.length);
    });
})();

// The maps of the staff pages (bot/http/templates.py map_block): the list's reports, or one
// report's place. A file, not an inline script: the pages' Content-Security-Policy
// (script-src 'self') runs only the bot's own scripts. What to show comes from the map
// element's data-* attributes: data-geojson (the GeoJSON export of the list's filters) or
// data-point ("lat,lon") with data-status, the tile URL (data-tiles), and the texts of the
// messages (data-no-tiles, data-no-data). Markers are circles coloured by the stylesheet's
// st-<status> classes, the legend's colours. Popups are built with textContent, so nothing
// from a report becomes markup. When the map cannot load, the box's message says so.
(function () {
  "use strict";
  const element = document.getElementById("map");
  if (!element) {
    return;
  }
  const message = element.querySelector(".map-message");
  function show(text, banner) {
    if (!message) {
      return;
    }
    if (text) {
      message.textContent = text;
    }
    message.hidden = false;
    message.classList.add("shown");
    message.classList.toggle("banner", Boolean(banner));
    element.dataset.failed = banner ? "tiles" : "map";
  }
  if (!window.L) {
    show(null, false); // Leaflet did not load: the box's own message, at once
    return;
  }
  if (message) {
    message.hidden = true;
  }
  const L = window.L;
  const map = L.map(element).setView([-6.2, 106.82], 11);
  let tilesLoaded = 0;
  L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap" })
    .on("tileload", () => {
      tilesLoaded += 1;
      if (message && element.dataset.failed === "tiles") {
        message.hidden = true;
        delete element.dataset.failed;
      }
    })
    .on("tileerror", () => {
      if (!tilesLoaded) {
        show(element.dataset.noTiles, true);
      }
    })
    .addTo(map);

  function marker(latlng, status) {
    const known = /^[a-z_]+$/.test(status || "") ? status : "unknown";
    return L.circleMarker(latlng, { radius: 8, className: "marker st-" + known });
  }

  if (element.dataset.point) {
    const [lat, lon] = element.dataset.point.split(",").map(Number);
    marker([lat, lon], element.dataset.status).addTo(map);
    map.setView([lat, lon], 16);
    element.dataset.loaded = "1";
    return;
  }
  fetch(element.dataset.geojson, { credentials: "same-origin" })
    .then((response) => {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then((data) => {
      const layer = L.geoJSON(data, {
        pointToLayer: (feature, latlng) => marker(latlng, feature.properties.status),
        onEachFeature: (feature, shape) => {
          const properties = feature.properties;
          const link = document.createElement("a");
          link.href = properties.url;
          link.textContent = [
            "#" + properties.id,
            properties.status_name || properties.status,
            properties.category_name,
          ]
            .filter(Boolean)
            .join(" · ");
          shape.bindPopup(link);
        },
      }).addTo(map);
      if (data.features.length) {
        map.fitBounds(layer.getBounds(), { maxZoom: 16 });
      }
      element.dataset.loaded = String(data.features.length);
    })
    .catch(() => show(element.dataset.noData, false));
})();

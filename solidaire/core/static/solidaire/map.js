/* Map of a campaign's establishments: Leaflet + marker clustering, fed by the compact JSON
   endpoint ([id, lat×1e5, lon×1e5, name] per establishment, and a fifth item, 1, when it is
   placed at the centre of its département: approximate). The list page stays the primary
   view; when the tiles cannot load, the markers remain and a message says so. */
(function () {
  "use strict";
  var element = document.getElementById("map");
  var status = document.getElementById("map-status");
  if (!element || typeof L === "undefined") { return; }
  var map = L.map(element, { scrollWheelZoom: false }).setView([48.7, 6.2], 7);
  var tiles = L.tileLayer(element.dataset.tiles, { maxZoom: 18, attribution: element.dataset.attribution });
  var tileErrorShown = false;
  tiles.on("tileerror", function () {
    if (!tileErrorShown) {
      tileErrorShown = true;
      element.classList.add("map-no-tiles");
      status.textContent = element.dataset.tilesError;
    }
  });
  tiles.addTo(map);
  fetch(element.dataset.markers, { headers: { "Accept": "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var cluster = L.markerClusterGroup({ chunkedLoading: true });
      var bounds = [];
      data.markers.forEach(function (row) {
        var latlng = [row[1] / 1e5, row[2] / 1e5];
        var label = row[4] ? row[3] + " (" + element.dataset.approximate + ")" : row[3];
        var link = document.createElement("a");
        link.href = data.url.replace("{id}", row[0]);
        link.textContent = label;
        var marker = L.marker(latlng, { title: label, alt: label, keyboard: true });
        marker.bindPopup(link);
        cluster.addLayer(marker);
        bounds.push(latlng);
      });
      map.addLayer(cluster);
      if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 13 }); }
      if (!tileErrorShown) {
        status.textContent = element.dataset.count.replace("{count}", data.markers.length);
      }
    })
    .catch(function () { status.textContent = element.dataset.loadError; });
}());

// /stations/map: the nearest stations on a Leaflet map. The list page never needs this.
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box || !window.L) return;
  var d = box.dataset;
  var gcj = d.coordsys === "gcj02";
  var map = L.map(box).setView([parseFloat(d.lat), parseFloat(d.lon)], 15);
  map.attributionControl.setPrefix("Leaflet");
  L.tileLayer(d.tiles, {
    maxZoom: 18,
    subdomains: d.subdomains,
    attribution: d.attribution,
  }).addTo(map);

  // open, soon (open and closing within 30 minutes), closed or unknown.
  function markerKind(open) {
    if (open.state === "open") return open.closes_soon ? "soon" : "open";
    return open.state;
  }

  function show(lat, lon) {
    var url = d.api + "?" + new URLSearchParams({ lat: lat, lon: lon, radius_m: 5000, limit: 50 });
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        collection.features.forEach(function (feature) {
          var p = feature.properties;
          var c = gcj ? p.coordinates_gcj02 : feature.geometry.coordinates;
          var link = document.createElement("a");
          link.href = p.url;
          link.textContent = p.name;
          var label = document.createElement("div");
          label.appendChild(link);
          var kind = markerKind(p.open);
          var state = document.createElement("div");
          state.textContent = d["state" + kind.charAt(0).toUpperCase() + kind.slice(1)];
          label.appendChild(state);
          // The mark is said in words, in the popup and the marker's title, never by colour.
          var mark = "";
          if (p.integrity_model_since) {
            var integrity = document.createElement("div");
            integrity.className = "badge badge-integrity";
            integrity.textContent = mark = d.integrity;
            label.appendChild(integrity);
          }
          // Shape and colour both differ (circle, triangle, square), so colour is never
          // the only cue; the legend under the map names them.
          var icon = L.divIcon({
            className: "marker marker-" + (kind === "unknown" ? "closed" : kind),
            iconSize: [22, 22],
            popupAnchor: [0, -11],
          });
          L.marker([c[1], c[0]], { title: p.name + " · " + state.textContent + (mark ? " · " + mark : ""), alt: p.name, icon: icon })
            .addTo(map)
            .bindPopup(label);
        });
      });
  }

  show(d.lat, d.lon);
  if ("geolocation" in navigator) {
    navigator.geolocation.getCurrentPosition(function (position) {
      var lat = position.coords.latitude, lon = position.coords.longitude;
      map.setView([lat, lon], 15);
      show(lat, lon);
    });
  }
})();

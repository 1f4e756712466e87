/* Optional map pin for the public sighting form: clicking the map fills latitude and longitude.
   Offline (country outlines only), plain ES2017; without JavaScript the two number fields remain. */
(function () {
  "use strict";
  const root = document.querySelector("[data-pin-map]");
  const lat = document.getElementById("id_latitude");
  const lon = document.getElementById("id_longitude");
  if (!root || !lat || !lon || typeof L === "undefined") return;
  root.hidden = false;
  const map = L.map(root.querySelector(".pin-canvas"), { worldCopyJump: true }).setView([45, 100], 3);
  let marker = null;
  function place(latlng) {
    const point = [Number(latlng.lat.toFixed(4)), Number(L.Util.wrapNum(latlng.lng, [-180, 180], true).toFixed(4))];
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng).addTo(map);
    lat.value = point[0];
    lon.value = point[1];
  }
  if (lat.value && lon.value) place(L.latLng(Number(lat.value), Number(lon.value)));
  map.on("click", function (event) { place(event.latlng); });
  fetch(root.dataset.world).then(function (r) { return r.json(); }).then(function (world) {
    if (typeof topojson === "undefined") return;
    L.geoJSON(topojson.feature(world, world.objects.countries), {
      style: { color: "#888", weight: 0.6, fillColor: "#eee", fillOpacity: 1 }, interactive: false,
    }).addTo(map);
  }).catch(function () {});
})();

/* What the maps share about the country outlines shipped with Unseen (world-atlas): plain ES2017. */
(function () {
  "use strict";

  // A ring cut at the antimeridian (Russia, Fiji) is drawn whole instead of across the map.
  function unwrap(geometry) {
    const fix = function (ring) {
      let min = 180, max = -180;
      ring.forEach(function (p) { min = Math.min(min, p[0]); max = Math.max(max, p[0]); });
      if (max - min <= 180) return ring;
      return ring.map(function (p) { return [p[0] < 0 ? p[0] + 360 : p[0], p[1]]; });
    };
    if (geometry.type === "Polygon") geometry.coordinates = geometry.coordinates.map(fix);
    if (geometry.type === "MultiPolygon") {
      geometry.coordinates = geometry.coordinates.map(function (polygon) { return polygon.map(fix); });
    }
    return geometry;
  }

  window.unseenOutlines = { unwrap: unwrap };
})();

"""GeoJSON: sites and sightings as FeatureCollections of Points, the other columns as properties."""

import json
from collections.abc import Mapping
from pathlib import Path

from .tables import Progress, Table, Writer

# Only these have a place on a map.
MAPPED = ("sites", "sightings")


def _json_value(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str | list):
        return value
    return str(value)


class GeoJsonWriter(Writer):
    format = "geojson"
    suffix = ".geojson"
    reads = MAPPED

    def write(
        self, tables: Mapping[str, Table], out: Path, progress: Progress | None = None
    ) -> dict[str, int]:
        out.mkdir(parents=True, exist_ok=True)
        files: dict[str, int] = {}
        for name in MAPPED:
            table = tables[name]
            features = []
            for row in table.rows:
                lat, lon = row.get("latitude"), row.get("longitude")
                geometry = (
                    {"type": "Point", "coordinates": [lon, lat]}
                    if lat is not None and lon is not None
                    else None
                )
                properties = {
                    c: _json_value(row.get(c))
                    for c in table.columns
                    if c not in ("latitude", "longitude")
                }
                features.append({"type": "Feature", "geometry": geometry, "properties": properties})
            collection = {"type": "FeatureCollection", "features": features}
            (out / f"{name}{self.suffix}").write_text(
                json.dumps(collection, ensure_ascii=False, indent=1), encoding="utf-8"
            )
            files[name] = len(features)
            if progress:
                progress(1)
        return files

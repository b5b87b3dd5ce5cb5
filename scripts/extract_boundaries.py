"""Extract the study region's country boundaries from Natural Earth (public domain) into a small
GeoJSON that ships with stancemap, so the report's map needs nothing from the network.

Source: the 1:110m `naturalearth_lowres` shapefile that geopandas 0.14.x ships in its wheel:

    pip download --no-deps geopandas==0.14.4 -d /tmp/ne && cd /tmp/ne && unzip -o geopandas-0.14.4-*.whl
    python scripts/extract_boundaries.py /tmp/ne/geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp

Every country with a part inside the box is kept, clipped to the box (cut edges densified),
coordinates rounded to 0.01 degrees (about 1 km, far finer than the 1:110m source)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import shapefile  # pyshp

BOX = (44.0, 17.0, 136.0, 56.0)  # lon/lat: China, the five Central Asian states and their neighbours
OUT = Path(__file__).resolve().parent.parent / "datasets" / "data" / "boundaries.geojson"


def clip_ring(ring: list[tuple[float, float]], box=BOX) -> list[tuple[float, float]]:
    """Sutherland-Hodgman clipping of one closed ring to the box."""
    west, south, east, north = box
    edges = [(lambda p: p[0] >= west, lambda a, b: _cross_x(a, b, west)),
             (lambda p: p[0] <= east, lambda a, b: _cross_x(a, b, east)),
             (lambda p: p[1] >= south, lambda a, b: _cross_y(a, b, south)),
             (lambda p: p[1] <= north, lambda a, b: _cross_y(a, b, north))]
    points = list(ring)
    for inside, cross in edges:
        if not points:
            break
        result = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    result.append(cross(previous, current))
                result.append(current)
            elif inside(previous):
                result.append(cross(previous, current))
        points = result
    return points


def _cross_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cross_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def _signed_area(ring) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1])) / 2


def densify(ring: list[tuple[float, float]], box=BOX, step: float = 1.0) -> list[tuple[float, float]]:
    """Points every `step` degrees along the parts of a ring that run on the box's edges: d3-geo
    (which Vega draws with) joins two points by a great circle, which would bow a long straight
    cut along a parallel far to the north."""
    west, south, east, north = box
    out = []
    for a, b in zip(ring, ring[1:] + ring[:1]):
        out.append(a)
        on_parallel = any(abs(a[1] - y) < 1e-9 and abs(b[1] - y) < 1e-9 for y in (south, north))
        on_meridian = any(abs(a[0] - x) < 1e-9 and abs(b[0] - x) < 1e-9 for x in (west, east))
        length = abs(b[0] - a[0]) if on_parallel else abs(b[1] - a[1]) if on_meridian else 0
        pieces = int(length // step)
        for i in range(1, pieces + 1):
            t = i / (pieces + 1)
            out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
    return out


def rings_of(shape) -> list[list[tuple[float, float]]]:
    bounds = list(shape.parts) + [len(shape.points)]
    return [shape.points[bounds[i]:bounds[i + 1]] for i in range(len(bounds) - 1)]


def main(source: Path) -> None:
    reader = shapefile.Reader(str(source))
    fields = [f[0] for f in reader.fields[1:]]
    features = []
    for record, shape in zip(reader.iterRecords(), reader.iterShapes()):
        props = dict(zip(fields, record))
        polygons = []
        for ring in rings_of(shape):
            clipped = [(round(x, 2), round(y, 2)) for x, y in densify(clip_ring(ring))]
            if len(clipped) < 3:
                continue
            closed = [list(p) for p in clipped + clipped[:1]]
            # shapefile (and d3-geo, which Vega draws with) order: exterior rings clockwise,
            # holes counter-clockwise after their exterior
            if _signed_area(clipped) < 0 or not polygons:
                polygons.append([closed])
            else:
                polygons[-1].append(closed)
        if polygons:
            features.append({"type": "Feature", "id": props["iso_a3"],
                             "properties": {"iso_a3": props["iso_a3"], "name": props["name"]},
                             "geometry": {"type": "MultiPolygon", "coordinates": polygons}})
    features.sort(key=lambda f: f["id"])
    OUT.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                              separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(features)} countries, {OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

"""The basemap and its projection: boundaries shipped with the project, nothing fetched.

`data/basemap.json` is built once from Natural Earth and US Census boundaries (npm
`world-atlas` and `us-atlas`) by `data/build.sh`: SVG paths already projected, simplified and
clipped to the border region, plus the projection's constants. Cities and ports are placed
here with the same projection (Lambert conformal conic, parallels 17.5° and 29.5°, central
meridian 102° W; d3-geo's formulas, checked against d3's own points in the tests).
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


@cache
def basemap() -> dict[str, Any]:
    with open(DATA / "basemap.json", encoding="utf-8") as f:
        return json.load(f)


@dataclass(frozen=True)
class Projection:
    width: int
    height: int
    parallels: tuple[float, float]
    rotate: float
    k: float
    dx: float
    dy: float

    def __call__(self, longitude: float, latitude: float) -> tuple[float, float]:
        """SVG user units (x right, y down) of a point given in degrees."""
        y0, y1 = (math.radians(p) for p in self.parallels)

        def tany(y: float) -> float:
            return math.tan((math.pi / 2 + y) / 2)

        n = math.log(math.cos(y0) / math.cos(y1)) / math.log(tany(y1) / tany(y0))
        f = math.cos(y0) * tany(y0) ** n / n
        lam = math.radians(longitude + self.rotate)
        lam = (lam + math.pi) % (2 * math.pi) - math.pi
        r = f / tany(math.radians(latitude)) ** n
        x, y = r * math.sin(n * lam), f - r * math.cos(n * lam)
        return self.dx + self.k * x, self.dy - self.k * y

    def inside(self, point: tuple[float, float]) -> bool:
        x, y = point
        return 0 <= x <= self.width and 0 <= y <= self.height


def projection(size: str = "full") -> Projection:
    layer = basemap()[size]
    p = layer["projection"]
    return Projection(
        width=layer["width"],
        height=layer["height"],
        parallels=(p["parallels"][0], p["parallels"][1]),
        rotate=p["rotate"],
        k=p["k"],
        dx=p["dx"],
        dy=p["dy"],
    )


def _csv(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def ports() -> dict[str, tuple[float, float]]:
    """Port of entry code -> (longitude, latitude) of the crossing, US side."""
    return {r["code"]: (float(r["longitude"]), float(r["latitude"])) for r in _csv("ports.csv")}


@cache
def state_points() -> dict[tuple[str, str], tuple[float, float]]:
    """(country, state name) -> (longitude, latitude) where a state's grouped circle goes:
    a point inside the state away from any one city, so the circle names no small place."""
    return {
        (r["country"], r["state"]): (float(r["longitude"]), float(r["latitude"]))
        for r in _csv("states.csv")
    }

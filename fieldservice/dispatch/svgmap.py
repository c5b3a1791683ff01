"""A map without tiles: technicians, visits and requests projected onto an SVG canvas.

Pure (stdlib only). Equirectangular projection of the region's bounding box: x grows with longitude
scaled by cos(mean latitude), y with latitude, which keeps shapes true to within a fraction of a per
cent over a city-sized region. District names come from the offline gazetteer shipped in
fieldservice/geo/data (district centres inside the box; city names when districts would crowd it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

KM_PER_DEGREE = 111.195  # along a meridian, on the mean-radius sphere
MAX_LABELS = 40
NICE_KM = (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)
# One hue per technician's route, so crossing routes can be told apart (markers keep the status colours).
ROUTE_COLOURS = ("#5c7cfa", "#12b886", "#f59f00", "#e64980", "#15aabf", "#7950f2", "#82c91e", "#fd7e14")


@dataclass(frozen=True, slots=True)
class Place:
    """Something to draw: kind is technician | visit | request; status picks the colour."""

    lat: float
    lon: float
    kind: str
    status: str
    label: str
    title: str
    group: int | None = None  # technician id: visits of one technician are joined into a route
    order: int = 0  # position along the route


@dataclass(frozen=True, slots=True)
class Marker:
    x: float
    y: float
    kind: str
    status: str
    label: str
    title: str


@dataclass(frozen=True, slots=True)
class Route:
    group: int
    points: tuple[tuple[float, float], ...]
    colour: str

    @property
    def path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True, slots=True)
class ScaleBar:
    x: float
    y: float
    length: float
    km: float


@dataclass(frozen=True)
class SvgMap:
    width: int
    height: int
    markers: list[Marker] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    scale: ScaleBar | None = None

    @property
    def empty(self) -> bool:
        return not self.markers


class Projection:
    """Equirectangular projection of a bounding box onto width x height pixels, aspect kept, centred."""

    def __init__(self, lats: list[float], lons: list[float], width: int, height: int, padding: int,
                 min_span_km: float = 4.0):
        lat0, lat1, lon0, lon1 = min(lats), max(lats), min(lons), max(lons)
        self.kx = math.cos(math.radians((lat0 + lat1) / 2))
        # A single point (or a tight cluster) still gets a region of a few kilometres around it.
        min_deg = min_span_km / KM_PER_DEGREE
        if lat1 - lat0 < min_deg:
            lat0, lat1 = (lat0 + lat1) / 2 - min_deg / 2, (lat0 + lat1) / 2 + min_deg / 2
        if (lon1 - lon0) * self.kx < min_deg:
            mid = (lon0 + lon1) / 2
            lon0, lon1 = mid - min_deg / 2 / self.kx, mid + min_deg / 2 / self.kx
        span_x, span_y = (lon1 - lon0) * self.kx, lat1 - lat0
        self.scale = min((width - 2 * padding) / span_x, (height - 2 * padding) / span_y)  # pixels per degree
        self.x0 = padding + ((width - 2 * padding) - span_x * self.scale) / 2
        self.y0 = padding + ((height - 2 * padding) - span_y * self.scale) / 2
        self.lat1, self.lon0 = lat1, lon0
        self.width, self.height = width, height

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        return (round(self.x0 + (lon - self.lon0) * self.kx * self.scale, 1),
                round(self.y0 + (self.lat1 - lat) * self.scale, 1))

    def visible_box(self, margin_x: float = 0, margin_y: float = 0) -> tuple[float, float, float, float]:
        """(lat0, lat1, lon0, lon1) of the canvas less a margin: what is drawn, not just the places."""
        def lon_of(x: float) -> float:
            return self.lon0 + (x - self.x0) / (self.kx * self.scale)

        def lat_of(y: float) -> float:
            return self.lat1 - (y - self.y0) / self.scale

        return lat_of(self.height - margin_y), lat_of(margin_y), lon_of(margin_x), lon_of(self.width - margin_x)

    @property
    def pixels_per_km(self) -> float:
        return self.scale / KM_PER_DEGREE


def build_map(places: list[Place], width: int = 720, height: int = 480, padding: int = 28,
              with_labels: bool = True) -> SvgMap:
    """Project the places, join each technician's visits into a route (base first, in order), label
    the districts inside the box and add a scale bar."""
    if not places:
        return SvgMap(width, height)
    project = Projection([p.lat for p in places], [p.lon for p in places], width, height, padding)
    points = _spread([project(p.lat, p.lon) for p in places])
    markers = [Marker(x, y, p.kind, p.status, p.label, p.title) for (x, y), p in zip(points, places)]
    routes = []
    for group in sorted({p.group for p in places if p.group is not None}):
        stops = sorted((i for i, p in enumerate(places) if p.group == group),
                       key=lambda i: (places[i].kind != "technician", places[i].order))
        if len(stops) > 1:
            colour = ROUTE_COLOURS[len(routes) % len(ROUTE_COLOURS)]
            routes.append(Route(group, tuple(points[i] for i in stops), colour))
    labels = [_label(project, name, lat, lon, width, height)
              for name, lat, lon in places_in_box(*project.visible_box())] if with_labels else []
    # Markers last in the list are drawn on top: technicians over visits over requests.
    order = {"request": 0, "visit": 1, "technician": 2}
    markers.sort(key=lambda m: order.get(m.kind, 0))
    return SvgMap(width, height, markers, routes, labels, _scale_bar(project, width, height))


def _label(project: Projection, name: str, lat: float, lon: float, width: int, height: int) -> Label:
    """A district name at its centre, nudged inwards so the text is not cut at the canvas edge (the
    template draws it just below the point, where the district's own markers are not)."""
    x, y = project(lat, lon)
    half = 6 * len(name) + 4
    return Label(min(max(x, half), width - half), min(y, height - 24), name)


def _spread(points: list[tuple[float, float]], gap: float = 9.0) -> list[tuple[float, float]]:
    """Markers on the same spot (customers geocoded to one district centre, a base next door) are
    set around a small ring so each stays visible and clickable."""
    spots: dict[tuple[int, int], list[int]] = {}
    for i, (x, y) in enumerate(points):
        spots.setdefault((round(x / gap), round(y / gap)), []).append(i)
    out = list(points)
    for members in spots.values():
        if len(members) < 2:
            continue
        cx = sum(points[i][0] for i in members) / len(members)
        cy = sum(points[i][1] for i in members) / len(members)
        radius = gap * max(1.0, len(members) / 4)
        for k, i in enumerate(members):
            angle = 2 * math.pi * k / len(members)
            out[i] = (round(cx + radius * math.cos(angle), 1), round(cy + radius * math.sin(angle), 1))
    return out


def _scale_bar(project: Projection, width: int, height: int) -> ScaleBar:
    per_km = project.pixels_per_km
    km = max((k for k in NICE_KM if k * per_km <= width / 5), default=NICE_KM[0])
    return ScaleBar(x=12, y=height - 14, length=round(km * per_km, 1), km=km)


def places_in_box(lat0: float, lat1: float, lon0: float, lon1: float) -> list[tuple[str, float, float]]:
    """District names (or city names, when districts would be too many) whose centre is in the box."""
    districts, cities = _admin_places()
    for level in (districts, cities):
        inside = [(name, lat, lon) for name, lat, lon in level if lat0 <= lat <= lat1 and lon0 <= lon <= lon1]
        if len(inside) <= MAX_LABELS:
            return inside
    return []


@lru_cache(maxsize=1)
def _admin_places() -> tuple[tuple[tuple[str, float, float], ...], tuple[tuple[str, float, float], ...]]:
    """(districts, cities) from the gazetteer: adcode PPCCDD, name, lat, lon."""
    districts, cities = [], []
    text = (resources.files("fieldservice.geo") / "data" / "cn_admin.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, name, lat, lon, *_ = line.split("\t")
        if not lat or not lon or code.endswith("0000"):
            continue
        (cities if code.endswith("00") else districts).append((name, float(lat), float(lon)))
    return tuple(districts), tuple(cities)

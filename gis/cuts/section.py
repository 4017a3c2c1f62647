"""Cross-section (横断面) along a cut line: what it meets, the ground, and clear distances.

:func:`cross_section` reads the features around the cut from a project and
returns a :class:`Section`: items ordered by chainage (gis.cuts.items), the
ground line, and the measured clear distances (净距) between neighbours:

- horizontal: from each item to its nearest item on the right with a
  non-negative gap, edge to edge along the cut (apparent edges: an oblique
  cut widens the gap by 1 / sin(angle)).  Where both are lines crossing the
  cut at the same angle (parallel within PARALLEL_DEG), ``true_m`` is the
  gap square to them (gap x sin(angle)).
- vertical: from each item to the highest item below it among those
  overlapping it in chainage, outside bottom to outside top; negative
  means they overlap (a conflict).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gis.cuts.cutline import Cut
from gis.cuts.ground import ground_line
from gis.cuts.items import CUT_LAYERS, LINE_LAYERS, SectionItem, json_value, line_items, volume_items
from gis.progress import Progress
from gis.terrain import Terrain

SEARCH_PAD_M = 1.0      # features are read this far around the cut's bounding box
PARALLEL_DEG = 3.0


@dataclass
class Clearance:
    """A measured clear distance between two items, with the dimension line to draw (s, z)."""

    direction: str               # "horizontal" | "vertical"
    a_layer: str
    a_id: str
    b_layer: str
    b_id: str
    clear_m: float               # along the cut (horizontal) or vertical; negative = overlap
    true_m: float | None         # square to parallel lines (horizontal) / = clear_m (vertical)
    s_from: float
    s_to: float
    z_from: float
    z_to: float

    def to_dict(self) -> dict:
        """Plain JSON-able dict."""
        return {k: json_value(v) for k, v in self.__dict__.items()}


@dataclass
class Section:
    """Everything a cut meets, ordered by chainage."""

    cut: Cut
    items: list[SectionItem]
    ground_s: np.ndarray
    ground_z: np.ndarray
    clearances: list[Clearance] = field(default_factory=list)
    layers: list[str] = field(default_factory=list)

    @property
    def length(self) -> float:
        """Plan length of the cut."""
        return self.cut.length

    def to_dict(self) -> dict:
        """The JSON document of ``subterra section --json``."""
        return {"kind": "section", "cut": self.cut.wkt(), "length_m": round(self.length, 3),
                "layers": self.layers, "items": [i.to_dict() for i in self.items],
                "clearances": [c.to_dict() for c in self.clearances],
                "ground": [[round(float(s), 3), json_value(z)] for s, z in zip(self.ground_s, self.ground_z)]}


def _dim_level(a: SectionItem, b: SectionItem) -> float:
    """Level of a horizontal dimension: mid of the shared height, else the smaller item's centre."""
    lo, hi = max(a.bottom_elev, b.bottom_elev), min(a.top_elev, b.top_elev)
    if lo <= hi:
        return (lo + hi) / 2
    return a.z if (a.top_elev - a.bottom_elev) <= (b.top_elev - b.bottom_elev) else b.z


def _parallel_sin(a: SectionItem, b: SectionItem) -> float | None:
    if a.angle_deg is None or b.angle_deg is None:
        return None
    diff = abs(a.angle_deg - b.angle_deg) % 180.0
    if min(diff, 180.0 - diff) > PARALLEL_DEG:
        return None
    return float(np.sin(np.radians((a.angle_deg + b.angle_deg) / 2)))


def clearances(items: list[SectionItem]) -> list[Clearance]:
    """Horizontal and vertical clear distances between neighbouring items (module docstring)."""
    n = len(items)
    if n < 2:
        return []
    s0 = np.array([i.s_min for i in items])
    s1 = np.array([i.s_max for i in items])
    zc = np.array([i.z for i in items])
    top = np.array([i.top_elev for i in items])
    out: list[Clearance] = []
    seen: set[tuple[int, int, str]] = set()
    for i, a in enumerate(items):
        gap = s0 - s1[i]
        right = np.flatnonzero(gap >= 0)
        right = right[right != i]
        if len(right):
            best = right[np.lexsort((np.abs(zc[right] - zc[i]), gap[right]))[0]]
            b = items[best]
            if (i, best, "h") not in seen:
                seen.add((i, best, "h"))
                sin = _parallel_sin(a, b)
                g = float(gap[best])
                z = _dim_level(a, b)
                out.append(Clearance("horizontal", a.layer, a.id, b.layer, b.id, g,
                                     g * sin if sin is not None else None, a.s_max, b.s_min, z, z))
        overlap = (s0 < s1[i]) & (s1 > s0[i]) & (zc < zc[i])
        overlap[i] = False
        below = np.flatnonzero(overlap)
        if len(below):
            best = below[np.argmax(top[below])]
            b = items[best]
            if (i, best, "v") not in seen:
                seen.add((i, best, "v"))
                mid = (max(a.s_min, b.s_min) + min(a.s_max, b.s_max)) / 2
                clear = a.bottom_elev - b.top_elev
                out.append(Clearance("vertical", a.layer, a.id, b.layer, b.id, clear, clear, mid, mid,
                                     b.top_elev, a.bottom_elev))
    return out


def read_items(project, cut: Cut, layers: list[str], terrain: Terrain | None, progress: Progress,
               exclude_ids=(), exclude_points=()) -> list[SectionItem]:
    """Items of ``layers`` (of CUT_LAYERS) that the cut meets, ordered by chainage."""
    from gis.cuts.items import PIPE_COLUMNS, TUNNEL_COLUMNS
    from gis.layers import get

    xmin, ymin, xmax, ymax = cut.bounds
    bbox = (xmin - SEARCH_PAD_M, ymin - SEARCH_PAD_M, xmax + SEARCH_PAD_M, ymax + SEARCH_PAD_M)
    items: list[SectionItem] = []
    for layer in layers:
        if project.count(layer):
            names = get(layer).field_names
            wanted = {"pipe_segments": PIPE_COLUMNS, "metro_tunnels": TUNNEL_COLUMNS}.get(layer)
            columns = [c for c in wanted if c in names] if wanted else None
            df = project.read(layer, bbox=bbox, columns=columns)
            if layer in LINE_LAYERS:
                items += line_items(layer, df, cut, project, terrain, exclude_ids, exclude_points)
            else:
                items += volume_items(layer, df, cut, terrain)
        progress.step(1, layer)
    items.sort(key=lambda it: (it.s, -it.z))
    return items


def cross_section(project, line, layers: list[str] | None = None, *, include_sensitive: bool = False,
                  terrain: Terrain | None = None, progress: Progress | None = None) -> Section:
    """The cross-section of ``project`` along ``line`` (shapely LineString or a :class:`Cut`).

    ``layers`` default to every cut-able layer the sensitive-layer policy
    allows (gis.policy.allowed_layers); ``terrain`` defaults to the project's.
    """
    from gis.policy import allowed_layers

    cut = line if isinstance(line, Cut) else Cut.from_geometry(line)
    names = allowed_layers(layers, include_sensitive, candidates=CUT_LAYERS)
    terrain = terrain if terrain is not None else project.terrain()
    progress = progress or Progress()
    progress.start(len(names), "section")
    items = read_items(project, cut, names, terrain, progress)
    s, z = ground_line(cut, terrain)
    if terrain is None:
        # no DEM: the ground each item knows (surveyed at its pipe points) draws the line
        known = [(i.s, i.ground_elev) for i in items if i.ground_elev is not None]
        s, z = ground_line(cut, None, [k[0] for k in known], [k[1] for k in known])
    return Section(cut, items, s, z, clearances(items), names)

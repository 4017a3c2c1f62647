"""What a vertical cut meets: one :class:`SectionItem` per feature crossing, per layer kind.

Line features (pipe segments, metro tunnels) are cut where their plan
centre line crosses the cut; polygon volumes (stations, civil-defense works,
structures) along the stretch of the cut inside them.

Widths, decided once for every output: ``width_m`` / ``height_m`` are the
true outside sizes (gis.sections: DN + 2 x wall).  A line crossing the cut
at a plan angle theta shows a section ``width / sin(theta)`` wide in the
vertical cut plane (``apparent_width_m``): a round pipe is an ellipse, a
box a wider rectangle.  Drawings use the apparent outline (it is the true
shape for a perpendicular cut) and clear distances along the cut are
measured between apparent edges.  The pipe's own gradient is ignored in the
height (a 1 in 100 fall changes it by 0.005 %).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from gis import layers as registry
from gis.cuts.cutline import Cut
from gis.sections import default_depth_ref, outside_size, rect_sections, tunnel_sections
from gis.terrain import Terrain

MIN_SIN = 0.02                    # lines closer than ~1.1 degrees to the cut count as running along it

LINE_LAYERS = ("pipe_segments", "metro_tunnels")
VOLUME_LAYERS = ("metro_stations", "civil_defense_works", "structures")
CUT_LAYERS = LINE_LAYERS + VOLUME_LAYERS

PIPE_COLUMNS = ["line_id", "utility", "subtype", "start_point", "end_point", "depth_ref", "shape",
                "diameter_mm", "width_mm", "height_mm", "wall_mm", "material", "owner", "status"]
TUNNEL_COLUMNS = ["feature_id", "line_name", "bore", "section", "outer_diameter_m", "width_m", "height_m",
                  "owner"]


@dataclass
class SectionItem:
    """One feature where the cut meets it (elevations in the project's vertical datum, m)."""

    layer: str
    id: str
    kind: str                    # "pipe" | "tunnel" | "volume"
    shape: str                   # "circle" | "rect"
    s: float                     # chainage of the centre along the cut
    x: float
    y: float
    z: float                     # centre elevation at the cut
    width_m: float | None        # true outside width (volumes: their stretch along the cut)
    height_m: float | None       # outside height
    inner_height_m: float | None
    apparent_width_m: float      # width in the cut plane (width / sin(angle)); drawn and measured
    angle_deg: float | None      # plan angle from the cut to the feature's axis, 0..180 (90 = square)
    top_elev: float              # outside top (crown)
    bottom_elev: float           # outside bottom
    invert_elev: float           # inner bottom (outside bottom where the wall is unknown)
    ground_elev: float | None
    ground_source: str | None    # "survey" | "dem" | None
    cover_m: float | None        # ground - top
    invert_depth_m: float | None  # ground - invert
    depth_ref: str               # the feature's survey convention (top / invert / centre)
    size_known: bool
    size_label: str              # DN300, 800x600, Φ6.2m, ...
    utility: str | None = None
    subtype: str | None = None
    material: str | None = None
    owner: str | None = None
    name: str | None = None
    category: str | None = None  # volumes: their ``kind`` (basement, utility_tunnel, station ...)

    @property
    def s_min(self) -> float:
        """Chainage of the left edge in the cut plane."""
        return self.s - self.apparent_width_m / 2

    @property
    def s_max(self) -> float:
        """Chainage of the right edge in the cut plane."""
        return self.s + self.apparent_width_m / 2

    def to_dict(self) -> dict:
        """Plain JSON-able dict (floats rounded to 0.1 mm, NaN as None)."""
        return {k: json_value(v) for k, v in asdict(self).items()}


def json_value(v):
    """A value fit for JSON: finite floats rounded to 0.1 mm, NaN as None, numpy scalars as Python."""
    if isinstance(v, (float, np.floating)):
        return None if not np.isfinite(v) else round(float(v), 4)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def text_or_none(v) -> str | None:
    """A cell as text, None when missing."""
    return None if v is None or (isinstance(v, float) and np.isnan(v)) or pd.isna(v) else str(v)


def num_column(df, name: str) -> np.ndarray:
    """A column as floats (NaN where missing or the frame lacks it)."""
    if name not in df:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def obj_column(df, name: str) -> np.ndarray:
    """A column as an object array (None where missing or the frame lacks it)."""
    if name not in df:
        return np.full(len(df), None, dtype=object)
    return df[name].astype(object).where(df[name].notna(), None).to_numpy(dtype=object)


# ------------------------------------------------------------------ lines
@dataclass
class Pieces:
    """Straight 3D pieces of line features and where they sit along their feature (plan fraction)."""

    a: np.ndarray        # (m, 3)
    b: np.ndarray        # (m, 3)
    row: np.ndarray      # (m,) feature row
    f0: np.ndarray       # (m,) fraction of the feature's plan length at a
    f1: np.ndarray       # (m,) ... at b


def line_pieces(geoms) -> Pieces:
    """Explode (Multi)LineString Z geometries into straight pieces."""
    import shapely

    parts, part_row = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    coords, idx = shapely.get_coordinates(parts, include_z=True, return_index=True)
    if len(coords) < 2:
        e = np.zeros((0, 3))
        return Pieces(e, e, np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    same = idx[1:] == idx[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    row = part_row[idx[:-1][same]]
    plan = np.hypot(*(b[:, :2] - a[:, :2]).T)
    n = int(part_row.max()) + 1 if len(part_row) else 0
    total = np.bincount(row, weights=plan, minlength=n)
    before = np.cumsum(plan) - plan
    start_of_row = np.zeros(n)
    first = np.flatnonzero(np.concatenate([[True], row[1:] != row[:-1]]))
    start_of_row[row[first]] = before[first]
    safe = np.where(total > 0, total, 1.0)[row]
    f0 = (before - start_of_row[row]) / safe
    f1 = f0 + plan / safe
    keep = plan > 0
    return Pieces(a[keep], b[keep], row[keep], f0[keep], f1[keep])


@dataclass
class LineHits:
    """Where pieces cross the cut: feature row, centre point, plan fraction along the feature, angle."""

    row: np.ndarray
    s: np.ndarray
    xyz: np.ndarray      # (h, 3) centre point at the cut
    frac: np.ndarray
    sin: np.ndarray
    angle: np.ndarray    # plan angle from the cut leg to the feature's axis, degrees in (0, 180)


def line_hits(cut: Cut, pieces: Pieces) -> LineHits:
    """Every crossing of a piece with a leg of the cut (lines running along the cut are left out).

    A crossing through a vertex of either line is counted once.
    """
    import shapely

    from gis.analysis.seggeom import crossing

    la, lb = cut.legs
    tree = shapely.STRtree(shapely.linestrings(np.stack([la, lb], axis=1)))
    plines = shapely.linestrings(np.stack([pieces.a[:, :2], pieces.b[:, :2]], axis=1))
    pi, li = tree.query(plines, predicate="intersects") if len(plines) else (np.zeros(0, int),) * 2
    a, b = pieces.a[pi], pieces.b[pi]
    c = crossing(a[:, 0], a[:, 1], b[:, 0], b[:, 1], la[li, 0], la[li, 1], lb[li, 0], lb[li, 1])
    ok = (c.sin_angle >= MIN_SIN) & np.isnan(c.s2)
    pi, li, u, t, sin = pi[ok], li[ok], c.s[ok], c.t[ok], c.sin_angle[ok]
    xyz = pieces.a[pi] + u[:, None] * (pieces.b[pi] - pieces.a[pi])
    s = cut.chain[li] + t * (cut.chain[li + 1] - cut.chain[li])
    frac = pieces.f0[pi] + u * (pieces.f1[pi] - pieces.f0[pi])
    row = pieces.row[pi]
    da, dl = pieces.b[pi, :2] - pieces.a[pi, :2], lb[li] - la[li]
    angle = np.degrees(np.arctan2(dl[:, 0] * da[:, 1] - dl[:, 1] * da[:, 0],
                                  dl[:, 0] * da[:, 0] + dl[:, 1] * da[:, 1])) % 180.0
    # one hit per feature and position (a crossing through a vertex meets two pieces or two legs)
    key = pd.DataFrame({"row": row, "s": np.round(s, 3)})
    first = ~key.duplicated().to_numpy()
    return LineHits(row[first], s[first], xyz[first], frac[first], sin[first], angle[first])


def _ground_at_hits(project, terrain: Terrain | None, hits: LineHits, start_ids, end_ids,
                    start_xy, end_xy) -> tuple[np.ndarray, np.ndarray]:
    """Ground at line crossings: surveyed ground of both ends interpolated, else the DEM, else one end."""
    from gis.analysis.cover import end_ground

    n = len(hits.row)
    ground = np.full(n, np.nan)
    source = np.full(n, None, dtype=object)
    if n == 0:
        return ground, source
    if project is not None:
        ends_xy = np.concatenate([start_xy[hits.row], end_xy[hits.row]])
        ids = np.concatenate([start_ids[hits.row], end_ids[hits.row]])
        g, surveyed = end_ground(project, None, ends_xy, ids)      # its FeatureSet argument is unused
        g0, g1 = g[:n], g[n:]
        both = surveyed[:n] & surveyed[n:]
        ground = np.where(both, g0 + hits.frac * (g1 - g0), np.nan)
        source[both] = "survey"
    else:
        g0 = g1 = np.full(n, np.nan)
    if terrain is not None:
        dem = terrain.sample(hits.xyz[:, 0], hits.xyz[:, 1])
        use = np.isnan(ground) & ~np.isnan(dem)
        ground[use] = dem[use]
        source[use] = "dem"
    rest = np.isnan(ground)
    one = np.where(np.isnan(g0), g1, g0)
    ground[rest] = one[rest]
    source[rest & ~np.isnan(one)] = "survey"
    return ground, source


def _size_labels(is_rect, dn, w_mm, h_mm) -> list[str]:
    out = []
    for r, d, w, h in zip(is_rect, dn, w_mm, h_mm):
        if r and np.isfinite(w) and np.isfinite(h):
            out.append(f"{w:g}x{h:g}")
        elif not r and np.isfinite(d):
            out.append(f"DN{d:g}")
        else:
            out.append("")
    return out


@dataclass
class LineSizes:
    """Per feature row: shape, outside width/height, inner height, whether known, label, depth_ref."""

    is_rect: np.ndarray
    width: np.ndarray
    height: np.ndarray
    inner: np.ndarray
    known: np.ndarray
    label: list[str]
    depth_ref: np.ndarray


def pipe_sizes(df) -> LineSizes:
    """Section sizes of pipe_segments rows (gis.sections.outside_size)."""
    shape, dn = obj_column(df, "shape"), num_column(df, "diameter_mm")
    w_mm, h_mm = num_column(df, "width_mm"), num_column(df, "height_mm")
    width, height, inner, wall_known = outside_size(shape, dn, w_mm, h_mm, num_column(df, "wall_mm"),
                                                    obj_column(df, "material"))
    is_rect = rect_sections(shape, w_mm, h_mm)
    ref = obj_column(df, "depth_ref")
    default = default_depth_ref(obj_column(df, "utility"))
    ref = np.where(pd.isna(ref), default, ref)
    known = ~np.isnan(width) & ~np.isnan(height)
    return LineSizes(is_rect, width, height, np.where(np.isnan(inner), height, inner), known & wall_known,
                     _size_labels(is_rect, dn, w_mm, h_mm), ref)


def tunnel_sizes(df) -> LineSizes:
    """Section sizes of metro_tunnels rows: box sections width x height, others round (default 6.2 m)."""
    n = len(df)
    is_rect, width, height, known = tunnel_sections(obj_column(df, "section"), num_column(df, "outer_diameter_m"),
                                                    num_column(df, "width_m"), num_column(df, "height_m"))
    label = [f"{wi:g}x{hi:g}m" if r else f"Φ{wi:g}m" for r, wi, hi in zip(is_rect, width, height)]
    return LineSizes(is_rect, width, height, height, known, label, np.full(n, "centre", dtype=object))


def line_items(layer: str, df, cut: Cut, project=None, terrain: Terrain | None = None,
               exclude_ids=(), exclude_points=()) -> list[SectionItem]:
    """Items where the lines of ``df`` (one of LINE_LAYERS) cross the cut.

    ``exclude_ids`` are feature ids to leave out; ``exclude_points`` point ids
    whose segments are left out (branches joining a profiled run).
    """
    import shapely

    if len(df) == 0:
        return []
    id_field = registry.get(layer).id_field
    ids = df[id_field].astype(str).to_numpy(dtype=object)
    pipes = layer == "pipe_segments"
    start_ids, end_ids = obj_column(df, "start_point"), obj_column(df, "end_point")
    drop = np.isin(ids, list(exclude_ids))
    if pipes and len(exclude_points):
        drop |= np.isin(start_ids, list(exclude_points)) | np.isin(end_ids, list(exclude_points))
    pieces = line_pieces(np.where(drop, None, df.geometry.to_numpy()))
    if len(pieces.a) == 0:
        return []
    hits = line_hits(cut, pieces)
    sizes = pipe_sizes(df) if pipes else tunnel_sizes(df)
    start_xy = shapely.get_coordinates(shapely.get_point(df.geometry.to_numpy(), 0))
    end_xy = shapely.get_coordinates(shapely.get_point(df.geometry.to_numpy(), -1))
    ground, gsrc = _ground_at_hits(project if pipes else None, terrain, hits, start_ids, end_ids, start_xy, end_xy)
    util, sub, mat, owner = (obj_column(df, c) for c in ("utility", "subtype", "material", "owner"))
    names = (obj_column(df, "line_name") if not pipes else np.full(len(df), None, dtype=object))
    bores = obj_column(df, "bore")
    items = []
    for k, r in enumerate(hits.row):
        w = sizes.width[r]
        h = sizes.height[r]
        hin = sizes.inner[r]
        known_w = np.isfinite(w)
        wd, hd = (w, h) if known_w else (0.0, 0.0)
        z = float(hits.xyz[k, 2])
        top, bottom = z + hd / 2, z - hd / 2
        invert = z - (hin if np.isfinite(hin) else hd) / 2
        g = float(ground[k])
        name = None
        if not pipes:
            name = " ".join(t for t in (text_or_none(names[r]), text_or_none(bores[r])) if t) or None
        items.append(SectionItem(
            layer=layer, id=str(ids[r]), kind="pipe" if pipes else "tunnel",
            shape="rect" if sizes.is_rect[r] else "circle", s=float(hits.s[k]),
            x=float(hits.xyz[k, 0]), y=float(hits.xyz[k, 1]), z=z,
            width_m=float(w) if known_w else None, height_m=float(h) if known_w else None,
            inner_height_m=float(hin) if np.isfinite(hin) else None,
            apparent_width_m=float(wd / hits.sin[k]), angle_deg=float(hits.angle[k]),
            top_elev=top, bottom_elev=bottom, invert_elev=invert,
            ground_elev=g if np.isfinite(g) else None, ground_source=gsrc[k],
            cover_m=g - top if np.isfinite(g) else None,
            invert_depth_m=g - invert if np.isfinite(g) else None,
            depth_ref=str(sizes.depth_ref[r]), size_known=bool(sizes.known[r]), size_label=sizes.label[r],
            utility=text_or_none(util[r]), subtype=text_or_none(sub[r]), material=text_or_none(mat[r]),
            owner=text_or_none(owner[r]),
            name=name))
    return items


# ---------------------------------------------------------------- volumes
def volume_items(layer: str, df, cut: Cut, terrain: Terrain | None = None) -> list[SectionItem]:
    """Items where the cut passes through polygon volumes (top: polygon Z or top_elev; bottom: bottom_elev)."""
    import shapely

    if len(df) == 0:
        return []
    geoms = df.geometry.to_numpy()
    xyz, idx = shapely.get_coordinates(geoms, include_z=True, return_index=True)
    top = np.full(len(df), -np.inf)
    np.maximum.at(top, idx, np.nan_to_num(xyz[:, 2], nan=-np.inf))
    top = np.where(np.isfinite(top), top, num_column(df, "top_elev"))
    bottom = num_column(df, "bottom_elev")
    bottom = np.where(np.isnan(bottom), top, bottom)
    line = shapely.linestrings(cut.xy)
    pieces, prow = shapely.get_parts(shapely.intersection(line, shapely.force_2d(geoms)), return_index=True)
    keep = np.isin(shapely.get_type_id(pieces), (1, 2)) & ~shapely.is_empty(pieces)
    pieces, prow = pieces[keep], prow[keep]
    spans: dict[int, list[list[float]]] = {}
    for piece, r in zip(pieces, prow):
        s = _chainage_of(cut, shapely.get_coordinates(piece))
        spans.setdefault(int(r), []).append([float(s.min()), float(s.max())])
    id_field = registry.get(layer).id_field
    ids = df[id_field].astype(str).to_numpy(dtype=object)
    names = obj_column(df, "name")
    kinds = obj_column(df, "kind")
    owner = obj_column(df, "owner")
    items = []
    for r, intervals in spans.items():
        if not np.isfinite(top[r]):
            continue
        for s0, s1 in _merge(intervals):
            if s1 - s0 <= 0:
                continue
            mid = (s0 + s1) / 2
            x, y = cut.point_at(mid)[0]
            g = float(terrain.sample(x, y)) if terrain is not None else np.nan
            t, b = float(top[r]), float(bottom[r])
            items.append(SectionItem(
                layer=layer, id=str(ids[r]), kind="volume", shape="rect", s=mid, x=float(x), y=float(y),
                z=(t + b) / 2, width_m=s1 - s0, height_m=t - b, inner_height_m=None,
                apparent_width_m=s1 - s0, angle_deg=None, top_elev=t, bottom_elev=b, invert_elev=b,
                ground_elev=g if np.isfinite(g) else None, ground_source="dem" if np.isfinite(g) else None,
                cover_m=g - t if np.isfinite(g) else None, invert_depth_m=g - b if np.isfinite(g) else None,
                depth_ref="top", size_known=True, size_label=f"{s1 - s0:.1f}x{t - b:.1f}m",
                owner=text_or_none(owner[r]), name=text_or_none(names[r]) or text_or_none(kinds[r]),
                category=text_or_none(kinds[r])))
    return items


def _chainage_of(cut: Cut, xy: np.ndarray) -> np.ndarray:
    """Chainage of points lying on the cut (nearest leg)."""
    a, b = cut.legs
    d = b - a
    ll = np.einsum("ij,ij->i", d, d)
    u = np.clip(((xy[:, None, :] - a[None]) * d[None]).sum(-1) / ll[None], 0, 1)
    near = a[None] + u[..., None] * d[None]
    dist = np.hypot(*(near - xy[:, None, :]).transpose(2, 0, 1))
    leg = dist.argmin(axis=1)
    k = np.arange(len(xy))
    return cut.chain[leg] + u[k, leg] * np.sqrt(ll[leg])


def _merge(intervals: list[list[float]], tol: float = 1e-6) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for s0, s1 in sorted(intervals):
        if out and s0 <= out[-1][1] + tol:
            out[-1][1] = max(out[-1][1], s1)
        else:
            out.append([s0, s1])
    return [(a, b) for a, b in out]

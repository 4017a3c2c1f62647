"""Longitudinal profile (纵断面) of a pipe run.

:func:`longitudinal_profile` follows a run (gis.cuts.run) and returns a
:class:`Profile`: chainage of every vertex, the ground (surveyed at pipe
points, the DEM between), crown / invert elevations at both ends of every
segment (from its centre-line Z and outside / inside height), slopes, the
pipe points (manholes) along the run, and the features crossing it (a
section along the run's plan line, gis.cuts.section) with their vertical
clear distance to the run.

Slopes are signed per mille in the run direction: (invert at the segment's
far end - invert at its near end) / plan length x 1000, negative = falling.
A profile along an arbitrary line (``subterra profile --wkt``) is a
cross-section along that line: :func:`gis.cuts.section.cross_section`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from gis.cuts.cutline import Cut
from gis.cuts.ground import ground_line
from gis.cuts.items import PIPE_COLUMNS, SectionItem, json_value, num_column, obj_column, pipe_sizes, text_or_none
from gis.cuts.run import Run, find_run, sql_list
from gis.cuts.section import CUT_LAYERS, read_items
from gis.layers import WELL_APPURTENANCES
from gis.progress import Progress
from gis.sections import default_depth_ref
from gis.terrain import Terrain

POINT_COLUMNS = ["point_id", "feature", "appurtenance", "ground_elev", "well_depth", "well_diameter_mm"]


@dataclass
class Station:
    """A pipe point on the run (a manhole, valve, bend ...) with the run's levels at it."""

    point_id: str
    s: float
    x: float
    y: float
    ground_elev: float | None
    ground_source: str | None        # "survey" | "dem" | None
    feature: str | None
    appurtenance: str | None
    is_well: bool
    well_depth_m: float | None
    well_bottom_elev: float | None
    well_diameter_m: float | None
    invert_in: float | None          # end of the segment arriving (None at the run's start)
    invert_out: float | None         # start of the segment leaving (None at the run's end)
    crown_in: float | None
    crown_out: float | None

    def to_dict(self) -> dict:
        """Plain JSON-able dict."""
        return {k: json_value(v) for k, v in asdict(self).items()}


@dataclass
class RunSegment:
    """One segment of the run, oriented in the run direction."""

    line_id: str
    from_point: str
    to_point: str
    s_from: float
    s_to: float
    utility: str | None
    subtype: str | None
    shape: str
    size_label: str
    material: str | None
    owner: str | None
    width_m: float | None
    height_m: float | None
    inner_height_m: float | None
    size_known: bool
    centre_from: float
    centre_to: float
    crown_from: float
    crown_to: float
    invert_from: float
    invert_to: float
    slope_permille: float | None
    vertex_s: list[float]            # chainage of every vertex
    vertex_z: list[float]            # centre-line elevation of every vertex

    @property
    def length_m(self) -> float:
        """Plan length."""
        return self.s_to - self.s_from

    def to_dict(self) -> dict:
        """Plain JSON-able dict (with length_m)."""
        d = {k: json_value(v) for k, v in asdict(self).items() if k not in ("vertex_s", "vertex_z")}
        d["length_m"] = json_value(self.length_m)
        d["vertices"] = [[json_value(s), json_value(z)] for s, z in zip(self.vertex_s, self.vertex_z)]
        return d


@dataclass
class RunCrossing:
    """A feature crossing the run, and its vertical clear distance to the run pipe."""

    item: SectionItem
    line_id: str                     # the run segment it crosses
    run_top: float
    run_bottom: float
    clear_m: float                   # outside to outside; negative = they overlap
    relation: str                    # "above" | "below" | "conflict"

    def to_dict(self) -> dict:
        """The item's dict plus the run relation."""
        d = self.item.to_dict()
        d.update(run_line_id=self.line_id, run_top=json_value(self.run_top), run_bottom=json_value(self.run_bottom),
                 clear_m=json_value(self.clear_m), relation=self.relation)
        return d


@dataclass
class Profile:
    """The longitudinal profile of a run."""

    run: Run
    cut: Cut
    stations: list[Station]
    segments: list[RunSegment]
    crossings: list[RunCrossing]
    ground_s: np.ndarray
    ground_z: np.ndarray
    depth_ref: str                   # the utility's survey convention: "top" or "invert"
    layers: list[str] = field(default_factory=list)

    @property
    def length(self) -> float:
        """Plan length of the run."""
        return self.cut.length

    def to_dict(self) -> dict:
        """The JSON document of ``subterra profile --json``."""
        return {"kind": "profile", "utility": self.run.utility, "run": self.run.line_ids,
                "points": self.run.point_ids, "length_m": round(self.length, 3), "depth_ref": self.depth_ref,
                "layers": self.layers,
                "stations": [s.to_dict() for s in self.stations],
                "segments": [s.to_dict() for s in self.segments],
                "crossings": [c.to_dict() for c in self.crossings],
                "ground": [[round(float(s), 3), json_value(z)] for s, z in zip(self.ground_s, self.ground_z)]}


def _run_frame(project, run: Run):
    df = project.read("pipe_segments", where=f"line_id IN ({sql_list(run.line_ids)})",
                      columns=PIPE_COLUMNS)
    df = df.drop_duplicates("line_id").set_index("line_id", drop=False)
    return df.loc[run.line_ids].reset_index(drop=True)


def _segments(df, run: Run) -> tuple[list[RunSegment], np.ndarray]:
    """Run segments with levels, and the run's plan polyline (all vertices in order)."""
    import shapely

    sizes = pipe_sizes(df)
    util, sub, mat, owner = (obj_column(df, c) for c in ("utility", "subtype", "material", "owner"))
    out, line = [], []
    s0 = 0.0
    for k, geom in enumerate(df.geometry.to_numpy()):
        xyz = shapely.get_coordinates(geom, include_z=True)
        if not run.forward[k]:
            xyz = xyz[::-1]
        ds = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xyz[:, :2], axis=0).T))])
        h = sizes.height[k] if np.isfinite(sizes.height[k]) else 0.0
        hin = sizes.inner[k] if np.isfinite(sizes.inner[k]) else h
        z0, z1 = float(xyz[0, 2]), float(xyz[-1, 2])
        length = float(ds[-1])
        inv0, inv1 = z0 - hin / 2, z1 - hin / 2
        w = sizes.width[k]
        out.append(RunSegment(
            line_id=str(df["line_id"].iloc[k]), from_point=run.point_ids[k], to_point=run.point_ids[k + 1],
            s_from=s0, s_to=s0 + length, utility=text_or_none(util[k]), subtype=text_or_none(sub[k]),
            shape="rect" if sizes.is_rect[k] else "circle", size_label=sizes.label[k], material=text_or_none(mat[k]),
            owner=text_or_none(owner[k]), width_m=float(w) if np.isfinite(w) else None,
            height_m=float(sizes.height[k]) if np.isfinite(sizes.height[k]) else None,
            inner_height_m=float(sizes.inner[k]) if np.isfinite(sizes.inner[k]) else None,
            size_known=bool(sizes.known[k]), centre_from=z0, centre_to=z1, crown_from=z0 + h / 2,
            crown_to=z1 + h / 2, invert_from=inv0, invert_to=inv1,
            slope_permille=(inv1 - inv0) / length * 1000.0 if length > 0 else None,
            vertex_s=(s0 + ds).tolist(), vertex_z=xyz[:, 2].tolist()))
        line.append(xyz[:, :2] if not line else xyz[1:, :2])
        s0 += length
    return out, np.concatenate(line)


def _stations(project, run: Run, segs: list[RunSegment], cut: Cut) -> list[Station]:
    from gis.analysis.cover import end_ground

    pts = project.read("pipe_points", where=f"point_id IN ({sql_list(run.point_ids)})", columns=POINT_COLUMNS)
    pts = pts.drop_duplicates("point_id").set_index("point_id")
    pts = pts.reindex(run.point_ids)
    s = np.array([segs[0].s_from] + [g.s_to for g in segs])
    xy = cut.point_at(s)
    ground, surveyed = end_ground(project, None, xy, np.array(run.point_ids, dtype=object))  # no FeatureSet needed
    app, feat = obj_column(pts, "appurtenance"), obj_column(pts, "feature")
    depth, diam = num_column(pts, "well_depth"), num_column(pts, "well_diameter_mm") / 1000.0
    out = []
    for k, pid in enumerate(run.point_ids):
        g = float(ground[k])
        has_g = np.isfinite(g)
        arriving = segs[k - 1] if k > 0 else None
        leaving = segs[k] if k < len(segs) else None
        is_well = text_or_none(app[k]) in WELL_APPURTENANCES
        d = float(depth[k]) if np.isfinite(depth[k]) else None
        out.append(Station(
            point_id=pid, s=float(s[k]), x=float(xy[k, 0]), y=float(xy[k, 1]),
            ground_elev=g if has_g else None,
            ground_source=("survey" if surveyed[k] else "dem") if has_g else None,
            feature=text_or_none(feat[k]), appurtenance=text_or_none(app[k]), is_well=is_well, well_depth_m=d,
            well_bottom_elev=g - d if d is not None and has_g else None,
            well_diameter_m=float(diam[k]) if np.isfinite(diam[k]) else None,
            invert_in=arriving.invert_to if arriving else None, invert_out=leaving.invert_from if leaving else None,
            crown_in=arriving.crown_to if arriving else None, crown_out=leaving.crown_from if leaving else None))
    return out


def _run_level(segs: list[RunSegment], s: float) -> tuple[RunSegment, float]:
    """The run segment at chainage ``s`` and its centre elevation there."""
    k = int(np.clip(np.searchsorted([g.s_to for g in segs], s), 0, len(segs) - 1))
    seg = segs[k]
    return seg, float(np.interp(s, seg.vertex_s, seg.vertex_z))


def _crossings(items: list[SectionItem], segs: list[RunSegment]) -> list[RunCrossing]:
    out = []
    for it in items:
        seg, zc = _run_level(segs, it.s)
        h = seg.height_m or 0.0
        top, bottom = zc + h / 2, zc - h / 2
        above, below = it.bottom_elev - top, bottom - it.top_elev
        clear = max(above, below)
        relation = "conflict" if clear < 0 else ("above" if above >= below else "below")
        out.append(RunCrossing(it, seg.line_id, top, bottom, clear, relation))
    return out


def longitudinal_profile(project, run: Run | list[str], layers: list[str] | None = None, *,
                         include_sensitive: bool = False, terrain: Terrain | None = None,
                         progress: Progress | None = None) -> Profile:
    """The profile of ``run`` (a Run, or waypoint ids for :func:`gis.cuts.run.find_run`).

    ``layers``: the layers whose crossings are listed (default every cut-able
    layer the sensitive-layer policy allows).
    """
    from gis.policy import allowed_layers

    if not isinstance(run, Run):
        run = find_run(project, list(run))
    names = allowed_layers(layers, include_sensitive, candidates=CUT_LAYERS)
    terrain = terrain if terrain is not None else project.terrain()
    progress = progress or Progress()
    progress.start(len(names) + 1, "profile")
    segs, line_xy = _segments(_run_frame(project, run), run)
    cut = Cut.from_coords(line_xy)
    stations = _stations(project, run, segs, cut)
    progress.step(1, "run")
    items = read_items(project, cut, names, terrain, progress, exclude_ids=run.line_ids,
                       exclude_points=run.point_ids)
    surveyed = [(st.s, st.ground_elev) for st in stations if st.ground_source == "survey"]
    gs, gz = ground_line(cut, terrain, [p[0] for p in surveyed], [p[1] for p in surveyed])
    if terrain is None:
        known = [(st.s, st.ground_elev) for st in stations if st.ground_elev is not None]
        gs, gz = ground_line(cut, None, [p[0] for p in known], [p[1] for p in known])
    ref = str(default_depth_ref(np.array([run.utility], dtype=object))[0])
    return Profile(run, cut, stations, segs, _crossings(items, segs), gs, gz, ref, names)


"""Cover depth check (覆土深度, RULES.md "Minimum cover").

Cover at each end of a segment = ground - top of pipe; ground is the surveyed
ground of the end's pipe point (its ground_elev, else its Z), else the
project's DEM.  The minimum comes from the ``cover_roadway`` rows where the
end lies in a carriageway of the ``roads`` layer and ``cover_other`` rows
elsewhere (roadway is assumed, and said, when the project has no roads).  An
optional frost depth raises the minimum of water-bearing pipes (JS, PS).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gis.analysis import findings as fnd
from gis.analysis.findings import CheckResult

CHECK = "cover"
FROST_UTILITIES = ("JS", "PS")


@dataclass
class CoverOptions:
    """Rule file and the optional frost depth (m)."""

    rules_file: str | None = None
    frost_depth_m: float | None = None
    write: bool = True


def segment_ends(fs) -> tuple[np.ndarray, np.ndarray]:
    """Index of the first and the last piece of every feature."""
    n = len(fs)
    first = np.full(n, -1, dtype=np.int64)
    last = np.full(n, -1, dtype=np.int64)
    idx = np.arange(fs.n_pieces)
    first[fs.feat[::-1]] = idx[::-1]
    last[fs.feat] = idx
    return first, last


def end_ground(project, fs, ends_xy: np.ndarray, point_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ground elevation, from survey?) at segment ends: surveyed pipe point first, then the DEM."""
    ground = np.full(len(ends_xy), np.nan)
    if project.count("pipe_points"):
        pts = project.read("pipe_points", columns=["point_id", "ground_elev"])
        z = pd.to_numeric(pts["ground_elev"], errors="coerce").fillna(pd.Series(pts.geometry.z, index=pts.index))
        lookup = pd.Series(z.to_numpy(), index=pts["point_id"].astype(object))
        lookup = lookup[~lookup.index.duplicated()]
        ground = pd.Series(point_ids, dtype=object).map(lookup).to_numpy(dtype=float)
    surveyed = ~np.isnan(ground)
    terrain = project.terrain()
    if terrain is not None and (~surveyed).any():
        dem = terrain.sample(ends_xy[:, 0], ends_xy[:, 1])
        ground = np.where(surveyed, ground, dem)
    return ground, surveyed


def run(project, options: CoverOptions | None = None, progress=None) -> CheckResult:
    """Cover of every pipe segment end against the minimum; findings under a new run id."""
    import shapely

    from gis.analysis import features
    from gis.analysis.rules import load_for_project

    options = options or CoverOptions()
    table = load_for_project(project, options.rules_file)
    fs = features.load(project, ("pipe_segments",), table, bands={})
    first, last = segment_ends(fs)
    ox, oy = fs.origin
    n = len(fs)
    xy = np.concatenate([np.column_stack([fs.x0[first] + ox, fs.y0[first] + oy]),
                         np.column_stack([fs.x1[last] + ox, fs.y1[last] + oy])])
    z = np.concatenate([fs.z0[first], fs.z1[last]])
    seg = project.read("pipe_segments", columns=["line_id", "start_point", "end_point"]) if n else None
    ids = np.concatenate([seg["start_point"].to_numpy(dtype=object), seg["end_point"].to_numpy(dtype=object)]) \
        if n else np.zeros(0, dtype=object)
    ground, surveyed = end_ground(project, fs, xy, ids)
    top = z + np.tile(fs.height / 2, 2)
    cover = ground - top
    # roadway or not
    warnings = []
    if project.count("roads"):
        roads = project.read("roads", columns=["kind"])
        carriage = roads[roads["kind"].fillna("carriageway") == "carriageway"].geometry.to_numpy()
        pts = shapely.points(xy)
        if len(carriage):
            tree = shapely.STRtree(carriage)
            hit = tree.query(pts, predicate="intersects")
            roadway = np.zeros(len(pts), dtype=bool)
            roadway[hit[0]] = True
        else:
            roadway = np.zeros(len(pts), dtype=bool)
    else:
        roadway = np.ones(2 * n, dtype=bool)
        if n:
            warnings.append("no roads layer: every pipe judged as under a roadway")
    prof = np.tile(fs.profile, 2)
    req = np.full(2 * n, np.nan)
    rule_idx = np.full(2 * n, -1)
    for p, profile in enumerate(fs.profiles):
        for flag, kind in ((True, "cover_roadway"), (False, "cover_other")):
            rule = table.single(kind, profile)
            if rule is not None:
                m = (prof == p) & (roadway == flag)
                req[m] = rule.min_m
                rule_idx[m] = table.rules.index(rule)
    if options.frost_depth_m is not None:
        water = np.isin(np.array([fs.profiles[p].utility for p in range(len(fs.profiles))], dtype=object)[prof],
                        FROST_UTILITIES)
        req = np.where(water, np.fmax(req, options.frost_depth_m), req)
    # worst end per segment among ends with a rule and a ground
    judged = ~np.isnan(req) & ~np.isnan(cover)
    short = np.where(judged, req - cover, -np.inf)
    end = np.where(short[:n] >= short[n:], np.arange(n), np.arange(n) + n)
    e = end[np.isfinite(short[end]) & (short[end] > fnd.EPS)]
    counts = {"segments": int(n), "no_ground": int(np.isnan(ground).sum()),
              "no_rule_ends": int((np.isnan(req) & ~np.isnan(cover)).sum()),
              "ground_from_survey": int(surveyed.sum()), "ground_from_dem": int((~surveyed & ~np.isnan(ground)).sum())}
    f = e % n if n else e
    rules = table.rules
    from gis.analysis.clearance import ids_of
    ids_f = ids_of(fs, f)[0] if len(f) else np.zeros(0, dtype=object)
    rid = np.array([r.rule_id for r in rules] + [None], dtype=object)
    deficit = req[e] - cover[e]
    above = cover[e] < 0
    frost = np.zeros(len(e), bool) if options.frost_depth_m is None else np.isclose(req[e], options.frost_depth_m)
    df = pd.DataFrame({
        "kind": np.where(above, "above_ground", "cover"), "rule_id": rid[rule_idx[e]], "a_layer": "pipe_segments",
        "a_id": ids_f, "b_layer": None, "b_id": None, "required_m": req[e], "actual_m": cover[e],
        "deficit_m": deficit, "severity": np.where(above, "critical", np.asarray(fnd.severity(deficit, req[e]), dtype=object)),
        "uncertain": False, "x": xy[e, 0], "y": xy[e, 1], "z": top[e],
        "source": np.array([r.source for r in rules] + [None], dtype=object)[rule_idx[e]],
        "confidence": np.array([r.confidence for r in rules] + [None], dtype=object)[rule_idx[e]],
        "owners": fs.owner.iloc[f].to_numpy(dtype=object) if len(f) else [],
        "note": np.where(roadway[e], "roadway", "non-roadway") + np.where(frost, "; frost depth", "")
        + np.where(surveyed[e], "; surveyed ground", "; ground from DEM")})
    run_id = fnd.new_run_id(CHECK)
    out = fnd.frame(df, CHECK, run_id)
    result = CheckResult(run_id, CHECK, fnd.summarize(out, **counts, warnings=warnings), out)
    if options.write and not project.readonly:
        fnd.write(project, result, progress)
    return result

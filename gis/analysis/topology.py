"""Topology QA of the pipe network (RULES.md "Network analyses").

Findings: dangling ends, duplicate points (same utility within 1 cm),
segments referencing missing points, zero-length segments, reversed gravity
slopes (invert rising along the flow), pipes above ground, and crossings with
no vertical data (from the clearance engine's crossing detection).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gis.analysis import findings as fnd
from gis.analysis.findings import CheckResult

CHECK = "topology"
END_FEATURES = ("出地", "预留口", "盖堵", "起讫点", "入户", "非普查")
DUPLICATE_TOL = 0.01
SLOPE_TOL = 0.001


@dataclass
class TopologyOptions:
    """Options of topology QA."""

    write: bool = True


def _rows(kind, severity, layer, ids, x, y, z=np.nan, other=None, required=np.nan, actual=np.nan, note="",
          b_layer=None):
    n = len(ids)
    return pd.DataFrame({"kind": kind, "rule_id": None, "a_layer": layer, "a_id": np.asarray(ids, dtype=object),
                         "b_layer": b_layer if other is not None else None,
                         "b_id": np.asarray(other, dtype=object) if other is not None else None,
                         "required_m": required, "actual_m": actual,
                         "deficit_m": np.asarray(required, float) - np.asarray(actual, float) if n else [],
                         "severity": severity, "uncertain": False, "x": x, "y": y, "z": z, "source": None,
                         "confidence": None, "owners": None, "note": note})


def run(project, options: TopologyOptions | None = None, progress=None) -> CheckResult:
    """Topology QA of pipe_segments and pipe_points; findings under a new run id."""
    import shapely

    from gis.analysis import clearance, cover, features
    from gis.analysis.rules import load_for_project

    options = options or TopologyOptions()
    out: list[pd.DataFrame] = []
    seg = project.read("pipe_segments", columns=["line_id", "utility", "start_point", "end_point", "flow_dir",
                                                 "shape", "diameter_mm", "height_mm"])
    pts = project.read("pipe_points", columns=["point_id", "utility", "feature", "appurtenance", "ground_elev"])
    known = set(pts["point_id"].astype(object))
    coords = [shapely.get_coordinates(g, include_z=True) for g in seg.geometry.to_numpy()] if len(seg) else []
    first = np.array([c[0] for c in coords]) if coords else np.zeros((0, 3))
    last = np.array([c[-1] for c in coords]) if coords else np.zeros((0, 3))
    # missing end points
    for col, xyz in (("start_point", first), ("end_point", last)):
        ids = seg[col].astype(object)
        miss = ~ids.isin(known).to_numpy()
        if miss.any():
            out.append(_rows("missing_end_point", "major", "pipe_segments", seg["line_id"][miss], xyz[miss, 0],
                             xyz[miss, 1], xyz[miss, 2], note=np.where(ids[miss].isna(), f"{col} not given",
                                                                          f"{col} not in pipe_points")))
    # zero length
    if len(seg):
        length = shapely.length(seg.geometry.to_numpy())
        zero = length < 1e-3
        if zero.any():
            out.append(_rows("zero_length", "major", "pipe_segments", seg["line_id"][zero], first[zero, 0],
                             first[zero, 1], first[zero, 2], actual=length[zero]))
    # dangling ends: a point used by one segment only, not marked as an end
    ends = pd.concat([seg["start_point"], seg["end_point"]], ignore_index=True).dropna().astype(object)
    degree = ends.value_counts()
    single = set(degree[degree == 1].index)
    mark = pts.set_index(pts["point_id"].astype(object))
    is_end = mark["feature"].isin(END_FEATURES) | mark["appurtenance"].notna()
    dang = pts[pts["point_id"].isin(single).to_numpy() & ~is_end.to_numpy()]
    if len(dang):
        out.append(_rows("dangle", "minor", "pipe_points", dang["point_id"], dang.geometry.x.to_numpy(),
                         dang.geometry.y.to_numpy(), dang.geometry.z.to_numpy(),
                         note="end used by one segment and not marked as an end point"))
    # duplicate points of one utility within 1 cm
    if len(pts):
        key = pd.DataFrame({"u": pts["utility"].astype(object), "x": np.round(pts.geometry.x / DUPLICATE_TOL),
                            "y": np.round(pts.geometry.y / DUPLICATE_TOL), "id": pts["point_id"].astype(object)})
        dup = key[key.duplicated(["u", "x", "y"], keep=False)].sort_values("id")
        first_of = dup.groupby(["u", "x", "y"])["id"].transform("first")
        later = dup[dup["id"] != first_of]
        if len(later):
            geo = pts.set_index(pts["point_id"].astype(object)).geometry
            out.append(_rows("duplicate_point", "minor", "pipe_points", later["id"], geo[later["id"]].x.to_numpy(),
                             geo[later["id"]].y.to_numpy(), other=first_of[later.index], b_layer="pipe_points"))
    # gravity slopes and pipes above ground need sizes and ground: use the analysis arrays
    table = load_for_project(project)
    fs = features.load(project, ("pipe_segments",), table, bands={})
    if len(fs):
        f0, f1 = cover.segment_ends(fs)
        gravity = np.isin(np.array([p.utility for p in fs.profiles], dtype=object)[fs.profile], ("PS",))
        from gis.sections import outside_size
        _, _, inner, _ = outside_size(seg["shape"].to_numpy(object), seg["diameter_mm"].to_numpy(float), np.nan,
                                      seg["height_mm"].to_numpy(float), 0.0)
        inner = np.nan_to_num(inner)
        inv0 = fs.z0[f0] - inner / 2
        inv1 = fs.z1[f1] - inner / 2
        flow = pd.to_numeric(seg["flow_dir"], errors="coerce").fillna(1).to_numpy()
        up, down = np.where(flow < 0, inv1, inv0), np.where(flow < 0, inv0, inv1)
        rise = gravity & (down > up + SLOPE_TOL)
        if rise.any():
            out.append(_rows("reversed_slope", "major", "pipe_segments", seg["line_id"][rise], first[rise, 0],
                             first[rise, 1], first[rise, 2], actual=(down - up)[rise],
                             note="invert rises along the flow direction"))
        ox, oy = fs.origin
        xy = np.concatenate([np.column_stack([fs.x0[f0] + ox, fs.y0[f0] + oy]),
                             np.column_stack([fs.x1[f1] + ox, fs.y1[f1] + oy])])
        ids = np.concatenate([seg["start_point"].to_numpy(object), seg["end_point"].to_numpy(object)])
        ground, _ = cover.end_ground(project, fs, xy, ids)
        top = np.concatenate([fs.z0[f0], fs.z1[f1]]) + np.tile(fs.height / 2, 2)
        above = top > ground + fnd.EPS
        n = len(fs)
        which = np.unique(np.flatnonzero(above) % n)
        if len(which):
            k = np.where(above[which], which, which + n)
            out.append(_rows("above_ground", "critical", "pipe_segments", seg["line_id"].to_numpy(object)[which],
                             xy[k, 0], xy[k, 1], top[k], actual=(ground - top)[k], required=0.0,
                             note="pipe top above the ground"))
        res = clearance.audit(fs, table, threads=2)
        nz = res.no_vertical
        if len(nz):
            out.append(_rows("crossing_without_z", "major", "pipe_segments", nz["a_id"], nz["x"], nz["y"],
                             other=nz["b_id"], b_layer="pipe_segments",
                             note="crossing with no elevation on one of the lines: vertical clearance unknown"))
    from gis.analysis.network import Network
    components = int(len(np.unique(Network.from_project(project).components()))) if len(seg) else 0
    df = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=fnd.COLUMNS)
    df["severity"] = df["severity"].astype(object)
    run_id = fnd.new_run_id(CHECK)
    frame = fnd.frame(df, CHECK, run_id)
    summary = fnd.summarize(frame, by_kind={k: int(v) for k, v in frame["kind"].value_counts().items()},
                            network_components=components)
    summary["violations"] = int(len(frame))
    result = CheckResult(run_id, CHECK, summary, frame)
    if options.write and not project.readonly:
        fnd.write(project, result, progress)
    return result

"""Hydraulic-model networks (EPANET, SWMM) -> pipe_points and pipe_segments with 3D geometry.

The format modules say what an elevation means; this module does what both
share: node ids, coordinates from [COORDINATES] reprojected from --src-crs
(required: a model has no CRS), links joined to their nodes (a rejected node
rejects its links), link geometry from the end nodes and [VERTICES] with Z
interpolated along the length between the two end elevations.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import shapely

from gis import layers as registry
from gis.errors import InputRejected, Problem
from importers import fields as F
from importers import geo, parse
from importers.checks import select
from importers.frames import geoframe
from importers.inp import read_inp
from importers.messages import tr
from importers.plan import ImportOptions, ImportPlan, TablePreview
from importers.table import SourceTable
from importers.tablegroup import TableGroup

PP = registry.get("pipe_points")
PS = registry.get("pipe_segments")


def group_of(tables: list[SourceTable]) -> TableGroup:
    """A TableGroup over model sections whose headers are the keys."""
    return TableGroup(tables, [{h: i for i, h in enumerate(t.headers)} for t in tables])


@dataclass
class Model:
    """One .inp model read for planning: the plan being filled, the --src-crs transform, sections and [OPTIONS]."""

    result: ImportPlan
    file: str
    to_project: object
    tables: dict[str, SourceTable]
    options: dict[str, str]


def read_model(project, kind: str, sources: list[str], options: ImportOptions,
               schema: dict[str, list[str]]) -> Model | ImportPlan:
    """Read the model of ``sources[0]``; a fatal problem (no --src-crs, unreadable file) returns the plan instead."""
    result = ImportPlan(kind, [str(s) for s in sources], [], options)
    file = str(sources[0])
    to_project = transformer(project, options, file, result)
    if to_project is None:
        return result
    try:
        tables, opts = read_inp(Path(file), file, schema)
    except InputRejected as exc:
        result.problems.extend(exc.problems)
        result.fatal = True
        return result
    return Model(result, file, to_project, tables, opts)


def transformer(project, options: ImportOptions, file: str, result: ImportPlan):
    """A --src-crs -> project CRS transform (always_xy), or None after a fatal problem when --src-crs is missing."""
    from pyproj import Transformer

    from gis.crs import parse_crs

    if not options.src_crs:
        result.problems.append(Problem(file, None, None, None, tr("src_crs_model")))
        result.fatal = True
        return None
    src = parse_crs(options.src_crs)
    return Transformer.from_crs(src, project.crs, always_xy=True)


def flag_duplicate_ids(group: TableGroup, ids: pa.Array) -> None:
    """Flag every row whose id stands on another row too (the reason names those rows)."""
    dup, other = F.duplicates(ids, group.rows)
    if dup.any():
        reasons = np.full(group.n, None, dtype=object)
        reasons[dup] = [tr("duplicate_id", field="ID", rows=r) for r in other[dup]]
        group.flag(dup, "id", ids, reasons)


@dataclass
class Nodes:
    """Model nodes (all node sections together) with their project-CRS position."""

    group: TableGroup
    ids: pa.Array
    x: np.ndarray
    y: np.ndarray
    kind: np.ndarray


def nodes(project, tables: list[tuple[SourceTable, str | None]], coords: SourceTable, to_project) -> Nodes:
    """Node rows of several sections (with the appurtenance each kind is) placed by [COORDINATES]."""
    group = group_of([t for t, _ in tables])
    kind = np.concatenate([np.full(t.n, k, dtype=object) for t, k in tables]) if tables else np.zeros(0, object)
    ids = F.text(group, "id")
    flag_duplicate_ids(group, ids)
    cgroup = group_of([coords])
    cx, bad_x = parse.numbers(cgroup.col("x"))
    cy, bad_y = parse.numbers(cgroup.col("y"))
    cgroup.flag(bad_x, "x", cgroup.col("x"), tr("number_bad"))
    cgroup.flag(bad_y, "y", cgroup.col("y"), tr("number_bad"))
    pos = F.lookup(ids, F.text(cgroup, "node"))
    x, y = np.full(group.n, np.nan), np.full(group.n, np.nan)
    hit = pos >= 0
    x[hit], y[hit] = to_project.transform(cx[pos[hit]], cy[pos[hit]])
    group.flag(~hit | np.isnan(x), "id", ids, tr("inp_coords_missing"))
    outside = geo.outside_area(project.crs, x, y) & ~np.isnan(x)
    group.flag(outside, "id", ids, tr("outside_crs", crs=project.crs.name))
    return Nodes(group, ids, x, y, kind)


def node_frame(project, nd: Nodes, ground: np.ndarray, note: np.ndarray, utility: str, source: str):
    """pipe_points of the accepted nodes (Z = ground)."""
    ok = ~nd.group.bad
    n = nd.group.n
    cols = {"point_id": nd.ids, "utility": np.full(n, utility, dtype=object), "appurtenance": nd.kind,
            "ground_elev": ground, "source": np.full(n, source, dtype=object), "note": note}
    return geoframe(cols, ok, shapely.points(nd.x[ok], nd.y[ok], ground[ok]), project.crs)


@dataclass
class Links:
    """Model links joined to their end nodes (positions into Nodes; -1 when unknown)."""

    group: TableGroup
    ids: pa.Array
    start: np.ndarray
    end: np.ndarray


def links(tables: list[SourceTable], nd: Nodes, from_key: str, to_key: str) -> Links:
    """Join link rows to nodes; flag unknown nodes and links whose node was rejected."""
    group = group_of(tables)
    ids = F.text(group, "id")
    flag_duplicate_ids(group, ids)
    ends = []
    for j, key in enumerate((from_key, to_key)):
        node_ids = F.text(group, key)
        pos = F.lookup(node_ids, nd.ids)
        missing = pos < 0
        if missing.any():
            reasons = np.full(group.n, None, dtype=object)
            idx = np.flatnonzero(missing)
            reasons[missing] = [tr("inp_node_missing", node=nd_id, link=lk) for nd_id, lk in
                                zip(select(node_ids, idx), select(ids, idx))]
            group.flag(missing, key, node_ids, reasons)
        rejected = np.zeros(group.n, dtype=bool)
        rejected[~missing] = nd.group.bad[pos[~missing]]
        if rejected.any():
            idx = np.flatnonzero(rejected)
            reasons = np.full(group.n, None, dtype=object)
            reasons[rejected] = [tr("end_rejected", end=tr("start" if j == 0 else "end"), point=p)
                                 for p in select(node_ids, idx)]
            group.flag(rejected, key, node_ids, reasons)
        ends.append(pos)
    return Links(group, ids, ends[0], ends[1])


def link_geometry(lk: Links, nd: Nodes, vertices: SourceTable, to_project, z_ends: np.ndarray) -> np.ndarray:
    """LineString Z per link: start node, its [VERTICES] in file order, end node; Z interpolated by length."""
    n = lk.group.n
    ok = (lk.start >= 0) & (lk.end >= 0)
    ok[ok] = np.isfinite(nd.x[lk.start[ok]]) & np.isfinite(nd.x[lk.end[ok]])
    vgroup = group_of([vertices])
    vx, bad_x = parse.numbers(vgroup.col("x"))
    vy, bad_y = parse.numbers(vgroup.col("y"))
    vgroup.flag(bad_x | bad_y, "x", vgroup.col("x"), tr("number_bad"))
    owner_v = F.lookup(F.text(vgroup, "link"), lk.ids)
    use = (owner_v >= 0) & ~np.isnan(vx) & ~np.isnan(vy)
    use &= ok[np.maximum(owner_v, 0)]
    px, py = to_project.transform(vx[use], vy[use]) if use.any() else (np.zeros(0), np.zeros(0))
    rows = np.flatnonzero(ok)
    owner = np.concatenate([rows, owner_v[use], rows])
    order = np.concatenate([np.zeros(len(rows)), 1 + np.flatnonzero(use).astype(float), np.full(len(rows), np.inf)])
    xs = np.concatenate([nd.x[lk.start[rows]], px, nd.x[lk.end[rows]]])
    ys = np.concatenate([nd.y[lk.start[rows]], py, nd.y[lk.end[rows]]])
    sort = np.lexsort((order, owner))
    owner, xs, ys = owner[sort], xs[sort], ys[sort]
    xyz = np.column_stack([xs, ys, np.zeros(len(xs))])
    first = np.full(n, -1)
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]) if len(owner) else np.zeros(0, int)
    first[owner[starts]] = starts
    z = geo.interpolate_by_length(xyz, owner, first, z_ends) if len(owner) else np.zeros(0)
    out = np.full(n, None, dtype=object)
    if len(owner):
        uniq, index = np.unique(owner, return_inverse=True)
        out[uniq] = shapely.linestrings(np.column_stack([xs, ys, z]), indices=index)
    short = ok & (shapely.length(np.where(ok, out, None)) < 0.001)
    lk.group.flag(short, "id", lk.ids, tr("zero_length"))
    return out


def segment_frame(project, lk: Links, geoms: np.ndarray, columns: dict):
    """pipe_segments of the accepted links."""
    keep = ~lk.group.bad
    return geoframe(columns, keep, geoms[keep], project.crs)


def finish(result: ImportPlan, file: str, groups: list[TableGroup], tables: list[SourceTable],
           frames: dict, options: ImportOptions) -> None:
    """Previews, problems, rejected rows and layers into the plan."""
    for t in tables:
        if t.n:
            result.tables.append(TablePreview(t.file, t.file.rsplit("[", 1)[-1].rstrip("]").lower(),
                                              {h: h for h in t.headers}, t.n, t.head(options.preview_rows)))
    result.collect(groups, tables)
    result.layers.update(frames)

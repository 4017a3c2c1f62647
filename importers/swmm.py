"""SWMM .inp drainage models -> pipe_points (junctions, outfalls, storage, dividers) and pipe_segments.

Node elevations are inverts; a junction's or storage unit's ground is its
invert plus its maximum depth (the rim), otherwise the DEM, otherwise the
invert (warned).  Conduit inverts are the node inverts plus the in/out
offsets ([OPTIONS] LINK_OFFSETS DEPTH, the default) or the offsets
themselves (ELEVATION; "*" = the node invert); the centre line is the invert
plus half the section's full height from [XSECTIONS] (CIRCULAR & co. by
diameter, RECT_* by height and width).  FLOW_UNITS CFS/GPM/MGD mean feet,
CMS/LPS/MLD metres.  Coordinates are in --src-crs (required).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.compute as pc

from gis.progress import Progress
from importers import fields as F
from importers import geo, network, parse
from importers.inp import section_names
from importers.messages import tr
from importers.plan import ImportOptions, ImportPlan
from importers.tablegroup import TableGroup

SCHEMA = {
    "JUNCTIONS": ["id", "elevation", "max_depth", "init_depth", "sur_depth", "aponded"],
    "OUTFALLS": ["id", "elevation", "type", "more"],
    "STORAGE": ["id", "elevation", "max_depth", "more"],
    "DIVIDERS": ["id", "elevation", "more"],
    "CONDUITS": ["id", "from", "to", "length", "roughness", "in_offset", "out_offset", "init_flow", "max_flow"],
    "PUMPS": ["id", "from", "to", "more"],
    "XSECTIONS": ["link", "shape", "geom1", "geom2", "geom3", "geom4", "barrels", "culvert"],
    "COORDINATES": ["node", "x", "y"],
    "VERTICES": ["link", "x", "y"],
}
US_UNITS = {"CFS", "GPM", "MGD"}
RECT_SHAPES = {"RECT_CLOSED", "RECT_OPEN", "RECT_TRIANGULAR", "RECT_ROUND", "MODBASKETHANDLE"}
PUMP_DN_MM = 100.0
NODE_KINDS = (("JUNCTIONS", "检查井"), ("OUTFALLS", "排放口"), ("STORAGE", "调蓄池"), ("DIVIDERS", "分流井"))
NODE_NOTES = {"检查井": "SWMM junction", "排放口": "SWMM outfall", "调蓄池": "SWMM storage unit",
              "分流井": "SWMM flow divider"}


def can_read(path: Path) -> int:
    """90 for an .inp with SWMM's [CONDUITS], [OUTFALLS] or [XSECTIONS]."""
    if path.suffix.lower() != ".inp" or not path.is_file():
        return 0
    return 90 if section_names(path) & {"CONDUITS", "OUTFALLS", "XSECTIONS"} else 0


def _offsets(group: TableGroup, key: str) -> tuple[np.ndarray, np.ndarray]:
    """(offset values, mask of "*" meaning "at the node invert") of an offset column."""
    col = group.col(key)
    star = pc.equal(col, "*").to_numpy(zero_copy_only=False)
    values, bad = parse.numbers(pc.if_else(pc.equal(col, "*"), "", col))
    group.flag(bad, key, col, tr("number_bad"))
    return values, star


def plan(project, sources: list[str], options: ImportOptions, progress: Progress) -> ImportPlan:
    """Read and validate one SWMM model into an ImportPlan (nothing is written)."""
    model = network.read_model(project, "swmm", sources, options, SCHEMA)
    if isinstance(model, ImportPlan):
        return model
    result, file, to_project, tables, opts = model.result, model.file, model.to_project, model.tables, model.options
    units = (opts.get("FLOW_UNITS") or "CFS").split()[0]
    metre = 0.3048 if units in US_UNITS else 1.0
    result.warnings.append(tr("w_model_units", file=file, units=units, length="ft" if metre != 1 else "m",
                              size="ft" if metre != 1 else "m"))
    progress.start(2, "nodes")
    nd = network.nodes(project, [(tables[s], kind) for s, kind in NODE_KINDS], tables["COORDINATES"], to_project)
    invert = F.number(nd.group, "elevation") * metre
    nd.group.flag(np.isnan(invert) & ~nd.group.bad, "elevation", "", tr("required_blank"))
    max_depth = F.number(nd.group, "max_depth") * metre
    ground = np.where(max_depth > 0, invert + max_depth, np.nan)
    dem = geo.ground_from_dem(project, nd.x, nd.y)
    ground = np.where(np.isnan(ground), dem, ground)
    fill = np.isnan(ground) & ~np.isnan(invert)
    if fill.any():
        ground[fill] = invert[fill]
        result.warnings.append(tr("w_model_ground", file=file, n=int(fill.sum())))

    progress.step(1, "links")
    lk = network.links([tables["CONDUITS"], tables["PUMPS"]], nd, "from", "to")
    n = lk.group.n
    pump = np.r_[np.zeros(tables["CONDUITS"].n, bool), np.ones(tables["PUMPS"].n, bool)]
    shape, dia, width, height, note = _sections(lk, tables["XSECTIONS"], pump, metre, file, result.warnings)
    h_in = np.where(np.isnan(height), dia, height) / 1000.0
    ok = (lk.start >= 0) & (lk.end >= 0)
    node_inv = np.full((n, 2), np.nan)
    node_inv[ok] = np.column_stack([invert[lk.start[ok]], invert[lk.end[ok]]])
    link_inv = node_inv.copy()
    by_elevation = opts.get("LINK_OFFSETS", "DEPTH").startswith("ELEV")
    for j, key in enumerate(("in_offset", "out_offset")):
        offset, star = _offsets(lk.group, key)
        offset = offset * metre
        if by_elevation:
            link_inv[:, j] = np.where(star | np.isnan(offset), node_inv[:, j], offset)
        else:
            link_inv[:, j] = node_inv[:, j] + np.nan_to_num(offset)
    centre = link_inv + h_in[:, None] / 2
    geoms = network.link_geometry(lk, nd, tables["VERTICES"], to_project, centre)
    depth = np.full((n, 2), np.nan)
    depth[ok] = np.column_stack([ground[lk.start[ok]], ground[lk.end[ok]]]) - link_inv[ok]
    depth[depth < 0] = np.nan
    columns = {"line_id": lk.ids, "utility": np.full(n, "PS", dtype=object),
               "start_point": F.text(lk.group, "from"), "end_point": F.text(lk.group, "to"),
               "start_depth": depth[:, 0], "end_depth": depth[:, 1], "depth_ref": np.full(n, "invert", dtype=object),
               "shape": shape, "diameter_mm": dia, "width_mm": width, "height_mm": height,
               "flow_dir": np.ones(n), "source": np.full(n, Path(file).name, dtype=object), "note": note}
    node_note = np.array([NODE_NOTES[k] for k in nd.kind], dtype=object)
    frames = {"pipe_points": network.node_frame(project, nd, ground, node_note, "PS", Path(file).name),
              "pipe_segments": network.segment_frame(project, lk, geoms, columns)}
    network.finish(result, file, [nd.group, lk.group], [tables[k] for k in SCHEMA], frames, options)
    progress.step(1, "done")
    return result


def _sections(lk, xsections, pump: np.ndarray, metre: float, file: str, warnings: list[str]):
    """(shape, diameter, width, height in mm, note) per link from [XSECTIONS]; conduits without one are flagged."""
    n = lk.group.n
    xg = network.group_of([xsections])
    pos = F.lookup(lk.ids, F.text(xg, "link"))
    hit = pos >= 0
    lk.group.flag(~hit & ~pump, "id", lk.ids, tr("size_missing"))
    g1 = F.number(xg, "geom1") * metre * 1000.0
    g2 = F.number(xg, "geom2") * metre * 1000.0
    shapes = F.text(xg, "shape").to_numpy(zero_copy_only=False).astype(object)
    barrels = F.number(xg, "barrels")
    name = np.full(n, None, dtype=object)
    name[hit] = shapes[pos[hit]]
    geom1, geom2 = np.full(n, np.nan), np.full(n, np.nan)
    geom1[hit], geom2[hit] = g1[pos[hit]], g2[pos[hit]]
    upper = np.array([str(s).upper() for s in name], dtype=object)
    rect = hit & (np.isin(upper, list(RECT_SHAPES)) | ((geom2 > 0) & (upper != "CIRCULAR")
                                                       & (upper != "FORCE_MAIN") & (upper != "FILLED_CIRCULAR")))
    lk.group.flag(hit & ~(geom1 > 0), "id", lk.ids, tr("size_nonpositive"))
    dia = np.where(hit & ~rect, geom1, np.nan)
    width = np.where(rect, geom2, np.nan)
    height = np.where(rect, geom1, np.nan)
    if pump.any():
        dia[pump & np.isnan(dia)] = PUMP_DN_MM
        warnings.append(tr("w_pump_size", file=file, n=int(pump.sum()), dn=int(PUMP_DN_MM)))
    shape = np.where(rect, "rect", "circle").astype(object)
    note = np.array(["SWMM pump" if p else f"SWMM conduit {s}" for p, s in zip(pump, name)], dtype=object)
    many = np.full(n, np.nan)
    many[hit] = barrels[pos[hit]]
    note = np.where(many > 1, note + np.char.add(", barrels ", np.nan_to_num(many).astype(int).astype(str)), note)
    return shape, dia, width, height, note.astype(object)

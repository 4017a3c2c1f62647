"""EPANET .inp water-supply models -> pipe_points (junctions, reservoirs, tanks) and pipe_segments.

Node elevations are taken as the pipe centre-line elevation at the node
(what the hydraulics use); ground is the project DEM there, else the node
elevation plus --default-cover (said in a warning).  Pipes and valves carry
their diameter, pumps the largest diameter of the pipes they connect.
Units follow [OPTIONS] UNITS: US flow units (CFS, GPM, MGD, IMGD, AFD; the
EPANET default is GPM) mean feet and inches, SI units metres and millimetres.
Coordinates are in --src-crs (required).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from gis.progress import Progress
from importers import fields as F
from importers import geo, network
from importers.inp import section_names
from importers.messages import tr
from importers.plan import ImportOptions, ImportPlan

SCHEMA = {
    "JUNCTIONS": ["id", "elevation", "demand", "pattern"],
    "RESERVOIRS": ["id", "head", "pattern"],
    "TANKS": ["id", "elevation", "init_level", "min_level", "max_level", "diameter", "min_vol", "vol_curve"],
    "PIPES": ["id", "node1", "node2", "length", "diameter", "roughness", "minor_loss", "status"],
    "VALVES": ["id", "node1", "node2", "diameter", "type", "setting", "minor_loss"],
    "PUMPS": ["id", "node1", "node2", "parameters"],
    "COORDINATES": ["node", "x", "y"],
    "VERTICES": ["link", "x", "y"],
}
US_UNITS = {"CFS", "GPM", "MGD", "IMGD", "AFD"}
PUMP_DN_MM = 100.0


def can_read(path: Path) -> int:
    """90 for an .inp with EPANET's [PIPES] and no SWMM [CONDUITS]."""
    if path.suffix.lower() != ".inp" or not path.is_file():
        return 0
    names = section_names(path)
    return 90 if "PIPES" in names and "CONDUITS" not in names else 0


def plan(project, sources: list[str], options: ImportOptions, progress: Progress) -> ImportPlan:
    """Read and validate one EPANET model into an ImportPlan (nothing is written)."""
    model = network.read_model(project, "epanet", sources, options, SCHEMA)
    if isinstance(model, ImportPlan):
        return model
    result, file, to_project, tables, opts = model.result, model.file, model.to_project, model.tables, model.options
    units = (opts.get("UNITS") or "GPM").split()[0]
    us = units in US_UNITS
    metre, mm = (0.3048, 25.4) if us else (1.0, 1.0)
    result.warnings.append(tr("w_model_units", file=file, units=units, length="ft" if us else "m",
                              size="in" if us else "mm"))
    progress.start(2, "nodes")
    nd = network.nodes(project, [(tables["JUNCTIONS"], None), (tables["RESERVOIRS"], "水源"),
                                 (tables["TANKS"], "水池")], tables["COORDINATES"], to_project)
    elev = F.number(nd.group, "elevation")
    elev = np.where(np.isnan(elev), F.number(nd.group, "head"), elev) * metre
    nd.group.flag(np.isnan(elev) & ~nd.group.bad, "elevation", "", tr("required_blank"))
    ground = _ground(project, nd, elev, options, file, result.warnings)
    progress.step(1, "links")
    lk = network.links([tables["PIPES"], tables["VALVES"], tables["PUMPS"]], nd, "node1", "node2")
    kinds = np.concatenate([np.full(tables["PIPES"].n, "pipe", dtype=object),
                            np.full(tables["VALVES"].n, "valve", dtype=object),
                            np.full(tables["PUMPS"].n, "pump", dtype=object)])
    dia = F.number(lk.group, "diameter") * mm
    pump = kinds == "pump"
    lk.group.flag(~pump & np.isnan(dia) & ~lk.group.bad, "diameter", "", tr("size_missing"))
    lk.group.flag(~pump & (dia <= 0), "diameter", lk.group.col("diameter"), tr("size_nonpositive"))
    dia = _pump_sizes(dia, lk, pump, file, result.warnings)
    valve_type = F.text(lk.group, "type").to_numpy(zero_copy_only=False)
    note = np.where(kinds == "valve", np.char.add("EPANET valve ", valve_type.astype(str)), "EPANET " + kinds)
    ok = (lk.start >= 0) & (lk.end >= 0)
    z_ends = np.full((lk.group.n, 2), np.nan)
    z_ends[ok] = np.column_stack([elev[lk.start[ok]], elev[lk.end[ok]]])
    geoms = network.link_geometry(lk, nd, tables["VERTICES"], to_project, z_ends)
    depth = np.full((lk.group.n, 2), np.nan)
    depth[ok] = np.column_stack([ground[lk.start[ok]], ground[lk.end[ok]]]) - z_ends[ok]
    depth[depth < 0] = np.nan                              # above ground (e.g. a tank inlet): no depth
    n = lk.group.n
    columns = {"line_id": lk.ids, "utility": np.full(n, "JS", dtype=object),
               "start_point": F.text(lk.group, "node1"), "end_point": F.text(lk.group, "node2"),
               "start_depth": depth[:, 0], "end_depth": depth[:, 1], "depth_ref": np.full(n, "centre", dtype=object),
               "shape": np.full(n, "circle", dtype=object), "diameter_mm": dia,
               "source": np.full(n, Path(file).name, dtype=object), "note": note.astype(object)}
    frames = {"pipe_points": network.node_frame(project, nd, ground, _node_notes(nd.kind), "JS", Path(file).name),
              "pipe_segments": network.segment_frame(project, lk, geoms, columns)}
    network.finish(result, file, [nd.group, lk.group], [tables[k] for k in SCHEMA], frames, options)
    progress.step(1, "done")
    return result


def _node_notes(kinds: np.ndarray) -> np.ndarray:
    """The note of each node: which EPANET element it was."""
    out = np.full(len(kinds), "EPANET junction", dtype=object)
    out[kinds == "水源"] = "EPANET reservoir"
    out[kinds == "水池"] = "EPANET tank"
    return out


def _ground(project, nd, elev: np.ndarray, options: ImportOptions, file: str, warnings: list[str]) -> np.ndarray:
    """Ground at the nodes: the DEM, else the node elevation plus --default-cover (warned)."""
    ground = geo.ground_from_dem(project, nd.x, nd.y)
    fill = np.isnan(ground) & ~np.isnan(elev)
    if fill.any():
        ground[fill] = elev[fill] + (options.default_cover or 0.0)
        warnings.append(tr("w_model_ground", file=file, n=int(fill.sum())))
    return ground


def _pump_sizes(dia: np.ndarray, lk, pump: np.ndarray, file: str, warnings: list[str]) -> np.ndarray:
    """Pumps get the largest diameter among the other links at their nodes, else DN100 (warned)."""
    if not pump.any():
        return dia
    others = ~pump & ~np.isnan(dia)
    biggest = np.full(max(lk.start.max(initial=-1), lk.end.max(initial=-1)) + 1, np.nan)
    for ends in (lk.start, lk.end):
        sel = others & (ends >= 0)
        order = np.argsort(dia[sel])
        biggest[ends[sel][order]] = np.fmax(biggest[ends[sel][order]], dia[sel][order])
    out = dia.copy()
    for ends in (lk.start, lk.end):
        sel = pump & (ends >= 0)
        out[sel] = np.fmax(out[sel], biggest[ends[sel]])
    default = pump & np.isnan(out)
    if default.any():
        out[default] = PUMP_DN_MM
        warnings.append(tr("w_pump_size", file=file, n=int(default.sum()), dn=int(PUMP_DN_MM)))
    return out


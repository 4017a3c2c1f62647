"""Survey rows -> validated pipe_points and pipe_segments (vectorised).

Points: ids (prefixed with the utility code when they repeat across
utilities), X/Y in the chosen axis order, zone prefix and area-of-use checks,
ground from 地面高程 or the DEM.  Lines: ends looked up in the point table
(then in the project), a rejected point rejects its lines, sizes parsed,
depths from depth or elevation columns (or the point table's 埋深), and the
centre-line Z from gis.sections per the utility's depth convention.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from gis import layers as registry
from gis.sections import centre_elevation, outside_size, wall_mm
from gis.utilities import DEPTH_CENTRE, DEPTH_INVERT, DEPTH_TOP
from importers import fields as F
from importers import geo, parse
from importers.messages import lang as _lang
from importers.messages import tr
from importers.checks import select
from importers.frames import geoframe
from importers.plan import ImportOptions
from importers.tablegroup import TableGroup

PP = registry.get("pipe_points")
PS = registry.get("pipe_segments")
MIN_LENGTH_M = 0.001


@dataclass
class Points:
    """Validated point rows (all rows; ``group.bad`` says which are rejected)."""

    group: TableGroup
    ids: np.ndarray
    util: np.ndarray
    sub: np.ndarray
    east: np.ndarray
    north: np.ndarray
    ground: np.ndarray
    depth: np.ndarray
    prefixed: bool
    crs: object
    attrs: dict[str, np.ndarray] = field(default_factory=dict)

    def frame(self):
        """The accepted rows as a pipe_points GeoDataFrame."""
        ok = ~self.group.bad
        cols = {"point_id": self.ids, "utility": self.util, "subtype": self.sub, "ground_elev": self.ground,
                "depth": self.depth, **self.attrs}
        return geoframe(cols, ok, shapely.points(self.east[ok], self.north[ok], self.ground[ok]), self.crs)


def source_names(group: TableGroup) -> np.ndarray:
    """The source file name of each row (the 'source' field)."""
    names = np.array([Path(t.file.split("[")[0]).name for t in group.tables] or [""], dtype=object)
    return names[group.tab] if group.n else np.empty(0, dtype=object)


def build_points(project, group: TableGroup, options: ImportOptions, warnings: list[str],
                 coords: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> Points:
    """Parse and check point rows; flags go to the group's checkers.

    ``coords`` (east, north, z) replaces the X/Y columns for sources with
    geometries; their z serves as ground where 地面高程 is blank.
    """
    crs = project.crs
    unit = 0.01 if options.depth_unit == "cm" else 1.0
    util, sub = F.utilities(group, options.utility)
    ids = F.text(group, "point_id")
    group.flag(parse.isnull(ids), "point_id", "", tr("required_blank"))
    codes = F.prefix_codes(util, sub)
    known = F.existing(project, "pipe_points", ["point_id", "utility"])
    if known is not None:
        known = known.rename(columns={"point_id": "id"})
    index = F.id_index(ids)
    prefixed = F.ids_repeat_across(ids, codes, util, known, index)
    if prefixed:
        new = F.apply_prefix(ids, codes)
        changed = np.flatnonzero(~pc.fill_null(pc.equal(new, ids), True).to_numpy(zero_copy_only=False))
        if len(changed):
            warnings.append(tr("w_ids_prefixed", old=ids[int(changed[0])].as_py(), new=new[int(changed[0])].as_py()))
        ids, index = new, None
    dup, other = F.duplicates(ids, group.rows, index)
    if dup.any():
        reasons = np.full(group.n, None, dtype=object)
        reasons[dup] = [tr("duplicate_id", field=PP.field("point_id").label(_lang()), rows=r) for r in other[dup]]
        group.flag(dup, "point_id", ids, reasons)
    if known is not None:
        group.flag(F.in_set(ids, known["id"].to_numpy(dtype=object)), "point_id", ids,
                   tr("id_in_project", field=PP.field("point_id").label(_lang())))

    geom_z = np.full(group.n, np.nan)
    if coords is not None:
        east, north, geom_z = coords
        zone_prefix, e_key = np.zeros(group.n, dtype=np.int64), "geometry"
    else:
        east, north, zone_prefix, e_key = _xy_columns(group, crs, options, warnings)
    _check_area(group, crs, east, north, zone_prefix, e_key)

    ground = F.number(group, "ground_elev", PP.field("ground_elev"))
    blank = parse.blank(group.col("ground_elev"))
    ground = np.where(np.isnan(ground) & blank, geom_z, ground)
    no_ground = np.isnan(ground) & blank & np.isfinite(east) & np.isfinite(north)
    if no_ground.any():
        dem = geo.ground_from_dem(project, east[no_ground], north[no_ground])
        ground[no_ground] = dem
        if np.isfinite(dem).any():
            warnings.append(tr("w_ground_dem", file=", ".join(t.file for t in group.tables),
                               n=int(np.isfinite(dem).sum())))
    still = no_ground & np.isnan(ground)
    group.flag(still, "ground_elev", "", tr("no_ground"))

    depth = F.number(group, "depth", PP.field("depth"), unit, cm_hint=True)
    attrs = point_attributes(group, unit)
    return Points(group, ids, util, sub, east, north, ground, depth, prefixed, crs, attrs)


def point_attributes(group: TableGroup, unit: float) -> dict:
    """The descriptive pipe_points fields of each row (map label, feature, appurtenance, well ...)."""
    return {
        "map_id": F.text(group, "map_id"),
        "feature": F.text(group, "feature"),
        "appurtenance": F.text(group, "appurtenance"),
        "valve_state": F.coded_values(group, "valve_state", PP.field("valve_state")),
        "well_depth": F.number(group, "well_depth", PP.field("well_depth"), unit, cm_hint=True),
        "well_diameter_mm": F.number(group, "well_diameter_mm", PP.field("well_diameter_mm")),
        "cover_type": F.text(group, "cover_type"),
        "code": F.text(group, "code"),
        "survey_date": F.dates(group, "survey_date"),
        "surveyor": F.text(group, "surveyor"),
        "quality_level": F.coded_values(group, "quality_level", PP.field("quality_level")),
        "source": source_names(group),
        "note": F.text(group, "note"),
    }


def _xy_columns(group: TableGroup, crs, options: ImportOptions, warnings: list[str]):
    """(east, north, zone prefix per row, easting key) from the X/Y columns in the chosen axis order."""
    if group.has("northing") and group.has("easting"):
        n_key, e_key = "northing", "easting"
    else:
        n_key, e_key = ("x", "y") if options.xy_order == "ne" else ("y", "x")
    north = F.number(group, n_key)
    east = F.number(group, e_key)
    for key in (n_key, e_key):
        group.flag(parse.blank(group.col(key)), key, "", tr("required_blank"))
    east, stripped, zone_prefix = geo.strip_zone_prefix(crs, east)
    if stripped.any():
        zone = geo.gk_zone(crs)
        warnings.append(tr("w_zone_prefix", file=", ".join(t.file for t in group.tables), zone=zone.number,
                           zone_crs=zone.zone_crs))
    return east, north, zone_prefix, e_key


def _check_area(group: TableGroup, crs, east: np.ndarray, north: np.ndarray, zone_prefix: np.ndarray,
                e_key: str) -> None:
    """Flag points outside the project CRS's area of use (with a hint when X/Y look swapped)."""
    known = np.isfinite(east) & np.isfinite(north)
    outside = geo.outside_area(crs, east, north) & known
    if not outside.any():
        return
    swapped_ok = ~geo.outside_area(crs, north, east) & outside
    values = np.full(group.n, None, dtype=object)
    values[outside] = [f"{e:.3f}, {n:.3f}" for e, n in zip(east[outside], north[outside])]
    reasons = np.full(group.n, tr("outside_crs", crs=crs.name), dtype=object)
    zoned = outside & (zone_prefix > 0)
    for z in np.unique(zone_prefix[zoned]):
        reasons[zoned & (zone_prefix == z)] = tr("outside_crs_zone", crs=crs.name, zone=int(z))
    reasons[swapped_ok] = tr("outside_crs_swap", crs=crs.name)
    group.flag(outside, e_key, values, reasons)


@dataclass
class Lines:
    """Validated line rows (all rows; ``group.bad`` says which are rejected)."""

    group: TableGroup
    data: dict[str, np.ndarray]
    coords: np.ndarray          # (n, 2, 3)
    crs: object

    def frame(self):
        """The accepted rows as a pipe_segments GeoDataFrame."""
        ok = ~self.group.bad
        return geoframe(self.data, ok, shapely.linestrings(self.coords[ok]) if ok.any() else np.empty(0, object),
                        self.crs)


def _chunks(arr) -> list:
    return arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]


def typical_walls(material, dia: np.ndarray, width: np.ndarray, height: np.ndarray) -> np.ndarray:
    """gis.sections.wall_mm per row, evaluated once per distinct (material, size) pair."""
    if len(dia) == 0:
        return np.zeros(0)
    size = np.where(np.isnan(dia), np.fmax(width, height), dia)
    _, mat_idx = parse.distinct(pc.fill_null(material, ""))
    size_idx, size_values = pd.factorize(size)
    combo, _ = pd.factorize(mat_idx.astype(np.int64) * (len(size_values) + 1) + size_idx + 1)
    first = np.zeros(combo.max() + 1, dtype=np.int64)
    first[combo[::-1]] = np.arange(len(combo))[::-1]
    names = select(material, first)
    return wall_mm(names, size[first])[combo]


def depth_for(ground, centre, ref, h_in, h_out) -> np.ndarray:
    """The depth below ground that gives ``centre`` under convention ``ref`` (inverse of centre_elevation)."""
    return np.select([ref == DEPTH_TOP, ref == DEPTH_INVERT, ref == DEPTH_CENTRE],
                     [ground - centre - h_out / 2, ground - centre + h_in / 2, ground - centre], np.nan)


def build_lines(project, group: TableGroup, pts: Points | None, options: ImportOptions,
                warnings: list[str]) -> Lines:
    """Parse and check line rows against the points; flags go to the group's checkers."""
    n = group.n
    unit = 0.01 if options.depth_unit == "cm" else 1.0
    util, sub = F.utilities(group, options.utility)
    codes = F.prefix_codes(util, sub)
    ends = {}
    for key in ("start_point", "end_point"):
        raw = F.text(group, key)
        group.flag(parse.isnull(raw), key, "", tr("required_blank"))
        ends[key] = (raw, F.apply_prefix(raw, codes) if pts is not None and pts.prefixed else raw)

    # End points: the import's point table first, then the project's points.
    e = np.full((n, 2), np.nan)
    nn = np.full((n, 2), np.nan)
    g = np.full((n, 2), np.nan)
    pdepth = np.full((n, 2), np.nan)
    proj_pts = None
    both = pa.chunked_array(_chunks(ends["start_point"][1]) + _chunks(ends["end_point"][1]), pa.string())
    positions = F.lookup(both, pts.ids) if pts is not None else np.full(2 * n, -1)
    for j, key in enumerate(("start_point", "end_point")):
        raw, ids = ends[key]
        pos = positions[j * n:(j + 1) * n]
        hit = pos >= 0
        if pts is not None:
            e[hit, j], nn[hit, j], g[hit, j] = pts.east[pos[hit]], pts.north[pos[hit]], pts.ground[pos[hit]]
            pdepth[hit, j] = pts.depth[pos[hit]]
            rejected = np.zeros(n, dtype=bool)
            rejected[hit] = pts.group.bad[pos[hit]]
            if rejected.any():
                reasons = np.full(n, None, dtype=object)
                end = tr("start" if j == 0 else "end")
                reasons[rejected] = [tr("end_rejected", end=end, point=p)
                                     for p in select(ids, np.flatnonzero(rejected))]
                group.flag(rejected, key, raw, reasons)
        missing = ~hit & ~parse.isnull(ids)
        if missing.any():
            if proj_pts is None:
                proj_pts = F.existing(project, "pipe_points", ["point_id", "ground_elev"], geometry=True)
            if proj_pts is not None:
                ppos = F.lookup(ids, proj_pts["point_id"].to_numpy(dtype=object))
                found = missing & (ppos >= 0)
                xy = shapely.get_coordinates(proj_pts.geometry.to_numpy()[ppos[found]], include_z=True)
                e[found, j], nn[found, j] = xy[:, 0], xy[:, 1]
                gz = proj_pts["ground_elev"].to_numpy(dtype=float)[ppos[found]]
                g[found, j] = np.where(np.isnan(gz), xy[:, 2], gz)
                missing &= ~found
            group.flag(missing, key, raw, tr("end_missing", end=tr("start" if j == 0 else "end")))

    same = pc.fill_null(pc.equal(ends["start_point"][1], ends["end_point"][1]), False).to_numpy(zero_copy_only=False)
    group.flag(same, "end_point", ends["end_point"][0], tr("same_ends"))
    with np.errstate(invalid="ignore"):
        short = np.hypot(e[:, 1] - e[:, 0], nn[:, 1] - nn[:, 0]) < MIN_LENGTH_M
    group.flag(short & ~same, "end_point", ends["end_point"][0], tr("zero_length"))

    sec = section(group)
    depth, ref = end_depths(group, g, pdepth, util, unit, warnings, require=True)
    centre = np.column_stack([centre_elevation(g[:, j], depth[:, j], ref[:, j], sec.h_in, sec.h_out)
                              for j in (0, 1)])
    ref_line = ref[:, 0]
    end_depth = np.where(ref[:, 1] == ref_line, depth[:, 1],
                         depth_for(g[:, 1], centre[:, 1], ref_line, sec.h_in, sec.h_out))

    ids = line_ids(project, group, util, codes, ends["start_point"][1], ends["end_point"][1],
                         pts.prefixed if pts is not None else False, warnings)
    data = {
        "line_id": ids, "utility": util, "subtype": sub,
        "start_point": ends["start_point"][1], "end_point": ends["end_point"][1],
        "start_depth": depth[:, 0], "end_depth": end_depth, "depth_ref": ref_line,
        **line_attributes(group, sec),
    }
    coords = np.stack([np.column_stack([e[:, 0], nn[:, 0], centre[:, 0]]),
                       np.column_stack([e[:, 1], nn[:, 1], centre[:, 1]])], axis=1)
    return Lines(group, data, coords, project.crs)


@dataclass
class Section:
    """Cross-section per row: shape, sizes (mm), wall (mm), material, inner/outer height (m)."""

    shape: np.ndarray
    dia: np.ndarray
    width: np.ndarray
    height: np.ndarray
    wall: np.ndarray
    material: object
    h_in: np.ndarray
    h_out: np.ndarray


def section(group: TableGroup) -> Section:
    """Sizes from 管径 (or width/height), walls from wall_mm or the material table, outside sizes."""
    dia, width, height = _sizes(group)
    wall = F.number(group, "wall_mm", PS.field("wall_mm"))
    material = F.text(group, "material")
    shape = np.where(np.isnan(dia) & ~np.isnan(width), "rect", "circle").astype(object)
    wall = np.where(np.isnan(wall), typical_walls(material, dia, width, height), wall)
    _, h_out, h_in, _ = outside_size(shape, dia, width, height, wall)
    return Section(shape, dia, width, height, wall, material, h_in, h_out)


def end_depths(group: TableGroup, ground: np.ndarray, point_depth: np.ndarray | None, util: np.ndarray,
               unit: float, warnings: list[str], require: bool) -> tuple[np.ndarray, np.ndarray]:
    """(depth, depth_ref) at both ends, shape (n, 2).

    Per end: the depth column, else a top/invert/centre elevation column
    (depth = ground - elevation), else the point table's 埋深.  ``require``
    flags located ends that have none.
    """
    n = group.n
    maximum = PS.field("start_depth").maximum
    explicit = F.coded_values(group, "depth_ref", PS.field("depth_ref")).to_numpy(zero_copy_only=False)
    ref_default = np.where(pd.isna(explicit), F.default_depth_ref(util), explicit)
    depth = np.full((n, 2), np.nan)
    ref = np.empty((n, 2), dtype=object)
    from_points = 0
    for j, end in enumerate(("start", "end")):
        d = F.number(group, f"{end}_depth", PS.field(f"{end}_depth"), unit, cm_hint=True)
        r = ref_default.copy()
        for kind, ref_name in (("top", DEPTH_TOP), ("invert", DEPTH_INVERT), ("centre", DEPTH_CENTRE)):
            key = f"{end}_{kind}_elev"
            if not group.has(key):
                continue
            elev = F.number(group, key)
            use = np.isnan(d) & ~np.isnan(elev)
            derived = ground[:, j] - elev
            bad = use & ~np.isnan(derived) & ((derived < 0) | (derived > maximum))
            if bad.any():
                reasons = np.full(n, None, dtype=object)
                reasons[bad] = [tr("elev_depth_range", depth=v, hi=F.fmt_number(maximum)) for v in derived[bad]]
                group.flag(bad, key, group.col(key), reasons)
            use &= ~bad
            d = np.where(use, derived, d)
            r = np.where(use, ref_name, r)
        if point_depth is not None:
            take = np.isnan(d) & ~np.isnan(point_depth[:, j])
            from_points += int(take.sum())
            d = np.where(take, point_depth[:, j], d)
        if require:
            group.flag(np.isnan(d) & ~np.isnan(ground[:, j]), f"{end}_depth", "", tr("no_depth", end=tr(end)))
        depth[:, j], ref[:, j] = d, r
    if from_points:
        warnings.append(tr("w_depth_from_points", file=", ".join(t.file for t in group.tables), n=from_points))
    return depth, ref


def line_attributes(group: TableGroup, sec: Section) -> dict:
    """The descriptive pipe_segments fields of each row (section, material, pressure, owner ...)."""
    pressure_mpa, pressure_class = _pressure(group)
    return {
        "shape": sec.shape, "diameter_mm": sec.dia, "width_mm": sec.width, "height_mm": sec.height,
        "wall_mm": sec.wall, "material": sec.material, "pressure_class": pressure_class,
        "pressure_mpa": pressure_mpa, "voltage_kv": _voltage(group),
        "cable_count": F.integer(group, "cable_count", PS.field("cable_count")),
        "hole_total": F.integer(group, "hole_total", PS.field("hole_total")),
        "hole_used": F.integer(group, "hole_used", PS.field("hole_used")),
        "burial": F.coded_values(group, "burial", PS.field("burial")),
        "owner": F.text(group, "owner"),
        "build_year": F.integer(group, "build_year", PS.field("build_year"), unit_suffix="年"),
        "road": F.text(group, "road"),
        "status": F.coded_values(group, "status", PS.field("status")),
        "quality_level": F.coded_values(group, "quality_level", PS.field("quality_level")),
        "source": source_names(group),
        "note": F.text(group, "note"),
    }


def _sizes(group: TableGroup) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(diameter, width, height) in mm from 管径 and/or width/height columns; flags bad and missing sizes."""
    n = group.n
    dia, width, height = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    missing = np.ones(n, dtype=bool)
    if group.has("size"):
        col = group.col("size")
        dia, width, height, bad, missing = parse.sizes(col)
        group.flag(bad, "size", col, tr("size_bad"))
        missing = missing.copy()
    w = F.number(group, "width_mm")
    h = F.number(group, "height_mm")
    fill = np.isnan(dia) & np.isnan(width) & ~np.isnan(w) & ~np.isnan(h)
    width, height = np.where(fill, w, width), np.where(fill, h, height)
    missing &= ~fill
    key = "size" if group.has("size") else "width_mm"
    group.flag(missing, key, "", tr("size_missing"))
    with np.errstate(invalid="ignore"):
        nonpos = (dia <= 0) | (width <= 0) | (height <= 0)
    group.flag(nonpos, key, group.col(key), tr("size_nonpositive"))
    for arr in (dia, width, height):
        arr[nonpos] = np.nan
    return dia, width, height


def _with_unit(t: str, units: dict[str, float]) -> float | None:
    """``t`` (lower case, no spaces) as a number times the scale of its unit suffix, the first of ``units``
    it ends with (none: 1); None when it is not a number."""
    scale = 1.0
    for suffix, factor in units.items():
        if t.endswith(suffix):
            t, scale = t[:-len(suffix)], factor
            break
    try:
        return float(t) * scale
    except ValueError:
        return None


def _voltage_of(text: str) -> float | None:
    """A voltage text as kV (accepts a kV or V unit); NaN when blank, None when it is not a number."""
    if not text:
        return np.nan
    return _with_unit(text.lower().replace(" ", ""), {"kv": 1.0, "v": 0.001})


def _voltage(group: TableGroup) -> np.ndarray:
    if not group.has("voltage_kv"):
        return np.full(group.n, np.nan)
    col = group.col("voltage_kv")
    values, idx = parse.distinct(col)
    parsed = [_voltage_of(v) for v in values]
    out = np.array([np.nan if p is None else p for p in parsed] + [np.nan], dtype=float)[idx]
    bad = np.array([p is None for p in parsed] + [False], dtype=bool)[idx]
    group.flag(bad, "voltage_kv", col, tr("number_bad"))
    return out


def _pressure(group: TableGroup) -> tuple[np.ndarray, np.ndarray]:
    """(pressure in MPa, pressure class) from 压力: a number (MPa, or kPa with the unit) or a class name."""
    n = group.n
    if not group.has("pressure"):
        return np.full(n, np.nan), np.full(n, None, dtype=object)
    from importers.vocab import coded

    col = group.col("pressure")
    values, idx = parse.distinct(col)
    allowed = PS.field("pressure_class").allowed
    mpa, cls, bad = [], [], []
    for v in values:
        t = v.lower().replace(" ", "")
        num = _pressure_mpa(t)
        mpa.append(num)
        c = coded("pressure_class", v, allowed) if np.isnan(num) and v else None
        cls.append(c)
        bad.append(bool(v) and np.isnan(num) and c is None)
    out_mpa = np.array(mpa + [np.nan], dtype=float)[idx]
    out_cls = np.array(cls + [None], dtype=object)[idx]
    group.flag(np.array(bad + [False], dtype=bool)[idx], "pressure", col,
               tr("value_not_allowed", allowed="MPa, " + ", ".join(allowed)))
    return out_mpa, out_cls


def _pressure_mpa(t: str) -> float:
    """A pressure text as MPa (accepts a MPa or kPa unit); NaN when it is not a number."""
    num = _with_unit(t, {"mpa": 1.0, "kpa": 0.001})
    return np.nan if num is None else num


def line_ids(project, group: TableGroup, util: np.ndarray, codes: np.ndarray, start, end, prefixed: bool,
              warnings: list[str]):
    """Line ids: given ones (prefixed like the points when ids repeat), else START-END, unique."""
    import pyarrow as pa

    given = F.text(group, "line_id")
    known = F.existing(project, "pipe_segments", ["line_id", "utility"])
    if known is not None:
        known = known.rename(columns={"line_id": "id"})
    if prefixed or F.ids_repeat_across(given, codes, util, known):
        given = F.apply_prefix(given, codes)
    made = pc.binary_join_element_wise(start, end, "-")
    if isinstance(made, pa.ChunkedArray):
        made = made.combine_chunks()
    missing = parse.isnull(given) & ~parse.isnull(made)
    files = ", ".join(t.file for t in group.tables)
    if missing.any():
        # parallel lines between the same two points, or a clash with a given id: number them -2, -3 ...
        gen_dup, _ = F.duplicates(pc.if_else(pa.array(missing), made, pa.scalar(None, pa.string())), group.rows)
        clash = missing & F.in_set(made, select(given, np.flatnonzero(~parse.isnull(given))))
        redo = np.flatnonzero(gen_dup | clash)
        if len(redo):
            base = select(made, redo)
            k = pd.Series(base).groupby(base, sort=False).cumcount().to_numpy() + clash[redo]
            renamed = [m if i == 0 else f"{m}-{i + 1}" for m, i in zip(base, k)]
            mask = np.zeros(group.n, dtype=bool)
            mask[redo] = True
            made = pc.replace_with_mask(made, pa.array(mask), pa.array(renamed, pa.string()))
            if (k > 0).any():
                warnings.append(tr("w_line_ids_dup", file=files, n=int((k > 0).sum())))
        warnings.append(tr("w_line_ids", file=files, n=int(missing.sum())))
    ids = pc.if_else(pa.array(missing), made, given)
    dup, other = F.duplicates(pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), ids), group.rows)
    if dup.any():
        reasons = np.full(group.n, None, dtype=object)
        reasons[dup] = [tr("duplicate_id", field=PS.field("line_id").label(_lang()), rows=r) for r in other[dup]]
        group.flag(dup, "line_id", ids, reasons)
    if known is not None:
        group.flag(F.in_set(ids, known["id"].to_numpy(dtype=object)), "line_id" if group.has("line_id") else
                   "start_point", ids, tr("id_in_project", field=PS.field("line_id").label(_lang())))
    return ids

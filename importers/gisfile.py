"""GIS files via GDAL (pyogrio): GeoPackage, Shapefile (also zipped), GeoJSON, DXF, CSV with WKT or X/Y.

One source layer goes to one registry layer (--layer, else the source layer's
name when it names a registry layer).  Attributes are mapped to registry
fields by name, Chinese or English label and the survey aliases (--map
FIELD=COLUMN wins), then checked by the same vectorised rules as survey
tables.  The CRS comes from the file or --src-crs; with neither the import is
refused rather than guessed.  2D sources get Z from depth attributes (pipes),
elevation attributes (ground_elev, top_elev), or the DEM minus
--default-cover, each with a warning; pipe lines without end ids are snapped
to pipe points within 1 cm.
"""
from __future__ import annotations

import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from gis import layers as registry
from gis.errors import InputRejected, Problem
from gis.progress import Progress
from importers import columns as cols
from importers import fields as F
from importers import geo, parse
from importers.frames import geoframe
from importers.messages import tr
from importers.plan import ImportOptions, ImportPlan, TablePreview
from importers.survey_build import (MIN_LENGTH_M, build_points, end_depths, line_attributes, line_ids, section,
                                    source_names)
from importers.table import SourceTable, _normalise_column
from importers.tablegroup import TableGroup

SUFFIXES = {".gpkg": 70, ".shp": 70, ".geojson": 70, ".fgb": 70, ".dxf": 70, ".gml": 60, ".kml": 60,
            ".json": 40}
SNAP_M = 0.01
GEOM_COLUMNS = ("wkt", "geometry", "geom", "the_geom")
X_NAMES, Y_NAMES = ("x", "easting", "lon", "longitude", "east"), ("y", "northing", "lat", "latitude", "north")
DXF_COLUMNS = {"Layer", "PaperSpace", "SubClasses", "Linetype", "EntityHandle", "Text", "RawCodeValues"}
_BASE_TYPES = {"Point": (0, 4), "LineString": (1, 5), "Polygon": (3, 6)}   # shapely type ids: single, multi


def _csv_header(path: Path) -> list[str]:
    with open(path, "rb") as fh:
        head = fh.readline().decode("utf-8", errors="ignore").lstrip("\ufeff")
    return [cols.header_key(h) for h in head.strip().split(",")]


def can_read(path: Path) -> int:
    """Priority for GDAL vector files (a zip holding a shapefile; a CSV with WKT or X/Y columns)."""
    if not path.is_file():
        return 0
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            return 60 if any(n.lower().endswith(".shp") for n in z.namelist()) else 0
    if suffix == ".csv":
        head = _csv_header(path)
        if any(h in GEOM_COLUMNS for h in head):
            return 60
        return 30 if any(h in X_NAMES for h in head) and any(h in Y_NAMES for h in head) else 0
    return SUFFIXES.get(suffix, 0)


def _gdal_path(path: Path) -> str:
    return f"/vsizip/{path.resolve()}" if path.suffix.lower() == ".zip" else str(path)


def _dxf_is_unicode(path: Path) -> bool:
    """DXF R2007 (AC1021) and later are UTF-8 whatever $DWGCODEPAGE says."""
    with open(path, "rb") as fh:
        head = fh.read(4096).decode("ascii", errors="ignore").split()
    try:
        version = head[head.index("$ACADVER") + 2]
    except (ValueError, IndexError):
        return False
    return version >= "AC1021"


@contextmanager
def _gdal_options(path: Path):
    import pyogrio

    opts = {"DXF_ENCODING": "UTF-8"} if path.suffix.lower() == ".dxf" and _dxf_is_unicode(path) else {}
    if not opts:
        yield
        return
    before = {k: pyogrio.get_gdal_config_option(k) for k in opts}
    pyogrio.set_gdal_config_options(opts)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def read_source(path: Path, file: str, options: ImportOptions):
    """(GeoDataFrame, source layer name) of one file; InputRejected naming the file when it cannot be read."""
    import pyogrio
    from pyogrio.errors import DataSourceError, DataLayerError

    if not path.exists():
        raise InputRejected([Problem(file, None, None, None, tr("file_missing"))])
    gpath = _gdal_path(path)
    kwargs = {}
    if path.suffix.lower() == ".csv":
        kwargs = {"GEOM_POSSIBLE_NAMES": ",".join(GEOM_COLUMNS), "X_POSSIBLE_NAMES": ",".join(X_NAMES),
                  "Y_POSSIBLE_NAMES": ",".join(Y_NAMES), "KEEP_GEOM_COLUMNS": "NO", "AUTODETECT_TYPE": "NO"}
    try:
        with _gdal_options(path):
            layers = [str(name) for name, _ in pyogrio.list_layers(gpath)]
            if options.src_layer:
                if options.src_layer not in layers:
                    raise InputRejected([Problem(file, None, None, options.src_layer, tr(
                        "src_layer_missing", name=options.src_layer, layers=", ".join(layers)))])
                layer = options.src_layer
            elif len(layers) == 1:
                layer = layers[0]
            else:
                raise InputRejected([Problem(file, None, None, None,
                                             tr("src_layer_choose", layers=", ".join(layers)))])
            gdf = pyogrio.read_dataframe(gpath, layer=layer, **kwargs)
    except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
        raise InputRejected([Problem(file, None, None, None,
                                     tr("file_corrupt", format="GIS", error=str(exc).splitlines()[0]))]) from None
    return gdf, layer


def _target_layer(options: ImportOptions, src_layer: str, path: Path) -> str | None:
    if options.layer:
        return options.layer
    for name in (src_layer, path.stem):
        for lay in registry.LAYERS.values():
            if name in (lay.name, lay.zh, lay.en):
                return lay.name
    return None


def attribute_table(gdf, file: str, path: Path, first_row: int) -> SourceTable:
    """The attributes of a GeoDataFrame as text columns (for the shared field rules)."""
    names = [c for c in gdf.columns if c != gdf.geometry.name]
    arrays = []
    for c in names:
        s = gdf[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d")
        try:
            arr = pa.chunked_array([pa.array(s, from_pandas=True)])
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = pa.chunked_array([pa.array(s.astype(str), from_pandas=True)])
        if not pa.types.is_string(arr.type):
            arr = pc.cast(arr, pa.string())
        arrays.append(_normalise_column(pc.fill_null(arr, "")))
    data = pa.table(arrays, names=[f"c{i}" for i in range(len(names))]) if names else pa.table(
        {"c0": pa.array([""] * len(gdf), pa.string())})
    headers = [str(c) for c in names] or [""]
    return SourceTable(file, path, headers, data, np.arange(first_row, first_row + len(gdf)), first_row - 1)


def _spec(layer: registry.Layer) -> dict[str, tuple[str, ...]]:
    if layer.name == "pipe_points":
        return cols.POINT_COLUMNS
    if layer.name == "pipe_segments":
        return cols.LINE_COLUMNS
    return {f.name: (f.zh, f.en) for f in layer.fields}


# --------------------------------------------------------------------------------- planning
def plan(project, sources: list[str], options: ImportOptions, progress: Progress) -> ImportPlan:
    """Read, reproject, map and validate GIS sources into an ImportPlan (nothing is written)."""
    result = ImportPlan("gis", [str(s) for s in sources], [], options)
    progress.start(len(sources), "reading")
    for src in sources:
        try:
            _plan_one(project, Path(src), str(src), options, result)
        except InputRejected as exc:
            result.problems.extend(exc.problems)
            result.fatal = True
        progress.step(1)
    return result


def _fatal(result: ImportPlan, problem: Problem) -> None:
    result.problems.append(problem)
    result.fatal = True


def first_row(path: Path) -> int:
    """The row number of a file's first feature as the user sees it (2 in a CSV under its header)."""
    return 2 if path.suffix.lower() == ".csv" else 1


def _plan_one(project, path: Path, file: str, options: ImportOptions, result: ImportPlan) -> None:
    gdf, src_layer = read_source(path, file, options)
    target = _target_layer(options, src_layer, path)
    table = attribute_table(gdf, file, path, first_row(path))
    preview = table.head(options.preview_rows)
    if target is None or target not in registry.LAYERS:
        result.tables.append(TablePreview(file, "", {}, table.n, preview, crs=gdf.crs))
        _fatal(result, Problem(file, None, None, options.layer, tr("layer_missing", layers=", ".join(registry.LAYERS))))
        return
    layer = registry.get(target)
    spec = dict(_spec(layer))
    overrides = {**options.mapping, **options.table_mapping.get(file, {})}
    cols.check_mapping(overrides, set(spec) | set(layer.field_names))
    found, unused, problems = cols.match(table.headers, spec, overrides, file)
    if (path.suffix.lower() == ".dxf" and layer.name in ("pipe_points", "pipe_segments") and "utility" not in found
            and "Layer" in table.headers and table.headers.index("Layer") not in found.values()):
        found["utility"] = table.headers.index("Layer")          # DXF layers are named after the utility
    unused = [u for u in unused if u not in DXF_COLUMNS and u != "Layer"]
    for p in problems:
        _fatal(result, p)
    if unused:
        result.warnings.append(tr("w_unused_columns", file=file, columns=", ".join(unused)))
    result.tables.append(TablePreview(file, target, {k: table.headers[i] for k, i in found.items()}, table.n,
                                      preview, fields=tuple(spec), crs=gdf.crs))
    gdf = _to_project_crs(project, gdf, file, options, result)
    if gdf is None or _missing_required(layer, found, table, options, result) or result.fatal:
        return
    group = TableGroup([table], [found])
    geoms = _fit_geometries(group, gdf.geometry.to_numpy(), layer, file, result.warnings)
    if layer.name == "pipe_points":
        frame = _points(project, group, geoms, options, result)
    elif layer.name == "pipe_segments":
        frame = _lines(project, group, geoms, options, result)
    else:
        frame = _generic(project, group, geoms, layer, path, options, result)
    result.layers[layer.name] = (frame if layer.name not in result.layers
                                 else pd.concat([result.layers[layer.name], frame], ignore_index=True))
    result.collect([group], [table])


def _to_project_crs(project, gdf, file: str, options: ImportOptions, result: ImportPlan):
    """The frame in the project CRS; refuses sources without a CRS and without --src-crs."""
    from gis.crs import parse_crs

    if options.src_crs:
        src = parse_crs(options.src_crs)
        gdf = gdf.set_crs(src, allow_override=True)
    elif gdf.crs is None:
        _fatal(result, Problem(file, None, None, None, tr("src_crs_missing")))
        return None
    if not gdf.crs.equals(project.crs):
        result.warnings.append(tr("w_reprojected", file=file, src=gdf.crs.name))
        gdf = gdf.to_crs(project.crs)
    return gdf


def _missing_required(layer: registry.Layer, found: dict, table: SourceTable, options: ImportOptions,
                      result: ImportPlan) -> bool:
    missing = []
    for f in layer.fields:
        if not f.required or f.name == layer.id_field or f.name in found:
            continue
        if f.name == "utility" and options.utility:
            continue
        missing.append(f.name)
    for name in missing:
        _fatal(result, Problem(table.file, None, name, None,
                               tr("column_missing", aliases=", ".join((name, *_spec(layer).get(name, ())[:3])))))
    return bool(missing)


def _fit_geometries(group: TableGroup, geoms: np.ndarray, layer: registry.Layer, file: str,
                    warnings: list[str]) -> np.ndarray:
    """Single-part multi-geometries made simple; wrong types and empty geometries flagged."""
    geoms = np.asarray(geoms, dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    group.flag(empty, "geometry", "", tr("geometry_empty"))
    base = layer.geometry.replace(" Z", "")
    if base not in _BASE_TYPES:
        return geoms
    single, multi = _BASE_TYPES[base]
    types = shapely.get_type_id(geoms)
    one_part = (types == multi) & (shapely.get_num_geometries(geoms) == 1)
    if one_part.any():
        geoms = geoms.copy()
        geoms[one_part] = shapely.get_geometry(geoms[one_part], 0)
        warnings.append(tr("w_multipart", file=file, n=int(one_part.sum())))
        types = shapely.get_type_id(geoms)
    wrong = ~empty & (types != single)
    if wrong.any():
        reasons = np.full(len(geoms), None, dtype=object)
        reasons[wrong] = [tr("geometry_type", actual=g.geom_type, layer=layer.name, expected=layer.geometry)
                          for g in geoms[wrong]]
        group.flag(wrong, "geometry", "", reasons)
    return geoms


def _vertices(geoms: np.ndarray, ok: np.ndarray):
    """(xyz of every vertex of the ok geometries, owner row per vertex)."""
    xyz, owner = shapely.get_coordinates(geoms[ok], include_z=True, return_index=True)
    return xyz, np.flatnonzero(ok)[owner]


def _points(project, group: TableGroup, geoms: np.ndarray, options: ImportOptions, result: ImportPlan):
    ok = ~group.bad
    east, north, z = (np.full(group.n, np.nan) for _ in range(3))
    if ok.any():
        xyz = shapely.get_coordinates(geoms[ok], include_z=True)
        east[ok], north[ok], z[ok] = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    return build_points(project, group, options, result.warnings, coords=(east, north, z)).frame()


def _known_points(project, result: ImportPlan):
    """Pipe points to snap to: the project's and those planned in this import, as (ids, xy, ground)."""
    frames = []
    have = F.existing(project, "pipe_points", ["point_id", "ground_elev"], geometry=True)
    if have is not None:
        frames.append(have)
    if "pipe_points" in result.layers:
        frames.append(result.layers["pipe_points"][["point_id", "ground_elev", "geometry"]])
    if not frames:
        return None
    pts = pd.concat(frames, ignore_index=True)
    xyz = shapely.get_coordinates(pts.geometry.to_numpy(), include_z=True)
    ground = pts["ground_elev"].to_numpy(dtype=float)
    return pts["point_id"].to_numpy(dtype=object), xyz[:, :2], np.where(np.isnan(ground), xyz[:, 2], ground)


def _lines(project, group: TableGroup, geoms: np.ndarray, options: ImportOptions, result: ImportPlan):
    """pipe_segments from line geometries: end ids (given or snapped), Z from the geometry, depths or the DEM."""
    from scipy.spatial import cKDTree

    n = group.n
    file = group.tables[0].file
    unit = 0.01 if options.depth_unit == "cm" else 1.0
    util, sub = F.utilities(group, options.utility)
    codes = F.prefix_codes(util, sub)
    ok = ~group.bad
    xyz, owner = _vertices(geoms, ok)
    first = np.full(n, -1)
    last = np.full(n, -1)
    if len(owner):
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        first[owner[starts]] = starts
        last[owner[starts]] = np.r_[starts[1:], len(owner)] - 1
    ends_xy = np.full((n, 2, 2), np.nan)
    ends_xy[ok, 0] = xyz[first[ok], :2]
    ends_xy[ok, 1] = xyz[last[ok], :2]
    length = shapely.length(geoms[ok])
    short = np.zeros(n, dtype=bool)
    short[ok] = length < MIN_LENGTH_M
    group.flag(short, "geometry", "", tr("zero_length"))

    ids = {key: F.text(group, key) for key in ("start_point", "end_point")}
    ground = np.full((n, 2), np.nan)
    known = _known_points(project, result)
    matched = 0
    if known is not None:
        kid, kxy, kground = known
        tree = cKDTree(kxy)
        for j, key in enumerate(("start_point", "end_point")):
            given = ~parse.isnull(ids[key])
            pos = F.lookup(ids[key], kid) if given.any() else np.full(n, -1)
            dist, near = tree.query(np.nan_to_num(ends_xy[:, j]), distance_upper_bound=SNAP_M)
            snapped = ~given & ok & np.isfinite(dist)
            pos = np.where(snapped, near, pos)
            matched += int(snapped.sum())
            hit = pos >= 0
            ground[hit, j] = kground[pos[hit]]
            if snapped.any():
                current = ids[key].to_numpy(zero_copy_only=False).astype(object)
                current[snapped] = kid[near[snapped]]
                ids[key] = pa.array(current, pa.string())
    if not (group.has("start_point") and group.has("end_point")):
        result.warnings.append(tr("w_snapped", file=file, matched=matched, unmatched=2 * int(ok.sum()) - matched))
    dem_ground = geo.ground_from_dem(project, ends_xy[:, :, 0].ravel(), ends_xy[:, :, 1].ravel()).reshape(n, 2)
    ground = np.where(np.isnan(ground), dem_ground, ground)

    sec = section(group)
    depth, ref = end_depths(group, ground, None, util, unit, result.warnings, require=False)
    z = _line_z(group, xyz, owner, first, last, ok, ground, depth, ref, sec, project, options, result.warnings)
    line_geoms = _rebuild(xyz, z, owner, n)
    start_ids, end_ids = ids["start_point"], ids["end_point"]
    lids = line_ids(project, group, util, codes, start_ids, end_ids, False, result.warnings)
    lids = _fill_ids(lids, Path(file).stem, group, "line_id", result.warnings)
    data = {"line_id": lids, "utility": util, "subtype": sub, "start_point": start_ids, "end_point": end_ids,
            "start_depth": depth[:, 0], "end_depth": depth[:, 1], "depth_ref": ref[:, 0],
            **line_attributes(group, sec)}
    keep = ~group.bad
    return geoframe(data, keep, line_geoms[keep], project.crs)


def _rebuild(xyz: np.ndarray, z: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """LineString Z per row (None for rows without vertices) from vertex xy and the new z."""
    out = np.full(n, None, dtype=object)
    if len(owner):
        rows, index = np.unique(owner, return_inverse=True)
        out[rows] = shapely.linestrings(np.column_stack([xyz[:, :2], z]), indices=index)
    return out


def _line_z(group, xyz, owner, first, last, ok, ground, depth, ref, sec, project, options, warnings) -> np.ndarray:
    """Vertex Z: the geometry's own Z, else from depths and ground at the ends, else DEM minus --default-cover."""
    from gis.sections import centre_elevation

    file = group.tables[0].file
    n = group.n
    z = xyz[:, 2].copy()
    has_z = np.zeros(n, dtype=bool)
    if len(owner):
        nan_rows = np.zeros(n, dtype=bool)
        nan_rows[owner[np.isnan(z)]] = True
        has_z = ok & ~nan_rows
    need = ok & ~has_z
    centre = np.column_stack([centre_elevation(ground[:, j], depth[:, j], ref[:, j], sec.h_in, sec.h_out)
                              for j in (0, 1)])
    by_depth = need & ~np.isnan(centre).any(axis=1)
    if by_depth.any():
        vz = geo.interpolate_by_length(xyz, owner, first, centre)
        sel = by_depth[owner]
        z[sel] = vz[sel]
        warnings.append(tr("w_z_from_attrs", file=file, n=int(by_depth.sum()), attrs="depths + ground"))
    need &= ~by_depth
    if need.any() and options.default_cover is not None:
        sel = need[owner]
        dem = geo.ground_from_dem(project, xyz[sel, 0], xyz[sel, 1])
        vz = dem - options.default_cover - sec.h_out[owner[sel]] / 2
        z[sel] = vz
        bad_rows = np.unique(owner[sel][np.isnan(vz)])
        done = need.copy()
        done[bad_rows] = False
        if done.any():
            warnings.append(tr("w_z_dem_cover", file=file, n=int(done.sum()), cover=options.default_cover))
        need = np.zeros(n, dtype=bool)
        need[bad_rows] = True
    group.flag(need, "geometry", "", tr("no_z", attrs="起点埋深/终点埋深"))
    return z


def _fill_ids(ids, stem: str, group: TableGroup, field: str, warnings: list[str]) -> pa.Array:
    """Generate ``STEM-N`` ids (N = the row) where none was given or derived."""
    missing = parse.isnull(ids)
    if not missing.any():
        return ids
    made = np.array([f"{stem}-{r}" for r in group.rows[missing]], dtype=object)
    out = ids.to_numpy(zero_copy_only=False).astype(object)
    out[missing] = made
    warnings.append(tr("w_ids_generated", file=group.tables[0].file, n=int(missing.sum()), field=field,
                       example=made[0]))
    return pa.array(out, pa.string())


def _generic(project, group: TableGroup, geoms: np.ndarray, layer: registry.Layer, path: Path,
             options: ImportOptions, result: ImportPlan):
    """Any other registry layer: typed fields, ids, Z from the geometry, an elevation attribute or the DEM."""
    data: dict[str, object] = {}
    for f in layer.fields:
        if not group.has(f.name):
            continue
        if f.type == "float":
            data[f.name] = F.number(group, f.name, f)
        elif f.type in ("int", "bool"):
            data[f.name] = F.integer(group, f.name, f)
        elif f.type in ("date",):
            data[f.name] = F.dates(group, f.name)
        elif f.allowed:
            data[f.name] = F.coded_values(group, f.name, f)
        else:
            data[f.name] = F.text(group, f.name)
        if f.required:
            group.flag(parse.blank(group.col(f.name)), f.name, "", tr("required_blank"))
    ids = data.get(layer.id_field, pa.nulls(group.n, pa.string()))
    ids = _fill_ids(ids, path.stem, group, layer.id_field, result.warnings)
    dup, other = F.duplicates(ids, group.rows)
    if dup.any():
        reasons = np.full(group.n, None, dtype=object)
        reasons[dup] = [tr("duplicate_id", field=layer.id_field, rows=r) for r in other[dup]]
        group.flag(dup, layer.id_field, ids, reasons)
    have = F.existing(project, layer.name, [layer.id_field])
    if have is not None:
        group.flag(F.in_set(ids, have[layer.id_field].to_numpy(dtype=object)), layer.id_field, ids,
                   tr("id_in_project", field=layer.id_field))
    data[layer.id_field] = ids
    if "source" in layer.field_names and "source" not in data:
        data["source"] = source_names(group)
    ok = ~group.bad
    if layer.has_z:
        geoms = _generic_z(group, geoms, ok, layer, data, project, options, result.warnings)
    else:
        geoms = shapely.force_2d(geoms)
    ok = ~group.bad
    return geoframe(data, ok, geoms[ok], project.crs)


Z_ATTRIBUTES = ("top_elev", "ground_elev", "crown_elev", "h")


def _generic_z(group, geoms, ok, layer, data, project, options, warnings) -> np.ndarray:
    file = group.tables[0].file
    xyz, owner = _vertices(geoms, ok)
    n = group.n
    nan_rows = np.zeros(n, dtype=bool)
    nan_rows[owner[np.isnan(xyz[:, 2])]] = True
    need = ok & nan_rows
    z = xyz[:, 2].copy()
    attr = next((a for a in Z_ATTRIBUTES if a in data), None)
    if attr is not None and need.any():
        values = np.asarray(data[attr], dtype=float)
        use = need & ~np.isnan(values)
        z[use[owner]] = values[owner][use[owner]]
        if use.any():
            warnings.append(tr("w_z_from_attrs", file=file, n=int(use.sum()), attrs=attr))
        need &= ~use
    if need.any() and options.default_cover is not None:
        sel = need[owner]
        z[sel] = geo.ground_from_dem(project, xyz[sel, 0], xyz[sel, 1]) - options.default_cover
        bad = np.zeros(n, dtype=bool)
        bad[np.unique(owner[sel][np.isnan(z[sel])])] = True
        if (need & ~bad).any():
            warnings.append(tr("w_z_dem_cover", file=file, n=int((need & ~bad).sum()), cover=options.default_cover))
        need = bad
    group.flag(need, "geometry", "", tr("no_z", attrs=", ".join(Z_ATTRIBUTES)))
    out = np.array(geoms, dtype=object)
    keep = ok & ~need
    if keep.any():
        sel = keep[owner]
        out[keep] = shapely.set_coordinates(shapely.force_3d(out[keep]), np.column_stack([xyz[sel, :2], z[sel]]))
    return out

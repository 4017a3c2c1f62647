"""Excavation-conflict check (开挖分析, RULES.md).

An area (polygon) with a bottom (elevation, or depth below ground) and a plan
safety buffer: a line feature (pipe, tunnel) conflicts when some point of its
centre line lies within buffer + its own half width of the area and its top
there is at or above the bottom; a polygon feature (station, civil-defense
work, structure) when its footprint comes within the buffer and its top is at
or above the bottom.  The affected feature is ``a``; the excavation is ``b``
(layer excavations, its feature_id or ``adhoc``).  A proposed new pipe is
checked as its own tube against every pipe and tunnel with the clearance
rules.  Protection zones the area falls in are added (gis.analysis.zones).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gis.analysis import findings as fnd
from gis.analysis.findings import EPS, CheckResult
from gis.errors import InputRejected, Problem, UsageError

CHECK = "excavation"
LINE_LAYERS = ("pipe_segments", "metro_tunnels")
POLYGON_LAYERS = ("metro_stations", "civil_defense_works", "structures")
DEFAULT_BUFFER = 0.5
HAND_DIG_M = 0.6          # one-call practice: 18-24 inch tolerance zone each side of a utility
SAMPLE_STEP = 1.0         # metres between bottom samples along a pipe when the bottom follows the ground


@dataclass
class ExcavationOptions:
    """An excavation area or a proposed pipe, its bottom and buffer."""

    area: object = None                 # shapely polygon (project CRS)
    line: object = None                 # shapely LineString (Z = centre elevation) for a proposed pipe
    bottom_elev: float | None = None
    depth: float | None = None          # below ground; for a line: cover to the pipe top
    buffer: float = DEFAULT_BUFFER
    excavation_id: str = "adhoc"
    pipe: dict | None = None            # proposed pipe attributes (utility, diameter_mm ...)
    rules_file: str | None = None
    hand_dig_m: float = HAND_DIG_M
    write: bool = True


BUFFER_SOURCE = "excavation safety buffer (input)"
_SEVERITY = pd.CategoricalDtype(["critical", "major"])
_EMPTY = pd.DataFrame(columns=fnd.COLUMNS)
_CONSTANT_DTYPES: dict[str, pd.CategoricalDtype] = {}


def _constant(value: str, n: int) -> pd.Categorical:
    """A column of one text value (a categorical: cheap for the few rows of a query)."""
    dtype = _CONSTANT_DTYPES.get(value)
    if dtype is None:
        dtype = _CONSTANT_DTYPES[value] = pd.CategoricalDtype([value])
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), dtype=dtype, validate=False)


class ExcavationIndex:
    """Pipes and tunnels (pieces in a grid) and polygon features of a project, ready for queries."""

    def __init__(self, fs, polygons: dict, terrain=None, ground_points=None):
        from gis.analysis.grid_index import GridIndex

        self.fs = fs
        if "excavation_index" not in fs.extra:          # built once per FeatureSet
            half = (fs.width / 2)[fs.feat]
            fs.extra["excavation_index"] = GridIndex(np.minimum(fs.x0, fs.x1) - half, np.minimum(fs.y0, fs.y1) - half,
                                                     np.maximum(fs.x0, fs.x1) + half, np.maximum(fs.y0, fs.y1) + half)
        self.index = fs.extra["excavation_index"]
        self.polygons = polygons
        self.ids = fs.ids.to_numpy(dtype=object)          # plain arrays: queries take a few rows each
        self.owner = fs.owner.to_numpy(dtype=object)
        self.layer_dtype = pd.CategoricalDtype(fs.layer_names)
        self.terrain = terrain
        self.ground_points = ground_points

    @classmethod
    def from_project(cls, project) -> "ExcavationIndex":
        """Read the layers the check needs and index them."""
        from gis.analysis import features
        from gis.analysis.rules import load_for_project

        fs = features.load(project, LINE_LAYERS, load_for_project(project), bands={})
        polys = {}
        for layer in POLYGON_LAYERS:
            if project.count(layer):
                cols = ["feature_id", "top_elev", "bottom_elev", "owner"] + (["name"] if layer != "civil_defense_works" else [])
                polys[layer] = project.read(layer, columns=cols)
        pts = project.read("pipe_points", columns=["ground_elev"]) if project.count("pipe_points") else None
        return cls(fs, polys, project.terrain(), pts)

    # ------------------------------------------------------------------ ground
    def bottom_at(self, x, y, bottom_elev: float | None, depth: float | None) -> np.ndarray:
        """Excavation bottom elevation at plan points."""
        x = np.asarray(x, dtype=float)
        if bottom_elev is not None:
            return np.full(x.shape, float(bottom_elev))
        ground = self.ground_at(x, np.asarray(y, dtype=float))
        return ground - float(depth)

    def ground_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Ground elevation: the DEM, else the median surveyed ground of pipe points within 50 m."""
        ground = np.full(x.shape, np.nan)
        if self.terrain is not None:
            ground = self.terrain.sample(x, y)
        if np.isnan(ground).any() and self.ground_points is not None and len(self.ground_points):
            gp = self.ground_points
            near = gp.cx[float(np.nanmin(x)) - 50:float(np.nanmax(x)) + 50,
                         float(np.nanmin(y)) - 50:float(np.nanmax(y)) + 50]
            z = pd.to_numeric(near["ground_elev"], errors="coerce")
            z = z.fillna(pd.Series(near.geometry.z if len(near) else [], index=near.index)) if len(near) else z
            if z.notna().any():
                ground = np.where(np.isnan(ground), float(z.median()), ground)
        if np.isnan(ground).any():
            raise UsageError("--depth needs the ground elevation here: import a DEM or survey pipe points "
                             "with ground elevations, or give --bottom-elev")
        return ground

    # ------------------------------------------------------------------- query
    def query(self, area, bottom_elev: float | None = None, depth: float | None = None,
              buffer: float = DEFAULT_BUFFER, excavation_id: str = "adhoc",
              hand_dig_m: float = HAND_DIG_M) -> pd.DataFrame:
        """Every line and polygon feature in the way of the area (findings rows, no ids yet)."""
        if bottom_elev is None and depth is None:
            raise UsageError("give the excavation bottom: --bottom-elev Z or --depth D")
        rows = [self._lines(area, bottom_elev, depth, buffer, excavation_id, hand_dig_m)]
        for layer, gdf in self.polygons.items():
            rows.append(self._polygons(layer, gdf, area, bottom_elev, depth, buffer, excavation_id))
        rows = [r for r in rows if r is not None and len(r)]
        if len(rows) > 1:
            return pd.concat(rows, ignore_index=True)
        return rows[0] if rows else _EMPTY.copy()

    def _lines(self, area, bottom_elev, depth, buffer, exc_id, hand_dig_m) -> pd.DataFrame | None:
        import shapely

        fs = self.fs
        ox, oy = fs.origin
        local = shapely.transform(area, lambda c: c - (ox, oy))
        xmin, ymin, xmax, ymax = local.bounds
        cand = self.index.query(xmin - buffer, ymin - buffer, xmax + buffer, ymax + buffer)
        if not len(cand):
            return None
        segs = shapely.linestrings(np.stack([np.column_stack([fs.x0[cand], fs.y0[cand]]),
                                             np.column_stack([fs.x1[cand], fs.y1[cand]])], axis=1))
        half_w = fs.width[fs.feat[cand]] / 2
        reach = buffer + half_w
        dist = shapely.distance(segs, local)
        near = dist <= reach + EPS
        cand, segs, dist, reach, half_w = cand[near], segs[near], dist[near], reach[near], half_w[near]
        if not len(cand):
            return None
        # the stretch of each piece within reach, as parameters along the piece
        widths, which_w = np.unique(reach, return_inverse=True)
        grown = np.array([shapely.buffer(local, r, quad_segs=64) if r > 0 else local for r in widths])
        part = shapely.intersection(segs, grown[which_w])
        parts, of_part = shapely.get_parts(part, return_index=True)
        coords, cidx = shapely.get_coordinates(parts, return_index=True)
        which = of_part[cidx]
        piece = cand[which]
        dx, dy = fs.x1[piece] - fs.x0[piece], fs.y1[piece] - fs.y0[piece]
        ll = np.where(dx * dx + dy * dy > 0, dx * dx + dy * dy, 1.0)
        u = np.clip(((coords[:, 0] - fs.x0[piece]) * dx + (coords[:, 1] - fs.y0[piece]) * dy) / ll, 0, 1)
        if depth is not None:          # the bottom follows the ground: sample along each stretch
            u, which = _densify(u, which, cidx, np.sqrt(ll))
            piece = cand[which]
        px = fs.x0[piece] + u * (fs.x1[piece] - fs.x0[piece])
        py = fs.y0[piece] + u * (fs.y1[piece] - fs.y0[piece])
        top = fs.z0[piece] + u * (fs.z1[piece] - fs.z0[piece]) + fs.height[fs.feat[piece]] / 2
        bottom = self.bottom_at(px + ox, py + oy, bottom_elev, depth)
        margin = bottom - top                       # vertical clearance below the bottom (< 0: in the way)
        keep = margin <= EPS
        if not keep.any():
            return None
        which, margin, px, py, top = which[keep], margin[keep], px[keep], py[keep], top[keep]
        # one finding per feature: its point with the least clearance below the bottom
        feat_all = fs.feat[cand[which]]
        order = np.lexsort((margin, feat_all))
        sel = order[np.concatenate([[True], feat_all[order][1:] != feat_all[order][:-1]])]
        feat = feat_all[sel]
        plan = dist[which[sel]] - half_w[which[sel]]
        inside = plan <= EPS
        note = np.where(plan < hand_dig_m, f"hand-dig only within {hand_dig_m:g} m of the utility", "")
        n = len(feat)
        rows = pd.RangeIndex(n)
        text = (lambda values: pd.Series(values, index=rows, dtype=object, copy=False))
        return pd.DataFrame({
            "kind": _constant("excavation_conflict", n), "rule_id": _constant("EXC-BUFFER", n),
            "a_layer": pd.Categorical.from_codes(fs.layer_code[feat], dtype=self.layer_dtype, validate=False),
            "a_id": text(self.ids[feat]), "b_layer": _constant("excavations", n),
            "b_id": text(np.full(n, exc_id, dtype=object)), "required_m": np.full(n, buffer),
            "actual_m": plan, "deficit_m": buffer - plan,
            "severity": pd.Categorical.from_codes(np.where(inside, 0, 1).astype(np.int8), dtype=_SEVERITY,
                                                  validate=False),
            "uncertain": np.zeros(n, dtype=bool), "x": px[sel] + ox, "y": py[sel] + oy, "z": top[sel],
            "source": _constant(BUFFER_SOURCE, n), "confidence": text(np.full(n, None, dtype=object)),
            "owners": text(self.owner[feat]), "note": text(note.astype(object)),
            "plan_m": plan, "vertical_m": margin[sel]}, index=rows, copy=False)

    def _polygons(self, layer, gdf, area, bottom_elev, depth, buffer, exc_id) -> pd.DataFrame:
        import shapely

        idx = gdf.sindex.query(area, predicate="dwithin", distance=buffer) if buffer > 0 else \
            gdf.sindex.query(area, predicate="intersects")
        if not len(idx):
            return pd.DataFrame()
        sub = gdf.iloc[np.sort(idx)]
        geoms = sub.geometry.to_numpy()
        top = pd.to_numeric(sub["top_elev"], errors="coerce").to_numpy(float)
        zmax = np.array([np.nanmax(shapely.get_coordinates(g, include_z=True)[:, 2]) if g is not None else np.nan
                         for g in geoms])
        top = np.where(np.isnan(top), zmax, top)
        near = shapely.get_coordinates(shapely.shortest_line(geoms, area))[::2]
        bottom = self.bottom_at(near[:, 0], near[:, 1], bottom_elev, depth)
        margin = bottom - top
        hit = ~(margin > EPS)            # unknown top: assume it is in the way
        if not hit.any():
            return pd.DataFrame()
        dist = shapely.distance(geoms, area)
        sensitive = layer == "civil_defense_works"
        ids = sub["feature_id"].to_numpy(dtype=object)
        return pd.DataFrame({
            "kind": "excavation_conflict", "rule_id": "EXC-BUFFER", "a_layer": layer,
            "a_id": ids[hit], "b_layer": "excavations", "b_id": exc_id, "required_m": buffer,
            "actual_m": dist[hit], "deficit_m": buffer - dist[hit],
            "severity": np.where(dist[hit] <= EPS, "critical", "major"), "uncertain": np.isnan(top[hit]),
            "x": near[hit, 0], "y": near[hit, 1], "z": top[hit],
            "source": BUFFER_SOURCE, "confidence": None,
            "owners": sub["owner"].to_numpy(dtype=object)[hit],
            "note": ("sensitive layer: report only to authorised staff" if sensitive else "")
            + np.where(np.isnan(top[hit]), "; top elevation unknown", ""),
            "plan_m": dist[hit], "vertical_m": margin[hit]})


def _densify(u, which, part, length):
    """Add samples every SAMPLE_STEP metres between consecutive points of the same stretch."""
    out_u, out_w = [u], [which]
    for k in np.flatnonzero(part[1:] == part[:-1]):
        n = int(abs(u[k + 1] - u[k]) * length[k] // SAMPLE_STEP)
        if n:
            out_u.append(np.linspace(u[k], u[k + 1], n + 2)[1:-1])
            out_w.append(np.full(n, which[k]))
    return np.concatenate(out_u), np.concatenate(out_w)


def read_area(project, area_file: str | None, wkt: str | None):
    """The excavation polygon: a file in its own CRS (reprojected) or WKT in the project CRS."""
    import shapely

    if wkt:
        try:
            geom = shapely.from_wkt(wkt)
        except Exception as exc:  # noqa: BLE001 - GEOS raises several types
            raise UsageError(f"--wkt: not valid WKT ({exc})") from None
    else:
        import geopandas as gpd

        try:
            gdf = gpd.read_file(area_file)
        except Exception as exc:  # noqa: BLE001 - GDAL errors come in many types
            raise InputRejected([Problem(str(area_file), None, None, None, f"cannot read the area file ({exc})")]) from None
        if gdf.crs is None:
            raise InputRejected([Problem(str(area_file), None, None, None, "the area file has no CRS")])
        geom = shapely.union_all(gdf.to_crs(project.crs).geometry.to_numpy())
    geom = shapely.force_2d(geom)
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise UsageError(f"the excavation area must be a polygon (got {geom.geom_type})")
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return geom


def options_from_cli(project, args) -> ExcavationOptions:
    """ExcavationOptions from `subterra check excavation` arguments."""
    import shapely

    opts = ExcavationOptions(bottom_elev=args.bottom_elev, depth=args.depth, rules_file=args.rules,
                             buffer=DEFAULT_BUFFER if args.buffer is None else args.buffer,
                             write=not args.no_store)
    if args.buffer is not None and args.buffer < 0:
        raise UsageError("--buffer must not be negative")
    if args.line:
        try:
            opts.line = shapely.from_wkt(args.line)
        except Exception as exc:  # noqa: BLE001
            raise UsageError(f"--line: not valid WKT ({exc})") from None
        if opts.line.geom_type != "LineString":
            raise UsageError("--line must be a LINESTRING")
        if not args.utility:
            raise UsageError("--line needs --utility")
        if args.diameter_mm is None and (args.width_mm is None or args.height_mm is None):
            raise UsageError("--line needs --diameter-mm, or --width-mm and --height-mm")
        opts.pipe = {"utility": args.utility, "diameter_mm": args.diameter_mm, "width_mm": args.width_mm,
                     "height_mm": args.height_mm, "pressure_mpa": args.pressure_mpa, "burial": args.burial,
                     "shape": "circle" if args.diameter_mm is not None else "rect"}
        return opts
    if args.id:
        gdf = project.read("excavations", where=f"feature_id = '{args.id.replace(chr(39), chr(39) * 2)}'")
        if not len(gdf):
            raise UsageError(f"no excavation with feature_id {args.id!r}")
        row = gdf.iloc[0]
        opts.excavation_id = args.id
        geom = shapely.force_2d(row.geometry)
        if geom.geom_type == "LineString":
            opts.line = row.geometry
            opts.pipe = {k: row.get(k) for k in ("utility", "diameter_mm", "width_mm", "height_mm")}
        else:
            opts.area = geom
        if opts.bottom_elev is None and opts.depth is None:
            opts.bottom_elev = None if pd.isna(row.get("bottom_elev")) else float(row["bottom_elev"])
            opts.depth = None if pd.isna(row.get("depth")) else float(row["depth"])
        if args.buffer is None and not pd.isna(row.get("buffer_m")):
            opts.buffer = float(row["buffer_m"])
        return opts
    opts.area = read_area(project, args.area, args.wkt)
    return opts


def proposed_pipe(project, opts: ExcavationOptions, table) -> pd.DataFrame:
    """Clearance findings of a proposed pipe (a tube) against the project's pipes and tunnels."""
    import geopandas as gpd
    import shapely

    from gis.analysis import clearance, features

    line = opts.line
    coords = shapely.get_coordinates(line, include_z=True)
    pipe = dict(opts.pipe or {})
    size_h = (pipe.get("diameter_mm") or pipe.get("height_mm") or 0) / 1000.0
    if opts.depth is not None or np.isnan(coords[:, 2]).all():
        if opts.depth is None:
            raise UsageError("the proposed pipe needs Z in the WKT or --depth (cover to its top)")
        idx = ExcavationIndex(features.build({}, table), {}, project.terrain(),
                              project.read("pipe_points", columns=["ground_elev"]) if project.count("pipe_points") else None)
        coords[:, 2] = idx.ground_at(coords[:, 0], coords[:, 1]) - opts.depth - size_h / 2
        line = shapely.LineString(coords)
    rmax = max(table.max_distance("horizontal"), 0.0)
    minx, miny, maxx, maxy = line.bounds
    grow = rmax + 2 * 2.0 + 10.0
    frames = {layer: project.read(layer, bbox=(minx - grow, miny - grow, maxx + grow, maxy + grow),
                                  columns=[c for c in features.LAYER_COLUMNS[layer]])
              for layer in LINE_LAYERS}
    new = gpd.GeoDataFrame([{"line_id": opts.excavation_id, **pipe, "quality_level": "QL-A"}],
                           geometry=[line], crs=project.crs)
    frames["pipe_segments"] = pd.concat([frames["pipe_segments"], new], ignore_index=True)
    fs = features.build(frames, table, bands={"QL-A": 0.0})
    focus = np.zeros(len(fs), dtype=bool)
    focus[len(frames["pipe_segments"]) - 1] = True
    res = clearance.audit(fs, table, threads=1, focus=focus)
    df = res.findings
    # the existing feature is a, the proposed pipe is b
    swap = df["a_id"].astype(str).eq(opts.excavation_id) & df["a_layer"].astype(str).eq("pipe_segments")
    for x, y in (("a_id", "b_id"), ("a_layer", "b_layer")):
        av, bv = df[x].astype(object).copy(), df[y].astype(object).copy()
        df[x], df[y] = av.where(~swap, bv), bv.where(~swap, av)
    df["b_layer"] = "excavations"
    df["kind"] = "proposed_" + df["kind"].astype(str)
    return df, res.counts


def owners_of(findings) -> list[str]:
    """The owners (权属单位) named by findings, for notification; "; "-joined cells split."""
    return sorted({o for s in findings["owners"].dropna() for o in str(s).split("; ") if o})


def run(project, options: ExcavationOptions, progress=None) -> CheckResult:
    """Run the check for one area or proposed pipe; write the findings under a new run id."""
    from gis.analysis import zones
    from gis.analysis.rules import load_for_project

    table = load_for_project(project, options.rules_file)
    counts: dict = {"buffer_m": options.buffer}
    if options.line is not None:
        df, c = proposed_pipe(project, options, table)
        counts["no_rule_pairs"] = c["no_rule_pairs"]
        counts["no_rule_classes"] = c["no_rule_classes"]
        area = options.line.buffer(max(options.buffer, 0.01))
    else:
        if options.area is None:
            raise UsageError("give an area (--area, --wkt, --id) or a proposed line (--line)")
        index = ExcavationIndex.from_project(project)
        df = index.query(options.area, options.bottom_elev, options.depth, options.buffer,
                         options.excavation_id, options.hand_dig_m)
        area = options.area
    zone_rows, warnings = zones.area_findings(project, area, table, options.excavation_id)
    df = pd.concat([d for d in (df, zone_rows) if len(d)], ignore_index=True) if len(zone_rows) else df
    run_id = fnd.new_run_id(CHECK)
    out = fnd.frame(df, CHECK, run_id)
    summary = fnd.summarize(out, **counts, owners_to_notify=owners_of(out), warnings=warnings)
    result = CheckResult(run_id, CHECK, summary, out)
    if options.write and not project.readonly:
        fnd.write(project, result, progress)
    return result

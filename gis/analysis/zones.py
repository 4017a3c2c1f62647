"""Protection zones a planned work falls in, and existing pipes inside a metro special zone
(RULES.md "Protection zones").

Distances come from the rule table's ``zone`` rows (per project: a rule file
stored in the project or --rules), each with its confidence:

- metro: special zone and control zone from the outer edge of tunnels and
  underground stations (metro_underground), entrances / vent shafts /
  substations (metro_opening);
- gas mains: protection range each side of the pipe by pressure class;
- civil-defense works: the safety range (no default; a warning until set).

Without an area, the check audits what is already built: pipe segments
whose outer surface comes within the special zone of a metro tunnel (3D:
a pipe passing over or beside the tunnel), one finding per pipe and tunnel.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gis.analysis import findings as fnd
from gis.analysis.findings import EPS, CheckResult

CHECK = "zones"
OPENINGS = ("entrance", "vent_shaft", "substation")
MAX_PIPE_HALF_M = 5.0     # half the outside size of the largest pipe or culvert read around the tunnels


@dataclass
class ZoneOptions:
    """The planned work's area (project CRS; None: audit existing pipes against metro tunnels)
    and the rule file."""

    area: object | None
    rules_file: str | None = None
    area_id: str = "adhoc"
    write: bool = True


def _rows(kind, severity, layer, ids, rule, dist, points, owners, area_id, note="") -> pd.DataFrame:
    dist = np.asarray(dist, dtype=float)
    return pd.DataFrame({
        "kind": kind, "rule_id": rule.rule_id, "a_layer": layer, "a_id": np.asarray(ids, dtype=object),
        "b_layer": "excavations", "b_id": area_id, "required_m": rule.min_m, "actual_m": dist,
        "deficit_m": rule.min_m - dist, "severity": severity, "uncertain": False,
        "x": points[:, 0], "y": points[:, 1], "z": np.nan, "source": rule.source, "confidence": rule.confidence,
        "owners": np.asarray(owners, dtype=object), "note": _join(rule.note, note), "plan_m": dist})


def _join(*parts) -> str:
    return "; ".join(p for p in parts if p)


def _within(geoms, area, distance):
    import shapely

    dist = shapely.distance(geoms, area)
    hit = dist <= distance + EPS
    pts = shapely.get_coordinates(shapely.shortest_line(geoms[hit], area))[::2] if hit.any() else np.zeros((0, 2))
    return hit, dist[hit], pts


def area_findings(project, area, table, area_id: str = "adhoc") -> tuple[pd.DataFrame, list[str]]:
    """Zone findings for an area, and warnings for zones that are not configured."""
    import shapely

    out: list[pd.DataFrame] = []
    warnings: list[str] = []
    minx, miny, maxx, maxy = area.bounds
    zone_max = table.max_distance("zone")
    bbox = (minx - zone_max - 50, miny - zone_max - 50, maxx + zone_max + 50, maxy + zone_max + 50)
    # metro tunnels: distance to the outer edge = centre-line distance - outer radius
    subjects = []
    if project.count("metro_tunnels"):
        t = project.read("metro_tunnels", bbox=bbox, columns=["feature_id", "outer_diameter_m", "width_m", "owner"])
        if len(t):
            half = pd.to_numeric(t["outer_diameter_m"], errors="coerce").fillna(
                pd.to_numeric(t["width_m"], errors="coerce")).fillna(0).to_numpy() / 2
            subjects.append(("metro_tunnels", t, half, np.full(len(t), "metro_underground", dtype=object)))
    if project.count("metro_stations"):
        s = project.read("metro_stations", bbox=bbox, columns=["feature_id", "kind", "owner"])
        if len(s):
            kind = np.where(s["kind"].isin(OPENINGS).to_numpy(), "metro_opening", "metro_underground")
            subjects.append(("metro_stations", s, np.zeros(len(s)), kind))
    for layer, gdf, half, subject in subjects:
        geoms = shapely.force_2d(gdf.geometry.to_numpy())
        for zone, kind, severity in (("special", "metro_special_zone", "critical"),
                                     ("control", "metro_control_zone", "major")):
            for subj in np.unique(subject):
                rule = table.zone(subj, zone)
                if rule is None:
                    continue
                m = subject == subj
                hit, dist, pts = _within(geoms[m], area, rule.min_m + half[m])
                if hit.any():
                    sub = gdf[m][hit]
                    out.append(_rows(kind, severity, layer, sub["feature_id"], rule, dist - half[m][hit], pts,
                                     sub["owner"], area_id, "approval of the metro operator needed"))
    # gas protection range by pressure class
    if project.count("pipe_segments"):
        from gis.analysis.rules import PRESSURE_CLASSES, Profile, pressure_classes
        from gis.sections import outside_size

        gas = project.read("pipe_segments", bbox=bbox, where="utility IN ('RQ','MQ','YH','TR')",
                           columns=["line_id", "diameter_mm", "pressure_class", "pressure_mpa", "owner"])
        if len(gas):
            pc = pressure_classes(gas["pressure_class"], gas["pressure_mpa"])
            w, _, _, _ = outside_size("circle", gas["diameter_mm"].to_numpy(float), np.nan, np.nan, 0.0)
            geoms = shapely.force_2d(gas.geometry.to_numpy())
            for cls in PRESSURE_CLASSES:
                rule = table.single("zone", Profile("RQ", None, None, cls, None))
                m = pc == cls
                if rule is None or not m.any():
                    continue
                half = np.nan_to_num(w[m]) / 2
                hit, dist, pts = _within(geoms[m], area, rule.min_m + half)
                if hit.any():
                    sub = gas[m][hit]
                    out.append(_rows("gas_protection_range", "critical", "pipe_segments", sub["line_id"], rule,
                                     dist - half[hit], pts, sub["owner"], area_id))
            if pd.isna(pd.Series(pc, dtype=object)).any():
                warnings.append("gas pipes without a pressure class or pressure: protection range not judged")
    # civil-defense safety range (per project; no default)
    if project.count("civil_defense_works"):
        rule = table.zone("civil_defense", "safety")
        if rule is None:
            warnings.append("civil-defense safety range not configured (add a zone row "
                            "civil_defense,safety to the project's rules)")
        else:
            w = project.read("civil_defense_works", bbox=bbox, columns=["feature_id", "owner"])
            geoms = shapely.force_2d(w.geometry.to_numpy())
            hit, dist, pts = _within(geoms, area, rule.min_m)
            if hit.any():
                sub = w[hit]
                out.append(_rows("civil_defense_safety_range", "major", "civil_defense_works", sub["feature_id"],
                                 rule, dist, pts, sub["owner"], area_id,
                                 "no drilling, piling, blasting or pipe laying without approval; sensitive layer"))
    return (pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=fnd.COLUMNS)), warnings


def _segments(gdf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start points (k, 3), end points (k, 3), row of each piece) of LineString Z rows."""
    import shapely

    coords, rows = shapely.get_coordinates(gdf.geometry.to_numpy(), include_z=True, return_index=True)
    inner = np.flatnonzero(rows[:-1] == rows[1:])          # a piece per pair of consecutive vertices of a row
    return coords[inner], coords[inner + 1], rows[inner]


def special_zone_findings(project, table) -> tuple[pd.DataFrame, list[str]]:
    """Existing pipe segments inside a metro tunnel's special zone: 3D clear distance from the
    pipe's outside (half its larger outside dimension) to the tunnel's outer surface."""
    import shapely

    from gis.analysis.seg3d import closest_3d
    from gis.sections import outside_size

    rule = table.zone("metro_underground", "special")
    if rule is None or not project.count("metro_tunnels") or not project.count("pipe_segments"):
        return pd.DataFrame(columns=fnd.COLUMNS), ([] if rule else ["metro special zone not configured"])
    tunnels = project.read("metro_tunnels", columns=["feature_id", "outer_diameter_m", "width_m", "height_m"])
    t_half = np.fmax(pd.to_numeric(tunnels["outer_diameter_m"], errors="coerce").to_numpy(float),
                     np.fmax(pd.to_numeric(tunnels["width_m"], errors="coerce").to_numpy(float),
                             pd.to_numeric(tunnels["height_m"], errors="coerce").to_numpy(float)))
    t_half = np.nan_to_num(t_half) / 2
    t0, t1, t_row = _segments(tunnels)
    reach = rule.min_m + t_half[t_row] + MAX_PIPE_HALF_M
    lo, hi = np.minimum(t0, t1)[:, :2] - reach[:, None], np.maximum(t0, t1)[:, :2] + reach[:, None]
    pipes = project.read("pipe_segments", bbox=(*lo.min(axis=0), *hi.max(axis=0)),
                         columns=["line_id", "shape", "diameter_mm", "width_mm", "height_mm", "wall_mm",
                                  "material", "owner"])
    if not len(pipes):
        return pd.DataFrame(columns=fnd.COLUMNS), []
    w, h, _, _ = outside_size(pipes["shape"].to_numpy(object), pipes["diameter_mm"].to_numpy(float),
                              pipes["width_mm"].to_numpy(float), pipes["height_mm"].to_numpy(float),
                              pipes["wall_mm"].to_numpy(float), pipes["material"].to_numpy(object))
    p_half = np.nan_to_num(np.fmax(w, h)) / 2
    p0, p1, p_row = _segments(pipes)
    tree = shapely.STRtree(shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1]))
    pi, ti = tree.query(shapely.linestrings(np.stack([p0[:, :2], p1[:, :2]], axis=1)), predicate="intersects")
    dist, s, _ = closest_3d(p0[pi], p1[pi], t0[ti], t1[ti])
    clear = dist - p_half[p_row[pi]] - t_half[t_row[ti]]
    hit = clear < rule.min_m - EPS
    if not hit.any():
        return pd.DataFrame(columns=fnd.COLUMNS), []
    pairs = pd.DataFrame({"pipe": p_row[pi][hit], "tunnel": t_row[ti][hit], "clear": clear[hit],
                          "piece": pi[hit], "s": s[hit]})
    pairs = pairs.sort_values("clear").drop_duplicates(["pipe", "tunnel"])       # the closest piece of each pair
    at = p0[pairs["piece"]] + pairs["s"].to_numpy()[:, None] * (p1[pairs["piece"]] - p0[pairs["piece"]])
    clear = pairs["clear"].to_numpy()
    rows = pd.DataFrame({
        "kind": "metro_special_zone", "rule_id": rule.rule_id, "a_layer": "pipe_segments",
        "a_id": pipes["line_id"].to_numpy(object)[pairs["pipe"]], "b_layer": "metro_tunnels",
        "b_id": tunnels["feature_id"].to_numpy(object)[pairs["tunnel"]], "required_m": rule.min_m,
        "actual_m": clear, "deficit_m": rule.min_m - clear, "severity": "critical", "uncertain": False,
        "x": at[:, 0], "y": at[:, 1], "z": at[:, 2], "source": rule.source, "confidence": rule.confidence,
        "owners": pipes["owner"].to_numpy(object)[pairs["pipe"]],
        "note": _join(rule.note, "existing pipe inside the metro special protection zone")})
    return rows.reset_index(drop=True), []


def run(project, options: ZoneOptions, progress=None) -> CheckResult:
    """Zones an area falls in (or, without an area, existing pipes inside a metro special zone),
    written to the findings layer under a new run id."""
    from gis.analysis.rules import load_for_project

    table = load_for_project(project, options.rules_file)
    if options.area is None:
        df, warnings = special_zone_findings(project, table)
    else:
        df, warnings = area_findings(project, options.area, table, options.area_id)
    run_id = fnd.new_run_id(CHECK)
    out = fnd.frame(df, CHECK, run_id)
    result = CheckResult(run_id, CHECK, fnd.summarize(out, warnings=warnings), out)
    if options.write and not project.readonly:
        fnd.write(project, result, progress)
    return result

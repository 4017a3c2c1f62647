"""Protection zones a planned work falls in (RULES.md "Protection zones").

Distances come from the rule table's ``zone`` rows (per project: a rule file
stored in the project or --rules), each with its confidence:

- metro: special zone and control zone from the outer edge of tunnels and
  underground stations (metro_underground), entrances / vent shafts /
  substations (metro_opening);
- gas mains: protection range each side of the pipe by pressure class;
- civil-defense works: the safety range (no default; a warning until set).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gis.analysis import findings as fnd
from gis.analysis.findings import EPS, CheckResult

CHECK = "zones"
OPENINGS = ("entrance", "vent_shaft", "substation")


@dataclass
class ZoneOptions:
    """The planned work's area (project CRS) and the rule file."""

    area: object
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


def run(project, options: ZoneOptions, progress=None) -> CheckResult:
    """Zones an area falls in, written to the findings layer under a new run id."""
    from gis.analysis.rules import load_for_project

    table = load_for_project(project, options.rules_file)
    df, warnings = area_findings(project, options.area, table, options.area_id)
    run_id = fnd.new_run_id(CHECK)
    out = fnd.frame(df, CHECK, run_id)
    result = CheckResult(run_id, CHECK, fnd.summarize(out, warnings=warnings), out)
    if options.write and not project.readonly:
        fnd.write(project, result, progress)
    return result

"""Attribute columns of the demo's pipe points and segments (registry fields of gis.layers).

Columns are numpy arrays; text columns are object arrays that share a few
string objects, so a million rows cost pointers, not strings.  Point ids
(物探点号) are the utility prefix plus a serial per prefix; line ids are
``START-END`` as DATA_MODEL.md prescribes for generated ids.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from gis.demo import names
from gis.demo.arrays import lookup
from gis.demo.network import (K_B, K_CAP, K_END, K_HEAD, K_JUNC, K_LB, K_LE, K_OUT, K_R, K_REG, K_T, K_TEE,
                              NetworkBuilder)
from gis.demo.specs import SPECS
from gis.layers import QUALITY_LEVELS

WELLS = ("检查井", "阀门井", "人孔", "检修井", "手孔", "出水口")
# Ordinary points: (appurtenance or feature, share) by run key; the rest are 直线点.
ORDINARY = {
    "JS": (("阀门", 0.15), ("阀门井", 0.10), ("消防栓", 0.15), ("排气阀", 0.05)),
    "JS_T": (("阀门井", 0.25), ("排气阀", 0.10)),
    "ZS": (("阀门", 0.15), ("阀门井", 0.05)),
    "RQ": (("阀门", 0.15), ("凝水缸", 0.05)),
    "RQ_T": (("阀门井", 0.20), ("凝水缸", 0.05)),
    "RL_S": (("阀门井", 0.20), ("排气阀", 0.10)),
    "RL_R": (("阀门井", 0.20), ("排气阀", 0.10)),
    "DL": (("检修井", 0.30),),
    "TX": (("人孔", 0.30),),
    "ZH": (("人孔", 1.0),),
}
FEATURES = {"直线点", "三通", "变深", "预留口", "盖堵", "起讫点"}
VALVE_STATES = (("open", 0.92), ("closed", 0.06), ("broken", 0.02))
LATERAL_END = {"JS_LAT": "用户接入点", "RQ_LAT": "用户接入点", "DL_LAT": "接线箱", "TX_LAT": "手孔",
               "WS_LAT": "检查井", "YS_LAT": "检查井"}
FLIP_SHARE = 0.1          # gravity segments digitised against the flow (flow_dir = -1)


def _spec_map(keys: np.ndarray, attr: str, dtype=object) -> np.ndarray:
    """An attribute of the RunSpec of every key."""
    return lookup(keys, {k: getattr(spec, attr) for k, spec in SPECS.items()}, dtype)


def _strings(values) -> np.ndarray:
    """An object array whose equal strings are one object (None where missing)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    pool = np.array(list(uniques) + [None], dtype=object)
    return pool[codes]


def point_columns(b: NetworkBuilder, rng: np.random.Generator) -> dict:
    """Registry columns of pipe_points (without point_id) plus ``prefix``/``serial`` for the ids."""
    p, col = b.points, b.col
    n = len(p["x"])
    key, kind = p["key"], p["kind"]
    base = lookup(key, {k: k.replace("_LAT", "") for k in SPECS})
    gravity = _spec_map(key, "gravity", bool)
    utility = _spec_map(key, "utility")
    duct = np.isin(utility, ("DL", "TX"))
    junction_app = np.select([gravity, base == "DL", base == "TX"], ["检查井", "检修井", "人孔"], "三通")
    app_or_feat = np.full(n, "直线点", dtype=object)
    app_or_feat[kind == K_END] = "预留口"
    app_or_feat[kind == K_CAP] = np.where(duct[kind == K_CAP], "起讫点", "盖堵")
    app_or_feat[(kind == K_HEAD)] = "检查井"
    app_or_feat[kind == K_OUT] = "出水口"
    sel = (kind == K_JUNC) | (kind == K_TEE)
    app_or_feat[sel] = junction_app[sel]
    app_or_feat[np.isin(kind, (K_B, K_R, K_T, K_LB))] = "变深"
    end = kind == K_LE
    app_or_feat[end] = lookup(key[end], LATERAL_END)
    reg = kind == K_REG
    app_or_feat[reg & gravity] = "检查井"
    u = rng.random(n)
    for k, choices in ORDINARY.items():
        hit = reg & (key == k)
        lo = 0.0
        for name, share in choices:
            app_or_feat[hit & (u >= lo) & (u < lo + share)] = name
            lo += share
    is_feature = np.isin(app_or_feat, list(FEATURES))
    valve = np.isin(app_or_feat, ("阀门", "阀门井"))
    state = np.full(n, None, dtype=object)
    v = rng.random(n)
    state[valve] = np.where(v[valve] < VALVE_STATES[0][1], "open",
                            np.where(v[valve] < VALVE_STATES[0][1] + VALVE_STATES[1][1], "closed", "broken"))
    well = np.isin(app_or_feat, WELLS)
    road = col["road"][p["slot"]]
    ql_run = col["ql"][p["slot"]]
    visible = ~is_feature                                   # appurtenances are 明显点 (exposed): QL-A
    ql = np.where(visible, "QL-A", np.where(ql_run == "QL-A", "QL-B", ql_run))
    days = rng.integers(0, 3 * 365, n)
    dates = (np.datetime64("2022-01-01") + np.arange(3 * 365).astype("timedelta64[D]")).astype(str)
    survey_date = dates.astype(object)[days]
    prefix = _spec_map(key, "prefix")
    codes = pd.factorize(prefix)[0]
    serial = pd.Series(codes).groupby(codes).cumcount().to_numpy() + 1
    return {
        "prefix": prefix, "serial": serial,
        "utility": _strings(utility), "subtype": _strings(_spec_map(key, "subtype")),
        "feature": np.where(is_feature, app_or_feat, None), "appurtenance": np.where(is_feature, None, app_or_feat),
        "valve_state": state, "ground_elev": p["ground"],
        "well": well, "well_diameter_mm": np.where(well & gravity, 1000.0, np.nan),
        "cover_type": np.where(well, "球墨铸铁井盖", None).astype(object),
        "survey_date": survey_date,
        "surveyor": np.asarray(names.SURVEYORS, dtype=object)[road % len(names.SURVEYORS)],
        "quality_level": _strings(ql), "source": np.full(n, "demo", dtype=object), "note": p["note"],
    }


def well_depths(b: NetworkBuilder, pts: dict) -> np.ndarray:
    """Depth of each well: the deepest pipe bottom (invert for gravity lines) at it, +0.3 m sump for others."""
    s = b.segs
    bottom_a = np.where(s["gravity"], s["da"], s["da"] + s["out_h"])
    bottom_b = np.where(s["gravity"], s["db"], s["db"] + s["out_h"])
    deepest = np.full(len(pts["ground_elev"]), -np.inf)
    np.maximum.at(deepest, s["a"], bottom_a + np.where(s["gravity"], 0.0, 0.3))
    np.maximum.at(deepest, s["b"], bottom_b + np.where(s["gravity"], 0.0, 0.3))
    return np.where(pts["well"] & np.isfinite(deepest), np.round(deepest, 2), np.nan)


def segment_columns(b: NetworkBuilder, rng: np.random.Generator) -> dict:
    """Registry columns of pipe_segments (ids excluded: they follow the point ids)."""
    s, col = b.segs, b.col
    n = len(s["a"])
    slot = s["slot"]
    lateral = s["lat_key"] != None  # noqa: E711 - elementwise comparison on an object array
    key = np.where(lateral, s["lat_key"], col["key"][slot])
    has_holes = lookup(key, {k: bool(sp.holes) for k, sp in SPECS.items()}, bool)
    holes_total = np.where(lateral, np.where(has_holes, 2.0, np.nan), col["hole_total"][slot])
    holes_used = np.where(lateral, np.where(np.isnan(holes_total), np.nan, 1.0), col["hole_used"][slot])
    utility = _spec_map(key, "utility")
    cable = np.where(np.isin(utility, ("DL", "TX")), holes_used, np.nan)
    lat_pressure = {k: sp.pressure[0] or (None, np.nan) for k, sp in SPECS.items() if k.endswith("_LAT")}
    pressure_class = col["pressure_class"][slot].astype(object)
    pressure_mpa = col["pressure_mpa"][slot].astype(float)
    pressure_class[lateral] = lookup(key[lateral], {k: v[0] for k, v in lat_pressure.items()})
    pressure_mpa[lateral] = lookup(key[lateral], {k: v[1] for k, v in lat_pressure.items()}, float)
    voltage = np.where(lateral, np.where(utility == "DL", 0.4, np.nan), col["voltage"][slot])
    year = col["year"][slot] + np.where(lateral, rng.integers(0, 12, n), 0)
    status = np.where(lateral, np.where(rng.random(n) < 0.03, "abandoned", "in service"), "in service")
    ql = np.where(lateral, np.asarray(QUALITY_LEVELS, dtype=object)[rng.choice(4, n, p=(0.1, 0.6, 0.2, 0.1))],
                  col["ql"][slot])
    notes = {k: spec.notes.get("zh") for k, spec in SPECS.items()}
    note = np.where(s["note"] != None, s["note"], lookup(key, notes))  # noqa: E711
    dirs = col["dir"][slot]
    road_names = np.where(dirs == 0, b.grid.ns.name[np.minimum(col["road"][slot], b.grid.ns.n - 1)],
                          b.grid.ew.name[np.minimum(col["road"][slot], b.grid.ew.n - 1)])
    cols = {
        "utility": _strings(utility), "subtype": _strings(_spec_map(key, "subtype")),
        "start_depth": s["da"], "end_depth": s["db"], "depth_ref": s["ref"],
        "shape": s["shape"], "diameter_mm": s["dn"], "width_mm": s["w"], "height_mm": s["h"],
        "wall_mm": s["wall"], "material": s["material"],
        "pressure_class": pressure_class, "pressure_mpa": pressure_mpa, "voltage_kv": voltage,
        "cable_count": cable, "hole_total": holes_total, "hole_used": holes_used,
        "burial": _strings(_spec_map(key, "burial")), "owner": col["owner"][slot].astype(object),
        "build_year": np.minimum(year, 2024), "road": road_names, "status": _strings(status),
        "flow_dir": np.where(s["gravity"], 1.0, np.nan), "quality_level": _strings(ql),
        "source": np.full(n, "demo", dtype=object), "note": note,
    }
    for column, rows, value in b.overrides:
        cols[column][rows] = value
    return cols


def flip_some(b: NetworkBuilder, cols: dict, rng: np.random.Generator) -> None:
    """Digitise a share of gravity segments against the flow (flow_dir = -1), as real surveys do."""
    s = b.segs
    flip = s["gravity"] & (rng.random(len(s["a"])) < FLIP_SHARE) & (s["note"] == None)  # noqa: E711
    for x, y in (("a", "b"), ("da", "db"), ("za", "zb")):
        s[x][flip], s[y][flip] = s[y][flip], s[x][flip].copy()
    cols["start_depth"], cols["end_depth"] = s["da"], s["db"]
    cols["flow_dir"] = np.where(flip, -1.0, cols["flow_dir"])

"""Slots: one row per run laid along a road (road, side, key) with its sizes, depth and attributes.

A slot is constant along its road: one size, one cover (depth to top), one
owner.  Gravity trunks (N-S) take their sizes per reach later; gravity
branches (E-W) have one DN.  ``prev_bottom`` is the deepest bottom (m below
ground) of the runs between the slot and its red line: what a run entering
the road at this slot, or a lateral leaving it, has to pass beneath.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from gis.demo import names
from gis.demo.layout import Roads
from gis.demo.specs import BRANCH_DN, SPECS
from gis.layers import QUALITY_LEVELS
from gis.sections import outside_size

QL_WEIGHTS = (0.08, 0.72, 0.14, 0.06)


def owner_of(spec, rng: np.random.Generator) -> str:
    """权属单位 of a run of ``spec``."""
    if spec.utility == "TX":
        return str(rng.choice(names.TELECOM_OWNERS))
    return names.OWNERS.get(spec.subtype or "", names.OWNERS.get(spec.utility, names.OWNERS["ZH"]))


def build_slots(roads: Roads, rng: np.random.Generator, overrides: dict | None = None) -> pd.DataFrame:
    """The slot table of one road direction (a per-road loop: there are few roads)."""
    overrides = overrides or {}
    rows = []
    for i in range(roads.n):
        cls = int(roads.cls[i])
        placed = [(side, key, roads.offset[(side, key)][i])
                  for side in (0, 1) for key in roads.side_keys(i)[side] if key != "TREE"]
        if not np.isnan(roads.median["ZH"][i]):
            placed.append((0, "ZH", roads.median["ZH"][i]))
        for side, key, offset in placed:
            spec = SPECS[key]
            lay_w = roads.out_w[(side, key)][i] if key != "ZH" else np.nan
            row = {"road": i, "side": side, "key": key, "offset": offset, "cls": cls, "lay_w": lay_w,
                   "shape": spec.shape, "dn": np.nan, "w": np.nan, "h": np.nan,
                   "wall": np.nan if spec.wall_mm is None else spec.wall_mm,
                   "material": spec.material, "cover": np.nan, "pressure_class": None,
                   "pressure_mpa": np.nan, "voltage": np.nan, "hole_total": np.nan, "hole_used": np.nan,
                   "owner": owner_of(spec, rng),
                   "year": int(min(2024, roads.year[i] + rng.integers(0, 12))),
                   "ql": str(rng.choice(QUALITY_LEVELS, p=QL_WEIGHTS)), "planted": "",
                   "lo": np.nan, "hi": np.nan}
            if spec.gravity:
                if roads.direction == "ew":
                    row["dn"] = float(rng.choice(BRANCH_DN[key][cls]))
                    row["material"] = "钢筋混凝土" if row["dn"] >= 600 else "HDPE"
            elif spec.shape == "rect":
                choices = spec.wh[cls]
                row["w"], row["h"] = map(float, choices[rng.integers(len(choices))])
            else:
                row["dn"] = float(rng.choice(spec.dn[cls]))
                if key == "RQ" and row["dn"] >= 300:
                    row["material"] = "钢"
            if not spec.gravity:
                row["cover"] = round(float(rng.uniform(*spec.cover)), 2)
            if spec.pressure[cls] is not None:
                row["pressure_class"], row["pressure_mpa"] = spec.pressure[cls]
            if spec.voltage[cls] is not None:
                row["voltage"] = spec.voltage[cls]
            if spec.holes:
                total = int(rng.choice(spec.holes[cls]))
                row["hole_total"] = total
                row["hole_used"] = int(rng.integers(total // 3, total + 1))
            row.update(overrides.get((i, side, key), {}))
            rows.append(row)
    slots = pd.DataFrame(rows)
    slots["line"] = roads.line(slots["road"].to_numpy(), slots["side"].to_numpy(), slots["offset"].to_numpy())
    ow, oh, ih, _ = outside_size(slots["shape"].to_numpy(), slots["dn"].to_numpy(), slots["w"].to_numpy(),
                                 slots["h"].to_numpy(), slots["wall"].to_numpy(), slots["material"].to_numpy())
    slots["out_w"], slots["out_h"], slots["in_h"] = ow, oh, ih
    slots["bottom"] = slots["cover"] + slots["out_h"]
    slots["gravity"] = [SPECS[k].gravity for k in slots["key"]]
    slots["prev_bottom"] = _prev_bottom(slots)
    return slots


def _prev_bottom(slots: pd.DataFrame) -> np.ndarray:
    """Deepest bottom among the non-gravity runs nearer the red line on the same road side."""
    order = np.lexsort((slots["offset"].to_numpy(), slots["side"].to_numpy(), slots["road"].to_numpy()))
    s = slots.iloc[order]
    bottom = s["bottom"].fillna(-np.inf).to_numpy()
    group = (s["road"].to_numpy() * 2 + s["side"].to_numpy())
    out = np.full(len(s), -np.inf)
    running = -np.inf
    for n in range(len(s)):                     # few thousand rows at city size
        if n and group[n] != group[n - 1]:
            running = -np.inf
        out[n] = running
        running = max(running, bottom[n])
    result = np.empty(len(s))
    result[order] = np.where(np.isinf(out), np.nan, out)
    return result


def slot_index(slots: pd.DataFrame, n_roads: int) -> np.ndarray:
    """Array [road, side, key code] -> slot index label (-1 where the road side has no such run).

    Planted extra runs are left out: nothing connects to them.
    """
    from gis.demo.specs import PIPE_KEYS

    table = np.full((n_roads, 2, len(PIPE_KEYS)), -1, dtype=np.int64)
    ok = slots["planted"].to_numpy() == ""
    codes = slots["key"].map({k: n for n, k in enumerate(PIPE_KEYS)}).to_numpy()
    rows = np.flatnonzero(ok)
    table[slots["road"].to_numpy()[rows], slots["side"].to_numpy()[rows], codes[rows]] = slots.index.to_numpy()[rows]
    return table

"""Deliberate rule violations planted in the demo district, for the risk checks to find.

Everything else in the demo keeps GB 50289-style clearances (at least 0.6 m
vertical at crossings, 1.5-2 m horizontal between neighbouring runs), so a
check run on the demo should report these and nothing of their kind besides.
The ids involved depend on size and seed; :func:`gis.demo.planted` reads them
back from the project (project_meta ``demo_planted``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gis.demo import gravity
from gis.demo.network import (K_CAP, K_HEAD, K_REG, KEY_CODE, TREE_SPACING, NetworkBuilder, link_intervals,
                              tree_positions)
from gis.demo.specs import SECONDARY
from gis.sections import outside_size

PLANTED_VIOLATIONS = (
    {"code": "V1", "check": "clearance", "kind": "horizontal", "required_m": 1.5, "actual_m": 0.9,
     "what": "water main DN300 (JS) laid 0.9 m clear beside a sewage trunk (PS/WS); GB 50289 asks 1.5 m "
             "for water pipes over DN200 (1.0 m at DN200 and below)"},
    {"code": "V2", "check": "clearance", "kind": "vertical", "required_m": 0.4, "actual_m": 0.3,
     "what": "storm branch (PS/YS) crossing 0.30 m beneath a water main (JS); GB 50289 asks 0.40 m"},
    {"code": "V3", "check": "cover", "kind": "cover_roadway", "required_m": 0.9, "actual_m": 0.55,
     "what": "gas main (RQ) point with 0.55 m cover under the carriageway; GB 50028 asks 0.9 m"},
    {"code": "V4", "check": "topology", "kind": "above_ground", "required_m": 0.0, "actual_m": None,
     "what": "storm branch (PS/YS) head surveyed 0.20 m to the invert: its crown lies above the ground "
             "(and its cover is below the 0.7 m minimum)"},
    {"code": "V5", "check": "topology", "kind": "reversed_slope", "required_m": 0.0, "actual_m": -0.08,
     "what": "sewage branch (PS/WS) segment whose invert rises 0.08 m along the flow"},
    {"code": "V6", "check": "topology", "kind": "missing_point", "required_m": None, "actual_m": None,
     "what": "telecom lateral (TX) whose end point id is not in pipe_points (a dangling end)"},
    {"code": "V7", "check": "zones", "kind": "metro_special_zone", "required_m": 5.0, "actual_m": 2.5,
     "what": "power jacked pipe (DL 顶管 DN1500) passing 2.5 m above the metro tunnels' crowns, inside "
             "the 5 m special protection zone"},
)
NOTE = "演示数据：故意设置的违规 {code} (demo planted violation)"

V1_CLEAR = 0.9
V2_CLEAR = 0.30
V3_COVER = 0.55
V4_INVERT_DEPTH = 0.20
V5_RISE = 0.08
V7_CLEAR = 2.5


@dataclass
class Plan:
    """Where each violation goes (roads and links chosen from the grid) and what it became."""

    v1: tuple       # (ns road, ew link)
    v2: tuple       # (ew road, ns road = link): the YS branch entering that ns road from the east
    v3: tuple       # (ns road, ew link)
    v4: tuple       # (ew road, link)
    v5: tuple       # (ew road, link)
    v7: tuple | None
    found: dict = field(default_factory=dict)   # code -> {"a": ("seg"|"pt"|..., index), "b": ...}


def choose(grid) -> Plan:
    """Pick the places: deterministic from the grid alone."""
    ns, ew = grid.ns, grid.ew
    candidates = [i for i in range(ns.n - 1) if ns.cls[i] == SECONDARY] or [0]
    r2 = candidates[0]
    top = ew.n - 1
    metro = sorted(grid.quiet_links)[0] if grid.quiet_links else None
    return Plan(v1=(r2, ew.n - 2), v2=(0, r2), v3=(0, min(1, ew.n - 2)), v4=(top, 0), v5=(top, ns.n - 2),
                v7=metro)


def slot_overrides(plan: Plan) -> dict:
    """N-S slot values that make V2's crossing clear only the water main (see module text)."""
    r = plan.v2[1]
    return {(r, 1, "DL"): {"cover": 0.7, "w": 1000.0, "h": 600.0}, (r, 1, "TX"): {"cover": 0.6, "w": 600.0, "h": 400.0},
            (r, 1, "JS"): {"cover": 1.3, "dn": 300.0}, (r, 1, "RQ"): {"cover": 1.0, "dn": 200.0, "material": "PE"}}


def quiet_links(plan: Plan) -> set:
    """(dir, road, link, side) where no house connections are laid (-1: both sides)."""
    quiet = {(1, plan.v2[0], plan.v2[1], 1)}
    if plan.v7 is not None:
        quiet.add((1, plan.v7[0], plan.v7[1], -1))
    return quiet


def _ew_run(b: NetworkBuilder, road: int, side: int, key: str, link: int) -> int:
    return int(b.ew_first[b.look[1][road, side, KEY_CODE[key]]] + link)


def after_branches(plan: Plan):
    """Hook for NetworkBuilder.gravity_runs: V2, a storm branch 0.30 m beneath a water main."""

    def hook(b: NetworkBuilder, down: np.ndarray) -> None:
        j, r = plan.v2
        run = _ew_run(b, j, 1, "YS", r)
        js = int(b.look[0][r, 1, KEY_CODE["JS"]])
        x_js, y = b.col["line"][js], b.runs["line"][run]
        st = b.st
        js_run = b.ns_first[js]
        at = np.flatnonzero(st["run"] == js_run)
        k = at[np.searchsorted(st["s"][at], y) - 1]
        g = b.points["ground"][st["point"][[k, k + 1]]]
        cover, oh = b.col["cover"][js], b.col["out_h"][js]
        z = g - round(cover, 3) - oh / 2
        z_y = np.interp(y, st["s"][[k, k + 1]], z)
        slot = b.runs["slot"][run]
        crown = gravity.crown_offset("circle", b.col["dn"][slot], np.nan, np.nan, b.col["material"][slot])[0]
        invert_at_crossing = z_y - oh / 2 - V2_CLEAR - crown
        down[run] = invert_at_crossing - b.slope[run] * abs(x_js - b.s_down[run])
        plan.found["V2"] = {"run": run, "js_run": js_run, "x": x_js, "y": y}

    return hook


def after_depths(plan: Plan, b: NetworkBuilder) -> None:
    """V3 (shallow gas point), V4 (branch head above ground), V5 (reversed slope), on station depths."""
    st, g = b.st, b.points["ground"]
    r, link = plan.v3
    run = b.ns_first[b.look[0][r, 1, KEY_CODE["RQ"]]]
    lo, hi = b.grid.ew.red(1, link), b.grid.ew.red(0, link + 1)
    cand = np.flatnonzero((st["run"] == run) & (st["kind"] == K_REG) & (st["s"] > lo) & (st["s"] < hi))
    k = cand[len(cand) // 2]
    st["depth"][k] = V3_COVER
    plan.found["V3"] = {"point": st["point"][k]}
    run = _ew_run(b, plan.v4[0], 1, "YS", plan.v4[1])
    k = np.flatnonzero((st["run"] == run) & (st["kind"] == K_HEAD))[0]
    st["depth"][k] = V4_INVERT_DEPTH
    plan.found["V4"] = {"point": st["point"][k]}
    run = _ew_run(b, plan.v5[0], 0, "WS", plan.v5[1])
    at = np.flatnonzero(st["run"] == run)
    k = at[np.flatnonzero(st["kind"][at] == K_REG)[1]]
    invert_prev = g[st["point"][k - 1]] - st["depth"][k - 1]
    st["depth"][k] = g[st["point"][k]] - (invert_prev + V5_RISE)
    plan.found["V5"] = {"points": (st["point"][k - 1], st["point"][k])}
    for code in ("V3", "V4"):
        b.points["note"][plan.found[code]["point"]] = NOTE.format(code=code)
    b.points["note"][st["point"][k]] = NOTE.format(code="V5")


def after_segments(plan: Plan, b: NetworkBuilder, lines: list) -> None:
    """V6 (missing end point), V1 (water main beside a sewer), V7 (jacked pipe above the metro)."""
    segs, lat = b.segs, b.lat
    tx = np.flatnonzero(lat["lat_key"] == "TX_LAT")[0]
    end = b.lat_e_point[tx]
    b.points["dropped"][end] = True
    seg = np.flatnonzero((segs["lid"] == tx) & ((segs["a"] == end) | (segs["b"] == end)))[0]
    segs["note"][seg] = NOTE.format(code="V6")
    plan.found["V6"] = {"seg": seg, "point": end}
    for code in ("V3", "V4"):
        p = plan.found[code]["point"]
        touching = np.flatnonzero((segs["a"] == p) | (segs["b"] == p))
        segs["note"][touching] = NOTE.format(code=code)
        plan.found[code]["seg"] = touching[0]
    p0, p1 = plan.found["V5"]["points"]
    plan.found["V5"]["seg"] = np.flatnonzero(((segs["a"] == p0) & (segs["b"] == p1))
                                             | ((segs["a"] == p1) & (segs["b"] == p0)))[0]
    v2 = plan.found["V2"]
    seg_of = lambda run, s: np.flatnonzero((segs["run"] == run) & (np.minimum(segs["s0"], segs["s1"]) <= s)  # noqa: E731
                                           & (np.maximum(segs["s0"], segs["s1"]) > s))[0]
    v2["seg"], v2["js_seg"] = seg_of(v2["run"], v2["x"]), seg_of(v2["js_run"], v2["y"])
    for code in ("V2", "V5"):
        segs["note"][plan.found[code]["seg"]] = NOTE.format(code=code)
    _plant_v1(plan, b)
    if plan.v7 is not None and lines:
        _plant_v7(plan, b, lines[0])


def _plant_v1(plan: Plan, b: NetworkBuilder) -> None:
    r, link = plan.v1
    segs, col = b.segs, b.col
    ws = b.look[0][r, 0, KEY_CODE["WS"]]
    lo, hi = b.grid.ew.red(1, link) + 10, b.grid.ew.red(0, link + 1) - 10
    runs = np.flatnonzero(b.runs["slot"] == ws)
    cand = np.flatnonzero(np.isin(segs["run"], runs) & (np.minimum(segs["s0"], segs["s1"]) > lo)
                          & (np.maximum(segs["s0"], segs["s1"]) < hi))
    length = np.abs(segs["s1"][cand] - segs["s0"][cand])
    ws_seg = cand[np.argmax(length)]
    ws_w, _, _, _ = outside_size(segs["shape"][ws_seg], segs["dn"][ws_seg], segs["w"][ws_seg], segs["h"][ws_seg],
                                 segs["wall"][ws_seg], segs["material"][ws_seg])
    section = ("circle", 300.0, np.nan, np.nan, np.nan, "球墨铸铁")
    js_w, _, _, _ = outside_size(*section)
    x = col["line"][ws] + ws_w[0] / 2 + V1_CLEAR + js_w[0] / 2
    y0, y1 = sorted((segs["s0"][ws_seg], segs["s1"][ws_seg]))
    ys = np.array([y0 + 2.0, (y0 + y1) / 2, y1 - 2.0])
    note = NOTE.format(code="V1")
    js = int(b.look[0][r, 0, KEY_CODE["JS"]])
    pts = b.add_points(np.full(3, x), ys, [K_CAP, K_REG, K_CAP], "JS", js, note)
    new = b.add_segments(pts[:2], pts[1:], [1.2, 1.2], [1.2, 1.2], js, section, note)
    b.overrides.append(("quality_level", new, "QL-A"))
    plan.found["V1"] = {"seg": new[0], "b_seg": ws_seg}


def _plant_v7(plan: Plan, b: NetworkBuilder, line) -> None:
    j, link = plan.v7
    ew = b.grid.ew
    iv = link_intervals(b.grid)
    row = np.flatnonzero((iv["dir"] == 1) & (iv["road"] == j) & (iv["link"] == link) & (iv["side"] == 0))[0]
    owner, _, s_tree = tree_positions({k: v[row:row + 1] for k, v in iv.items()})
    x = float(s_tree[len(s_tree) // 2] + TREE_SPACING / 2)
    section = ("circle", 1500.0, np.nan, np.nan, np.nan, "钢筋混凝土")
    _, oh, _, _ = outside_size(*section)
    top = float(line.crown_at(x)) + V7_CLEAR + oh[0]
    ys = np.array([ew.red(0, j), ew.red(1, j)], dtype=float)
    dl = int(b.look[1][j, 0, KEY_CODE["DL"]])
    note = NOTE.format(code="V7")
    pts = b.add_points(np.full(2, x), ys, [K_CAP, K_CAP], "DL", dl, note)
    depth = np.round(b.points["ground"][pts] - top, 3)
    seg = b.add_segments(pts[:1], pts[1:], depth[:1], depth[1:], dl, section, note)
    for column, value in (("burial", "顶管"), ("hole_total", np.nan), ("hole_used", np.nan),
                          ("cable_count", np.nan)):
        b.overrides.append((column, seg, value))
    starts = np.r_[0, np.flatnonzero(np.isnan(line.profile_x)) + 1][:-1]
    section = int(np.searchsorted(line.profile_x[starts], x)) - 1
    plan.found["V7"] = {"seg": seg[0], "tunnel_id": f"M{line.number}-L-{section + 1:02d}"}


def records(plan: Plan, point_id, line_id) -> list[dict]:
    """The planted violations with the ids involved (stored in project_meta ``demo_planted``).

    ``point_id(i)`` / ``line_id(i)`` give the id of point / segment number ``i``.
    """
    f = plan.found
    pairs = {
        "V1": ("pipe_segments", line_id(f["V1"]["seg"]), "pipe_segments", line_id(f["V1"]["b_seg"])),
        "V2": ("pipe_segments", line_id(f["V2"]["seg"]), "pipe_segments", line_id(f["V2"]["js_seg"])),
        "V3": ("pipe_segments", line_id(f["V3"]["seg"]), "pipe_points", point_id(f["V3"]["point"])),
        "V4": ("pipe_segments", line_id(f["V4"]["seg"]), "pipe_points", point_id(f["V4"]["point"])),
        "V5": ("pipe_segments", line_id(f["V5"]["seg"]), None, None),
        "V6": ("pipe_segments", line_id(f["V6"]["seg"]), "pipe_points", point_id(f["V6"]["point"])),
    }
    if "V7" in f:
        pairs["V7"] = ("pipe_segments", line_id(f["V7"]["seg"]), "metro_tunnels", f["V7"]["tunnel_id"])
    out = []
    for item in PLANTED_VIOLATIONS:
        if item["code"] not in pairs:
            continue
        a_layer, a_id, b_layer, b_id = pairs[item["code"]]
        out.append({**item, "a_layer": a_layer, "a_id": str(a_id), "b_layer": b_layer,
                    "b_id": None if b_id is None else str(b_id)})
    return out

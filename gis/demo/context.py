"""Context and structures of the demo: roads, street trees, buildings, basements, utility tunnels,
elevated-road piers, civil-defense works and their inspections, 万米单元网格 grid cells.

Every function returns a column dict with a ``geometry`` object array.  Polygon
Z vertices carry the feature's top elevation (DATA_MODEL.md); a building's
footprint lies at the ground elevation (its top as far as the underground is
concerned), with ``foundation_bottom_elev`` below.
"""
from __future__ import annotations

import numpy as np
import shapely

from gis.demo import names
from gis.demo.layout import Grid
from gis.demo.arrays import ragged
from gis.demo.network import link_intervals, tree_positions
from gis.demo.specs import ARTERIAL

SETBACK = 10.0                 # buildings stand this far behind the red line, m
PARK_SHARE = 0.08
BUILDING_GAP = (4.0, 8.0)      # margin inside a building cell, m
PIER_SPACING = 30.0
CELL = 100.0                   # 万米单元网格: 100 m x 100 m


def _rect(x0, y0, x1, y1, z=None) -> np.ndarray:
    """Vectorised axis-aligned rectangles (Polygon or Polygon Z)."""
    x0, y0, x1, y1, z = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in
                                              (x0, y0, x1, y1, np.nan if z is None else z)))
    xs = np.stack([x0, x1, x1, x0, x0], axis=-1)
    ys = np.stack([y0, y0, y1, y1, y0], axis=-1)
    if np.all(np.isnan(z)):
        return shapely.polygons(np.stack([xs, ys], axis=-1))
    return shapely.polygons(np.stack([xs, ys, np.repeat(z[..., None], 5, axis=-1)], axis=-1))


def _ids(prefix: str, n: int, width: int = 6) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object)


def roads(grid: Grid) -> dict:
    """roads: footways and carriageways per block stretch, green medians of arterials, junction squares."""
    rows = {"x0": [], "y0": [], "x1": [], "y1": [], "name": [], "kind": []}

    def add(x0, y0, x1, y1, name, kind):
        for k, v in zip(("x0", "y0", "x1", "y1", "name", "kind"), (x0, y0, x1, y1, name, kind)):
            rows[k].append(np.broadcast_to(np.asarray(v, dtype=object if k in ("name", "kind") else float),
                                           np.shape(x0)))

    for along, cross in ((grid.ns, grid.ew), (grid.ew, grid.ns)):
        road, link = (a.ravel() for a in np.meshgrid(np.arange(along.n), np.arange(cross.n - 1), indexing="ij"))
        a0, a1 = cross.red(1, link), cross.red(0, link + 1)
        r0, r1 = along.red(0, road), along.red(1, road)
        fw = along.footway[road]
        ext = np.zeros((along.n, 2))
        for (side, key), off in along.offset.items():
            ext[:, side] = np.fmax(ext[:, side], off + along.out_w[(side, key)] / 2)
        green = (along.cls[road] == ARTERIAL)
        g0, g1 = r0 + ext[road, 0] + 1.0, r1 - ext[road, 1] - 1.0
        green &= g1 - g0 > 2.0
        name = along.name[road]
        bands = [(r0, r0 + fw, "footway", np.ones(len(road), bool)), (r1 - fw, r1, "footway", np.ones(len(road), bool)),
                 (r0 + fw, np.where(green, g0, r1 - fw), "carriageway", np.ones(len(road), bool)),
                 (g0, g1, "green", green), (g1, r1 - fw, "carriageway", green)]
        for lo, hi, kind, m in bands:
            if along.direction == "ns":
                add(lo[m], a0[m], hi[m], a1[m], name[m], kind)
            else:
                add(a0[m], lo[m], a1[m], hi[m], name[m], kind)
    i, j = (a.ravel() for a in np.meshgrid(np.arange(grid.ns.n), np.arange(grid.ew.n), indexing="ij"))
    add(grid.ns.red(0, i), grid.ew.red(0, j), grid.ns.red(1, i), grid.ew.red(1, j),
        grid.ns.name[i] + "/" + grid.ew.name[j] + "交叉口", "carriageway")
    cols = {k: np.concatenate(v) for k, v in rows.items()}
    n = len(cols["name"])
    return {"feature_id": _ids("RD", n), "name": cols["name"].astype(object), "kind": cols["kind"].astype(object),
            "geometry": _rect(cols["x0"], cols["y0"], cols["x1"], cols["y1"])}


def trees(grid: Grid, rng: np.random.Generator) -> dict:
    """trees: street trees every 8 m in the footways (house connections pass between them)."""
    iv = link_intervals(grid)
    owner, _, s = tree_positions(iv)
    d = iv["dir"][owner]
    line = iv["line"][owner]
    x = np.where(d == 0, line, s)
    y = np.where(d == 0, s, line)
    species = np.asarray(names.TREE_SPECIES, dtype=object)[rng.integers(0, len(names.TREE_SPECIES),
                                                                        grid.ns.n + grid.ew.n)]
    road = iv["road"][owner] + np.where(d == 0, 0, grid.ns.n)
    return {"feature_id": _ids("SD", len(x), 7), "species": species[road], "geometry": shapely.points(x, y)}


def blocks(grid: Grid) -> dict:
    """Building land of every block: the block inside its setbacks."""
    i, j = (a.ravel() for a in np.meshgrid(np.arange(grid.ns.n - 1), np.arange(grid.ew.n - 1), indexing="ij"))
    return {"i": i, "j": j, "x0": grid.ns.red(1, i) + SETBACK, "x1": grid.ns.red(0, i + 1) - SETBACK,
            "y0": grid.ew.red(1, j) + SETBACK, "y1": grid.ew.red(0, j + 1) - SETBACK}


def choose_parks(bl: dict, n_works: int, rng: np.random.Generator) -> np.ndarray:
    """Blocks left free of buildings (public green); the first ``n_works`` hold civil-defense works."""
    n = len(bl["i"])
    want = max(n_works, int(round(PARK_SHARE * n)))
    return np.sort(rng.choice(n, size=min(want, n), replace=False))


def buildings(grid: Grid, bl: dict, parks: np.ndarray, terrain, rng: np.random.Generator) -> tuple[dict, dict]:
    """(buildings, basements): a grid of 1-9 buildings per block; taller ones have basements."""
    keep = np.setdiff1d(np.arange(len(bl["i"])), parks)
    w, h = bl["x1"][keep] - bl["x0"][keep], bl["y1"][keep] - bl["y0"][keep]
    nx = np.clip(np.floor(w / 60.0), 1, 3).astype(np.int64)
    ny = np.clip(np.floor(h / 60.0), 1, 3).astype(np.int64)
    owner, k = ragged(nx * ny)
    cx, cy = k % nx[owner], k // nx[owner]
    cw, ch = w[owner] / nx[owner], h[owner] / ny[owner]
    m = rng.uniform(*BUILDING_GAP, (4, len(owner)))
    x0 = bl["x0"][keep][owner] + cx * cw + m[0]
    x1 = bl["x0"][keep][owner] + (cx + 1) * cw - m[1]
    y0 = bl["y0"][keep][owner] + cy * ch + m[2]
    y1 = bl["y0"][keep][owner] + (cy + 1) * ch - m[3]
    ground = np.round(terrain.sample((x0 + x1) / 2, (y0 + y1) / 2), 2)
    floors = rng.integers(3, 33, len(owner))
    levels = np.where(floors >= 10, rng.integers(2, 4, len(owner)), np.where(floors >= 6, 1, 0))
    basement_bottom = np.round(ground - levels * 4.0 - 0.5, 2)
    foundation = np.where(levels > 0, basement_bottom - 1.0, np.round(ground - 2.0, 2))
    street = grid.ew.name[bl["j"][keep][owner]]
    n = len(owner)
    fid = _ids("JZ", n)
    bld = {"feature_id": fid, "name": street + np.char.add((2 * k + 1).astype(str), "号").astype(object),
           "floors": floors.astype(float), "foundation_bottom_elev": foundation,
           "geometry": _rect(x0, y0, x1, y1, ground)}
    b = levels > 0
    top = np.round(ground - 0.3, 2)
    basements = {"feature_id": np.char.add("DX-", fid[b].astype(str)).astype(object),
                 "name": bld["name"][b] + "地下室", "kind": np.full(b.sum(), "basement", dtype=object),
                 "top_elev": top[b], "bottom_elev": basement_bottom[b], "owner": np.full(b.sum(), None, dtype=object),
                 "source": np.full(b.sum(), "demo", dtype=object),
                 "geometry": _rect(x0[b], y0[b], x1[b], y1[b], top[b])}
    return bld, basements


def civil_defense(bl: dict, parks: np.ndarray, n_works: int, terrain, rng: np.random.Generator) -> dict:
    """civil_defense_works: 2,000-10,000 m² under park blocks, 6-12 m below ground."""
    idx = parks[:n_works]
    w, h = bl["x1"][idx] - bl["x0"][idx], bl["y1"][idx] - bl["y0"][idx]
    area = rng.uniform(2000, 10000, len(idx))
    aspect = rng.uniform(1.0, 2.0, len(idx))
    ww = np.minimum(np.sqrt(area * aspect), w - 4)
    hh = np.minimum(area / ww, h - 4)
    cx, cy = (bl["x0"][idx] + bl["x1"][idx]) / 2, (bl["y0"][idx] + bl["y1"][idx]) / 2
    ground = terrain.sample(cx, cy)
    top = np.round(ground - rng.uniform(6.0, 7.0, len(idx)), 2)
    bottom = np.round(ground - rng.uniform(10.5, 12.0, len(idx)), 2)
    kinds = np.array(["人员掩蔽", "物资库", "指挥所", "医疗救护", "专业队"], dtype=object)
    kind = kinds[np.arange(len(idx)) % len(kinds)]
    sensitivity = np.where(kind == "指挥所", "classified", np.where(np.arange(len(idx)) % 2, "internal", "public"))
    uses = np.array(["地下停车场", "仓库", "地下商业", "自行车库"], dtype=object)
    n = len(idx)
    return {"feature_id": _ids("RF", n, 4), "name": np.char.add("申城人防工程", (np.arange(n) + 1).astype(str)).astype(object),
            "kind": kind, "protection_class": np.where(kind == "指挥所", "核5级", "核6级").astype(object),
            "peacetime_use": uses[rng.integers(0, len(uses), n)], "top_elev": top, "bottom_elev": bottom,
            "area_m2": np.round(ww * hh, 1), "capacity": np.round(ww * hh / 1.0).astype(float),
            "sensitivity": sensitivity.astype(object), "owner": np.full(n, names.CIVIL_DEFENSE_OWNER, dtype=object),
            "source": np.full(n, "demo", dtype=object),
            "geometry": _rect(cx - ww / 2, cy - hh / 2, cx + ww / 2, cy + hh / 2, top)}


def inspections(works: dict, cells: dict, terrain, rng: np.random.Generator) -> dict:
    """civil_defense_inspections: two to four grid-management records per work."""
    n_each = rng.integers(2, 5, len(works["feature_id"]))
    owner, _ = ragged(n_each)
    b = shapely.bounds(works["geometry"][owner])
    x = rng.uniform(b[:, 0], b[:, 2])
    y = rng.uniform(b[:, 1], b[:, 3])
    z = np.round(terrain.sample(x, y), 2)
    cats = np.array(["fire", "water", "security", "illegal_use", "structure"], dtype=object)
    text = {"fire": "消防设施过期，需更换灭火器", "water": "出入口渗水，地面有积水", "security": "防护门未上锁",
            "illegal_use": "平时用途登记外的经营活动", "structure": "顶板出现裂缝，需检测"}
    cat = cats[rng.integers(0, len(cats), len(owner))]
    status = np.array(["open", "assigned", "resolved", "closed"], dtype=object)[rng.integers(0, 4, len(owner))]
    reported = np.datetime64("2025-01-01T08:00") + rng.integers(0, 300 * 24 * 60, len(owner)).astype("timedelta64[m]")
    closed = np.where(status == "closed", (reported + np.timedelta64(3, "D")).astype(str), None)
    tree = shapely.STRtree(cells["geometry"])
    hit = tree.query(shapely.points(x, y), predicate="intersects")
    cell = np.full(len(x), None, dtype=object)
    cell[hit[0]] = cells["cell_id"][hit[1]]
    n = len(x)
    return {"feature_id": _ids("XC", n, 5), "work_id": works["feature_id"][owner], "category": cat,
            "status": status, "reported": reported.astype(str).astype(object), "closed": closed.astype(object),
            "inspector": np.asarray(names.PEOPLE, dtype=object)[rng.integers(0, len(names.PEOPLE), n)],
            "description": np.array([text[c] for c in cat], dtype=object), "grid_cell": cell,
            "geometry": shapely.points(x, y, z)}


def grid_cells(bounds) -> dict:
    """grid_cells: 100 m cells over the district; streets are 2 km x 2 km groups of cells."""
    x0, y0 = np.floor(bounds[0] / CELL) * CELL, np.floor(bounds[1] / CELL) * CELL
    nxc = int(np.ceil((bounds[2] - x0) / CELL))
    nyc = int(np.ceil((bounds[3] - y0) / CELL))
    cx, cy = (a.ravel() for a in np.meshgrid(np.arange(nxc), np.arange(nyc), indexing="xy"))
    street_idx = ((cy // 20) * ((nxc + 19) // 20) + cx // 20) % len(names.STREETS)
    serial = np.arange(1, len(cx) + 1)
    ids = np.char.add(np.char.add(names.DISTRICT_CODE, np.char.zfill((street_idx + 1).astype(str), 3)),
                      np.char.zfill(serial.astype(str), 5)).astype(object)
    street = np.asarray(names.STREETS, dtype=object)[street_idx]
    return {"cell_id": ids, "district": np.full(len(cx), names.DISTRICT, dtype=object), "street": street,
            "responsible_unit": street + "城市网格化管理中心",
            "geometry": _rect(x0 + cx * CELL, y0 + cy * CELL, x0 + (cx + 1) * CELL, y0 + (cy + 1) * CELL)}


def structures(grid: Grid, slots, terrain) -> dict:
    """structures: utility-tunnel stretches (综合管廊) and elevated-road piers in N-S arterial medians."""
    ns, ew = grid.ns, grid.ew
    parts = []
    zh = slots[(slots["dir"] == 0) & (slots["key"] == "ZH")]
    ys = np.concatenate([[ew.red(0, 0)], ew.centre[1:-1], [ew.red(1, ew.n - 1)]])
    for _, s in zh.iterrows():
        y0, y1 = ys[:-1], ys[1:]
        w = s["w"] / 1000.0
        g = terrain.sample(np.full(len(y0), s["line"]), (y0 + y1) / 2)
        top = np.round(g - s["cover"], 2)
        parts.append({"name": np.full(len(y0), f"{ns.name[s['road']]}综合管廊", dtype=object),
                      "kind": np.full(len(y0), "utility_tunnel", dtype=object), "top_elev": top,
                      "bottom_elev": np.round(top - s["h"] / 1000.0, 2),
                      "owner": np.full(len(y0), names.OWNERS["ZH"], dtype=object),
                      "geometry": _rect(s["line"] - w / 2, y0, s["line"] + w / 2, y1, top)})
    for i in np.flatnonzero(ns.flag["elevated"]):
        x = ns.red(0, i) + ns.median["PIER"][i]
        lo, hi = ew.red(1, np.arange(ew.n - 1)) + 5.0, ew.red(0, np.arange(1, ew.n)) - 5.0
        n = np.floor((hi - lo) / PIER_SPACING).astype(np.int64) + 1
        owner, k = ragged(n)
        y = lo[owner] + ((hi - lo) - PIER_SPACING * (n - 1))[owner] / 2 + PIER_SPACING * k
        g = terrain.sample(np.full(len(y), x), y)
        half = 2.0
        top = np.round(g - 1.0, 2)
        parts.append({"name": np.char.add(f"{ns.name[i]}高架", np.char.add((np.arange(len(y)) + 1).astype(str), "号墩")).astype(object),
                      "kind": np.full(len(y), "pier", dtype=object), "top_elev": top,
                      "bottom_elev": np.round(g - 3.5, 2),
                      "owner": np.full(len(y), "申城城市建设投资有限公司", dtype=object),
                      "geometry": _rect(x - half, y - half, x + half, y + half, top)})
    if not parts:
        return {}
    keys = parts[0].keys()
    cols = {k: np.concatenate([p[k] for p in parts]) for k in keys}
    n = len(cols["name"])
    return {"feature_id": _ids("GZ", n, 5), **cols, "source": np.full(n, "demo", dtype=object)}

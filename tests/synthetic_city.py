"""A synthetic city of pipe segments for clearance tests and benchmarks (TARGETS.md).

A road grid with blocks of 100-250 m, roads 20-60 m wide, 8-12 parallel runs
per road in the GB 50289 order (power at the kerb ... storm in the middle),
manholes / joints every 30-50 m, and laterals from the runs to the kerb that
cross the runs in between.  Runs of crossing roads cross at intersections.
Sizes, covers, pressure classes, burial and quality levels are drawn from
typical ranges (DATA_MODEL.md).  Deterministic for a seed.
"""
from __future__ import annotations

import numpy as np

# (utility, subtype, kind of size) in the order from the road boundary to the centre
RUN_ORDER = [("DL", None, "power"), ("TX", None, "telecom"), ("JS", None, "water_small"),
             ("RQ", None, "gas"), ("RL", None, "heat"), ("TX", None, "telecom"),
             ("RQ", None, "gas_big"), ("JS", None, "water_big"), ("JS", "ZS", "reclaimed"),
             ("PS", "WS", "sewer"), ("PS", "YS", "storm"), ("DL", None, "power")]
QLS = np.array(["QL-A", "QL-B", "QL-C", "QL-D"], dtype=object)
QL_P = [0.6, 0.3, 0.08, 0.02]
GROUND = 4.0
ORIGIN = (500_000.0, 3_400_000.0)


def _size(kind: str, rng) -> dict:
    if kind == "power":
        return {"shape": "rect", "width_mm": float(rng.choice([600, 800, 1000, 1200])),
                "height_mm": float(rng.choice([400, 600, 800])), "burial": str(rng.choice(["排管", "直埋"])),
                "cover": rng.uniform(0.7, 1.0)}
    if kind == "telecom":
        return {"shape": "rect", "width_mm": float(rng.choice([300, 500, 800])),
                "height_mm": float(rng.choice([300, 400, 500])), "burial": str(rng.choice(["管块", "直埋"])),
                "cover": rng.uniform(0.7, 1.0)}
    if kind in ("water_small", "water_big", "reclaimed"):
        dn = float(rng.choice([100, 150, 200, 300]) if kind == "water_small" else rng.choice([300, 500, 800, 1200]))
        return {"shape": "circle", "diameter_mm": dn, "material": "球墨铸铁", "cover": rng.uniform(0.8, 1.5)}
    if kind in ("gas", "gas_big"):
        dn = float(rng.choice([100, 200, 300]) if kind == "gas" else rng.choice([300, 400, 500]))
        return {"shape": "circle", "diameter_mm": dn, "material": "钢",
                "pressure_mpa": float(rng.choice([0.005, 0.1, 0.3, 0.6, 1.2])), "cover": rng.uniform(0.9, 1.5)}
    if kind == "heat":
        return {"shape": "circle", "diameter_mm": float(rng.choice([200, 300, 400, 600])), "material": "钢",
                "burial": "直埋", "cover": rng.uniform(1.0, 1.8)}
    if kind in ("sewer", "storm"):
        if rng.random() < 0.15:
            return {"shape": "rect", "width_mm": float(rng.choice([1000, 1500, 2000])),
                    "height_mm": float(rng.choice([1000, 1500])), "material": "钢筋混凝土",
                    "cover": rng.uniform(1.5, 3.0)}
        return {"shape": "circle", "diameter_mm": float(rng.choice([300, 400, 600, 800, 1000, 1500])),
                "material": "钢筋混凝土", "cover": rng.uniform(1.5, 4.0)}
    raise ValueError(kind)


def _outside(size: dict) -> tuple[float, float]:
    from gis.sections import outside_size

    w, h, _, _ = outside_size(size.get("shape"), size.get("diameter_mm", np.nan), size.get("width_mm", np.nan),
                              size.get("height_mm", np.nan), np.nan, size.get("material"))
    return float(np.nan_to_num(w[0])), float(np.nan_to_num(h[0]))


def city(n_segments: int = 20_000, seed: int = 1, lateral_p: float = 0.3):
    """A GeoDataFrame of about ``n_segments`` two-point pipe segments (EPSG:4549)."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    rng = np.random.default_rng(seed)
    extent = float(np.sqrt(n_segments / 0.0037))
    xs = np.cumsum(rng.uniform(100, 250, size=int(extent / 100) + 2))
    xs = xs[xs < extent]
    ys = np.cumsum(rng.uniform(100, 250, size=int(extent / 100) + 2))
    ys = ys[ys < extent]
    columns: dict[str, list] = {k: [] for k in (
        "line_id", "utility", "subtype", "start_point", "end_point", "shape", "diameter_mm", "width_mm",
        "height_mm", "material", "pressure_mpa", "burial", "quality_level", "owner", "road")}
    seg_coords = []

    def add(n, **values):
        for k in columns:
            v = values.get(k)
            columns[k].append(v if isinstance(v, np.ndarray) else np.full(n, v, dtype=object))

    for axis, positions in ((0, xs), (1, ys)):
        for r, pos in enumerate(positions):
            road = f"{'NS' if axis == 0 else 'EW'}{r}"
            width = rng.uniform(20, 60)
            k = int(rng.integers(8, 13))
            order = sorted(rng.choice(len(RUN_ORDER), size=k, replace=False))
            offset = pos - width / 2 + rng.uniform(1.0, 2.5)
            for q, which in enumerate(order):
                util, sub, kind = RUN_ORDER[which]
                size = _size(kind, rng)
                w_out, h_out = _outside(size)
                offset += w_out / 2
                across = offset
                offset += w_out / 2 + rng.uniform(0.5, 3.0)
                steps = rng.uniform(30, 50, size=int(extent / 30) + 2)
                along = np.concatenate([[0.0], np.cumsum(steps)])
                along = along[along < extent]
                m = len(along) - 1
                if m < 1:
                    continue
                z = GROUND - size["cover"] - h_out / 2 + np.cumsum(rng.normal(0, 0.05, size=m + 1))
                pid = np.array([f"{road}-{q}-{i}" for i in range(m + 1)], dtype=object)
                xy_along = along
                if axis == 0:
                    x = np.full(m + 1, across)
                    y = xy_along
                else:
                    x = xy_along
                    y = np.full(m + 1, across)
                seg = np.stack([np.column_stack([x[:-1], y[:-1], z[:-1]]),
                                np.column_stack([x[1:], y[1:], z[1:]])], axis=1)
                seg_coords.append(seg)
                ql = rng.choice(QLS, size=m, p=QL_P)
                base = {key: size.get(key) for key in ("shape", "diameter_mm", "width_mm", "height_mm",
                                                        "material", "pressure_mpa", "burial")}
                add(m, line_id=np.array([f"{p}~" for p in pid[:-1]], dtype=object), utility=util,
                    subtype=sub, start_point=pid[:-1], end_point=pid[1:], quality_level=ql,
                    owner=f"{util} company", road=road, **base)
                # laterals to the nearer kerb, crossing the runs in between
                lat = np.flatnonzero(rng.random(m) < lateral_p) + 1
                lat = lat[lat < m]
                if len(lat):
                    kerb = pos - width / 2 - 2.0 if across < pos else pos + width / 2 + 2.0
                    jitter = rng.uniform(-3.0, 3.0, size=len(lat))
                    a_along = along[lat]
                    b_along = a_along + jitter
                    if axis == 0:
                        p0 = np.column_stack([x[lat], a_along, z[lat]])
                        p1 = np.column_stack([np.full(len(lat), kerb), b_along, z[lat] + rng.uniform(0.1, 0.6, len(lat))])
                    else:
                        p0 = np.column_stack([a_along, y[lat], z[lat]])
                        p1 = np.column_stack([b_along, np.full(len(lat), kerb), z[lat] + rng.uniform(0.1, 0.6, len(lat))])
                    seg_coords.append(np.stack([p0, p1], axis=1))
                    lsize = {"shape": "circle", "diameter_mm": 150.0 if util != "PS" else 300.0,
                             "material": size.get("material")} if util in ("JS", "PS", "RQ", "RL") else \
                        {key: size.get(key) for key in ("shape", "width_mm", "height_mm")}
                    add(len(lat),
                        line_id=np.array([f"{p}~L" for p in pid[lat]], dtype=object), utility=util, subtype=sub,
                        start_point=pid[lat], end_point=np.array([f"{p}L" for p in pid[lat]], dtype=object),
                        quality_level=rng.choice(QLS, size=len(lat), p=QL_P), owner=f"{util} company",
                        road=road, burial=size.get("burial"), pressure_mpa=size.get("pressure_mpa"), **lsize)
    allc = np.concatenate(seg_coords)
    allc[:, :, 0] += ORIGIN[0]
    allc[:, :, 1] += ORIGIN[1]
    geoms = shapely.linestrings(allc.reshape(-1, 3), indices=np.repeat(np.arange(len(allc)), 2))
    data = {k: np.concatenate(v) for k, v in columns.items()}
    df = pd.DataFrame(data)
    for c in ("diameter_mm", "width_mm", "height_mm", "pressure_mpa"):
        df[c] = pd.to_numeric(df[c], errors="coerce")
    return gpd.GeoDataFrame(df, geometry=geoms, crs="EPSG:4549")

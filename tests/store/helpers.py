"""Small builders of registry-conformant GeoDataFrames for store tests."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely


def segments(n: int, crs, prefix: str = "L", utility: str = "JS", seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` two-point LineString Z pipe segments with Chinese attributes."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(500000, 501000, n)
    y = rng.uniform(3450000, 3451000, n)
    z0, z1 = rng.uniform(1, 3, n), rng.uniform(1, 3, n)
    coords = np.stack([np.stack([x, y, z0], 1), np.stack([x + 30, y + 5, z1], 1)], 1)
    return gpd.GeoDataFrame({
        "line_id": [f"{prefix}{i}" for i in range(n)],
        "utility": utility,
        "diameter_mm": rng.choice([300.0, 600.0, 1000.0], n),
        "material": "球墨铸铁",
        "owner": "上海城投水务",
        "build_year": np.where(np.arange(n) % 3 == 0, np.nan, 2005.0),
        "road": "世纪大道",
    }, geometry=shapely.linestrings(coords), crs=crs)


def points(n: int, crs, prefix: str = "P") -> gpd.GeoDataFrame:
    """``n`` Point Z pipe points (Z = ground elevation)."""
    x = 500000 + np.arange(n) * 3.0
    y = np.full(n, 3450000.0)
    z = np.full(n, 4.2)
    return gpd.GeoDataFrame({
        "point_id": [f"{prefix}{i}" for i in range(n)], "utility": "WS", "feature": "直线点",
        "appurtenance": np.where(np.arange(n) % 2 == 0, "检查井", None), "ground_elev": z,
        "well_depth": 3.5, "survey_date": "2026-10-01", "quality_level": "QL-B",
    }, geometry=shapely.points(np.stack([x, y, z], 1)), crs=crs)

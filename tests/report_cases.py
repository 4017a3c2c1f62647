"""Small real projects with known findings for the report tests (written through the store API)."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from tests.test_clearance import X0, Y0, seg

EVIL_OWNER = "<script>alert('owner')</script>"
SENSITIVE_ID = "RF-001"
SENSITIVE_NAME = "某某人防指挥所"


def clearance_project(path: Path):
    """Sewer WS1 with four neighbours, one finding each, rules of every confidence:

    - JS1 parallel, 0.90 m clear against 1.00 (H-PS-JS1, verified, minor)
    - JS2 crosses JS1, vertical against an unverified rule (owner with a <script> name)
    - DL1 in protective duct crosses WS1, 0.15 m against 0.25 (V-PS-DL-duct, disputed)
    - ZS1 reclaimed water parallel, 0.30 m against 0.50 (single-source)
    """
    from gis.store import Project

    rows = [
        seg("WS1", "WS", [(0, 0, -2), (30, 0, -2)], diameter_mm=400, owner="排水公司", quality_level="QL-A"),
        seg("JS1", "JS", [(0, 1.175, -1), (30, 1.175, -1)], diameter_mm=150, owner="自来水公司",
            quality_level="QL-A"),
        seg("JS2", "JS", [(10, -10, -1.3), (10, 10, -1.3)], diameter_mm=150, owner=EVIL_OWNER,
            quality_level="QL-A"),
        seg("DL1", "DL", [(20, -10, -1.55), (20, 10, -1.55)], shape="rect", width_mm=200, height_mm=200,
            burial="保护管", owner="电力公司", quality_level="QL-A"),
        seg("ZS1", "ZS", [(0, -0.55, -2), (8, -0.55, -2)], diameter_mm=100, owner="再生水公司",
            quality_level="QL-A"),
    ]
    proj = Project.create(path)
    with proj.transaction() as txn:
        txn.insert("pipe_segments", gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=proj.crs))
    return proj


def many_findings_project(path: Path, n: int = 50):
    """``n`` water pipes east-west crossing ``n`` sewers north-south too close: n * n vertical findings."""
    from gis.store import Project

    rows = [seg(f"JS{i:03d}", "JS", [(-5, 2.0 * i, -1.5), (2.0 * n, 2.0 * i, -1.5)], diameter_mm=150,
                owner=f"供水{i % 3}所", quality_level="QL-A") for i in range(n)]
    rows += [seg(f"WS{j:03d}", "WS", [(2.0 * j + 1, -5, -1.9), (2.0 * j + 1, 2.0 * n, -1.9)], diameter_mm=300,
                 owner="排水公司", quality_level="QL-A") for j in range(n)]
    proj = Project.create(path)
    with proj.transaction() as txn:
        txn.insert("pipe_segments", gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=proj.crs))
    return proj


def excavation_project(path: Path):
    """A water pipe and a civil-defense work (sensitive) both inside a planned excavation's buffer."""
    from gis.store import Project

    proj = Project.create(path)
    pipe = pd.DataFrame([seg("JS9", "JS", [(0, 0, -1.0), (40, 0, -1.0)], diameter_mm=200, owner="自来水公司",
                             quality_level="QL-B")])
    work = shapely.Polygon([(X0 + 10, Y0 + 8, -3), (X0 + 30, Y0 + 8, -3), (X0 + 30, Y0 + 20, -3),
                            (X0 + 10, Y0 + 20, -3)])
    with proj.transaction() as txn:
        txn.insert("pipe_segments", gpd.GeoDataFrame(pipe, geometry="geometry", crs=proj.crs))
        txn.insert("civil_defense_works", gpd.GeoDataFrame(
            [{"feature_id": SENSITIVE_ID, "name": SENSITIVE_NAME, "top_elev": -3.0, "bottom_elev": -9.0,
              "owner": "人防办"}], geometry=[work], crs=proj.crs))
    return proj


EXCAVATION_WKT = (f"POLYGON(({X0 + 5} {Y0 - 3},{X0 + 35} {Y0 - 3},{X0 + 35} {Y0 + 7.8},"
                  f"{X0 + 5} {Y0 + 7.8},{X0 + 5} {Y0 - 3}))")

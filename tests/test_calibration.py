"""Coordinates: frame -> project CRS, 4-/7-parameter fits, heights, project calibration."""
from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from gis.geodesy import GeodesyError
from gis.geodesy.calibration import ProjectGeodesy, fit_project_calibration, store_calibration
from gis.geodesy.frames import ecef_to_geodetic, geodetic_to_ecef
from gis.geodesy.heights import GeoidGrid, fit_anomaly_plane
from gis.geodesy.similarity import Helmert7, fit_4param, fit_7param
from gis.store import Project
from tests.conftest import run_cli

EGM96 = "/usr/share/proj/egm96_15.gtx"


def test_cgcs2000_to_4549_equals_pyproj(project):
    from pyproj import Transformer

    lat, lon, h = 31.2304, 121.4737, 20.0
    geo = ProjectGeodesy(project.crs, "CGCS2000")
    conv = geo.convert(lat, lon, h, allow_ellipsoidal=True)
    x, y = Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True).transform(lon, lat)
    assert (conv.x[0], conv.y[0]) == (x, y) and conv.h[0] == h


def test_4param_recovers_known_rotation_scale_shift():
    rng = np.random.default_rng(7)
    src = rng.uniform(-2000, 2000, (8, 2)) + [440000, 3460000]
    angle, scale = math.radians(-0.8123), 0.99996
    a, b = scale * math.cos(angle), scale * math.sin(angle)
    dst = np.column_stack((a * src[:, 0] - b * src[:, 1] + 1523.25, b * src[:, 0] + a * src[:, 1] - 987.5))
    fit = fit_4param(src, dst)
    assert fit.rotation_deg == pytest.approx(-0.8123, abs=1e-10) and fit.scale == pytest.approx(scale, abs=1e-12)
    assert fit.apply(src) == pytest.approx(dst, abs=1e-6) and fit.rms() < 1e-6
    dst[3] += [0.03, -0.04]                                  # one bad control point shows in its residual
    res = np.array(fit_4param(src, dst).residuals)
    assert np.argmax(np.hypot(res[:, 0], res[:, 1])) == 3


def test_7param_recovers_known_helmert_and_agrees_with_proj():
    from pyproj import Transformer

    lat = np.array([31.1, 31.3, 31.2, 31.05, 31.35])
    lon = np.array([121.3, 121.5, 121.7, 121.45, 121.6])
    src = geodetic_to_ecef(lat, lon, np.array([10, 20, 15, 30, 5.0]), 6378137.0, 0.00669438002290)
    truth = Helmert7(-95.3, 121.7, 87.1, 1.25, -2.5, 3.75, 4.2)
    fit = fit_7param(src, truth.apply(src))
    for k in ("tx", "ty", "tz", "rx_arcsec", "ry_arcsec", "rz_arcsec", "scale_ppm"):
        assert getattr(fit, k) == pytest.approx(getattr(truth, k), abs=1e-5), k
    proj = Transformer.from_pipeline("+proj=helmert +x=-95.3 +y=121.7 +z=87.1 +rx=1.25 +ry=-2.5 +rz=3.75 "
                                     "+s=4.2 +convention=position_vector +exact")
    by_proj = np.column_stack(proj.transform(src[:, 0], src[:, 1], src[:, 2]))
    assert truth.apply(src) == pytest.approx(by_proj, abs=1e-6)
    back = ecef_to_geodetic(src, 6378137.0, 0.00669438002290)
    assert back[0] == pytest.approx(lat, abs=1e-10) and back[2] == pytest.approx([10, 20, 15, 30, 5], abs=1e-6)
    with pytest.raises(GeodesyError):
        fit_7param(src[:2], src[:2])


def test_geoid_grid_matches_proj_and_missing_grid_is_an_error():
    import pyproj
    from pyproj import Transformer

    grid = GeoidGrid(EGM96)
    lat, lon = np.array([31.23, 41.575, -45.88, 0.1]), np.array([121.47, -93.75, 170.5, 179.9])
    pyproj.datadir.append_data_dir("/usr/share/proj")
    t = Transformer.from_crs("EPSG:4979", "EPSG:4326+5773", always_xy=True)
    _, _, h = t.transform(lon, lat, np.zeros(4))
    assert grid.undulation(lat, lon) == pytest.approx(-h, abs=1e-3)
    with pytest.raises(GeodesyError, match="no such file"):
        GeoidGrid("/nonexistent/geoid.gtx")


def test_anomaly_plane_fit():
    x, y = np.array([0.0, 1000, 0, 1000, 500]), np.array([0.0, 0, 1000, 1000, 500])
    zeta = 8.0 + 0.0002 * x - 0.0001 * y
    plane = fit_anomaly_plane(x, y, zeta)
    assert plane.anomaly(250, 750) == pytest.approx(8.0 + 0.05 - 0.075) and plane.rms() < 1e-9
    assert fit_anomaly_plane(x[:1], y[:1], zeta[:1]).anomaly(999, 999) == pytest.approx(zeta[0])


def _control_project(tmp_path, shift=(12.5, -7.25), rot_deg=0.01, dz=3.2):
    """A project in EPSG:4549 whose 'local grid' is a rotated/shifted copy of pyproj's coordinates."""
    from pyproj import Transformer

    path = tmp_path / "local.gpkg"
    proj = Project.create(path)
    lat = np.array([31.20, 31.26, 31.21, 31.27, 31.235])
    lon = np.array([121.44, 121.45, 121.52, 121.51, 121.48])
    h_ell = np.array([12.0, 14.0, 11.0, 16.0, 13.0])
    x, y = Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True).transform(lon, lat)
    a, b = math.cos(math.radians(rot_deg)), math.sin(math.radians(rot_deg))
    cx, cy = x.mean(), y.mean()
    X = a * (x - cx) - b * (y - cy) + cx + shift[0]
    Y = b * (x - cx) + a * (y - cy) + cy + shift[1]
    H = h_ell - (dz + 1e-5 * (x - cx))
    gdf = gpd.GeoDataFrame({"point_id": [f"C{i}" for i in range(5)], "lat": lat, "lon": lon, "h_ell": h_ell,
                            "frame": "CGCS2000"}, geometry=[Point(*p) for p in zip(X, Y, H)], crs=proj.crs)
    with proj.transaction() as txn:
        txn.insert("control_points", gdf)
    return proj, (lat, lon, h_ell, X, Y, H)


def test_project_4param_calibration_and_anomaly_plane(tmp_path):
    proj, (lat, lon, h_ell, X, Y, H) = _control_project(tmp_path)
    report = fit_project_calibration(proj, "4")
    assert report["calibration"]["rms"] < 1e-4 and len(report["residuals"]) == 5
    assert report["calibration"]["a"] ** 2 + report["calibration"]["b"] ** 2 == pytest.approx(1.0, abs=1e-9)
    store_calibration(proj, report)
    proj.close()
    with Project.open(tmp_path / "local.gpkg", readonly=True) as again:
        geo = ProjectGeodesy.from_project(again)
        assert json.loads(again.meta["calibration"])["method"] == "4-parameter"
    conv = geo.convert(lat, lon, h_ell)
    assert conv.x == pytest.approx(X, abs=1e-4) and conv.y == pytest.approx(Y, abs=1e-4)
    assert conv.h == pytest.approx(H, abs=1e-6) and conv.height_method.startswith("height-anomaly plane")


def test_project_7param_calibration_via_cli(tmp_path):
    proj, (lat, lon, h_ell, X, Y, H) = _control_project(tmp_path, shift=(0.8, -0.6), rot_deg=0.0005)
    proj.close()
    res = run_cli("gnss", "calibrate", tmp_path / "local.gpkg", "--method", "7", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["calibration"]["method"] == "7-parameter" and [r["point_id"] for r in doc["residuals"]] == \
        [f"C{i}" for i in range(5)]
    assert doc["calibration"]["rms"] < 0.01
    with Project.open(tmp_path / "local.gpkg", readonly=True) as again:
        conv = ProjectGeodesy.from_project(again).convert(lat, lon, h_ell)
    assert conv.x == pytest.approx(X, abs=0.01) and conv.y == pytest.approx(Y, abs=0.01)


def test_calibration_needs_enough_points(tmp_path):
    proj = Project.create(tmp_path / "empty.gpkg")
    with pytest.raises(GeodesyError, match="at least 2 control points"):
        fit_project_calibration(proj, "4")
    proj.close()

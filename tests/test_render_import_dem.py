"""`subterra import PROJECT DEM --kind dem`: any CRS reprojected, nodata kept, atomic, logged."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from affine import Affine

from gis.errors import InputRejected
from gis.store import Project
from importers.dem import import_dem
from tests.conftest import run_cli

NODATA = -32768.0


def write_dem(path, crs, origin, cell, elev, nodata=NODATA):
    with rasterio.open(path, "w", driver="GTiff", width=elev.shape[1], height=elev.shape[0], count=1,
                       dtype="float32", crs=crs, transform=Affine(cell, 0, origin[0], 0, -cell, origin[1]), nodata=nodata) as ds:
        ds.write(elev.astype("float32"), 1)
    return path


@pytest.fixture
def utm_dem(tmp_path):
    """A 200 m x 200 m ramp in UTM 51N (Shanghai): z = 3 + 0.02 * (x - x0), nodata in the NE corner."""
    x0, y0 = 350_000.0, 3_450_000.0
    cols = np.arange(100) * 2.0 + 1.0
    elev = 3.0 + 0.02 * np.broadcast_to(cols, (100, 100)).copy()
    elev[:20, 80:] = NODATA
    return write_dem(tmp_path / "ramp.tif", "EPSG:32651", (x0, y0 + 200), 2.0, elev), (x0, y0)


def test_reprojects_keeps_nodata_and_logs(project, utm_dem):
    path, (x0, y0) = utm_dem
    report = import_dem(project, path)
    assert report["accepted"]["terrain"] > 0 and any("reprojected" in w for w in report["warnings"])
    ter = project.terrain()
    to_project = Transformer.from_crs("EPSG:32651", project.crs, always_xy=True)
    # inside the valid area the reprojected ramp keeps its values
    for ux, uy in [(x0 + 50, y0 + 50), (x0 + 120, y0 + 20), (x0 + 30, y0 + 170)]:
        px, py = to_project.transform(ux, uy)
        assert ter.sample(px, py) == pytest.approx(3.0 + 0.02 * (ux - x0), abs=0.02)
    # the nodata corner stays nodata, and no fill value leaks in as an elevation
    px, py = to_project.transform(x0 + 190, y0 + 190)
    assert np.isnan(ter.sample(px, py))
    assert np.nanmin(ter.elev) > 2.9 and np.nanmax(ter.elev) < 7.1
    log = project.import_log()[-1]
    assert log["kind"] == "dem"
    assert json.loads(log["sha256"]) == [hashlib.sha256(path.read_bytes()).hexdigest()]
    assert json.loads(log["accepted"]) == {"terrain": report["valid_cells"]}


def test_same_crs_is_stored_unchanged(project, tmp_path):
    elev = np.arange(12.0).reshape(3, 4) + 4.0
    elev[1, 2] = NODATA
    path = write_dem(tmp_path / "same.tif", "EPSG:4549", (500_000.0, 3_400_030.0), 10.0, elev)
    import_dem(project, path)
    ter = project.terrain()
    expected = np.where(elev == NODATA, np.nan, elev)
    np.testing.assert_array_equal(ter.elev, expected)
    assert tuple(ter.transform)[:6] == (10.0, 0.0, 500_000.0, 0.0, -10.0, 3_400_030.0)


def test_dem_without_crs_needs_src_crs(project, tmp_path):
    path = write_dem(tmp_path / "nocrs.tif", None, (500_000.0, 3_400_030.0), 10.0, np.full((3, 3), 4.0))
    with pytest.raises(InputRejected, match="no CRS"):
        import_dem(project, path)
    assert project.terrain() is None
    import_dem(project, path, src_crs="EPSG:4549")
    assert np.nanmean(project.terrain().elev) == pytest.approx(4.0)


def test_cli_import_dem_and_bad_input(tmp_path, utm_dem):
    path, _ = utm_dem
    proj_path = tmp_path / "p.gpkg"
    Project.create(proj_path).close()
    res = run_cli("import", proj_path, path, "--kind", "dem", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["accepted"]["terrain"] > 0
    before = hashlib.sha256(proj_path.read_bytes()).digest()
    bad = tmp_path / "broken.tif"
    bad.write_bytes(b"II*\x00 not really a tiff")
    for source, words in [(bad, "cannot read as a raster"), (tmp_path / "missing.tif", "no such file")]:
        res = run_cli("import", proj_path, source, "--kind", "dem")
        assert res.returncode == 2
        assert words in res.stderr and str(source.name) in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1
    assert hashlib.sha256(proj_path.read_bytes()).digest() == before
    res = run_cli("import", proj_path, path, "--kind", "lidar")
    assert res.returncode == 1 and "unknown" in res.stderr

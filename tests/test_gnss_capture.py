"""Point capture from real logs served over TCP, through the CLI into a real project."""
from __future__ import annotations

import json

import pytest

from gis.store import Project
from tests.conftest import run_cli
from tests.gnss_peers import DATA, NmeaReceiver

EGM96 = "/usr/share/proj/egm96_15.gtx"      # Debian proj-data (.ci/system-deps.sh)


@pytest.fixture
def utm_project(tmp_path):
    path = tmp_path / "iowa.gpkg"
    Project.create(path, crs="EPSG:32615").close()
    return path


@pytest.fixture
def trimble():
    rx = NmeaReceiver((DATA / "gpsd-nmea-rtk.log").read_bytes(), lines_per_s=3000)
    yield rx
    rx.close()


def _survey(project, rx, *extra, wait: str = "3"):
    """Survey from a TCP receiver; a refused occupation waits ``wait`` s for better epochs."""
    return run_cli("gnss", "survey", project, "--source", rx.url, "--frame", "WGS84", "--timeout", wait, "--json",
                   *extra, timeout=60)


def test_rtk_fixed_epochs_captured_dgps_refused(utm_project, trimble):
    from pyproj import Transformer

    res = _survey(utm_project, trimble, "--point-id", "P1", "--epochs", "18", "--ellipsoidal-heights",
                  "--antenna-height", "1.8", "--utility", "WS", "--feature", "三通", "--depth", "1.35")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["fix"] == "rtk_fixed" and doc["epochs"] == 18 and doc["refused_epochs"] == {"dgps": 104}
    assert doc["frame"] == "WGS84" and doc["spread_h"] < 0.05
    assert doc["lat"] == pytest.approx(41.575, abs=0.001) and doc["lon"] == pytest.approx(-93.7506, abs=0.001)
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32615", always_xy=True).transform(doc["lon"], doc["lat"])
    assert (doc["x"], doc["y"]) == (pytest.approx(x, abs=1e-6), pytest.approx(y, abs=1e-6))
    # fixed GGAs: 280.83 m MSL + (-31.442) m separation, minus the 1.8 m pole
    assert doc["h_ell"] == pytest.approx(280.83 - 31.442 - 1.8, abs=0.01) and doc["antenna_height"] == 1.8
    with Project.open(utm_project, readonly=True) as proj:
        sp = proj.read("survey_points")
        pp = proj.read("pipe_points")
    assert list(sp["point_id"]) == ["P1"] and sp["fix"][0] == "rtk_fixed" and sp["epochs"][0] == 18
    assert sp["receiver"][0] == trimble.url and sp["correction_age"][0] > 0
    assert sp.geometry[0].x == pytest.approx(doc["x"]) and sp.geometry[0].z == pytest.approx(doc["h"])
    assert (pp["point_id"][0], pp["utility"][0], pp["subtype"][0], pp["feature"][0], pp["depth"][0]) == \
        ("P1", "PS", "WS", "三通", 1.35)
    assert pp["ground_elev"][0] == pytest.approx(doc["h"])


def test_not_enough_fixed_epochs_is_refused_and_nothing_stored(utm_project, trimble):
    res = _survey(utm_project, trimble, "--point-id", "P2", "--epochs", "19", "--ellipsoidal-heights")
    assert res.returncode == 3
    assert "18 consecutive epochs met --require fixed" in res.stderr and "104 dgps" in res.stderr
    assert json.loads(res.stdout)["stored"] is False
    with Project.open(utm_project, readonly=True) as proj:
        assert proj.count("survey_points") == 0


def test_any_fix_takes_dgps_and_max_sigma_without_gst_refuses(utm_project, trimble):
    res = _survey(utm_project, trimble, "--point-id", "P3", "--epochs", "5", "--require", "any",
                  "--ellipsoidal-heights")
    assert res.returncode == 0 and json.loads(res.stdout)["fix"] == "dgps"
    rx = NmeaReceiver((DATA / "gpsd-nmea-rtk.log").read_bytes(), lines_per_s=3000)
    try:
        res = _survey(utm_project, rx, "--point-id", "P4", "--epochs", "5", "--max-sigma", "0.05",
                      "--ellipsoidal-heights")
    finally:
        rx.close()
    assert res.returncode == 3 and "no GST" in res.stderr


def test_heights_need_a_grid_and_use_it(utm_project, trimble):
    res = _survey(utm_project, trimble, "--point-id", "P5", "--epochs", "10")
    assert res.returncode == 2 and "no geoid grid" in res.stderr
    assert run_cli("gnss", "calibrate", utm_project, "--geoid", "/nonexistent.gtx").returncode == 2
    assert run_cli("gnss", "calibrate", utm_project, "--geoid", EGM96).returncode == 0
    rx = NmeaReceiver((DATA / "gpsd-nmea-rtk.log").read_bytes(), lines_per_s=3000)
    try:
        res = _survey(utm_project, rx, "--point-id", "P5", "--epochs", "10")
    finally:
        rx.close()
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    import pyproj
    from pyproj import Transformer

    pyproj.datadir.append_data_dir("/usr/share/proj")
    t = Transformer.from_crs("EPSG:4979", "EPSG:4326+5773", always_xy=True)
    _, _, h_proj = t.transform(doc["lon"], doc["lat"], doc["h_ell"])
    assert h_proj != pytest.approx(doc["h_ell"], abs=1.0)     # PROJ really applied the grid here
    assert doc["h"] == pytest.approx(h_proj, abs=0.005) and doc["height_method"] == "geoid grid egm96_15.gtx"


def test_f9p_sigmas_checked(tmp_path):
    path = tmp_path / "nz.gpkg"
    Project.create(path, crs="EPSG:2193").close()
    for limit, code in (("10", 0), ("1", 3)):
        rx = NmeaReceiver((DATA / "gpsd-ublox-zed-f9p-nmea.log").read_bytes(), lines_per_s=3000)
        try:
            res = run_cli("gnss", "survey", path, "--source", rx.url, "--point-id", f"N{limit}", "--epochs", "5",
                          "--require", "any", "--max-sigma", limit, "--ellipsoidal-heights", "--json",
                          "--timeout", "3")
        finally:
            rx.close()
        assert res.returncode == code, res.stderr
    doc = json.loads(run_cli("gnss", "status", "--source", f"file://{DATA / 'gpsd-ublox-zed-f9p-nmea.log'}",
                             "--json").stdout)
    assert doc["sigma_h"] > 1 and doc["nmea"]["bad_checksum"] == 0
    with Project.open(path, readonly=True) as proj:
        sp = proj.read("survey_points")
    assert list(sp["point_id"]) == ["N10"] and sp["sigma_h"][0] > 4 and sp["sats_bds"][0] > 0

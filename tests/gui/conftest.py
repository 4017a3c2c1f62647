"""GUI test fixtures: isolated settings, a main window, small projects on disk."""
from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from app.gui import i18n
from app.gui import settings as st


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own settings INI and starts in English."""
    monkeypatch.setenv(st.SETTINGS_ENV, str(tmp_path / "settings.ini"))
    i18n.set_language("en")
    yield tmp_path / "settings.ini"
    i18n.set_language("en")


@pytest.fixture
def standin_viewers(monkeypatch):
    """TEMPORARY: the viewers branch has not landed; use recording stand-ins."""
    from app.gui import main_window
    from tests.gui import standins

    monkeypatch.setattr(main_window, "create_views",
                        lambda parent: (standins.StandInView(parent), standins.StandInView(parent)))
    mod = types.ModuleType("viewers.scene")
    mod.build_project_scene = standins.build_project_scene
    monkeypatch.setitem(sys.modules, "viewers.scene", mod)


def make_window(qtbot, qapp, language: str | None = "en"):
    """A shown main window with isolated settings, its views created (language None: as saved)."""
    from app.gui.main import configure_application
    from app.gui.main_window import MainWindow

    settings = st.open_settings()
    if language is not None:
        settings.setValue(st.KEY_LANGUAGE, language)
    configure_application(qapp, settings)
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitActive(win)
    qtbot.waitUntil(lambda: win.map2d is not None, timeout=30000)
    return win


@pytest.fixture
def window(qtbot, qapp, standin_viewers):
    """The main window in English."""
    return make_window(qtbot, qapp)


def open_and_wait(qtbot, win, path: str, timeout: int = 60000) -> None:
    """Open ``path`` in ``win`` and wait until it is shown."""
    with qtbot.waitSignal(win.project_loaded, timeout=timeout):
        assert win.open_project(str(path))


@pytest.fixture
def small_project(tmp_path):
    """A project with three pipes of three utilities, one pipe point and a flat terrain."""
    import geopandas as gpd
    from affine import Affine
    from shapely.geometry import LineString, Point

    from gis.store import Project

    path = tmp_path / "small.gpkg"
    proj = Project.create(path)
    x0, y0 = 500000.0, 3450000.0
    segs = gpd.GeoDataFrame({
        "line_id": ["JS1-JS2", "WS1-WS2", "DL1-DL2"],
        "utility": ["JS", "PS", "DL"], "subtype": [None, "WS", None],
        "diameter_mm": [300.0, 600.0, None], "width_mm": [None, None, 800.0],
        "height_mm": [None, None, 500.0], "material": ["球墨铸铁", "钢筋混凝土", "PVC"],
    }, geometry=[LineString([(x0, y0 + 10 * i, 2.0 - i), (x0 + 100, y0 + 10 * i, 2.0 - i)])
                 for i in range(3)], crs=proj.crs)
    points = gpd.GeoDataFrame({"point_id": ["JS1"], "utility": ["JS"], "ground_elev": [4.0],
                               "appurtenance": ["阀门"]},
                              geometry=[Point(x0, y0, 4.0)], crs=proj.crs)
    with proj.transaction() as txn:
        txn.insert("pipe_segments", segs)
        txn.insert("pipe_points", points)
    proj.set_terrain(np.full((20, 20), 4.0), Affine(10.0, 0, x0 - 50, 0, -10.0, y0 + 150), "test")
    proj.close()
    return path

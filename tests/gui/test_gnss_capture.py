"""Survey point / pipe point capture in the app: the real Trimble RTK log over TCP into a real project."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QProgressDialog, QPushButton

from app.gui.gnss_controller import POSITION_MARKER, SURVEY_MARKER, SURVEY_RGB
from app.gui.gnss_plots import FIX_RGB
from app.gui.gnss_dialogs import CaptureDialog
from gis.store import Project
from tests.gnss_peers import DATA, NmeaReceiver
from tests.gui.conftest import make_window, open_and_wait, press, screen_pos, when_modal

TRIMBLE = (DATA / "gpsd-nmea-rtk.log").read_bytes()
LAT, LON = 41.575030, -93.750598            # where the Trimble log's RTK-fixed epochs are
H_ELL = 280.83 - 31.442                     # their GGA altitude + geoid separation


def _utm(lat: float, lon: float) -> tuple[float, float]:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:32615", always_xy=True).transform(lon, lat)


@pytest.fixture
def iowa_project(tmp_path):
    """A UTM 15N project with two water mains 5 m either side of the surveyed spot, no geoid grid."""
    import geopandas as gpd
    from shapely.geometry import LineString

    x, y = _utm(LAT, LON)
    path = tmp_path / "iowa.gpkg"
    proj = Project.create(path, crs="EPSG:32615")
    pipes = gpd.GeoDataFrame({"line_id": ["W1", "W2"], "utility": ["JS", "JS"], "diameter_mm": [300.0, 300.0]},
                             geometry=[LineString([(x - 20, y + dy, 246.0), (x + 20, y + dy, 246.0)])
                                       for dy in (5.0, -5.0)], crs=proj.crs)
    with proj.transaction() as txn:
        txn.insert("pipe_segments", pipes)
    proj.close()
    return path


@pytest.fixture
def trimble():
    rx = NmeaReceiver(TRIMBLE, lines_per_s=250, loop=True)     # 104 DGPS then 18 RTK-fixed epochs, again
    yield rx
    rx.close()


@pytest.fixture
def surveying(qtbot, qapp, iowa_project, trimble):
    """The window on the project, its receiver connected to the Trimble log."""
    win = make_window(qtbot, qapp)
    open_and_wait(qtbot, win, iowa_project)
    for box in win.findChildren(QMessageBox):       # "no terrain" (the project has none)
        box.close()
    win.gnss.dock.show()
    panel = win.gnss.panel
    panel.frame_combo.setCurrentIndex(panel.frame_combo.findData("WGS84"))
    panel.source_edit.setText(trimble.url)
    qtbot.mouseClick(panel.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.position is not None, timeout=20000)
    yield win
    win.gnss.capture_runner.shutdown()
    panel.disconnect_receiver(wait=True)


def _fill_and_start(qtbot, win, key, modifier, **values) -> None:
    """Press the survey shortcut, fill the capture dialog's fields and press Start."""
    seen = []

    def fill(dlg) -> None:
        seen.append(dlg.windowTitle())
        dlg.point_edit.setText(values["point_id"])
        dlg.count_spin.setValue(values.get("epochs", 10))
        dlg.require_combo.setCurrentIndex(dlg.require_combo.findData(values.get("require", "fixed")))
        dlg.sigma_spin.setValue(values.get("max_sigma", 0.0))
        dlg.spread_spin.setValue(values.get("max_spread", 0.0))
        dlg.antenna_spin.setValue(values.get("antenna", 1.8))
        dlg.timeout_spin.setValue(values.get("timeout", 30))
        dlg.ellipsoidal_check.setChecked(True)
        if dlg.pipe:
            dlg.utility_combo.setCurrentIndex(dlg.utility_combo.findData(values["utility"]))
            dlg.feature_combo.setEditText(values["feature"])
            dlg.appurtenance_combo.setEditText(values["appurtenance"])
            dlg.depth_check.setChecked(True)
            dlg.depth_spin.setValue(values["depth"])
        dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    when_modal(CaptureDialog, fill)
    press(qtbot, win, key, modifier)
    assert seen, "the capture dialog did not open"


def _result(qtbot, win, name: str):
    qtbot.waitUntil(lambda: win.gnss.result_box is not None and win.gnss.result_box.isVisible(), timeout=60000)
    box = win.gnss.result_box
    assert box.objectName() == name, box.text()
    text = box.text()
    box.close()
    win.gnss.result_box = None
    return text


def _marker_pixels(view, x: float, y: float, z: float, radius: int = 12) -> int:
    img = view.grab_image().astype(int)
    p = screen_pos(view, x, y, z)
    patch = img[max(p.y() - radius, 0):p.y() + radius, max(p.x() - radius, 0):p.x() + radius]
    return int((np.abs(patch - np.array(SURVEY_RGB)) <= 3).all(axis=2).sum())


def test_receiver_position_is_a_live_marker_in_both_views(qtbot, surveying):
    from vtkmodules.util.numpy_support import vtk_to_numpy

    win = surveying
    qtbot.waitUntil(lambda: all(POSITION_MARKER in v.stage.markers for v in win.views()), timeout=10000)
    lat, lon, h_ell, fix = win.gnss._marker_at
    x, y = _utm(lat, lon)
    for view in win.views():
        data = view.stage.markers[POSITION_MARKER].GetMapper().GetInput().GetPoints().GetData()
        drawn = vtk_to_numpy(data)[0] + view.stage.scene.origin
        assert drawn == pytest.approx([x, y, h_ell], abs=0.01)     # ellipsoidal: the project has no geoid
        img = view.grab_image().astype(int)
        colours = [FIX_RGB["dgps"], FIX_RGB["rtk_fixed"]]
        assert sum(int((np.abs(img - np.array(c)) <= 3).all(axis=2).sum()) for c in colours) > 20
    assert "ellipsoidal (not converted)" in win.gnss.panel.values["grid"].text()
    qtbot.waitUntil(lambda: win.gnss._marker_at[3] != fix, timeout=20000)    # DGPS <-> RTK fixed: it moves
    assert win.gnss._marker_at[:2] != (lat, lon)
    qtbot.mouseClick(win.gnss.panel.connect_button, Qt.MouseButton.LeftButton)
    assert all(POSITION_MARKER not in v.stage.markers for v in win.views())


def test_fixed_point_and_pipe_point_are_stored_and_drawn(qtbot, surveying):
    win = surveying
    _fill_and_start(qtbot, win, Qt.Key.Key_F9, None, point_id="GP1", epochs=10, max_spread=0.05)
    text = _result(qtbot, win, "gnssCaptureResult")
    assert text.startswith("Stored GP1: X ") and "RTK fixed, 10 epochs averaged" in text
    assert "ellipsoidal (not converted)" in text
    with Project.open(win.project.path, readonly=True) as proj:
        sp = proj.read("survey_points")
    assert list(sp["point_id"]) == ["GP1"]
    row = sp.iloc[0]
    assert row["fix"] == "rtk_fixed" and row["epochs"] == 10 and row["frame"] == "WGS84"
    assert row["lat"] == pytest.approx(LAT, abs=2e-6) and row["lon"] == pytest.approx(LON, abs=2e-6)
    assert row["h_ell"] == pytest.approx(H_ELL - 1.8, abs=0.02) and row["antenna_height"] == 1.8
    x, y = _utm(row["lat"], row["lon"])
    assert (row["x"], row["y"]) == (pytest.approx(x, abs=1e-6), pytest.approx(y, abs=1e-6))
    assert row["receiver"] == win.gnss.panel.session.receiver.spec.describe() and row["spread_h"] < 0.05
    assert "(1)" in win.layer_tree.item("layer", "survey_points").text(0)

    # the point is a marker in both views, at its grid position (seen once the live marker is gone)
    win.gnss.panel.disconnect_receiver(wait=True)
    stage = win.view3d.stage
    assert SURVEY_MARKER in stage.markers and "gnss_position" not in stage.markers
    assert _marker_pixels(win.view3d, x, y, row["h"]) > 10
    assert _marker_pixels(win.map2d, x, y, row["h"]) > 10
    win.layer_tree.set_visible("layer", "survey_points", False)
    assert _marker_pixels(win.view3d, x, y, row["h"]) == 0
    win.layer_tree.set_visible("layer", "survey_points", True)

    # the same point id again: refused by the store, one line, nothing changed
    qtbot.mouseClick(win.gnss.panel.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.gnss.panel.position is not None, timeout=20000)
    _fill_and_start(qtbot, win, Qt.Key.Key_F9, None, point_id="GP1", epochs=2, require="any")
    text = _result(qtbot, win, "gnssCaptureRefused")
    assert text.startswith("survey_points:") and "duplicate point_id" in text and "\n" not in text

    # survey a pipe point: a survey_points row and its pipe_points row in one go
    _fill_and_start(qtbot, win, Qt.Key.Key_F9, Qt.KeyboardModifier.ShiftModifier, point_id="WS7", epochs=5,
                    utility="WS", feature="三通", appurtenance="检查井", depth=1.35)
    text = _result(qtbot, win, "gnssCaptureResult")
    assert "Pipe point stored too." in text
    with Project.open(win.project.path, readonly=True) as proj:
        sp, pp = proj.read("survey_points"), proj.read("pipe_points")
    assert sorted(sp["point_id"]) == ["GP1", "WS7"]
    p = pp.iloc[0]
    assert (p["point_id"], p["utility"], p["subtype"], p["feature"], p["appurtenance"], p["depth"]) == \
        ("WS7", "PS", "WS", "三通", "检查井", 1.35)
    assert p["ground_elev"] == pytest.approx(sp.set_index("point_id").loc["WS7", "h"])
    assert win.view3d.stage.markers[SURVEY_MARKER].GetMapper().GetInput().GetNumberOfPoints() == 2


def test_refused_capture_says_why_and_cancel_stores_nothing(qtbot, surveying):
    win = surveying
    # the Trimble receiver sends no GST: a sigma limit cannot be checked, so the capture is refused
    _fill_and_start(qtbot, win, Qt.Key.Key_F9, None, point_id="R1", epochs=5, require="any", max_sigma=0.05)
    text = _result(qtbot, win, "gnssCaptureRefused")
    assert "cannot be checked: the receiver sends no GST" in text and "Traceback" not in text

    # an occupation that cannot complete soon, cancelled from its progress dialog
    _fill_and_start(qtbot, win, Qt.Key.Key_F9, None, point_id="R2", epochs=5000, timeout=600)

    def progress() -> QProgressDialog | None:
        return next((w for w in win.findChildren(QProgressDialog) if w.isVisible()), None)

    qtbot.waitUntil(lambda: progress() is not None, timeout=10000)
    assert progress().labelText() == "Occupying" and progress().maximum() == 5000
    assert not win.gnss.act_survey.isEnabled() and not win.gnss.panel.connect_button.isEnabled()
    progress().findChild(QPushButton).click()
    qtbot.waitUntil(lambda: not win.gnss.capture_runner.busy, timeout=10000)
    assert win.statusBar().currentMessage() == "Survey of R2 cancelled; nothing stored"
    assert win.gnss.act_survey.isEnabled() and win.gnss.panel.session is not None
    with Project.open(win.project.path, readonly=True) as proj:
        assert proj.count("survey_points") == 0 and proj.count("pipe_points") == 0


def test_capture_dialog_checks_its_fields_and_numbers_points(qtbot, isolated_settings):
    from PySide6.QtWidgets import QWidget

    from app.gui import settings as st
    from app.gui.gnss_dialogs import next_point_id
    from gis.errors import UsageError

    assert [next_point_id(v) for v in ("P9", "WS09", "GP", "", "A1B2")] == ["P10", "WS10", "GP1", "P1", "A1B3"]
    parent = QWidget()
    qtbot.addWidget(parent)
    dlg = CaptureDialog(parent, st.open_settings(), pipe=True)
    dlg.point_edit.clear()
    with pytest.raises(UsageError, match="Enter a point id"):
        dlg.build_request()
    dlg.point_edit.setText("YS3")
    dlg.utility_combo.setCurrentIndex(dlg.utility_combo.findData("YS"))
    dlg.mode_combo.setCurrentIndex(dlg.mode_combo.findData("seconds"))
    dlg.count_spin.setValue(30)
    req = dlg.build_request()
    assert req.rules.seconds == 30 and req.rules.epochs is None and req.rules.require == "fixed"
    assert req.pipe.utility == "YS" and req.pipe.depth is None and req.rules.max_sigma is None
    dlg.accept()
    again = CaptureDialog(parent, st.open_settings(), pipe=True)     # remembered, next id offered
    assert again.point_edit.text() == "YS4" and again.mode_combo.currentData() == "seconds"
    assert again.utility_combo.currentData() == "YS"

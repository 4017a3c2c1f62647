"""File > Save view as image writes the view's own pixels as a PNG."""
from __future__ import annotations

import numpy as np
from PIL import Image

from tests.gui.conftest import open_and_wait


def test_save_3d_and_2d_views_as_png(window, qtbot, small_project, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    open_and_wait(qtbot, window, small_project)
    target = tmp_path / "视图"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PNG (*.png)"))
    window.view_export.act_3d.trigger()
    written = tmp_path / "视图.png"
    assert written.exists()
    image = np.asarray(Image.open(written).convert("RGB"))
    expected = window.view3d.grab_image()
    assert image.shape == expected.shape
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 10          # a rendered scene, not a blank
    two_d = window.view_export.save("2d", str(tmp_path / "map.png"))
    assert two_d and np.asarray(Image.open(two_d)).shape[:2] == window.map2d.grab_image().shape[:2]


def test_unwritable_path_shows_a_message(window, qtbot, small_project, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    open_and_wait(qtbot, window, small_project)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    assert window.view_export.save("3d", str(tmp_path / "missing" / "dir" / "x.png")) is None
    assert shown and "Cannot write" in shown[0]

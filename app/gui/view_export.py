"""File > Save 3D view / 2D map as image: the view's own pixels (the same Stage and styles
as `subterra render`) written as a PNG."""
from __future__ import annotations

import os

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.gui.i18n import tr


class ViewExport(QObject):
    """The main window's "save view as image" actions."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.act_3d = QAction(window)
        self.act_3d.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.act_3d.triggered.connect(lambda: self.save("3d"))
        self.act_2d = QAction(window)
        self.act_2d.triggered.connect(lambda: self.save("2d"))
        for act in (self.act_3d, self.act_2d):
            window.addAction(act)
            window.menu_file.insertAction(window.act_close, act)
        window.menu_file.insertSeparator(window.act_close)

    def retranslate(self) -> None:
        """Action texts in the current language."""
        self.act_3d.setText(tr("Save 3D view as image…"))
        self.act_2d.setText(tr("Save 2D map as image…"))

    def save(self, which: str, path: str | None = None) -> str | None:
        """Ask for a PNG path (unless given) and write the view there; the path written or None."""
        view = self.window.view3d if which == "3d" else self.window.map2d
        if view is None:
            return None
        if path is None:
            default = os.path.join(self.window._last_dir(), "subterra-3d.png" if which == "3d" else "subterra-2d.png")
            path, _ = QFileDialog.getSaveFileName(self.window, tr("Save view as image"), default, "PNG (*.png)")
            if not path:
                return None
        if not path.lower().endswith(".png"):
            path += ".png"
        try:
            view.save_image(path)
        except OSError as exc:
            QMessageBox.warning(self.window, tr("Save view as image"),
                                tr("Cannot write {path}: {reason}", path=path, reason=exc.strerror or str(exc)))
            return None
        self.window.statusBar().showMessage(tr("Saved {path}", path=path), 5000)
        return path

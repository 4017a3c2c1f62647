"""TEMPORARY stand-ins for the viewers branch (View API of the brief); removed once it merges."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget


class StandInView(QWidget):
    """Records the View API calls the app makes."""

    picked = Signal(str, str)
    cursor_moved = Signal(float, float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.calls: list[tuple] = []

    def __getattr__(self, name):
        if name in ("set_scene", "clear", "select", "set_layer_visible", "set_utility_visible",
                    "set_ground_opacity", "set_exaggeration", "reset_camera"):
            return lambda *args: self.calls.append((name, *args))
        raise AttributeError(name)


def build_project_scene(data, layers=None, bbox=None, exaggeration=1.0, progress=None):
    """Stand-in scene: the names of the layers it was given."""
    return sorted(data)

"""The two linked views, created on first use so VTK loads after the window shows."""
from __future__ import annotations

from PySide6.QtWidgets import QWidget


def create_views(parent: QWidget) -> tuple[QWidget, QWidget]:
    """(2D map, 3D view) from ``viewers`` (VTK is imported here)."""
    from viewers.qt_map2d import Map2D
    from viewers.qt_view3d import View3D

    return Map2D(parent), View3D(parent)

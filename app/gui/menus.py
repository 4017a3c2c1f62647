"""Filling menus and tool bars from one list of their items."""
from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolBar, QWidget


def add_items(target: QMenu | QToolBar, items: Iterable[QAction | QMenu | QWidget | None]) -> None:
    """Add ``items`` in order: None a separator, actions, sub-menus (menus) and widgets (tool bars)."""
    for item in items:
        if item is None:
            target.addSeparator()
        elif isinstance(item, QAction):
            target.addAction(item)
        elif isinstance(item, QMenu):
            target.addMenu(item)
        else:
            target.addWidget(item)

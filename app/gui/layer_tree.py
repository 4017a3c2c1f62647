"""The layer tree dock: every layer family, its layers, pipelines per utility.

Check boxes toggle visibility; the tree emits :attr:`LayerTree.layer_toggled`
and :attr:`LayerTree.utility_toggled` and knows nothing about the views.
Utilities are listed under the pipe segments (with their segment count)
and the pipe points, each with its CJJ 61 colour swatch and a check box
that hides that utility in that layer.  A layer's context menu asks to
zoom to it (:attr:`LayerTree.zoom_requested`).  Labels come bilingual from
the registries.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QTreeWidget, QTreeWidgetItem

from app.gui.i18n import lang_key, tr
from gis import layers as registry
from gis.utilities import UTILITIES

KIND_ROLE = Qt.ItemDataRole.UserRole          # "family", "layer", or a utility kind of UTILITY_KINDS
NAME_ROLE = Qt.ItemDataRole.UserRole + 1      # family / layer name or utility code
UTILITY_LEGEND_LAYER = "pipe_segments"    # utilities are listed under it with their segment counts
#: layers whose utilities are listed under them -> the item kind of those utilities
UTILITY_KINDS = {"pipe_segments": "utility", "pipe_points": "point_utility"}


def swatch(rgb: tuple[int, int, int], size: int = 14) -> QIcon:
    """A small square icon filled with ``rgb`` and outlined in grey."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setPen(QColor(90, 90, 90))
    painter.setBrush(QColor(*rgb))
    painter.drawRect(1, 1, size - 3, size - 3)
    painter.end()
    return QIcon(pix)


class LayerTree(QTreeWidget):
    """Families -> layers (and utilities under pipelines), each with a visibility check box."""

    layer_toggled = Signal(str, bool)       # layer name, visible
    utility_toggled = Signal(str, str, bool)    # layer name, utility code, visible
    zoom_requested = Signal(str)            # layer name (context menu: Zoom to layer)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setUniformRowHeights(True)
        self._items: dict[tuple[str, str], QTreeWidgetItem] = {}
        self._counts: dict[str, int] = {}
        self._utility_counts: dict[str, int] = {}
        self._build()
        self.itemChanged.connect(self._item_changed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.retranslate()

    def _add(self, parent, kind: str, name: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent)
        item.setData(0, KIND_ROLE, kind)
        item.setData(0, NAME_ROLE, name)
        self._items[(kind, name)] = item
        flags = item.flags() | Qt.ItemFlag.ItemIsUserCheckable
        if kind == "family" or (kind == "layer" and name in UTILITY_KINDS):
            flags |= Qt.ItemFlag.ItemIsAutoTristate
        item.setFlags(flags)
        item.setCheckState(0, Qt.CheckState.Checked)
        return item

    def _build(self) -> None:
        for family in registry.FAMILIES:
            fam = self._add(self, "family", family)
            for layer in registry.layers_in(family):
                item = self._add(fam, "layer", layer.name)
                if layer.name in UTILITY_KINDS:
                    for code, util in UTILITIES.items():
                        self._add(item, UTILITY_KINDS[layer.name], code).setIcon(0, swatch(util.rgb))
                    item.setExpanded(layer.name == UTILITY_LEGEND_LAYER)
            fam.setExpanded(True)

    def item(self, kind: str, name: str) -> QTreeWidgetItem:
        """The tree item of a family, layer or utility."""
        return self._items[(kind, name)]

    def retranslate(self) -> None:
        """Refresh every label in the current language."""
        lang = lang_key()
        self.blockSignals(True)
        for (kind, name), item in self._items.items():
            if kind == "family":
                zh, en = registry.FAMILIES[name]
                text = zh if lang == "zh" else en
            elif kind == "layer":
                text = registry.get(name).label(lang)
                if self._counts.get(name):
                    text += f"  ({self._counts[name]:,})"
            else:
                text = f"{name} {UTILITIES[name].name(lang)}"
                if kind == "utility" and self._utility_counts.get(name):
                    text += f"  ({self._utility_counts[name]:,})"
            item.setText(0, text)
            item.setToolTip(0, tr("Show or hide in both views"))
        self.blockSignals(False)

    def set_counts(self, counts: dict[str, int], utility_counts: dict[str, int]) -> None:
        """Show feature counts per layer and per utility (empty dicts: no project)."""
        self._counts, self._utility_counts = dict(counts), dict(utility_counts)
        self.retranslate()

    def is_visible(self, kind: str, name: str) -> bool:
        """Whether a family or layer is checked."""
        return self.item(kind, name).checkState(0) != Qt.CheckState.Unchecked

    def set_visible(self, kind: str, name: str, visible: bool) -> None:
        """Check or uncheck an item (emits the toggle signals like a click)."""
        state = Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked
        self.item(kind, name).setCheckState(0, state)

    def hidden_layers(self) -> list[str]:
        """Names of the unchecked layers."""
        return [name for (k, name) in self._items if k == "layer" and not self.is_visible(k, name)]

    def hidden_utilities(self) -> dict[str, set[str]]:
        """The unchecked utility codes by layer."""
        out: dict[str, set[str]] = {}
        for layer, kind in UTILITY_KINDS.items():
            out[layer] = {name for (k, name) in self._items if k == kind and not self.is_visible(k, name)}
        return out

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        kind, visible = item.data(0, KIND_ROLE), item.checkState(0) != Qt.CheckState.Unchecked
        if kind == "layer":
            self.layer_toggled.emit(item.data(0, NAME_ROLE), visible)
        elif kind in UTILITY_KINDS.values():
            self.utility_toggled.emit(item.parent().data(0, NAME_ROLE), item.data(0, NAME_ROLE), visible)

    def _context_menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        if item is None or item.data(0, KIND_ROLE) != "layer":
            return
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(tr("Zoom to layer"), lambda: self.zoom_requested.emit(item.data(0, NAME_ROLE)))
        menu.popup(self.viewport().mapToGlobal(pos))

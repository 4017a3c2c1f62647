"""The 3D toolbar and menu: ground, exaggeration, clipping, camera presets, cuts, labels, colouring.

Widgets and actions only (texts in :meth:`View3DToolBar.retranslate`); the
wiring to the views and the work lives in :mod:`app.gui.view3d_controller`.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMenu, QSlider, QSpinBox, QToolBar, QWidget

from app.gui.i18n import lang_key, tr
from app.gui.menus import add_items
from viewers.colouring import SCHEMES

MAX_EXAGGERATION = 10


class View3DToolBar(QToolBar):
    """Controls of the 3D view; ``menu`` holds the same actions (with their shortcuts)."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("view3dToolBar")

        def action(shortcut: str | None = None, checkable: bool = False) -> QAction:
            act = QAction(parent)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.setCheckable(checkable)
            parent.addAction(act)         # shortcuts work wherever the focus is in the window
            return act

        self.ground_label = QLabel()
        self.ground_slider = QSlider(Qt.Orientation.Horizontal)
        self.ground_slider.setObjectName("groundOpacity")
        self.ground_slider.setRange(0, 100)
        self.ground_slider.setSingleStep(5)
        self.ground_slider.setPageStep(10)
        self.ground_slider.setFixedWidth(110)
        self.ground_value = QLabel()
        self.ground_value.setMinimumWidth(34)
        self.act_ground_hide = action("Ctrl+Shift+H", checkable=True)
        self.act_ground_hole = action(checkable=True)
        self.exag_label = QLabel()
        self.exag_spin = QSpinBox()
        self.exag_spin.setObjectName("exaggeration")
        self.exag_spin.setRange(1, MAX_EXAGGERATION)
        self.exag_spin.setSuffix("×")
        self.act_clip_box = action("Ctrl+Alt+B", checkable=True)
        self.act_section_plane = action("Ctrl+Shift+P", checkable=True)
        self.act_top = action("Alt+1")
        self.act_below = action("Alt+2")
        self.act_section_view = action("Alt+3")
        self.act_cut_line = action("Ctrl+Shift+X", checkable=True)
        self.act_plane_section = action()
        self.act_profile_pick = action("Ctrl+Shift+R", checkable=True)
        self.act_profile_selection = action()
        self.act_labels = action("Ctrl+Alt+L", checkable=True)
        self.colour_label = QLabel()
        self.colour_combo = QComboBox()
        self.colour_combo.setObjectName("colourBy")
        for name in SCHEMES:
            self.colour_combo.addItem("", name)

        add_items(self, (self.ground_label, self.ground_slider, self.ground_value, self.act_ground_hide,
                         self.act_ground_hole, None, self.exag_label, self.exag_spin, None, self.act_clip_box,
                         self.act_section_plane, None, self.act_top, self.act_below, self.act_section_view, None,
                         self.act_cut_line, self.act_plane_section, self.act_profile_pick, None, self.act_labels,
                         self.colour_label, self.colour_combo))

        self.menu = QMenu(parent)
        self.menu_cameras = QMenu(self.menu)
        self.menu_cameras.addActions([self.act_top, self.act_below, self.act_section_view])
        add_items(self.menu, (self.act_ground_hide, self.act_ground_hole, None, self.act_clip_box,
                              self.act_section_plane, None, self.menu_cameras, None, self.act_cut_line,
                              self.act_plane_section, self.act_profile_pick, self.act_profile_selection, None,
                              self.act_labels, self.toggleViewAction()))

    def set_ground_percent(self, percent: int) -> None:
        """Move the slider (emits valueChanged) and show the value."""
        self.ground_slider.setValue(int(percent))
        self.ground_value.setText(f"{int(percent)}%")

    def retranslate(self) -> None:
        """Every string in the current language."""
        self.setWindowTitle(tr("3D tools"))
        self.menu.setTitle(tr("3&D"))
        self.menu_cameras.setTitle(tr("&Camera"))
        self.ground_label.setText(tr("Ground"))
        self.ground_slider.setToolTip(tr("Ground opacity"))
        self.exag_label.setText(tr("Z scale"))
        self.exag_spin.setToolTip(tr("Vertical exaggeration of every layer and the ground"))
        self.colour_label.setText(tr("Colour"))
        texts = {
            self.act_ground_hide: tr("Hide ground"),
            self.act_ground_hole: tr("Cut away ground in box"),
            self.act_clip_box: tr("Clip box"),
            self.act_section_plane: tr("Section plane"),
            self.act_top: tr("Top view"),
            self.act_below: tr("View from below"),
            self.act_section_view: tr("Section view"),
            self.act_cut_line: tr("Cross-section…"),
            self.act_plane_section: tr("Cross-section at plane"),
            self.act_profile_pick: tr("Profile…"),
            self.act_profile_selection: tr("Profile from selection"),
            self.act_labels: tr("Labels"),
        }
        for act, text in texts.items():
            act.setText(text)
        tips = {
            self.act_ground_hole: tr("Cut the ground away inside the clip box, else around the selected feature"),
            self.act_cut_line: tr("Click twice on the ground to draw a cut line"),
            self.act_profile_pick: tr("Click the first and the last pipe or manhole of a run"),
        }
        for act, text in tips.items():
            act.setToolTip(text)
        for i in range(self.colour_combo.count()):
            self.colour_combo.setItemText(i, SCHEMES[self.colour_combo.itemData(i)].label(lang_key()))

"""How the attribute panel writes values, and the system locale choosing the language."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from PySide6.QtCore import QLocale

from app.gui import i18n
from app.gui import main as gui_main
from app.gui import settings as st
from app.gui.attribute_panel import AttributePanel, format_value


def test_format_value():
    assert format_value(None, "float") == ""
    assert format_value(np.float64(1.2500), "float") == "1.25"
    assert format_value(3.0, "float") == "3"
    assert format_value(np.int64(7), "int") == "7"
    assert format_value(True, "bool") == "yes" and format_value(0, "bool") == "no"
    assert format_value(pd.Timestamp("2024-05-06"), "date") == "2024-05-06"
    assert format_value(dt.datetime(2024, 5, 6, 7, 8, 9), "datetime") == "2024-05-06 07:08:09"
    assert format_value("球墨铸铁", "str") == "球墨铸铁"


def test_panel_shows_registry_labels_units_and_escapes_ids(qtbot):
    panel = AttributePanel()
    qtbot.addWidget(panel)
    panel.show_feature("pipe_points", {"point_id": "<b>P1</b>", "ground_elev": 4.5, "utility": "WS"})
    assert panel.value("point_id") == "<b>P1</b>"
    assert "&lt;b&gt;P1&lt;/b&gt;" in panel.title.text()
    assert panel.value("ground_elev") == "4.5"
    assert panel.value("utility") == "WS drainage"        # a sub-type names its parent utility
    labels = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert "ground elevation (m)" in labels and "well depth (m)" in labels
    assert panel.table.editTriggers() == panel.table.EditTrigger.NoEditTriggers


def test_system_locale_sets_the_first_language(qapp, monkeypatch):
    class ChineseSystem(QLocale):
        @staticmethod
        def system():
            return QLocale("zh_CN")

    monkeypatch.setattr(gui_main, "QLocale", ChineseSystem)
    gui_main.configure_application(qapp, st.open_settings())      # nothing saved yet
    assert i18n.language() == "zh_CN"
    settings = st.open_settings()
    settings.setValue(st.KEY_LANGUAGE, "en")                        # a remembered choice wins
    gui_main.configure_application(qapp, settings)
    assert i18n.language() == "en"

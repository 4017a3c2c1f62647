"""Persistent user settings (QSettings): geometry, recent files, language, view mode.

``SUBTERRA_SETTINGS`` names an INI file to use instead of the user's
settings store (tests isolate themselves with it).
"""
from __future__ import annotations

import os

from PySide6.QtCore import QSettings

ORGANIZATION = "Subterra"
APPLICATION = "Subterra"
SETTINGS_ENV = "SUBTERRA_SETTINGS"
MAX_RECENT = 10

KEY_GEOMETRY = "window/geometry"
KEY_STATE = "window/state"
KEY_SPLITTER = "window/splitter"
KEY_VIEW_MODE = "window/view_mode"       # "split" or "tabs"
KEY_RECENT = "files/recent"
KEY_LAST_DIR = "files/last_dir"
KEY_LANGUAGE = "ui/language"

VIEW_MODES = ("split", "tabs")


def open_settings() -> QSettings:
    """The app's settings: the INI file named by SUBTERRA_SETTINGS, else the user's store."""
    path = os.environ.get(SETTINGS_ENV)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(ORGANIZATION, APPLICATION)


def read_list(settings: QSettings, key: str) -> list[str]:
    """A string list value (QSettings returns a str for one item, None for none)."""
    value = settings.value(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


def recent_files(settings: QSettings) -> list[str]:
    """Recently opened projects, newest first."""
    return read_list(settings, KEY_RECENT)


def add_recent(settings: QSettings, path: str) -> list[str]:
    """Put ``path`` first in the recent list (deduplicated, capped, written now); returns the list."""
    path = os.path.abspath(path)
    items = [path] + [p for p in recent_files(settings) if p != path]
    items = items[:MAX_RECENT]
    settings.setValue(KEY_RECENT, items)
    settings.sync()
    return items


def remove_recent(settings: QSettings, path: str) -> list[str]:
    """Drop ``path`` from the recent list; returns the list."""
    items = [p for p in recent_files(settings) if p != os.path.abspath(path)]
    settings.setValue(KEY_RECENT, items)
    settings.sync()
    return items


def view_mode(settings: QSettings) -> str:
    """"split" (side by side) or "tabs"."""
    mode = settings.value(KEY_VIEW_MODE, "split")
    return mode if mode in VIEW_MODES else "split"

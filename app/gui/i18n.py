"""The app's one translation function and its language state.

English source strings are the catalogue keys; ``resources/i18n/zh_CN.json``
maps them to Simplified Chinese.  Every user-visible string of the app goes
through :func:`tr`; registry labels (layers, fields, utilities) come
bilingual from gis and are picked with :func:`lang_key`.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import resources

LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
DEFAULT_LANGUAGE = "en"
CATALOGUE_DIR = Path(resources.__file__).resolve().parent / "i18n"

_current = DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """English source string -> translation for ``lang`` (empty for English)."""
    path = CATALOGUE_DIR / f"{lang}.json"
    if lang == DEFAULT_LANGUAGE or not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def tr(text: str, **fields) -> str:
    """``text`` in the current language, with ``{name}`` fields filled in."""
    out = catalogue(_current).get(text, text)
    return out.format(**fields) if fields else out


def tr_runtime(text: str) -> str:
    """A string known only at run time (a progress message) in the current language.

    A layer name shows as the layer's display name; other messages without a
    catalogue entry show as they are.
    """
    from gis.layers import LAYERS

    if text in LAYERS:
        return LAYERS[text].label(lang_key())
    return catalogue(_current).get(text, text)


def set_language(lang: str) -> str:
    """Switch the UI language (an unknown code falls back to English); returns the code used."""
    global _current
    _current = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    return _current


def language() -> str:
    """The current UI language code ("en" or "zh_CN")."""
    return _current


def lang_key() -> str:
    """The language argument the gis registries take ("zh" or "en")."""
    return "zh" if _current.startswith("zh") else "en"


def system_language(locale_name: str) -> str:
    """The UI language for a system locale name such as "zh_CN" or "en_US"."""
    return "zh_CN" if locale_name.lower().startswith("zh") else DEFAULT_LANGUAGE

"""Every user-visible string of the app has its Chinese translation, with the same fields."""
from __future__ import annotations

import ast
import json
import string
from pathlib import Path

from app.gui import i18n

GUI = Path(__file__).resolve().parents[2] / "app" / "gui"


def tr_literals() -> dict[str, str]:
    """Every literal passed to tr() in app/gui -> where it is."""
    found = {}
    for path in sorted(GUI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr":
                arg = node.args[0]
                assert isinstance(arg, ast.Constant), f"{path.name}:{node.lineno}: tr() needs a literal"
                found[arg.value] = f"{path.name}:{node.lineno}"
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_tr_string_is_translated_with_the_same_fields():
    zh = json.loads((i18n.CATALOGUE_DIR / "zh_CN.json").read_text(encoding="utf-8"))
    literals = tr_literals()
    assert len(literals) > 40
    missing = {k: where for k, where in literals.items() if k not in zh}
    assert not missing, f"untranslated: {missing}"
    for key in literals:
        assert fields(zh[key]) == fields(key), key
        assert zh[key] != key, f"not translated: {key}"


def test_tr_follows_the_language():
    try:
        i18n.set_language("zh_CN")
        assert i18n.tr("Opening {name}", name="a.gpkg") == "正在打开 a.gpkg"
        assert i18n.lang_key() == "zh"
        assert i18n.tr("a string nobody translated") == "a string nobody translated"
        i18n.set_language("xx")
        assert i18n.language() == "en" and i18n.tr("Cancel") == "Cancel"
    finally:
        i18n.set_language("en")


def test_catalogue_has_no_duplicate_keys():
    """A key given twice would silently keep only its last translation (merges add entries)."""
    path = Path(i18n.__file__).resolve().parents[2] / "resources" / "i18n" / "zh_CN.json"
    pairs = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=lambda kv: kv)
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})

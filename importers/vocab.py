"""Words survey tables use for coded values, mapped to the registry's allowed values.

Utility cells may hold a code (JS), a sub-type code (WS) or a Chinese or
English name (给水, 污水管线, sewage); coded fields (quality level, valve
state, status, depth reference, pressure class) have their usual Chinese
spellings.  Unknown words map to None and are reported by the caller.
"""
from __future__ import annotations

import re

from gis.utilities import SUBTYPES, UTILITIES, resolve

_NAME_SUFFIX = re.compile(r"(管线|管道|管|线路|线|电缆)$")


def _utility_names() -> dict[str, tuple[str, str | None]]:
    names: dict[str, tuple[str, str | None]] = {}
    for u in UTILITIES.values():
        names[u.zh] = (u.code, None)
        names[u.en.lower()] = (u.code, None)
    for code, (parent, sub) in SUBTYPES.items():
        names.setdefault(sub.zh, (parent, code))
        names.setdefault(sub.en.lower(), (parent, code))
    return names


_NAMES = _utility_names()


def utility_of(text: str) -> tuple[str, str | None] | None:
    """(utility code, sub-type code or None) for a utility cell, or None if unknown."""
    if not text:
        return None
    try:
        util, sub = resolve(text)
        return util.code, sub
    except KeyError:
        pass
    key = text.strip().lower()
    if key in _NAMES:
        return _NAMES[key]
    key = _NAME_SUFFIX.sub("", key)
    return _NAMES.get(key)


# field -> {word (lower case) -> allowed value}
SYNONYMS: dict[str, dict[str, str]] = {
    "quality_level": {"ql-a": "QL-A", "qla": "QL-A", "a": "QL-A", "明显点": "QL-A", "明显": "QL-A",
                      "ql-b": "QL-B", "qlb": "QL-B", "b": "QL-B", "隐蔽点": "QL-B", "隐蔽": "QL-B",
                      "ql-c": "QL-C", "qlc": "QL-C", "c": "QL-C", "ql-d": "QL-D", "qld": "QL-D", "d": "QL-D"},
    "valve_state": {"open": "open", "开": "open", "开启": "open", "常开": "open",
                    "closed": "closed", "关": "closed", "关闭": "closed", "常闭": "closed",
                    "broken": "broken", "坏": "broken", "损坏": "broken"},
    "status": {"in service": "in service", "在用": "in service", "使用": "in service", "运行": "in service",
               "abandoned": "abandoned", "废弃": "abandoned", "停用": "abandoned",
               "planned": "planned", "规划": "planned", "设计": "planned", "在建": "planned"},
    "depth_ref": {"top": "top", "管顶": "top", "顶": "top", "invert": "invert", "管底": "invert",
                  "内底": "invert", "管内底": "invert", "底": "invert", "centre": "centre", "center": "centre",
                  "管中": "centre", "中心": "centre"},
    "pressure_class": {"low": "low", "低压": "low", "mediumb": "mediumB", "中压b": "mediumB",
                       "mediuma": "mediumA", "中压a": "mediumA", "subhighb": "subhighB", "次高压b": "subhighB",
                       "subhigha": "subhighA", "次高压a": "subhighA", "highb": "highB", "高压b": "highB",
                       "higha": "highA", "高压a": "highA"},
}


def coded(field: str, text: str, allowed: tuple[str, ...] | None) -> str | None:
    """The allowed value a cell means, or None when it means none of them."""
    if not text:
        return None
    if allowed and text in allowed:
        return text
    hit = SYNONYMS.get(field, {}).get(text.lower().replace(" ", "") if field == "pressure_class" else text.lower())
    if hit is not None:
        return hit
    if allowed is None:
        return text
    return None

"""Utility registry after CJJ 61-2017 Appendix B: codes, names, colours, depth convention.

A survey table may name a sub-type (WS, YS, ZS, LD ...) where a utility code is
expected; :func:`resolve` maps either to its parent utility and keeps the
sub-type, which inherits the parent's colour and depth convention.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Which surface a survey's depth is measured to.
DEPTH_TOP = "top"          # pipe crown / top of cable or duct bank
DEPTH_INVERT = "invert"    # inner bottom of a gravity pipe
DEPTH_CENTRE = "centre"    # centre line (explicit only)
DEPTH_REFS = (DEPTH_TOP, DEPTH_INVERT, DEPTH_CENTRE)


@dataclass(frozen=True)
class Subtype:
    """A sub-type of a utility, e.g. WS 污水 under PS."""

    code: str
    zh: str
    en: str
    rgb: tuple[int, int, int] | None = None  # None: the parent's colour


@dataclass(frozen=True)
class Utility:
    """One utility class: code, bilingual name, CJJ 61 map colour, depth convention."""

    code: str
    zh: str
    en: str
    rgb: tuple[int, int, int]
    depth_ref: str
    gravity: bool = False
    subtypes: tuple[Subtype, ...] = field(default_factory=tuple)

    def name(self, lang: str = "en") -> str:
        """Display name in ``lang`` ("zh" or "en")."""
        return self.zh if lang.startswith("zh") else self.en


UTILITIES: dict[str, Utility] = {u.code: u for u in (
    Utility("JS", "给水", "water supply", (0, 255, 255), DEPTH_TOP, subtypes=(
        Subtype("ZS", "中水", "reclaimed water"), Subtype("XS", "消防", "fire water"))),
    Utility("PS", "排水", "drainage", (76, 57, 38), DEPTH_INVERT, gravity=True, subtypes=(
        Subtype("YS", "雨水", "storm"), Subtype("WS", "污水", "sewage"),
        Subtype("HS", "合流", "combined"))),
    Utility("RQ", "燃气", "gas", (255, 0, 255), DEPTH_TOP, subtypes=(
        Subtype("MQ", "煤气", "town gas"), Subtype("YH", "液化气", "LPG"),
        Subtype("TR", "天然气", "natural gas"))),
    Utility("RL", "热力", "heat", (255, 128, 0), DEPTH_TOP, subtypes=(
        Subtype("RS", "热水", "hot water"), Subtype("ZQ", "蒸汽", "steam"))),
    Utility("DL", "电力", "power", (255, 0, 0), DEPTH_TOP, subtypes=(
        Subtype("GD", "供电", "supply"), Subtype("LD", "路灯", "street lighting"),
        Subtype("XH", "信号", "traffic signal"), Subtype("DC", "电车", "tram power"))),
    Utility("TX", "通信", "telecom", (0, 255, 0), DEPTH_TOP, subtypes=(
        Subtype("DH", "电话", "telephone"), Subtype("DS", "有线电视", "cable TV"),
        Subtype("XX", "信息网络", "data network"), Subtype("GB", "广播", "broadcast"))),
    Utility("GY", "工业", "industrial", (0, 0, 0), DEPTH_TOP, subtypes=(
        Subtype("QQ", "氢气", "hydrogen"), Subtype("YQ", "氧气", "oxygen"),
        Subtype("GQ", "工业气体", "industrial gas"))),
    Utility("QT", "其他", "other", (0, 0, 0), DEPTH_TOP, subtypes=(
        Subtype("ZH", "综合管沟", "utility tunnel", (0, 0, 0)),
        Subtype("BM", "不明", "unknown", (102, 0, 204)))),
)}

# Sub-type code -> (utility code, Subtype).
SUBTYPES: dict[str, tuple[str, Subtype]] = {
    s.code: (u.code, s) for u in UTILITIES.values() for s in u.subtypes
}


def resolve(code: str) -> tuple[Utility, str | None]:
    """Map a utility or sub-type code (any case) to (Utility, subtype code or None).

    Raises KeyError with the unknown code when it is neither.
    """
    up = code.strip().upper()
    if up in UTILITIES:
        return UTILITIES[up], None
    if up in SUBTYPES:
        parent, sub = SUBTYPES[up]
        return UTILITIES[parent], sub.code
    raise KeyError(code)


def colour(code: str, subtype: str | None = None) -> tuple[int, int, int]:
    """Standard map colour (0-255 RGB) of a utility, honouring a sub-type's own colour."""
    util, sub = resolve(subtype) if subtype else resolve(code)
    if sub is not None:
        own = SUBTYPES[sub][1].rgb
        if own is not None:
            return own
    return util.rgb


def all_codes() -> list[str]:
    """Every utility code followed by every sub-type code."""
    return list(UTILITIES) + list(SUBTYPES)


def parent_codes(values) -> "np.ndarray":
    """The utility code of each value of ``values`` (utility or sub-type codes, any case) as an
    object array; "" where a value is missing or no utility code."""
    import numpy as np
    import pandas as pd

    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):     # lean reads: codes already there
        codes = np.asarray(values.cat.codes if isinstance(values, pd.Series) else values.codes, dtype=np.int64)
        uniques = [*values.dtype.categories, None]              # code -1 (missing) -> the last, ""
    else:
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    parents = []
    for value in uniques:
        try:
            parents.append(resolve(str(value))[0].code if isinstance(value, str) else "")
        except KeyError:
            parents.append("")
    return np.array(parents or [""], dtype=object)[codes]

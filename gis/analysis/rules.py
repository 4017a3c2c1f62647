"""Rule tables (RULES.md): loading, validation and class resolution.

A rule file is a UTF-8 CSV ``rule_id,kind,a,b,min_m,source,confidence,note``.
A class is a utility code (JS), a sub-type code (ZS, WS ...) or a non-utility
class (building, tree ...), optionally qualified: ``JS:d<=200`` (DN in mm),
``RQ:mediumB`` (gas pressure class), ``DL:direct`` / ``DL:duct`` (burial).
For a pair of features the most specific matching row wins
(subtype+qualifier > subtype > type+qualifier > type, summed over both
sides); a tie takes the larger distance.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gis.errors import InputRejected, Problem
from gis.utilities import SUBTYPES, UTILITIES

RULES_DIR = Path(__file__).resolve().parents[2] / "resources" / "rules"
COLUMNS = ("rule_id", "kind", "a", "b", "min_m", "source", "confidence", "note")
PAIR_KINDS = ("horizontal", "vertical")
COVER_KINDS = ("cover_roadway", "cover_other")
KINDS = PAIR_KINDS + COVER_KINDS + ("zone",)
CONFIDENCES = ("verified", "single-source", "disputed", "unverified")
NON_UTILITY_CLASSES = ("building", "tree", "curb", "pole", "rail", "tram", "culvert", "trench", "metro")
ZONE_SUBJECTS = ("metro_underground", "metro_surface", "metro_opening", "metro_river", "civil_defense")
ZONE_NAMES = ("control", "special", "protection", "safety")
PRESSURE_CLASSES = ("low", "mediumB", "mediumA", "subhighB", "subhighA", "highB", "highA")
# Upper bounds (MPa, inclusive) of GB 50028's pressure classes, in PRESSURE_CLASSES order.
PRESSURE_LIMITS = (0.01, 0.2, 0.4, 0.8, 1.6, 2.5, 4.0)
BURIAL_CLASSES = {"直埋": "direct", "管块": "duct", "排管": "duct", "保护管": "duct",
                  "管道": "duct", "管沟": "duct"}
DIAMETER_QUALIFIER = re.compile(r"^d(<=|<|>=|>)(\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class RuleClass:
    """One side of a rule row: a base class and an optional qualifier."""

    base: str                 # utility, sub-type or non-utility class code
    qualifier: str | None     # "d<=200", "mediumB", "direct" ... or None
    is_subtype: bool

    @property
    def level(self) -> int:
        """Specificity: 1 type, 2 type+qualifier, 3 subtype, 4 subtype+qualifier."""
        return (3 if self.is_subtype else 1) + (1 if self.qualifier else 0)

    def __str__(self) -> str:
        return f"{self.base}:{self.qualifier}" if self.qualifier else self.base


@dataclass(frozen=True)
class Rule:
    """One validated rule row."""

    rule_id: str
    kind: str
    a: RuleClass
    b: RuleClass | None
    min_m: float
    source: str
    confidence: str
    note: str
    file: str
    row: int


@dataclass(frozen=True)
class Profile:
    """What rule lookup needs to know about one feature."""

    utility: str | None       # utility code (JS) or a non-utility class (tree, metro ...)
    subtype: str | None
    dn_mm: float | None
    pressure: str | None      # one of PRESSURE_CLASSES
    burial: str | None        # direct / duct

    def matches(self, cls: RuleClass) -> bool:
        """Whether this feature belongs to ``cls``."""
        if cls.base != (self.subtype if cls.is_subtype else self.utility):
            return False
        q = cls.qualifier
        if q is None:
            return True
        m = DIAMETER_QUALIFIER.match(q)
        if m:
            if self.dn_mm is None:
                return False
            op, n = m.group(1), float(m.group(2))
            return {"<=": self.dn_mm <= n, "<": self.dn_mm < n,
                    ">=": self.dn_mm >= n, ">": self.dn_mm > n}[op]
        return q == self.pressure or q == self.burial


def parse_class(text: str) -> RuleClass:
    """A rule class from text like ``JS:d<=200``; ValueError saying why not."""
    text = text.strip()
    base, _, qual = text.partition(":")
    base, qual = base.strip(), qual.strip() or None
    if base.upper() in UTILITIES or base.upper() in SUBTYPES:
        base = base.upper()
        is_sub = base in SUBTYPES
        parent = SUBTYPES[base][0] if is_sub else base
    elif base in NON_UTILITY_CLASSES:
        if qual:
            raise ValueError(f"class {base!r} takes no qualifier")
        return RuleClass(base, None, False)
    else:
        raise ValueError(f"unknown class {base!r} (a utility or sub-type code, or one of "
                         f"{', '.join(NON_UTILITY_CLASSES)})")
    if qual is not None and not (DIAMETER_QUALIFIER.match(qual) or qual in ("direct", "duct")
                                 or (qual in PRESSURE_CLASSES and parent == "RQ")):
        raise ValueError(f"unknown qualifier {qual!r} (d<=N, d>N ..., direct, duct, or a gas pressure "
                         f"class {', '.join(PRESSURE_CLASSES)} for RQ)")
    return RuleClass(base, qual, is_sub)


def pressure_classes(recorded, mpa) -> np.ndarray:
    """GB 50028 pressure class per row: the recorded class, else derived from MPa (None if unknown)."""
    import pandas as pd

    rec = pd.Series(np.asarray(recorded, dtype=object), dtype=object)
    p = pd.to_numeric(pd.Series(np.asarray(mpa, dtype=object)), errors="coerce").to_numpy(dtype=float)
    k = np.searchsorted(np.asarray(PRESSURE_LIMITS), np.nan_to_num(p, nan=np.inf), side="left")
    derived = np.array(PRESSURE_CLASSES + (None,), dtype=object)[k]
    return rec.where(rec.isin(PRESSURE_CLASSES), derived).to_numpy(dtype=object)


def burial_class(burial) -> str | None:
    """direct / duct from a burial value (直埋 -> direct; 管块, 排管, 保护管, 管道, 管沟 -> duct)."""
    return BURIAL_CLASSES.get(burial) if isinstance(burial, str) else None


class RuleTable:
    """Validated rules with pair lookup over feature profiles."""

    def __init__(self, rules: list[Rule], files: list[str]):
        self.rules = rules
        self.files = files

    def of_kind(self, kind: str) -> list[Rule]:
        """Rows of one kind, in file order."""
        return [r for r in self.rules if r.kind == kind]

    def max_distance(self, kind: str) -> float:
        """Largest min_m of a kind (0 when none)."""
        return max((r.min_m for r in self.of_kind(kind)), default=0.0)

    def pair_matrix(self, kind: str, profiles: list[Profile]) -> tuple[np.ndarray, np.ndarray]:
        """(required, rule index) for every profile pair; NaN / -1 where no row applies.

        Index into ``self.rules``.  Most specific row wins; a tie takes the larger distance.
        """
        idx = [i for i, r in enumerate(self.rules) if r.kind == kind]
        n = len(profiles)
        req = np.full((n, n), np.nan)
        which = np.full((n, n), -1, dtype=np.int64)
        if not idx or not n:
            return req, which
        la = np.array([[self.rules[i].a.level if p.matches(self.rules[i].a) else 0 for i in idx]
                       for p in profiles])
        lb = np.array([[self.rules[i].b.level if p.matches(self.rules[i].b) else 0 for i in idx]
                       for p in profiles])
        dist = np.array([self.rules[i].min_m for i in idx])
        fwd = np.where((la[:, None, :] > 0) & (lb[None, :, :] > 0), la[:, None, :] + lb[None, :, :], 0)
        rev = np.where((lb[:, None, :] > 0) & (la[None, :, :] > 0), lb[:, None, :] + la[None, :, :], 0)
        score = np.maximum(fwd, rev)                          # (n, n, rules)
        best = score.max(axis=2, keepdims=True)
        cand = (score == best) & (best > 0)
        # among the most specific rows, the largest distance (first in file order on equal distance)
        pick = np.where(cand, dist[None, None, :], -np.inf).argmax(axis=2)
        has = cand.any(axis=2)
        req[has] = dist[pick[has]]
        which[has] = np.asarray(idx)[pick[has]]
        return req, which

    def single(self, kind: str, profile: Profile) -> Rule | None:
        """The most specific one-class row (cover / zone kinds) for a profile; larger distance on a tie."""
        best: Rule | None = None
        for r in self.of_kind(kind):
            if profile.matches(r.a) and (best is None or (r.a.level, r.min_m) > (best.a.level, best.min_m)):
                best = r
        return best

    def zone(self, subject: str, zone_name: str) -> Rule | None:
        """The zone row for a subject (metro_underground ...) and zone name, if configured."""
        for r in self.of_kind("zone"):
            if r.a.base == subject and r.b is not None and r.b.base == zone_name:
                return r
        return None


def _parse_zone_side(text: str, column: str) -> RuleClass:
    text = text.strip()
    if column == "b":
        if text not in ZONE_NAMES:
            raise ValueError(f"unknown zone {text!r} (one of {', '.join(ZONE_NAMES)})")
        return RuleClass(text, None, False)
    if text in ZONE_SUBJECTS:
        return RuleClass(text, None, False)
    return parse_class(text)


def parse_rows(text: str, file: str) -> list[Rule]:
    """Validate the rows of one rule CSV; InputRejected lists every problem (file, row, column)."""
    problems: list[Problem] = []
    try:
        reader = csv.reader(io.StringIO(text), strict=True)
        rows = list(reader)
    except csv.Error as exc:
        raise InputRejected([Problem(file, reader.line_num, None, None, f"not a valid CSV file: {exc}")]) from None
    if not rows:
        raise InputRejected([Problem(file, 1, None, None, "empty rule file (no header)")])
    header = [h.strip() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputRejected([Problem(file, 1, c, None, "missing column (header must be "
                                     + ",".join(COLUMNS) + ")") for c in missing])
    pos = {c: header.index(c) for c in COLUMNS}
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for rowno, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if len(row) != len(header):
            problems.append(Problem(file, rowno, None, None,
                                    f"expected {len(header)} fields, found {len(row)}"))
            continue
        cell = {c: row[pos[c]].strip() for c in COLUMNS}
        bad = len(problems)
        if not cell["rule_id"]:
            problems.append(Problem(file, rowno, "rule_id", "", "empty rule id"))
        elif cell["rule_id"] in seen:
            problems.append(Problem(file, rowno, "rule_id", cell["rule_id"],
                                    f"duplicate rule id (first on row {seen[cell['rule_id']]})"))
        kind = cell["kind"]
        if kind not in KINDS:
            problems.append(Problem(file, rowno, "kind", kind, f"unknown kind (one of {', '.join(KINDS)})"))
        sides: dict[str, RuleClass | None] = {"a": None, "b": None}
        for col in ("a", "b"):
            value = cell[col]
            try:
                if kind == "zone":
                    sides[col] = _parse_zone_side(value, col)
                elif col == "b" and kind in COVER_KINDS:
                    if value not in ("", "-"):
                        raise ValueError("cover rows name one class in column a; leave b empty")
                elif kind in KINDS:
                    sides[col] = parse_class(value)
            except ValueError as exc:
                problems.append(Problem(file, rowno, col, value, str(exc)))
        try:
            min_m = float(cell["min_m"])
            if not np.isfinite(min_m):
                raise ValueError
            if min_m < 0:
                problems.append(Problem(file, rowno, "min_m", cell["min_m"], "negative distance"))
        except ValueError:
            min_m = np.nan
            problems.append(Problem(file, rowno, "min_m", cell["min_m"], "not a number (metres)"))
        if cell["confidence"] not in CONFIDENCES:
            problems.append(Problem(file, rowno, "confidence", cell["confidence"],
                                    f"unknown confidence (one of {', '.join(CONFIDENCES)})"))
        if not cell["source"]:
            problems.append(Problem(file, rowno, "source", "", "every rule needs its source"))
        if len(problems) == bad:
            seen[cell["rule_id"]] = rowno
            rules.append(Rule(cell["rule_id"], kind, sides["a"], sides["b"], min_m, cell["source"],
                              cell["confidence"], cell["note"], file, rowno))
    if problems:
        raise InputRejected(problems)
    return rules


def read_rule_file(path: str | Path) -> list[Rule]:
    """Rows of one rule CSV file (UTF-8, BOM allowed)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputRejected([Problem(str(path), None, None, None, "no such rule file")]) from None
    except UnicodeDecodeError as exc:
        raise InputRejected([Problem(str(path), None, None, None, f"not UTF-8 text ({exc.reason})")]) from None
    return parse_rows(text, str(path))


def builtin_files() -> list[Path]:
    """The shipped rule files (resources/rules/*.csv)."""
    return sorted(RULES_DIR.glob("*.csv"))


def load(user_file: str | Path | None = None, project_text: str | None = None) -> RuleTable:
    """The built-in rules, with the rows of every kind a user or project rule file holds replaced.

    ``project_text`` is a rule CSV stored in the project (project_meta key ``rules_csv``);
    a ``user_file`` (--rules) wins over it.
    """
    rules: list[Rule] = []
    files = [str(p) for p in builtin_files()]
    for p in builtin_files():
        rules += read_rule_file(p)
    if project_text:
        rules = _replace_kinds(rules, parse_rows(project_text, "project_meta:rules_csv"))
        files.append("project_meta:rules_csv")
    if user_file is not None:
        rules = _replace_kinds(rules, read_rule_file(user_file))
        files.append(str(user_file))
    return RuleTable(rules, files)


def _replace_kinds(base: list[Rule], new: list[Rule]) -> list[Rule]:
    kinds = {r.kind for r in new}
    return [r for r in base if r.kind not in kinds] + new


def load_for_project(project, user_file: str | Path | None = None) -> RuleTable:
    """Rules for a project: built-in, then the project's stored table, then ``user_file``."""
    return load(user_file, project.meta.get("rules_csv"))

"""What a report holds: options, and the content built from one check run (no formatting here)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from gis.errors import UsageError
from gis.report.text import LANGS, T

MAX_ROWS = 2000
"""Findings listed in a report's table; the rest go to the companion CSV."""


@dataclass
class ReportOptions:
    """How to build a report."""

    lang: str = "both"                       # zh | en | both
    include_sensitive: bool = False          # list sensitive features in full (audited)
    max_rows: int = MAX_ROWS
    map_size: tuple[int, int] = (1600, 1000)
    rules_file: str | None = None            # the --rules file the check ran with
    max_owner_features: int = 60             # features listed per owner

    def check(self) -> None:
        """Raise UsageError naming the first bad option."""
        if self.lang not in LANGS:
            raise UsageError(f"report language {self.lang!r}: use one of {', '.join(LANGS)}")
        if self.max_rows < 1:
            raise UsageError(f"max_rows {self.max_rows}: must be at least 1")
        w, h = self.map_size
        if not (64 <= w <= 8192 and 64 <= h <= 8192):
            raise UsageError(f"map size {w}x{h}: width and height must be 64..8192 pixels")


@dataclass(frozen=True)
class RuleFile:
    """One rule table a run used, identified by its SHA-256."""

    name: str          # path, or project_meta:rules_csv
    origin: str        # builtin | project | user
    sha256: str
    rows: int


@dataclass
class MapExtract:
    """The map picture: a PNG of the findings' area with severity markers, or why there is none."""

    png: bytes | None
    bbox: tuple[float, float, float, float] | None
    size: tuple[int, int]
    markers: dict[str, int] = field(default_factory=dict)    # severity -> findings drawn
    missing: T | None = None


@dataclass
class OwnerGroup:
    """One owner (权属单位) to notify and the features of theirs involved."""

    owner: str                                   # "" when not recorded
    worst: str                                   # worst severity among their findings
    findings: int
    features: list[tuple[str, str, str, int]]    # (layer, id, worst severity, findings), listed part
    total_features: int


@dataclass
class Report:
    """Everything a report shows, ready for the HTML and PDF writers."""

    options: ReportOptions
    check: str
    run_id: str
    run_time: str
    generated: str
    project: dict                          # path, name, crs
    rule_files: list[RuleFile]
    rules_cited: pd.DataFrame              # rule rows behind the findings (rule_id, kind, a, b, min_m, ...)
    summary: dict                          # findings, by_severity, by_kind, violations, uncertain, ...
    map: MapExtract
    rows: pd.DataFrame                     # the table: sorted by severity, capped, sensitive rows withheld
    findings: pd.DataFrame                 # every finding, same order and policy (companion CSV)
    owners: list[OwnerGroup]
    withheld: dict                         # {"findings": n, "layers": [...]}: rows shown without details
    sensitive_included: list[str]          # sensitive layers shown in full (audited)
    notes: list[T]
    bands: dict[str, float] | None

    @property
    def title(self) -> T:
        """The report title."""
        from gis.report.text import TITLES

        return TITLES.get(self.check, T(f"{self.check} 检查报告", f"{self.check} check report"))

    @property
    def total(self) -> int:
        """Number of findings of the run."""
        return len(self.findings)

    @property
    def capped(self) -> bool:
        """Whether the table lists fewer findings than the run has."""
        return len(self.rows) < len(self.findings)

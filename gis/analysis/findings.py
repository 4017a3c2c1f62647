"""Findings of checks: the common row format, severity, run ids, and writing them out.

Every check returns a :class:`CheckResult` whose ``findings`` frame has the
CLI.md JSON keys (plus ``plan_m`` / ``vertical_m`` where a check measures
both).  Findings are written to the project's ``findings`` layer under the
run id in one transaction, never overwriting an earlier run.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from gis.analysis.severity import SEVERITY_ORDER
from gis.errors import UsageError

COLUMNS = ["finding_id", "check", "kind", "rule_id", "a_layer", "a_id", "b_layer", "b_id", "required_m",
           "actual_m", "deficit_m", "severity", "uncertain", "x", "y", "z", "source", "confidence",
           "owners", "note"]
EXTRA_COLUMNS = ["plan_m", "vertical_m"]
EPS = 1e-6     # metres: comparisons at the threshold are not violations (identical in every check)


@dataclass
class CheckResult:
    """What a check returns: its run id, a summary dict and the findings frame."""

    run_id: str
    check: str
    summary: dict
    findings: pd.DataFrame
    extra: dict = field(default_factory=dict)

    @property
    def violations(self) -> int:
        """Number of findings whose actual value is short of the required one."""
        return int(self.summary.get("violations", 0))

    def to_json(self) -> dict:
        """The CLI.md JSON document."""
        rows = self.findings.reindex(columns=COLUMNS + [c for c in EXTRA_COLUMNS if c in self.findings])
        rows = rows.astype(object).where(rows.notna(), None)
        return {"run_id": self.run_id, "check": self.check, "summary": self.summary,
                "findings": rows.to_dict(orient="records")}


def new_run_id(check: str) -> str:
    """UTC timestamp (to the microsecond) plus the check name, e.g. 20261105T101500123456Z-clearance."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ") + f"-{check}"


def severity_codes(deficit, required) -> np.ndarray:
    """RULES.md severity as codes into SEVERITY_ORDER (int8), from the deficit share of the required value."""
    deficit = np.asarray(deficit, dtype=float)
    required = np.asarray(required, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = deficit / required
    share[~(required > 0)] = np.inf
    code = np.full(deficit.shape, SEVERITY_ORDER["minor"], dtype=np.int8)
    code[share > 0.2] = SEVERITY_ORDER["major"]
    code[share > 0.5] = SEVERITY_ORDER["critical"]
    code[deficit <= EPS] = SEVERITY_ORDER["info"]
    return code


def severity(deficit, required) -> pd.Categorical:
    """RULES.md severity from the deficit share of the required value; "info" when not short."""
    return pd.Categorical.from_codes(severity_codes(deficit, required), categories=list(SEVERITY_ORDER))


def _sort_keys(severity_code: np.ndarray, deficit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code, key): unsigned keys ordering rows by code, then the largest deficit first (NaN last).

    ``key`` orders as the negated deficit does (-0.0 and 0.0 are one key).
    """
    code = np.asarray(severity_code).astype(np.uint64)
    value = -np.nan_to_num(np.asarray(deficit, dtype=float), nan=-np.inf) + 0.0
    bits = value.view(np.uint64)
    # float order as unsigned order: flip every bit of negatives, the sign bit of the rest
    return code, np.where((bits >> np.uint64(63)).astype(bool), ~bits, bits | np.uint64(1 << 63))


def order(severity_code: np.ndarray, deficit: np.ndarray) -> np.ndarray:
    """Findings order: by severity, then the largest deficit first (NaN last), ties in row order.

    One sort of packed keys: the code, the deficit key's leading bits and the
    row number; rows whose leading bits agree but whose deficits differ are
    put in order afterwards (a sort of those few).
    """
    n = len(deficit)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    code, key = _sort_keys(severity_code, deficit)
    code_bits = max(int(code.max()).bit_length(), 1)
    row_bits = max(int(n - 1).bit_length(), 1)
    if code_bits + row_bits > 40:                     # too few bits left for the deficit: the plain way
        return np.lexsort((np.arange(n), key, code))
    low = np.uint64((1 << row_bits) - 1)
    lead = (code << np.uint64(64 - code_bits)) | (key >> np.uint64(code_bits))
    packed = np.sort((lead & ~low) | np.arange(n, dtype=np.uint64))
    rows = (packed & low).astype(np.int64)
    lead = packed >> np.uint64(row_bits)
    same = np.flatnonzero(lead[1:] == lead[:-1])
    if len(same):                                     # leading bits shared: compare the whole keys
        mark = np.zeros(n, dtype=bool)                # the rows of those runs, in place (no sort of them)
        mark[same] = True
        mark[same + 1] = True
        pos = np.flatnonzero(mark)
        full = key[rows[pos]]
        group = np.cumsum(np.concatenate([[0], (pos[1:] != pos[:-1] + 1) | (lead[pos[1:]] != lead[pos[:-1]])]))
        step = np.flatnonzero(group[1:] == group[:-1])
        differs = np.zeros(int(group[-1]) + 1, dtype=bool)
        differs[group[step[full[step + 1] != full[step]]]] = True
        fix = np.flatnonzero(differs[group])
        if len(fix):
            p = pos[fix]
            rows[p] = rows[p][np.lexsort((rows[p], full[fix], group[fix]))]
    return rows


def in_order(severity_code: np.ndarray, deficit: np.ndarray) -> bool:
    """Whether rows are already in the findings order (see :func:`order`)."""
    if len(deficit) < 2:
        return True
    code, key = _sort_keys(severity_code, deficit)
    up = code[1:] > code[:-1]
    return bool((up | ((code[1:] == code[:-1]) & (key[1:] >= key[:-1]))).all())


def judge(actual, required, band) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(violation, uncertain, flagged) per RULES.md: short of required; within the band either way."""
    actual, required, band = (np.asarray(v, dtype=float) for v in (actual, required, band))
    violation = actual < required - EPS
    uncertain = np.abs(actual - required) <= band + EPS
    return violation, uncertain, violation | uncertain


def frame(rows: dict, check: str, run_id: str) -> pd.DataFrame:
    """A findings frame from column arrays; ids, severity order and finding ids filled in."""
    df = rows.copy(deep=False) if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    for c in COLUMNS:
        if c not in df:
            df[c] = None
    df["check"] = pd.Categorical.from_codes(np.zeros(len(df), dtype=np.int8), [check])
    if len(df):
        sev = pd.Categorical(df["severity"], categories=list(SEVERITY_ORDER)).codes
        deficit = pd.to_numeric(df["deficit_m"]).to_numpy(float)
        if not in_order(sev, deficit):
            df = df.iloc[order(sev, deficit)].reset_index(drop=True)
    df["finding_id"] = finding_ids(run_id, len(df))
    return df[COLUMNS + [c for c in EXTRA_COLUMNS if c in df]]


def finding_ids(run_id: str, n: int) -> pd.Series:
    """"RUNID-1" ... "RUNID-n" as a string column (built in arrow, no Python strings)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    numbers = pc.cast(pa.array(np.arange(1, n + 1, dtype=np.int64)), pa.string())
    return pd.Series(pc.binary_join_element_wise(f"{run_id}-", numbers, ""),
                     dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def summarize(df: pd.DataFrame, **more) -> dict:
    """The summary every check reports: counts by severity, violations, uncertain, unverified rules."""
    by = df["severity"].value_counts().to_dict() if len(df) else {}
    short = df["deficit_m"].astype(float) > EPS if len(df) else pd.Series(dtype=bool)
    conf = df["confidence"].fillna("") if len(df) else pd.Series(dtype=object)
    return {"findings": int(len(df)),
            "by_severity": {k: int(by.get(k, 0)) for k in SEVERITY_ORDER},
            "violations": int(short.sum()),
            "uncertain": int(df["uncertain"].astype(bool).sum()) if len(df) else 0,
            "by_confidence": {k: int(v) for k, v in conf[conf != ""].value_counts().items()},
            **more}


def write(project, result: CheckResult, progress=None) -> None:
    """Append the findings of a run to the project's findings layer (one transaction)."""
    import geopandas as gpd
    import shapely

    df = result.findings
    gdf = gpd.GeoDataFrame(
        df.drop(columns=["x", "y", "z"]).assign(run_id=result.run_id),
        geometry=shapely.points(df["x"].to_numpy(float), df["y"].to_numpy(float),
                                np.nan_to_num(df["z"].to_numpy(float))),
        crs=project.crs)
    gdf["uncertain"] = gdf["uncertain"].astype(bool)
    with project.transaction() as txn:
        txn.insert("findings", gdf, progress=progress)
        txn.audit("findings", None, "check", None,
                  {"run_id": result.run_id, "check": result.check, "findings": len(df)})


def export(result: CheckResult, path: str | Path, crs=None) -> None:
    """Write findings to a CSV (UTF-8 with BOM) or a GeoPackage (layer ``findings``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    df = result.findings.assign(run_id=result.run_id)
    if suffix == ".csv":
        df.to_csv(path, index=False, encoding="utf-8-sig")
    elif suffix == ".gpkg":
        import geopandas as gpd
        import shapely

        geom = shapely.points(df["x"].to_numpy(float), df["y"].to_numpy(float),
                              np.nan_to_num(df["z"].to_numpy(float)))
        gpd.GeoDataFrame(df, geometry=geom, crs=crs).to_file(path, layer="findings", driver="GPKG")
    else:
        raise UsageError(f"--out {path}: use a .csv or .gpkg file")

"""Field-level rules shared by the importers, vectorised over a TableGroup.

Numbers are checked against the registry's minimum/maximum, coded values
against its allowed lists, utilities against the utility registry; ids get
their duplicate and prefix handling here (DATA_MODEL.md "Z and ids").
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gis import layers as registry
from gis.errors import UsageError
from gis.utilities import UTILITIES
from importers import parse
from importers.messages import tr
from importers.tablegroup import TableGroup
from importers.vocab import coded, utility_of


def fmt_number(v: float) -> str:
    """A number as short text (1, 0.5, 60)."""
    return f"{v:g}"


def number(group: TableGroup, key: str, field: registry.Field | None = None, factor: float = 1.0,
           unit_suffix: str | None = None, cm_hint: bool = False) -> np.ndarray:
    """Numbers of column ``key`` times ``factor`` (NaN if absent or blank); flags bad and out-of-range cells."""
    if not group.has(key):
        return np.full(group.n, np.nan)
    col = group.col(key)
    values, bad = parse.numbers(col, unit_suffix)
    group.flag(bad, key, col, tr("number_bad"))
    values = values * factor
    if field is not None and (field.minimum is not None or field.maximum is not None):
        lo = -np.inf if field.minimum is None else field.minimum
        hi = np.inf if field.maximum is None else field.maximum
        with np.errstate(invalid="ignore"):
            out = ~np.isnan(values) & ((values < lo) | (values > hi))
        if out.any():
            hint = cm_hint and factor == 1.0 and np.nanmax(values[out]) > hi
            reason = (tr("depth_cm_hint", hi=fmt_number(hi)) if hint else
                      tr("out_of_range", lo=fmt_number(lo), hi=fmt_number(hi), unit=field.unit or ""))
            group.flag(out, key, col, reason)
            values[out] = np.nan
    return values


def integer(group: TableGroup, key: str, field: registry.Field, unit_suffix: str | None = None) -> np.ndarray:
    """Whole numbers of column ``key`` (NaN if absent/blank); flags bad cells and the registry range."""
    if not group.has(key):
        return np.full(group.n, np.nan)
    col = group.col(key)
    if unit_suffix:
        col = pc.replace_substring_regex(col, rf"\s*(?:{unit_suffix})$", "")
    values, bad = parse.integers(col)
    group.flag(bad, key, group.col(key), tr("integer_bad"))
    lo = -np.inf if field.minimum is None else field.minimum
    hi = np.inf if field.maximum is None else field.maximum
    with np.errstate(invalid="ignore"):
        out = ~np.isnan(values) & ((values < lo) | (values > hi))
    group.flag(out, key, group.col(key), tr("out_of_range", lo=fmt_number(lo), hi=fmt_number(hi), unit=field.unit or ""))
    values[out] = np.nan
    return values


def text(group: TableGroup, key: str) -> np.ndarray:
    """Cells of ``key`` as an object array (None for blank or absent)."""
    if not group.has(key):
        return np.full(group.n, None, dtype=object)
    return parse.texts(group.col(key))


def coded_values(group: TableGroup, key: str, field: registry.Field) -> np.ndarray:
    """Cells of ``key`` mapped to the field's allowed values; flags cells that mean none of them."""
    if not group.has(key):
        return np.full(group.n, None, dtype=object)
    col = group.col(key)
    values, idx = parse.distinct(col)
    mapped = np.array([coded(field.name, v, field.allowed) for v in values] + [None], dtype=object)
    out = mapped[idx]
    unknown = np.array([bool(v) and m is None for v, m in zip(values, mapped)] + [False], dtype=bool)[idx]
    group.flag(unknown, key, col, tr("value_not_allowed", allowed=", ".join(field.allowed or ())))
    return out


def dates(group: TableGroup, key: str) -> np.ndarray:
    """Cells of ``key`` as ISO dates (object array, None for blank); flags cells that are not dates."""
    if not group.has(key):
        return np.full(group.n, None, dtype=object)
    col = group.col(key)
    values, idx = parse.distinct(col)
    norm = [v.replace(".", "-").replace("/", "-").replace("年", "-").replace("月", "-").rstrip("日") for v in values]
    parsed = pd.to_datetime(pd.Series(norm, dtype=object), format="%Y-%m-%d", errors="coerce")
    iso = np.array([None if pd.isna(p) else p.strftime("%Y-%m-%d") for p in parsed] + [None], dtype=object)
    bad = np.array([bool(v) and i is None for v, i in zip(values, iso)] + [False], dtype=bool)
    group.flag(bad[idx], key, col, tr("date_bad"))
    return iso[idx]


def utilities(group: TableGroup, default: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(utility code, sub-type code or None) per row from the utility column, else ``default``.

    Flags unknown codes and rows with no utility at all.
    """
    fallback = (None, None)
    if default:
        hit = utility_of(default)
        if hit is None:
            raise UsageError(f"--utility {default}: " + tr("utility_unknown", codes=", ".join(UTILITIES)))
        fallback = hit
    if not group.has("utility"):
        return np.full(group.n, fallback[0], dtype=object), np.full(group.n, fallback[1], dtype=object)
    col = group.col("utility")
    values, idx = parse.distinct(col)
    hits = [utility_of(v) if v else fallback for v in values] + [fallback]
    util = np.array([h[0] if h else None for h in hits], dtype=object)[idx]
    sub = np.array([h[1] if h else None for h in hits], dtype=object)[idx]
    unknown = np.array([bool(v) and h is None for v, h in zip(values, hits)] + [False], dtype=bool)[idx]
    group.flag(unknown, "utility", col, tr("utility_unknown", codes=", ".join(UTILITIES)))
    missing = (util == None) & ~unknown  # noqa: E711 - elementwise on an object array
    group.flag(missing, "utility", col, tr("required_blank"))
    if group.has("subtype"):
        given = text(group, "subtype")
        sub = np.where(given != None, given, sub)  # noqa: E711
    return util, sub


def prefix_codes(util: np.ndarray, sub: np.ndarray) -> np.ndarray:
    """The code a survey institute prefixes ids with: the sub-type if any, else the utility."""
    return np.where(sub != None, sub, util)  # noqa: E711


def apply_prefix(ids: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Prepend each row's code to ids that do not already start with it."""
    out = ids.copy()
    has = (ids != None) & (codes != None)  # noqa: E711
    for code in pd.unique(codes[has]):
        sel = np.flatnonzero(has & (codes == code))
        arr = pa.array(ids[sel], pa.string())
        starts = pc.starts_with(arr, code).to_numpy(zero_copy_only=False)
        joined = pc.binary_join_element_wise(pa.scalar(code), arr, "").to_numpy(zero_copy_only=False)
        out[sel] = np.where(starts, ids[sel], joined)
    return out


def ids_repeat_across(ids: np.ndarray, codes: np.ndarray, util: np.ndarray,
                      existing: pd.DataFrame | None = None) -> bool:
    """Whether ids repeat under different codes here, or clash with ``existing`` (id, utility) of another utility."""
    df = pd.DataFrame({"id": ids, "code": codes, "util": util}).dropna()
    if df[["id", "code"]].drop_duplicates()["id"].duplicated().any():
        return True
    if existing is None or not len(existing):
        return False
    merged = df.merge(existing, on="id", how="inner")
    return bool((merged["util"] != merged["utility"]).any())


def duplicates(ids: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mask of rows whose id repeats, the row number of another row with that id)."""
    s = pd.Series(ids, dtype=object)
    dup = (s.notna() & s.duplicated(keep=False)).to_numpy()
    other = np.zeros(len(ids), dtype=np.int64)
    if dup.any():
        g = pd.DataFrame({"id": ids[dup], "row": rows[dup]})
        k = g.groupby("id", sort=False).cumcount().to_numpy()
        first = g.groupby("id", sort=False)["row"].transform("first").to_numpy()
        second = g[k == 1].set_index("id")["row"]
        other[dup] = np.where(k == 0, g["id"].map(second).to_numpy(), first)
    return dup, other


def default_depth_ref(util: np.ndarray) -> np.ndarray:
    """The utility's depth convention per row (top where unknown)."""
    out = np.full(len(util), "top", dtype=object)
    for code in pd.unique(util[util != None]):  # noqa: E711
        out[util == code] = UTILITIES[code].depth_ref
    return out


def existing(project, layer: str, columns: list[str], geometry: bool = False) -> pd.DataFrame | None:
    """Columns of a layer already in the project (None when the layer is empty or no project)."""
    if project is None or project.count(layer) == 0:
        return None
    gdf = project.read(layer, columns=columns)
    if not geometry:
        return pd.DataFrame(gdf[columns])
    return gdf

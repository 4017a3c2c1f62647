"""Field-level rules shared by the importers, vectorised over a TableGroup.

Numbers are checked against the registry's minimum/maximum, coded values
against its allowed lists, utilities against the utility registry; ids get
their duplicate and prefix handling here (DATA_MODEL.md "Z and ids").  Text
and id columns stay Arrow arrays (nulls for blanks): hashing, joining and
prefixing them runs in Arrow's C++ kernels.
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


def _range_flags(group: TableGroup, key: str, values: np.ndarray, field: registry.Field, reason: str) -> None:
    lo = -np.inf if field.minimum is None else field.minimum
    hi = np.inf if field.maximum is None else field.maximum
    with np.errstate(invalid="ignore"):
        out = ~np.isnan(values) & ((values < lo) | (values > hi))
    if out.any():
        group.flag(out, key, group.col(key), reason)
        values[out] = np.nan


def _range_reason(field: registry.Field) -> str:
    lo = "-inf" if field.minimum is None else fmt_number(field.minimum)
    hi = "inf" if field.maximum is None else fmt_number(field.maximum)
    return tr("out_of_range", lo=lo, hi=hi, unit=field.unit or "")


def number(group: TableGroup, key: str, field: registry.Field | None = None, factor: float = 1.0,
           unit_suffix: str | None = None, cm_hint: bool = False) -> np.ndarray:
    """Numbers of column ``key`` times ``factor`` (NaN if absent or blank); flags bad and out-of-range cells."""
    if not group.has(key):
        return np.full(group.n, np.nan)
    col = group.col(key)
    values, bad = parse.numbers(col, unit_suffix)
    group.flag(bad, key, col, tr("number_bad"))
    if factor != 1.0:
        values = values * factor
    if field is not None and (field.minimum is not None or field.maximum is not None):
        reason = _range_reason(field)
        if cm_hint and factor == 1.0 and field.maximum is not None and np.nanmax(values, initial=0) > field.maximum:
            reason = tr("depth_cm_hint", hi=fmt_number(field.maximum))
        _range_flags(group, key, values, field, reason)
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
    _range_flags(group, key, values, field, _range_reason(field))
    return values


def _nulls(n: int) -> pa.Array:
    return pa.nulls(n, pa.string())


def text(group: TableGroup, key: str) -> pa.ChunkedArray | pa.Array:
    """Cells of ``key`` as Arrow strings, null for blank or absent."""
    if not group.has(key):
        return _nulls(group.n)
    return parse.texts(group.col(key))


def coded_values(group: TableGroup, key: str, field: registry.Field) -> pa.Array:
    """Cells of ``key`` mapped to the field's allowed values; flags cells that mean none of them."""
    if not group.has(key):
        return _nulls(group.n)
    col = group.col(key)
    values, idx = parse.distinct(col)
    mapped = [coded(field.name, v, field.allowed) for v in values]
    unknown = np.array([bool(v) and m is None for v, m in zip(values, mapped)] + [False], dtype=bool)[idx]
    group.flag(unknown, key, col, tr("value_not_allowed", allowed=", ".join(field.allowed or ())))
    return parse.spread(mapped, idx)


def dates(group: TableGroup, key: str) -> pa.Array:
    """Cells of ``key`` as ISO dates (null for blank); flags cells that are not dates."""
    if not group.has(key):
        return _nulls(group.n)
    col = group.col(key)
    values, idx = parse.distinct(col)
    norm = [v.replace(".", "-").replace("/", "-").replace("年", "-").replace("月", "-").rstrip("日") for v in values]
    parsed = pd.to_datetime(pd.Series(norm, dtype=object), format="%Y-%m-%d", errors="coerce")
    iso = [None if pd.isna(p) else p.strftime("%Y-%m-%d") for p in parsed]
    bad = np.array([bool(v) and i is None for v, i in zip(values, iso)] + [False], dtype=bool)
    group.flag(bad[idx], key, col, tr("date_bad"))
    return parse.spread(iso, idx)


def utilities(group: TableGroup, default: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(utility code, sub-type code or None) per row (object arrays) from the utility column, else ``default``.

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
    group.flag(pd.isna(util) & ~unknown, "utility", col, tr("required_blank"))
    if group.has("subtype"):
        given = text(group, "subtype").to_numpy(zero_copy_only=False)
        sub = np.where(pd.isna(given), sub, given)
    return util, sub


def prefix_codes(util: np.ndarray, sub: np.ndarray) -> np.ndarray:
    """The code a survey institute prefixes ids with: the sub-type if any, else the utility."""
    return np.where(pd.isna(sub), util, sub)


def apply_prefix(ids, codes: np.ndarray) -> pa.Array:
    """Prepend each row's code to ids that do not already start with it."""
    ids = pa.array(ids, pa.string()) if not isinstance(ids, (pa.Array, pa.ChunkedArray)) else ids
    code_arr = pa.array(codes, pa.string())
    joined = pc.binary_join_element_wise(code_arr, ids, "")
    starts = np.zeros(len(ids), dtype=bool)
    for length in {len(c) for c in pd.unique(codes[~pd.isna(codes)])}:
        head = pc.utf8_slice_codeunits(ids, 0, length)
        starts |= pc.fill_null(pc.equal(head, code_arr), False).to_numpy(zero_copy_only=False)
    keep = pa.array(starts | pd.isna(codes))
    return pc.if_else(keep, ids, joined)


def _dictionary(ids) -> tuple[pa.Array, np.ndarray]:
    """(distinct ids, each row's index into them; -1 for null)."""
    enc = pc.dictionary_encode(ids)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks() if enc.num_chunks else pa.DictionaryArray.from_arrays(pa.array([], pa.int32()),
                                                                                       pa.array([], pa.string()))
    return enc.dictionary, pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def id_index(ids) -> tuple[pa.Array, np.ndarray]:
    """(distinct ids, each row's index into them; -1 for null): pass it on to avoid hashing ids twice."""
    return _dictionary(ids)


def ids_repeat_across(ids, codes: np.ndarray, util: np.ndarray, existing: pd.DataFrame | None = None,
                      index: tuple[pa.Array, np.ndarray] | None = None) -> bool:
    """Whether ids repeat under different codes here, or clash with ``existing`` (id, utility) of another utility."""
    values, id_idx = index or _dictionary(ids)
    code_idx = pd.factorize(codes)[0]
    ok = (id_idx >= 0) & (code_idx >= 0)
    first_code = np.full(len(values), -1, dtype=np.int64)
    first_code[id_idx[ok][::-1]] = code_idx[ok][::-1]      # the code each id is first seen with
    if (code_idx[ok] != first_code[id_idx[ok]]).any():
        return True
    if existing is None or not len(existing):
        return False
    hit = pc.index_in(ids, value_set=pa.array(existing["id"].to_numpy(dtype=object), pa.string()))
    pos = pc.fill_null(hit, -1).to_numpy(zero_copy_only=False)
    found = pos >= 0
    return bool((existing["utility"].to_numpy(dtype=object)[pos[found]] != util[found]).any())


def duplicates(ids, rows: np.ndarray, index: tuple[pa.Array, np.ndarray] | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """(mask of rows whose id repeats, the row number of another row with that id)."""
    _, idx = index or _dictionary(ids)
    ok = idx >= 0
    counts = np.bincount(idx[ok], minlength=1)
    dup = ok & (counts[np.maximum(idx, 0)] > 1)
    other = np.zeros(len(idx), dtype=np.int64)
    if dup.any():
        g = pd.DataFrame({"id": idx[dup], "row": rows[dup]})
        k = g.groupby("id", sort=False).cumcount().to_numpy()
        first = g.groupby("id", sort=False)["row"].transform("first").to_numpy()
        second = g[k == 1].set_index("id")["row"]
        other[dup] = np.where(k == 0, g["id"].map(second).to_numpy(), first)
    return dup, other


def lookup(ids, keys) -> np.ndarray:
    """Position of each id among ``keys`` (first occurrence); -1 where absent or null."""
    keys = keys if isinstance(keys, (pa.Array, pa.ChunkedArray)) else pa.array(keys, pa.string())
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    hit = pc.index_in(ids, value_set=keys)
    return pc.fill_null(hit, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def in_set(ids, values) -> np.ndarray:
    """True where the id is one of ``values``."""
    return pc.is_in(ids, value_set=pa.array(values, pa.string())).to_numpy(zero_copy_only=False)


def default_depth_ref(util: np.ndarray) -> np.ndarray:
    """The utility's depth convention per row (top where unknown)."""
    codes, uniques = pd.factorize(util)
    refs = np.array([UTILITIES[c].depth_ref for c in uniques] + ["top"], dtype=object)
    return refs[codes]


def existing(project, layer: str, columns: list[str], geometry: bool = False):
    """Columns of a layer already in the project (None when the layer is empty or no project)."""
    if project is None or project.count(layer) == 0:
        return None
    gdf = project.read(layer, columns=columns)
    if not geometry:
        return pd.DataFrame(gdf[columns])
    return gdf

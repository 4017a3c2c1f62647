"""Vectorised parsing of text columns: numbers, sizes, codes, value maps.

Inputs are pyarrow string arrays whose blanks are "" (see importers.table).
Numbers are matched with one regular expression and cast by Arrow; anything
else that needs Python (sizes, code lists) runs once per distinct value.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

NUMBER = r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$"


def blank(col: pa.ChunkedArray) -> np.ndarray:
    """True where the cell is empty."""
    return pc.equal(col, "").to_numpy(zero_copy_only=False)


def numbers(col: pa.ChunkedArray, unit_suffix: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(float values, NaN where blank or bad; mask of non-blank cells that are not numbers).

    ``unit_suffix`` (a regex such as ``m``) may follow the number and is ignored.
    """
    text = col
    if unit_suffix:
        text = pc.replace_substring_regex(col, rf"\s*(?:{unit_suffix})$", "")
    ok = pc.match_substring_regex(text, NUMBER)
    values = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.float64())
    out = values.to_numpy(zero_copy_only=False).astype(float)
    bad = ~ok.to_numpy(zero_copy_only=False) & ~blank(col)
    return out, bad


def integers(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """(float values of whole numbers, NaN elsewhere; mask of non-blank cells that are not whole)."""
    values, bad = numbers(col)
    frac = ~np.isnan(values) & (np.floor(values) != values)
    values[frac] = np.nan
    return values, bad | frac


def texts(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """The cells with blanks as nulls."""
    return pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col)


def isnull(values) -> np.ndarray:
    """True where a text array (Arrow or numpy object) holds no value."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return pc.is_null(values).to_numpy(zero_copy_only=False)
    return pd.isna(values)


def spread(values: list, idx: np.ndarray) -> pa.Array:
    """Per-row strings from per-distinct ``values`` and each row's index into them (Arrow take)."""
    return pa.array(values, pa.string()).take(pa.array(idx, pa.int64()))


def distinct(col: pa.ChunkedArray) -> tuple[list[str], np.ndarray]:
    """(distinct cell texts, index of each row's text in that list)."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks else pa.array([], col.type)
    enc = pc.dictionary_encode(col)
    return enc.dictionary.to_pylist(), enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)


def by_value(col: pa.ChunkedArray, fn: Callable[[str], object]) -> np.ndarray:
    """Apply ``fn`` once per distinct cell text and spread the results over the rows (object array)."""
    values, idx = distinct(col)
    results = np.empty(len(values), dtype=object)
    results[:] = [fn(v) for v in values]
    return results[idx]


# ------------------------------------------------------------------- sizes
_SIZE = re.compile(r"^(?:DN|DE|D|Φ|φ|Ø|ø|∅)?\s*([-+]?\d+(?:\.\d+)?)\s*(?:MM)?"
                   r"(?:\s*[X×*]\s*(?:DN|D)?\s*([-+]?\d+(?:\.\d+)?)\s*(?:MM)?)?$", re.IGNORECASE)


def size_of(text: str) -> tuple[float, float, float] | None | str:
    """A 管径 text as (diameter, width, height) in mm with NaN for unused parts.

    "DN300", "300", "Φ300" -> (300, nan, nan); "800x600" / "800×600" -> (nan, 800, 600).
    "" gives None; unreadable text gives "bad".
    """
    if not text:
        return None
    m = _SIZE.match(text.replace(" ", ""))
    if not m:
        return "bad"
    a = float(m.group(1))
    if m.group(2) is None:
        return (a, np.nan, np.nan)
    return (np.nan, a, float(m.group(2)))


def sizes(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised :func:`size_of`: (diameter, width, height, bad mask, missing mask)."""
    values, idx = distinct(col)
    parsed = [size_of(v) for v in values]
    missing = np.array([p is None for p in parsed] + [False], dtype=bool)
    bad = np.array([isinstance(p, str) for p in parsed] + [False], dtype=bool)
    triples = np.array([p if isinstance(p, tuple) else (np.nan,) * 3 for p in parsed] + [(np.nan,) * 3],
                       dtype=float)
    return triples[idx, 0], triples[idx, 1], triples[idx, 2], bad[idx], missing[idx]

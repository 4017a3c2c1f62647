"""Small array helpers shared by the demo generator: column dicts, ragged ranges, fast lookups."""
from __future__ import annotations

import numpy as np
import pandas as pd


def cat(parts: list[dict]) -> dict:
    """Concatenate column dicts with the same keys."""
    return {k: np.concatenate([np.asarray(p[k]) for p in parts]) for k in parts[0]}


def take(cols: dict, idx) -> dict:
    """Rows ``idx`` of a column dict."""
    return {k: v[idx] for k, v in cols.items()}


def ragged(counts) -> tuple[np.ndarray, np.ndarray]:
    """For groups of ``counts`` items: each item's group and its index within the group."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, k


def lookup(keys, table: dict, dtype=object) -> np.ndarray:
    """``table[key]`` for every key (hash-factorised: fast on a million rows of a few distinct keys)."""
    codes, uniques = pd.factorize(np.asarray(keys, dtype=object), use_na_sentinel=False)
    values = np.empty(len(uniques), dtype=dtype)
    for n, u in enumerate(uniques):
        values[n] = table.get(u)
    return values[codes]

"""The findings order (gis.analysis.findings.order) against a plain lexsort, on data full of ties."""
import numpy as np
import pytest

from gis.analysis import findings


def _plain(sev: np.ndarray, deficit: np.ndarray) -> np.ndarray:
    key = np.nan_to_num(-deficit, nan=np.inf) + 0.0
    return np.lexsort((np.arange(len(deficit)), key, sev))


@pytest.mark.parametrize("seed", range(6))
def test_order_matches_lexsort_with_many_ties(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 5000))
    # few distinct deficits (exact ties), near-ties in the last bits, zeros of both signs and NaN
    base = rng.choice(np.array([0.5, -0.25, 0.0, -0.0, np.nan, 1e-7, 0.3]), n)
    nudge = rng.integers(0, 3, n) * np.spacing(np.abs(np.nan_to_num(base)) + 1e-300)
    deficit = np.where(rng.random(n) < 0.3, base + nudge, base)
    sev = rng.integers(0, 4, n).astype(np.int8)
    got = findings.order(sev, deficit)
    assert np.array_equal(got, _plain(sev, deficit))
    assert findings.in_order(sev[got], deficit[got])

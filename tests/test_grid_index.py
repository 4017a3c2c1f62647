"""The grid index's candidate pairs against brute-force box overlap."""
import numpy as np
import pytest

from gis.analysis.grid_index import GridIndex


def _boxes(rng, n, spread, size):
    x, y = rng.random(n) * spread, rng.random(n) * spread
    w, h = rng.random(n) * size, rng.random(n) * size
    return x, y, x + w, y + h


@pytest.mark.parametrize("seed,cell,batch", [(0, 5.0, 64), (1, 40.0, 256), (2, 2.0, 10_000)])
def test_local_pairs_list_every_overlapping_pair_once(seed, cell, batch):
    rng = np.random.default_rng(seed)
    n = 1500
    x0, y0, x1, y1 = _boxes(rng, n, 100.0, 12.0)
    label = rng.integers(0, 300, n)
    index = GridIndex(x0, y0, x1, y1, cell, label=label)
    got = []
    for e0, e1 in index.batches(batch):
        items, first, second = index.local_pairs(e0, e1)
        got += [tuple(sorted(p)) for p in zip(items[first].tolist(), items[second].tolist())]
    assert len(got) == len(set(got))                      # no pair twice
    i, j = np.triu_indices(n, 1)
    overlap = (x0[i] <= x1[j]) & (x0[j] <= x1[i]) & (y0[i] <= y1[j]) & (y0[j] <= y1[i]) & (label[i] != label[j])
    want = set(zip(i[overlap].tolist(), j[overlap].tolist()))
    assert want <= set(got)
    for a, b in set(got) - want:                          # extras only within a rounding quantum, other labels
        assert label[a] != label[b]
        gap = max(x0[b] - x1[a], x0[a] - x1[b], y0[b] - y1[a], y0[a] - y1[b])
        assert gap < 1e-6

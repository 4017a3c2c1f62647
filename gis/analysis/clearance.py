"""Clearance audit (净距分析) exactly as RULES.md defines it.

Candidate pairs come from a grid index over piece boxes grown by each
feature's half width, position band and half the largest horizontal rule;
every candidate is judged with closed-form plan geometry in numpy, in small
batches that stay in the CPU cache (two threads by default):

- pairs of one run, or sharing an end point id, are connected: skipped;
- pieces that meet in plan are a crossing: vertical clear distance
  |z1 - z2| - (h1 + h2)/2 at the crossing against the vertical table;
- otherwise the horizontal clear distance, minimum plan distance minus
  (w1 + w2)/2, against the horizontal table, unless the vertical check of a
  crossing of the two runs covers it (gis.analysis.coverage);
- one finding per violating segment pair and kind, flagged when short of the
  rule or within the pair's position band of it (``uncertain``);
- pairs without a rule are counted per class pair, never passed silently.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gis.analysis import coverage, findings as fnd, seggeom
from gis.analysis.features import FeatureSet
from gis.analysis.findings import EPS, CheckResult
from gis.analysis.grid_index import GridIndex
from gis.analysis.rules import RuleTable

CHECK = "clearance"


@dataclass
class ClearanceOptions:
    """Options of the clearance audit."""

    layers: tuple[str, ...] = ("pipe_segments",)
    rules_file: str | None = None
    ql_bands: dict | None = None
    threads: int = 2
    write: bool = True


@dataclass
class Pieces:
    """Pieces in spatial order with per-piece copies of what pair tests need."""

    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    z0: np.ndarray
    z1: np.ndarray
    feat: np.ndarray
    run: np.ndarray
    prof: np.ndarray
    half_w: np.ndarray
    half_h: np.ndarray
    band: np.ndarray
    end0: np.ndarray
    end1: np.ndarray
    line: np.ndarray        # non-degenerate (a point cannot cross)
    n0: np.ndarray
    n1: np.ndarray


@dataclass
class Audit:
    """Raw result of :func:`audit`: findings frame (no ids yet), counts and timings."""

    findings: pd.DataFrame
    counts: dict
    timings: dict = field(default_factory=dict)
    no_vertical: pd.DataFrame = field(default_factory=pd.DataFrame)   # crossings lacking Z (a_id, b_id, x, y)


class _Context:
    def __init__(self, fs: FeatureSet, table: RuleTable, focus: np.ndarray | None = None):
        self.focus = focus
        self.h_req, self.h_rule = table.pair_matrix("horizontal", fs.profiles)
        self.v_req, self.v_rule = table.pair_matrix("vertical", fs.profiles)
        self.np = len(fs.profiles)
        finite = self.h_req[np.isfinite(self.h_req)]
        self.rmax = float(finite.max()) if len(finite) else 0.0
        self.h_flat = self.h_req.ravel()


def prepare(fs: FeatureSet, table: RuleTable, focus: np.ndarray | None = None
            ) -> tuple[Pieces, _Context, GridIndex, np.ndarray]:
    """Spatially ordered pieces, rule matrices and the candidate grid index."""
    ctx = _Context(fs, table, focus)
    f = fs.feat
    grow = (fs.width / 2 + fs.band + ctx.rmax / 2 + EPS)[f]
    xmin, xmax = np.minimum(fs.x0, fs.x1), np.maximum(fs.x0, fs.x1)
    ymin, ymax = np.minimum(fs.y0, fs.y1), np.maximum(fs.y0, fs.y1)
    cell = _cell_size(xmax - xmin, ymax - ymin, grow)
    # spatial order: by the grid cell of each box's lower-left corner
    order = np.argsort(((xmin - xmin.min(initial=0)) // cell) * 1e7 + (ymin - ymin.min(initial=0)) // cell,
                       kind="stable")
    f = f[order]
    p = Pieces(x0=fs.x0[order], y0=fs.y0[order], x1=fs.x1[order], y1=fs.y1[order], z0=fs.z0[order],
               z1=fs.z1[order], feat=f, run=fs.run[f], prof=fs.profile[f], half_w=(fs.width / 2)[f],
               half_h=(fs.height / 2)[f], band=fs.band[f], end0=fs.ends[f, 0], end1=fs.ends[f, 1],
               line=((fs.x0 != fs.x1) | (fs.y0 != fs.y1))[order], n0=fs.n0[order], n1=fs.n1[order])
    g = grow[order]
    index = GridIndex(xmin[order] - g, ymin[order] - g, xmax[order] + g, ymax[order] + g, cell)
    return p, ctx, index, order


def _cell_size(w: np.ndarray, h: np.ndarray, grow: np.ndarray) -> float:
    if not len(w):
        return 1.0
    ext = np.maximum(w, h) + 2 * grow
    return float(np.clip(np.percentile(ext, 60), 4.0, 200.0))


def _evaluate(p: Pieces, ctx: _Context, i: np.ndarray, j: np.ndarray) -> dict:
    """Judge one batch of candidate piece pairs; keep crossings and horizontal pairs of interest."""
    keep = p.run[i] != p.run[j]
    if ctx.focus is not None:
        keep &= ctx.focus[p.feat[i]] | ctx.focus[p.feat[j]]
    a0, a1, b0, b1 = p.end0[i], p.end1[i], p.end0[j], p.end1[j]
    keep &= ~(((a0 >= 0) & ((a0 == b0) | (a0 == b1))) | ((a1 >= 0) & ((a1 == b0) | (a1 == b1))))
    k = np.flatnonzero(keep)
    i, j = i[k], j[k]
    hreq = ctx.h_flat[p.prof[i] * ctx.np + p.prof[j]]
    half = p.half_w[i] + p.half_w[j]
    lim = np.where(np.isnan(hreq), ctx.rmax, hreq + p.band[i] + p.band[j]) + half + EPS
    ax0, ay0, ax1, ay1 = p.x0[i], p.y0[i], p.x1[i], p.y1[i]
    bx0, by0, bx1, by1 = p.x0[j], p.y0[j], p.x1[j], p.y1[j]
    gap = np.maximum(np.maximum(np.minimum(bx0, bx1) - np.maximum(ax0, ax1),
                                np.minimum(ax0, ax1) - np.maximum(bx0, bx1)),
                     np.maximum(np.minimum(by0, by1) - np.maximum(ay0, ay1),
                                np.minimum(ay0, ay1) - np.maximum(by0, by1)))
    near = gap <= lim
    touch = np.flatnonzero(near & (gap <= 0) & p.line[i] & p.line[j])
    cross = np.zeros(len(i), dtype=bool)
    if len(touch):
        t = touch
        cross[t] = seggeom.intersects(ax0[t], ay0[t], ax1[t], ay1[t], bx0[t], by0[t], bx1[t], by1[t])
    h = np.flatnonzero(near & ~cross)
    c = seggeom.closest(ax0[h], ay0[h], ax1[h], ay1[h], bx0[h], by0[h], bx1[h], by1[h])
    inside = c.dist <= lim[h]
    h = h[inside]
    return {"ci": i[cross], "cj": j[cross], "hi": i[h], "hj": j[h], "dist": c.dist[inside],
            "s": c.s[inside], "t": c.t[inside], "s2": c.s2[inside], "t2": c.t2[inside]}


def _concat(parts: list[dict]) -> dict:
    keys = ("ci", "cj", "hi", "hj", "dist", "s", "t", "s2", "t2")
    if not parts:
        return {k: np.zeros(0, dtype=np.int64 if k in ("ci", "cj", "hi", "hj") else float) for k in keys}
    return {k: np.concatenate([q[k] for q in parts]) for k in keys}


def _pair_key(p: Pieces, n: int, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(feature a, feature b, unordered key) of piece pairs."""
    fa, fb = p.feat[i], p.feat[j]
    lo, hi = np.minimum(fa, fb), np.maximum(fa, fb)
    return fa, fb, lo * np.int64(n) + hi


def _first_min(key: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Index of the smallest value per key (NaN last)."""
    order = np.lexsort((np.nan_to_num(value, nan=np.inf), key))
    k = key[order]
    first = np.concatenate([[True], k[1:] != k[:-1]]) if len(k) else np.zeros(0, bool)
    return order[first]


def _at(z0, z1, u):
    return z0 + u * (z1 - z0)


def audit(fs: FeatureSet, table: RuleTable, threads: int = 2, progress=None,
          focus: np.ndarray | None = None) -> Audit:
    """Run the clearance audit on a FeatureSet; findings without run ids (see :func:`run`).

    ``focus`` (bool per feature) limits the audit to pairs with at least one focus feature.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    p, ctx, index, order = prepare(fs, table, focus)
    timings["index_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    ranges = index.batch_ranges()
    task = (lambda g: _evaluate(p, ctx, *index.pairs_in(*g)))
    if progress is not None:
        progress.start(max(len(ranges), 1), "clearance")
    parts: list[dict] = []
    with ThreadPoolExecutor(max(threads, 1)) as pool:
        for res in pool.map(task, ranges):
            parts.append(res)
            if progress is not None:
                progress.step()
    r = _concat(parts)
    timings["pairs_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    n = len(fs)
    counts: dict = {}
    rows = []
    # ---- crossings: vertical check at the crossing point
    ci, cj = r["ci"], r["cj"]
    cr = seggeom.crossing(p.x0[ci], p.y0[ci], p.x1[ci], p.y1[ci], p.x0[cj], p.y0[cj], p.x1[cj], p.y1[cj])
    za, zb = _at(p.z0[ci], p.z1[ci], cr.s), _at(p.z0[cj], p.z1[cj], cr.t)
    half_h = p.half_h[ci] + p.half_h[cj]
    clear_v = np.abs(za - zb) - half_h
    two = ~np.isnan(cr.s2)
    if two.any():
        za2, zb2 = _at(p.z0[ci], p.z1[ci], cr.s2), _at(p.z0[cj], p.z1[cj], cr.t2)
        clear_v = np.where(two, np.fmin(clear_v, np.abs(za2 - zb2) - half_h), clear_v)
        use2 = two & (np.abs(za2 - zb2) - half_h < np.abs(za - zb) - half_h)
        za, zb = np.where(use2, za2, za), np.where(use2, zb2, zb)
        sv = np.where(use2, cr.s2, cr.s)       # where the worst vertical clearance is
    else:
        sv = cr.s
    fa, fb, ckey = _pair_key(p, n, ci, cj)
    pick = _first_min(ckey, clear_v) if not fs.single_piece else np.arange(len(ci))
    vreq = ctx.v_req[p.prof[ci[pick]], p.prof[cj[pick]]]
    counts["crossing_pairs"] = int(len(pick))
    no_rule_v = np.isnan(vreq)
    no_z = ~no_rule_v & np.isnan(clear_v[pick])
    counts["no_vertical_data"] = int(no_z.sum())
    vband = p.band[ci[pick]] + p.band[cj[pick]]
    _, _, flag = fnd.judge(clear_v[pick], vreq, vband)
    m = flag & ~no_rule_v & ~no_z
    sel = pick[m]
    if len(sel):
        ia, ib = ci[sel], cj[sel]
        rule = ctx.v_rule[p.prof[ia], p.prof[ib]]
        x = _at(p.x0[ia], p.x1[ia], sv[sel])
        y = _at(p.y0[ia], p.y1[ia], sv[sel])
        rows.append(_rows(fs, table, "vertical", ia, ib, p, rule, clear_v[sel], vband[m], x, y,
                          (za[sel] + zb[sel]) / 2, vreq[m]))
    no_rule_keys = [(fa[pick][no_rule_v], fb[pick][no_rule_v], "vertical")]
    nz = pick[np.isnan(clear_v[pick])]
    ids_a, ids_b = ids_of(fs, p.feat[ci[nz]], p.feat[cj[nz]]) if len(nz) else (np.zeros(0, object),) * 2
    no_vertical = pd.DataFrame({"a_id": ids_a, "b_id": ids_b, "x": _at(p.x0[ci[nz]], p.x1[ci[nz]], cr.s[nz]) + fs.origin[0],
                                "y": _at(p.y0[ci[nz]], p.y1[ci[nz]], cr.s[nz]) + fs.origin[1]})
    # ---- horizontal pairs not crossing anywhere
    hi, hj = r["hi"], r["hj"]
    ha, hb, hkey = _pair_key(p, n, hi, hj)
    if not fs.single_piece:
        off = ~np.isin(hkey, ckey)
        k = np.flatnonzero(off)
        k = k[_first_min(hkey[k], r["dist"][k])]
    else:
        k = np.arange(len(hi))
    hi, hj = hi[k], hj[k]
    dist, s, t, s2, t2 = (r[c][k] for c in ("dist", "s", "t", "s2", "t2"))
    hreq = ctx.h_req[p.prof[hi], p.prof[hj]]
    clear_h = dist - (p.half_w[hi] + p.half_w[hj])
    hband = p.band[hi] + p.band[hj]
    no_rule_h = np.isnan(hreq)
    no_rule_keys.append((p.feat[hi][no_rule_h], p.feat[hj][no_rule_h], "horizontal"))
    _, _, flag = fnd.judge(clear_h, hreq, hband)
    f = np.flatnonzero(flag & ~no_rule_h)
    graph = coverage.PieceGraph(p.n0, p.n1, np.hypot(p.x1 - p.x0, p.y1 - p.y0), p.run, fs.n_nodes)
    cov = coverage.covered(graph, ci, cj, cr.s, cr.t, cr.sin_angle, hi[f], hj[f], s[f], t[f], s2[f], t2[f],
                           hreq[f] + p.half_w[hi[f]] + p.half_w[hj[f]])
    counts["covered_by_crossing"] = int(cov.sum())
    f = f[~cov]
    if len(f):
        ia, ib = hi[f], hj[f]
        xa, ya = _at(p.x0[ia], p.x1[ia], s[f]), _at(p.y0[ia], p.y1[ia], s[f])
        xb, yb = _at(p.x0[ib], p.x1[ib], t[f]), _at(p.y0[ib], p.y1[ib], t[f])
        z = (_at(p.z0[ia], p.z1[ia], s[f]) + _at(p.z0[ib], p.z1[ib], t[f])) / 2
        rows.append(_rows(fs, table, "horizontal", ia, ib, p, ctx.h_rule[p.prof[ia], p.prof[ib]], clear_h[f],
                          hband[f], (xa + xb) / 2, (ya + yb) / 2, z, hreq[f]))
    counts.update(_no_rule_summary(fs, no_rule_keys))
    counts["candidate_pairs"] = int(len(r["hi"]) + len(r["ci"]))
    counts["segments"] = int(n)
    df = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=fnd.COLUMNS)
    timings["judge_s"] = time.perf_counter() - t0
    return Audit(df, counts, timings, no_vertical)


def _rows(fs, table, kind, ia, ib, p, rule_idx, actual, band, x, y, z, required) -> pd.DataFrame:
    fa, fb = p.feat[ia], p.feat[ib]
    ids_a, ids_b = ids_of(fs, fa, fb)
    swap = ids_a > ids_b
    fa, fb = np.where(swap, fb, fa), np.where(swap, fa, fb)
    ids_a, ids_b = np.where(swap, ids_b, ids_a), np.where(swap, ids_a, ids_b)
    rules = table.rules
    # notes: the rule's note, plus a word when a size or wall is unknown
    sized = (fs.size_known[fa] & fs.size_known[fb]).astype(np.int64)
    notes = [_join(r.note, "outside size assumes zero wall / unknown size") for r in rules] + [r.note for r in rules]
    _, uncertain, _ = fnd.judge(actual, required, band)
    deficit = required - actual
    ox, oy = fs.origin
    return pd.DataFrame({
        "kind": kind, "rule_id": _categorical(rule_idx, [r.rule_id for r in rules]),
        "a_layer": pd.Categorical.from_codes(fs.layer_code[fa], fs.layer_names), "a_id": pd.Series(ids_a, dtype=object),
        "b_layer": pd.Categorical.from_codes(fs.layer_code[fb], fs.layer_names), "b_id": pd.Series(ids_b, dtype=object),
        "required_m": required,
        "actual_m": actual, "deficit_m": deficit, "severity": fnd.severity(deficit, required),
        "uncertain": uncertain, "x": x + ox, "y": y + oy, "z": z,
        "source": _categorical(rule_idx, [r.source for r in rules]),
        "confidence": _categorical(rule_idx, [r.confidence for r in rules]),
        "owners": owner_pairs(fs.owner, fa, fb), "note": _categorical(rule_idx + len(rules) * sized, notes),
        "plan_m": actual if kind == "horizontal" else np.nan,
        "vertical_m": actual if kind == "vertical" else np.nan})


def ids_of(fs, *index_arrays: np.ndarray) -> list[np.ndarray]:
    """Feature ids (object arrays) for arrays of feature indices, converting each distinct id once."""
    allidx = np.concatenate(index_arrays)
    uniq, inverse = np.unique(allidx, return_inverse=True)
    text = fs.ids.iloc[uniq].to_numpy(dtype=object)[inverse]
    return np.split(text, np.cumsum([len(a) for a in index_arrays])[:-1])


def _join(*parts: str) -> str:
    return "; ".join(t for t in parts if t)


def owner_pairs(owner: pd.Series, fa: np.ndarray, fb: np.ndarray) -> pd.Categorical:
    """"owner A; owner B" (distinct, non-empty) for feature index pairs."""
    codes, uniq = pd.factorize(owner, use_na_sentinel=True)
    names = [u if isinstance(u, str) else "" for u in uniq] + [""]
    codes = np.where(codes < 0, len(uniq), codes)
    k = np.int64(len(names))
    inverse, combo = pd.factorize(codes[fa] * k + codes[fb])
    text = [_join(*dict.fromkeys((names[c // k], names[c % k]))) for c in combo]
    return _categorical(inverse, text)


def _categorical(codes: np.ndarray, values) -> pd.Categorical:
    """A categorical from codes into (possibly repeated) values."""
    cats, remap = pd.factorize(pd.Series(list(values), dtype=object))
    return pd.Categorical.from_codes(np.asarray(cats)[codes] if len(codes) else np.zeros(0, int),
                                     categories=pd.Index(remap, dtype=object))


def _no_rule_summary(fs: FeatureSet, parts) -> dict:
    """Distinct segment pairs without a rule, in total and per class pair (largest first)."""
    total = 0
    by: dict[str, int] = {}
    n = np.int64(len(fs))
    for fa, fb, kind in parts:
        key = np.unique(np.minimum(fa, fb) * n + np.maximum(fa, fb))
        total += len(key)
        a, b = key // n, key % n
        name = np.array([_class_name(pr) for pr in fs.profiles], dtype=object)
        ca, cb = name[fs.profile[a]], name[fs.profile[b]]
        lab = pd.Series(np.where(ca <= cb, ca + "|" + cb, cb + "|" + ca) + f" ({kind})")
        for k, v in lab.value_counts().items():
            by[k] = by.get(k, 0) + int(v)
    return {"no_rule_pairs": int(total),
            "no_rule_classes": dict(sorted(by.items(), key=lambda kv: -kv[1]))}


def _class_name(profile) -> str:
    base = profile.subtype or profile.utility or "?"
    qual = profile.pressure or profile.burial
    return f"{base}:{qual}" if qual else base


def run(project, options: ClearanceOptions | None = None, progress=None) -> CheckResult:
    """Audit a project's layers, write the findings under a new run id, return the result."""
    from gis.analysis import features
    from gis.analysis.rules import load_for_project

    options = options or ClearanceOptions()
    table = load_for_project(project, options.rules_file)
    fs = features.load(project, options.layers, table, options.ql_bands)
    res = audit(fs, table, options.threads, progress)
    run_id = fnd.new_run_id(CHECK)
    df = fnd.frame(res.findings, CHECK, run_id)
    summary = fnd.summarize(df, **res.counts, rules=table.files, layers=list(options.layers))
    result = CheckResult(run_id, CHECK, summary, df, extra={"timings": res.timings})
    if options.write and not project.readonly:
        fnd.write(project, result, progress)
    return result

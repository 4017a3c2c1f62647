"""Clearance audit (净距分析) exactly as RULES.md defines it.

Candidate pairs come from a grid index over piece boxes grown by each
feature's half width, position band and half the largest horizontal rule;
every candidate is judged with closed-form plan geometry in numpy, in small
batches whose per-piece attributes are gathered once per batch so the pair
tests run on arrays that stay in the CPU cache (two threads by default):

- pairs of one run, or sharing an end point id, are connected: skipped;
- pieces that meet in plan are a crossing: vertical clear distance
  |z1 - z2| - (h1 + h2)/2 at the crossing against the vertical table;
- otherwise the horizontal clear distance, minimum plan distance minus
  (w1 + w2)/2, against the horizontal table, unless the vertical check of a
  crossing of the two runs covers it (gis.analysis.coverage);
- one finding per violating segment pair and kind, flagged when short of the
  rule or within the pair's position band of it (``uncertain``);
- pairs without a rule are counted per class pair, never passed silently.

Batches keep only crossings and the horizontal pairs close enough to be
flagged; everything after that works on integer codes and float arrays, and
strings (ids, rule texts, owners) are only materialised in the findings frame.
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
KINDS = ["vertical", "horizontal"]
SIZE_NOTE = "outside size assumes zero wall / unknown size"


class PhaseClock:
    """Wall and CPU seconds (all threads of the process) per phase: timings["NAME_s"], ["NAME_cpu_s"]."""

    def __init__(self):
        self.timings: dict[str, float] = {}
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        """Close the phase ``name`` (started at the previous lap) and start the next one."""
        wall, cpu = time.perf_counter(), time.process_time()
        self.timings[f"{name}_s"] = wall - self._wall
        self.timings[f"{name}_cpu_s"] = cpu - self._cpu
        self._wall, self._cpu = wall, cpu


@dataclass
class ClearanceOptions:
    """Options of the clearance audit."""

    layers: tuple[str, ...] = ("pipe_segments",)
    rules_file: str | None = None
    ql_bands: dict | None = None
    threads: int = 2
    write: bool = True
    focus_ids: tuple[str, ...] | None = None   # audit only pairs with one of these features (a selection)


@dataclass
class Pieces:
    """Pieces in spatial order with per-piece copies of what pair tests need."""

    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    z0: np.ndarray
    z1: np.ndarray
    box: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]   # plan xmin, ymin, xmax, ymax
    feat: np.ndarray
    run: np.ndarray
    prof: np.ndarray
    half_w: np.ndarray
    half_h: np.ndarray
    band: np.ndarray
    end0: np.ndarray
    end1: np.ndarray
    line: np.ndarray        # non-degenerate (a point cannot cross)


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
    inv = 1.0 / cell
    cx = np.floor((xmin - xmin.min(initial=0)) * inv).astype(np.int64)
    cy = np.floor((ymin - ymin.min(initial=0)) * inv).astype(np.int64)
    order = np.argsort(cx * (int(cy.max(initial=0)) + 1) + cy)
    f = f[order]
    p = Pieces(x0=fs.x0[order], y0=fs.y0[order], x1=fs.x1[order], y1=fs.y1[order], z0=fs.z0[order],
               z1=fs.z1[order], box=(xmin[order], ymin[order], xmax[order], ymax[order]), feat=f,
               run=fs.run[f], prof=fs.profile[f], half_w=(fs.width / 2)[f],
               half_h=(fs.height / 2)[f], band=fs.band[f], end0=fs.ends[f, 0], end1=fs.ends[f, 1],
               line=((fs.x0 != fs.x1) | (fs.y0 != fs.y1))[order])
    g = grow[order]
    bx0, by0, bx1, by1 = p.box
    index = GridIndex(bx0 - g, by0 - g, bx1 + g, by1 + g, cell)
    return p, ctx, index, order


def _cell_size(w: np.ndarray, h: np.ndarray, grow: np.ndarray) -> float:
    if not len(w):
        return 1.0
    ext = np.maximum(w, h) + 2 * grow
    return float(np.clip(np.percentile(ext, 60), 4.0, 200.0))


def _at(z0, z1, u):
    return z0 + u * (z1 - z0)


def _evaluate(p: Pieces, ctx: _Context, items: np.ndarray, f: np.ndarray, s: np.ndarray) -> tuple[dict, dict]:
    """Judge one batch of candidate pairs (local positions f, s into ``items``).

    Returns the crossings (piece indices, crossing parameters, vertical clear
    distance, where it is worst) and the horizontal pairs within reach of a
    flag (piece indices, plan distance, closest-approach parameters).
    """
    run = p.run[items]
    keep = run[f] != run[s]
    if ctx.focus is not None:
        foc = ctx.focus[p.feat[items]]
        keep &= foc[f] | foc[s]
    e0, e1 = p.end0[items], p.end1[items]
    a0, a1, b0, b1 = e0[f], e1[f], e0[s], e1[s]
    keep &= ~(((a0 >= 0) & ((a0 == b0) | (a0 == b1))) | ((a1 >= 0) & ((a1 == b0) | (a1 == b1))))
    k = np.flatnonzero(keep)
    f, s = f[k], s[k]
    xmin, ymin, xmax, ymax = (b[items] for b in p.box)
    gap = np.maximum(np.maximum(xmin[s] - xmax[f], xmin[f] - xmax[s]),
                     np.maximum(ymin[s] - ymax[f], ymin[f] - ymax[s]))
    line = p.line[items]
    touch = np.flatnonzero((gap <= 0) & line[f] & line[s])
    x0, y0, x1, y1 = p.x0[items], p.y0[items], p.x1[items], p.y1[items]
    cross = np.zeros(len(f), dtype=bool)
    if len(touch):
        a, b = f[touch], s[touch]
        cross[touch] = seggeom.intersects(x0[a], y0[a], x1[a], y1[a], x0[b], y0[b], x1[b], y1[b])
    # the rest within reach of a flag (or of the largest rule, for pairs without one)
    rest = np.flatnonzero(~cross)
    f_r, s_r = f[rest], s[rest]
    prof, hw, band = p.prof[items], p.half_w[items], p.band[items]
    hreq = ctx.h_flat[prof[f_r] * ctx.np + prof[s_r]]
    lim = np.where(np.isnan(hreq), ctx.rmax, hreq + band[f_r] + band[s_r]) + (hw[f_r] + hw[s_r]) + EPS
    near = gap[rest] <= lim
    # crossings: where they meet, and the vertical clear distance there (the worst of two for an overlap)
    c = np.flatnonzero(cross)
    a, b = f[c], s[c]
    cr = seggeom.crossing(x0[a], y0[a], x1[a], y1[a], x0[b], y0[b], x1[b], y1[b])
    z0, z1, hh = p.z0[items], p.z1[items], p.half_h[items]
    za, zb = _at(z0[a], z1[a], cr.s), _at(z0[b], z1[b], cr.t)
    half_h = hh[a] + hh[b]
    clear_v = np.abs(za - zb) - half_h
    sv = cr.s
    two = ~np.isnan(cr.s2)
    if two.any():
        za2, zb2 = _at(z0[a], z1[a], cr.s2), _at(z0[b], z1[b], cr.t2)
        clear_v = np.where(two, np.fmin(clear_v, np.abs(za2 - zb2) - half_h), clear_v)
        use2 = two & (np.abs(za2 - zb2) - half_h < np.abs(za - zb) - half_h)
        za, zb = np.where(use2, za2, za), np.where(use2, zb2, zb)
        sv = np.where(use2, cr.s2, cr.s)
    crossings = {"i": items[a], "j": items[b], "s": cr.s, "t": cr.t, "sin": cr.sin_angle, "clear": clear_v,
                 "sv": sv, "z": (za + zb) / 2}
    # the rest: closest approach, kept when within reach
    h = np.flatnonzero(near)
    a, b = f_r[h], s_r[h]
    cl = seggeom.closest(x0[a], y0[a], x1[a], y1[a], x0[b], y0[b], x1[b], y1[b])
    inside = np.flatnonzero(cl.dist <= lim[h])
    horizontal = {"i": items[a[inside]], "j": items[b[inside]], "dist": cl.dist[inside], "s": cl.s[inside],
                  "t": cl.t[inside], "s2": cl.s2[inside], "t2": cl.t2[inside]}
    return crossings, horizontal


def _concat(parts: list[dict]) -> dict:
    return {k: np.concatenate([q[k] for q in parts]) for k in parts[0]}


def _pair_key(p: Pieces, n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Unordered feature-pair key of piece pairs."""
    fa, fb = p.feat[i], p.feat[j]
    return np.minimum(fa, fb).astype(np.int64) * n + np.maximum(fa, fb)


def _first_min(key: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Index of the smallest value per key (NaN last)."""
    order = np.lexsort((np.nan_to_num(value, nan=np.inf), key))
    k = key[order]
    first = np.concatenate([[True], k[1:] != k[:-1]]) if len(k) else np.zeros(0, bool)
    return order[first]


def _pairs(p: Pieces, ctx: _Context, index: GridIndex, threads: int, progress) -> tuple[dict, dict]:
    """All crossings and near horizontal pairs, batch by batch over ``threads`` threads."""
    ranges = index.batches()
    if progress is not None:
        progress.start(max(len(ranges), 1), "clearance")
    crossings, horizontal = [], []
    with ThreadPoolExecutor(max(threads, 1)) as pool:
        for c, h in pool.map(lambda g: _evaluate(p, ctx, *index.local_pairs(*g)), ranges):
            crossings.append(c)
            horizontal.append(h)
            if progress is not None:
                progress.step()
    if not ranges:
        e = np.zeros(0, dtype=np.int64)
        c, h = _evaluate(p, ctx, e, e, e)
        crossings, horizontal = [c], [h]
    return _concat(crossings), _concat(horizontal)


@dataclass
class _Rows:
    """Findings of one kind as arrays: pieces (features once judged) a and b, rule row, measures."""

    kind: int
    ia: np.ndarray
    ib: np.ndarray
    rule: np.ndarray
    actual: np.ndarray
    band: np.ndarray
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    required: np.ndarray


def audit(fs: FeatureSet, table: RuleTable, threads: int = 2, progress=None,
          focus: np.ndarray | None = None) -> Audit:
    """Run the clearance audit on a FeatureSet; findings without run ids (see :func:`run`).

    ``focus`` (bool per feature) limits the audit to pairs with at least one focus feature.
    """
    clock = PhaseClock()
    p, ctx, index, order = prepare(fs, table, focus)
    clock.lap("index")
    found = list(_pairs(p, ctx, index, threads, progress))
    del index
    clock.lap("pairs")
    rows, counts, no_vertical = _judge(fs, p, ctx, order, threads, found)
    del p, order
    clock.lap("judge")
    df = _frame(fs, table, rows, threads)
    clock.lap("rows")
    return Audit(df, counts, clock.timings, no_vertical)


def _judge(fs: FeatureSet, p: Pieces, ctx: _Context, order: np.ndarray, threads: int, found: list[dict]
           ) -> tuple[list[_Rows], dict, pd.DataFrame]:
    """Findings of both kinds (feature indices and measures), counts, and the crossings lacking Z.

    ``found`` holds the crossings and horizontal pairs of :func:`_pairs`; it is emptied so they can go early.
    """
    cr, hz = found
    found.clear()
    n = len(fs)
    counts: dict = {"candidate_pairs": int(len(hz["i"]) + len(cr["i"]))}
    ci, cj = cr["i"], cr["j"]
    ckey = None                    # the worst crossing of each feature pair is its vertical check
    if fs.single_piece:
        pick = np.arange(len(ci))
    else:
        ckey = _pair_key(p, n, ci, cj)
        pick = _first_min(ckey, cr["clear"])
    # ---- horizontal pairs not crossing anywhere: flags first, so the coverage search can start
    hi, hj = hz["i"], hz["j"]
    if fs.single_piece:
        k = np.arange(len(hi))
    else:
        hkey = _pair_key(p, n, hi, hj)
        k = np.flatnonzero(~np.isin(hkey, ckey))
        k = k[_first_min(hkey[k], hz["dist"][k])]
    hi, hj = hi[k], hj[k]
    dist, s, t, s2, t2 = (hz[c][k] for c in ("dist", "s", "t", "s2", "t2"))
    del hz
    hreq = ctx.h_req[p.prof[hi], p.prof[hj]]
    clear_h = dist - (p.half_w[hi] + p.half_w[hj])
    hband = p.band[hi] + p.band[hj]
    no_rule_h = np.isnan(hreq)
    _, _, flag = fnd.judge(clear_h, hreq, hband)
    f = np.flatnonzero(flag & ~no_rule_h)
    # the coverage search (in input order, where node numbers follow piece numbers) runs beside the
    # vertical judgement
    graph = coverage.PieceGraph(fs.n0, fs.n1, fs.piece_length(), fs.run[fs.feat], fs.n_nodes)
    search = (graph, order[ci], order[cj], cr["s"], cr["t"], cr["sin"], order[hi[f]], order[hj[f]],
              s[f], t[f], s2[f], t2[f], hreq[f] + p.half_w[hi[f]] + p.half_w[hj[f]])
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(coverage.covered, *search) if threads > 1 else None
        # ---- crossings: vertical check at the crossing point (the worst crossing of a feature pair)
        pi, pj, clear_v = ci[pick], cj[pick], cr["clear"][pick]
        vreq = ctx.v_req[p.prof[pi], p.prof[pj]]
        counts["crossing_pairs"] = int(len(pick))
        no_rule_v = np.isnan(vreq)
        no_z = ~no_rule_v & np.isnan(clear_v)
        counts["no_vertical_data"] = int(no_z.sum())
        vband = p.band[pi] + p.band[pj]
        _, _, vflag = fnd.judge(clear_v, vreq, vband)
        m = np.flatnonzero(vflag & ~no_rule_v & ~no_z)
        ia, ib, sv = pi[m], pj[m], cr["sv"][pick[m]]
        rows = [_Rows(0, ia, ib, ctx.v_rule[p.prof[ia], p.prof[ib]], clear_v[m], vband[m],
                      _at(p.x0[ia], p.x1[ia], sv), _at(p.y0[ia], p.y1[ia], sv), cr["z"][pick[m]], vreq[m])]
        no_rule_pairs = [(p.prof[pi[no_rule_v]], p.prof[pj[no_rule_v]],
                          _pair_key(p, n, pi[no_rule_v], pj[no_rule_v]), "vertical"),
                         (p.prof[hi[no_rule_h]], p.prof[hj[no_rule_h]],
                          _pair_key(p, n, hi[no_rule_h], hj[no_rule_h]), "horizontal")]
        nz = pick[np.isnan(clear_v)]
        no_vertical = _no_vertical(fs, p, ci[nz], cj[nz], cr["s"][nz])
        del pi, pj, clear_v, vreq, vband, vflag, no_rule_v, no_z, m
        fs.id_array()                                      # built here, used by the findings frame
        cov = pending.result() if pending is not None else coverage.covered(*search)
    del search
    del cr
    counts["covered_by_crossing"] = int(cov.sum())
    f = f[~cov]
    ia, ib = hi[f], hj[f]
    xa, ya = _at(p.x0[ia], p.x1[ia], s[f]), _at(p.y0[ia], p.y1[ia], s[f])
    xb, yb = _at(p.x0[ib], p.x1[ib], t[f]), _at(p.y0[ib], p.y1[ib], t[f])
    z = (_at(p.z0[ia], p.z1[ia], s[f]) + _at(p.z0[ib], p.z1[ib], t[f])) / 2
    rows.append(_Rows(1, ia, ib, ctx.h_rule[p.prof[ia], p.prof[ib]], clear_h[f], hband[f], (xa + xb) / 2,
                      (ya + yb) / 2, z, hreq[f]))
    counts.update(_no_rule_summary(fs, no_rule_pairs))
    counts["segments"] = int(n)
    for r in rows:                                    # pieces -> features
        r.ia, r.ib = p.feat[r.ia], p.feat[r.ib]
    return rows, counts, no_vertical


def _no_vertical(fs: FeatureSet, p: Pieces, ci: np.ndarray, cj: np.ndarray, s: np.ndarray) -> pd.DataFrame:
    """Crossings without elevations: ids of both features and the crossing point."""
    ids_a, ids_b = ids_of(fs, p.feat[ci], p.feat[cj])
    return pd.DataFrame({"a_id": ids_a, "b_id": ids_b, "x": _at(p.x0[ci], p.x1[ci], s) + fs.origin[0],
                         "y": _at(p.y0[ci], p.y1[ci], s) + fs.origin[1]})


def _frame(fs: FeatureSet, table: RuleTable, parts: list[_Rows], threads: int) -> pd.DataFrame:
    """The findings frame of both kinds, already in the findings order (severity, then deficit).

    ``parts`` is emptied on the way (its arrays are packed, then freed).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    # one row gather of a packed record instead of a gather per column (the order is random)
    fields = ("actual", "required", "band", "x", "y", "z")
    rec = np.empty((sum(len(r.ia) for r in parts), len(fields)))
    for k, name in enumerate(fields):
        np.concatenate([getattr(r, name) for r in parts], out=rec[:, k])
    fa, fb, rule = (np.concatenate([getattr(r, name) for r in parts]) for name in ("ia", "ib", "rule"))
    kind = np.concatenate([np.full(len(r.ia), r.kind, dtype=np.int8) for r in parts])
    parts.clear()
    deficit = rec[:, 1] - rec[:, 0]
    sev = fnd.severity_codes(deficit, rec[:, 1])
    order = fnd.order(sev, deficit)
    deficit, sev, fa, fb, rule, kind = (v[order] for v in (deficit, sev, fa, fb, rule, kind))
    rec = np.take(rec, order, axis=0)
    actual, required, band, x, y, z = (np.ascontiguousarray(rec[:, k]) for k in range(len(fields)))
    del rec
    # a is the feature with the smaller id
    ids = fs.id_array()
    with ThreadPoolExecutor(max(threads, 1)) as pool:      # arrow takes run without the GIL
        ta, tb = pool.map(ids.take, (pa.array(fa), pa.array(fb)))
        swap_arrow = pc.fill_null(pc.greater(ta, tb), False)
        a_id, b_id = pool.map(lambda xy: pc.if_else(swap_arrow, *xy), ((tb, ta), (ta, tb)))
    del ta, tb
    swap = swap_arrow.to_numpy(zero_copy_only=False)
    fa, fb = np.where(swap, fb, fa), np.where(swap, fa, fb)
    rules = table.rules
    sized = (fs.size_known[fa] & fs.size_known[fb]).astype(np.int64)
    notes = [_join(r.note, SIZE_NOTE) for r in rules] + [r.note for r in rules]
    _, uncertain, _ = fnd.judge(actual, required, band)
    ox, oy = fs.origin
    horizontal = kind == 1
    layers = pd.CategoricalDtype(fs.layer_names)
    return pd.DataFrame({
        "kind": pd.Categorical.from_codes(kind, dtype=pd.CategoricalDtype(KINDS), validate=False),
        "rule_id": _categorical(rule, [r.rule_id for r in rules]),
        "a_layer": pd.Categorical.from_codes(fs.layer_code[fa], dtype=layers, validate=False),
        "a_id": _strings(a_id),
        "b_layer": pd.Categorical.from_codes(fs.layer_code[fb], dtype=layers, validate=False),
        "b_id": _strings(b_id),
        "required_m": required, "actual_m": actual, "deficit_m": deficit,
        "severity": pd.Categorical.from_codes(sev, dtype=pd.CategoricalDtype(list(fnd.SEVERITY_ORDER)),
                                              validate=False),
        "uncertain": uncertain, "x": x + ox, "y": y + oy, "z": z,
        "source": _categorical(rule, [r.source for r in rules]),
        "confidence": _categorical(rule, [r.confidence for r in rules]),
        "owners": owner_pairs(fs, fa, fb), "note": _categorical(rule + len(rules) * sized, notes),
        "plan_m": np.where(horizontal, actual, np.nan), "vertical_m": np.where(horizontal, np.nan, actual)},
        copy=False)


def _strings(values) -> pd.Series:
    """A pandas string column over an arrow string array (no copy)."""
    return pd.Series(values, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def ids_of(fs, *index_arrays: np.ndarray) -> list[np.ndarray]:
    """Feature ids (object arrays) for arrays of feature indices."""
    import pyarrow as pa

    ids = fs.id_array()
    return [ids.take(pa.array(np.asarray(a, dtype=np.int64))).to_numpy(zero_copy_only=False).astype(object)
            for a in index_arrays]


def _join(*parts: str) -> str:
    return "; ".join(t for t in parts if t)


def owner_pairs(fs: FeatureSet, fa: np.ndarray, fb: np.ndarray) -> pd.Categorical:
    """"owner A; owner B" (distinct, non-empty) for feature index pairs."""
    codes, names = fs.owner_codes()
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
    name = [_class_name(pr) for pr in fs.profiles]
    npf = np.int64(max(len(fs.profiles), 1))
    for pa_, pb_, key, kind in parts:
        uniq, first = np.unique(key, return_index=True)
        total += len(uniq)
        pair, count = np.unique(pa_[first].astype(np.int64) * npf + pb_[first], return_counts=True)
        for code, c in zip(pair.tolist(), count.tolist()):
            ca, cb = name[code // npf], name[code % npf]
            label = (f"{ca}|{cb}" if ca <= cb else f"{cb}|{ca}") + f" ({kind})"
            by[label] = by.get(label, 0) + c
    return {"no_rule_pairs": int(total),
            "no_rule_classes": dict(sorted(by.items(), key=lambda kv: (-kv[1], kv[0])))}


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
    focus = None if options.focus_ids is None else fs.ids.isin(list(options.focus_ids)).to_numpy(dtype=bool)
    res = audit(fs, table, options.threads, progress, focus)
    run_id = fnd.new_run_id(CHECK)
    df = fnd.frame(res.findings, CHECK, run_id)
    if focus is not None:
        res.counts["selection"] = int(focus.sum())
    summary = fnd.summarize(df, **res.counts, rules=table.files, layers=list(options.layers))
    result = CheckResult(run_id, CHECK, summary, df, extra={"timings": res.timings})
    if options.write and not project.readonly:
        fnd.write(project, result, progress)
    return result

"""Clearance audit (净距分析) exactly as RULES.md defines it.

Candidate pairs come from a grid index over piece boxes grown by each
feature's half width, position band and half the largest horizontal rule; the
index already skips pairs of one run.  Each batch of candidates gathers one
packed row per piece (:func:`prepare`), so the pair tests run on arrays that
stay in the CPU cache, and judges every pair there with closed-form plan
geometry in numpy (two threads by default):

- pairs of one run, or sharing an end point id, are connected: skipped;
- pieces that meet in plan are a crossing: vertical clear distance
  |z1 - z2| - (h1 + h2)/2 at the crossing against the vertical table;
- otherwise the horizontal clear distance, minimum plan distance minus
  (w1 + w2)/2, against the horizontal table, unless the vertical check of a
  crossing of the two runs covers it (gis.analysis.coverage);
- one finding per violating segment pair and kind, flagged when short of the
  rule or within the pair's position band of it (``uncertain``);
- pairs without a rule are counted per class pair, never passed silently.

A batch keeps only what can still matter: the flagged pairs with their
measures and location, the pairs without a rule (to count), crossings lacking
elevations, and the crossings whose reach passes an end of their pieces (the
only ones that can cover another pair).  Features of several pieces are judged
once per feature pair after the batches (their worst crossing; their closest
approach when they cross nowhere).  Everything works on integer codes and
float arrays; strings (ids, rule texts, owners) are only made in the findings
frame, which comes out already in the findings order.
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
ROW_FIELDS = ("fa", "fb", "rule", "actual", "required", "band", "x", "y", "z")
_BATCH_ENTRIES = 16_384


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
class Audit:
    """Raw result of :func:`audit`: findings frame (no ids yet), counts and timings."""

    findings: pd.DataFrame
    counts: dict
    timings: dict = field(default_factory=dict)
    no_vertical: pd.DataFrame = field(default_factory=pd.DataFrame)   # crossings lacking Z (a_id, b_id, x, y)


class _Context:
    """Rule matrices and the layout of the per-piece rows (see :func:`prepare`)."""

    def __init__(self, fs: FeatureSet, table: RuleTable):
        self.h_req, self.h_rule = table.pair_matrix("horizontal", fs.profiles)
        self.v_req, self.v_rule = table.pair_matrix("vertical", fs.profiles)
        self.np = len(fs.profiles)
        finite = self.h_req[np.isfinite(self.h_req)]
        self.rmax = float(finite.max()) if len(finite) else 0.0
        self.h_flat, self.v_flat = self.h_req.ravel(), self.v_req.ravel()
        self.h_rule_flat, self.v_rule_flat = self.h_rule.ravel(), self.v_rule.ravel()
        self.single = fs.single_piece
        # pieces numbered like their features: piece indices are feature indices
        self.same_numbers = self.single and bool((fs.feat == np.arange(len(fs))).all())
        self.ends = _shared_ends(fs)
        # largest required + w1/2 + w2/2 of a horizontal pair: bounds the reach of a crossing (coverage)
        self.reach = self.rmax + float(fs.width.max(initial=0.0))
        columns = ["x0", "y0", "x1", "y1", "z0", "z1", "half_w", "half_h", "band", "prof"]
        columns += [] if self.same_numbers else ["feat"]
        columns += ["end0", "end1"] if self.ends else []
        self.col = {c: k for k, c in enumerate(columns)}


def _shared_ends(fs: FeatureSet) -> bool:
    """Whether some end point id is used by features of different runs (else no such pair shares one)."""
    ends = fs.ends.ravel()
    has = ends >= 0
    if not has.any():
        return False
    e, r = ends[has], np.repeat(fs.run, 2)[has]
    run_of = np.full(int(e.max()) + 1, -1, dtype=np.int64)
    run_of[e] = r
    return bool((run_of[e] != r).any())


def prepare(fs: FeatureSet, table: RuleTable, focus: np.ndarray | None = None
            ) -> tuple[np.ndarray, _Context, GridIndex]:
    """Per-piece rows the pair tests gather, rule matrices, and the candidate grid index.

    A row holds a piece's plan and Z coordinates and its feature's half sizes,
    band and rule profile (and feature and end point ids where needed), so a
    batch gathers all it needs with one row gather.
    """
    ctx = _Context(fs, table)
    per_piece = (lambda v: v) if ctx.same_numbers else (lambda v: v[fs.feat])
    grow = per_piece(fs.width / 2 + fs.band + ctx.rmax / 2 + EPS)
    xmin, xmax = np.minimum(fs.x0, fs.x1), np.maximum(fs.x0, fs.x1)
    ymin, ymax = np.minimum(fs.y0, fs.y1), np.maximum(fs.y0, fs.y1)
    cell = _cell_size(xmax - xmin, ymax - ymin, grow)
    index = GridIndex(xmin - grow, ymin - grow, xmax + grow, ymax + grow, cell, label=per_piece(fs.run),
                      mask=None if focus is None else per_piece(focus))
    del xmin, xmax, ymin, ymax, grow
    values = {"x0": fs.x0, "y0": fs.y0, "x1": fs.x1, "y1": fs.y1, "z0": fs.z0, "z1": fs.z1,
              "half_w": lambda: per_piece(fs.width / 2), "half_h": lambda: per_piece(fs.height / 2),
              "band": lambda: per_piece(fs.band), "prof": lambda: per_piece(fs.profile), "feat": lambda: fs.feat,
              "end0": lambda: per_piece(fs.ends[:, 0]), "end1": lambda: per_piece(fs.ends[:, 1])}
    rows = np.empty((fs.n_pieces, len(ctx.col)))
    for name, k in ctx.col.items():
        v = values[name]
        rows[:, k] = v() if callable(v) else v
    return rows, ctx, index


def _cell_size(w: np.ndarray, h: np.ndarray, grow: np.ndarray) -> float:
    if not len(w):
        return 1.0
    ext = np.maximum(w, h) + 2 * grow
    return float(np.clip(np.percentile(ext, 60), 4.0, 200.0))


def _at(z0, z1, u):
    return z0 + u * (z1 - z0)


def _take(d: dict, k: np.ndarray) -> dict:
    return {name: v[k] for name, v in d.items()}


def _concat(parts: list[dict]) -> dict:
    return {k: np.concatenate([q[k] for q in parts]) for k in parts[0]}


def _pair_key(fa: np.ndarray, fb: np.ndarray, n: int) -> np.ndarray:
    """Unordered feature-pair key."""
    return np.minimum(fa, fb).astype(np.int64) * n + np.maximum(fa, fb)


def _evaluate(rows: np.ndarray, ctx: _Context, index: GridIndex, e0: int, e1: int, n: int) -> dict:
    """Judge the candidate pairs of entries e0..e1-1 of the index (one batch).

    Returns dicts of arrays: ``v`` vertical findings, ``vn`` crossings without
    a rule, ``vz`` crossings without elevations (for features of several
    pieces: ``c``, every crossing instead), ``h`` flagged horizontal pairs with
    a rule, ``hn`` horizontal pairs without one, ``x`` the crossings that can
    cover another pair, and ``count`` (candidate pairs judged).
    """
    items, f, s = index.local_pairs(e0, e1)
    r = np.ascontiguousarray(np.take(rows, items, axis=0).T)
    col = ctx.col
    if ctx.ends:
        e0c, e1c = r[col["end0"]], r[col["end1"]]
        a0, a1, b0, b1 = e0c[f], e1c[f], e0c[s], e1c[s]
        k = np.flatnonzero(~(((a0 >= 0) & ((a0 == b0) | (a0 == b1))) | ((a1 >= 0) & ((a1 == b0) | (a1 == b1)))))
        f, s = f[k], s[k]
    x0, y0, x1, y1 = r[col["x0"]], r[col["y0"]], r[col["x1"]], r[col["y1"]]
    ax0, ay0, ax1, ay1 = x0[f], y0[f], x1[f], y1[f]
    bx0, by0, bx1, by1 = x0[s], y0[s], x1[s], y1[s]
    gap = np.maximum(np.maximum(np.minimum(bx0, bx1) - np.maximum(ax0, ax1),
                                np.minimum(ax0, ax1) - np.maximum(bx0, bx1)),
                     np.maximum(np.minimum(by0, by1) - np.maximum(ay0, ay1),
                                np.minimum(ay0, ay1) - np.maximum(by0, by1)))
    line = (x0 != x1) | (y0 != y1)
    touch = np.flatnonzero((gap <= 0) & line[f] & line[s])
    hit, cr = seggeom.intersections(*(v[touch] for v in (ax0, ay0, ax1, ay1, bx0, by0, bx1, by1)))
    del ax0, ay0, ax1, ay1, bx0, by0, bx1, by1
    c = touch[hit]
    prof = r[col["prof"]].astype(np.intp)
    feat = items if ctx.same_numbers else r[col["feat"]].astype(np.int64)
    band, half_w = r[col["band"]], r[col["half_w"]]
    out: dict = {"count": len(c), "crossings": len(c)}
    # ---- crossings: the vertical clear distance where they meet (the worst of two for an overlap)
    a, b = f[c], s[c]
    z0, z1, hh = r[col["z0"]], r[col["z1"]], r[col["half_h"]]
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
    code = prof[a] * ctx.np + prof[b]
    crossings = {"fa": feat[a], "fb": feat[b], "pa": prof[a], "pb": prof[b], "i": items[a], "s": cr.s,
                 "rule": ctx.v_rule_flat[code], "actual": clear_v, "required": ctx.v_flat[code],
                 "band": band[a] + band[b], "x": _at(x0[a], x1[a], sv), "y": _at(y0[a], y1[a], sv),
                 "z": (za + zb) / 2}
    if ctx.single:
        out["v"], out["vn"], out["vz"] = _vertical(crossings)
    else:
        out["c"] = crossings
    # the crossings whose reach (at most ctx.reach / sin) passes an end of one of their pieces
    length = np.hypot(x1 - x0, y1 - y0)
    la, lb = length[a], length[b]
    cap = ctx.reach * (1 + 1e-9) / np.maximum(cr.sin_angle, coverage.SIN_MIN) + 2 * coverage.TOL
    reach = np.flatnonzero((cr.s * la <= cap) | ((1 - cr.s) * la <= cap) | (cr.t * lb <= cap) | ((1 - cr.t) * lb <= cap))
    out["x"] = {"i": items[a[reach]], "j": items[b[reach]], "s": cr.s[reach], "t": cr.t[reach],
                "sin": cr.sin_angle[reach]}
    # ---- the rest: closest approach, kept when within reach of a flag (or of the largest rule, without one)
    rest = np.ones(len(f), dtype=bool)
    rest[c] = False
    rest = np.flatnonzero(rest)
    f_r, s_r = f[rest], s[rest]
    code = prof[f_r] * ctx.np + prof[s_r]
    hreq = ctx.h_flat[code]
    lim = np.where(np.isnan(hreq), ctx.rmax, hreq + band[f_r] + band[s_r]) + (half_w[f_r] + half_w[s_r]) + EPS
    h = np.flatnonzero(gap[rest] <= lim)
    a, b = f_r[h], s_r[h]
    cl = seggeom.closest(x0[a], y0[a], x1[a], y1[a], x0[b], y0[b], x1[b], y1[b])
    inside = np.flatnonzero(cl.dist <= lim[h])
    out["count"] += len(inside)
    a, b, hreq, code = a[inside], b[inside], hreq[h[inside]], code[h[inside]]
    dist = cl.dist[inside]
    clear_h = dist - (half_w[a] + half_w[b])
    hband = band[a] + band[b]
    no_rule = np.isnan(hreq)
    _, _, flag = fnd.judge(clear_h, hreq, hband)
    k = np.flatnonzero(no_rule)
    out["hn"] = {"fa": feat[a[k]], "fb": feat[b[k]], "pa": prof[a[k]], "pb": prof[b[k]], "dist": dist[k]}
    k = np.flatnonzero(flag & ~no_rule)
    a, b = a[k], b[k]
    hs, ht = cl.s[inside[k]], cl.t[inside[k]]
    xa, ya = _at(x0[a], x1[a], hs), _at(y0[a], y1[a], hs)
    xb, yb = _at(x0[b], x1[b], ht), _at(y0[b], y1[b], ht)
    out["h"] = {"fa": feat[a], "fb": feat[b], "rule": ctx.h_rule_flat[code[k]], "actual": clear_h[k],
                "required": hreq[k], "band": hband[k], "x": (xa + xb) / 2, "y": (ya + yb) / 2,
                "z": (_at(z0[a], z1[a], hs) + _at(z0[b], z1[b], ht)) / 2, "dist": dist[k],
                "i": items[a], "j": items[b], "s": hs, "t": ht, "s2": cl.s2[inside[k]], "t2": cl.t2[inside[k]],
                "lnum": hreq[k] + half_w[a] + half_w[b]}
    return out


def _vertical(c: dict) -> tuple[dict, dict, dict]:
    """From crossings (one per pair judged): the vertical findings, those without a rule, those without Z."""
    no_rule = np.isnan(c["required"])
    _, _, flag = fnd.judge(c["actual"], c["required"], c["band"])
    k = np.flatnonzero(flag & ~no_rule)
    rows = {name: c[name][k] for name in ROW_FIELDS}
    k = np.flatnonzero(no_rule)
    missing = {"fa": c["fa"][k], "fb": c["fb"][k], "pa": c["pa"][k], "pb": c["pb"][k]}
    k = np.flatnonzero(np.isnan(c["actual"]))
    no_z = {"fa": c["fa"][k], "fb": c["fb"][k], "i": c["i"][k], "s": c["s"][k], "rule": ~no_rule[k]}
    return rows, missing, no_z


def _first_min(key: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Index of the smallest value per key (NaN last; the first one on a tie)."""
    order = np.lexsort((np.nan_to_num(value, nan=np.inf), key))
    k = key[order]
    first = np.concatenate([[True], k[1:] != k[:-1]]) if len(k) else np.zeros(0, bool)
    return order[first]


def _pairs(rows: np.ndarray, ctx: _Context, index: GridIndex, n: int, threads: int, progress) -> dict:
    """Every batch judged over ``threads`` threads; the parts of each kind concatenated."""
    ranges = index.batches(_BATCH_ENTRIES)
    if progress is not None:
        progress.start(max(len(ranges), 1), "clearance")
    parts: list[dict] = []
    with ThreadPoolExecutor(max(threads, 1)) as pool:
        for part in pool.map(lambda g: _evaluate(rows, ctx, index, *g, n), ranges):
            parts.append(part)
            if progress is not None:
                progress.step()
    if not parts:
        parts = [_evaluate(rows, ctx, index, 0, 0, n)]
    out = {k: _concat([p[k] for p in parts]) for k in parts[0] if k not in ("count", "crossings")}
    for k in ("count", "crossings"):
        out[k] = sum(p[k] for p in parts)
    return out


def _one_per_feature_pair(found: dict, n: int) -> None:
    """Features of several pieces: the worst crossing of each feature pair is its vertical check, and a
    pair crossing nowhere keeps its closest approach (in place)."""
    cr = found.pop("c")
    ckey = _pair_key(cr["fa"], cr["fb"], n)
    pick = _first_min(ckey, cr["actual"])
    found["crossings"] = len(pick)
    found["v"], found["vn"], found["vz"] = _vertical(_take(cr, pick))
    for name in ("h", "hn"):
        d = found[name]
        key = _pair_key(d["fa"], d["fb"], n)
        k = np.flatnonzero(~np.isin(key, ckey))
        found[name] = _take(d, k[_first_min(key[k], d["dist"][k])])


def audit(fs: FeatureSet, table: RuleTable, threads: int = 2, progress=None,
          focus: np.ndarray | None = None) -> Audit:
    """Run the clearance audit on a FeatureSet; findings without run ids (see :func:`run`).

    ``focus`` (bool per feature) limits the audit to pairs with at least one focus feature.
    """
    clock = PhaseClock()
    rows, ctx, index = prepare(fs, table, focus)
    clock.lap("index")
    n = len(fs)
    found = _pairs(rows, ctx, index, n, threads, progress)
    del rows, index
    clock.lap("pairs")
    if not ctx.single:
        _one_per_feature_pair(found, n)
    counts = {"candidate_pairs": int(found["count"]), "crossing_pairs": int(found["crossings"])}
    parts, no_vertical = _judge(fs, found, counts)
    clock.lap("judge")
    df = _frame(fs, table, parts, threads)
    clock.lap("rows")
    return Audit(df, counts, clock.timings, no_vertical)


def _judge(fs: FeatureSet, found: dict, counts: dict) -> tuple[list[tuple[int, dict]], pd.DataFrame]:
    """Drop the horizontal findings a crossing covers; counts; the rows of both kinds and the crossings lacking Z."""
    n = len(fs)
    vz = found["vz"]
    counts["no_vertical_data"] = int(vz["rule"].sum())
    h, x = found["h"], found.pop("x")
    graph = coverage.PieceGraph(fs.n0, fs.n1, fs.piece_length(), fs.run[fs.feat], fs.n_nodes)
    cov = coverage.covered(graph, x["i"], x["j"], x["s"], x["t"], x["sin"], h["i"], h["j"], h["s"], h["t"],
                           h["s2"], h["t2"], h["lnum"])
    del graph, x
    counts["covered_by_crossing"] = int(cov.sum())
    keep = np.flatnonzero(~cov)
    rows = [(0, found["v"]), (1, {k: h[k][keep] for k in ROW_FIELDS})]
    vn, hn = found["vn"], found["hn"]
    counts.update(_no_rule_summary(fs, [(vn["pa"], vn["pb"], _pair_key(vn["fa"], vn["fb"], n), "vertical"),
                                        (hn["pa"], hn["pb"], _pair_key(hn["fa"], hn["fb"], n), "horizontal")]))
    counts["segments"] = int(n)
    ids_a, ids_b = ids_of(fs, vz["fa"], vz["fb"])
    i = vz["i"]
    no_vertical = pd.DataFrame({"a_id": ids_a, "b_id": ids_b, "x": _at(fs.x0[i], fs.x1[i], vz["s"]) + fs.origin[0],
                                "y": _at(fs.y0[i], fs.y1[i], vz["s"]) + fs.origin[1]})
    return rows, no_vertical


def _frame(fs: FeatureSet, table: RuleTable, parts: list[tuple[int, dict]], threads: int) -> pd.DataFrame:
    """The findings frame of both kinds, already in the findings order (severity, then deficit).

    ``parts`` (kind code, row arrays) is emptied on the way (its arrays are gathered, then freed).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    column = (lambda name: np.concatenate([r[name] for _, r in parts]))
    actual, required = column("actual"), column("required")
    deficit = required - actual
    sev = fnd.severity_codes(deficit, required)
    order = fnd.order(sev, deficit)
    deficit, sev, actual, required = deficit[order], sev[order], actual[order], required[order]
    fa, fb = column("fa")[order], column("fb")[order]
    ids = fs.id_array()
    with ThreadPoolExecutor(max(threads, 1)) as pool:      # arrow takes run without the GIL
        taken = pool.map(ids.take, (pa.array(fa), pa.array(fb)))
        # the other columns are gathered into the findings order meanwhile
        band, x, y, z, rule = (column(name)[order] for name in ("band", "x", "y", "z", "rule"))
        kind = np.repeat(np.array([k for k, _ in parts], dtype=np.int8), [len(r["fa"]) for _, r in parts])[order]
        parts.clear()
        del order
        ta, tb = taken
        # a is the feature with the smaller id
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
        "kind": pd.Categorical.from_codes(kind.astype(np.int8), dtype=pd.CategoricalDtype(KINDS), validate=False),
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

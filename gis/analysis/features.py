"""Features of a project as flat numpy arrays for the checks.

A :class:`FeatureSet` holds one row per feature (pipe segment, tunnel, tree ...)
and its geometry exploded into two-point *pieces* in plan coordinates shifted
to a local origin.  Every piece knows its two nodes: a line's first and last
vertex take the node of its start / end point id (keyed by utility), other
vertices and ends without an id get a node of their own.  A *run* is a
connected component of that node graph: segments of one utility sharing point
ids, or one segment where no connectivity is known (RULES.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gis.analysis.rules import DIAMETER_QUALIFIER, Profile, RuleTable, burial_class, pressure_classes
from gis.utilities import SUBTYPES, UTILITIES

# Default position band (m) of each quality level (RULES.md); "unknown" applies to rows without one.
QL_BANDS = {"QL-A": 0.05, "QL-B": 0.5, "QL-C": 1.0, "QL-D": 2.0, "unknown": 2.0}
LINE_LAYERS = ("pipe_segments", "metro_tunnels", "trees")
SEGMENT_COLUMNS = ["line_id", "utility", "subtype", "start_point", "end_point", "shape", "diameter_mm",
                   "width_mm", "height_mm", "wall_mm", "material", "pressure_class", "pressure_mpa",
                   "burial", "quality_level", "owner"]
LAYER_COLUMNS = {
    "pipe_segments": SEGMENT_COLUMNS,
    "metro_tunnels": ["feature_id", "section", "outer_diameter_m", "width_m", "height_m", "owner"],
    "trees": ["feature_id"],
}


@dataclass
class FeatureSet:
    """Features and their pieces as arrays (see module docstring)."""

    layer_code: np.ndarray       # (n,) int: index into layer_names per feature
    layer_names: list[str]
    ids: pd.Series               # (n,) line_id / feature_id
    profile: np.ndarray          # (n,) int: index into ``profiles``
    profiles: list[Profile]
    width: np.ndarray            # outside width (m), 0 when unknown
    height: np.ndarray           # outside height (m), 0 when unknown
    size_known: np.ndarray       # bool: size and wall known
    band: np.ndarray             # position band (m) from the quality level
    owner: pd.Series
    ends: np.ndarray             # (n, 2) int: raw start/end point id codes, -1 unknown
    run: np.ndarray              # (n,) int: run (connected component) per feature
    origin: tuple[float, float]
    # pieces
    x0: np.ndarray
    y0: np.ndarray
    z0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    z1: np.ndarray
    feat: np.ndarray             # (m,) int: feature of each piece
    n0: np.ndarray               # (m,) int: node at the piece start
    n1: np.ndarray
    n_nodes: int
    extra: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n_pieces(self) -> int:
        """Number of two-point pieces."""
        return len(self.feat)

    @property
    def single_piece(self) -> bool:
        """True when every feature is exactly one piece (fast paths skip per-feature aggregation)."""
        return self.n_pieces == len(self)

    def piece_length(self) -> np.ndarray:
        """Plan length of every piece."""
        return np.hypot(self.x1 - self.x0, self.y1 - self.y0)


def _factor(values) -> tuple[np.ndarray, np.ndarray]:
    """(codes, uniques) of a column; code -1 for missing."""
    codes, uniques = pd.factorize(values if isinstance(values, pd.Series) else pd.Series(values, dtype=object),
                                  use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _map_values(values, func) -> np.ndarray:
    """``func`` applied to each distinct value (None for missing), spread back to the rows."""
    codes, uniques = _factor(values)
    table = np.array([func(u) for u in uniques] + [func(None)], dtype=object)
    return table[codes]


def _split_utility(utility, subtype) -> tuple[np.ndarray, np.ndarray]:
    """(utility code, subtype code) per row, accepting a sub-type in the utility column."""
    def parent(code):
        code = str(code).strip().upper() if isinstance(code, str) else None
        return UTILITIES[code].code if code in UTILITIES else SUBTYPES[code][0] if code in SUBTYPES else None

    def own_sub(code):
        code = str(code).strip().upper() if isinstance(code, str) else None
        return code if code in SUBTYPES else None

    sub = _map_values(subtype, own_sub)
    return _map_values(utility, parent), np.where(pd.isna(sub), _map_values(utility, own_sub), sub)


def _profiles(rules: RuleTable, util, sub, dn, pclass, burial) -> tuple[np.ndarray, list[Profile]]:
    """Factorize rows into distinct rule-lookup profiles (DN only through the table's thresholds)."""
    quals = sorted({c.qualifier for r in rules.rules for c in (r.a, r.b)
                    if c is not None and c.qualifier and DIAMETER_QUALIFIER.match(c.qualifier)})
    dn = np.asarray(dn, dtype=float)
    bits = np.where(np.isnan(dn), -1, 0).astype(np.int64)
    for k, q in enumerate(quals):
        m = DIAMETER_QUALIFIER.match(q)
        n = float(m.group(2))
        hit = {"<=": dn <= n, "<": dn < n, ">=": dn >= n, ">": dn > n}[m.group(1)]
        bits = np.where(bits >= 0, bits | (hit.astype(np.int64) << k), bits)
    frame = pd.DataFrame({"u": util, "s": sub, "d": bits, "p": pclass, "b": burial})
    codes = frame.groupby(["u", "s", "d", "p", "b"], dropna=False, sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    profiles = []
    for row in first:
        u, s, p, b = util[row], sub[row], pclass[row], burial[row]
        d = None if np.isnan(dn[row]) else float(dn[row])
        profiles.append(Profile(u if isinstance(u, str) else None, s if isinstance(s, str) else None,
                                d, p if isinstance(p, str) else None, b if isinstance(b, str) else None))
    return codes.astype(np.int64), profiles


def _bands(ql, bands: dict[str, float]) -> np.ndarray:
    table = {**QL_BANDS, **bands}
    return _map_values(ql, lambda q: table.get(q, table["unknown"])).astype(float)


def _group_rows(df: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(group code per row, a representative row per group) of the distinct value combinations."""
    key = np.zeros(len(df), dtype=np.int64)
    for c in columns:
        if c not in df:
            continue
        codes, uniques = _factor(df[c])
        key, _ = _factor(pd.Series(key * (len(uniques) + 1) + codes + 1))
    _, rep = np.unique(key, return_index=True)
    return key, rep


def _segment_attrs(df: pd.DataFrame, rules: RuleTable, bands: dict) -> dict:
    from gis.sections import outside_size

    n = len(df)
    group, rep = _group_rows(df, ["utility", "subtype", "shape", "diameter_mm", "width_mm", "height_mm",
                                  "wall_mm", "material", "pressure_class", "pressure_mpa", "burial"])
    small = df.iloc[rep].reset_index(drop=True)
    m = len(small)
    col = (lambda c: small[c].to_numpy(dtype=object) if c in small else np.full(m, None, dtype=object))
    num = (lambda c: pd.to_numeric(small[c], errors="coerce").to_numpy(dtype=float)
           if c in small else np.full(m, np.nan))
    util, sub = _split_utility(col("utility"), col("subtype"))
    w, h, _, wall_known = outside_size(col("shape"), num("diameter_mm"), num("width_mm"),
                                       num("height_mm"), num("wall_mm"), col("material"))
    pc = np.where(util == "RQ", pressure_classes(col("pressure_class"), num("pressure_mpa")), None)
    bur = np.array([burial_class(b) for b in col("burial")], dtype=object)
    prof, profiles = _profiles(rules, util, sub, num("diameter_mm"), pc, bur)
    none = pd.Series(np.full(n, None, dtype=object))
    return {"ids": df["line_id"], "util": util[group], "profile": prof[group], "profiles": profiles,
            "width": np.nan_to_num(w)[group], "height": np.nan_to_num(h)[group],
            "known": (wall_known & ~np.isnan(w))[group],
            "band": _bands(df["quality_level"] if "quality_level" in df else none, bands),
            "owner": df["owner"] if "owner" in df else none,
            "start": df["start_point"] if "start_point" in df else none,
            "end": df["end_point"] if "end_point" in df else none}


def _plain_attrs(df: pd.DataFrame, cls: str, width: np.ndarray, height: np.ndarray, bands: dict) -> dict:
    n = len(df)
    none = pd.Series(np.full(n, None, dtype=object))
    return {"ids": df["feature_id"], "util": np.full(n, cls, dtype=object),
            "profile": np.zeros(n, dtype=np.int64), "profiles": [Profile(cls, None, None, None, None)],
            "width": np.nan_to_num(width), "height": np.nan_to_num(height), "known": ~np.isnan(width),
            "band": _bands(df["quality_level"] if "quality_level" in df else none, bands),
            "owner": df["owner"] if "owner" in df else none,
            "start": none, "end": none}


def _tunnel_attrs(df: pd.DataFrame, bands: dict) -> dict:
    num = (lambda c: pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)
           if c in df else np.full(len(df), np.nan))
    d = num("outer_diameter_m")
    return _plain_attrs(df, "metro", np.where(np.isnan(d), num("width_m"), d),
                        np.where(np.isnan(d), num("height_m"), d), bands)


def build(frames: dict[str, pd.DataFrame], rules: RuleTable, bands: dict | None = None,
          origin: tuple[float, float] | None = None) -> FeatureSet:
    """A FeatureSet from GeoDataFrames keyed by layer (pipe_segments, metro_tunnels, trees)."""
    import shapely

    bands = bands or {}
    parts = []
    for layer, df in frames.items():
        if len(df) == 0:
            continue
        if layer == "pipe_segments":
            attrs = _segment_attrs(df, rules, bands)
        elif layer == "metro_tunnels":
            attrs = _tunnel_attrs(df, bands)
        elif layer == "trees":
            attrs = _plain_attrs(df, "tree", np.zeros(len(df)), np.zeros(len(df)), bands)
        else:
            raise ValueError(f"layer {layer!r} cannot take part in the clearance audit")
        attrs["layer"] = np.full(len(df), len(parts), dtype=np.int64)
        attrs["layer_name"] = layer
        attrs["geoms"] = df.geometry.to_numpy()
        parts.append(attrs)
    if not parts:
        return _empty(rules)
    # merge profiles of all layers
    profiles: list[Profile] = []
    index: dict[Profile, int] = {}
    for p in parts:
        remap = np.array([index.setdefault(pr, len(index)) for pr in p["profiles"]], dtype=np.int64)
        p["profile"] = remap[p["profile"]]
    profiles = list(index)
    def cat(k):
        vals = [p[k] for p in parts]
        if isinstance(vals[0], pd.Series):
            return pd.concat([v.reset_index(drop=True) for v in vals], ignore_index=True)
        return np.concatenate(vals)

    geoms = cat("geoms")
    n = len(geoms)
    util = cat("util")
    # exploded coordinates (one row per vertex); points become one-vertex lines
    coords, cidx = shapely.get_coordinates(geoms, include_z=True, return_index=True)
    if origin is None:
        origin = (float(np.floor(coords[:, 0].min())), float(np.floor(coords[:, 1].min()))) if len(coords) else (0.0, 0.0)
    counts = np.bincount(cidx, minlength=n)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    last = first + counts - 1
    # node per vertex: ends with a point id take the node (utility, id); fresh nodes elsewhere
    ucode, _ = _factor(util)
    pid, _ = _factor(pd.concat([cat("start"), cat("end")], ignore_index=True))
    keyed = np.where(pid >= 0, np.tile(ucode + 1, 2) * (pid.max(initial=0) + 1) + pid, -1)
    kcodes, kuniq = _factor(pd.Series(keyed).where(keyed >= 0))
    n_keyed = len(kuniq)
    node = n_keyed + np.arange(len(coords), dtype=np.int64)
    has = counts > 0
    ks, ke = kcodes[:n], kcodes[n:]
    node[first[has & (ks >= 0)]] = ks[has & (ks >= 0)]
    node[last[has & (ke >= 0)]] = ke[has & (ke >= 0)]
    same = cidx[:-1] == cidx[1:]
    a = np.flatnonzero(same)
    single = np.flatnonzero(counts == 1)
    a_idx = np.concatenate([a, first[single]])
    b_idx = np.concatenate([a + 1, first[single]])
    if len(single):
        order = np.argsort(cidx[a_idx], kind="stable")
        a_idx, b_idx = a_idx[order], b_idx[order]
    # drop unused fresh nodes by renumbering
    used = np.zeros(n_keyed + len(coords), dtype=bool)
    used[node[a_idx]] = True
    used[node[b_idx]] = True
    renum = np.cumsum(used) - 1
    n0, n1 = renum[node[a_idx]], renum[node[b_idx]]
    n_nodes = int(used.sum())
    ox, oy = origin
    feat = cidx[a_idx].astype(np.int64)
    run_of_node = _components(n0, n1, n_nodes)
    run = np.full(n, -1, dtype=np.int64)
    run[feat] = run_of_node[n0]
    missing = run < 0
    run[missing] = run_of_node.max(initial=-1) + 1 + np.arange(missing.sum())
    raw = pid
    return FeatureSet(layer_code=cat("layer"), layer_names=[p["layer_name"] for p in parts], ids=cat("ids"), profile=cat("profile"), profiles=profiles,
                      width=cat("width"), height=cat("height"), size_known=cat("known"),
                      band=cat("band"), owner=cat("owner"), ends=np.column_stack([raw[:n], raw[n:]]),
                      run=run, origin=origin,
                      x0=coords[a_idx, 0] - ox, y0=coords[a_idx, 1] - oy, z0=coords[a_idx, 2],
                      x1=coords[b_idx, 0] - ox, y1=coords[b_idx, 1] - oy, z1=coords[b_idx, 2],
                      feat=feat, n0=n0, n1=n1, n_nodes=n_nodes)


def _components(n0: np.ndarray, n1: np.ndarray, n_nodes: int) -> np.ndarray:
    """Connected component label per node of the piece graph."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if n_nodes == 0:
        return np.zeros(0, dtype=np.int64)
    g = coo_matrix((np.ones(len(n0), dtype=np.int8), (n0, n1)), shape=(n_nodes, n_nodes)).tocsr()
    return connected_components(g, directed=False)[1].astype(np.int64)


def _empty(rules: RuleTable) -> FeatureSet:
    e = np.zeros(0)
    i = np.zeros(0, dtype=np.int64)
    o = np.zeros(0, dtype=object)
    return FeatureSet(i, [], pd.Series(o), i, [], e, e, np.zeros(0, bool), e, pd.Series(o), np.zeros((0, 2), np.int64), i, (0.0, 0.0),
                      e, e, e, e, e, e, i, i, i, 0)


def load(project, layers=("pipe_segments",), rules: RuleTable | None = None,
         bands: dict | None = None, bbox=None) -> FeatureSet:
    """Read ``layers`` of a project into a FeatureSet (reading is the only I/O)."""
    import json

    from gis.analysis.rules import load_for_project
    from gis.layers import get

    rules = rules or load_for_project(project)
    if bands is None:
        bands = json.loads(project.meta.get("ql_bands", "{}"))
    frames = {}
    for layer in layers:
        if layer not in LINE_LAYERS:
            from gis.errors import UsageError
            raise UsageError(f"--layers: {layer!r} cannot take part in the clearance audit "
                             f"(one of {', '.join(LINE_LAYERS)})")
        fields = get(layer).field_names
        frames[layer] = project.read(layer, bbox=bbox, columns=[c for c in LAYER_COLUMNS[layer] if c in fields])
    return build(frames, rules, bands)

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

    def id_array(self):
        """The feature ids as one pyarrow string array (built once; takes by index are cheap)."""
        if "id_array" not in self.extra:
            self.extra["id_array"] = _arrow_strings(self.ids)
        return self.extra["id_array"]

    def owner_codes(self) -> tuple[np.ndarray, list[str]]:
        """(code per feature, owner names); missing owners share the last name, "" (built once)."""
        if "owner_codes" not in self.extra:
            codes, uniq = pd.factorize(self.owner, use_na_sentinel=True)
            names = [u if isinstance(u, str) else "" for u in uniq] + [""]
            self.extra["owner_codes"] = (np.where(codes < 0, len(uniq), codes).astype(np.int64), names)
        return self.extra["owner_codes"]

    def piece_length(self) -> np.ndarray:
        """Plan length of every piece."""
        return np.hypot(self.x1 - self.x0, self.y1 - self.y0)


def _arrow_strings(values: pd.Series):
    """A column as one pyarrow string array; non-text values as their text."""
    import pyarrow as pa

    try:
        arr = pa.array(values.array) if isinstance(values.dtype, pd.StringDtype) else None
    except (TypeError, pa.ArrowException):
        arr = None
    if arr is None:
        obj = values.to_numpy(dtype=object)
        arr = pa.array([v if v is None or isinstance(v, str) else str(v) for v in obj], type=pa.large_string(),
                       from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    # 32-bit offsets take faster; large strings only past 2 GB of text
    return arr.cast(pa.string() if arr.nbytes < 2 ** 31 - 1 else pa.large_string())


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
    codes, uniques = _factor(ql)
    return np.array([table.get(q, table["unknown"]) for q in uniques] + [table["unknown"]], dtype=float)[codes]


def _group_rows(df: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(group code per row, a representative row per group) of the distinct value combinations."""
    key = np.zeros(len(df), dtype=np.int64)
    radix = 1
    for c in columns:
        if c not in df:
            continue
        codes, uniques = pd.factorize(df[c], use_na_sentinel=True)
        base = len(uniques) + 1
        if radix * base >= 2 ** 62:                 # keep the mixed-radix key in int64
            key, uniq = pd.factorize(key)
            radix = len(uniq)
        key = key * base + (codes + 1)
        radix *= base
    group, uniq = pd.factorize(key)
    return group.astype(np.int64), _first_rows(group, len(uniq))


def _first_rows(group: np.ndarray, n_groups: int) -> np.ndarray:
    """The first row of each group (groups numbered 0..n_groups-1)."""
    first = np.empty(n_groups, dtype=np.int64)
    rows = np.arange(len(group), dtype=np.int64)
    first[group[::-1]] = rows[::-1]
    return first


def _segment_attrs(df: pd.DataFrame, rules: RuleTable, bands: dict) -> dict:
    from gis.sections import outside_size

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
    ucode, unames = pd.factorize(pd.Series(util, dtype=object), use_na_sentinel=True)
    return {"ids": _column(df, "line_id"), "util": ucode[group], "util_names": list(unames),
            "profile": prof[group], "profiles": profiles, "width": np.nan_to_num(w)[group],
            "height": np.nan_to_num(h)[group], "known": (wall_known & ~np.isnan(w))[group],
            "band": _bands(_column(df, "quality_level"), bands), "owner": _column(df, "owner")}


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    """A column of the frame (fresh index), or all-missing when the frame lacks it."""
    return df[name].reset_index(drop=True) if name in df else pd.Series(np.full(len(df), None, dtype=object))


def _plain_attrs(df: pd.DataFrame, cls: str, width: np.ndarray, height: np.ndarray, bands: dict) -> dict:
    n = len(df)
    return {"ids": _column(df, "feature_id"), "util": np.zeros(n, dtype=np.int64), "util_names": [cls],
            "profile": np.zeros(n, dtype=np.int64), "profiles": [Profile(cls, None, None, None, None)],
            "width": np.nan_to_num(width), "height": np.nan_to_num(height), "known": ~np.isnan(width),
            "band": _bands(_column(df, "quality_level"), bands), "owner": _column(df, "owner")}


def _tunnel_attrs(df: pd.DataFrame, bands: dict) -> dict:
    num = (lambda c: pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)
           if c in df else np.full(len(df), np.nan))
    d = num("outer_diameter_m")
    return _plain_attrs(df, "metro", np.where(np.isnan(d), num("width_m"), d),
                        np.where(np.isnan(d), num("height_m"), d), bands)


def _layer_attrs(layer: str, df: pd.DataFrame, rules: RuleTable, bands: dict) -> dict:
    if layer == "pipe_segments":
        return _segment_attrs(df, rules, bands)
    if layer == "metro_tunnels":
        return _tunnel_attrs(df, bands)
    if layer == "trees":
        return _plain_attrs(df, "tree", np.zeros(len(df)), np.zeros(len(df)), bands)
    raise ValueError(f"layer {layer!r} cannot take part in the clearance audit")


def _merged_codes(parts: list[dict], code: str, names: str) -> tuple[np.ndarray, list]:
    """Per-part codes into per-part value lists, as codes into one merged list (-1 stays -1)."""
    merged: dict = {}
    out = []
    for p in parts:
        remap = np.array([merged.setdefault(v, len(merged)) for v in p[names]] + [-1], dtype=np.int64)
        out.append(remap[p[code]])
    return np.concatenate(out), list(merged)


def _point_codes(frames: dict[str, pd.DataFrame]) -> np.ndarray:
    """Codes of the start and end point ids (all start ids, then all end ids); -1 where missing."""
    starts = [_column(df, "start_point") for df in frames.values()]
    ends = [_column(df, "end_point") for df in frames.values()]
    codes, _ = pd.factorize(pd.concat(starts + ends, ignore_index=True), use_na_sentinel=True)
    return codes.astype(np.int64)


def _end_nodes(pid: np.ndarray, ucode: np.ndarray) -> tuple[np.ndarray, int]:
    """Node of each line end with a point id: one per (utility, point id), numbered in order of first use.

    (-1 where the end has no id; the number of such nodes.)  Usually every
    point id belongs to one utility and the point id codes are the nodes.
    """
    n_ids = int(pid.max(initial=-1)) + 1
    has = pid >= 0
    owner = np.full(n_ids, -1, dtype=np.int64)
    owner[pid[has]] = ucode[has]
    if (owner[pid[has]] == ucode[has]).all():
        return pid.astype(np.int64), n_ids
    keyed = np.where(has, (ucode.astype(np.int64) + 1) * n_ids + pid, -1)
    nodes = np.full(len(pid), -1, dtype=np.int64)
    codes, uniq = pd.factorize(keyed[has])
    nodes[has] = codes
    return nodes, len(uniq)


def _pieces(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(vertices, vertex -> feature, first vertex row, second vertex row of every piece).

    A line of k vertices gives k - 1 pieces; a point gives one degenerate piece.
    """
    import shapely

    n = len(geoms)
    coords, cidx = shapely.get_coordinates(geoms, include_z=True, return_index=True)
    counts = np.bincount(cidx, minlength=n)
    if len(coords) == 2 * n and (counts == 2).all():           # every feature one two-point line
        a_idx = np.arange(0, 2 * n, 2, dtype=np.int64)
        return coords, cidx, a_idx, a_idx + 1
    first = np.cumsum(counts) - counts
    a = np.flatnonzero(cidx[:-1] == cidx[1:])
    single = first[counts == 1]
    a_idx = np.concatenate([a, single])
    b_idx = np.concatenate([a + 1, single])
    if len(single):
        order = np.argsort(cidx[a_idx], kind="stable")
        a_idx, b_idx = a_idx[order], b_idx[order]
    return coords, cidx, a_idx, b_idx


def build(frames: dict[str, pd.DataFrame], rules: RuleTable, bands: dict | None = None,
          origin: tuple[float, float] | None = None) -> FeatureSet:
    """A FeatureSet from GeoDataFrames keyed by layer (pipe_segments, metro_tunnels, trees)."""
    from concurrent.futures import ThreadPoolExecutor

    bands = bands or {}
    frames = {layer: df for layer, df in frames.items() if len(df)}
    if not frames:
        return _empty(rules)
    with ThreadPoolExecutor(1) as pool:
        # the point ids hash in arrow (without the GIL) while attributes and coordinates are built here
        pending = pool.submit(_point_codes, frames)
        parts = [_layer_attrs(layer, df, rules, bands) for layer, df in frames.items()]
        for k, p in enumerate(parts):
            p["layer"] = np.full(len(p["profile"]), k, dtype=np.int64)
        coords, cidx, a_idx, b_idx = _pieces(np.concatenate([df.geometry.to_numpy() for df in frames.values()]))
        pid = pending.result()
    n = sum(len(df) for df in frames.values())
    cat = (lambda k: np.concatenate([p[k] for p in parts]))
    cat_series = (lambda k: pd.concat([p[k] for p in parts], ignore_index=True) if len(parts) > 1 else parts[0][k])
    profile, profiles = _merged_codes(parts, "profile", "profiles")
    ucode, _ = _merged_codes(parts, "util", "util_names")
    if origin is None:
        origin = (float(np.floor(coords[:, 0].min())), float(np.floor(coords[:, 1].min()))) if len(coords) else (0.0, 0.0)
    # node per vertex: ends with a point id take the node (utility, id); fresh nodes elsewhere
    kcodes, n_keyed = _end_nodes(pid, np.tile(ucode, 2))
    counts = np.bincount(cidx, minlength=n)
    first = np.cumsum(counts) - counts
    last = first + counts - 1
    node = n_keyed + np.arange(len(coords), dtype=np.int64)
    has = counts > 0
    ks, ke = kcodes[:n], kcodes[n:]
    node[first[has & (ks >= 0)]] = ks[has & (ks >= 0)]
    node[last[has & (ke >= 0)]] = ke[has & (ke >= 0)]
    # drop unused fresh nodes by renumbering
    used = np.zeros(n_keyed + len(coords), dtype=bool)
    used[node[a_idx]] = True
    used[node[b_idx]] = True
    renum = np.cumsum(used) - 1
    n0, n1 = renum[node[a_idx]], renum[node[b_idx]]
    n_nodes = int(used.sum())
    del node, used, renum
    ox, oy = origin
    feat = cidx[a_idx].astype(np.int64)
    run_of_node = _components(n0, n1, n_nodes)
    run = np.full(n, -1, dtype=np.int64)
    run[feat] = run_of_node[n0]
    missing = run < 0
    run[missing] = run_of_node.max(initial=-1) + 1 + np.arange(missing.sum())
    return FeatureSet(layer_code=cat("layer"), layer_names=list(frames), ids=cat_series("ids"), profile=profile,
                      profiles=profiles, width=cat("width"), height=cat("height"), size_known=cat("known"),
                      band=cat("band"), owner=cat_series("owner"), ends=np.column_stack([pid[:n], pid[n:]]),
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


def read_frames(project, layers=("pipe_segments",), bbox=None) -> dict[str, pd.DataFrame]:
    """The frames :func:`build` needs from a project: only the columns it uses, per layer."""
    from gis.layers import get

    frames = {}
    for layer in layers:
        if layer not in LINE_LAYERS:
            from gis.errors import UsageError
            raise UsageError(f"--layers: {layer!r} cannot take part in the clearance audit "
                             f"(one of {', '.join(LINE_LAYERS)})")
        fields = get(layer).field_names
        frames[layer] = project.read(layer, bbox=bbox, columns=[c for c in LAYER_COLUMNS[layer] if c in fields])
    return frames


def load(project, layers=("pipe_segments",), rules: RuleTable | None = None,
         bands: dict | None = None, bbox=None) -> FeatureSet:
    """Read ``layers`` of a project into a FeatureSet (reading is the only I/O)."""
    import json

    from gis.analysis.rules import load_for_project

    rules = rules or load_for_project(project)
    if bands is None:
        bands = json.loads(project.meta.get("ql_bands", "{}"))
    frames = read_frames(project, layers, bbox)
    fs = build(frames, rules, bands)
    frames.clear()
    release_memory()
    return fs


def release_memory() -> None:
    """Hand heap memory freed by dropped frames back to the system (glibc malloc_trim; no-op elsewhere).

    A million shapely geometries leave a few hundred MB of small freed blocks
    that later large arrays (mapped apart) would not reuse.
    """
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass

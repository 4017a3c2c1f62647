"""A pipe run to profile: segments of one utility's network, in order, through given waypoints.

Waypoints are line_ids and/or point_ids.  Consecutive waypoints are joined
by the shortest path (plan length) through the network of the first
waypoint's utility, segments joining by their start_point / end_point ids
(both directions, whatever the flow).  A line_id waypoint is always
traversed whole, in the direction that makes the whole run shortest.  So
``A,B,C`` of adjacent segments is exactly that run, ``A,Z`` follows the
network from segment A to segment Z, and ``P1,P9`` from point P1 to P9.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gis.errors import UsageError
from gis.utilities import resolve

RUN_COLUMNS = ["line_id", "utility", "subtype", "start_point", "end_point"]


@dataclass
class Run:
    """Segments in run order, their traversal direction, and the point ids along the run."""

    utility: str
    line_ids: list[str]
    forward: list[bool]          # True: traversed start_point -> end_point
    point_ids: list[str]         # len(line_ids) + 1


def sql_list(values) -> str:
    """Values as a quoted SQL list for ``IN (...)``."""
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def _utility_codes(code: str) -> list[str]:
    util, _ = resolve(code)
    return [util.code] + [s.code for s in util.subtypes]


def _network_utility(project, waypoints: list[str]) -> str:
    """The (parent) utility of the waypoints; UsageError for unknown ids or mixed utilities."""
    q = sql_list(waypoints)
    df = project.read("pipe_segments", columns=RUN_COLUMNS,
                      where=f"line_id IN ({q}) OR start_point IN ({q}) OR end_point IN ({q})")
    codes = {}
    for w in waypoints:
        hit = df[(df["line_id"] == w) | (df["start_point"] == w) | (df["end_point"] == w)]
        if hit.empty:
            raise UsageError(f"--run: {w!r} is neither a line_id of pipe_segments nor a point_id "
                             "that a pipe segment starts or ends at")
        try:
            codes[w] = resolve(str(hit["utility"].iloc[0]))[0].code
        except KeyError:
            codes[w] = str(hit["utility"].iloc[0])
    if len(set(codes.values())) > 1:
        listing = ", ".join(f"{w} ({c})" for w, c in codes.items())
        raise UsageError(f"--run: the ids belong to different utilities ({listing}); a run follows one network")
    return next(iter(codes.values()))


def find_run(project, waypoints: list[str]) -> Run:
    """The run through ``waypoints`` (module docstring); UsageError when there is none."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    from gis.analysis.network import Network

    waypoints = [w.strip() for w in waypoints if w and w.strip()]
    waypoints = [w for k, w in enumerate(waypoints) if k == 0 or w != waypoints[k - 1]]
    if not waypoints:
        raise UsageError("--run: give at least one line_id (or a start and an end id)")
    utility = _network_utility(project, waypoints)
    try:
        codes = _utility_codes(utility)
    except KeyError:
        codes = [utility]
    seg = project.read("pipe_segments", columns=RUN_COLUMNS, where=f"utility IN ({sql_list(codes)})")
    net = Network.from_frames(pd.DataFrame(seg.drop(columns="geometry")).assign(flow_dir=1), None)
    import shapely

    length = np.maximum(shapely.length(seg.geometry.to_numpy()), 1e-9)
    n_nodes = len(net.node_ids)
    ok = (net.start >= 0) & (net.end >= 0) & (net.start != net.end)
    # cheapest segment per node pair (duplicates would be summed by the sparse matrix)
    pairs = pd.DataFrame({"u": np.minimum(net.start, net.end)[ok], "v": np.maximum(net.start, net.end)[ok],
                          "w": length[ok], "seg": np.flatnonzero(ok)}).sort_values("w")
    pairs = pairs.drop_duplicates(["u", "v"])
    edge = {(int(u), int(v)): int(s) for u, v, s in zip(pairs["u"], pairs["v"], pairs["seg"])}
    graph = coo_matrix((pairs["w"].to_numpy(), (pairs["u"].to_numpy(), pairs["v"].to_numpy())),
                       shape=(n_nodes, n_nodes)).tocsr()
    node_index = {nid: k for k, nid in enumerate(net.node_ids)}
    line_index = {lid: k for k, lid in enumerate(net.line_ids)}

    # states per waypoint: (entry node, exit node, segment or -1)
    states: list[list[tuple[int, int, int]]] = []
    for w in waypoints:
        if w in line_index:
            k = line_index[w]
            a, b = int(net.start[k]), int(net.end[k])
            if a < 0 or b < 0:
                raise UsageError(f"--run: segment {w!r} has no start_point/end_point ids, so it cannot be "
                                 "joined to a run")
            states.append([(a, b, k), (b, a, k)])
        else:
            n = node_index[w]
            states.append([(n, n, -1)])
    sources = sorted({st[1] for sts in states[:-1] for st in sts})
    dist, pred = (dijkstra(graph, directed=False, indices=sources, return_predecessors=True)
                  if sources else (np.zeros((0, n_nodes)), np.zeros((0, n_nodes), dtype=int)))
    src_row = {n: r for r, n in enumerate(sources)}

    # Viterbi over waypoint states
    cost = [np.zeros(len(states[0]))]
    back: list[np.ndarray] = []
    for w in range(1, len(states)):
        prev, cur = states[w - 1], states[w]
        c = np.array([[cost[-1][i] + dist[src_row[p[1]], q[0]] for i, p in enumerate(prev)] for q in cur])
        back.append(c.argmin(axis=1))
        cost.append(c.min(axis=1))
    if not np.isfinite(cost[-1]).any():
        # name the first pair that cannot be joined
        for w in range(1, len(states)):
            if not any(np.isfinite(dist[src_row[p[1]], q[0]]) for p in states[w - 1] for q in states[w]):
                raise UsageError(f"--run: no connected path from {waypoints[w - 1]!r} to {waypoints[w]!r} "
                                 f"in the {utility} network (segments join by start_point/end_point ids)")
    choice = [int(np.argmin(cost[-1]))]
    for b in reversed(back):
        choice.append(int(b[choice[-1]]))
    choice.reverse()

    steps: list[tuple[int, bool]] = []       # (segment, forward)
    first = states[0][choice[0]]
    if first[2] >= 0:
        steps.append((first[2], first[0] == net.start[first[2]]))
    for w in range(1, len(states)):
        p, q = states[w - 1][choice[w - 1]], states[w][choice[w]]
        nodes = [q[0]]
        row = src_row[p[1]]
        while nodes[-1] != p[1]:
            nodes.append(int(pred[row, nodes[-1]]))
        nodes.reverse()
        for u, v in zip(nodes[:-1], nodes[1:]):
            k = edge[(min(u, v), max(u, v))]
            steps.append((k, u == net.start[k]))
        if q[2] >= 0:
            steps.append((q[2], q[0] == net.start[q[2]]))
    if not steps:
        raise UsageError(f"--run {','.join(waypoints)}: the run has no segment (give a line_id or two "
                         "different point ids)")
    points = [str(net.node_ids[net.start[k] if fwd else net.end[k]]) for k, fwd in steps[:1]]
    points += [str(net.node_ids[net.end[k] if fwd else net.start[k]]) for k, fwd in steps]
    return Run(utility, [str(net.line_ids[k]) for k, _ in steps], [bool(f) for _, f in steps], points)

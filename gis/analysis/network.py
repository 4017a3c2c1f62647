"""Network analyses on pipe segments joined by point ids (RULES.md "Network analyses").

Nodes are point ids, edges are segments.  Connectivity (连通性) follows
segments both ways; upstream / downstream follow ``flow_dir`` (1 or missing:
start -> end, -1: end -> start).  Valve isolation (关阀分析 / 爆管分析): from a
burst segment, spread through the network; an operable valve (阀门 / 阀门井,
open or without state) stops the spread and must be closed, a closed valve
stops it as it is, a broken one lets it through.  Everything reached is
isolated; service points (用户接入点) on it lose supply.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gis.errors import UsageError

VALVES = ("阀门", "阀门井")
SERVICE_POINTS = ("用户接入点",)
MODES = ("connected", "upstream", "downstream", "isolate")


@dataclass
class Network:
    """Segments (edges) between point-id nodes, with point attributes."""

    line_ids: np.ndarray
    start: np.ndarray          # node index per segment (-1 missing)
    end: np.ndarray
    flow: np.ndarray           # +1 start->end, -1 end->start
    utility: np.ndarray
    node_ids: np.ndarray       # point id per node
    appurtenance: np.ndarray   # per node (None unknown)
    valve_state: np.ndarray
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_frames(cls, segments: pd.DataFrame, points: pd.DataFrame | None) -> "Network":
        """Build from pipe_segments and pipe_points frames."""
        ids = pd.concat([segments["start_point"], segments["end_point"]], ignore_index=True).astype(object)
        codes, uniq = pd.factorize(ids, use_na_sentinel=True)
        n = len(segments)
        node_ids = np.asarray(uniq, dtype=object)
        app = np.full(len(node_ids), None, dtype=object)
        state = np.full(len(node_ids), None, dtype=object)
        if points is not None and len(points):
            pts = points.drop_duplicates("point_id")
            pts = pts.set_index(pts["point_id"].astype(object))
            app = pts["appurtenance"].reindex(node_ids).to_numpy(dtype=object)
            state = pts["valve_state"].reindex(node_ids).to_numpy(dtype=object)
        flow = pd.to_numeric(segments["flow_dir"], errors="coerce").fillna(1).to_numpy() \
            if "flow_dir" in segments else np.ones(n)
        return cls(segments["line_id"].to_numpy(dtype=object), codes[:n], codes[n:], np.where(flow < 0, -1, 1),
                   segments["utility"].to_numpy(dtype=object), node_ids, app, state)

    @classmethod
    def from_project(cls, project) -> "Network":
        """Read pipe_segments and pipe_points of a project."""
        seg = project.read("pipe_segments", columns=["line_id", "utility", "start_point", "end_point", "flow_dir"])
        pts = project.read("pipe_points", columns=["point_id", "appurtenance", "valve_state"]) \
            if project.count("pipe_points") else None
        return cls.from_frames(pd.DataFrame(seg.drop(columns="geometry")), pts)

    def _incidence(self, directed: bool, reverse: bool = False):
        """CSR node -> (segment, other node) for the traversal direction."""
        a = np.where(self.flow > 0, self.start, self.end)
        b = np.where(self.flow > 0, self.end, self.start)
        if reverse:
            a, b = b, a
        seg = np.arange(len(a))
        if not directed:
            a, b, seg = np.concatenate([a, b]), np.concatenate([b, a]), np.concatenate([seg, seg])
        ok = (a >= 0) & (b >= 0)
        a, b, seg = a[ok], b[ok], seg[ok]
        order = np.argsort(a, kind="stable")
        ptr = np.concatenate([[0], np.cumsum(np.bincount(a, minlength=len(self.node_ids)))])
        return ptr, seg[order], b[order]

    def components(self) -> np.ndarray:
        """Connected component label per segment."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        n_nodes = len(self.node_ids)
        m = len(self.line_ids)
        # segments are nodes n_nodes.. so segments without point ids form their own component
        s = np.arange(m) + n_nodes
        rows = np.concatenate([s[self.start >= 0], s[self.end >= 0]])
        cols = np.concatenate([self.start[self.start >= 0], self.end[self.end >= 0]])
        g = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_nodes + m, n_nodes + m))
        return connected_components(g, directed=False)[1][n_nodes:]

    def locate(self, item: str) -> tuple[list[int], list[int]]:
        """(segments, nodes) to start from: a line_id's segment and ends, or a point_id's node."""
        seg = np.flatnonzero(self.line_ids == item)
        if len(seg):
            nodes = [int(n) for n in (self.start[seg[0]], self.end[seg[0]]) if n >= 0]
            return [int(seg[0])], nodes
        node = np.flatnonzero(self.node_ids == item)
        if len(node):
            return [], [int(node[0])]
        raise UsageError(f"--from {item!r}: no pipe segment (line_id) or pipe point (point_id) with that id")

    def trace(self, item: str, mode: str) -> dict:
        """Segments and points reached from ``item`` (connected, upstream or downstream)."""
        if mode not in ("connected", "upstream", "downstream"):
            raise UsageError(f"unknown trace mode {mode!r}")
        segs, nodes = self.locate(item)
        if mode != "connected" and segs:
            s = segs[0]
            head = self.end[s] if self.flow[s] > 0 else self.start[s]
            tail = self.start[s] if self.flow[s] > 0 else self.end[s]
            nodes = [int(head if mode == "downstream" else tail)]
        ptr, eseg, enode = self._incidence(directed=mode != "connected", reverse=mode == "upstream")
        seen_n, seen_s = self._spread(nodes, ptr, eseg, enode, stop=None)
        seen_s |= set(segs)
        return {"from": item, "mode": mode, "segments": sorted(self.line_ids[list(seen_s)].tolist()),
                "points": sorted(self.node_ids[list(seen_n)].tolist())}

    def _spread(self, nodes, ptr, eseg, enode, stop):
        seen_n, seen_s = set(), set()
        todo = list(nodes)
        while todo:
            n = todo.pop()
            if n in seen_n:
                continue
            seen_n.add(n)
            if stop is not None and stop(n):
                continue
            for k in range(ptr[n], ptr[n + 1]):
                seen_s.add(int(eseg[k]))
                if enode[k] not in seen_n:
                    todo.append(int(enode[k]))
        return seen_n, seen_s

    def isolate(self, line_id: str) -> dict:
        """Valves to close for a burst on ``line_id``, the isolated segments and affected service points."""
        segs, nodes = self.locate(line_id)
        if not segs:
            raise UsageError(f"--isolate needs a line_id; {line_id!r} is a point")
        valve = np.isin(self.appurtenance, VALVES)
        state = self.valve_state
        operable = valve & ~np.isin(state, ("closed", "broken"))
        closed = valve & (state == "closed")
        ptr, eseg, enode = self._incidence(directed=False)
        seen_n, seen_s = self._spread(nodes, ptr, eseg, enode, stop=lambda n: bool(operable[n] or closed[n]))
        seen_s.add(segs[0])
        seen = np.array(sorted(seen_n), dtype=np.int64)
        service = seen[np.isin(self.appurtenance[seen], SERVICE_POINTS)]
        return {"from": line_id, "mode": "isolate",
                "valves_to_close": sorted(self.node_ids[seen[operable[seen]]].tolist()),
                "closed_valves_used": sorted(self.node_ids[seen[closed[seen]]].tolist()),
                "broken_valves_passed": sorted(self.node_ids[seen[valve[seen] & (state[seen] == "broken")]].tolist()),
                "segments": sorted(self.line_ids[sorted(seen_s)].tolist()),
                "service_points": sorted(self.node_ids[service].tolist())}

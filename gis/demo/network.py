"""The demo's pipe networks: runs, stations, points and segments, built with array operations.

Terms.  A *slot* is a run position in a road's cross-section (gis.demo.slots).
A *run* is a slot's pipe over a stretch: a whole N-S road, one drainage
catchment of a N-S road, or one block of an E-W road.  A *station* is a
position along a run where a pipe point lies.

Topology.  N-S runs go through the intersections.  An E-W run of a utility
ends on the N-S run of the same utility on the side of the N-S road it comes
from (a tee: the point is shared), so it only crosses the runs nearer that red
line; it dives beneath them (points 变深 B and R, back at its own depth at T)
with :data:`VGAP` of vertical clear.  Laterals leave a run for the red line
and dive beneath the runs they cross the same way.  Gravity drainage: storm
and sewage trunks along the N-S roads flow south to outfalls; E-W branches
flow into them; house connections flow into both (see gis.demo.gravity).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from gis.demo import gravity
from gis.demo.arrays import cat, lookup, ragged, take
from gis.demo.layout import Grid
from gis.demo.slots import slot_index
from gis.demo.specs import PIPE_KEYS, SPECS
from gis.sections import outside_size

(K_REG, K_END, K_CAP, K_JUNC, K_B, K_R, K_T, K_TEE, K_OUT, K_HEAD, K_LB, K_LE) = range(12)
KEY_CODE = {k: n for n, k in enumerate(PIPE_KEYS)}
LATERAL_KEYS = (("DL", "TX", "JS", "RQ", "WS"), ("DL", "TX", "JS", "RQ", "YS"))

VGAP = 0.6          # vertical clear kept at crossings (GB 50289 asks 0.15-0.50), m
BEND_CLEAR = 0.3    # a run dives this far beyond the outer wall of the pipe it leaves, m
T_GAP = 5.0         # an entering run is back at its own depth this far past the red line, m
CAP_GAP = 3.0       # dead ends lie this far past the red line, m
STUB = 2.0          # N-S runs end this far beyond the outer red lines (reserved stubs), m
MIN_GAP = 3.0       # no ordinary point closer than this to a tee or junction, m
SPACING = 40.0      # ordinary points of gravity lines (manholes every 30-50 m), m
PRESSURE_SPACING = 60.0   # ordinary points of pressure lines and duct banks, m
ZH_SPACING = 100.0  # utility-tunnel access points, m
TREE_SPACING = 10.0
TREE_MARGIN = 6.0   # trees start this far from the crossing road's red line, m
# Where a trunk is split at an outfall road: (head of the catchment below, outfall of the
# one above), relative to the road centre; the E-W branch of the same kind joins on the right side.
OUTFALL_SPLIT = {"WS": (1.0, 7.0), "YS": (-7.0, -1.0)}
TRUNK_SLOPE = (0.0010, 0.0016)
BRANCH_SLOPE = (0.0020, 0.0030)


def _stations(run, s, kind, jid=-1, lid=-1, depth=np.nan) -> dict:
    run = np.asarray(run, dtype=np.int64)
    n = len(run)

    def full(v, dtype):
        return np.broadcast_to(np.asarray(v, dtype=dtype), (n,)).copy()

    return {"run": run, "s": full(s, float), "kind": full(kind, np.int8), "jid": full(jid, np.int64),
            "lid": full(lid, np.int64), "depth": full(depth, float)}


def link_intervals(grid: Grid) -> dict:
    """Footway stretches between crossing roads: one row per (direction, road, side, link)."""
    parts = []
    for d, roads, cross in ((0, grid.ns, grid.ew), (1, grid.ew, grid.ns)):
        road, side, link = (a.ravel() for a in np.meshgrid(np.arange(roads.n), (0, 1),
                                                            np.arange(cross.n - 1), indexing="ij"))
        tree = np.where(side == 0, roads.offset[(0, "TREE")][road], roads.offset[(1, "TREE")][road])
        parts.append({"dir": np.full(len(road), d), "road": road, "side": side, "link": link,
                      "lo": cross.red(1, link) + TREE_MARGIN, "hi": cross.red(0, link + 1) - TREE_MARGIN,
                      "line": roads.line(road, side, tree)})
    return cat(parts)


def tree_positions(iv: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(interval, index in interval, position along the road) of every street tree."""
    n = np.floor((iv["hi"] - iv["lo"]) / TREE_SPACING).astype(np.int64) + 1
    owner, k = ragged(n)
    pad = ((iv["hi"] - iv["lo"]) - TREE_SPACING * (n - 1)) / 2
    return owner, k, iv["lo"][owner] + pad[owner] + TREE_SPACING * k


class NetworkBuilder:
    """Builds the networks step by step; planted violations hook in between the steps."""

    def __init__(self, grid: Grid, slots: pd.DataFrame, terrain, rng: np.random.Generator,
                 lateral_share: float, quiet: set):
        self.grid, self.slots, self.terrain, self.rng = grid, slots, terrain, rng
        self.lateral_share, self.quiet = lateral_share, quiet
        col = {c: slots[c].to_numpy() for c in slots.columns}
        col["key"] = col["key"].astype(object)
        col["kc"] = slots["key"].map(KEY_CODE).to_numpy()
        self.col = col
        self.look = (slot_index(slots[col["dir"] == 0], grid.ns.n), slot_index(slots[col["dir"] == 1], grid.ew.n))

    # ------------------------------------------------------------------ runs
    def _catchments(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        ew = self.grid.ew
        outfall = np.flatnonzero(ew.flag["outfall"])
        below, above = OUTFALL_SPLIT[key]
        lo = np.concatenate([[self.y_south], ew.centre[outfall] + above])
        hi = np.concatenate([ew.centre[outfall] + below, [self.y_north]])
        return lo, hi

    def catchment(self, key, y) -> np.ndarray:
        """Catchment index of positions ``y`` on a trunk of kind ``key`` (array of keys)."""
        key = np.asarray(key, dtype=object)
        out = np.zeros(len(key), dtype=np.int64)
        for k in ("WS", "YS"):
            hit = key == k
            out[hit] = np.searchsorted(self._catchments(k)[0], np.asarray(y)[hit], side="right") - 1
        return out

    def build_runs(self) -> None:
        """Runs of both directions and the junctions E-W runs make with N-S runs."""
        g, col = self.grid, self.col
        self.y_south = g.ew.red(0)[0] - STUB
        self.y_north = g.ew.red(1)[-1] + STUB
        n_slots = len(self.slots)
        ns_rows = np.flatnonzero(col["dir"] == 0)
        plain = ns_rows[~col["gravity"][ns_rows]]
        lo = np.where(np.isnan(col["lo"][plain]), self.y_south, col["lo"][plain])
        hi = np.where(np.isnan(col["hi"][plain]), self.y_north, col["hi"][plain])
        parts = [{"slot": plain, "lo": lo, "hi": hi, "flow": np.zeros(len(plain), np.int64),
                  "link": np.full(len(plain), -1)}]
        for key in ("WS", "YS"):
            rows = ns_rows[col["gravity"][ns_rows] & (col["key"][ns_rows] == key)]
            c_lo, c_hi = self._catchments(key)
            nc = len(c_lo)
            parts.append({"slot": np.repeat(rows, nc), "lo": np.tile(c_lo, len(rows)),
                          "hi": np.tile(c_hi, len(rows)), "flow": np.full(len(rows) * nc, -1),
                          "link": np.tile(np.arange(nc), len(rows))})
        ns_runs = cat(parts)
        self.ns_first = np.full(n_slots, -1, dtype=np.int64)
        first = np.unique(ns_runs["slot"], return_index=True)
        self.ns_first[first[0]] = first[1]
        n_ns = len(ns_runs["slot"])

        ew_rows = np.flatnonzero(col["dir"] == 1)
        nl = g.ns.n - 1
        slot = np.repeat(ew_rows, nl)
        link = np.tile(np.arange(nl), len(ew_rows))
        kc = col["kc"][slot]
        self.ew_first = np.full(n_slots, -1, dtype=np.int64)
        self.ew_first[ew_rows] = n_ns + np.arange(len(ew_rows)) * nl
        end_w = {"ns": self.look[0][link, 1, kc], "red": g.ns.red(1, link), "sign": 1.0}
        end_e = {"ns": self.look[0][link + 1, 0, kc], "red": g.ns.red(0, link + 1), "sign": -1.0}
        grav = col["gravity"][slot]
        conn_w, conn_e = end_w["ns"] >= 0, end_e["ns"] >= 0
        if np.any(grav & (conn_w == conn_e)):
            raise AssertionError("a gravity branch must join exactly one trunk")
        flow = np.where(grav, np.where(conn_e, 1, -1), 0)
        lo = end_w["red"] + np.where(conn_w, T_GAP, CAP_GAP)
        hi = end_e["red"] - np.where(conn_e, T_GAP, CAP_GAP)
        ew_runs = {"slot": slot, "lo": lo, "hi": hi, "flow": flow, "link": link}
        self.runs = cat([ns_runs, ew_runs])
        self.runs["dir"] = col["dir"][self.runs["slot"]]
        self.runs["key"] = col["key"][self.runs["slot"]]
        self.runs["line"] = col["line"][self.runs["slot"]]
        self.runs["gravity"] = col["gravity"][self.runs["slot"]]
        self.n_ns_runs = n_ns
        self._end_stations(n_ns, end_w, end_e)

    def ns_run_at(self, slot, y) -> np.ndarray:
        """The N-S run of ``slot`` (array) that holds position ``y`` (trunks: by catchment)."""
        slot = np.asarray(slot)
        run = self.ns_first[slot].copy()
        grav = self.col["gravity"][slot]
        run[grav] += self.catchment(self.col["key"][slot][grav], np.asarray(y)[grav])
        return run

    def _end_stations(self, n_ns: int, *ends) -> None:
        """Ends of every run: stubs, outfalls and heads (N-S); tees, dives and dead ends (E-W)."""
        col, runs = self.col, self.runs
        ns = np.arange(n_ns)
        grav = runs["gravity"][ns]
        planted = col["planted"][runs["slot"][ns]] != ""
        lo_kind = np.where(grav, K_OUT, np.where(planted, K_CAP, K_END))
        hi_kind = np.where(grav, K_HEAD, np.where(planted, K_CAP, K_END))
        parts = [_stations(ns, runs["lo"][ns], lo_kind), _stations(ns, runs["hi"][ns], hi_kind)]
        ew_run = n_ns + np.arange(len(ends[0]["ns"]))
        slot = runs["slot"][ew_run]
        grav = runs["gravity"][ew_run]
        junctions = []
        jid0 = 0
        for end in ends:
            conn = end["ns"] >= 0
            rows = np.flatnonzero(conn)
            nss = end["ns"][rows]
            j_s = col["line"][nss]
            jid = jid0 + np.arange(len(rows))
            jid0 += len(rows)
            # Centre-aligned with the run it joins, but never shallower than that run's cover.
            aligned = np.fmax(col["cover"][nss] + (col["out_h"][nss] - col["out_h"][slot[rows]]) / 2,
                              col["cover"][nss])
            parts.append(_stations(ew_run[rows], j_s, K_JUNC, jid=jid, depth=aligned))
            junctions.append(_stations(self.ns_run_at(nss, runs["line"][ew_run[rows]]),
                                       runs["line"][ew_run[rows]], K_JUNC, jid=jid))
            dive = ~grav[rows] & ~np.isnan(col["prev_bottom"][nss])
            d_rows, d_nss, d_js = rows[dive], nss[dive], j_s[dive]
            c = np.fmax(col["prev_bottom"][d_nss] + VGAP, col["cover"][slot[d_rows]])
            red = end["red"][d_rows]
            back = rows[~grav[rows]]
            step = col["lay_w"][d_nss] / 2 + BEND_CLEAR
            parts += [_stations(ew_run[d_rows], d_js + end["sign"] * step, K_B, depth=c),
                      _stations(ew_run[d_rows], red, K_R, depth=c),
                      _stations(ew_run[back], end["red"][back] + end["sign"] * T_GAP, K_T)]
            caps = np.flatnonzero(~conn)
            parts.append(_stations(ew_run[caps], end["red"][caps] + end["sign"] * CAP_GAP,
                                   np.where(grav[caps], K_HEAD, K_CAP)))
        self.n_junctions = jid0
        self.end_parts = parts + junctions

    # -------------------------------------------------------------- laterals
    def build_laterals(self) -> None:
        """House connections: chosen at the midpoints between street trees, then their tees."""
        g, col, rng = self.grid, self.col, self.rng
        iv = link_intervals(g)
        owner, k, s_tree = tree_positions(iv)
        last = np.r_[owner[1:] != owner[:-1], True]
        mid = np.flatnonzero(~last)
        owner, s = owner[mid], s_tree[mid] + TREE_SPACING / 2
        pick = rng.random(len(s)) < self.lateral_share
        which = rng.integers(0, len(LATERAL_KEYS[0]), len(s))
        d, road, side, link = (iv[c][owner] for c in ("dir", "road", "side", "link"))
        for q_dir, q_road, q_link, q_side in self.quiet:
            pick &= ~((d == q_dir) & (road == q_road) & (link == q_link) & ((side == q_side) | (q_side < 0)))
        keep = np.flatnonzero(pick)
        d, road, side, link, s, which = d[keep], road[keep], side[keep], link[keep], s[keep], which[keep]
        key = np.array(LATERAL_KEYS, dtype=object)[side, which]
        kc = np.array([[KEY_CODE[k] for k in keys] for keys in LATERAL_KEYS])[side, which]
        slot = np.empty(len(s), dtype=np.int64)
        red = np.empty(len(s))
        run = np.empty(len(s), dtype=np.int64)
        for dd, roads in ((0, g.ns), (1, g.ew)):
            m = d == dd
            slot[m] = self.look[dd][road[m], side[m], kc[m]]
            red[m] = np.where(side[m] == 0, roads.red(0, road[m]), roads.red(1, road[m]))
        ns = d == 0
        run[ns] = self.ns_run_at(slot[ns], s[ns])
        run[~ns] = self.ew_first[slot[~ns]] + link[~ns]
        line = col["line"][slot]
        toward = np.sign(red - line)
        step = col["lay_w"][slot] / 2 + BEND_CLEAR
        self.lat = {"dir": d, "road": road, "side": side, "link": link, "s": s, "key": key,
                    "lat_key": lookup(key, {k: SPECS[k].lateral for k in KEY_CODE}),
                    "slot": slot, "run": run, "line": line, "b": line + toward * step, "e": red,
                    "gravity": col["gravity"][slot]}
        self.tee_parts = [_stations(run, s, K_TEE, lid=np.arange(len(s)))]

    # -------------------------------------------------------- regular points
    def _regular(self) -> dict:
        g, runs, rng = self.grid, self.runs, self.rng
        ns = np.flatnonzero(runs["dir"] == 0)
        nl = g.ew.n - 1
        run = np.repeat(ns, nl)
        link = np.tile(np.arange(nl), len(ns))
        lo = np.maximum(runs["lo"][run], g.ew.red(1, link) + 2.0)
        hi = np.minimum(runs["hi"][run], g.ew.red(0, link + 1) - 2.0)
        ew = np.flatnonzero(runs["dir"] == 1)
        run = np.concatenate([run, ew])
        lo = np.concatenate([lo, runs["lo"][ew]])
        hi = np.concatenate([hi, runs["hi"][ew]])
        ok = hi - lo > 10.0
        run, lo, hi = run[ok], lo[ok], hi[ok]
        spacing = np.where(runs["key"][run] == "ZH", ZH_SPACING,
                           np.where(runs["gravity"][run], SPACING, PRESSURE_SPACING))
        n = np.maximum(1, np.round((hi - lo) / spacing)).astype(np.int64)
        owner, k = ragged(n)
        jitter = rng.uniform(-0.15, 0.15, len(owner))
        s = lo[owner] + (hi - lo)[owner] * (k + 0.5 + jitter) / n[owner]
        return _stations(run[owner], s, K_REG)

    def build_stations(self) -> None:
        """All stations sorted along their runs; ordinary points too close to a tee are dropped."""
        st = cat(self.end_parts + self.tee_parts + [self._regular()])
        order = np.lexsort((st["s"], st["run"]))
        st = take(st, order)
        same_prev = np.r_[False, st["run"][1:] == st["run"][:-1]]
        same_next = np.r_[st["run"][:-1] == st["run"][1:], False]
        gap_prev = np.r_[np.inf, np.diff(st["s"])]
        gap_next = np.r_[np.diff(st["s"]), np.inf]
        special_prev = np.r_[False, st["kind"][:-1] != K_REG]
        special_next = np.r_[st["kind"][1:] != K_REG, False]
        near = ((same_prev & special_prev & (gap_prev < MIN_GAP))
                | (same_next & special_next & (gap_next < MIN_GAP)))
        st = take(st, ~((st["kind"] == K_REG) & near))
        self.st = st

    # ----------------------------------------------------------------- points
    def build_points(self) -> None:
        """Point table (new stations and lateral bends/ends), with the ground from the terrain."""
        st, runs, lat = self.st, self.runs, self.lat
        rdir = runs["dir"][st["run"]]
        new = ~((rdir == 1) & (st["kind"] == K_JUNC))
        pidx = np.full(len(st["run"]), -1, dtype=np.int64)
        pidx[new] = np.arange(new.sum())
        jpoint = np.full(self.n_junctions, -1, dtype=np.int64)
        ns_j = (rdir == 0) & (st["kind"] == K_JUNC)
        jpoint[st["jid"][ns_j]] = pidx[ns_j]
        ew_j = ~new
        pidx[ew_j] = jpoint[st["jid"][ew_j]]
        if np.any(pidx < 0):
            raise AssertionError("an E-W run ends where no N-S junction point was made")
        st["point"] = pidx
        nl = len(lat["s"])
        tee = st["kind"] == K_TEE
        self.tee_point = np.full(nl, -1, dtype=np.int64)
        self.tee_point[st["lid"][tee]] = pidx[tee]
        line = runs["line"][st["run"]]
        x = np.where(rdir == 0, line, st["s"])[new]
        y = np.where(rdir == 0, st["s"], line)[new]
        n_st = len(x)
        lat_b = np.where(lat["dir"] == 0, lat["b"], lat["s"]), np.where(lat["dir"] == 0, lat["s"], lat["b"])
        lat_e = np.where(lat["dir"] == 0, lat["e"], lat["s"]), np.where(lat["dir"] == 0, lat["s"], lat["e"])
        self.lat_b_point = n_st + np.arange(nl)
        self.lat_e_point = n_st + nl + np.arange(nl)
        src_run = st["run"][new]
        self.points = {
            "x": np.concatenate([x, lat_b[0], lat_e[0]]),
            "y": np.concatenate([y, lat_b[1], lat_e[1]]),
            "kind": np.concatenate([st["kind"][new], np.full(nl, K_LB, np.int8), np.full(nl, K_LE, np.int8)]),
            "key": np.concatenate([runs["key"][src_run], lat["lat_key"], lat["lat_key"]]),
            "slot": np.concatenate([runs["slot"][src_run], lat["slot"], lat["slot"]]),
            "dropped": np.zeros(n_st + 2 * nl, dtype=bool),
            "note": np.full(n_st + 2 * nl, None, dtype=object),
        }
        self.points["ground"] = np.round(self.terrain.sample(self.points["x"], self.points["y"]), 3)

    # ----------------------------------------------------------------- depths
    def plain_depths(self) -> None:
        """Depths of pressure and duct runs: their cover, dives and aligned tees; pressure laterals."""
        st, col, lat = self.st, self.col, self.lat
        slot = self.runs["slot"][st["run"]]
        grav = col["gravity"][slot]
        st["depth"] = np.where(np.isnan(st["depth"]) & ~grav, col["cover"][slot], st["depth"])
        st["depth"][grav] = np.nan
        spec_h = lateral_sizes(lat["lat_key"])["out_h"]
        main = lat["slot"]
        self.lat_h = spec_h
        tee = col["cover"][main] + (col["out_h"][main] - spec_h) / 2
        below = np.fmax(tee, col["prev_bottom"][main] + VGAP)
        self.lat_depth = {"tee": tee, "b": below, "e": below.copy()}

    def _crossing_bounds(self, owner_dir, owner_road, owner_side, owner_offset, pos) -> tuple:
        """Crossings of items (gravity laterals or branches) with the runs nearer the red line.

        Returns (item, offset of the crossed run, allowed outer-crown elevation at the crossing).
        ``pos`` is the item's position along the road (where it crosses).
        """
        items = pd.DataFrame({"item": np.arange(len(owner_dir)), "dir": owner_dir, "road": owner_road,
                              "side": owner_side, "limit": owner_offset, "pos": pos})
        s = self.slots
        runs = pd.DataFrame({"dir": s["dir"], "road": s["road"], "side": s["side"], "off": s["offset"],
                             "bottom": s["bottom"], "line": s["line"]})[
            (~s["gravity"]) & (s["planted"] == "") & (s["key"] != "ZH")]
        pairs = items.merge(runs, on=["dir", "road", "side"])
        pairs = pairs[pairs["off"] < pairs["limit"]]
        x = np.where(pairs["dir"] == 0, pairs["line"], pairs["pos"])
        y = np.where(pairs["dir"] == 0, pairs["pos"], pairs["line"])
        allowed = self.terrain.sample(x, y) - pairs["bottom"].to_numpy() - VGAP
        return pairs["item"].to_numpy(), pairs["line"].to_numpy(), allowed

    def gravity_laterals(self) -> None:
        """Inverts of house connections: beneath every crossed run, falling towards the main."""
        lat, col = self.lat, self.col
        rows = np.flatnonzero(lat["gravity"])
        self.lat_invert = {}
        if len(rows) == 0:
            return
        sizes = lateral_sizes(lat["lat_key"][rows])
        crown = (sizes["out_h"] + sizes["in_h"]) / 2
        main_off = col["offset"][lat["slot"][rows]]
        item, line, allowed = self._crossing_bounds(lat["dir"][rows], lat["road"][rows], lat["side"][rows],
                                                    main_off, lat["s"][rows])
        dist_e = np.abs(line - lat["e"][rows][item])
        bound = np.full(len(rows), np.inf)
        np.minimum.at(bound, item, allowed - crown[item] + gravity.LATERAL_SLOPE * dist_e)
        g = self.points["ground"]
        slope = gravity.LATERAL_SLOPE
        len_b = np.abs(lat["e"][rows] - lat["b"][rows])
        len_t = np.abs(lat["e"][rows] - lat["line"][rows])
        cover = np.minimum.reduce([g[self.lat_e_point[rows]] - gravity.COVER - crown,
                                   g[self.lat_b_point[rows]] - gravity.COVER - crown + slope * len_b,
                                   g[self.tee_point[rows]] - gravity.COVER - crown + slope * len_t])
        inv_e = np.minimum(bound, cover)
        self.lat_invert = {"rows": rows, "e": inv_e, "b": inv_e - slope * len_b, "tee": inv_e - slope * len_t}

    def _profile(self, runs_sel: np.ndarray, s_down: np.ndarray, slope: np.ndarray, crown_st,
                 extra: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
        """Downstream inverts of gravity runs ``runs_sel`` given stations, tees and extra bounds.

        ``extra``: (run, distance from the downstream end, bound) triples.
        """
        st = self.st
        n_runs = len(self.runs["slot"])
        at = np.isin(st["run"], runs_sel)
        run = st["run"][at]
        flow = self.runs["flow"][run]
        dist = (s_down[run] - st["s"][at]) * flow
        ground = self.points["ground"][st["point"][at]]
        bounds = [ground - gravity.COVER - crown_st[at]]
        dists = [dist]
        owners = [run]
        tee = st["kind"][at] == K_TEE
        if np.any(tee):
            pos = np.searchsorted(self.lat_invert["rows"], st["lid"][at][tee])
            bounds.append(self.lat_invert["tee"][pos])
            dists.append(dist[tee])
            owners.append(run[tee])
        for r, d, b in extra:
            owners.append(r)
            dists.append(d)
            bounds.append(b)
        return gravity.downstream_invert(np.concatenate(owners), np.concatenate(dists), np.concatenate(bounds),
                                         slope, n_runs)

    def gravity_runs(self, after_branches=None) -> None:
        """Invert profiles: E-W branches first (beneath the crossed runs), then the N-S trunks."""
        st, runs, col, rng = self.st, self.runs, self.col, self.rng
        n_runs = len(runs["slot"])
        slot = runs["slot"]
        slope = np.zeros(n_runs)
        trunk = (runs["dir"] == 0) & runs["gravity"]
        branch = (runs["dir"] == 1) & runs["gravity"]
        slope[trunk] = np.round(rng.uniform(*TRUNK_SLOPE, trunk.sum()), 4)
        slope[branch] = np.round(rng.uniform(*BRANCH_SLOPE, branch.sum()), 4)
        self.slope = slope
        # Downstream position: E-W branches at their junction, trunks at their outfall.
        s_down = np.where(runs["flow"] > 0, runs["hi"], runs["lo"])
        jst = (st["kind"] == K_JUNC) & branch[st["run"]]
        s_down[st["run"][jst]] = st["s"][jst]
        self.s_down = s_down
        # Trunk reaches by position (head 0 .. outfall 1); the station's own reach is the larger.
        length = runs["hi"] - runs["lo"]
        t = np.clip((runs["hi"][st["run"]] - st["s"]) / np.where(length > 0, length, 1)[st["run"]], 0, 0.999)
        st["reach"] = np.where(trunk[st["run"]], gravity.reach_of(t), 0)
        shape, dn, w, h, material = self.gravity_sizes(st["run"], st["reach"])
        crown_st = np.where(runs["gravity"][st["run"]], gravity.crown_offset(shape, dn, w, h, material), 0.0)
        # Branches: beneath the N-S runs they cross on their way to the junction.
        b_runs = np.flatnonzero(branch)
        nss = self._junction_ns_slot(b_runs)
        item, line, allowed = self._crossing_bounds(np.zeros(len(b_runs), np.int64), col["road"][nss],
                                                    col["side"][nss], col["offset"][nss], runs["line"][b_runs])
        b_crown = gravity.crown_offset("circle", col["dn"][slot[b_runs]], np.nan, np.nan,
                                       col["material"][slot[b_runs]])
        dist = np.abs(line - s_down[b_runs][item])
        extra = [(b_runs[item], dist, allowed - b_crown[item])]
        down = self._profile(b_runs, s_down, slope, crown_st, extra)
        if after_branches is not None:
            after_branches(self, down)
        # Trunks: below every branch joining them (with a drop) and every house connection.
        inv_j = np.full(self.n_junctions, np.nan)
        bj = jst
        inv_j[st["jid"][bj]] = down[st["run"][bj]]
        tj = (st["kind"] == K_JUNC) & trunk[st["run"]]
        t_run = st["run"][tj]
        t_dist = (s_down[t_run] - st["s"][tj]) * runs["flow"][t_run]
        bound_j = inv_j[st["jid"][tj]] - gravity.DROP
        ok = ~np.isnan(bound_j)
        down_t = self._profile(np.flatnonzero(trunk), s_down, slope, crown_st,
                               [(t_run[ok], t_dist[ok], bound_j[ok])])
        down = np.where(trunk, down_t, down)
        self.down = down
        g_st = self.points["ground"][st["point"]]
        grav_st = runs["gravity"][st["run"]]
        dist_st = (s_down[st["run"]] - st["s"]) * runs["flow"][st["run"]]
        invert = down[st["run"]] + slope[st["run"]] * dist_st
        st["depth"] = np.where(grav_st, g_st - invert, st["depth"])
        li = self.lat_invert
        if len(li.get("rows", [])):
            g = self.points["ground"]
            rows = li["rows"]
            self.lat_depth["tee"][rows] = g[self.tee_point[rows]] - li["tee"]
            self.lat_depth["b"][rows] = g[self.lat_b_point[rows]] - li["b"]
            self.lat_depth["e"][rows] = g[self.lat_e_point[rows]] - li["e"]

    def _junction_ns_slot(self, ew_runs: np.ndarray) -> np.ndarray:
        """The N-S slot an E-W run joins (gravity branches join exactly one)."""
        st = self.st
        j = (st["kind"] == K_JUNC) & np.isin(st["run"], ew_runs)
        jid_of_run = np.full(len(self.runs["slot"]), -1, dtype=np.int64)
        jid_of_run[st["run"][j]] = st["jid"][j]
        ns_j = (st["kind"] == K_JUNC) & (self.runs["dir"][st["run"]] == 0)
        ns_run_of_jid = np.full(self.n_junctions, -1, dtype=np.int64)
        ns_run_of_jid[st["jid"][ns_j]] = st["run"][ns_j]
        return self.runs["slot"][ns_run_of_jid[jid_of_run[ew_runs]]]

    def gravity_sizes(self, run, reach):
        """(shape, dn, w, h, material) of gravity runs ``run`` at ``reach`` (branches: their slot DN)."""
        col, runs = self.col, self.runs
        slot = runs["slot"][run]
        shape, dn, w, h, material = gravity.trunk_sizes(col["key"][slot], col["cls"][slot], reach)
        branch = runs["dir"][run] == 1
        dn[branch] = col["dn"][slot[branch]]
        shape[branch] = "circle"
        w[branch] = np.nan
        h[branch] = np.nan
        material[branch] = col["material"][slot[branch]]
        return shape, dn, w, h, material

    # --------------------------------------------------------------- segments
    def build_segments(self) -> None:
        """Segments between consecutive stations of every run, then the laterals' two segments."""
        st, runs, col, lat = self.st, self.runs, self.col, self.lat
        pair = np.flatnonzero(st["run"][1:] == st["run"][:-1])
        a, b = pair, pair + 1
        run = st["run"][a]
        slot = runs["slot"][run]
        flip = runs["flow"][run] < 0
        up = np.where(flip, b, a)
        down = np.where(flip, a, b)
        shape = col["shape"][slot].astype(object)
        dn, w, h = col["dn"][slot].copy(), col["w"][slot].copy(), col["h"][slot].copy()
        material = col["material"][slot].astype(object)
        grav = runs["gravity"][run]
        gs = np.flatnonzero(grav)
        g_shape, g_dn, g_w, g_h, g_mat = self.gravity_sizes(run[gs], st["reach"][up[gs]])
        shape[gs], dn[gs], w[gs], h[gs], material[gs] = g_shape, g_dn, g_w, g_h, g_mat
        seg = {"a": st["point"][up], "b": st["point"][down], "da": st["depth"][up], "db": st["depth"][down],
               "s0": st["s"][a], "s1": st["s"][b],
               "slot": slot, "lat_key": np.full(len(run), None, dtype=object), "shape": shape, "dn": dn,
               "w": w, "h": h, "wall": col["wall"][slot], "material": material, "gravity": grav,
               "run": run, "lid": np.full(len(run), -1, dtype=np.int64)}
        # Laterals: pressure and ducts from the tee out; gravity from the end in.
        nl = len(lat["s"])
        sizes = lateral_sizes(lat["lat_key"])
        grav_l = lat["gravity"]
        tee, bend, end = self.tee_point, self.lat_b_point, self.lat_e_point
        dt, dbend, de = self.lat_depth["tee"], self.lat_depth["b"], self.lat_depth["e"]
        first = {"a": np.where(grav_l, end, tee), "b": bend, "da": np.where(grav_l, de, dt), "db": dbend}
        second = {"a": bend, "b": np.where(grav_l, tee, end), "da": dbend, "db": np.where(grav_l, dt, de)}
        lat_cols = {"s0": np.full(nl, np.nan), "s1": np.full(nl, np.nan), "slot": lat["slot"], "lat_key": lat["lat_key"], "shape": sizes["shape"], "dn": sizes["dn"],
                    "w": sizes["w"], "h": sizes["h"], "wall": sizes["wall"], "material": sizes["material"],
                    "gravity": grav_l, "run": np.full(nl, -1, np.int64), "lid": np.arange(nl)}
        parts = [seg] + [{**half, **lat_cols} for half in (first, second)]
        self.segs = cat(parts)
        self.segs["note"] = np.full(len(self.segs["a"]), None, dtype=object)
        self.overrides: list[tuple[str, np.ndarray, object]] = []   # (column, segment rows, value)

    def add_points(self, x, y, kind, key: str, slot: int, note: str) -> np.ndarray:
        """Append standalone points (planted features); returns their indices."""
        x = np.asarray(x, dtype=float)
        first = len(self.points["x"])
        new = {"x": x, "y": np.asarray(y, dtype=float), "kind": np.asarray(kind, dtype=np.int8),
               "key": np.full(len(x), key, dtype=object), "slot": np.full(len(x), slot, dtype=np.int64),
               "dropped": np.zeros(len(x), dtype=bool), "note": np.full(len(x), note, dtype=object),
               "ground": np.round(self.terrain.sample(x, np.asarray(y, dtype=float)), 3)}
        self.points = cat([self.points, new])
        return first + np.arange(len(x))

    def add_segments(self, a, b, da, db, slot: int, section: tuple, note: str) -> np.ndarray:
        """Append standalone top-surveyed segments; ``section`` = (shape, dn, w, h, wall, material)."""
        a = np.asarray(a, dtype=np.int64)
        n = len(a)
        first = len(self.segs["a"])
        shape, dn, w, h, wall, material = section

        def full(v, dtype=float):
            return np.full(n, v, dtype=dtype)

        new = {"a": a, "b": np.asarray(b, dtype=np.int64), "da": np.asarray(da, float), "db": np.asarray(db, float),
               "s0": full(np.nan), "s1": full(np.nan), "slot": full(slot, np.int64), "lat_key": full(None, object),
               "shape": full(shape, object), "dn": full(dn), "w": full(w), "h": full(h), "wall": full(wall),
               "material": full(material, object), "gravity": full(False, bool), "run": full(-1, np.int64),
               "lid": full(-1, np.int64), "note": full(note, object)}
        self.segs = cat([{k: self.segs[k] for k in new}, new])
        return first + np.arange(n)

    def z_values(self) -> None:
        """Centre-line elevations at both ends from ground, depth and section (gis.sections)."""
        from gis.sections import centre_elevation

        segs, g = self.segs, self.points["ground"]
        ow, oh, ih, _ = outside_size(segs["shape"], segs["dn"], segs["w"], segs["h"], segs["wall"],
                                     segs["material"])
        segs["out_w"], segs["out_h"], segs["in_h"] = ow, oh, ih
        segs["ref"] = np.where(segs["gravity"], "invert", "top").astype(object)
        segs["da"] = np.round(segs["da"], 3)
        segs["db"] = np.round(segs["db"], 3)
        segs["za"] = centre_elevation(g[segs["a"]], segs["da"], segs["ref"], ih, oh)
        segs["zb"] = centre_elevation(g[segs["b"]], segs["db"], segs["ref"], ih, oh)


def lateral_sizes(keys) -> dict:
    """Section columns (shape, dn, w, h, wall, material, out_w, out_h, in_h) of laterals by spec key."""
    table = {}
    for key in set(keys):
        spec = SPECS[key]
        dn = spec.dn[0][0] if spec.dn else np.nan
        w, h = spec.wh[0][0] if spec.wh else (np.nan, np.nan)
        wall = np.nan if spec.wall_mm is None else spec.wall_mm
        ow, oh, ih, _ = outside_size(spec.shape, dn, w, h, wall, spec.material)
        table[key] = (spec.shape, dn, w, h, wall, spec.material, float(ow[0]), float(oh[0]), float(ih[0]))
    names = ("shape", "dn", "w", "h", "wall", "material", "out_w", "out_h", "in_h")
    return {name: lookup(keys, {k: v[n] for k, v in table.items()},
                         object if name in ("shape", "material") else float)
            for n, name in enumerate(names)}

"""The demo road grid: road centre lines, widths, classes, names and cross-sections.

N-S roads ("ns") run along y at x = centre; E-W roads ("ew") run along x at
y = centre.  Each road has two sides (0: west / south, 1: east / north); a
run's offset is measured from its side's red line towards the road centre.
Medians hold what nothing may cross: the utility tunnel and elevated-road
piers on N-S arterials, the metro station on E-W metro roads.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from gis.demo import names, specs
from gis.demo.specs import ARTERIAL, BRANCH, SECONDARY, SPECS

ORIGIN = (640000.0, 3450000.0)     # south-west corner, EPSG:4549 (near 121.47 E, 31.16 N)
BLOCK_RANGE = (110.0, 240.0)       # block size between red lines, m
STATION_BLOCK = 240.0              # block length forced where a station lies


@dataclass
class Roads:
    """The roads of one direction with their cross-sections."""

    direction: str                     # "ns" or "ew"
    centre: np.ndarray                 # x of N-S roads, y of E-W roads
    width: np.ndarray
    cls: np.ndarray
    name: np.ndarray                   # object array of Chinese names
    year: np.ndarray
    offset: dict = field(default_factory=dict)   # (side, key) -> offsets (NaN where absent)
    out_w: dict = field(default_factory=dict)    # (side, key) -> outside width used for spacing, m
    median: dict = field(default_factory=dict)   # key -> centre offset from side 0 red line (NaN absent)
    footway: np.ndarray | None = None
    flag: dict = field(default_factory=dict)     # role flags: elevated, tunnel, metro, outfall

    @property
    def n(self) -> int:
        """Number of roads."""
        return len(self.centre)

    def line(self, idx, side, offset) -> np.ndarray:
        """Absolute coordinate (x for ns, y for ew) of a line at ``offset`` from the red line of
        ``side`` of roads ``idx``."""
        side = np.asarray(side)
        edge = np.where(side == 0, self.red(0, idx), self.red(1, idx))
        return np.where(side == 0, edge + offset, edge - offset)

    def red(self, side: int, idx=slice(None)) -> np.ndarray:
        """Coordinate of the red line of ``side`` (0 low, 1 high)."""
        return self.centre[idx] + (self.width[idx] / 2 if side else -self.width[idx] / 2)

    def side_keys(self, i: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The cross-section lists (side 0, side 1) of road ``i``."""
        if self.direction == "ns" and self.cls[i] == ARTERIAL:
            return specs.SIDE_ARTERIAL_NS
        return specs.SIDE_ORDINARY


@dataclass
class Grid:
    """Both road directions, the extent and the special links."""

    ns: Roads
    ew: Roads
    bounds: tuple[float, float, float, float]
    station_links: list            # (ew road j, link i) pairs holding a metro station
    quiet_links: set               # (ew road j, link i) pairs where no laterals are laid (planted items)


def _classes(n: int) -> np.ndarray:
    i = np.arange(n)
    return np.where(i % 4 == 1, ARTERIAL, np.where(i % 4 == 3, SECONDARY, BRANCH))


def _side_layout(keys, cls: int, trunk: bool) -> tuple[dict, dict, float]:
    """Offsets and widths of one side's runs from its red line; returns (offsets, widths, extent)."""
    offsets, widths = {}, {}
    outer, prev = 0.0, None
    for key in keys:
        if key == "TREE":
            width, clear = 0.0, specs.TREE_CLEAR
        else:
            width = specs.max_outside_mm(SPECS[key], cls, trunk)[0] / 1000.0
            if prev is None:
                clear = specs.EDGE_MARGIN
            elif prev == "TREE":
                clear = specs.TREE_CLEAR
            elif (prev, key) == ("RL_S", "RL_R"):
                clear = specs.TWIN_CLEAR
            else:
                clear = specs.GAP[cls]
        offsets[key] = outer + clear + width / 2
        widths[key] = width
        outer = offsets[key] + width / 2
        prev = key
    return offsets, widths, outer


def _median_items(direction: str, cls: int, flags: dict, i: int) -> list[tuple[str, float, float]]:
    """(key, width, clear before it) of the median items of road ``i``, from side 0 towards side 1."""
    items = []
    if direction == "ns" and cls == ARTERIAL:
        width = specs.max_outside_mm(SPECS["ZH"], cls, True)[0] / 1000.0
        items.append(("ZH", width, specs.GAP[cls]))
        if flags["elevated"][i]:
            items.append(("PIER", specs.PIER_SIZE, specs.GAP[cls]))
    if direction == "ew" and flags["metro"][i]:
        items.append(("STATION", specs.STATION_WIDTH, specs.STATION_CLEAR))
    return items


def _cross_sections(roads: Roads, rng: np.random.Generator) -> None:
    """Fill widths, offsets, median positions and footways of ``roads`` (per-road loop, few roads)."""
    n = roads.n
    trunk = roads.direction == "ns"
    pipe_keys = [k for k in specs.PIPE_KEYS if k != "ZH"]
    for side in (0, 1):
        for key in pipe_keys + ["TREE"]:
            roads.offset[(side, key)] = np.full(n, np.nan)
            roads.out_w[(side, key)] = np.full(n, np.nan)
    for key in ("ZH", "PIER", "STATION"):
        roads.median[key] = np.full(n, np.nan)
    roads.footway = np.zeros(n)
    for i in range(n):
        cls = int(roads.cls[i])
        layouts = [_side_layout(keys, cls, trunk) for keys in roads.side_keys(i)]
        items = _median_items(roads.direction, cls, roads.flag, i)
        last_clear = specs.STATION_CLEAR if any(k == "STATION" for k, _, _ in items) else specs.GAP[cls]
        block = sum(w + c for _, w, c in items) + (last_clear if items else specs.GAP[cls])
        required = layouts[0][2] + layouts[1][2] + block
        nominal = float(rng.choice(specs.NOMINAL_WIDTH[cls]))
        if items and items[0][0] == "STATION":
            nominal = 60.0
        width = max(nominal, 2.0 * math.ceil(required / 2.0))
        roads.width[i] = width
        for side, (offs, wids, _) in enumerate(layouts):
            for key, off in offs.items():
                roads.offset[(side, key)][i] = off
                roads.out_w[(side, key)][i] = wids[key]
        # Centre the median block in the free interval between the two sides.
        lo = layouts[0][2]
        hi = width - layouts[1][2]
        span = sum(w + c for _, w, c in items) + (last_clear if items else 0.0)
        pos = lo + (hi - lo - span) / 2
        for key, w, clear in items:
            roads.median[key][i] = pos + clear + w / 2
            pos += clear + w
        tree = roads.offset[(0, "TREE")][i]
        roads.footway[i] = tree + specs.CURB_BEYOND_TREE


def _roads(direction: str, n: int, start: float, rng: np.random.Generator, name_stems,
           forced_blocks: dict) -> Roads:
    cls = _classes(n)
    idx = np.arange(n)
    flags = {"elevated": (direction == "ns") & (cls == ARTERIAL) & ((idx // 4) % 3 == 0),
             "tunnel": (direction == "ns") & (cls == ARTERIAL),
             "metro": (direction == "ew") & (cls == ARTERIAL) & ((idx // 4) % 3 == 0),
             "outfall": (direction == "ew") & (idx % 3 == 0) & (idx > 0) & (idx < n - 1)}
    suffix = np.array([names.ROAD_SUFFIX[int(c)] for c in cls], dtype=object)
    roads = Roads(direction, np.zeros(n), np.zeros(n), cls, name_stems + suffix,
                  rng.integers(1992, 2016, n), flag=flags)
    _cross_sections(roads, rng)
    blocks = np.round(rng.uniform(*BLOCK_RANGE, max(n - 1, 0)))
    for i, size in forced_blocks.items():
        blocks[i] = size
    gaps = roads.width[:-1] / 2 + blocks + roads.width[1:] / 2
    roads.centre = start + roads.width[0] / 2 + np.concatenate([[0.0], np.cumsum(gaps)])
    roads.block = blocks
    return roads


def make_grid(nx: int, ny: int, rng: np.random.Generator) -> Grid:
    """The road grid of ``nx`` N-S by ``ny`` E-W roads starting at :data:`ORIGIN`."""
    stems = names.road_names(nx + ny, rng)
    ew_cls = _classes(ny)
    jdx = np.arange(ny)
    metro_roads = jdx[(ew_cls == ARTERIAL) & ((jdx // 4) % 3 == 0)]
    station_i = [i for i in range(nx - 1) if i % 5 == 2]
    ns = _roads("ns", nx, ORIGIN[0], rng, stems[:nx], {i: STATION_BLOCK for i in station_i})
    ew = _roads("ew", ny, ORIGIN[1], rng, stems[nx:], {})
    station_links = [(int(j), i) for j in metro_roads for i in station_i]
    quiet = {(int(j), i - 1) for j, i in station_links[:1] if i >= 1}
    bounds = (ORIGIN[0], ORIGIN[1], float(ns.red(1)[-1]), float(ew.red(1)[-1]))
    return Grid(ns, ew, bounds, station_links, quiet)

"""Chart layout without Qt: data-to-device mapping, tick steps, label placement.

Device coordinates have y down (QPainter); elevations go up.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Rect = tuple[float, float, float, float]       # x0, y0, x1, y1 (device, y down)

EXAGGERATIONS = (1, 2, 5, 10, 20, 50, 100, 200)
MIN_FILL = 0.35        # auto exaggeration: the data should fill at least this share of the plot height


@dataclass(frozen=True)
class ChartFrame:
    """Maps (chainage s, elevation z) into the plot rectangle; ``sy = sx * exaggeration``."""

    plot: Rect
    s0: float
    z0: float
    sx: float
    exaggeration: float

    @property
    def sy(self) -> float:
        """Device units per metre of elevation."""
        return self.sx * self.exaggeration

    @property
    def s1(self) -> float:
        """Chainage at the right edge of the plot."""
        return self.s0 + (self.plot[2] - self.plot[0]) / self.sx

    @property
    def z1(self) -> float:
        """Elevation at the top of the plot."""
        return self.z0 + (self.plot[3] - self.plot[1]) / self.sy

    def x(self, s: float) -> float:
        """Device x of chainage ``s``."""
        return self.plot[0] + (s - self.s0) * self.sx

    def y(self, z: float) -> float:
        """Device y of elevation ``z``."""
        return self.plot[3] - (z - self.z0) * self.sy

    @classmethod
    def fit(cls, plot: Rect, s_range: tuple[float, float], z_range: tuple[float, float],
            exaggeration: float | None = None, headroom: float = 0.0,
            min_fill: float = MIN_FILL) -> "ChartFrame":
        """A frame showing the data ranges, filling the plot.

        The chainage range fills the width; the elevation window grows to
        fill the height, keeping ``headroom`` device units free above the
        data (for labels).  ``exaggeration`` None picks the smallest of
        EXAGGERATIONS that makes the data fill ``min_fill`` of the height.  When
        the data would not fit the height, the chainage window widens.
        """
        w, h = plot[2] - plot[0], plot[3] - plot[1] - headroom
        s_lo, s_hi = s_range
        z_lo, z_hi = z_range
        ds = max(s_hi - s_lo, 1e-6)
        dz = max(z_hi - z_lo, 1e-6)
        sx = w / ds
        if exaggeration is None:
            exaggeration = EXAGGERATIONS[-1]
            for k in EXAGGERATIONS:
                if dz * sx * k >= min_fill * h:
                    exaggeration = k
                    break
        k = float(exaggeration)
        if dz * sx * k > h:             # too tall: widen the chainage window, centred on the data
            sx = h / (dz * k)
            s_lo -= (w / sx - ds) / 2
        z0 = z_lo - (h / (sx * k) - dz) / 2
        return cls(plot, s_lo, z0, sx, k)


def tick_step(span: float, pixels: float, min_gap_px: float) -> float:
    """A 1-2-5 step whose ticks are at least ``min_gap_px`` apart when ``span`` covers ``pixels``."""
    if span <= 0 or pixels <= 0:
        return 1.0
    raw = span * min_gap_px / pixels
    base = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * base >= raw:
            return m * base
    return 10 * base


def ticks(lo: float, hi: float, step: float) -> list[float]:
    """Multiples of ``step`` within [lo, hi]."""
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [k * step for k in range(first, last + 1)]


def thin(n: int, size: float, room: float) -> list[int]:
    """Indices of ``n`` evenly spaced items of ``size`` to keep so they fit in ``room`` (all when they fit)."""
    fit = max(1, int(room // size)) if size > 0 else n
    if n <= fit:
        return list(range(n))
    step = math.ceil(n / fit)
    return list(range(0, n, step))


def spread(centres: list[float], sizes: list[float], lo: float, hi: float, gap: float = 2.0) -> list[float]:
    """Centres moved as little as possible (least squares) so the intervals do not overlap.

    Intervals are ``centre +- size/2`` plus ``gap`` between neighbours, kept
    within [lo, hi] where there is room.  Order is preserved.
    """
    order = sorted(range(len(centres)), key=lambda i: centres[i])
    clusters: list[dict] = []          # each: members, offsets (from the cluster's left), width, left
    for i in order:
        c = {"members": [i], "offsets": [0.0], "width": sizes[i],
             "desired": [centres[i] - sizes[i] / 2]}
        c["left"] = c["desired"][0]
        clusters.append(c)
        while len(clusters) > 1:
            a, b = clusters[-2], clusters[-1]
            if a["left"] + a["width"] + gap <= b["left"]:
                break
            shift = a["width"] + gap
            merged = {"members": a["members"] + b["members"],
                      "offsets": a["offsets"] + [o + shift for o in b["offsets"]],
                      "width": shift + b["width"], "desired": a["desired"] + b["desired"]}
            merged["left"] = sum(d - o for d, o in zip(merged["desired"], merged["offsets"])) / len(merged["members"])
            clusters[-2:] = [merged]
    out = [0.0] * len(centres)
    # clamp into [lo, hi] from both ends, keeping the gaps
    lefts = [min(max(c["left"], lo), hi - c["width"]) for c in clusters]
    for k in range(1, len(clusters)):
        lefts[k] = max(lefts[k], lefts[k - 1] + clusters[k - 1]["width"] + gap)
    for k in range(len(clusters) - 2, -1, -1):
        lefts[k] = min(lefts[k], lefts[k + 1] - clusters[k]["width"] - gap)
    for c, left in zip(clusters, lefts):
        for i, off in zip(c["members"], c["offsets"]):
            out[i] = left + off + sizes[i] / 2
    return out


def overlaps(a: Rect, b: Rect) -> bool:
    """Whether two rectangles share interior."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class LabelPlacer:
    """Greedy label placement: each label takes the first candidate box that is free and inside."""

    def __init__(self, bounds: Rect):
        self.bounds = bounds
        self.taken: list[Rect] = []

    def block(self, rect: Rect) -> None:
        """Keep labels off ``rect`` (a drawn feature, an earlier label)."""
        self.taken.append(rect)

    def place(self, candidates) -> Rect | None:
        """The first free candidate (then taken), or None when every one collides."""
        c = np.asarray(list(candidates), dtype=float).reshape(-1, 4)
        b = self.bounds
        ok = (c[:, 0] >= b[0]) & (c[:, 1] >= b[1]) & (c[:, 2] <= b[2]) & (c[:, 3] <= b[3])
        if self.taken and ok.any():
            t = np.asarray(self.taken, dtype=float)
            hit = ((c[:, None, 0] < t[None, :, 2]) & (t[None, :, 0] < c[:, None, 2])
                   & (c[:, None, 1] < t[None, :, 3]) & (t[None, :, 1] < c[:, None, 3]))
            ok &= ~hit.any(axis=1)
        free = np.flatnonzero(ok)
        if len(free) == 0:
            return None
        rect = tuple(float(v) for v in c[free[0]])
        self.block(rect)
        return rect


def candidates_around(ax: float, ay: float, w: float, h: float, reach: float, step: float) -> list[Rect]:
    """Boxes of size w x h above the anchor (ax, ay) at growing heights and sideways shifts, then below."""
    out: list[Rect] = []
    n = max(1, int(reach / step))
    shifts = (0.0, 0.6, -0.6, 1.2, -1.2, 2.0, -2.0)
    for k in range(n + 1):
        dy = 6 + k * step
        for f in shifts:
            x0 = ax - w / 2 + f * w
            out.append((x0, ay - dy - h, x0 + w, ay - dy))
    for k in range(n + 1):
        dy = 6 + k * step
        for f in shifts:
            x0 = ax - w / 2 + f * w
            out.append((x0, ay + dy, x0 + w, ay + dy + h))
    return out

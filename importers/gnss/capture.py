"""Point capture: occupy, check the survey's quality rules, average, convert, store.

An occupation collects consecutive epochs that meet the required fix; an
epoch below it before the occupation is complete restarts the count (the
refused epochs are reported by fix).  The averaged position must then meet
the sigma and spread limits, or the capture is refused with the reason.
"""
from __future__ import annotations

import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from gis.errors import SubterraError, UsageError
from gis.progress import Progress
from importers.gnss.epochs import Epoch
from importers.gnss.nmea import FIX_RANK

REQUIRE = {"fixed": ("rtk_fixed",), "float": ("rtk_fixed", "rtk_float"), "any": None}
_A, _E2 = 6378137.0, 0.00669438002290     # GRS80, for metre offsets within an occupation


class CaptureRefused(SubterraError):
    """The occupation did not meet the survey's rules; nothing was stored (CLI exit 3)."""

    exit_code = 3


@dataclass(frozen=True)
class CaptureRules:
    """How long to occupy and what to accept."""

    epochs: int | None = 10
    seconds: float | None = None
    require: str = "fixed"
    max_sigma: float | None = None        # horizontal sigma limit (m), needs GST
    max_spread: float | None = None       # largest horizontal distance of an epoch from the mean (m)
    antenna_height: float = 0.0
    timeout: float = 120.0                # wall-clock seconds to wait for a complete occupation

    def __post_init__(self) -> None:
        if self.require not in REQUIRE:
            raise UsageError(f"--require must be one of {', '.join(REQUIRE)}, not {self.require!r}")
        if not self.epochs and not self.seconds:
            raise UsageError("give a number of epochs or a number of seconds to occupy")
        if self.epochs is not None and self.epochs < 1:
            raise UsageError("--epochs must be at least 1")
        for name in ("max_sigma", "max_spread"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise UsageError(f"--{name.replace('_', '-')} must be positive")

    def accepts(self, ep: Epoch) -> bool:
        """Whether one epoch has a position with the required fix."""
        allowed = REQUIRE[self.require]
        return ep.has_position and ep.h_ell is not None and (allowed is None or ep.fix in allowed)


@dataclass
class CaptureResult:
    """The averaged point (ground, antenna height removed) and the quality figures for the record."""

    lat: float
    lon: float
    h_ell: float
    fix: str
    epochs: int
    sats_used: int | None
    sats_by_constellation: dict[str, int]
    hdop: float | None
    pdop: float | None
    sigma_h: float | None
    sigma_v: float | None
    spread_h: float
    diff_age: float | None
    antenna_height: float
    time: str | None
    refused: dict[str, int] = field(default_factory=dict)
    restarts: int = 0


def _epoch_seconds(ep: Epoch) -> float | None:
    t = ep.time
    try:
        return int(t[:2]) * 3600 + int(t[2:4]) * 60 + float(t[4:])
    except (ValueError, IndexError):
        return None


def offsets_m(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """North and east offsets (m) of each position (degrees) from their mean."""
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    phi = math.radians(float(lat.mean()))
    w = math.sqrt(1 - _E2 * math.sin(phi) ** 2)
    m_radius, n_radius = _A * (1 - _E2) / w ** 3, _A / w
    dn = np.radians(lat - lat.mean()) * m_radius
    de = np.radians(lon - lon.mean()) * n_radius * math.cos(phi)
    return dn, de


class Occupation:
    """Feeds on a status model's epochs until the rules are met (thread-safe)."""

    def __init__(self, rules: CaptureRules):
        self.rules = rules
        self.good: list[Epoch] = []
        self.refused: Counter[str] = Counter()
        self.restarts = 0
        self.done = threading.Event()
        self._lock = threading.Lock()

    def add(self, ep: Epoch) -> None:
        """Consider one finished epoch."""
        with self._lock:
            if self.done.is_set():
                return
            if not self.rules.accepts(ep):
                self.refused[ep.fix if ep.has_position else "no position"] += 1
                if self.good:
                    self.restarts += 1
                    self.good = []
                return
            self.good.append(ep)
            if self._complete():
                self.done.set()

    def collected(self) -> int:
        """How far the occupation is: good epochs (epochs rule) or whole seconds spanned (seconds rule)."""
        with self._lock:
            good = list(self.good)
        if self.rules.epochs or not good:
            return len(good)
        t0, t1 = _epoch_seconds(good[0]), _epoch_seconds(good[-1])
        return 0 if t0 is None or t1 is None else int((t1 - t0) % 86400)

    def _complete(self) -> bool:
        r = self.rules
        if r.epochs and len(self.good) >= r.epochs:
            return True
        if r.seconds:
            t0, t1 = _epoch_seconds(self.good[0]), _epoch_seconds(self.good[-1])
            if t0 is not None and t1 is not None and (t1 - t0) % 86400 >= r.seconds:
                return True
        return False

    def result(self) -> CaptureResult:
        """Average the occupation, or raise CaptureRefused saying why."""
        with self._lock:
            good, refused, restarts = list(self.good), dict(self.refused), self.restarts
            complete = self.done.is_set()
        r = self.rules
        if not complete:
            want = f"{r.epochs} epochs" if r.epochs else f"{r.seconds:g} s"
            seen = ", ".join(f"{n} {fix}" for fix, n in sorted(refused.items())) or "none"
            raise CaptureRefused(f"occupation incomplete: {len(good)} consecutive epochs met --require {r.require} "
                                 f"({'/'.join(REQUIRE[r.require] or ('any fix',))}), {want} needed; "
                                 f"refused epochs: {seen}; restarts: {restarts}")
        lat = np.array([e.lat for e in good])
        lon = np.array([e.lon for e in good])
        h = np.array([e.h_ell for e in good])
        dn, de = offsets_m(lat, lon)
        spread = float(np.hypot(dn, de).max())
        sig_h = [e.sigma_h for e in good]
        sig_v = [e.sigma_v for e in good]
        sigma_h = None if any(s is None for s in sig_h) else float(np.mean(sig_h))
        sigma_v = None if any(s is None for s in sig_v) else float(np.mean(sig_v))
        if r.max_sigma is not None:
            if sigma_h is None:
                raise CaptureRefused(f"--max-sigma {r.max_sigma:g} m cannot be checked: the receiver sends no GST "
                                     "sentences, so its sigmas are unknown (enable GST output or drop --max-sigma)")
            if sigma_h > r.max_sigma:
                raise CaptureRefused(f"horizontal sigma {sigma_h:.3f} m exceeds --max-sigma {r.max_sigma:g} m")
        if r.max_spread is not None and spread > r.max_spread:
            raise CaptureRefused(f"horizontal spread {spread:.3f} m of the {len(good)} epochs exceeds "
                                 f"--max-spread {r.max_spread:g} m")
        worst = min(good, key=lambda e: FIX_RANK[e.fix]).fix
        by_cons: dict[str, int] = {}
        for name in {k for e in good for k in e.sats_by_constellation}:
            by_cons[name] = min(e.sats_by_constellation.get(name, 0) for e in good)
        totals = [e.sats_total for e in good if e.sats_total is not None]
        hdops = [e.hdop for e in good if e.hdop is not None]
        pdops = [e.pdop for e in good if e.pdop is not None]
        ages = [e.diff_age for e in good if e.diff_age is not None]
        utc = good[-1].utc()
        return CaptureResult(
            lat=float(lat.mean()), lon=float(lon.mean()), h_ell=float(h.mean()) - r.antenna_height, fix=worst,
            epochs=len(good), sats_used=min(totals) if totals else None, sats_by_constellation=by_cons,
            hdop=max(hdops) if hdops else None, pdop=max(pdops) if pdops else None, sigma_h=sigma_h,
            sigma_v=sigma_v, spread_h=spread, diff_age=max(ages) if ages else None,
            antenna_height=r.antenna_height, time=utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if utc else None,
            refused=refused, restarts=restarts)


def occupy(session, rules: CaptureRules, progress: Progress | None = None) -> CaptureResult:
    """Occupy with a :class:`~importers.gnss.session.GnssSession` (started here if it is not yet)
    until the rules are met, the source ends or the timeout passes.

    ``progress`` counts good epochs (or seconds) out of those wanted; its
    cancel() ends the occupation with :class:`gis.errors.Cancelled`.
    """
    progress = progress or Progress()
    occ = Occupation(rules)
    wanted = rules.epochs or math.ceil(rules.seconds or 0)
    progress.start(wanted, "Occupying")
    session.status.start_occupation()
    session.status.on_epoch(occ.add)
    session.start()
    try:
        deadline = time.monotonic() + rules.timeout
        while not occ.done.wait(0.2):
            progress.step(min(occ.collected(), wanted) - progress.done)
            session.check_ntrip()
            if session.ended or time.monotonic() > deadline:
                break
        progress.step(min(occ.collected(), wanted) - progress.done)
    finally:
        session.status.unsubscribe(occ.add)
    return occ.result()

"""The live GNSS status model: receiver fix, satellites, sigmas, corrections, NTRIP state.

One :class:`GnssStatus` is shared by the receiver reader, the NTRIP client,
point capture and the app.  Writers call ``ingest_nmea`` / ``record_rtcm`` /
``set_ntrip`` from their threads; readers take consistent copies with
:meth:`GnssStatus.snapshot`, :meth:`sky` and :meth:`scatter`.  Listeners
(``subscribe``) are called after each change outside the lock, from the
writer's thread; a GUI should hop to its own thread (or poll ``version``).
"""
from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

from importers.gnss import constellations as cons
from importers.gnss.epochs import Epoch, EpochBuilder
from importers.gnss.framing import FramerCounts
from importers.gnss.nmea import PARSERS, Gsa, Gst, Gsv, Position, Rmc
from importers.gnss.rtcm3 import message_type

NTRIP_STATES = ("off", "connecting", "streaming", "reconnecting", "auth_failed", "error", "stopped")
_RATE_WINDOW_S = 5.0


@dataclass(frozen=True)
class SkySat:
    """One satellite in view: constellation, PRN, elevation, azimuth (degrees), SNR (dB-Hz), used."""

    constellation: str
    prn: int
    elevation: int | None
    azimuth: int | None
    snr: int | None
    used: bool


class GnssStatus:
    """Thread-safe status of one receiver (+ optional NTRIP stream)."""

    def __init__(self, frame: str = "CGCS2000", scatter_size: int = 2000) -> None:
        self.frame = frame
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._listeners: list[Callable[["GnssStatus"], None]] = []
        self._epoch_listeners: list[Callable[[Epoch], None]] = []
        self.version = 0
        # receiver
        self._epochs = EpochBuilder()
        self._latest: Epoch | None = None
        self._fix_counts: Counter[str] = Counter()
        self._used: dict[str, set[int]] = {}
        self._sky: dict[str, dict[int, tuple]] = {}
        self._sky_touched: set[str] = set()
        self._prev_type = ""
        self._gga_seen = False
        self._nmea = {"sentences": 0, "bad_checksum": 0, "unparsed": 0, "garbage_bytes": 0}
        self._binary_frames = 0
        self._last_gga: str | None = None
        self._epoch_times: deque[float] = deque()
        self._scatter: deque[tuple[float, float, str]] = deque(maxlen=scatter_size)
        self.receiver_connected = False
        self.receiver_error: str | None = None
        self.receiver_reconnects = 0
        # corrections
        self._rtcm = {"frames": 0, "bytes": 0, "crc_errors": 0}
        self._rtcm_types: Counter[int] = Counter()
        self._rtcm_last: float | None = None
        self._ntrip = {"state": "off", "mountpoint": None, "version": None, "reconnects": 0, "error": None}

    # ----------------------------------------------------------- subscribing
    def subscribe(self, callback: Callable[["GnssStatus"], None]) -> None:
        """Call ``callback(status)`` after every change (from the writer's thread)."""
        with self._lock:
            self._listeners.append(callback)

    def unsubscribe(self, callback: Callable) -> None:
        """Stop calling a change or epoch listener."""
        with self._lock:
            for lst in (self._listeners, self._epoch_listeners):
                if callback in lst:
                    lst.remove(callback)

    def on_epoch(self, callback: Callable[[Epoch], None]) -> None:
        """Call ``callback(epoch)`` for every finished receiver epoch."""
        with self._lock:
            self._epoch_listeners.append(callback)

    def wait_changed(self, since: int, timeout: float) -> int:
        """Block until ``version`` passes ``since`` or ``timeout`` elapses; returns the version."""
        with self._changed:
            self._changed.wait_for(lambda: self.version > since, timeout)
            return self.version

    def _notify(self, finished: list[Epoch]) -> None:
        """Bump the version (lock held by caller must be released before listeners run)."""
        with self._lock:
            listeners = list(self._listeners)
            epoch_listeners = list(self._epoch_listeners) if finished else []
        for ep in finished:
            for cb in epoch_listeners:
                cb(ep)
        for cb in listeners:
            cb(self)

    def _bump(self) -> None:
        self.version += 1
        self._changed.notify_all()

    # ---------------------------------------------------------- receiver side
    def ingest_nmea(self, bodies: list[str], counts: FramerCounts | None = None) -> None:
        """Apply checksum-valid sentence bodies from the receiver (one chunk of input)."""
        finished: list[Epoch] = []
        now = time.monotonic()
        with self._lock:
            nm = self._nmea
            for body in bodies:
                fields = body.split(",")
                addr = fields[0]
                parser = PARSERS.get(addr[2:]) if len(addr) == 5 else None
                if parser is None:
                    nm["unparsed"] += 1
                    continue
                try:
                    rec = parser(fields)
                except (ValueError, IndexError):
                    nm["unparsed"] += 1
                    continue
                self._apply(addr[:2], addr[2:], rec, body, now, finished)
            if counts is not None:
                nm["sentences"] = counts.sentences
                nm["bad_checksum"] = counts.bad_checksum
                nm["garbage_bytes"] = counts.garbage_bytes
                self._binary_frames = counts.binary_frames
            self._bump()
        self._notify(finished)

    def end_of_stream(self) -> None:
        """The input ended: finish the epoch in progress."""
        self.idle(0.0)

    def idle(self, quiet_s: float = 0.3) -> None:
        """The input has been quiet: finish the current epoch if its position is older than ``quiet_s``."""
        with self._lock:
            cur = self._epochs.current
            if cur is None or (quiet_s and time.monotonic() - cur.received < quiet_s):
                return
            finished = self._finish(self._epochs.flush())
            self._bump()
        self._notify(finished)

    @staticmethod
    def _finish(ep: Epoch | None) -> list[Epoch]:
        return [] if ep is None or ep.received == 0.0 else [ep]

    def _apply(self, talker: str, stype: str, rec, body: str, now: float, finished: list[Epoch]) -> None:
        prev, self._prev_type = self._prev_type, stype
        if stype == "GGA" or (stype == "GNS" and not self._gga_seen):
            pos: Position = rec
            if stype == "GGA":
                self._gga_seen = True
                self._last_gga = body
            ep, done = self._epochs.at(pos.time)
            finished.extend(self._finish(done))
            ep.lat, ep.lon, ep.h_ell, ep.fix = pos.lat, pos.lon, pos.h_ell, pos.fix
            ep.sats_used, ep.hdop = pos.sats_used, pos.hdop
            ep.diff_age, ep.diff_station = pos.diff_age, pos.diff_station
            ep.received = now
            self._fix_counts[pos.fix] += 1
            ep.sats_by_constellation = self._used_counts()
            self._latest = ep
            self._epoch_times.append(now)
            while self._epoch_times and now - self._epoch_times[0] > _RATE_WINDOW_S:
                self._epoch_times.popleft()
            if ep.has_position:
                self._scatter.append((ep.lat, ep.lon, ep.fix))
        elif stype == "RMC":
            rmc: Rmc = rec
            if rmc.date:
                self._epochs.last_date = rmc.date
                ep, done = self._epochs.at(rmc.time)
                finished.extend(self._finish(done))
                ep.date = rmc.date
        elif stype == "GST":
            gst: Gst = rec
            ep, done = self._epochs.at(gst.time)
            finished.extend(self._finish(done))
            ep.sigma_h, ep.sigma_v = gst.sigma_h, gst.std_alt
        elif stype == "GSA":
            gsa: Gsa = rec
            if prev != "GSA":
                self._used = {}
            for prn in gsa.prns:
                name = cons.classify(talker, prn, gsa.system_id)
                if name:
                    self._used.setdefault(name, set()).add(prn)
            ep = self._epochs.current
            if ep is not None:
                ep.pdop = gsa.pdop if gsa.pdop is not None else ep.pdop
                ep.sats_by_constellation = self._used_counts()
                if ep.hdop is None:
                    ep.hdop = gsa.hdop
        elif stype == "GSV":
            gsv: Gsv = rec
            if prev != "GSV":
                self._sky = {c: v for c, v in self._sky.items() if c in self._sky_touched}
                self._sky_touched = set()
            for prn, el, az, snr in gsv.sats:
                name = cons.classify(talker, prn)
                if name is None:
                    continue
                if name not in self._sky_touched:
                    self._sky[name] = {}
                    self._sky_touched.add(name)
                old = self._sky[name].get(prn)
                if old is not None and old[2] is not None and (snr is None or old[2] > snr):
                    snr = old[2]
                self._sky[name][prn] = (el, az, snr)

    def _used_counts(self) -> dict[str, int]:
        return {name: len(prns) for name, prns in self._used.items()}

    def set_receiver(self, connected: bool, error: str | None = None, reconnected: bool = False) -> None:
        """Record the receiver link state."""
        with self._lock:
            self.receiver_connected = connected
            self.receiver_error = error
            self.receiver_reconnects += int(reconnected)
            self._bump()
        self._notify([])

    def last_gga(self) -> str | None:
        """The latest GGA sentence as received (with '$' and checksum), for NTRIP upload."""
        with self._lock:
            body = self._last_gga
        if body is None:
            return None
        from importers.gnss.framing import nmea_checksum

        return f"${body}*{nmea_checksum(body.encode('ascii')):02X}\r\n"

    # ------------------------------------------------------------ corrections
    def record_rtcm(self, frames: list[bytes], crc_errors: int) -> None:
        """Count forwarded RTCM frames (and the stream's CRC error total)."""
        now = time.monotonic()
        with self._lock:
            for fr in frames:
                self._rtcm_types[message_type(fr)] += 1
                self._rtcm["bytes"] += len(fr)
            self._rtcm["frames"] += len(frames)
            self._rtcm["crc_errors"] = crc_errors
            if frames:
                self._rtcm_last = now
            self._bump()
        self._notify([])

    def set_ntrip(self, **fields) -> None:
        """Update NTRIP fields: state, mountpoint, version, reconnects, error."""
        unknown = set(fields) - set(self._ntrip)
        if unknown:
            raise KeyError(f"unknown NTRIP status fields {sorted(unknown)}")
        if "state" in fields and fields["state"] not in NTRIP_STATES:
            raise ValueError(f"NTRIP state {fields['state']!r}")
        with self._lock:
            self._ntrip.update(fields)
            self._bump()
        self._notify([])

    def correction_age(self) -> float | None:
        """Seconds since the last RTCM frame was forwarded (None if none yet)."""
        with self._lock:
            last = self._rtcm_last
        return None if last is None else time.monotonic() - last

    # ---------------------------------------------------------------- reading
    def latest_epoch(self) -> Epoch | None:
        """The newest epoch with a position sentence (may still be filling)."""
        with self._lock:
            return self._latest

    def data_rate_hz(self) -> float:
        """Position epochs per second over the last few seconds."""
        with self._lock:
            times = list(self._epoch_times)
        if len(times) < 2 or times[-1] <= times[0]:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    def sky(self) -> list[SkySat]:
        """Satellites in view (from GSV) with az/el/SNR and whether they are used (from GSA)."""
        with self._lock:
            return [SkySat(name, prn, el, az, snr, prn in self._used.get(name, ()))
                    for name, sats in self._sky.items() for prn, (el, az, snr) in sorted(sats.items())]

    def start_occupation(self) -> None:
        """Clear the position scatter (a new occupation begins)."""
        with self._lock:
            self._scatter.clear()
            self._bump()

    def scatter(self) -> list[tuple[float, float, str]]:
        """(lat, lon, fix) of the epochs since :meth:`start_occupation`."""
        with self._lock:
            return list(self._scatter)

    def snapshot(self) -> dict:
        """The status as the CLI's JSON document (CLI.md `gnss status --json`)."""
        age = self.correction_age()
        with self._lock:
            ep = self._latest
            used = self._used_counts()
            total = sum(used.values()) if used else (ep.sats_used if ep is not None else None)
            return {
                "fix": ep.fix if ep is not None else "none",
                "fix_counts": dict(self._fix_counts),
                "position": {"lat": ep.lat if ep else None, "lon": ep.lon if ep else None,
                             "h_ell": ep.h_ell if ep else None, "frame": self.frame},
                "satellites_used": {"total": total, **used},
                "satellites_in_view": {name: len(sats) for name, sats in self._sky.items()},
                "hdop": ep.hdop if ep else None,
                "sigma_h": ep.sigma_h if ep else None,
                "sigma_v": ep.sigma_v if ep else None,
                "nmea": dict(self._nmea),
                "rtcm": {**self._rtcm, "types": {str(k): v for k, v in sorted(self._rtcm_types.items())},
                         "age_s": None if age is None else round(age, 3)},
                "ntrip": dict(self._ntrip),
            }

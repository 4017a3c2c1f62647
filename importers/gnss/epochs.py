"""Receiver epochs: one position fix with everything a survey record needs.

Sentences of one epoch share a UTC time (GGA, GNS, RMC, GST) or follow the
position without one (GSA).  :class:`EpochBuilder` gathers them and hands out
an :class:`Epoch` when the next epoch starts (or on :meth:`EpochBuilder.flush`).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field


@dataclass(slots=True)
class Epoch:
    """One receiver epoch (position geodetic in the receiver's / CORS frame)."""

    time: str                          # hhmmss.ss UTC as sent
    date: str | None = None            # ddmmyy from RMC
    lat: float | None = None
    lon: float | None = None
    h_ell: float | None = None
    fix: str = "none"
    sats_used: int | None = None
    sats_by_constellation: dict[str, int] = field(default_factory=dict)
    hdop: float | None = None
    pdop: float | None = None
    sigma_h: float | None = None
    sigma_v: float | None = None
    diff_age: float | None = None
    diff_station: str | None = None
    received: float = 0.0              # time.monotonic() when its position arrived

    @property
    def sats_total(self) -> int | None:
        """Satellites used: the sum over constellations (GSA) when known, else GGA's count."""
        return sum(self.sats_by_constellation.values()) if self.sats_by_constellation else self.sats_used

    @property
    def has_position(self) -> bool:
        """Whether the epoch carries a usable latitude and longitude."""
        return self.lat is not None and self.lon is not None and self.fix != "none"

    def utc(self) -> _dt.datetime | None:
        """UTC date-time when RMC gave the date, else None."""
        if not self.date or len(self.date) != 6 or len(self.time) < 6:
            return None
        try:
            day, month, year = int(self.date[:2]), int(self.date[2:4]), 2000 + int(self.date[4:])
            secs = float(self.time[4:])
            base = _dt.datetime(year, month, day, int(self.time[:2]), int(self.time[2:4]),
                                tzinfo=_dt.timezone.utc)
        except ValueError:
            return None
        return base + _dt.timedelta(seconds=secs)


class EpochBuilder:
    """Collects the sentences of the current epoch; returns the finished one when time moves on."""

    def __init__(self) -> None:
        self.current: Epoch | None = None
        self.last_date: str | None = None

    def at(self, time: str) -> tuple[Epoch, Epoch | None]:
        """The epoch for ``time`` (new if time moved on) and the one it finished, if any."""
        cur = self.current
        if cur is not None and cur.time == time:
            return cur, None
        self.current = Epoch(time=time, date=self.last_date)
        return self.current, cur

    def flush(self) -> Epoch | None:
        """Finish the current epoch (end of stream)."""
        cur, self.current = self.current, None
        return cur

"""NTRIP sourcetables: parsing STR/CAS/NET records and ranking mountpoints by distance."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

_EARTH_R = 6371008.8


@dataclass(frozen=True)
class Stream:
    """One STR record (a mountpoint)."""

    mountpoint: str
    identifier: str = ""
    format: str = ""
    format_details: str = ""
    carrier: str = ""
    nav_system: str = ""
    network: str = ""
    country: str = ""
    lat: float | None = None
    lon: float | None = None
    nmea: bool = False              # the caster wants GGA from the client (VRS / nearest base)
    solution: str = ""              # 0 single base, 1 network
    authentication: str = ""
    fee: str = ""
    bitrate: str = ""

    def distance_km(self, lat: float, lon: float) -> float | None:
        """Great-circle distance from (lat, lon) to the mountpoint's position, km."""
        if self.lat is None or self.lon is None:
            return None
        p1, p2 = math.radians(lat), math.radians(self.lat)
        dp, dl = p2 - p1, math.radians(self.lon - lon)
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * _EARTH_R * math.asin(min(1.0, math.sqrt(a))) / 1000.0


@dataclass
class Sourcetable:
    """A parsed sourcetable: streams, casters and networks (raw records kept)."""

    streams: list[Stream] = field(default_factory=list)
    casters: list[list[str]] = field(default_factory=list)
    networks: list[list[str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def find(self, mountpoint: str) -> Stream | None:
        """The stream called ``mountpoint`` (case-sensitive, as NTRIP is)."""
        return next((s for s in self.streams if s.mountpoint == mountpoint), None)

    def by_distance(self, lat: float, lon: float) -> list[tuple[Stream, float | None]]:
        """Streams with their distance from (lat, lon), nearest first (unknown positions last)."""
        pairs = [(s, s.distance_km(lat, lon)) for s in self.streams]
        return sorted(pairs, key=lambda p: (p[1] is None, p[1] or 0.0))


def _num(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_sourcetable(text: str) -> Sourcetable:
    """Parse the body of a sourcetable response (up to ENDSOURCETABLE)."""
    table = Sourcetable()
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("ENDSOURCETABLE"):
            break
        rec = line.split(";")
        kind = rec[0]
        if kind == "STR":
            if len(rec) < 2 or not rec[1]:
                table.problems.append(f"line {lineno}: STR record without a mountpoint")
                continue
            f = rec + [""] * (19 - len(rec))
            table.streams.append(Stream(f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], _num(f[9]),
                                        _num(f[10]), f[11].strip() == "1", f[12], f[15], f[16], f[17]))
        elif kind == "CAS":
            table.casters.append(rec[1:])
        elif kind == "NET":
            table.networks.append(rec[1:])
        else:
            table.problems.append(f"line {lineno}: unknown record type {kind[:10]!r}")
    return table

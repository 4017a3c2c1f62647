"""Decoding the NMEA 0183 (up to 4.11) sentences a survey needs: GGA GNS RMC GSA GSV GST.

Input is a checksum-checked sentence body split on commas (see framing.py).
Each ``parse_*`` returns a small record or raises ValueError for a malformed
field; empty fields become None.
"""
from __future__ import annotations

from dataclasses import dataclass

# GGA quality 0-8 -> fix name (CLI.md).
FIX_NAMES = ("none", "single", "dgps", "pps", "rtk_fixed", "rtk_float", "estimated", "manual", "simulation")
# GNS / RMC mode characters -> fix name.
MODE_FIX = {"N": "none", "A": "single", "D": "dgps", "P": "pps", "R": "rtk_fixed", "F": "rtk_float",
            "E": "estimated", "M": "manual", "S": "simulation"}
# Rank used to pick the best fix among several GNS mode characters and for --require.
FIX_RANK = {"none": 0, "estimated": 1, "manual": 1, "simulation": 1, "single": 2, "pps": 3, "dgps": 3,
            "rtk_float": 4, "rtk_fixed": 5}


def _float(text: str) -> float | None:
    return float(text) if text else None


def _int(text: str) -> int | None:
    return int(text) if text else None


def _coord(value: str, hemi: str) -> float | None:
    """ddmm.mmmm / dddmm.mmmm with hemisphere -> signed decimal degrees."""
    if not value:
        return None
    raw = float(value)
    deg = int(raw // 100)
    out = deg + (raw - deg * 100) / 60.0
    if hemi in ("S", "W"):
        return -out
    if hemi not in ("N", "E"):
        raise ValueError(f"hemisphere {hemi!r}")
    return out


@dataclass(frozen=True, slots=True)
class Position:
    """A position sentence (GGA or GNS): time, lat/lon, heights, fix, sats, HDOP, correction age."""

    time: str
    lat: float | None
    lon: float | None
    alt_msl: float | None
    geoid_sep: float | None
    fix: str
    sats_used: int | None
    hdop: float | None
    diff_age: float | None
    diff_station: str | None

    @property
    def h_ell(self) -> float | None:
        """Ellipsoidal height = height above the receiver's geoid + its geoid separation."""
        if self.alt_msl is None:
            return None
        return self.alt_msl + (self.geoid_sep or 0.0)


def parse_gga(f: list[str]) -> Position:
    """$--GGA: time, lat, N/S, lon, E/W, quality, sats, HDOP, alt, M, sep, M, age, station."""
    q = int(f[6]) if f[6] else 0
    if not 0 <= q < len(FIX_NAMES):
        raise ValueError(f"GGA quality {q}")
    return Position(f[1], _coord(f[2], f[3]), _coord(f[4], f[5]), _float(f[9]), _float(f[11]),
                    FIX_NAMES[q], _int(f[7]), _float(f[8]), _float(f[13]) if len(f) > 13 else None,
                    (f[14] or None) if len(f) > 14 else None)


def gns_fix(modes: str) -> str:
    """Best fix among a GNS mode string's characters (one per constellation)."""
    best = "none"
    for ch in modes:
        name = MODE_FIX.get(ch)
        if name is None:
            raise ValueError(f"GNS mode {ch!r}")
        if FIX_RANK[name] > FIX_RANK[best]:
            best = name
    return best


def parse_gns(f: list[str]) -> Position:
    """$--GNS: time, lat, N/S, lon, E/W, mode chars, sats, HDOP, alt, sep, age, station[, nav status]."""
    return Position(f[1], _coord(f[2], f[3]), _coord(f[4], f[5]), _float(f[9]), _float(f[10]),
                    gns_fix(f[6]), _int(f[7]), _float(f[8]), _float(f[11]) if len(f) > 11 else None,
                    (f[12] or None) if len(f) > 12 else None)


@dataclass(frozen=True, slots=True)
class Rmc:
    """$--RMC: time, validity, position, speed (knots), course, date (ddmmyy), mode."""

    time: str
    valid: bool
    lat: float | None
    lon: float | None
    speed_kn: float | None
    course: float | None
    date: str
    mode: str | None


def parse_rmc(f: list[str]) -> Rmc:
    """Decode RMC fields."""
    return Rmc(f[1], f[2] == "A", _coord(f[3], f[4]), _coord(f[5], f[6]), _float(f[7]), _float(f[8]),
               f[9], (f[12] or None) if len(f) > 12 else None)


@dataclass(frozen=True, slots=True)
class Gsa:
    """$--GSA: PRNs used, PDOP/HDOP/VDOP, NMEA 4.10 system id (None before 4.10)."""

    prns: tuple[int, ...]
    pdop: float | None
    hdop: float | None
    vdop: float | None
    system_id: int | None


def parse_gsa(f: list[str]) -> Gsa:
    """Decode GSA fields (a non-integer 18th field, as some BD receivers write, is not a system id)."""
    prns = tuple(int(p) for p in f[3:15] if p)
    system_id = int(f[18]) if len(f) > 18 and f[18].isdigit() else None
    return Gsa(prns, _float(f[15]), _float(f[16]), _float(f[17]), system_id)


@dataclass(frozen=True, slots=True)
class Gsv:
    """One $--GSV sentence: message n of total, sats in view, (prn, elev, azim, snr) per satellite."""

    total: int
    number: int
    in_view: int
    sats: tuple[tuple[int, int | None, int | None, int | None], ...]
    signal_id: str | None


def parse_gsv(f: list[str]) -> Gsv:
    """Decode GSV fields; NMEA 4.10 adds a signal id after the satellite blocks."""
    n_blocks, extra = divmod(len(f) - 4, 4)
    sats = tuple((int(f[i]), _int(f[i + 1]), _int(f[i + 2]), _int(f[i + 3]))
                 for i in range(4, 4 + 4 * n_blocks, 4) if f[i])
    signal = f[-1] if extra == 1 and f[-1] else None
    return Gsv(int(f[1]), int(f[2]), int(f[3]), sats, signal)


@dataclass(frozen=True, slots=True)
class Gst:
    """$--GST: 1-sigma errors (m) of latitude, longitude and altitude."""

    time: str
    std_lat: float | None
    std_lon: float | None
    std_alt: float | None

    @property
    def sigma_h(self) -> float | None:
        """Horizontal sigma: root of the summed latitude and longitude variances."""
        if self.std_lat is None or self.std_lon is None:
            return None
        return (self.std_lat ** 2 + self.std_lon ** 2) ** 0.5


def parse_gst(f: list[str]) -> Gst:
    """Decode GST fields."""
    return Gst(f[1], _float(f[6]), _float(f[7]), _float(f[8]))


PARSERS = {"GGA": parse_gga, "GNS": parse_gns, "RMC": parse_rmc, "GSA": parse_gsa, "GSV": parse_gsv,
           "GST": parse_gst}

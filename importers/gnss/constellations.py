"""Which constellation a satellite belongs to, from NMEA talker, system id or PRN.

Names are the keys of the CLI JSON: GPS, GLONASS, Galileo, BDS, QZSS, NavIC, SBAS.
"""
from __future__ import annotations

GPS, GLONASS, GALILEO, BDS, QZSS, NAVIC, SBAS = "GPS", "GLONASS", "Galileo", "BDS", "QZSS", "NavIC", "SBAS"
CONSTELLATIONS = (GPS, GLONASS, GALILEO, BDS, QZSS, NAVIC, SBAS)

# Talker ids that name one constellation (BD is BeiDou's legacy talker, GB the NMEA 4.10 one).
TALKERS = {"GP": GPS, "GL": GLONASS, "GA": GALILEO, "GB": BDS, "BD": BDS, "GQ": QZSS, "QZ": QZSS,
           "GI": NAVIC}

# NMEA 4.10+ GSA/GSV system id field.
SYSTEM_IDS = {1: GPS, 2: GLONASS, 3: GALILEO, 4: BDS, 5: QZSS, 6: NAVIC}

# Extended PRN numbering used on mixed (GN) sentences: (first, last, constellation).
_PRN_RANGES = ((1, 32, GPS), (33, 64, SBAS), (65, 96, GLONASS), (120, 158, SBAS), (193, 200, QZSS),
               (201, 264, BDS), (301, 336, GALILEO), (401, 437, BDS))


def from_prn(prn: int) -> str | None:
    """Constellation of an extended (mixed-talker) PRN number, None if unknown."""
    for first, last, name in _PRN_RANGES:
        if first <= prn <= last:
            return name
    return None


def classify(talker: str, prn: int, system_id: int | None = None) -> str | None:
    """Constellation of one satellite: system id first, then talker, then PRN range.

    A GPS talker listing PRNs 33-64 is reporting SBAS satellites.
    """
    if system_id in SYSTEM_IDS:
        name = SYSTEM_IDS[system_id]
    else:
        name = TALKERS.get(talker)
    if name is None:
        return from_prn(prn)
    if name == GPS and 33 <= prn <= 64:
        return SBAS
    return name

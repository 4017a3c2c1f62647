"""Colours of findings by severity (report markers, table cells, legends)."""
from __future__ import annotations

SEVERITY_COLOURS = {
    "critical": (215, 25, 28),
    "major": (253, 141, 60),
    "minor": (255, 221, 51),
    "info": (49, 130, 189),
}
"""RGB fill per severity; markers get a dark outline so they stand out from utility colours."""

SEVERITY_TEXT = {"critical": "#ffffff", "major": "#000000", "minor": "#000000", "info": "#ffffff"}
"""Text colour readable on each severity's fill."""

MARKER_OUTLINE = (20, 20, 20)

CONFIDENCE_BADGE = {
    "verified": None,
    "single-source": ("#fff4ce", "#7a5a00"),
    "disputed": ("#fde0dd", "#a50f15"),
    "unverified": ("#fde0dd", "#a50f15"),
    None: ("#e8e8e8", "#333333"),
}
"""(background, text) of the badge marking a finding whose rule is not verified; None: no badge."""


def hex_colour(rgb: tuple[int, int, int]) -> str:
    """#rrggbb of an RGB triple."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)

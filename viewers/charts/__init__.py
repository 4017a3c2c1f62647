"""Section and profile charts on any QPainter device (QImage -> PNG, QPdfWriter -> PDF, a widget).

Data come from ``gis.cuts`` (headless); this package only draws them.
"""

"""Section and profile charts on any QPainter device (QImage -> PNG, QPdfWriter -> PDF, a widget).

The data come from ``gis.cuts`` (headless); this package only draws them.

- ``export.draw_chart(painter, rect, result, style, kind)`` -> ``Drawn``: the
  one drawing routine (a panel's paintEvent calls it; ``Drawn.frame`` maps
  device points to chainage/elevation, ``Drawn.pick(x, y)`` finds a feature).
- ``export.export_chart(result, path, style, kind, size, paper)``: PNG, PDF or CSV.
- ``draw.ChartStyle``: language, vertical exaggeration, font size, parts shown.
- ``output.ensure_app`` / ``render_image`` / ``save_png`` / ``save_pdf``: Qt
  output with no display (offscreen platform).
- ``layout``: Qt-free frame mapping, ticks and label placement.
"""

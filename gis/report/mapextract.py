"""The map extract: the area around a run's findings, rendered as a top view, with severity markers.

Rendering needs VTK, so it is a function handed in by the caller
(``viewers.report_output.render_map``); this module chooses the area and
draws the markers onto the returned pixels (Pillow), knowing the top view's
geometry: the bbox fills the image width exactly, square pixels, centred on
the bbox centre (CLI.md ``subterra render --view top``).
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gis.analysis.findings import SEVERITY_ORDER
from gis.errors import SubterraError
from gis.report.model import MapExtract
from gis.report.style import MARKER_OUTLINE, SEVERITY_COLOURS
from gis.report.text import LABELS, T

MARGIN = 0.12            # share of the findings' extent added on each side
MIN_EXTENT_M = 40.0      # smallest area shown (m), so one finding still shows its surroundings
MARKER_RADIUS = 9        # pixels
SEVERITIES = list(SEVERITY_ORDER)


@dataclass(frozen=True)
class MapRequest:
    """What the renderer is asked for: a top view of ``bbox`` at ``size`` pixels."""

    bbox: tuple[float, float, float, float]
    size: tuple[int, int]
    include_sensitive: bool


MapRenderer = Callable[[object, MapRequest], np.ndarray]
"""(project, request) -> (h, w, 3) uint8 pixels of the top view."""


def severity_codes(severity) -> np.ndarray:
    """0 critical .. 3 info per finding (unknown severities count as info)."""
    codes = pd.Categorical(pd.Series(severity, dtype=object), categories=SEVERITIES).codes.astype(np.int64)
    return np.where(codes < 0, SEVERITY_ORDER["info"], codes)


def extent(x: np.ndarray, y: np.ndarray, size: tuple[int, int], margin: float = MARGIN,
           min_extent: float = MIN_EXTENT_M) -> tuple[float, float, float, float]:
    """A bbox around the points plus a margin, at least ``min_extent`` wide, with the image's aspect."""
    x0, x1, y0, y1 = float(np.min(x)), float(np.max(x)), float(np.min(y)), float(np.max(y))
    w = max(x1 - x0, min_extent) * (1 + 2 * margin)
    h = max(y1 - y0, min_extent) * (1 + 2 * margin)
    aspect = size[0] / size[1]
    w, h = max(w, h * aspect), max(h, w / aspect)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def to_pixels(x, y, bbox, size) -> tuple[np.ndarray, np.ndarray]:
    """Image coordinates (column, row; row 0 at the top) of map points in a top view of ``bbox``."""
    scale = size[0] / (bbox[2] - bbox[0])
    cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
    return ((np.asarray(x, float) - cx) * scale + size[0] / 2,
            size[1] / 2 - (np.asarray(y, float) - cy) * scale)


def draw_markers(pixels: np.ndarray, bbox, x, y, codes: np.ndarray,
                 radius: int = MARKER_RADIUS) -> tuple[np.ndarray, dict[str, int]]:
    """Pixels with one marker per finding (worst severity on top), and findings drawn per severity.

    Findings closer than a marker radius share one marker, coloured by the
    worst of them, so a million findings draw as fast as the image allows.
    """
    from PIL import Image, ImageDraw

    h, w = pixels.shape[:2]
    px, py = to_pixels(x, y, bbox, (w, h))
    inside = (px >= -radius) & (px < w + radius) & (py >= -radius) & (py < h + radius)
    px, py, codes = px[inside], py[inside], codes[inside]
    counts = {s: int((codes == i).sum()) for i, s in enumerate(SEVERITIES)}
    cols = w // radius + 3
    cell = (np.floor(py / radius).astype(np.int64) + 1) * cols + np.floor(px / radius).astype(np.int64) + 1
    order = np.lexsort((codes, cell))
    first = order[np.concatenate([[True], cell[order][1:] != cell[order][:-1]])] if len(order) else order
    img = Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8))
    draw = ImageDraw.Draw(img)
    for code in range(len(SEVERITIES) - 1, -1, -1):            # least severe first, critical on top
        fill = SEVERITY_COLOURS[SEVERITIES[code]]
        for cx, cy in zip(px[first][codes[first] == code], py[first][codes[first] == code]):
            draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=fill,
                         outline=MARKER_OUTLINE, width=2)
    return np.asarray(img), counts


def encode_png(pixels: np.ndarray) -> bytes:
    """PNG bytes of (h, w, 3) uint8 pixels."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8)).save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def map_extract(project, findings: pd.DataFrame, size: tuple[int, int], include_sensitive: bool,
                render: MapRenderer | None) -> MapExtract:
    """The map extract of ``findings`` (rows without a location, e.g. withheld ones, are not drawn)."""
    x = pd.to_numeric(findings["x"], errors="coerce").to_numpy(float) if len(findings) else np.zeros(0)
    y = pd.to_numeric(findings["y"], errors="coerce").to_numpy(float) if len(findings) else np.zeros(0)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return MapExtract(None, None, size, missing=LABELS["map_no_points"])
    x, y = x[ok], y[ok]
    bbox = extent(x, y, size)
    if render is None:
        return MapExtract(None, bbox, size, missing=T("未提供地图渲染器", "no map renderer given"))
    try:
        pixels = render(project, MapRequest(bbox, size, include_sensitive))
    except SubterraError as exc:
        return MapExtract(None, bbox, size, missing=T(str(exc), str(exc)))
    pixels, counts = draw_markers(pixels, bbox, x, y, severity_codes(findings["severity"].to_numpy()[ok]))
    return MapExtract(encode_png(pixels), bbox, size, counts)

"""The style registry: colours, opacities, widths and shading of every drawn layer.

One registry for the 3D view, the 2D map and ``subterra render``.  Pipe
colours come from the utility registry (CJJ 61-2017, gis.utilities); the
other layers carry their own colour here, optionally per ``kind``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gis.utilities import colour as utility_colour

RGB = tuple[int, int, int]

UNKNOWN_UTILITY_RGB: RGB = (102, 0, 204)     # CJJ 61 不明 (unknown)
SELECTION_RGB: RGB = (255, 200, 0)
GROUND_RGB: RGB = (156, 136, 104)
BACKGROUND_RGB = {"map": (255, 255, 255), "shaded": (226, 232, 238)}


@dataclass(frozen=True)
class Shading:
    """How surfaces are lit: ``map`` is unlit (exact map colours), ``shaded`` is 3D lighting."""

    lighting: bool
    ambient: float = 0.0
    diffuse: float = 1.0
    specular: float = 0.0


SHADING = {
    "map": Shading(lighting=False),
    "shaded": Shading(lighting=True, ambient=0.35, diffuse=0.7, specular=0.05),
}


@dataclass(frozen=True)
class LayerStyle:
    """How one layer is drawn.

    ``colour_by`` is "utility" (per-feature CJJ colour), "kind" (``kind_rgb``
    by the feature's ``kind`` field) or None (``rgb`` for every feature).
    ``line_width`` / ``point_size`` (pixels) draw centre lines and well
    markers so thin features stay visible at any scale; ``sides`` is the
    number of facets of round sections.
    """

    rgb: RGB
    opacity: float = 1.0
    colour_by: str | None = None
    kind_rgb: dict[str, RGB] = field(default_factory=dict)
    line_width: float = 2.0
    point_size: float = 4.0
    sides: int = 12
    spheres: bool = False          # draw points as shaded round sprites (markers)


STYLES: dict[str, LayerStyle] = {
    "pipe_segments": LayerStyle((0, 0, 0), colour_by="utility", line_width=2.0, sides=8),
    "pipe_points": LayerStyle((90, 90, 90), colour_by="utility", point_size=4.0, sides=12),
    "metro_tunnels": LayerStyle((0, 90, 170), line_width=3.0, sides=16),
    "metro_stations": LayerStyle((30, 120, 200), colour_by="kind", kind_rgb={
        "entrance": (80, 160, 230), "vent_shaft": (110, 150, 190), "substation": (60, 100, 150)}),
    "civil_defense_works": LayerStyle((200, 60, 60), colour_by="kind", kind_rgb={
        "指挥所": (170, 30, 30), "医疗救护": (220, 90, 120), "物资库": (180, 110, 60)}),
    "structures": LayerStyle((150, 150, 150), colour_by="kind", kind_rgb={
        "basement": (140, 140, 150), "utility_tunnel": (60, 60, 60), "pier": (170, 160, 140),
        "pile": (170, 160, 140), "culvert": (76, 57, 38)}),
}

GROUND = LayerStyle(GROUND_RGB, opacity=0.3, line_width=2.0)
"""The terrain surface; its opacity is the default ground opacity of the views."""

FINDINGS = LayerStyle((49, 130, 189), point_size=12.0, spheres=True)
"""Findings of risk checks: one marker per finding, coloured by severity (viewers.scene.findings)."""

HIGHLIGHT = LayerStyle(SELECTION_RGB, line_width=5.0, point_size=16.0, spheres=True)
"""Several features highlighted at once (a finding's pair, a trace, valves to close): flat, in front."""


def style(layer: str) -> LayerStyle:
    """The style of ``layer`` ("terrain" is the ground)."""
    if layer == "terrain":
        return GROUND
    return STYLES[layer]


def feature_colours(layer: str, gdf) -> np.ndarray:
    """(n, 3) uint8 colour of every row of ``gdf`` (a GeoDataFrame or any frame with columns) drawn in ``layer``."""
    st = style(layer)
    out = np.empty((len(gdf), 3), dtype=np.uint8)
    out[:] = st.rgb
    if st.colour_by == "utility" and "utility" in gdf.columns:
        code, codes = _factorized(gdf, "utility")
        sub, subs = _factorized(gdf, "subtype")
        uniq, inverse = _dense_unique(code * len(subs) + sub)
        table = np.array([_utility_rgb(codes[k // len(subs)], subs[k % len(subs)]) for k in uniq],
                         dtype=np.uint8).reshape(-1, 3)
        out[:] = table[inverse.ravel()]
    elif st.colour_by == "kind" and "kind" in gdf.columns:
        kind, kinds = _factorized(gdf, "kind")
        for k, name in enumerate(kinds):
            if name in st.kind_rgb:
                out[kind == k] = st.kind_rgb[name]
    return out


def _dense_unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(values, return_inverse=True) of small non-negative integers, by counting (no sort)."""
    present = np.bincount(values) > 0 if len(values) else np.zeros(0, dtype=bool)
    return np.flatnonzero(present), (np.cumsum(present) - 1)[values]


def _factorized(gdf, name: str) -> tuple[np.ndarray, list[str]]:
    """(code per row, text of each code) of a text column; missing values and absent columns are ""."""
    import pandas as pd

    if name not in gdf.columns:
        return np.zeros(len(gdf), dtype=np.int64), [""]
    codes, uniques = pd.factorize(gdf[name], use_na_sentinel=False)
    texts = ["" if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else str(v)
             for v in np.asarray(uniques, dtype=object)]
    return codes.astype(np.int64), texts or [""]


def _utility_rgb(code: str, subtype: str) -> RGB:
    try:
        return utility_colour(code, subtype or None)
    except KeyError:
        try:
            return utility_colour(code)
        except KeyError:
            return UNKNOWN_UTILITY_RGB


def to_unit(rgb: RGB) -> tuple[float, float, float]:
    """0-255 RGB as VTK's 0-1 floats."""
    return rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0


def exaggeration_text(k: float) -> str:
    """The on-screen vertical exaggeration badge, e.g. "Z×5"."""
    return f"Z×{k:g}"

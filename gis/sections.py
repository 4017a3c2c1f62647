"""Cross-section geometry of pipes and duct banks: outside size and centre-line elevation.

DATA_MODEL.md: DN is the nominal inner size; outside = DN + 2 x wall, wall from
a material table where known, else 0 (reported).  Centre-line elevation is
``ground - depth - r_out`` for top-surveyed lines and ``ground - depth + DN/2``
for invert-surveyed gravity lines; rectangular sections use half the outside
(top) or inside (invert) height the same way.  All functions are vectorised.
"""
from __future__ import annotations

import numpy as np

from gis.utilities import DEPTH_CENTRE, DEPTH_INVERT, DEPTH_TOP, resolve

# Typical wall thickness by material: (fixed mm, fraction of DN).  wall = fixed + fraction * DN.
# Rough engineering figures for drawing and clearance (not a product standard);
# an explicit wall_mm on the segment always wins.
WALL_RULES: dict[str, tuple[float, float]] = {
    "钢筋混凝土": (0.0, 1 / 12), "混凝土": (0.0, 1 / 12), "RC": (0.0, 1 / 12), "concrete": (0.0, 1 / 12),
    "球墨铸铁": (5.0, 0.006), "ductile iron": (5.0, 0.006), "DI": (5.0, 0.006),
    "铸铁": (8.0, 0.008), "cast iron": (8.0, 0.008),
    "钢": (4.0, 0.01), "钢管": (4.0, 0.01), "steel": (4.0, 0.01),
    "PE": (0.0, 1 / 11), "HDPE": (0.0, 1 / 11), "聚乙烯": (0.0, 1 / 11),
    "PVC": (0.0, 1 / 30), "UPVC": (0.0, 1 / 30), "塑料": (0.0, 1 / 20),
    "砖": (240.0, 0.0), "砖石": (240.0, 0.0), "brick": (240.0, 0.0),
}


def wall_mm(material, dn_mm) -> np.ndarray:
    """Typical wall thickness (mm) by material; NaN where the material is unknown."""
    material = np.atleast_1d(np.asarray(material, dtype=object))
    dn = np.broadcast_to(np.atleast_1d(np.asarray(dn_mm, dtype=float)), material.shape)
    out = np.full(material.shape, np.nan)
    for name, (fixed, frac) in WALL_RULES.items():
        hit = material == name
        if hit.any():
            out[hit] = fixed + frac * np.nan_to_num(dn[hit])
    return out


def rect_sections(shape, width_mm, height_mm) -> np.ndarray:
    """Which rows are rectangular: shape "rect", or no shape given but width and height are."""
    w = np.atleast_1d(np.asarray(width_mm, dtype=float))
    h = np.atleast_1d(np.asarray(height_mm, dtype=float))
    shape = np.atleast_1d(np.asarray(shape, dtype=object))
    return (shape == "rect") | ((shape != "circle") & ~np.isnan(w) & ~np.isnan(h))


def outside_size(shape, diameter_mm, width_mm, height_mm, wall, material=None):
    """(outside width, outside height, inside height) in metres, and whether the wall was known.

    ``shape`` is "circle" or "rect" (missing: rect when width and height are
    given, else circle).  ``wall`` (mm) wins over the material table; unknown
    walls count as 0.
    """
    dn = np.atleast_1d(np.asarray(diameter_mm, dtype=float))
    n = dn.shape[0]
    w_in = np.broadcast_to(np.atleast_1d(np.asarray(width_mm, dtype=float)), (n,))
    h_in = np.broadcast_to(np.atleast_1d(np.asarray(height_mm, dtype=float)), (n,))
    shape = np.broadcast_to(np.atleast_1d(np.asarray(shape, dtype=object)), (n,))
    is_rect = rect_sections(shape, w_in, h_in)
    wall = np.broadcast_to(np.atleast_1d(np.asarray(wall, dtype=float)), (n,)).copy()
    if material is not None:
        size_for_wall = np.where(is_rect, np.fmax(w_in, h_in), dn)
        table = wall_mm(np.broadcast_to(np.atleast_1d(np.asarray(material, dtype=object)), (n,)), size_for_wall)
        wall = np.where(np.isnan(wall), table, wall)
    known = ~np.isnan(wall)
    wall = np.nan_to_num(wall)
    width = np.where(is_rect, w_in + 2 * wall, dn + 2 * wall) / 1000.0
    height = np.where(is_rect, h_in + 2 * wall, dn + 2 * wall) / 1000.0
    inner = np.where(is_rect, h_in, dn) / 1000.0
    return width, height, inner, known


def centre_elevation(ground, depth, depth_ref, inner_height_m, outer_height_m) -> np.ndarray:
    """Centre-line elevation from ground elevation and surveyed depth (metres).

    depth_ref per row: "top" (crown / top of duct bank), "invert" (inner
    bottom) or "centre".  Missing depth or ground gives NaN.
    """
    ground = np.asarray(ground, dtype=float)
    depth = np.asarray(depth, dtype=float)
    ref = np.broadcast_to(np.asarray(depth_ref, dtype=object), np.broadcast(ground, depth).shape)
    h_in = np.asarray(inner_height_m, dtype=float)
    h_out = np.asarray(outer_height_m, dtype=float)
    surface = ground - depth
    return np.select([ref == DEPTH_TOP, ref == DEPTH_INVERT, ref == DEPTH_CENTRE],
                     [surface - h_out / 2, surface + h_in / 2, surface], default=np.nan)


def default_depth_ref(utility_codes) -> np.ndarray:
    """The utility's default depth convention per row (DATA_MODEL.md); NaN-free strings."""
    codes = np.asarray(utility_codes, dtype=object)
    cache: dict[str, str] = {}
    out = np.empty(codes.shape, dtype=object)
    for i, code in enumerate(codes):
        if code not in cache:
            try:
                cache[code] = resolve(str(code))[0].depth_ref
            except KeyError:
                cache[code] = DEPTH_TOP
        out[i] = cache[code]
    return out


DEFAULT_TUNNEL_DIAMETER_M = 6.2   # shield tunnel whose outer diameter is not recorded


def tunnel_sections(section, outer_diameter_m, width_m, height_m):
    """(is_rect, width, height, size_known) of metro tunnels in metres.

    Box sections with a width and height are rectangles; everything else is
    round with its outer diameter (DEFAULT_TUNNEL_DIAMETER_M when missing).
    """
    d = np.asarray(outer_diameter_m, dtype=float)
    w = np.asarray(width_m, dtype=float)
    h = np.asarray(height_m, dtype=float)
    is_rect = (np.asarray(section, dtype=object) == "box") & (w > 0) & (h > 0)
    known = is_rect | (d > 0)
    d = np.where(d > 0, d, DEFAULT_TUNNEL_DIAMETER_M)
    return is_rect, np.where(is_rect, w, d), np.where(is_rect, h, d), known

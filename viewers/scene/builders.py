"""The scene-builder registry: layer -> builder of its merged mesh and its section.

Every builder turns one layer's GeoDataFrame into one :class:`MeshBuilder`
(one actor per layer, never one per feature), each cell tagged with its
feature's row.  ``build`` gives the 3D geometry in local coordinates;
``section`` the exact outline where a vertical cut meets the features, in
the (chainage, 0, elevation) plane.  Adding a drawable layer is adding an
entry to :data:`BUILDERS`.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

import numpy as np

from gis.layers import WELL_APPURTENANCES
from gis.sections import outside_size, rect_sections, tunnel_sections
from viewers import styles
from viewers.scene import geometry as geo
from viewers.scene.mesh import MeshBuilder

UNKNOWN_SIZE_M = 0.1           # drawn size of a segment whose size is not recorded
DEFAULT_WELL_DIAMETER_M = 1.0
_UP = np.array([0.0, 0.0, 1.0])
_TOWARDS_VIEWER = np.array([0.0, -1.0, 0.0])  # section views look along +y


def column(gdf, name: str, dtype=float) -> np.ndarray:
    """A column as a numpy array; all-missing when the frame lacks it."""
    if name in gdf.columns:
        if dtype is float:
            import pandas as pd
            return pd.to_numeric(gdf[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return gdf[name].to_numpy(dtype=object)
    return np.full(len(gdf), np.nan if dtype is float else None, dtype=dtype)


def add_outlines(mb: MeshBuilder, outlines: np.ndarray, rows: np.ndarray) -> None:
    """Add (h, P, 2) section outlines in (s, local z) as polygons facing the section camera."""
    if len(outlines) == 0:
        return
    outlines = geo.ccw(outlines)
    h, p, _ = outlines.shape
    pts = np.stack([outlines[..., 0], np.zeros((h, p)), outlines[..., 1]], axis=-1)
    mb.add(pts.reshape(-1, 3), _TOWARDS_VIEWER, polys=(np.arange(h * p).reshape(h, p), rows))


class LayerBuilder(ABC):
    """Builds one layer's mesh and section from a GeoDataFrame."""

    #: registry fields the builder reads (besides the id field and geometry)
    columns: tuple[str, ...] = ()

    @abstractmethod
    def build(self, layer: str, gdf, origin: np.ndarray) -> MeshBuilder:
        """The layer's 3D mesh in coordinates relative to ``origin``."""

    @abstractmethod
    def section(self, layer: str, gdf, origin: np.ndarray, legs: list[geo.CutLeg]) -> MeshBuilder:
        """Outlines cut by the section legs, in the (s, 0, local z) plane."""


class SweptBuilder(LayerBuilder):
    """Centre lines swept with round or rectangular sections (pipes, duct banks, tunnels).

    ``sizes(gdf)`` gives per row (is_rect, outside width m, outside height m).
    A thin centre line (``line_width`` px) keeps every feature visible at any scale.
    """

    def __init__(self, columns: tuple[str, ...],
                 sizes: Callable[[object], tuple[np.ndarray, np.ndarray, np.ndarray]]):
        self.columns = columns
        self._sizes = sizes

    def _pieces(self, gdf, origin):
        a, b, row = geo.line_segments(gdf.geometry.values)
        rect, w, h = self._sizes(gdf)
        return a - origin, b - origin, row, rect[row], w[row] / 2, h[row] / 2

    def _profiles(self, layer: str):
        return ((geo.circle_profile(styles.style(layer).sides), False), (geo.RECT, True))

    def build(self, layer, gdf, origin):
        mb = MeshBuilder()
        a, b, row, rect, hw, hh = self._pieces(gdf, origin)
        for profile, want_rect in self._profiles(layer):
            sel = rect == want_rect
            if sel.any():
                pts, nrm, quads = geo.swept_surface(a[sel], b[sel], hw[sel], hh[sel], profile)
                mb.add(pts, nrm, polys=(quads, np.repeat(row[sel], len(profile.faces))))
        m = len(a)
        if m:
            centre = np.stack([a, b], axis=1).reshape(-1, 3)
            mb.add(centre, _UP, lines=(np.arange(2 * m).reshape(m, 2), row))
        return mb

    def section(self, layer, gdf, origin, legs):
        mb = MeshBuilder()
        a, b, row, rect, hw, hh = self._pieces(gdf, origin)
        for leg in legs:
            for profile, want_rect in self._profiles(layer):
                sel = np.flatnonzero(rect == want_rect)
                hit, outlines = geo.swept_section(a[sel], b[sel], hw[sel], hh[sel], profile, leg)
                add_outlines(mb, outlines, row[sel][hit])
        return mb


def pipe_sizes(gdf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(is_rect, outside width, outside height) of pipe segments (gis.sections.outside_size)."""
    shape = column(gdf, "shape", object)
    w_mm, h_mm = column(gdf, "width_mm"), column(gdf, "height_mm")
    width, height, _, _ = outside_size(shape, column(gdf, "diameter_mm"), w_mm, h_mm,
                                       column(gdf, "wall_mm"), column(gdf, "material", object))
    unknown = ~(width > 0) | ~(height > 0)
    width = np.where(unknown, UNKNOWN_SIZE_M, width)
    height = np.where(unknown, UNKNOWN_SIZE_M, height)
    return rect_sections(shape, w_mm, h_mm), width, height


def tunnel_sizes(gdf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(is_rect, width, height) of metro tunnels: box sections are width x height, others round."""
    rect, width, height, _ = tunnel_sections(column(gdf, "section", object), column(gdf, "outer_diameter_m"),
                                             column(gdf, "width_m"), column(gdf, "height_m"))
    return rect, width, height


class WellBuilder(LayerBuilder):
    """Manholes and valve chambers of pipe_points: cylinders from the ground (point Z) down well_depth.

    Points that are not wells, or have no well depth, are not drawn.
    """

    columns = ("utility", "subtype", "appurtenance", "well_depth", "well_diameter_mm")

    def _wells(self, gdf, origin):
        depth = column(gdf, "well_depth")
        rows = np.flatnonzero(np.isin(column(gdf, "appurtenance", object), WELL_APPURTENANCES) & (depth > 0))
        import shapely

        xyz = shapely.get_coordinates(gdf.geometry.values[rows], include_z=True) - origin
        diameter = column(gdf, "well_diameter_mm")[rows] / 1000.0
        radius = np.where(diameter > 0, diameter, DEFAULT_WELL_DIAMETER_M) / 2
        return rows, xyz, xyz[:, 2] - depth[rows], radius

    def build(self, layer, gdf, origin):
        mb = MeshBuilder()
        rows, xyz, bottom, radius = self._wells(gdf, origin)
        if len(rows):
            sides = styles.style(layer).sides
            c = geo.cylinders(xyz, xyz[:, 2], bottom, radius, sides)
            mb.add(c["points"], c["normals"], verts=(c["marker"], rows),
                   polys=[(c["quads"], np.repeat(rows, sides)), (c["caps"], np.repeat(rows, 2))])
        return mb

    def section(self, layer, gdf, origin, legs):
        mb = MeshBuilder()
        rows, xyz, bottom, radius = self._wells(gdf, origin)
        for leg in legs:
            hit, rects = geo.cylinder_section(xyz, xyz[:, 2], bottom, radius, leg)
            add_outlines(mb, rects, rows[hit])
        return mb


class VolumeBuilder(LayerBuilder):
    """Polygons extruded from their top (polygon Z) down to ``bottom_elev``.

    A feature without ``bottom_elev`` is drawn as its top face only.
    """

    columns = ("kind", "top_elev", "bottom_elev")

    def _levels(self, gdf):
        import shapely

        xyz, idx = shapely.get_coordinates(gdf.geometry.values, include_z=True, return_index=True)
        top = np.full(len(gdf), -np.inf)
        np.maximum.at(top, idx, xyz[:, 2])
        top = np.where(np.isfinite(top), top, column(gdf, "top_elev"))
        bottom = column(gdf, "bottom_elev")
        return top, np.where(np.isnan(bottom), top, bottom)

    def build(self, layer, gdf, origin):
        mb = MeshBuilder()
        top, bottom = self._levels(gdf)
        ok = np.isfinite(top)
        if ok.any():
            rows = np.flatnonzero(ok)
            p = geo.prisms(gdf.geometry.values[rows], top[rows], bottom[rows], origin)
            mb.add(p["points"], p["normals"], polys=[(p["triangles"], rows[p["tri_row"]]),
                                                    (p["quads"], rows[p["quad_row"]])])
        return mb

    def section(self, layer, gdf, origin, legs):
        mb = MeshBuilder()
        top, bottom = self._levels(gdf)
        rows = np.flatnonzero(np.isfinite(top))
        for leg in legs:
            hit, rects = geo.prism_section(gdf.geometry.values[rows], top[rows] - origin[2],
                                           bottom[rows] - origin[2], leg)
            add_outlines(mb, rects, rows[hit])
        return mb


BUILDERS: dict[str, LayerBuilder] = {
    "pipe_segments": SweptBuilder(("utility", "subtype", "shape", "diameter_mm", "width_mm", "height_mm",
                                   "wall_mm", "material"), pipe_sizes),
    "pipe_points": WellBuilder(),
    "metro_tunnels": SweptBuilder(("section", "outer_diameter_m", "width_m", "height_m"), tunnel_sizes),
    "metro_stations": VolumeBuilder(),
    "civil_defense_works": VolumeBuilder(),
    "structures": VolumeBuilder(),
}
"""Drawable layers in drawing order, each with its builder."""

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
from dataclasses import dataclass, fields

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
        return gdf[name].to_numpy(dtype=object, na_value=None)
    return np.full(len(gdf), np.nan if dtype is float else None, dtype=dtype)


def per_combination(gdf, names: tuple[str, ...], fn: Callable[[object], tuple[np.ndarray, ...]]):
    """``fn(frame)`` (a tuple of per-row arrays) computed once per distinct combination of the
    columns ``names`` and spread back to every row (a million pipes have a few hundred sizes)."""
    import pandas as pd

    present = [n for n in names if n in gdf.columns]
    if not present or len(gdf) == 0:
        return fn(gdf)
    key = np.zeros(len(gdf), dtype=np.int64)
    for name in present:
        codes, uniques = pd.factorize(gdf[name], use_na_sentinel=False)
        if int(key.max(initial=0)) + 1 > (1 << 62) // (len(uniques) + 1):
            key = np.unique(key, return_inverse=True)[1].ravel().astype(np.int64)
        key = key * (len(uniques) + 1) + codes
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    sub = pd.DataFrame({n: gdf[n].iloc[first].reset_index(drop=True) for n in present})
    return tuple(np.asarray(v)[inverse.ravel()] for v in fn(sub))


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

    def build(self, layer: str, gdf, origin: np.ndarray) -> MeshBuilder:
        """The layer's 3D mesh in coordinates relative to ``origin``: the exact mesh of all its parts."""
        return self.mesh(layer, self.parts(gdf, origin))

    @abstractmethod
    def section(self, layer: str, gdf, origin: np.ndarray, legs: list[geo.CutLeg]) -> MeshBuilder:
        """Outlines cut by the section legs, in the (s, 0, local z) plane."""

    #: levels of detail of coarse tiles, finest first (viewers.scene.tiled)
    coarse_levels: tuple[str, ...] = ()

    def parts(self, gdf, origin: np.ndarray) -> "Parts | None":
        """Per-item arrays for level-of-detail tiling (viewers.scene.tiled); None: drawn whole."""
        return None

    def cells(self, layer: str, parts: "Parts") -> np.ndarray:
        """Cells the exact mesh of each part takes (budgets of the level-of-detail choice)."""
        raise NotImplementedError(f"{type(self).__name__} has no parts")

    def mesh(self, layer: str, parts: "Parts") -> MeshBuilder:
        """The exact mesh of some of the layer's ``parts`` (what ``build`` draws for all)."""
        raise NotImplementedError(f"{type(self).__name__} has no parts")

    def sketch(self, layer: str, parts: "Parts") -> MeshBuilder:
        """A light, still exact stand-in of ``parts`` for middle distances (centre lines, markers)."""
        raise NotImplementedError(f"{type(self).__name__} has no parts")


@dataclass
class Parts:
    """Per-item arrays of one layer's drawable parts (each item tagged with its feature ``row``)."""

    row: np.ndarray

    def take(self, sel) -> "Parts":
        """The items ``sel`` (index or mask)."""
        return type(self)(**{f.name: getattr(self, f.name)[sel] for f in fields(self)})

    def __len__(self) -> int:
        return len(self.row)


@dataclass
class SweptPieces(Parts):
    """Straight centre-line pieces a -> b (local coordinates) with their section half-sizes."""

    a: np.ndarray
    b: np.ndarray
    rect: np.ndarray
    half_w: np.ndarray
    half_h: np.ndarray

    def lean(self) -> "SweptPieces":
        """The same pieces in float32 / int32 (a quarter of the memory of float64 objects)."""
        return SweptPieces(self.row.astype(np.int32), self.a.astype(np.float32), self.b.astype(np.float32),
                           self.rect.astype(bool), self.half_w.astype(np.float32), self.half_h.astype(np.float32))

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(low (m,3), high (m,3)) corners of each piece's swept box."""
        r = np.maximum(self.half_w, self.half_h)[:, None]
        return np.minimum(self.a, self.b) - r, np.maximum(self.a, self.b) + r


class SweptBuilder(LayerBuilder):
    """Centre lines swept with round or rectangular sections (pipes, duct banks, tunnels).

    ``sizes(gdf)`` gives per row (is_rect, outside width m, outside height m).
    A thin centre line (``line_width`` px) keeps every feature visible at any scale.
    """

    coarse_levels = ("mid", "far", "overview")

    def __init__(self, columns: tuple[str, ...],
                 sizes: Callable[[object], tuple[np.ndarray, np.ndarray, np.ndarray]]):
        self.columns = columns
        self._sizes = sizes

    def parts(self, gdf, origin) -> SweptPieces:
        """The layer's straight pieces, relative to ``origin``."""
        a, b, row = geo.frame_segments(gdf)
        rect, w, h = self._sizes(gdf)
        return SweptPieces(row, a - origin, b - origin, rect[row], w[row] / 2, h[row] / 2)

    def _profiles(self, layer: str):
        return ((geo.circle_profile(styles.style(layer).sides), False), (geo.RECT, True))

    def mesh(self, layer: str, p: SweptPieces, lines: bool = True) -> MeshBuilder:
        """Swept surfaces of the pieces ``p`` (plus their centre lines when ``lines``)."""
        mb = MeshBuilder()
        a, b = p.a.astype(np.float64), p.b.astype(np.float64)
        for profile, want_rect in self._profiles(layer):
            sel = p.rect == want_rect
            if sel.any():
                pts, nrm, quads = geo.swept_surface(a[sel], b[sel], p.half_w[sel].astype(np.float64),
                                                    p.half_h[sel].astype(np.float64), profile)
                mb.add(pts, nrm, polys=(quads, np.repeat(p.row[sel], len(profile.faces))))
        if lines:
            add_lines(mb, a, b, p.row)
        return mb

    def cells(self, layer, p):
        return np.where(p.rect, 4, styles.style(layer).sides) + 1

    def sketch(self, layer, p):
        mb = MeshBuilder()
        add_lines(mb, p.a.astype(np.float64), p.b.astype(np.float64), p.row)
        return mb

    def section(self, layer, gdf, origin, legs):
        mb = MeshBuilder()
        p = self.parts(gdf, origin)
        for leg in legs:
            for profile, want_rect in self._profiles(layer):
                sel = np.flatnonzero(p.rect == want_rect)
                hit, outlines = geo.swept_section(p.a[sel], p.b[sel], p.half_w[sel], p.half_h[sel], profile, leg)
                add_outlines(mb, outlines, p.row[sel][hit])
        return mb


def add_lines(mb: MeshBuilder, a: np.ndarray, b: np.ndarray, rows: np.ndarray) -> None:
    """Add straight lines a -> b, one cell each, tagged with ``rows``."""
    m = len(a)
    if m:
        mb.add(np.stack([a, b], axis=1).reshape(-1, 3), _UP, lines=(np.arange(2 * m).reshape(m, 2), rows))


PIPE_SIZE_COLUMNS = ("shape", "diameter_mm", "width_mm", "height_mm", "wall_mm", "material")


def pipe_sizes(gdf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(is_rect, outside width, outside height) of pipe segments (gis.sections.outside_size)."""
    return per_combination(gdf, PIPE_SIZE_COLUMNS, _pipe_sizes)


def _pipe_sizes(gdf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    return per_combination(gdf, ("section", "outer_diameter_m", "width_m", "height_m"), _tunnel_sizes)


def _tunnel_sizes(gdf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rect, width, height, _ = tunnel_sections(column(gdf, "section", object), column(gdf, "outer_diameter_m"),
                                             column(gdf, "width_m"), column(gdf, "height_m"))
    return rect, width, height


@dataclass
class Wells(Parts):
    """Well cylinders: lid centre ``xyz`` (local), ``bottom`` (local z) and ``radius``."""

    xyz: np.ndarray
    bottom: np.ndarray
    radius: np.ndarray

    def lean(self) -> "Wells":
        """The same wells in float32 / int32."""
        return Wells(self.row.astype(np.int32), self.xyz.astype(np.float32), self.bottom.astype(np.float32),
                     self.radius.astype(np.float32))

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(low (m,3), high (m,3)) corners of each well."""
        r = self.radius[:, None]
        low = np.column_stack([self.xyz[:, :2] - r, self.bottom])
        return low, np.column_stack([self.xyz[:, :2] + r, self.xyz[:, 2]])


class WellBuilder(LayerBuilder):
    """Manholes and valve chambers of pipe_points: cylinders from the ground (point Z) down well_depth.

    Points that are not wells, or have no well depth, are not drawn.
    """

    columns = ("utility", "subtype", "appurtenance", "well_depth", "well_diameter_mm")
    coarse_levels = ("mid",)
    #: what a lean read may keep of pipe_points (the others are never drawn)
    where = ("appurtenance IN (" + ", ".join(f"'{w}'" for w in WELL_APPURTENANCES) + ") AND well_depth > 0")

    def parts(self, gdf, origin) -> Wells:
        """The layer's wells, relative to ``origin``."""
        depth = column(gdf, "well_depth")
        rows = np.flatnonzero(np.isin(column(gdf, "appurtenance", object), WELL_APPURTENANCES) & (depth > 0))
        xyz = geo.frame_points(gdf, rows) - origin
        diameter = column(gdf, "well_diameter_mm")[rows] / 1000.0
        radius = np.where(diameter > 0, diameter, DEFAULT_WELL_DIAMETER_M) / 2
        return Wells(rows, xyz, xyz[:, 2] - depth[rows], radius)

    def mesh(self, layer: str, w: Wells) -> MeshBuilder:
        """Cylinders with a marker point on each lid."""
        mb = MeshBuilder()
        if not len(w):
            return mb
        xyz = w.xyz.astype(np.float64)
        sides = styles.style(layer).sides
        c = geo.cylinders(xyz, xyz[:, 2], w.bottom.astype(np.float64), w.radius.astype(np.float64), sides)
        mb.add(c["points"], c["normals"], verts=(c["marker"], w.row),
               polys=[(c["quads"], np.repeat(w.row, sides)), (c["caps"], np.repeat(w.row, 2))])
        return mb

    def cells(self, layer, w):
        return np.full(len(w), styles.style(layer).sides + 3)

    def sketch(self, layer, w):
        mb = MeshBuilder()
        if len(w):
            mb.add(w.xyz.astype(np.float64), _UP, verts=(np.arange(len(w)).reshape(-1, 1), w.row))
        return mb

    def section(self, layer, gdf, origin, legs):
        mb = MeshBuilder()
        w = self.parts(gdf, origin)
        for leg in legs:
            hit, rects = geo.cylinder_section(w.xyz, w.xyz[:, 2], w.bottom, w.radius, leg)
            add_outlines(mb, rects, w.row[hit])
        return mb


@dataclass
class Volumes(Parts):
    """Polygons in local plan coordinates with their local top and bottom elevations."""

    polygons: np.ndarray
    top: np.ndarray
    bottom: np.ndarray

    def lean(self) -> "Volumes":
        """The same volumes with int32 rows."""
        return Volumes(self.row.astype(np.int32), self.polygons, self.top, self.bottom)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(low (m,3), high (m,3)) corners of each volume."""
        import shapely

        b = shapely.bounds(self.polygons)
        return np.column_stack([b[:, :2], self.bottom]), np.column_stack([b[:, 2:], self.top])


class VolumeBuilder(LayerBuilder):
    """Polygons extruded from their top (polygon Z) down to ``bottom_elev``.

    A feature without ``bottom_elev`` is drawn as its top face only.
    """

    columns = ("kind", "top_elev", "bottom_elev")
    coarse_levels = ("overview",)

    def _levels(self, gdf):
        import shapely

        xyz, idx = shapely.get_coordinates(gdf.geometry.values, include_z=True, return_index=True)
        top = np.full(len(gdf), -np.inf)
        np.maximum.at(top, idx, xyz[:, 2])
        top = np.where(np.isfinite(top), top, column(gdf, "top_elev"))
        bottom = column(gdf, "bottom_elev")
        return top, np.where(np.isnan(bottom), top, bottom)

    def parts(self, gdf, origin) -> Volumes:
        """The layer's volumes (features with a known top), relative to ``origin``."""
        import shapely

        top, bottom = self._levels(gdf)
        rows = np.flatnonzero(np.isfinite(top))
        local = shapely.transform(gdf.geometry.values[rows], lambda xy: xy - origin[:2])
        return Volumes(rows, local, top[rows] - origin[2], bottom[rows] - origin[2])

    def mesh(self, layer, v: Volumes, lids_only: bool = False) -> MeshBuilder:
        mb = MeshBuilder()
        if len(v):
            p = geo.prisms(v.polygons, v.top, v.bottom, np.zeros(3), lids_only)
            if lids_only:
                mb.add(p["points"], p["normals"], polys=(p["triangles"], v.row[p["tri_row"]]))
            else:
                mb.add(p["points"], p["normals"], polys=[(p["triangles"], v.row[p["tri_row"]]),
                                                        (p["quads"], v.row[p["quad_row"]])])
        return mb

    def sketch(self, layer, v):
        """The lids only."""
        return self.mesh(layer, v, lids_only=True)

    def cells(self, layer, v: Volumes) -> np.ndarray:
        import shapely

        return 3 * shapely.get_num_coordinates(v.polygons)

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

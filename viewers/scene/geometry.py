"""Closed-form, vectorised geometry of the drawn features (numpy only, no VTK).

Swept sections (round pipes, duct banks, tunnels) are rings of profile
points around each straight segment of a centre line; wells are vertical
cylinders; volumes are polygons extruded between bottom and top.  Each
generator also has a ``*_section`` twin giving the exact outline where a
vertical cut plane meets the feature, in (chainage s, elevation z).
All coordinates here are local (project coordinates minus the scene origin).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_Z = np.array([0.0, 0.0, 1.0])


@dataclass(frozen=True)
class Profile:
    """A cross-section for unit half-sizes in the (e1 horizontal, e2 up-ish) frame of a segment.

    ``outline``: corners in counter-clockwise order (what a cut plane meets);
    ``surface``/``normals``: surface points with their normals (corners
    repeated per face where edges are sharp); ``faces``: index pairs into
    ``surface``, one side quad each.
    """

    outline: np.ndarray
    surface: np.ndarray
    normals: np.ndarray
    faces: np.ndarray


def circle_profile(sides: int) -> Profile:
    """A round section with ``sides`` facets; sides divisible by 4 keep the extents exact."""
    phi = 2 * np.pi * np.arange(sides) / sides
    ring = np.column_stack([np.cos(phi), np.sin(phi)])
    ring[np.abs(ring) < 1e-15] = 0.0
    faces = np.column_stack([np.arange(sides), (np.arange(sides) + 1) % sides])
    return Profile(ring, ring, ring, faces)


def _rect_profile() -> Profile:
    corners = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
    face_normals = np.array([[0.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [1.0, 0.0]])
    surface = np.concatenate([corners[[i, (i + 1) % 4]] for i in range(4)])
    return Profile(corners, surface, np.repeat(face_normals, 2, axis=0), np.arange(8).reshape(4, 2))


RECT = _rect_profile()


# ----------------------------------------------------------------- centre lines
def line_segments(geoms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Straight pieces (a (m,3), b (m,3), row (m,)) of an array of (Multi)LineString Z."""
    import shapely

    parts, part_row = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    coords, idx = shapely.get_coordinates(parts, include_z=True, return_index=True)
    return _pairs(coords, idx, part_row)


def _pairs(coords: np.ndarray, idx: np.ndarray, part_row: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Consecutive coordinates of the same part as pieces (zero-length ones dropped)."""
    if len(coords) < 2:
        empty = np.zeros((0, 3))
        return empty, empty, np.zeros(0, dtype=np.int64)
    same = idx[1:] == idx[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    keep = np.any(a != b, axis=1)
    return a[keep], b[keep], part_row[idx[:-1][same]][keep]


def frame_segments(frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Straight pieces of a GeoDataFrame's lines or of a CoordFrame (viewers.scene.frames)."""
    if hasattr(frame, "coordinate_rows"):
        if len(frame) and np.all(np.diff(frame.offsets) == 2):      # two-point lines: no search
            a, b = frame.coords[0::2], frame.coords[1::2]
            keep = np.flatnonzero(np.any(a != b, axis=1))
            return a[keep], b[keep], keep
        return _pairs(frame.coords, frame.coordinate_rows(), np.arange(len(frame)))
    return line_segments(frame.geometry.values)


def frame_points(frame, rows: np.ndarray) -> np.ndarray:
    """(k, 3) coordinates of the point features ``rows`` of a GeoDataFrame or a CoordFrame."""
    if hasattr(frame, "coordinate_rows"):
        return frame.coords[frame.offsets[rows]]
    import shapely

    return shapely.get_coordinates(frame.geometry.values[rows], include_z=True).reshape(-1, 3)


def segment_line_distance(a: np.ndarray, b: np.ndarray, p: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Distance of each segment a->b (m, 3) to the infinite line through ``p`` along ``d``."""
    d = d / np.linalg.norm(d)
    u = b - a
    w = a - p
    ud, wd = u @ d, w @ d
    uu = np.einsum("ij,ij->i", u, u)
    denom = uu - ud ** 2                          # |u|^2 sin^2: 0 when parallel to the line
    s = np.clip(np.where(denom > 1e-12, (ud * wd - np.einsum("ij,ij->i", w, u)) / np.where(denom > 1e-12, denom, 1),
                         0.0), 0.0, 1.0)
    q = w + s[:, None] * u                         # closest point of the segment, relative to p
    return np.linalg.norm(q - (q @ d)[:, None] * d, axis=1)


def segment_frames(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (e1 horizontal, e2 perpendicular to the axis, up-ish) per segment."""
    u = b - a
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    e1 = np.cross(u, _Z)
    norm = np.linalg.norm(e1, axis=1, keepdims=True)
    vertical = norm[:, 0] < 1e-9
    e1[vertical] = (1.0, 0.0, 0.0)
    norm[vertical] = 1.0
    e1 /= norm
    e2 = np.cross(e1, u)
    return e1, e2


def _offsets(coef: np.ndarray, half_w: np.ndarray, half_h: np.ndarray, e1: np.ndarray,
             e2: np.ndarray) -> np.ndarray:
    """(m, P, 3) offsets of profile points ``coef`` (P, 2) scaled per segment."""
    return ((half_w[:, None, None] * coef[None, :, 0, None]) * e1[:, None, :]
            + (half_h[:, None, None] * coef[None, :, 1, None]) * e2[:, None, :])


def swept_surface(a: np.ndarray, b: np.ndarray, half_w: np.ndarray, half_h: np.ndarray,
                  profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Side surface of each segment swept with ``profile``.

    Returns points (m*2Q, 3), normals (m*2Q, 3) and quads (m*F, 4); quads of
    segment i come at rows i*F .. i*F+F-1.
    """
    m, q = len(a), len(profile.surface)
    e1, e2 = segment_frames(a, b)
    e1f, e2f = e1.astype(np.float32), e2.astype(np.float32)
    off = _offsets(profile.surface.astype(np.float32), half_w.astype(np.float32),
                   half_h.astype(np.float32), e1f, e2f)
    points = np.empty((m, 2 * q, 3), dtype=np.float64)
    points[:, :q] = a[:, None, :] + off
    points[:, q:] = b[:, None, :] + off
    nrm = (profile.normals[None, :, 0, None] * e1f[:, None, :]
           + profile.normals[None, :, 1, None] * e2f[:, None, :]).astype(np.float32)
    normals = np.concatenate([nrm, nrm], axis=1)
    i, j = profile.faces[:, 0], profile.faces[:, 1]
    template = np.column_stack([i, q + i, q + j, j])
    quads = (np.arange(m)[:, None, None] * (2 * q) + template[None]).reshape(-1, 4)
    return points.reshape(-1, 3), normals.reshape(-1, 3), quads


def swept_section(a: np.ndarray, b: np.ndarray, half_w: np.ndarray, half_h: np.ndarray,
                  profile: Profile, cut: "CutLeg") -> tuple[np.ndarray, np.ndarray]:
    """Where the cut plane meets swept segments: (segment index (h,), outline (h, P, 2) in s, z).

    Exact for the swept prism: every corner line parallel to the axis is
    intersected with the plane.  Only segments whose centre line crosses
    the cut leg are returned.
    """
    da = (a[:, :2] - cut.p0) @ cut.n
    db = (b[:, :2] - cut.p0) @ cut.n
    crossing = ((da <= 0) != (db <= 0)) & (da != db)
    t = np.where(crossing, da / np.where(da != db, da - db, 1.0), np.nan)
    centre = a + t[:, None] * (b - a)
    s_c = (centre[:, :2] - cut.p0) @ cut.d
    hit = np.flatnonzero(crossing & (s_c >= 0) & (s_c <= cut.length))
    if len(hit) == 0:
        return hit, np.zeros((0, len(profile.outline), 2))
    a, b = a[hit], b[hit]
    e1, e2 = segment_frames(a, b)
    off = _offsets(profile.outline, half_w[hit], half_h[hit], e1, e2)
    denom = (da - db)[hit]
    tk = (da[hit][:, None] + off[:, :, :2] @ cut.n) / denom[:, None]
    x = a[:, None, :] + off + tk[:, :, None] * (b - a)[:, None, :]
    s = (x[:, :, :2] - cut.p0) @ cut.d + cut.s0
    return hit, np.stack([s, x[:, :, 2]], axis=-1)


# --------------------------------------------------------------------- wells
def cylinders(centre: np.ndarray, z_top: np.ndarray, z_bottom: np.ndarray, radius: np.ndarray,
              sides: int) -> dict[str, np.ndarray]:
    """Vertical closed cylinders with a marker point at the centre of each lid.

    Returns points, normals and index arrays ``quads`` (m*sides, 4),
    ``caps`` (2m, sides: lid then floor per cylinder) and ``marker`` (m, 1).
    """
    m = len(centre)
    ring = circle_profile(sides).outline
    xy = centre[:, None, :2] + radius[:, None, None] * ring[None]
    top = np.concatenate([xy, np.broadcast_to(z_top[:, None, None], (m, sides, 1))], axis=2)
    bot = np.concatenate([xy, np.broadcast_to(z_bottom[:, None, None], (m, sides, 1))], axis=2)
    lid = np.concatenate([centre[:, None, :2], z_top[:, None, None]], axis=2)
    per = 4 * sides + 1
    points = np.concatenate([top, bot, top, bot, lid], axis=1)
    radial = np.concatenate([ring, np.zeros((sides, 1))], axis=1)
    up, down = np.tile([0.0, 0.0, 1.0], (sides, 1)), np.tile([0.0, 0.0, -1.0], (sides, 1))
    normals = np.broadcast_to(np.concatenate([radial, radial, up, down, [[0.0, 0.0, 1.0]]]),
                              (m, per, 3))
    base = np.arange(m)[:, None, None] * per
    k = np.arange(sides)
    side = np.column_stack([k, sides + k, sides + (k + 1) % sides, (k + 1) % sides])
    quads = (base + side[None]).reshape(-1, 4)
    caps = np.stack([2 * sides + k, 3 * sides + k[::-1]])
    caps = (base + caps[None]).reshape(-1, sides)
    marker = base[:, :, 0] + 4 * sides
    return {"points": points.reshape(-1, 3), "normals": normals.reshape(-1, 3), "quads": quads,
            "caps": caps, "marker": marker}


def cylinder_section(centre: np.ndarray, z_top: np.ndarray, z_bottom: np.ndarray, radius: np.ndarray,
                     cut: "CutLeg") -> tuple[np.ndarray, np.ndarray]:
    """Where the cut plane meets vertical cylinders: (index (h,), rectangles (h, 4, 2) in s, z)."""
    dist = (centre[:, :2] - cut.p0) @ cut.n
    s_c = (centre[:, :2] - cut.p0) @ cut.d
    half = np.sqrt(np.clip(radius ** 2 - dist ** 2, 0, None))
    hit = np.flatnonzero((np.abs(dist) < radius) & (s_c + half >= 0) & (s_c - half <= cut.length))
    s0 = np.clip(s_c[hit] - half[hit], 0, cut.length) + cut.s0
    s1 = np.clip(s_c[hit] + half[hit], 0, cut.length) + cut.s0
    return hit, rectangles(s0, s1, z_bottom[hit], z_top[hit])


def rectangles(s0, s1, z0, z1) -> np.ndarray:
    """(h, 4, 2) counter-clockwise rectangles in the (s, z) plane."""
    return np.stack([np.column_stack([s0, z0]), np.column_stack([s1, z0]),
                     np.column_stack([s1, z1]), np.column_stack([s0, z1])], axis=1)


def ccw(outlines: np.ndarray) -> np.ndarray:
    """Outlines (h, P, 2) reordered counter-clockwise where needed (signed-area test)."""
    x, y = outlines[..., 0], outlines[..., 1]
    area = np.sum(x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y, axis=1)
    out = outlines.copy()
    out[area < 0] = out[area < 0, ::-1]
    return out


# ------------------------------------------------------------------- volumes
def prisms(polygons, z_top: np.ndarray, z_bottom: np.ndarray, origin: np.ndarray,
           lids_only: bool = False) -> dict[str, np.ndarray]:
    """Polygons (project coordinates) extruded between z_bottom and z_top, in local coordinates.

    Returns points, normals, ``triangles`` (t, 3) with ``tri_row`` (t,) (lid
    and floor) and ``quads`` (w, 4) with ``quad_row`` (w,) (walls, one per ring edge);
    ``lids_only``: the lids alone (points, normals, triangles, tri_row), as the
    first triangles of a whole prism.
    """
    import shapely

    parts, part_row = shapely.get_parts(np.asarray(polygons, dtype=object), return_index=True)
    tris, tri_part = shapely.get_parts(shapely.constrained_delaunay_triangles(parts), return_index=True)
    txy = shapely.get_coordinates(tris).reshape(-1, 4, 2)[:, :3] - origin[:2]
    txy = ccw(txy)
    tri_row = part_row[tri_part]
    t = len(txy)
    ztop = z_top - origin[2]
    lid = np.concatenate([txy, np.broadcast_to(ztop[tri_row][:, None, None], (t, 3, 1))], axis=2)
    if lids_only:
        return {"points": lid.reshape(-1, 3), "normals": np.tile([0.0, 0.0, 1.0], (3 * t, 1)),
                "triangles": np.arange(3 * t).reshape(-1, 3), "tri_row": tri_row}
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    rxy, ridx = shapely.get_coordinates(rings, return_index=True)
    rxy = rxy - origin[:2]
    same = ridx[1:] == ridx[:-1]
    p, q = rxy[:-1][same], rxy[1:][same]
    wall_row = part_row[ring_part[ridx[:-1][same]]]
    zbot = z_bottom - origin[2]
    floor = np.concatenate([txy[:, ::-1], np.broadcast_to(zbot[tri_row][:, None, None], (t, 3, 1))], axis=2)
    w = len(p)
    zt, zb = ztop[wall_row][:, None], zbot[wall_row][:, None]
    wall = np.stack([np.hstack([p, zt]), np.hstack([p, zb]), np.hstack([q, zb]), np.hstack([q, zt])], axis=1)
    e = q - p
    wn = np.column_stack([e[:, 1], -e[:, 0], np.zeros(w)])
    wn /= np.maximum(np.linalg.norm(wn, axis=1, keepdims=True), 1e-12)
    points = np.concatenate([lid.reshape(-1, 3), floor.reshape(-1, 3), wall.reshape(-1, 3)])
    normals = np.concatenate([np.tile([0.0, 0.0, 1.0], (3 * t, 1)), np.tile([0.0, 0.0, -1.0], (3 * t, 1)),
                              np.repeat(wn, 4, axis=0)])
    triangles = np.arange(6 * t).reshape(-1, 3)
    quads = 6 * t + np.arange(4 * w).reshape(-1, 4)
    return {"points": points, "normals": normals, "triangles": triangles,
            "tri_row": np.concatenate([tri_row, tri_row]), "quads": quads, "quad_row": wall_row}


def prism_section(polygons, z_top: np.ndarray, z_bottom: np.ndarray,
                  cut: "CutLeg") -> tuple[np.ndarray, np.ndarray]:
    """Where the cut plane meets extruded polygons: (row (h,), rectangles (h, 4, 2) in s, z).

    ``cut`` carries its leg in project coordinates (``cut.line``) for the
    polygon intersection.
    """
    import shapely

    parts, part_row = shapely.get_parts(np.asarray(polygons, dtype=object), return_index=True)
    pieces, piece_part = shapely.get_parts(shapely.intersection(cut.line, parts), return_index=True)
    is_line = (shapely.get_type_id(pieces) == 1) & ~shapely.is_empty(pieces)
    pieces, piece_part = pieces[is_line], piece_part[is_line]
    if len(pieces) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 4, 2))
    xy, idx = shapely.get_coordinates(pieces, return_index=True)
    s = (xy - cut.p0_project) @ cut.d
    s_min = np.full(len(pieces), np.inf)
    s_max = np.full(len(pieces), -np.inf)
    np.minimum.at(s_min, idx, s)
    np.maximum.at(s_max, idx, s)
    row = part_row[piece_part]
    return row, rectangles(s_min + cut.s0, s_max + cut.s0, z_bottom[row], z_top[row])


# ---------------------------------------------------------------- cut lines
@dataclass(frozen=True)
class CutLeg:
    """One straight leg of a section line: start p0 (local), unit direction d, normal n, length.

    ``s0`` is the chainage of p0 along the whole cut; ``line`` and
    ``p0_project`` are the leg in project coordinates.
    """

    p0: np.ndarray
    d: np.ndarray
    n: np.ndarray
    length: float
    s0: float
    line: object
    p0_project: np.ndarray


def cut_legs(line, origin: np.ndarray) -> list[CutLeg]:
    """The legs of a section LineString (project coordinates), chainage running on."""
    import shapely

    xy = shapely.get_coordinates(line)
    legs, s0 = [], 0.0
    for p, q in zip(xy[:-1], xy[1:]):
        length = float(np.hypot(*(q - p)))
        if length == 0:
            continue
        d = (q - p) / length
        legs.append(CutLeg(p - origin[:2], d, np.array([-d[1], d[0]]), length, s0,
                           shapely.LineString([p, q]), p))
        s0 += length
    return legs

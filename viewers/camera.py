"""Camera set-ups of the views, in a scene's local coordinates (see ProjectScene).

Orthographic views have square pixels and an exact scale: ``width_m``
metres span the image width.  ``bounds`` are the visible world bounds
(xmin, xmax, ymin, ymax, zmin, zmax) from Stage.visible_bounds.
"""
from __future__ import annotations

import math

import numpy as np


def _parallel(renderer, focal, direction, up, width_m: float, size: tuple[int, int], bounds) -> None:
    """Orthographic camera looking along ``direction`` at ``focal``; ``width_m`` fills the width."""
    cam = renderer.GetActiveCamera()
    cam.ParallelProjectionOn()
    extent = 1.0 if bounds is None else max(bounds[1] - bounds[0], bounds[3] - bounds[2],
                                            bounds[5] - bounds[4], 1.0)
    focal = np.asarray(focal, dtype=float)
    cam.SetFocalPoint(*focal)
    cam.SetPosition(*(focal - np.asarray(direction, dtype=float) * 2.0 * extent))
    cam.SetViewUp(*up)
    cam.SetParallelScale(size[1] * width_m / size[0] / 2.0)
    renderer.ResetCameraClippingRange()


def top(renderer, centre_xy, width_m: float, size: tuple[int, int], bounds) -> None:
    """Plan view from above, north up, centred on ``centre_xy``."""
    z = 0.0 if bounds is None else (bounds[4] + bounds[5]) / 2
    _parallel(renderer, (centre_xy[0], centre_xy[1], z), (0, 0, -1), (0, 1, 0), width_m, size, bounds)


def side(renderer, x_range: tuple[float, float], size: tuple[int, int], bounds) -> None:
    """Elevation looking north (+y), x to the right, z up; ``x_range`` fills the width,
    vertically centred on ``bounds``."""
    y = 0.0 if bounds is None else (bounds[2] + bounds[3]) / 2
    z = 0.0 if bounds is None else (bounds[4] + bounds[5]) / 2
    _parallel(renderer, ((x_range[0] + x_range[1]) / 2, y, z), (0, 1, 0), (0, 0, 1),
              x_range[1] - x_range[0], size, bounds)


def orbit(renderer, bounds, azimuth: float, elevation: float) -> None:
    """Perspective view of ``bounds`` from compass ``azimuth`` (degrees clockwise from north:
    where the camera stands) and ``elevation`` (degrees above the horizon)."""
    cam = renderer.GetActiveCamera()
    cam.ParallelProjectionOff()
    az, el = math.radians(azimuth), math.radians(min(max(elevation, -90.0), 90.0))
    direction = np.array([math.sin(az) * math.cos(el), math.cos(az) * math.cos(el), math.sin(el)])
    up = (0.0, 0.0, 1.0) if abs(elevation) < 89.9 else (-math.sin(az), -math.cos(az), 0.0)
    centre = np.array([(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2, (bounds[4] + bounds[5]) / 2])
    cam.SetFocalPoint(*centre)
    cam.SetPosition(*(centre + direction))
    cam.SetViewUp(*up)
    renderer.ResetCamera(*bounds)
    renderer.ResetCameraClippingRange()


def close_up(renderer, target, distance: float) -> tuple[np.ndarray, np.ndarray]:
    """(focal point, position) looking at ``target`` from ``distance`` along the current view direction."""
    cam = renderer.GetActiveCamera()
    direction = np.subtract(cam.GetFocalPoint(), cam.GetPosition())
    norm = np.linalg.norm(direction)
    direction = direction / norm if norm > 0 else np.array([0.0, 0.0, -1.0])
    target = np.asarray(target, dtype=float)
    return target, target - direction * distance


def set_pose(renderer, focal, position) -> None:
    """Point the camera from ``position`` at ``focal`` (view up kept, clipping range reset)."""
    cam = renderer.GetActiveCamera()
    cam.SetFocalPoint(*focal)
    cam.SetPosition(*position)
    cam.OrthogonalizeViewUp()
    renderer.ResetCameraClippingRange()


def centre_on(renderer, xy, width_m: float | None = None) -> None:
    """Move a plan (orthographic, top-down) camera over ``xy``; ``width_m`` narrows the view to that
    width when it is wider."""
    cam = renderer.GetActiveCamera()
    fx, fy, fz = cam.GetFocalPoint()
    px, py, pz = cam.GetPosition()
    cam.SetFocalPoint(xy[0], xy[1], fz)
    cam.SetPosition(xy[0] + px - fx, xy[1] + py - fy, pz)
    if width_m is not None:
        w, h = renderer.GetSize()
        scale = max(h, 1) * width_m / max(w, 1) / 2.0
        cam.SetParallelScale(min(cam.GetParallelScale(), scale))
    renderer.ResetCameraClippingRange()


def to_display(renderer, points) -> np.ndarray:
    """(n, 2) display positions (pixels from the bottom-left) of (n, 3) world points; NaN behind the camera."""
    pts = np.asarray(points, dtype=float).reshape(-1, 3)
    w, h = renderer.GetSize()
    matrix = renderer.GetActiveCamera().GetCompositeProjectionTransformMatrix(w / max(h, 1), -1, 1)
    m = np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])
    clip = np.c_[pts, np.ones(len(pts))] @ m.T
    with np.errstate(divide="ignore", invalid="ignore"):
        ndc = clip[:, :2] / clip[:, 3:4]
    ndc[clip[:, 3] <= 0] = np.nan
    x0, y0 = renderer.GetOrigin()
    return np.c_[(ndc[:, 0] + 1) / 2 * w + x0, (ndc[:, 1] + 1) / 2 * h + y0]


def fit_box(renderer, centre_xy, width_m: float, height_m: float) -> None:
    """Aim the camera, keeping its direction and its focal height, at plan point ``centre_xy`` and
    move it so that a ``width_m`` x ``height_m`` plan box there fills the view."""
    cam = renderer.GetActiveCamera()
    w, h = renderer.GetSize()
    aspect = w / h if w > 0 and h > 0 else 1.0
    half_h = max(height_m, width_m / aspect, 1.0) / 2      # half the view height, in metres, at the focus
    focal = np.array([centre_xy[0], centre_xy[1], cam.GetFocalPoint()[2]], dtype=float)
    direction = np.array(cam.GetDirectionOfProjection())
    if cam.GetParallelProjection():
        distance = cam.GetDistance()
        cam.SetParallelScale(half_h)
    else:
        distance = half_h / math.tan(math.radians(cam.GetViewAngle()) / 2)
    cam.SetFocalPoint(*focal)
    cam.SetPosition(*(focal - direction * distance))
    renderer.ResetCameraClippingRange()

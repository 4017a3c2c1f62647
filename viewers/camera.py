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


def centre_on(renderer, centre_xy, width_m: float, height_m: float) -> None:
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

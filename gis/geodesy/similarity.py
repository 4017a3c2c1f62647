"""Least-squares similarity fits between coordinate sets, with per-point residuals.

4-parameter (2D): X = a*x - b*y + tx, Y = b*x + a*y + ty  (scale m = hypot(a, b),
rotation = atan2(b, a)).  7-parameter (3D Helmert, position-vector rotation
R = Rx(rx) Ry(ry) Rz(rz), PROJ's exact helmert): X = T + m R x.  Both are solved in closed form
(centred normal equations; SVD for the rotation), so exact data give back
exactly the parameters that made it.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import ClassVar

import numpy as np

from gis.geodesy import GeodesyError

ARCSEC = math.pi / (180 * 3600)


def _check(src: np.ndarray, dst: np.ndarray, dims: int, minimum: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    src, dst = np.asarray(src, float), np.asarray(dst, float)
    if src.ndim != 2 or src.shape[1] != dims or src.shape != dst.shape:
        raise GeodesyError(f"{what}: need two matching n x {dims} coordinate arrays")
    if len(src) < minimum:
        raise GeodesyError(f"{what}: needs at least {minimum} control points, got {len(src)}")
    return src, dst


class _Fit:
    """What both fits share: residuals per point, their RMS, the parameters as JSON."""

    method: ClassVar[str]
    residuals: tuple[tuple[float, ...], ...]

    def rms(self) -> float:
        """Root-mean-square of the residual vectors (horizontal for 4-parameter, 3D for 7-parameter)."""
        r = np.asarray(self.residuals, float)
        return float(np.sqrt((r ** 2).sum(axis=1).mean())) if len(r) else 0.0

    def to_dict(self) -> dict:
        """JSON-able parameters."""
        return {"method": self.method, **{k: v for k, v in asdict(self).items() if k != "residuals"}}


@dataclass(frozen=True)
class Similarity2D(_Fit):
    """A 4-parameter transformation and its fit residuals (dst - fitted, metres)."""

    method: ClassVar[str] = "4-parameter"

    a: float
    b: float
    tx: float
    ty: float
    residuals: tuple[tuple[float, float], ...] = ()

    @property
    def scale(self) -> float:
        """Scale factor m."""
        return math.hypot(self.a, self.b)

    @property
    def rotation_deg(self) -> float:
        """Rotation angle, degrees counter-clockwise."""
        return math.degrees(math.atan2(self.b, self.a))

    def apply(self, xy) -> np.ndarray:
        """Transform n x 2 points."""
        xy = np.atleast_2d(np.asarray(xy, float))
        return np.column_stack((self.a * xy[:, 0] - self.b * xy[:, 1] + self.tx,
                                self.b * xy[:, 0] + self.a * xy[:, 1] + self.ty))


def fit_4param(src, dst) -> Similarity2D:
    """Least-squares 2D similarity taking ``src`` (n x 2) onto ``dst``; at least 2 points."""
    src, dst = _check(src, dst, 2, 2, "4-parameter fit")
    cs, cd = src.mean(axis=0), dst.mean(axis=0)
    p, q = src - cs, dst - cd
    norm = (p ** 2).sum()
    if norm == 0:
        raise GeodesyError("4-parameter fit: the control points all coincide")
    a = float((p[:, 0] * q[:, 0] + p[:, 1] * q[:, 1]).sum() / norm)
    b = float((p[:, 0] * q[:, 1] - p[:, 1] * q[:, 0]).sum() / norm)
    tx = float(cd[0] - (a * cs[0] - b * cs[1]))
    ty = float(cd[1] - (b * cs[0] + a * cs[1]))
    fit = Similarity2D(a, b, tx, ty)
    res = dst - fit.apply(src)
    return Similarity2D(a, b, tx, ty, tuple(map(tuple, res.tolist())))


def rotation_matrix(rx: float, ry: float, rz: float) -> np.ndarray:
    """R = Rx(rx) @ Ry(ry) @ Rz(rz), angles in radians (position-vector sense, as PROJ's exact helmert)."""
    cx, sx, cy, sy, cz, sz = math.cos(rx), math.sin(rx), math.cos(ry), math.sin(ry), math.cos(rz), math.sin(rz)
    rot_x = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    rot_y = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rot_z = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rot_x @ rot_y @ rot_z


def rotation_angles(r: np.ndarray) -> tuple[float, float, float]:
    """(rx, ry, rz) in radians of a matrix made by :func:`rotation_matrix`."""
    return (math.atan2(-r[1, 2], r[2, 2]), math.asin(max(-1.0, min(1.0, r[0, 2]))), math.atan2(-r[0, 1], r[0, 0]))


@dataclass(frozen=True)
class Helmert7(_Fit):
    """A 7-parameter transformation: shifts (m), rotations (arcsec), scale (ppm), residuals (m)."""

    method: ClassVar[str] = "7-parameter"

    tx: float
    ty: float
    tz: float
    rx_arcsec: float
    ry_arcsec: float
    rz_arcsec: float
    scale_ppm: float
    residuals: tuple[tuple[float, float, float], ...] = ()

    def matrix(self) -> np.ndarray:
        """Rotation matrix."""
        return rotation_matrix(self.rx_arcsec * ARCSEC, self.ry_arcsec * ARCSEC, self.rz_arcsec * ARCSEC)

    def apply(self, xyz) -> np.ndarray:
        """Transform n x 3 earth-centred points."""
        xyz = np.atleast_2d(np.asarray(xyz, float))
        m = 1.0 + self.scale_ppm * 1e-6
        return np.array([self.tx, self.ty, self.tz]) + m * xyz @ self.matrix().T


def fit_7param(src, dst) -> Helmert7:
    """Least-squares 3D similarity (Helmert) taking ``src`` (n x 3) onto ``dst``; at least 3 points."""
    src, dst = _check(src, dst, 3, 3, "7-parameter fit")
    cs, cd = src.mean(axis=0), dst.mean(axis=0)
    p, q = src - cs, dst - cd
    var = (p ** 2).sum()
    if var == 0:
        raise GeodesyError("7-parameter fit: the control points all coincide")
    u, sing, vt = np.linalg.svd(p.T @ q)
    d = np.sign(np.linalg.det(vt.T @ u.T))
    if np.linalg.matrix_rank(p) < 2:
        raise GeodesyError("7-parameter fit: the control points lie on one line")
    fix = np.diag([1.0, 1.0, d])
    rot = vt.T @ fix @ u.T
    m = float((sing * np.diag(fix)).sum() / var)
    t = cd - m * rot @ cs
    rx, ry, rz = (a / ARCSEC for a in rotation_angles(rot))
    fit = Helmert7(float(t[0]), float(t[1]), float(t[2]), rx, ry, rz, (m - 1.0) * 1e6)
    res = dst - fit.apply(src)
    return Helmert7(*[getattr(fit, k) for k in ("tx", "ty", "tz", "rx_arcsec", "ry_arcsec", "rz_arcsec",
                                                "scale_ppm")], tuple(map(tuple, res.tolist())))

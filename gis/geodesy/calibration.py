"""A project's GNSS conversion chain: frame -> project grid (+ local calibration) and heights.

Settings live in project_meta:
- ``gnss_frame``: the CORS frame of receiver positions (default CGCS2000, EPSG:4490);
- ``calibration``: JSON of a 4- or 7-parameter fit from control points;
- ``geoid_grid``: path of a geoid / quasi-geoid grid (GTX or GeoTIFF);
- ``height_anomaly``: JSON of a height-anomaly plane fitted to control points.
Without a calibration the grid coordinates come from pyproj alone.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from gis.geodesy import GeodesyError
from gis.geodesy.frames import (DEFAULT_FRAME, ecef_to_geodetic, ellipsoid, frame_crs, frame_name,
                                geodetic_to_ecef, geodetic_to_projected, transformer)
from gis.geodesy.heights import AnomalyPlane, GeoidGrid, fit_anomaly_plane
from gis.geodesy.similarity import Helmert7, Similarity2D, fit_4param, fit_7param

META_FRAME, META_CALIBRATION, META_GEOID, META_HEIGHT = "gnss_frame", "calibration", "geoid_grid", "height_anomaly"


@dataclass(frozen=True)
class Converted:
    """Project coordinates of GNSS positions and how they were obtained."""

    x: np.ndarray
    y: np.ndarray
    h: np.ndarray
    horizontal_method: str
    height_method: str


class ProjectGeodesy:
    """Converts (lat, lon, h_ell) in the GNSS frame to project (x, y, H)."""

    def __init__(self, project_crs, frame: str = DEFAULT_FRAME, calibration: dict | None = None,
                 geoid_grid: str | None = None, height_fit: dict | None = None):
        self.project_crs = project_crs
        self.frame = frame_name(frame)
        self.frame_crs = frame_crs(frame)
        self.calibration = calibration
        self.geoid = GeoidGrid(geoid_grid) if geoid_grid else None
        self.height_fit = AnomalyPlane(**height_fit) if height_fit else None

    @classmethod
    def from_project(cls, proj, frame: str | None = None) -> "ProjectGeodesy":
        """The chain stored in a project (``frame`` overrides its gnss_frame)."""
        meta = proj.meta
        load = (lambda key: json.loads(meta[key]) if meta.get(key) else None)
        return cls(proj.crs, frame or meta.get(META_FRAME) or DEFAULT_FRAME, load(META_CALIBRATION),
                   meta.get(META_GEOID) or None, load(META_HEIGHT))

    def horizontal(self, lat, lon, h_ell) -> tuple[np.ndarray, np.ndarray, str]:
        """Project (x, y) and a description of the method."""
        cal = self.calibration
        if cal is None:
            x, y = geodetic_to_projected(lat, lon, self.frame_crs, self.project_crs)
            return x, y, f"pyproj {self.frame} -> {self.project_crs.name}"
        params = {k: v for k, v in cal.items() if k not in ("method", "points", "rms")}
        if cal["method"] == "4-parameter":
            x0, y0 = geodetic_to_projected(lat, lon, self.frame_crs, self.project_crs)
            xy = Similarity2D(**params).apply(np.column_stack((np.atleast_1d(x0), np.atleast_1d(y0))))
            return xy[:, 0], xy[:, 1], f"4-parameter calibration ({cal.get('points', '?')} control points)"
        if cal["method"] == "7-parameter":
            src = geodetic_to_ecef(lat, lon, h_ell, *ellipsoid(self.frame_crs))
            dst = Helmert7(**params).apply(src)
            geo = self.project_crs.geodetic_crs
            la, lo, _ = ecef_to_geodetic(dst, *ellipsoid(geo))
            x, y = transformer(geo, self.project_crs).transform(lo, la)
            return np.asarray(x), np.asarray(y), f"7-parameter calibration ({cal.get('points', '?')} control points)"
        raise GeodesyError(f"project calibration method {cal['method']!r} is unknown")

    def heights(self, lat, lon, h_ell, x, y, allow_ellipsoidal: bool = False) -> tuple[np.ndarray, str]:
        """Normal heights H = h_ell - N and a description; GeodesyError when nothing can convert them."""
        h_ell = np.asarray(h_ell, float)
        if self.geoid is not None:
            return h_ell - self.geoid.undulation(lat, lon), f"geoid grid {self.geoid.path.name}"
        if self.height_fit is not None:
            n = len(self.height_fit.residuals) or "?"
            return h_ell - self.height_fit.anomaly(x, y), f"height-anomaly plane ({n} control points)"
        if allow_ellipsoidal:
            return h_ell, "ellipsoidal (not converted)"
        raise GeodesyError("the project has no geoid grid and no height-anomaly fit from control points: "
                           "normal heights cannot be computed (set a geoid grid, calibrate from control "
                           "points, or accept ellipsoidal heights explicitly)")

    def convert(self, lat, lon, h_ell, allow_ellipsoidal: bool = False) -> Converted:
        """Full conversion of arrays (or scalars) of positions."""
        lat, lon, h_ell = (np.atleast_1d(np.asarray(v, float)) for v in (lat, lon, h_ell))
        x, y, hmethod = self.horizontal(lat, lon, h_ell)
        h, vmethod = self.heights(lat, lon, h_ell, x, y, allow_ellipsoidal)
        return Converted(np.atleast_1d(x), np.atleast_1d(y), np.atleast_1d(h), hmethod, vmethod)


def _control_points(proj, frame: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """ids, (lat, lon, h_ell) and (x, y, H) of control points that have GNSS coordinates."""
    gdf = proj.read("control_points")
    if len(gdf):
        gdf = gdf[gdf["lat"].notna() & gdf["lon"].notna()]
    if "frame" in gdf and len(gdf):
        want = frame_name(frame)
        other = [f for f in gdf["frame"].dropna().unique() if frame_name(str(f)) != want]
        if other:
            raise GeodesyError(f"control_points: frames {', '.join(map(str, other))} differ from the GNSS frame {want}")
    geo = np.column_stack((gdf["lat"], gdf["lon"], gdf["h_ell"].astype(float))) if len(gdf) else np.empty((0, 3))
    grid = np.array([(g.x, g.y, g.z if g.has_z else np.nan) for g in gdf.geometry]) if len(gdf) else np.empty((0, 3))
    return list(gdf["point_id"]), geo, grid


def fit_project_calibration(proj, method: str, frame: str | None = None) -> dict:
    """Fit a 4- or 7-parameter calibration (and a height-anomaly plane) from the project's control points.

    Returns a report with the parameters and per-point residuals; stores nothing.
    """
    frame = frame or proj.meta.get(META_FRAME) or DEFAULT_FRAME
    ids, geo, grid = _control_points(proj, frame)
    fcrs = frame_crs(frame)
    report: dict = {"frame": frame_name(frame), "points": len(ids)}
    if method in ("4", "4-parameter"):
        x0, y0 = geodetic_to_projected(geo[:, 0], geo[:, 1], fcrs, proj.crs)
        fit = fit_4param(np.column_stack((x0, y0)), grid[:, :2])
        residuals = [{"point_id": i, "dx": r[0], "dy": r[1]} for i, r in zip(ids, fit.residuals)]
    elif method in ("7", "7-parameter"):
        if np.isnan(geo[:, 2]).any() or np.isnan(grid[:, 2]).any():
            raise GeodesyError("7-parameter fit: every control point needs h_ell and a Z (height)")
        src = geodetic_to_ecef(geo[:, 0], geo[:, 1], geo[:, 2], *ellipsoid(fcrs))
        pgeo = proj.crs.geodetic_crs
        lo, la = transformer(proj.crs, pgeo).transform(grid[:, 0], grid[:, 1])
        dst = geodetic_to_ecef(la, lo, grid[:, 2], *ellipsoid(pgeo))
        fit = fit_7param(src, dst)
        residuals = [{"point_id": i, "dx": r[0], "dy": r[1], "dz": r[2]} for i, r in zip(ids, fit.residuals)]
    else:
        raise GeodesyError(f"calibration method must be 4 or 7, not {method!r}")
    report["calibration"] = {**fit.to_dict(), "points": len(ids), "rms": fit.rms()}
    report["residuals"] = residuals
    has_h = ~np.isnan(geo[:, 2]) & ~np.isnan(grid[:, 2])
    if has_h.any():
        plane = fit_anomaly_plane(grid[has_h, 0], grid[has_h, 1], geo[has_h, 2] - grid[has_h, 2])
        report["height_anomaly"] = {**plane.to_dict(), "residuals": list(plane.residuals), "rms": plane.rms()}
    return report


def store_calibration(proj, report: dict) -> None:
    """Write a fitted calibration (and anomaly plane) into project_meta in one transaction."""
    with proj.transaction() as txn:
        txn.set_meta(META_CALIBRATION, json.dumps(report["calibration"]))
        if "height_anomaly" in report:
            plane = {k: v for k, v in report["height_anomaly"].items() if k != "rms"}
            txn.set_meta(META_HEIGHT, json.dumps(plane))
        txn.set_meta(META_FRAME, report["frame"])
        txn.audit(None, None, "calibrate", None, report["calibration"])


def set_geoid_grid(proj, path: str) -> None:
    """Point the project at a geoid grid after checking it can be read."""
    GeoidGrid(path)
    proj.set_meta(META_GEOID, str(path))

"""Geodesy for field survey: CORS frame -> project grid, local calibration, heights.

- frames.py: GNSS reference frames (CGCS2000, WGS 84, ...) and pyproj conversion.
- similarity.py: 4-parameter (2D similarity) and 7-parameter (Helmert) least-squares fits.
- heights.py: geoid / quasi-geoid grids and a fitted height-anomaly plane.
- calibration.py: a project's conversion chain, fitted from its control points.
"""
from gis.errors import ProjectError


class GeodesyError(ProjectError):
    """A conversion cannot be done honestly (missing grid, too few control points...)."""

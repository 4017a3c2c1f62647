"""Small projects with hand-computable sections and profiles (for test_crosssection*, test_profile*).

Coordinates are relative to tiny_projects.X0 / Y0 (EPSG:4549).  Ground: a
flat 4.0 m DEM over +-100 m unless a test says otherwise.
"""
from __future__ import annotations

from pathlib import Path

from shapely import LineString, Point, Polygon

from tests.tiny_projects import X0, Y0, make_project, pipe

GROUND = 4.0


def xy_line(*pts) -> LineString:
    """A plan LineString through points relative to X0, Y0."""
    return LineString([(X0 + x, Y0 + y) for x, y in pts])


def point(pid: str, x: float, y: float, ground: float, utility: str = "PS", **attrs) -> dict:
    """A pipe_points row with surveyed ground (Z = ground_elev)."""
    return {"point_id": pid, "utility": utility, "geometry": Point(X0 + x, Y0 + y, ground),
            "ground_elev": ground, **attrs}


def three_pipes(path: Path, **layers):
    """Three parallel north-south pipes, cut by an east-west line along y = 0.

    A  JS DN300 steel (wall 7 mm -> 0.314 m) at x = -2, centre 2.5 (ends surveyed: ground 4.3 / 4.5)
    B  RQ DN400 (no wall known -> 0.400 m)   at x =  0, centre 2.0
    C  DL 800x600 duct bank                  at x =  3, centre 3.0
    """
    rows = {
        "pipe_points": [point("A1", -2, -20, 4.3, "JS"), point("A2", -2, 20, 4.5, "JS")],
        "pipe_segments": [
            pipe("A", [(-2, -20, 2.5), (-2, 20, 2.5)], "JS", diameter_mm=300, material="钢",
                 start_point="A1", end_point="A2"),
            pipe("B", [(0, -20, 2.0), (0, 20, 2.0)], "RQ", diameter_mm=400),
            pipe("C", [(3, -20, 3.0), (3, 20, 3.0)], "DL", shape="rect", width_mm=800, height_mm=600),
        ],
    }
    for layer, extra in layers.items():
        rows.setdefault(layer, []).extend(extra)
    return make_project(path, rows, ground=GROUND, ground_extent=200.0)


def sewer_run(path: Path, ground=GROUND, **layers):
    """A sewer (PS/WS, invert-surveyed) W1 -> W2 -> W3 along y = 0, a branch W4 -> W3, a water main across.

    S1 W1(0,0) -> W2(40,0): DN400 RC (wall 33.3 mm), centre 2.00 -> 1.92 (inverts 1.80 -> 1.72)
    S2 W2 -> W3(80,0):      DN400, centre 1.90 -> 1.82 (inverts 1.70 -> 1.62, a 2 cm drop at W2)
    S3 W4(80,30) -> W3:     DN300 branch
    X1 JS DN200 north-south at x = 20, centre 3.0
    Manholes: ground 4.2 / 4.1 / 4.0 / 4.0 surveyed, well depths 2.5 / 2.6 / 2.8 / 2.0.
    """
    rows = {
        "pipe_points": [
            point("W1", 0, 0, 4.2, subtype="WS", appurtenance="检查井", well_depth=2.5),
            point("W2", 40, 0, 4.1, subtype="WS", appurtenance="检查井", well_depth=2.6, well_diameter_mm=1000),
            point("W3", 80, 0, 4.0, subtype="WS", appurtenance="检查井", well_depth=2.8),
            point("W4", 80, 30, 4.0, subtype="WS", appurtenance="检查井", well_depth=2.0),
        ],
        "pipe_segments": [
            pipe("S1", [(0, 0, 2.0), (40, 0, 1.92)], "PS", subtype="WS", diameter_mm=400, material="钢筋混凝土",
                 start_point="W1", end_point="W2"),
            pipe("S2", [(40, 0, 1.9), (80, 0, 1.82)], "PS", subtype="WS", diameter_mm=400,
                 start_point="W2", end_point="W3"),
            pipe("S3", [(80, 30, 2.0), (80, 0, 1.9)], "PS", subtype="WS", diameter_mm=300,
                 start_point="W4", end_point="W3"),
            pipe("X1", [(20, -10, 3.0), (20, 10, 3.0)], "JS", diameter_mm=200),
        ],
    }
    for layer, extra in layers.items():
        rows.setdefault(layer, []).extend(extra)
    return make_project(path, rows, ground=ground, ground_extent=200.0)


def box(x0: float, y0: float, x1: float, y1: float, top: float) -> Polygon:
    """A plan rectangle relative to X0, Y0 with Z = top."""
    return Polygon([(X0 + x0, Y0 + y0, top), (X0 + x1, Y0 + y0, top), (X0 + x1, Y0 + y1, top),
                    (X0 + x0, Y0 + y1, top)])

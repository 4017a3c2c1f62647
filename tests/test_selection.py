"""gis.selection.features_in_box: exactly the features whose plan geometry a box touches."""
from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import LineString, Point, Polygon

from gis.errors import UsageError
from gis.selection import features_in_box

BOX = (0.0, 0.0, 10.0, 10.0)


@pytest.fixture
def frames():
    segs = gpd.GeoDataFrame({
        "line_id": ["inside", "crossing", "corner-miss", "touching", "outside", "sewer-in"],
        "utility": ["JS", "RQ", "JS", "DL", "JS", "WS"],
    }, geometry=[
        LineString([(2, 2, 1), (8, 3, 1)]),            # wholly inside
        LineString([(-5, 5, 1), (15, 5, 1)]),          # crosses, no vertex inside
        LineString([(9, 12, 1), (12, 9, 1)]),          # its bounding box overlaps the box, the line does not
        LineString([(10, -3, 1), (10, 20, 1)]),        # runs along the edge
        LineString([(20, 20, 1), (30, 30, 1)]),
        LineString([(1, 9, 1), (3, 9, 1)]),            # sub-type WS of drainage PS
    ], crs="EPSG:4549")
    points = gpd.GeoDataFrame({"point_id": ["P-in", "P-out"], "utility": ["JS", "JS"]},
                              geometry=[Point(5, 5, 4), Point(-1, 5, 4)], crs="EPSG:4549")
    works = gpd.GeoDataFrame({"feature_id": ["W-over", "W-far"]},
                             geometry=[Polygon([(8, 8, 0), (20, 8, 0), (20, 20, 0), (8, 20, 0)]),
                                       Polygon([(50, 50, 0), (60, 50, 0), (60, 60, 0)])], crs="EPSG:4549")
    return {"pipe_segments": segs, "pipe_points": points, "civil_defense_works": works}


def test_exactly_the_features_the_box_touches(frames):
    got = features_in_box(frames, BOX)
    assert got == {"pipe_segments": ["inside", "crossing", "touching", "sewer-in"],
                   "pipe_points": ["P-in"], "civil_defense_works": ["W-over"]}


def test_layers_and_hidden_utilities_narrow_the_search(frames):
    got = features_in_box(frames, BOX, layers=["pipe_segments", "metro_tunnels"],
                          hidden_utilities={"pipe_segments": {"PS", "RQ"}, "pipe_points": {"JS"}})
    assert got == {"pipe_segments": ["inside", "touching"]}       # WS is drainage: hidden with PS
    assert features_in_box(frames, (100, 100, 110, 110)) == {}


def test_a_box_without_area_is_refused(frames):
    with pytest.raises(UsageError, match="xmin <= xmax"):
        features_in_box(frames, (10, 0, 0, 10))

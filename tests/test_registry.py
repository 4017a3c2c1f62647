"""The layer and utility registries are complete and self-consistent."""
from __future__ import annotations

import re

import pytest

from gis import layers, utilities
from gis.store.gpkg_sql import SQL_TYPES

DATA_MODEL_LAYERS = {"pipe_points", "pipe_segments", "metro_tunnels", "metro_stations",
                     "civil_defense_works", "civil_defense_inspections", "grid_cells", "structures",
                     "survey_points", "control_points", "excavations", "findings", "roads",
                     "buildings", "trees"}


def test_every_data_model_layer_is_registered():
    assert DATA_MODEL_LAYERS <= set(layers.LAYERS)


@pytest.mark.parametrize("layer", list(layers.LAYERS.values()), ids=lambda l: l.name)
def test_layer_is_consistent(layer):
    assert re.fullmatch(r"[a-z_]+", layer.name)
    assert layer.family in layers.FAMILIES
    assert layer.zh and layer.en and layer.zh != layer.en
    assert re.fullmatch(r"(Point|LineString|Polygon|MultiPolygon|Geometry)( Z)?", layer.geometry)
    names = layer.field_names
    assert len(names) == len(set(names)), "duplicate field"
    assert layer.id_field in names and layer.field(layer.id_field).required
    for f in layer.fields:
        assert f.type in layers.FIELD_TYPES and f.type in SQL_TYPES
        assert f.zh and f.en
        if f.allowed is not None:
            assert len(f.allowed) == len(set(f.allowed)) > 0
        if f.minimum is not None and f.maximum is not None:
            assert f.minimum < f.maximum


def test_sensitive_layers_are_civil_defense():
    assert set(layers.SENSITIVE_LAYERS) == {"civil_defense_works", "civil_defense_inspections"}


def test_z_conventions_of_feature_layers():
    for name in ("pipe_points", "pipe_segments", "metro_tunnels", "metro_stations", "structures",
                 "civil_defense_works", "survey_points", "findings"):
        assert layers.get(name).has_z


def test_unknown_layer_lists_known_ones():
    with pytest.raises(KeyError, match="pipe_segments"):
        layers.get("pipes")


def test_utilities_follow_cjj61():
    u = utilities.UTILITIES
    assert list(u) == ["JS", "PS", "RQ", "RL", "DL", "TX", "GY", "QT"]
    assert u["JS"].rgb == (0, 255, 255) and u["PS"].rgb == (76, 57, 38)
    assert u["RQ"].rgb == (255, 0, 255) and u["RL"].rgb == (255, 128, 0)
    assert u["DL"].rgb == (255, 0, 0) and u["TX"].rgb == (0, 255, 0)
    assert u["PS"].depth_ref == utilities.DEPTH_INVERT and u["PS"].gravity
    assert all(x.depth_ref == utilities.DEPTH_TOP for k, x in u.items() if k != "PS")
    for util in u.values():
        assert all(0 <= c <= 255 for c in util.rgb)


@pytest.mark.parametrize("code,parent,sub", [("ws", "PS", "WS"), ("YS", "PS", "YS"), ("ZS", "JS", "ZS"),
                                             ("LD", "DL", "LD"), ("RQ", "RQ", None), ("BM", "QT", "BM")])
def test_subtypes_resolve_to_their_parent(code, parent, sub):
    util, subtype = utilities.resolve(code)
    assert (util.code, subtype) == (parent, sub)


def test_subtype_colour_and_unknown_code():
    assert utilities.colour("PS", "WS") == (76, 57, 38)
    assert utilities.colour("QT", "BM") == (102, 0, 204)
    with pytest.raises(KeyError):
        utilities.resolve("XX9")


def test_utility_field_accepts_every_code():
    allowed = layers.get("pipe_segments").field("utility").allowed
    assert set(utilities.all_codes()) == set(allowed)


def test_parent_codes_of_categorical_and_plain_columns_agree():
    import numpy as np
    import pandas as pd

    from gis.utilities import parent_codes

    values = ["JS", "WS", None, "nope", "rq", "WS", None]          # utility, sub-type, missing, unknown, lower case
    plain = parent_codes(pd.Series(values, dtype=object))
    assert plain.tolist() == ["JS", "PS", "", "", "RQ", "PS", ""]
    assert np.array_equal(parent_codes(pd.Series(pd.Categorical(values))), plain)
    assert np.array_equal(parent_codes(pd.Categorical(values)), plain)
    assert parent_codes(pd.Series(pd.Categorical([]))).tolist() == []

"""The sensitive-layer policy every output calls (gis.policy)."""
from __future__ import annotations

import pytest

from gis import layers as registry
from gis.errors import UsageError
from gis.policy import allowed_layers, record_sensitive_use, sensitive_in


def test_default_leaves_sensitive_layers_out():
    names = allowed_layers(None, include_sensitive=False)
    assert "civil_defense_works" not in names and "civil_defense_inspections" not in names
    assert "pipe_segments" in names
    assert set(allowed_layers(None, include_sensitive=True)) == set(registry.LAYERS)


def test_explicit_requests():
    assert allowed_layers(["structures", "pipe_segments", "structures"], False) == ["structures", "pipe_segments"]
    with pytest.raises(UsageError, match="sensitive"):
        allowed_layers(["civil_defense_works"], False)
    assert allowed_layers(["civil_defense_works"], True) == ["civil_defense_works"]
    with pytest.raises(UsageError, match="unknown layer 'pipes'"):
        allowed_layers(["pipes"], True)
    with pytest.raises(UsageError, match="cannot be used here"):
        allowed_layers(["roads"], False, candidates=["pipe_segments"])


def test_sensitive_use_is_audited(project):
    before = len(project.audit_log())
    record_sensitive_use(project, ["pipe_segments"], "export", {"out": "x"})
    assert len(project.audit_log()) == before
    record_sensitive_use(project, ["pipe_segments", "civil_defense_works"], "export", {"out": "x"})
    rows = project.audit_log()[before:]
    assert [(r["layer"], r["action"]) for r in rows] == [("civil_defense_works", "sensitive_output:export")]
    assert sensitive_in(registry.LAYERS) == list(registry.SENSITIVE_LAYERS)

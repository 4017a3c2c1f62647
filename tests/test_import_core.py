"""Importer registry, message catalogue, the wizard-facing API and the no-Qt/VTK rule."""
from __future__ import annotations

import subprocess
import sys

import pytest

import importers
from gis.errors import UsageError
from importers import ImportOptions, messages, registry
from tests.conftest import DATA, ROOT

SURVEY = DATA / "import" / "survey"


def test_every_importer_declares_what_it_reads():
    assert set(registry.IMPORTERS) == {"survey", "gis", "epanet", "swmm", "dem"}
    for imp in registry.IMPORTERS.values():
        assert imp.reads and imp.label("zh") and imp.label("en")
        assert callable(imp.load().can_read)


def test_detect_ranks_importers_by_priority(tmp_path):
    ranked = registry.ranked([SURVEY / "js_points.csv", SURVEY / "js_lines.csv"])
    assert [imp.name for _, imp in ranked][:1] == ["survey"]
    dem = tmp_path / "ground.tif"
    dem.write_bytes(b"II*\x00")
    assert registry.detect(dem).name == "dem"
    assert registry.detect(tmp_path / "missing.csv") is None


def test_messages_follow_env_then_locale(monkeypatch):
    for var in ("SUBTERRA_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    assert messages.lang() == "en" and messages.tr("number_bad") == "not a number"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert messages.tr("number_bad") == "不是数字"
    monkeypatch.setenv("SUBTERRA_LANG", "en")
    assert messages.tr("number_bad") == "not a number"


def test_catalogue_is_complete_in_both_languages():
    import string

    for key, (en, zh) in messages.CATALOGUE.items():
        fields = lambda t: {f for _, f, _, _ in string.Formatter().parse(t) if f}  # noqa: E731
        assert en and zh and fields(en) == fields(zh), key


def test_plan_gives_the_wizard_a_preview_and_mapping(project):
    plan = importers.plan_import(project, [SURVEY / "js_points.csv", SURVEY / "js_lines.csv"],
                                 ImportOptions(utility="JS", preview_rows=3))
    points = next(t for t in plan.tables if t.role == "points")
    assert points.rows == 6 and len(points.preview) == 3
    assert points.mapping["x"] == "X" and points.preview.iloc[0]["物探点号"] == "JS1"
    result = importers.commit(project, plan)
    assert result.written and project.count("pipe_segments") == 5


def test_map_overrides_a_column_and_refuses_unknown_fields(project, tmp_path):
    src = tmp_path / "pts.csv"
    src.write_text((SURVEY / "js_points.csv").read_text(encoding="utf-8").replace("地面高程", "H85"),
                   encoding="utf-8")
    plan = importers.plan_import(project, [src], ImportOptions(utility="JS", mapping={"ground_elev": "H85"}))
    assert not plan.problems and plan.layers["pipe_points"]["ground_elev"].iloc[0] == 4.215
    with pytest.raises(UsageError, match="unknown field"):
        importers.plan_import(project, [src], ImportOptions(utility="JS", mapping={"colour": "H85"}))


def test_importers_load_without_qt_or_vtk():
    code = ("import sys\n"
            "for name in ('PySide6', 'vtk', 'vtkmodules'): sys.modules[name] = None\n"
            "import importers, importers.survey, importers.gisfile, importers.epanet, importers.swmm\n"
            "import app.cli.cmd_import\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr

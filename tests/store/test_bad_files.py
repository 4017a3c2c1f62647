"""Opening bad files gives one clear error and never changes the file."""
from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gis.errors import NotAGeoPackageError, NotAProjectError, ProjectError, ProjectLockedError, SchemaVersionError
from gis.store import Project
from tests.conftest import ROOT, run_cli
from tests.store.helpers import segments


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_text_file_is_not_a_geopackage(tmp_path):
    path = tmp_path / "notes.gpkg"
    path.write_text("管线 not a database\n" * 20, encoding="utf-8")
    with pytest.raises(NotAGeoPackageError, match="not an SQLite database"):
        Project.open(path)


def test_plain_sqlite_is_not_a_geopackage(tmp_path):
    path = tmp_path / "db.gpkg"
    con = sqlite3.connect(path)
    con.execute("create table t(a)")
    con.commit()
    con.close()
    with pytest.raises(NotAGeoPackageError, match="application id"):
        Project.open(path)


def test_foreign_geopackage_is_not_a_project(tmp_path):
    path = tmp_path / "qgis.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs="EPSG:4326").to_file(path)
    before = sha(path)
    with pytest.raises(NotAProjectError, match="not a Subterra project"):
        Project.open(path)
    assert sha(path) == before


def _set_version(path: Path, version: str) -> None:
    con = sqlite3.connect(path)
    con.execute("UPDATE project_meta SET value=? WHERE key='schema_version'", (version,))
    con.commit()
    con.close()


def test_newer_schema_is_refused_unchanged(tmp_path):
    path = tmp_path / "new.gpkg"
    Project.create(path).close()
    _set_version(path, "99")
    before = sha(path)
    with pytest.raises(SchemaVersionError, match="newer Subterra"):
        Project.open(path)
    assert sha(path) == before
    result = run_cli("info", path)
    assert result.returncode == 2 and "newer Subterra" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_older_schema_is_migrated_after_a_backup(tmp_path):
    path = tmp_path / "old.gpkg"
    with Project.create(path) as proj:
        with proj.transaction() as txn:
            txn.insert("pipe_segments", segments(5, proj.crs))
    con = sqlite3.connect(path)
    con.execute('ALTER TABLE pipe_segments DROP COLUMN "road"')
    con.commit()
    con.close()
    _set_version(path, "0")
    old_bytes = sha(path)
    with pytest.raises(SchemaVersionError, match="migrating"):
        Project.open(path, readonly=True)
    with Project.open(path) as proj:
        assert proj.schema_version == 1
        assert "road" in proj.read("pipe_segments").columns and proj.count("pipe_segments") == 5
        assert proj.audit_log()[-1]["action"] == "migrate"
    backup = tmp_path / "old.v0.bak.gpkg"
    assert backup.exists() and sha(backup) == old_bytes


#: what a user who may not write the file sees (run in a child process: see without_write_override)
READ_ONLY_CHECKS = """
import sys
import pytest
from gis.errors import ReadOnlyProjectError
from gis.store import Project

with pytest.raises(ReadOnlyProjectError, match="read-only"):
    Project.open(sys.argv[1])
with Project.open(sys.argv[1], readonly=True) as proj:
    assert proj.count("pipe_segments") == 0
    with pytest.raises(ReadOnlyProjectError):
        with proj.transaction():
            pass
"""


def without_write_override() -> list[str]:
    """A command prefix under which root, too, obeys file modes: util-linux setpriv drops
    CAP_DAC_OVERRIDE (root otherwise writes any file whatever its mode)."""
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"] if os.geteuid() == 0 else []


def test_read_only_file_opens_read_only_and_refuses_writes(tmp_path):
    path = tmp_path / "ro.gpkg"
    Project.create(path).close()
    path.chmod(0o444)
    before = sha(path)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    checks = subprocess.run([*without_write_override(), sys.executable, "-c", READ_ONLY_CHECKS, str(path)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert checks.returncode == 0, checks.stderr[-2000:]
    assert sha(path) == before
    assert run_cli("info", path).returncode == 0
    path.chmod(0o644)


def test_locked_file_gives_a_clear_error(project):
    other = sqlite3.connect(project.path, timeout=0)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(ProjectLockedError, match="locked by another program"):
            with project.transaction() as txn:
                txn.insert("pipe_segments", segments(2, project.crs))
        with pytest.raises(ProjectLockedError):
            Project.open(project.path)
    finally:
        other.rollback()
        other.close()
    assert project.count("pipe_segments") == 0


def test_missing_file_and_bad_create(tmp_path):
    with pytest.raises(ProjectError, match="no such file"):
        Project.open(tmp_path / "nope.gpkg")
    Project.create(tmp_path / "a.gpkg").close()
    with pytest.raises(ProjectError, match="file exists"):
        Project.create(tmp_path / "a.gpkg")
    with pytest.raises(ProjectError, match="must end in .gpkg"):
        Project.create(tmp_path / "a.sqlite")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gpkg"]  # no temp files left

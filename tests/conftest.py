"""Shared fixtures: temporary projects, running the CLI, GeoPackage validation."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300,
            input: str | None = None) -> subprocess.CompletedProcess:
    """Run `python -m app ARGS...` from this checkout, capturing text output."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "app", *map(str, args)], cwd=cwd or ROOT,
                          env=full_env, capture_output=True, text=True, timeout=timeout, input=input)


def validate_gpkg(path: Path) -> subprocess.CompletedProcess:
    """Run GDAL's validate_gpkg.py (gdal-utils) with Debian's python3-gdal on ``path``."""
    script = Path(sys.prefix) / "gdal-utils" / "osgeo_utils" / "samples" / "validate_gpkg.py"
    if not script.exists():
        pytest.fail(f"GDAL's validator is missing at {script}: run `make setup`")
    return subprocess.run(["/usr/bin/python3", str(script), str(path)], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def project(tmp_path):
    """A new empty project in EPSG:4549."""
    from gis.store import Project

    proj = Project.create(tmp_path / "p.gpkg")
    yield proj
    proj.close()

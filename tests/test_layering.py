"""gis/ and importers/ import without Qt or VTK (ARCHITECTURE.md dependency direction)."""
from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

PROBE = r"""
import importlib, pkgutil, sys
BLOCKED = ("PySide6", "shiboken6", "vtk", "vtkmodules", "pyvista", "pyvistaqt")
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"blocked import of {name}")
        return None
sys.meta_path.insert(0, Blocker())
count = 0
for pkg_name in ("gis", "importers"):
    pkg = importlib.import_module(pkg_name)
    for mod in pkgutil.walk_packages(pkg.__path__, pkg_name + "."):
        importlib.import_module(mod.name)
        count += 1
print(count)
"""


def test_core_packages_import_with_qt_and_vtk_blocked():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 8


def test_cli_help_runs_with_qt_and_vtk_blocked():
    code = PROBE.split("count = 0")[0] + "from app.cli import build_parser; build_parser().format_help()"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr

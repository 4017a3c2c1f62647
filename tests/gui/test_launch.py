"""`subterra PROJECT` as a real process: opens the window on the project; no display: one line, exit 1."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from tests.conftest import ROOT, run_cli


def test_no_display_gives_one_line_and_exit_1(tmp_path, small_project):
    env = {"DISPLAY": "", "WAYLAND_DISPLAY": "", "QT_QPA_PLATFORM": "",
           "SUBTERRA_SETTINGS": str(tmp_path / "s.ini")}
    res = run_cli("gui", small_project, env=env, timeout=60)
    assert res.returncode == 1
    assert res.stderr.startswith("subterra: no display") and res.stderr.count("\n") == 1
    assert "Traceback" not in res.stderr


def wait_for_recent(settings, project, proc, timeout: float = 120) -> bool:
    """Whether the app listed ``project`` in its recent files (it does once the project is shown)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if settings.exists() and str(project) in settings.read_text(encoding="utf-8"):
            return True
        time.sleep(0.1)
    return False


def test_subterra_project_opens_the_window_on_it(tmp_path, small_project):
    settings = tmp_path / "s.ini"
    env = dict(os.environ, PYTHONPATH=str(ROOT), SUBTERRA_SETTINGS=str(settings))
    proc = subprocess.Popen([sys.executable, "-m", "app", str(small_project)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for_recent(settings, small_project, proc), proc.stderr.read()[-2000:] if proc.poll() else ""
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(30)


def test_subterra_without_arguments_opens_the_demo(tmp_path, demo_data_dir):
    settings = tmp_path / "s.ini"
    env = dict(os.environ, PYTHONPATH=str(ROOT), SUBTERRA_SETTINGS=str(settings),
               SUBTERRA_DATA_DIR=str(demo_data_dir))
    demo = next(demo_data_dir.glob("demo-small-*.gpkg"))
    proc = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for_recent(settings, demo, proc), proc.stderr.read()[-2000:] if proc.poll() else ""
    finally:
        proc.terminate()
        proc.wait(30)


def test_window_shows_before_heavy_modules_load(tmp_path, small_project):
    """Start-up stays fast: no pandas, geopandas or VTK on the GUI thread before the window shows."""
    probe = (
        "import sys\n"
        "from app.gui import main_window as mw\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "show = mw.MainWindow.showEvent\n"
        "def shown(self, ev):\n"
        "    heavy = sorted(m for m in ('pandas', 'geopandas', 'pyogrio', 'vtkmodules', 'rasterio')\n"
        "                   if m in sys.modules)\n"
        "    print('HEAVY', ','.join(heavy), flush=True)\n"
        "    show(self, ev)\n"
        "    QTimer.singleShot(0, QApplication.instance().quit)\n"
        "mw.MainWindow.showEvent = shown\n"
        "from app.cli import main\n"
        "main(sys.argv[1:])\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT), SUBTERRA_SETTINGS=str(tmp_path / "s.ini"))
    out = subprocess.run([sys.executable, "-c", probe, str(small_project)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    line = next(l for l in out.stdout.splitlines() if l.startswith("HEAVY"))
    assert line == "HEAVY ", line


def test_smoke_test_mode_exits_0_once_both_views_drew_the_project(tmp_path, small_project):
    """What `make bundle` runs on the built bundle: a pass line naming both views, exit 0."""
    env = {"SUBTERRA_SETTINGS": str(tmp_path / "s.ini")}
    res = run_cli("gui", "--smoke-test", small_project, env=env, timeout=180)
    assert res.returncode == 0, res.stderr[-2000:]
    line = res.stdout.strip().splitlines()[-1]
    assert line.startswith(f"smoke test passed: {small_project} opened; ")
    assert "Map2D" in line and "View3D" in line


def test_smoke_test_mode_exits_1_when_the_project_cannot_open(tmp_path):
    broken = tmp_path / "broken.gpkg"
    broken.write_bytes(b"not a geopackage")
    res = run_cli("gui", "--smoke-test", broken, env={"SUBTERRA_SETTINGS": str(tmp_path / "s.ini")}, timeout=180)
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1].startswith("smoke test failed: ")


def test_views_and_findings_panel_load_without_pandas():
    """What the window builds before a project opens (views, findings dock) imports no pandas/geopandas."""
    probe = ("import sys\n"
             "import app.gui.findings_panel, app.gui.views, app.gui.view3d_controller, app.gui.map2d_tools\n"
             "print(sorted(m for m in ('pandas', 'geopandas', 'pyogrio') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr[-2000:]

"""App cold start on the small demo: process start -> window shown -> first frame rendered.

Each run is a fresh ``subterra`` process with no arguments (the app opens the
cached small demo) under :mod:`tests.benchmarks.app_probe`, which records
when the window is shown, the views exist, each view (2D map, 3D) first
renders with the scene and the project is loaded, then quits.  Two cases:

- ``first start``: the demo exists but its saved scene does not (removed
  before each run): the scene is built from the project (lean reads) and saved;
- ``later starts``: the scene saved beside the demo is reused (the usual start).

Modules are byte-compiled once before the runs (an installed app has them
compiled).  Baseline in the same run: the bare minimum of any PySide6 app
(interpreter + Qt + an empty window shown).  The machine is shared: CPU time of the app
process (all threads) is reported next to wall time.  Needs a display: runs
itself under one xvfb-run when there is none (the X server's start is not
counted).  Target (TARGETS.md): under 2 s to
first frame.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS, FIRST_RUNS = 5, 3
XVFB = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"]
MARKS = ("window_shown", "views_created", "frame_2d", "frame_3d", "project_loaded")

APP = ["-m", "tests.benchmarks.app_probe"]      # `subterra` with probes on the main window

# Baseline: the floor of any PySide6 app, an empty window shown.
BASELINE = ["-c", r"""
import json, time
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6.QtCore import QTimer
marks = {"python_up": time.time()}
app = QApplication([])
win = QMainWindow()
win.show()
marks["window_shown"] = time.time()
QTimer.singleShot(0, app.quit)
app.exec()
print("MARKS " + json.dumps(marks), flush=True)
"""]


def _launch(args: list[str], env: dict) -> dict[str, float]:
    """Start one Python process with ``args``; seconds from its start to each mark (CPU marks as they are)."""
    cmd = [sys.executable, *args]
    t0 = time.time()
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    line = next((l for l in out.stdout.splitlines() if l.startswith("MARKS ")), None)
    if line is None:
        raise RuntimeError(f"launcher failed (exit {out.returncode}): {out.stderr[-2000:]}")
    marks = json.loads(line[6:])
    if "error" in marks:
        raise RuntimeError(f"the app could not open the demo: {marks['error']}")
    return {k: (v if k.startswith(("cpu", "rss")) else v - t0) for k, v in marks.items()
            if isinstance(v, float)}


def _demo(env: dict) -> tuple[str, float]:
    """The cached small demo (built now if missing) and the seconds that took."""
    t = time.perf_counter()
    code = "from gis.demo import default_demo_path; print(default_demo_path())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600, check=True)
    return out.stdout.strip().splitlines()[-1], time.perf_counter() - t


def _table(title: str, runs: list[dict[str, float]]) -> None:
    print(f"{title}: {len(runs)} fresh processes, seconds from process start")
    print(f"  {'mark':<16}{'median':>9}{'min':>9}{'max':>9}{'cpu (median)':>15}")
    for mark in MARKS:
        vals = [r[mark] for r in runs if mark in r]
        cpus = [r["cpu_" + mark] for r in runs if "cpu_" + mark in r]
        if vals:
            print(f"  {mark:<16}{statistics.median(vals):9.3f}{min(vals):9.3f}{max(vals):9.3f}"
                  f"{statistics.median(cpus):15.3f}")


def _first_frame(run: dict[str, float]) -> float:
    """Both views drawn with the scene."""
    return max(run["frame_2d"], run["frame_3d"])


def main() -> None:
    """Print start-up figures (median and min of fresh processes) and ratios to the baseline."""
    if not os.environ.get("DISPLAY"):        # one X server for every run: its start-up is not the app's
        if not shutil.which("xvfb-run"):
            print("needs a display or xvfb-run")
            return
        subprocess.run(XVFB + [sys.executable, "-m", "tests.benchmarks.bench_startup"], cwd=ROOT, check=True)
        return
    import tempfile

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        env["SUBTERRA_DATA_DIR"] = os.path.join(tmp, "data")
        env["SUBTERRA_SETTINGS"] = os.path.join(tmp, "settings.ini")   # never the user's settings
        # byte-compiled modules, as an installed app has them (pip compiles on install)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tmp, "pycache")
        demo, built = _demo(env)
        saved = Path(demo).with_suffix(".scene.npz")
        print(f"demo: {demo} (generated in {built:.2f} s, before the runs below)")
        _launch(APP, env)                  # warm-up: compiles the modules, not counted
        first_runs = []
        for _ in range(FIRST_RUNS):
            saved.unlink(missing_ok=True)
            first_runs.append(_launch(APP, env))
            Path(env["SUBTERRA_SETTINGS"]).unlink(missing_ok=True)
        later_runs = []
        for _ in range(RUNS):
            later_runs.append(_launch(APP, env))
            Path(env["SUBTERRA_SETTINGS"]).unlink(missing_ok=True)
        base_runs = [_launch(BASELINE, env) for _ in range(RUNS)]
    print(f"machine: {os.cpu_count()} cores, "
          f"{'Xvfb' if not os.environ.get('DISPLAY') else 'display ' + os.environ['DISPLAY']}, llvmpipe; "
          f"load average {os.getloadavg()[0]:.2f} (other work on the machine inflates wall times, not CPU)")
    _table("first start (scene built from the demo and saved)", first_runs)
    _table("later starts (scene saved beside the demo)", later_runs)
    base_shown = statistics.median(r["window_shown"] for r in base_runs)
    print(f"baseline (empty PySide6 window shown): {base_shown:.3f} s")
    for title, runs in (("first start", first_runs), ("later starts", later_runs)):
        shown = statistics.median(r["window_shown"] for r in runs)
        frame = statistics.median(_first_frame(r) for r in runs)
        cpu = statistics.median(max(r["cpu_frame_2d"], r["cpu_frame_3d"]) for r in runs)
        print(f"{title}: window shown {shown:.3f} s = {shown / base_shown:.2f}x baseline; both views drawn "
              f"{frame:.3f} s = {frame / base_shown:.2f}x baseline (CPU {cpu:.3f} s); target < 2.0 s: "
              f"{'met' if frame < 2.0 else 'NOT met'}")


if __name__ == "__main__":
    main()

"""App cold start on the small demo: process start -> window shown -> first frame rendered.

Each run is a fresh ``python -m app DEMO.gpkg`` process (the demo already
cached), instrumented from outside the app: a tiny launcher records when the
main window is shown, when the views exist, when the first frame with the
scene is rendered and when the project is loaded, then quits.  Baseline in
the same run: the bare minimum of any PySide6 app (interpreter + Qt + an
empty window shown).  Needs a display: runs itself under xvfb-run when
there is none.  Target (TARGETS.md): under 2 s to first frame.
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
RUNS = 5
XVFB = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"]

# Runs `subterra PROJECT` (app.cli.main) with probes on the main window's signals.
LAUNCH_APP = r"""
import json, sys, time
from app.gui import main_window as mw
from PySide6.QtWidgets import QApplication

marks = {"python_up": time.time()}
init, show = mw.MainWindow.__init__, mw.MainWindow.showEvent

def frame_probe(view):
    def on_end(_obj, _event):
        if view.stage.scene is not None and "first_frame" not in marks:
            marks["first_frame"] = time.time()
            marks["cpu_at_first_frame"] = time.process_time()
    view.render_window.AddObserver("EndEvent", on_end)

def views_ready(win):
    marks["views_created"] = time.time()
    for view in win.views():
        frame_probe(view)

def loaded(win):
    marks["project_loaded"] = time.time()
    QApplication.instance().quit()

def failed(message):
    marks["error"] = message
    QApplication.instance().quit()

def patched_init(self, *args, **kwargs):
    init(self, *args, **kwargs)
    self.views_ready.connect(lambda: views_ready(self))
    self.project_loaded.connect(lambda _path: loaded(self))
    self.project_failed.connect(failed)

def patched_show(self, event):
    marks.setdefault("window_shown", time.time())
    show(self, event)

mw.MainWindow.__init__, mw.MainWindow.showEvent = patched_init, patched_show
from app.cli import main
main([sys.argv[1]])
print("MARKS " + json.dumps(marks), flush=True)
"""

# Baseline: the floor of any PySide6 app, an empty window shown.
LAUNCH_BASELINE = r"""
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
"""


def _launch(code: str, args: list[str], env: dict) -> dict[str, float]:
    """Start one process; seconds from its start to each mark."""
    cmd = [sys.executable, "-c", code, *args]
    if not os.environ.get("DISPLAY"):
        cmd = XVFB + cmd
    t0 = time.time()
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    line = next((l for l in out.stdout.splitlines() if l.startswith("MARKS ")), None)
    if line is None:
        raise RuntimeError(f"launcher failed (exit {out.returncode}): {out.stderr[-2000:]}")
    marks = json.loads(line[6:])
    if "error" in marks:
        raise RuntimeError(f"the app could not open the demo: {marks['error']}")
    return {k: (v if k.startswith("cpu") else v - t0) for k, v in marks.items()}


def _demo(env: dict) -> tuple[str, float]:
    """The cached small demo (built now if missing) and the seconds that took."""
    t = time.perf_counter()
    code = "from gis.demo import default_demo_path; print(default_demo_path())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600, check=True)
    return out.stdout.strip().splitlines()[-1], time.perf_counter() - t


def main() -> None:
    """Print start-up figures (median and min of RUNS fresh processes) and ratios to the baseline."""
    if not os.environ.get("DISPLAY") and not shutil.which("xvfb-run"):
        print("needs a display or xvfb-run")
        return
    import tempfile

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        env.setdefault("SUBTERRA_DATA_DIR", os.path.join(tmp, "data"))
        env["SUBTERRA_SETTINGS"] = os.path.join(tmp, "settings.ini")   # never the user's settings
        demo, built = _demo(env)
        print(f"demo: {demo} (ensured in {built:.2f} s; cached for the runs below)")
        app_runs = [_launch(LAUNCH_APP, [demo], env) for _ in range(RUNS)]
        base_runs = [_launch(LAUNCH_BASELINE, [], env) for _ in range(RUNS)]
    print(f"{RUNS} fresh processes each, seconds from process start "
          f"({os.cpu_count()} cores, {'Xvfb' if not os.environ.get('DISPLAY') else 'display ' + os.environ['DISPLAY']}):")
    print(f"{'mark':<18}{'median':>9}{'min':>9}{'max':>9}")
    for mark in ("python_up", "window_shown", "views_created", "first_frame", "project_loaded"):
        vals = [r[mark] for r in app_runs if mark in r]
        if vals:
            print(f"{mark:<18}{statistics.median(vals):9.3f}{min(vals):9.3f}{max(vals):9.3f}")
    cpu = statistics.median(r["cpu_at_first_frame"] for r in app_runs)
    print(f"CPU time of the app process up to the first frame (load-independent): {cpu:.3f} s")
    print(f"load average now: {os.getloadavg()[0]:.2f} (other work on the machine inflates wall times)")
    base_shown = statistics.median(r["window_shown"] for r in base_runs)
    app_shown = statistics.median(r["window_shown"] for r in app_runs)
    frame = statistics.median(r["first_frame"] for r in app_runs)
    print(f"baseline (empty PySide6 window shown): {base_shown:.3f} s")
    print(f"window shown: {app_shown:.3f} s = {app_shown / base_shown:.2f}x baseline")
    print(f"first frame:  {frame:.3f} s = {frame / base_shown:.2f}x baseline; target < 2.0 s: "
          f"{'met' if frame < 2.0 else 'NOT met'}")


if __name__ == "__main__":
    main()

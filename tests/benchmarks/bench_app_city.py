"""The app on the city demo (~1M pipe segments): start to first frame, RSS, orbit, pick, attribute lookup.

Fresh process per case, so each peak RSS is its own, all under one X
server (xvfb-run when there is no display; its start is not counted):

- ``app``: ``subterra CITY.gpkg`` in the real MainWindow
  (:mod:`tests.benchmarks.app_probe`): process start -> window shown ->
  views -> project loaded -> both views drawn; then the 3D view's camera is
  driven programmatically: orbit with the whole city in view (3 degrees a
  frame, one render each), a street view (~150 m; tiles built, then orbit),
  a click at the centre (pick + the window's attribute lookup) and 50
  attribute lookups by id (``LoadedProject.feature``: the store's
  unique-index lookup on a fresh read-only connection);
- ``headless`` (baseline, the floor under the app): the same scene, stage and
  camera with no app around them, off screen (bench_views' ``lod`` case);
- ``eager`` (baseline, the loader before this change): every layer read with
  all columns into GeoDataFrames, the scene built from them; no rendering.

The city demo comes from ``$SUBTERRA_BENCH_CACHE`` (default
~/.cache/subterra-bench) as bench_views makes it (generated when missing:
minutes).  Run: ``python -m tests.benchmarks app_city``
(``SUBTERRA_BENCH_EAGER=0`` skips the eager baseline: minutes and GBs).
The machine is shared: CPU (process time, all threads) is printed next to wall.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
XVFB = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"]


def run_eager(path: str) -> dict:
    """The loader before this change: all layers, all columns, as GeoDataFrames; the scene from them."""
    from gis import layers as registry
    from gis.store import Project
    from tests.benchmarks.common import Clock, peak_rss_mb
    from viewers.scene import build_project_scene

    clock = Clock()
    with Project.open(path, readonly=True) as proj:
        counts = {name: proj.count(name) for name in registry.LAYERS}
        frames = {name: proj.read(name).set_index(registry.get(name).id_field, drop=False)
                  for name, n in counts.items() if n}
        terrain = proj.terrain()
    out = {"read": clock.lap(), "rss_read_mb": peak_rss_mb()}
    build_project_scene(frames, include_sensitive=True, terrain=terrain)
    out["loaded"] = clock.lap()
    out["rss_mb"] = peak_rss_mb()
    return out


def _run(cmd: list[str], env: dict, prefix: str) -> tuple[dict, float]:
    """Run ``cmd``; the JSON after ``prefix`` on its output, and when it started (epoch seconds)."""
    t0 = time.time()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    line = next((l for l in done.stdout.splitlines() if l.startswith(prefix)), None)
    if line is None:
        raise RuntimeError(f"{cmd} failed (exit {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return json.loads(line[len(prefix):]), t0


def _t(pair, ms: bool = False) -> str:
    if ms:
        return f"{pair[0] * 1000:.0f} ms (cpu {pair[1] * 1000:.0f})"
    return f"{pair[0]:.2f} s (cpu {pair[1]:.2f})"


def main() -> None:
    """Print the app's figures on the city demo with the headless and eager baselines."""
    if not os.environ.get("DISPLAY"):
        if not shutil.which("xvfb-run"):
            print("needs a display or xvfb-run")
            return
        subprocess.run(XVFB + [sys.executable, "-m", "tests.benchmarks.bench_app_city"], cwd=ROOT, check=True)
        return
    from tests.benchmarks.bench_views import cached_demo

    path = str(cached_demo("city"))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)          # byte-compiled, as installed
    print(f"machine: {os.cpu_count()} cores, llvmpipe, display {os.environ['DISPLAY']}; load average "
          f"{os.getloadavg()[0]:.1f} at start (wall suffers from other work; cpu = process time, all threads)")
    print(f"city demo: {path}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        env["SUBTERRA_SETTINGS"] = os.path.join(tmp, "settings.ini")
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tmp, "pycache")
        subprocess.run([sys.executable, "-c", "import app.gui.main_window, viewers.qt_view3d, gis.store"],
                       cwd=ROOT, env=env, check=True)        # compile once, not counted
        app, t0 = _run([sys.executable, "-m", "tests.benchmarks.app_probe", "--measure", path], env, "MARKS ")
        if "error" in app:
            raise RuntimeError(f"the app could not open the city: {app['error']}")
        head, _ = _run([sys.executable, "-m", "tests.benchmarks.bench_views", "--worker", "city", "lod"], env,
                       "RESULT ")
        eager = None
        if os.environ.get("SUBTERRA_BENCH_EAGER", "1") != "0":
            eager, _ = _run([sys.executable, "-m", "tests.benchmarks.bench_app_city", "--eager", path], env,
                            "RESULT ")
    at = {k: app[k] - t0 for k in ("window_shown", "views_created", "project_loaded", "frame_2d", "frame_3d")}
    both = max(at["frame_2d"], at["frame_3d"])
    both_cpu = max(app["cpu_frame_2d"], app["cpu_frame_3d"])
    open_wall = both - at["window_shown"]
    open_cpu = both_cpu - app["cpu_window_shown"]
    print("\napp (subterra CITY.gpkg, real main window), seconds from process start:")
    for key in ("window_shown", "views_created", "project_loaded", "frame_3d", "frame_2d"):
        print(f"  {key:<16} {at[key]:7.2f} s (cpu {app['cpu_' + key]:.2f})")
    print(f"  both views drawn {both:7.2f} s (cpu {both_cpu:.2f}); from the open (window shown) "
          f"{open_wall:.2f} s (cpu {open_cpu:.2f}); target first frame < 5 s: {'met' if both < 5 else 'NOT met'}")
    print(f"  peak RSS at first frame {app['rss_first_frame_mb']:.0f} MB, at the end {app['rss_end_mb']:.0f} MB "
          f"(target < 3 GB); GeoDataFrames held: {app['frames_cached'] or 'none'}")
    print(f"  orbit, whole city in view  {_t(app['orbit'], True)} a frame (target < 150 ms)")
    print(f"  street view: tiles built   {_t(app['street_settle'])}; orbit {_t(app['street_orbit'], True)} a frame")
    print(f"  click at the centre        {_t(app['pick'], True)} (pick + attribute lookup + redraw): "
          f"{app['pick_hit']}, panel shows {app.get('panel_id')}")
    print(f"  attribute lookup by id     median {app['lookup_ms'][0]:.1f} ms, max {app['lookup_ms'][1]:.1f} ms "
          f"(50 pipes; target < 20 ms)")
    print("\nheadless baseline (same scene + stage off screen at 1600x1000, no app):")
    print(f"  open -> first frame {_t(head['first_frame'])} (scene {_t(head['scene'])}); orbit "
          f"{_t(head['orbit'], True)}; street orbit {_t(head['street_orbit'], True)}; RSS {head['rss_mb']:.0f} MB")
    print(f"  app / headless: first frame from the open {open_wall / head['first_frame'][0]:.2f}x "
          f"(cpu {open_cpu / head['first_frame'][1]:.2f}x), RSS {app['rss_end_mb'] / head['rss_mb']:.2f}x, "
          f"orbit {app['orbit'][0] / head['orbit'][0]:.2f}x")
    if eager is not None:
        load_wall, load_cpu = at["project_loaded"] - at["window_shown"], app["cpu_project_loaded"] - app[
            "cpu_window_shown"]
        print("\neager baseline (the loader before: every layer, all columns, GeoDataFrames; scene from them):")
        print(f"  read {_t(eager['read'])}, read + scene {_t(eager['loaded'])}; peak RSS {eager['rss_mb']:.0f} MB "
              f"(after the reads {eager['rss_read_mb']:.0f} MB), no rendering")
        print(f"  eager / app: loading {eager['loaded'][0] / load_wall:.1f}x (cpu "
              f"{eager['loaded'][1] / max(load_cpu, 1e-9):.1f}x; the app figure is window shown -> project "
              f"loaded, views included), peak RSS {eager['rss_mb'] / app['rss_end_mb']:.1f}x")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--eager"]:
        print("RESULT " + json.dumps(run_eager(sys.argv[2])), flush=True)
    else:
        main()

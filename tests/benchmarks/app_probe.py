"""Run ``subterra [PROJECT]`` in this process with probes on the main window, for the app benchmarks.

``python -m tests.benchmarks.app_probe [--measure] [PROJECT.gpkg]`` runs
``app.cli.main`` exactly as the ``subterra`` command does.  An import hook
patches the main window when the app imports it, to record (wall since the
epoch and process CPU) when the window is shown, the views exist, each view
(2D map, 3D) first renders with the scene and the project is loaded.  Then
the app quits, or with ``--measure`` first drives the 3D view's camera
(:func:`measure`).  The last line printed is ``MARKS {json}``.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import json
import resource
import sys
import time

ORBIT_FRAMES = 10
PICK_SAMPLES = 50

marks: dict = {"python_up": time.time()}
_measure = False


def rss_mb() -> float:
    """Peak resident set size so far, MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _quit() -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.instance().quit()


def mark(name: str, win=None) -> None:
    """Record ``name`` once; quit (or measure) when both views drew the scene and the project is loaded."""
    if name in marks:
        return
    marks[name] = time.time()
    marks["cpu_" + name] = time.process_time()
    if all(k in marks for k in ("frame_2d", "frame_3d", "project_loaded")) and "done" not in marks:
        marks["done"] = True
        marks["rss_first_frame_mb"] = rss_mb()
        if _measure:
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, lambda: (measure(win, marks), _quit()))
        else:
            _quit()


def measure(win, out: dict) -> None:
    """Orbit the whole city, then a street view, pick at the centre, look attributes up by id."""
    import numpy as np

    from tests.benchmarks.bench_views import street_camera
    from tests.benchmarks.common import orbit

    view = win.view3d
    out["orbit"] = orbit(view.render_window, view.renderer, ORBIT_FRAMES)
    street_camera(view.renderer, view.stage.scene)
    t, c = time.perf_counter(), time.process_time()
    view.stage.settle()
    view.render_window.Render()
    out["street_settle"] = [time.perf_counter() - t, time.process_time() - c]
    out["street_orbit"] = orbit(view.render_window, view.renderer, ORBIT_FRAMES)
    w, h = view.render_window.GetSize()
    t, c = time.perf_counter(), time.process_time()
    out["pick_hit"] = view.pick_at(w // 2, h // 2)          # the window's pick handler fills the panel
    out["pick"] = [time.perf_counter() - t, time.process_time() - c]
    layer, fid = out["pick_hit"]
    if layer:
        from gis import layers as registry

        out["panel_id"] = win.attributes.value(registry.get(layer).id_field)
    tiled = view.stage.scene.tiled.get("pipe_segments")
    ids = tiled.ids if tiled is not None else view.stage.scene.layers["pipe_segments"].ids
    sample = np.random.default_rng(0).choice(ids, min(PICK_SAMPLES, len(ids)), replace=False)
    times = []
    for fid in sample:
        t = time.perf_counter()
        assert win.project.feature("pipe_segments", str(fid))["line_id"] == fid
        times.append(time.perf_counter() - t)
    out["lookup_ms"] = [1000 * float(np.median(times)), 1000 * float(np.max(times))]
    out["frames_cached"] = win.project.frames.cached()
    out["rss_end_mb"] = rss_mb()


def _probe(module) -> None:
    """Patch MainWindow (just imported by the app) to record the marks."""
    cls = module.MainWindow
    init, show = cls.__init__, cls.showEvent

    def frame_probe(win, view, name: str) -> None:
        def on_end(_obj, _event):
            if view.stage.scene is not None:
                mark(name, win)
        view.render_window.AddObserver("EndEvent", on_end)

    def views_ready(win) -> None:
        mark("views_created", win)
        frame_probe(win, win.map2d, "frame_2d")
        frame_probe(win, win.view3d, "frame_3d")

    def failed(message: str) -> None:
        marks["error"] = message
        _quit()

    def patched_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.views_ready.connect(lambda: views_ready(self))
        self.project_loaded.connect(lambda _path: mark("project_loaded", self))
        self.project_failed.connect(failed)

    def patched_show(self, event):
        mark("window_shown")
        show(self, event)

    cls.__init__, cls.showEvent = patched_init, patched_show


class _Hook(importlib.abc.MetaPathFinder):
    """Runs :func:`_probe` on app.gui.main_window right after the app imports it."""

    def find_spec(self, name, path, target=None):
        if name != "app.gui.main_window":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            _probe(module)
        spec.loader.exec_module = exec_module
        return spec


def main(argv: list[str]) -> None:
    global _measure
    _measure = "--measure" in argv
    sys.meta_path.insert(0, _Hook())
    from app.cli import main as subterra

    subterra([a for a in argv if a != "--measure"])
    print("MARKS " + json.dumps(marks, default=str), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

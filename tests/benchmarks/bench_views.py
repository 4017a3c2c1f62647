"""3D view at city scale: open to first frame, orbit frame time and peak RSS, levels of detail vs. whole meshes.

Cases: the ``district`` (~100k pipe segments) and ``city`` (~1M) demos of
gis.demo, cached in ``$SUBTERRA_BENCH_CACHE`` (default
~/.cache/subterra-bench; the city takes minutes to generate).  Each case
and mode runs in a fresh subprocess so that peak RSS is its own:

- ``lod``: build_project_scene with levels of detail (the default);
- ``whole``: the same scene with one exact mesh per layer (``lod_min=None``,
  what the views drew before), the baseline;
- ``naive``: one vtkTubeFilter actor per pipe on the first 10k segments of
  the case (bench_render.naive_view), extrapolated linearly.

Per run: open (Project.open + scene + stage) to first frame at 1600x1000,
orbit frame time over the whole city (3 degrees a frame), then a street
view (~150 m away): tiles built (``settle``) and orbit there; wall and
process CPU (all threads: llvmpipe renders on two).  Then ``subterra
render`` per view on the city, with the whole-mesh render as baseline.

Run: ``python -m tests.benchmarks views`` (``SUBTERRA_BENCH_CASES=district``
limits the cases).  The machine is shared: read the CPU figures next to wall.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.common import Clock, offscreen_machine, orbit, peak_rss_mb

SIZE = (1600, 1000)
ORBIT_FRAMES = {"lod": 10, "whole": 3, "naive": 3}
STREET_DISTANCE_M = 150.0


def cached_demo(size: str) -> Path:
    """The demo project of ``size``, generated once into the bench cache."""
    from gis.demo import DEMO_VERSION, build

    folder = Path(os.environ.get("SUBTERRA_BENCH_CACHE", Path.home() / ".cache" / "subterra-bench"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo-{size}-v{DEMO_VERSION}.gpkg"
    if not path.exists():
        tmp = path.with_suffix(".part.gpkg")
        tmp.unlink(missing_ok=True)
        t = time.perf_counter()
        build(tmp, size).close()
        tmp.rename(path)
        print(f"  generated {path} in {time.perf_counter() - t:.0f} s", flush=True)
    return path


def street_camera(renderer, scene) -> None:
    """Look at the middle of the city from STREET_DISTANCE_M away, 35 degrees down."""
    import math

    cam = renderer.GetActiveCamera()
    focal = list(scene.to_local(*scene.origin[:2], scene.origin[2] - 2.0))
    el, az = math.radians(35.0), math.radians(210.0)
    d = STREET_DISTANCE_M
    cam.SetFocalPoint(*focal)
    cam.SetPosition(focal[0] + d * math.sin(az) * math.cos(el), focal[1] + d * math.cos(az) * math.cos(el),
                    focal[2] + d * math.sin(el))
    cam.SetViewUp(0, 0, 1)
    renderer.ResetCameraClippingRange()


def run_view(path: str, mode: str) -> dict:
    """Open ``path`` and measure one mode (runs inside the worker subprocess)."""
    import geopandas  # noqa: F401 - the app has these loaded before a project opens
    import pyogrio  # noqa: F401
    from gis.store import Project
    from viewers import camera
    from viewers.offscreen import offscreen_stage
    from viewers.scene import build_project_scene

    out: dict = {}
    clock = Clock()
    with Project.open(path, readonly=True) as proj:
        scene = build_project_scene(proj, **({"lod_min": None} if mode == "whole" else {}))
    out["scene"] = clock.lap()
    window, stage = offscreen_stage(scene, SIZE, "shaded")
    renderer = stage.renderer
    camera.orbit(renderer, stage.visible_bounds(), 210.0, 35.0)
    window.Render()
    out["first_frame"] = clock.lap()
    out["cells_drawn"] = sum(m.n_cells for m in scene.meshes()) + sum(
        m.n_cells for m in stage.shown_tiles().values())
    out["orbit"] = orbit(window, renderer, ORBIT_FRAMES[mode])
    pick = Clock()
    out["pick_hit"] = stage.pick(SIZE[0] / 2, SIZE[1] / 2)
    out["pick"] = pick.lap()
    street_camera(renderer, scene)
    settle = Clock()
    stage.settle()
    window.Render()
    out["street_settle"] = settle.lap()
    out["street_levels"] = sorted({k[1] for k in stage.shown_tiles()})
    out["street_orbit"] = orbit(window, renderer, ORBIT_FRAMES[mode])
    out["tiled"] = {k: v.n_parts for k, v in scene.tiled.items()}
    stage.close()
    window.Finalize()
    out["rss_mb"] = peak_rss_mb()
    return out


def run_naive(path: str, n: int = 10_000) -> dict:
    """The naive one-actor-per-pipe baseline on the first ``n`` segments."""
    from gis.store import Project
    from tests.benchmarks.bench_render import frame_times, naive_view

    with Project.open(path, readonly=True) as proj:
        segs = proj.read("pipe_segments", columns=["line_id", "utility", "subtype", "diameter_mm"],
                         where=f"fid <= {n}")
    import numpy as np
    import shapely

    origin = np.floor(shapely.get_coordinates(segs.geometry.values, include_z=True).mean(axis=0))
    clock = Clock()
    window, ren = naive_view(segs, origin)
    build = clock.lap()
    first, steady = frame_times(window, ren, ORBIT_FRAMES["naive"])
    window.Finalize()
    return {"n": len(segs), "build": build, "first_frame": list(first), "orbit": list(steady),
            "rss_mb": peak_rss_mb()}


def run_renders(path: str) -> dict:
    """`subterra render` per view at 1600x1000 (fresh process each), and the whole-mesh API render."""
    import geopandas  # noqa: F401

    from gis.store import Project
    from viewers.render import RenderSpec, render_scene
    from viewers.scene import build_project_scene

    with Project.open(path, readonly=True) as proj:
        x0, y0, x1, y1 = proj.extent("pipe_segments")
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    bbox = f"{cx - 200},{cy - 125},{cx + 200},{cy + 125}"
    cut = f"LINESTRING ({cx - 200} {cy}, {cx + 200} {cy})"
    views = {"top": [], "side": [], "3d": [], "top --bbox 400x250 m": ["--bbox", bbox],
             "3d --bbox 400x250 m": ["--view", "3d", "--bbox", bbox], "section 400 m": ["--view", "section",
                                                                                         "--wkt", cut]}
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, extra in views.items():
            view = ["--view", label.split()[0]] if not extra or extra[0] != "--view" else []
            cmd = [sys.executable, "-m", "app", "render", str(path), "--out", f"{tmp}/v.png", *view, *extra]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).parents[2])
            wall = time.perf_counter() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            out[label] = {"wall": wall, "cpu": cpu, "rc": done.returncode, "err": done.stderr.strip()[-200:]}
        for view in ("top", "3d"):
            clock = Clock()
            with Project.open(path, readonly=True) as proj:
                spec = RenderSpec(view=view, size=SIZE)
                spec.check()
                render_scene(build_project_scene(proj, spec.layers, lod_min=None,
                                                 with_ground=spec.opacity > 0), spec)
            wall, cpu = clock.lap()
            out[f"{view} whole meshes (API)"] = {"wall": wall, "cpu": cpu}
    return out


# ------------------------------------------------------------------ report
def _worker(case: str, mode: str) -> dict:
    cmd = [sys.executable, "-m", "tests.benchmarks.bench_views", "--worker", case, mode]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).parents[2])
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"worker {case} {mode} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")


def _t(pair, ms: bool = False) -> str:
    if ms:
        return f"{pair[0] * 1000:.0f} ms (cpu {pair[1] * 1000:.0f})"
    return f"{pair[0]:.2f} s (cpu {pair[1]:.2f})"


def main() -> None:
    cases = os.environ.get("SUBTERRA_BENCH_CASES", "district,city").split(",")
    print(offscreen_machine(SIZE), flush=True)
    for case in cases:
        path = cached_demo(case)
        res = {mode: _worker(case, mode) for mode in ("lod", "whole", "naive")}
        lod, whole, naive = res["lod"], res["whole"], res["naive"]
        print(f"\n{case}: {path.name}, tiled {lod['tiled']}", flush=True)
        rows = (("open -> first frame", "first_frame", False), ("  of which scene", "scene", False),
                ("orbit, whole city in view", "orbit", True), ("street view: tiles built", "street_settle", False),
                ("street view orbit", "street_orbit", True), ("pick", "pick", True))
        for label, key, ms in rows:
            ratio = whole[key][0] / max(lod[key][0], 1e-9), whole[key][1] / max(lod[key][1], 1e-9)
            print(f"  {label:<28} LOD {_t(lod[key], ms):<28} whole meshes {_t(whole[key], ms):<28} "
                  f"ratio {ratio[0]:.1f}x (cpu {ratio[1]:.1f}x)")
        print(f"  {'peak RSS':<28} LOD {lod['rss_mb']:.0f} MB{'':<20} whole meshes {whole['rss_mb']:.0f} MB"
              f"{'':<16} ratio {whole['rss_mb'] / lod['rss_mb']:.1f}x")
        print(f"  cells drawn in the first frame: LOD {lod['cells_drawn']:,}, whole {whole['cells_drawn']:,}; "
              f"street levels {lod['street_levels']}; pick at centre {lod['pick_hit']}")
        scale = lod["tiled"].get("pipe_segments", naive["n"])
        k = scale / naive["n"]
        print(f"  naive actor per pipe, {naive['n']:,} segments: build {_t(naive['build'])}, first frame "
              f"{_t(naive['first_frame'])}, orbit {_t(naive['orbit'], True)}/frame, RSS {naive['rss_mb']:.0f} MB; "
              f"x{k:.0f} to {scale:,} segments: ~{(naive['build'][0] + naive['first_frame'][0]) * k / 60:.0f} min "
              f"to first frame ({(naive['build'][0] + naive['first_frame'][0]) * k / lod['first_frame'][0]:.0f}x LOD), "
              f"~{naive['orbit'][0] * k:.0f} s a frame ({naive['orbit'][0] * k / lod['orbit'][0]:.0f}x LOD)",
              flush=True)
    if "city" in cases:
        print("\nsubterra render, city demo, 1600x1000 (fresh process each, LOD):", flush=True)
        renders = _worker("city", "render")
        for label, r in renders.items():
            extra = f", exit {r['rc']}: {r['err']}" if r.get("rc") else ""
            print(f"  {label:<28} {r['wall']:.1f} s (cpu {r['cpu']:.1f}){extra}")
        for view in ("top", "3d"):
            base = renders[f"{view} whole meshes (API)"]
            print(f"  {view}: whole meshes / LOD = {base['wall'] / renders[view]['wall']:.1f}x wall, "
                  f"{base['cpu'] / renders[view]['cpu']:.1f}x cpu (the LOD figure includes process start)")


def _worker_main(argv: list[str]) -> None:
    case, mode = argv
    path = str(cached_demo(case))
    result = run_renders(path) if mode == "render" else run_naive(path) if mode == "naive" else run_view(path, mode)
    print("RESULT " + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        _worker_main(sys.argv[2:])
    else:
        main()

"""3D view frame rate on a real GPU (TARGETS.md: "3D, 1M segments, a real GPU: 60 frames/s").

What bench_views measures for its ``lod`` mode on the city demo (~1M pipe
segments) -- first frame, orbit over the whole city (3 degrees a frame),
street view (~150 m away) built and orbited, 1600x1000 off screen -- drawn
through viewers.offscreen's EGL window on whatever OpenGL it gets; the
GL_RENDERER it got is printed.  Orbits run a full turn (120 frames), timed
twice: each frame finished on the GPU (glFinish via WaitForCompletion, the
figure to read) and pipelined (Render() returning, as bench_views times it).
On a software renderer it only says so, unless ``SUBTERRA_BENCH_ANY_GL=1``.

The scene is built from bench_views.cached_demo("city"), or, where the geo
stack or the demo is missing (a GPU machine), loaded from a dump named by
``SUBTERRA_GPU_SCENE``, made beforehand on a machine that has them::

    python -m tests.benchmarks.bench_views_gpu --dump /tmp/city-scene.pkl.xz

The dump holds the merged meshes and, per tiled layer, the builder's parts,
ids, colours and utilities; the tiles and their overview are rebuilt from
them (TiledLayer) and counted in "scene".

How it ran on the device machine (one NVIDIA H100 80GB HBM3, driver
580.159.04, 16 cores, Python 3.12 with numpy and pandas; carried in an
ignored ``.gpubench/``: VTK 9.7.2's cp312 wheel cut to the 72 libraries
these modules load, stripped (34 MB as .tar.xz), shapely 2.2.0's wheel,
Debian's libglvnd .debs, the dump (13 MB))::

    for f in .gpubench/gl/*.deb; do dpkg -x $f /; done; ldconfig
    export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
    tar -xJf .gpubench/vtksub.tar.xz -C /tmp/site; pip install --target /tmp/site .gpubench/shapely-*.whl
    PYTHONPATH=/tmp/site:. SUBTERRA_GPU_SCENE=.gpubench/city-scene.pkl.xz python3 -m tests.benchmarks bench_views_gpu

Figures: first measured at 29-32 ms a frame (31-35 frames/s) with cpu =
wall: the CPU bound the frame (rendering alone ~3 ms; the LOD plan, mostly
TiledLayer.cost re-summing ~1M parts 8 times a frame, ~15 ms).  With the
per-level cost computed once (2 runs, same dump): GL_RENDERER "NVIDIA H100
80GB HBM3/PCIe/SSE2"; first render 0.06-0.11 s after a 4.8-7.3 s scene;
orbit over the whole city 12.1-15.6 ms a frame (64-83 frames/s; pipelined
11.3-12.2 ms), street orbit 12.3-13.2 ms (76-81 frames/s); peak RSS
771-925 MB.  llvmpipe on the 2-core dev machine, same dump, before the fix:
orbit 187 ms, street 93 ms.
"""
from __future__ import annotations

import io
import lzma
import os
import pickle
import sys
import time

from tests.benchmarks.bench_views import SIZE, cached_demo, street_camera
from tests.benchmarks.common import Clock, orbit, peak_rss_mb

FRAMES = 120        # a full turn at 3 degrees a frame
SOFTWARE = ("llvmpipe", "softpipe", "swrast", "software")


class Finished:
    """A render window whose Render() returns once the GPU has finished the frame."""

    def __init__(self, window) -> None:
        self.window = window

    def Render(self) -> None:  # noqa: N802 - the VTK name common.orbit calls
        self.window.Render()
        self.window.WaitForCompletion()


def gl_renderer(window) -> str:
    """The GL_RENDERER line of the window's capabilities (after a first render)."""
    lines = window.ReportCapabilities().splitlines()
    return next((ln.split(":", 1)[1].strip() for ln in lines if "renderer string" in ln), "unknown")


def dump_scene(path: str) -> None:
    """Build the city demo's scene and write what :func:`load_scene` needs to rebuild it."""
    import numpy as np

    from viewers.scene import build_project_scene
    from viewers.scene.cache import _polydata_arrays

    scene = build_project_scene(str(cached_demo("city")))
    meshes = []
    for m in scene.meshes():
        buf = io.BytesIO()
        np.savez(buf, **_polydata_arrays(m.polydata, "m/"))
        meshes.append((m.layer, buf.getvalue(), m.ids, m.utility))
    data = {"origin": scene.origin, "exaggeration": scene.exaggeration, "ground": scene.ground is not None,
            "meshes": meshes,
            "tiled": [(k, t.parts, t.ids, t.colours, t.utility) for k, t in scene.tiled.items()]}
    with lzma.open(path, "wb") as fh:
        pickle.dump(data, fh, protocol=5)


def load_scene(path: str):
    """The ProjectScene :func:`dump_scene` wrote (tiles rebuilt by TiledLayer)."""
    import numpy as np

    from viewers.scene import BUILDERS, LayerMesh, ProjectScene
    from viewers.scene.cache import _polydata
    from viewers.scene.tiled import TiledLayer

    with lzma.open(path, "rb") as fh:
        data = pickle.load(fh)
    meshes = [LayerMesh(name, _polydata(np.load(io.BytesIO(raw)), "m/"), ids, utility)
              for name, raw, ids, utility in data["meshes"]]
    ground = meshes.pop() if data["ground"] else None
    tiled = {name: TiledLayer(name, BUILDERS[name], parts, ids, colours, utility)
             for name, parts, ids, colours, utility in data["tiled"]}
    return ProjectScene(data["origin"], {m.layer: m for m in meshes}, ground, data["exaggeration"], tiled=tiled)


def measure(window, scene) -> dict:
    """First frame, orbits and street view of ``scene`` in ``window`` (bench_views.run_view's steps)."""
    from vtkmodules.vtkRenderingCore import vtkRenderer

    from viewers import camera
    from viewers.stage import Stage

    out: dict = {}
    clock = Clock()
    renderer = vtkRenderer()
    window.AddRenderer(renderer)
    stage = Stage(renderer, "shaded")
    stage.set_scene(scene)
    camera.orbit(renderer, stage.visible_bounds(), 210.0, 35.0)
    Finished(window).Render()
    out["first render"] = clock.lap()
    out["cells"] = sum(m.n_cells for m in scene.meshes()) + sum(m.n_cells for m in stage.shown_tiles().values())
    out["orbit"] = orbit(Finished(window), renderer, FRAMES)
    out["orbit, pipelined"] = orbit(window, renderer, FRAMES)
    street_camera(renderer, scene)
    clock = Clock()
    stage.settle()
    Finished(window).Render()
    out["street: tiles built"] = clock.lap()
    out["street levels"] = sorted({k[1] for k in stage.shown_tiles()})
    out["street orbit"] = orbit(Finished(window), renderer, FRAMES)
    out["street orbit, pipelined"] = orbit(window, renderer, FRAMES)
    stage.close()
    return out


def main() -> None:
    from viewers.offscreen import offscreen_window

    window = offscreen_window(*SIZE)
    window.Render()
    renderer = gl_renderer(window)
    print(f"GL_RENDERER: {renderer}; {os.cpu_count()} cores; {SIZE[0]}x{SIZE[1]} off screen", flush=True)
    if any(s in renderer.lower() for s in SOFTWARE) and os.environ.get("SUBTERRA_BENCH_ANY_GL") != "1":
        print("  software OpenGL: no GPU here, nothing measured (SUBTERRA_BENCH_ANY_GL=1 measures anyway)")
        window.Finalize()
        return
    path = os.environ.get("SUBTERRA_GPU_SCENE")
    clock = Clock()
    if path:
        scene = load_scene(path)
    else:
        from viewers.scene import build_project_scene

        scene = build_project_scene(str(cached_demo("city")))
    built = clock.lap()
    res = measure(window, scene)
    window.Finalize()
    print(f"city: tiled {{{', '.join(f'{k}: {v.n_parts:,}' for k, v in scene.tiled.items())}}}; "
          f"cells in the first frame {res.pop('cells'):,}; street levels {res.pop('street levels')}")
    print(f"  {'scene' + (' (from dump)' if path else ''):<28} {built[0]:.2f} s (cpu {built[1]:.2f})")
    for label, (wall, cpu) in res.items():
        if "orbit" in label:
            print(f"  {label:<28} {wall * 1000:.1f} ms/frame (cpu {cpu * 1000:.1f}) = {1 / wall:.0f} frames/s")
        else:
            print(f"  {label:<28} {wall:.2f} s (cpu {cpu:.2f})")
    print(f"  peak RSS {peak_rss_mb():.0f} MB", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--dump"]:
        t = time.perf_counter()
        dump_scene(sys.argv[2])
        print(f"wrote {sys.argv[2]} ({os.path.getsize(sys.argv[2]) / 2**20:.1f} MiB) in {time.perf_counter() - t:.0f} s")
    else:
        main()

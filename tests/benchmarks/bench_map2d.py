"""2D map tools at city scale: symbols, scale bar, per-utility hiding, box selection, highlight.

Cases: the ``district`` and ``city`` demos (tests.benchmarks.bench_views.cached_demo),
each in a fresh subprocess (its own peak RSS).  A map stage (Stage "map",
1600x1000 off screen) over the LOD scene, the way Map2D draws:

- symbols: ``symbol_points`` of every pipe point (the worker's job), then
  the frame time at street scale (0.2 m a pixel, panning 5 px a frame) with
  the symbol layer against the same frames without it (baseline);
- scale bar and north arrow: overview frame time with and without them;
- hiding water supply: ``set_utility_visible`` + the next frame, at street
  scale and at the overview, against a plain frame of the same view;
- box selection: ``gis.selection.features_in_box`` over a 300 m box of
  segments and points (every geometry against the prepared box), then
  another box, against geopandas' spatial index (``sindex.query``: the
  first query builds it, the next reuses it), the baseline; the selection
  highlighted (``select_many``) and its frame.

Run: ``python -m tests.benchmarks map2d`` (``SUBTERRA_BENCH_CASES=district``
limits the cases).  The machine is shared: CPU figures are process time.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from tests.benchmarks.common import offscreen_machine

SIZE = (1600, 1000)
FRAMES = 10
STREET_MPP = 0.2
BOX_M = 300.0


def _t(f) -> str:
    return f"{f[0] * 1000:7.1f} ms (cpu {f[1] * 1000:6.1f})"


def _run(case: str) -> dict:
    """Every figure of one case (in this process)."""
    import shapely

    from gis.selection import features_in_box
    from gis.store import Project
    from tests.benchmarks.bench_views import cached_demo
    from tests.benchmarks.common import Clock, peak_rss_mb
    from viewers import camera
    from viewers.map_overlays import MapDecorations
    from viewers.map_symbols import SymbolLayer, symbol_points
    from viewers.offscreen import offscreen_stage
    from viewers.scene import build_project_scene

    out: dict = {}
    path = cached_demo(case)
    clock = Clock()
    with Project.open(path, readonly=True) as proj:
        frames = {layer: proj.read(layer) for layer in ("pipe_segments", "pipe_points")}
        out["read"] = clock.lap()
        clock = Clock()
        scene = build_project_scene(proj)
        out["scene"] = clock.lap()
    out["n"] = {k: len(v) for k, v in frames.items()}
    window, stage = offscreen_stage(scene, SIZE, "map", ground_opacity=0.0)
    ren = stage.renderer
    clock = Clock()
    points = symbol_points(frames["pipe_points"], scene.origin)
    out["symbol_points"] = clock.lap()
    xmin, ymin, xmax, ymax = frames["pipe_segments"].total_bounds
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    lx, ly, _ = scene.to_local(cx, cy)

    def frames_at(width_m: float, pan: bool = True) -> list[float]:
        camera.top(ren, (lx, ly), width_m, SIZE, stage.visible_bounds())
        stage.settle()
        window.Render()
        cam = ren.GetActiveCamera()
        step = width_m / SIZE[0] * 5
        c = Clock()
        for _ in range(FRAMES):
            if pan:
                f, p = cam.GetFocalPoint(), cam.GetPosition()
                cam.SetFocalPoint(f[0] + step, f[1], f[2])
                cam.SetPosition(p[0] + step, p[1], p[2])
            window.Render()
        return [v / FRAMES for v in c.lap()]

    street, overview = STREET_MPP * SIZE[0], (xmax - xmin) * 1.05
    out["street_plain"] = frames_at(street)
    symbols = SymbolLayer(ren)
    symbols.set_points(points)
    out["street_symbols"] = frames_at(street)
    out["symbols_drawn"] = int(len(symbols.drawn))
    symbols.set_visible(False)
    out["overview_plain"] = frames_at(overview, pan=False)
    deco = MapDecorations(ren)
    out["overview_deco"] = frames_at(overview, pan=False)
    deco.remove()
    for name, width in (("street", street), ("overview", overview)):
        frames_at(width, pan=False)
        c = Clock()
        window.Render()
        out[f"{name}_frame"] = c.lap()
        c = Clock()
        stage.set_utility_visible("JS", False)
        stage.settle()
        window.Render()
        out[f"{name}_hide"] = c.lap()
        c = Clock()
        stage.set_utility_visible("JS", True)
        stage.settle()
        window.Render()
        out[f"{name}_show"] = c.lap()
    box = (cx - BOX_M / 2, cy - BOX_M / 2, cx + BOX_M / 2, cy + BOX_M / 2)
    c = Clock()
    first = features_in_box(frames, box)
    out["box_first"] = c.lap()
    box2 = (box[0] + BOX_M, box[1], box[2] + BOX_M, box[3])
    c = Clock()
    features_in_box(frames, box2)
    out["box_next"] = c.lap()
    c = Clock()
    area = shapely.box(*box)
    indexed = {layer: f.sindex.query(area, predicate="intersects") for layer, f in frames.items()}
    out["box_index_first"] = c.lap()
    c = Clock()
    for f in frames.values():
        f.sindex.query(shapely.box(*box2), predicate="intersects")
    out["box_index_next"] = c.lap()
    assert {k: len(v) for k, v in indexed.items() if len(v)} == {k: len(v) for k, v in first.items()}
    out["selected"] = {k: len(v) for k, v in first.items()}
    camera.top(ren, (lx, ly), BOX_M * 1.2, SIZE, stage.visible_bounds())
    stage.settle()
    c = Clock()
    stage.select_many(first)
    window.Render()
    out["highlight"] = c.lap()
    out["rss_mb"] = peak_rss_mb()
    window.Finalize()
    return out


def main() -> None:
    cases = os.environ.get("SUBTERRA_BENCH_CASES", "district,city").split(",")
    print(offscreen_machine(SIZE), flush=True)
    for case in cases:
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", f"import json, tests.benchmarks.bench_map2d as b; "
                               f"print('RESULT', json.dumps(b._run({case!r})))"],
                              capture_output=True, text=True, check=True)
        r = json.loads(proc.stdout.split("RESULT", 1)[1])
        print(f"\n{case}: {r['n']['pipe_segments']:,} segments, {r['n']['pipe_points']:,} points "
              f"(read {r['read'][0]:.1f} s, LOD scene {r['scene'][0]:.1f} s; run {time.perf_counter() - t:.0f} s)")
        rows = (
            ("symbol_points (worker)", r["symbol_points"], None),
            (f"street frame, {r['symbols_drawn']:,} symbols", r["street_symbols"], r["street_plain"]),
            ("overview frame, scale bar + arrow", r["overview_deco"], r["overview_plain"]),
            ("hide JS + frame, street", r["street_hide"], r["street_frame"]),
            ("show JS + frame, street", r["street_show"], r["street_frame"]),
            ("hide JS + frame, overview", r["overview_hide"], r["overview_frame"]),
            ("show JS + frame, overview", r["overview_show"], r["overview_frame"]),
            (f"box select {BOX_M:.0f} m, first", r["box_first"], r["box_index_first"]),
            ("box select, next box", r["box_next"], r["box_index_next"]),
            (f"highlight {sum(r['selected'].values()):,} + frame", r["highlight"], None),
        )
        for label, fig, base in rows:
            line = f"  {label:<36} {_t(fig)}"
            if base is not None:
                line += f"   baseline {_t(base)}   ratio {fig[0] / max(base[0], 1e-9):.2f}x"
            print(line)
        print("  baselines: frames without symbols / furniture, a plain frame, geopandas sindex (built by "
              f"its first query); peak RSS {r['rss_mb']:.0f} MB", flush=True)

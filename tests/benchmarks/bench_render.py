"""3D scene and render benchmark on a synthetic district (~100k pipe segments), with baselines.

Figures printed:
- scene build (store read + numpy meshes) and the vtkTubeFilter baseline on the same lines;
- first frame, steady orbit frame time and peak RSS of a 1600x1000 off-screen 3D view;
- `subterra render` time of each view at 1600x1000;
- the naive one-actor-per-feature baseline at 10k segments against the merged scene, as a ratio.

Run: ``python -m tests.benchmarks render`` (``SUBTERRA_BENCH_SEGMENTS=N`` changes the size).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from tests.benchmarks.common import Clock, orbit, peak_rss_mb

X0, Y0 = 500_000.0, 3_400_000.0
UTILITIES = [("DL", "rect", 800, 500, 0.8), ("TX", "rect", 600, 400, 0.8), ("JS", "circle", 300, 0, 1.2),
             ("RQ", "circle", 200, 0, 1.1), ("RL", "circle", 400, 0, 1.3), ("JS", "circle", 800, 0, 1.5),
             ("WS", "circle", 600, 0, 3.0), ("YS", "circle", 1000, 0, 2.5), ("ZS", "circle", 150, 0, 1.0),
             ("RQ", "circle", 400, 0, 1.4)]


def district(n_segments: int, seed: int = 7):
    """Road-grid pipes (two-point LineString Z) with manholes: GeoDataFrames for the store."""
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    roads, spacing = 21, 150.0
    length = (roads - 1) * spacing
    runs_total = 2 * roads * len(UTILITIES)
    per_run = max(1, int(round(n_segments / runs_total)))
    step = length / per_run
    t = np.arange(per_run) * step
    rows = []
    for axis in (0, 1):
        for r in range(roads):
            road = r * spacing
            for k, (util, shape, w, h, cover) in enumerate(UTILITIES):
                off = road - 12 + 2.6 * k
                a = np.column_stack([t, np.full(per_run, off)])
                b = np.column_stack([t + step, np.full(per_run, off)])
                if axis:
                    a, b = a[:, ::-1], b[:, ::-1]
                rows.append((util, shape, w, h, cover, a, b))
    n = sum(len(r[5]) for r in rows)
    a = np.concatenate([r[5] for r in rows]) + (X0, Y0)
    b = np.concatenate([r[6] for r in rows]) + (X0, Y0)
    util = np.concatenate([[r[0]] * len(r[5]) for r in rows])
    shape = np.concatenate([[r[1]] * len(r[5]) for r in rows])
    size_w = np.concatenate([[float(r[2])] * len(r[5]) for r in rows])
    size_h = np.concatenate([[float(r[3])] * len(r[5]) for r in rows])
    cover = np.concatenate([[r[4]] * len(r[5]) for r in rows]) + rng.uniform(0, 0.3, n)
    rect = shape == "rect"
    half = np.where(rect, size_h, size_w) / 2000
    za = 4.0 - cover - half
    zb = za - rng.uniform(0, 0.03, n)
    coords = np.stack([np.column_stack([a, za]), np.column_stack([b, zb])], axis=1)
    lines = shapely.linestrings(coords)
    segs = gpd.GeoDataFrame({
        "line_id": [f"L{i}" for i in range(n)], "utility": util, "shape": shape,
        "diameter_mm": np.where(rect, np.nan, size_w), "width_mm": np.where(rect, size_w, np.nan),
        "height_mm": np.where(rect, size_h, np.nan)}, geometry=lines, crs="EPSG:4549")
    wells = np.flatnonzero((util == "WS") | (util == "YS"))[::2]
    pts = gpd.GeoDataFrame({
        "point_id": [f"M{i}" for i in wells], "utility": util[wells], "appurtenance": "检查井",
        "well_depth": cover[wells] + 1.0},
        geometry=shapely.points(np.column_stack([a[wells], np.full(len(wells), 4.0)])), crs="EPSG:4549")
    return segs, pts, length


def make_project(path: Path, n_segments: int):
    from affine import Affine

    from gis.store import Project

    segs, pts, length = district(n_segments)
    proj = Project.create(path)
    with proj.transaction() as txn:
        txn.insert("pipe_segments", segs)
        txn.insert("pipe_points", pts)
    cells = int(length / 5) + 8
    gy, gx = np.mgrid[0:cells, 0:cells]
    elev = 4.0 + 0.8 * np.sin(gx / 37.0) * np.cos(gy / 53.0)
    proj.set_terrain(elev, Affine(5.0, 0, X0 - 20, 0, -5.0, Y0 + length + 20), "bench")
    return proj, segs


def fmt(t: tuple[float, float], per: int = 1, ms: bool = False) -> str:
    k = 1000 if ms else 1
    unit = "ms" if ms else "s"
    return f"{t[0] * k / per:.{0 if ms else 2}f} {unit} (cpu {t[1] * k / per:.{0 if ms else 2}f})"


def frame_times(window, renderer, frames: int = 10) -> tuple[tuple[float, float], tuple[float, float]]:
    """((wall, cpu) of the first frame, (wall, cpu) per next frame) orbiting 3 degrees a frame."""
    clock = Clock()
    window.Render()
    first = clock.lap()
    return first, orbit(window, renderer, frames)


def merged_view(scene, size=(1600, 1000)):
    """(window, renderer, stage) of ``scene`` shaded, seen from the south-west 35 degrees down."""
    from viewers import camera
    from viewers.offscreen import offscreen_stage

    window, stage = offscreen_stage(scene, size, "shaded")
    camera.orbit(stage.renderer, stage.visible_bounds(), 210.0, 35.0)
    return window, stage.renderer, stage


def single_actor_view(polydata, size=(1600, 1000)):
    """A baseline polydata in one actor, camera as the merged view."""
    from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper, vtkRenderer

    from viewers import camera
    from viewers.offscreen import offscreen_window

    window = offscreen_window(*size)
    ren = vtkRenderer()
    window.AddRenderer(ren)
    mapper = vtkPolyDataMapper()
    mapper.SetInputData(polydata)
    mapper.ScalarVisibilityOff()
    actor = vtkActor()
    actor.SetMapper(mapper)
    ren.AddActor(actor)
    camera.orbit(ren, polydata.GetBounds(), 210.0, 35.0)
    return window, ren


def naive_view(segs, origin, size=(1600, 1000)):
    """Baseline: one vtkLineSource + vtkTubeFilter + mapper + actor per pipe (what not to do)."""
    import shapely
    from vtkmodules.vtkFiltersCore import vtkTubeFilter
    from vtkmodules.vtkFiltersSources import vtkLineSource
    from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper, vtkRenderer

    from viewers.offscreen import offscreen_window
    from viewers.styles import feature_colours

    window = offscreen_window(*size)
    ren = vtkRenderer()
    window.AddRenderer(ren)
    coords = shapely.get_coordinates(segs.geometry.values, include_z=True).reshape(-1, 2, 3) - origin
    radius = np.nan_to_num(segs["diameter_mm"].to_numpy(), nan=500.0) / 2000
    colours = feature_colours("pipe_segments", segs) / 255.0
    for (p, q), r, c in zip(coords, radius, colours):
        src = vtkLineSource()
        src.SetPoint1(*p)
        src.SetPoint2(*q)
        tube = vtkTubeFilter()
        tube.SetInputConnection(src.GetOutputPort())
        tube.SetRadius(r)
        tube.SetNumberOfSides(8)
        mapper = vtkPolyDataMapper()
        mapper.SetInputConnection(tube.GetOutputPort())
        actor = vtkActor()
        actor.SetMapper(mapper)
        actor.GetProperty().SetColor(*c)
        ren.AddActor(actor)
    ren.ResetCamera()
    ren.GetActiveCamera().Elevation(35)
    return window, ren


def tubefilter_build(segs, origin):
    """Baseline build: all lines in one polydata through vtkTubeFilter (8 sides, radius per line)."""
    import shapely
    from vtkmodules.util.numpy_support import numpy_to_vtk, numpy_to_vtkIdTypeArray
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
    from vtkmodules.vtkFiltersCore import vtkTubeFilter

    clock = Clock()
    pts = shapely.get_coordinates(segs.geometry.values, include_z=True) - origin
    n = len(pts) // 2
    pd = vtkPolyData()
    vp = vtkPoints()
    vp.SetData(numpy_to_vtk(pts.astype(np.float32), deep=True))
    pd.SetPoints(vp)
    lines = vtkCellArray()
    lines.SetData(numpy_to_vtkIdTypeArray(np.arange(0, 2 * n + 1, 2, dtype=np.int64), deep=True),
                  numpy_to_vtkIdTypeArray(np.arange(2 * n, dtype=np.int64), deep=True))
    pd.SetLines(lines)
    radius = numpy_to_vtk(np.repeat(np.nan_to_num(segs["diameter_mm"].to_numpy(), nan=600.0) / 2000, 2))
    radius.SetName("r")
    pd.GetPointData().SetScalars(radius)
    tube = vtkTubeFilter()
    tube.SetInputData(pd)
    tube.SetNumberOfSides(8)
    tube.SetVaryRadiusToVaryRadiusByAbsoluteScalar()
    tube.Update()
    return clock.lap(), tube.GetOutput()


def main() -> None:
    import shapely

    from gis.store import Project
    from viewers.render import RenderSpec, build_scene, render_scene
    from viewers.scene import build_project_scene

    n = int(os.environ.get("SUBTERRA_BENCH_SEGMENTS", "100000"))
    print(f"machine: {os.cpu_count()} cores, llvmpipe; load average at start {os.getloadavg()[0]:.1f} "
          "(wall times suffer from other work; cpu = process time of all threads)")
    with tempfile.TemporaryDirectory() as tmp:
        clock = Clock()
        proj, segs = make_project(Path(tmp) / "district.gpkg", n)
        proj.close()
        print(f"synthetic district: {len(segs):,} segments written in {fmt(clock.lap())}")
        proj = Project.open(Path(tmp) / "district.gpkg", readonly=True)

        clock = Clock()
        gdf = proj.read("pipe_segments", columns=["line_id", "utility", "shape", "diameter_mm", "width_mm",
                                                   "height_mm"])
        read_t = clock.lap()
        clock = Clock()
        scene = build_project_scene(proj)
        build_t = clock.lap()
        cells = sum(m.n_cells for m in scene.meshes()) + sum(
            tl.overview_cells for tl in scene.tiled.values())
        clock = Clock()
        pipes_only = build_project_scene({"pipe_segments": gdf}, with_ground=False, lod_min=None)
        pipes_t = clock.lap()
        tube_t, tube_pd = tubefilter_build(gdf, scene.origin)
        print(f"scene build, whole project (read + meshes + ground; tiled: {sorted(scene.tiled)}): "
              f"{fmt(build_t)}, {cells:,} cells drawn at first")
        print(f"  pipe_segments read {fmt(read_t)}; pipe meshes from the frame {fmt(pipes_t)} "
              f"({pipes_only.layers['pipe_segments'].n_cells:,} cells)")
        print(f"  baseline vtkTubeFilter on the same lines (8 sides): {fmt(tube_t)}; "
              f"ratio baseline/ours (cpu) {tube_t[1] / pipes_t[1]:.1f}x")

        window, ren, stage = merged_view(scene)
        first, steady = frame_times(window, ren)
        print(f"3D 1600x1000 merged: first frame {fmt(first)}, orbit {fmt(steady, ms=True)}/frame, "
              f"peak RSS {peak_rss_mb():.0f} MB")
        stage.set_layer_visible("terrain", False)
        _, bare = frame_times(window, ren, 5)
        print(f"  orbit with the ground hidden: {fmt(bare, ms=True)}/frame")
        stage.set_layer_visible("terrain", True)
        clock = Clock()
        hit = stage.pick(800, 500)
        print(f"  first pick (builds cell locators): {fmt(clock.lap())} -> {hit}")
        clock = Clock()
        stage.pick(700, 450)
        print(f"  next pick: {fmt(clock.lap(), ms=True)}")
        stage.clear()
        window.Finalize()

        tube_window, tube_ren = single_actor_view(tube_pd)
        tube_first, tube_steady = frame_times(tube_window, tube_ren, 5)
        tube_window.Finalize()
        del tube_pd
        window, ren, _ = merged_view(pipes_only)
        pipe_first, pipe_steady = frame_times(window, ren, 5)
        window.Finalize()
        print(f"pipes only, ours: first frame {fmt(pipe_first)}, orbit {fmt(pipe_steady, ms=True)}/frame; "
              f"vtkTubeFilter output as one actor: first frame {fmt(tube_first)}, "
              f"orbit {fmt(tube_steady, ms=True)}/frame; ratio (cpu) {tube_steady[1] / pipe_steady[1]:.2f}x")

        bbox = (X0 + 1000, Y0 + 1000, X0 + 1400, Y0 + 1250)
        cut = shapely.LineString([(X0 + 1000, Y0 + 1075), (X0 + 1400, Y0 + 1075)])
        for view, kw in (("top", {}), ("side", {}), ("3d", {}), ("top", {"bbox": bbox}),
                         ("3d", {"bbox": bbox}), ("section", {"cut": cut})):
            spec = RenderSpec(view=view, size=(1600, 1000), **kw)
            spec.check()
            clock = Clock()
            sc = build_scene(proj, spec)
            built = clock.lap()
            clock = Clock()
            render_scene(sc, spec)
            drawn = clock.lap()
            label = view + (" --bbox 400x250 m" if "bbox" in kw else "") + (" (400 m cut)" if "cut" in kw else "")
            print(f"render {label:<24} scene {fmt(built)} + render {fmt(drawn)}")

        small = segs.iloc[:10_000]
        sub_scene = build_project_scene({"pipe_segments": small}, with_ground=False)
        window, ren, _ = merged_view(sub_scene)
        m_first, m_steady = frame_times(window, ren, 5)
        window.Finalize()
        clock = Clock()
        nwindow, nren = naive_view(small, sub_scene.origin)
        naive_build = clock.lap()
        n_first, n_steady = frame_times(nwindow, nren, 3)
        nwindow.Finalize()
        print(f"10k segments, merged (one actor): first frame {fmt(m_first)}, orbit {fmt(m_steady, ms=True)}/frame")
        print(f"10k segments, naive actor per pipe: build {fmt(naive_build)}, first frame {fmt(n_first)}, "
              f"orbit {fmt(n_steady, ms=True)}/frame")
        print(f"  ratio naive/merged (cpu): first frame {n_first[1] / m_first[1]:.1f}x, "
              f"orbit {n_steady[1] / m_steady[1]:.1f}x; naive extrapolated to 1M: "
              f"~{(naive_build[0] + n_first[0]) * 100 / 60:.0f} min to first frame, ~{n_steady[0] * 100:.0f} s/frame")
        proj.close()
        print(f"peak RSS {peak_rss_mb():.0f} MB")

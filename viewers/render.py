"""Headless rendering of a project (``subterra render``; the app's "Save view as image").

Top, side, 3D and section views off screen, drawn through the same scene
builders, styles and :class:`viewers.stage.Stage` as the app's views.
Identical inputs give identical pixels (no multisampling, fixed cameras).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from gis.errors import ProjectError, UsageError
from gis.policy import allowed_layers, record_sensitive_use
from gis.progress import Progress
from viewers import camera, styles
from viewers.scene import BUILDERS, ProjectScene, build_project_scene, build_section_scene
from viewers.stage import Stage

VIEWS = ("top", "side", "3d", "section")
SHADING = {"top": "map", "section": "map", "side": "shaded", "3d": "shaded"}
GROUND_OPACITY = {"top": 0.0}      # per-view default; others use the ground style's opacity
FIT_MARGIN = 1.04                   # views without --bbox leave this much room around the data
MAX_PIXELS = 8192


@dataclass
class RenderSpec:
    """What to render.  ``cut`` is the section line (shapely LineString, project CRS)."""

    view: str = "top"
    bbox: tuple[float, float, float, float] | None = None
    size: tuple[int, int] = (1600, 1000)
    azimuth: float = 210.0
    elevation: float = 35.0
    exaggeration: float = 1.0
    ground_opacity: float | None = None
    layers: list[str] | None = None
    cut: object = None
    include_sensitive: bool = False

    def check(self) -> None:
        """Raise UsageError naming the first bad setting."""
        if self.view not in VIEWS:
            raise UsageError(f"unknown view {self.view!r}; use one of {', '.join(VIEWS)}")
        if self.bbox is not None:
            x0, y0, x1, y1 = self.bbox
            if not all(np.isfinite(self.bbox)) or x0 >= x1 or y0 >= y1:
                raise UsageError(f"bbox {x0},{y0},{x1},{y1}: needs XMIN < XMAX and YMIN < YMAX")
        w, h = self.size
        if not (0 < w <= MAX_PIXELS and 0 < h <= MAX_PIXELS):
            raise UsageError(f"size {w}x{h}: width and height must be 1..{MAX_PIXELS} pixels")
        if not (np.isfinite(self.exaggeration) and self.exaggeration > 0):
            raise UsageError(f"exaggeration {self.exaggeration}: must be a positive number")
        if self.ground_opacity is not None and not 0.0 <= self.ground_opacity <= 1.0:
            raise UsageError(f"ground opacity {self.ground_opacity}: must be between 0 and 1")
        if not (np.isfinite(self.azimuth) and -90.0 <= self.elevation <= 90.0):
            raise UsageError(f"azimuth {self.azimuth} / elevation {self.elevation}: elevation must be -90..90")
        if self.view == "section":
            if self.cut is None or self.cut.geom_type != "LineString" or self.cut.length <= 0:
                raise UsageError("the section view needs --wkt LINESTRING(...) with a non-zero length")
        self.layers = allowed_layers(self.layers, self.include_sensitive, candidates=BUILDERS)

    @property
    def opacity(self) -> float:
        """The ground opacity used for this view."""
        if self.ground_opacity is not None:
            return self.ground_opacity
        return GROUND_OPACITY.get(self.view, styles.GROUND.opacity)


def build_scene(source, spec: RenderSpec, progress: Progress | None = None) -> ProjectScene:
    """The scene a spec draws (plan scene, or the section along ``spec.cut``)."""
    with_ground = spec.opacity > 0
    if spec.view == "section":
        return build_section_scene(source, spec.cut, spec.layers, spec.exaggeration, progress,
                                   include_sensitive=spec.include_sensitive, with_ground=with_ground)
    return build_project_scene(source, spec.layers, spec.bbox, spec.exaggeration, progress,
                               include_sensitive=spec.include_sensitive, with_ground=with_ground)


def frame(stage: Stage, spec: RenderSpec) -> None:
    """Point the stage's camera for ``spec.view`` (the bbox rules of CLI.md)."""
    scene, ren, size = stage.scene, stage.renderer, spec.size
    bounds = stage.visible_bounds()
    data = stage.visible_bounds(with_ground=False) or bounds
    aspect = size[0] / size[1]
    if spec.view == "section":
        camera.side(ren, (0.0, scene.length), size, bounds)
    elif spec.view == "top":
        if spec.bbox is not None:
            (x0, y0, _), (x1, y1, _) = scene.to_local(*spec.bbox[:2]), scene.to_local(*spec.bbox[2:])
            camera.top(ren, ((x0 + x1) / 2, (y0 + y1) / 2), x1 - x0, size, bounds)
        elif data is not None:
            width = max(data[1] - data[0], (data[3] - data[2]) * aspect, 1.0) * FIT_MARGIN
            camera.top(ren, ((data[0] + data[1]) / 2, (data[2] + data[3]) / 2), width, size, bounds)
    elif spec.view == "side":
        if spec.bbox is not None:
            x0, x1 = spec.bbox[0] - scene.origin[0], spec.bbox[2] - scene.origin[0]
            camera.side(ren, (x0, x1), size, bounds)
        elif bounds is not None:
            half = max(bounds[1] - bounds[0], (bounds[5] - bounds[4]) * aspect, 1.0) * FIT_MARGIN / 2
            mid = (bounds[0] + bounds[1]) / 2
            camera.side(ren, (mid - half, mid + half), size, bounds)
    elif bounds is not None:
        if spec.bbox is not None:
            stage.set_clip_box(spec.bbox)
            (x0, y0, _), (x1, y1, _) = scene.to_local(*spec.bbox[:2]), scene.to_local(*spec.bbox[2:])
            bounds = (x0, x1, y0, y1, bounds[4], bounds[5])
        camera.orbit(ren, bounds, spec.azimuth, spec.elevation)


def render_scene(scene: ProjectScene, spec: RenderSpec) -> np.ndarray:
    """Pixels (h, w, 3) of ``scene`` as ``spec`` asks, rendered off screen."""
    from viewers.images import grab
    from viewers.offscreen import offscreen_stage

    window, stage = offscreen_stage(scene, spec.size, SHADING[spec.view], spec.opacity)
    frame(stage, spec)
    stage.settle()
    window.Render()
    pixels = grab(window)
    stage.close()
    window.Finalize()
    return pixels


def render(source, spec: RenderSpec, progress: Progress | None = None) -> np.ndarray:
    """Check ``spec``, build the scene from ``source`` (Project, path or GeoDataFrames) and render it."""
    spec.check()
    return render_scene(build_scene(source, spec, progress), spec)


def render_to_file(project_path: str | os.PathLike, out: str | os.PathLike, spec: RenderSpec,
                   progress: Progress | None = None) -> dict:
    """Render a project to a PNG; sensitive layers used are audited before the file is written.

    Nothing is written when anything fails.  Returns a summary for --json.
    """
    from gis.policy import sensitive_in
    from gis.store import Project
    from viewers.images import write_png

    spec.check()
    out = os.fspath(out)
    if not out.lower().endswith(".png"):
        raise UsageError(f"{out}: the output must be a .png file")
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise UsageError(f"{out}: folder {folder} does not exist")
    sensitive = sensitive_in(spec.layers)
    with Project.open(project_path, readonly=not sensitive) as proj:
        if spec.bbox is None and spec.view != "section" and not _has_content(proj, spec.layers):
            raise ProjectError(f"{proj.path}: nothing to render (no features in "
                               f"{', '.join(spec.layers)} and no terrain); give --bbox to render an empty area")
        pixels = render_scene(build_scene(proj, spec, progress), spec)
        record_sensitive_use(proj, sensitive, "render",
                             {"out": os.path.abspath(out), "view": spec.view, "bbox": spec.bbox})
    write_png(pixels, out)
    return {"out": os.path.abspath(out), "view": spec.view, "size": list(spec.size),
            "layers": spec.layers, "sensitive_layers": sensitive}


def _has_content(proj, layers: list[str]) -> bool:
    from gis.store.terrain import has_terrain

    return any(proj.count(layer) for layer in layers) or has_terrain(proj)

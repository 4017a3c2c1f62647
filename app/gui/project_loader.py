"""What the app holds of an open project, and the worker functions that load it.

:func:`load_project` and :func:`create_project` run on a worker thread
(they take a Progress and touch no widget): they open the GeoPackage through
``gis.store``, read the layers once and build the VTK scene data with
``viewers.scene``.  The GUI thread then hands the scene to the views.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

from gis import layers as registry
from gis.progress import Progress


@dataclass
class LoadedProject:
    """An opened project: metadata, the layers as GeoDataFrames and the scene."""

    path: str
    crs_name: str
    vertical_datum: str
    counts: dict[str, int]
    utility_counts: dict[str, int]
    has_terrain: bool
    frames: dict[str, Any] = field(repr=False)          # layer -> GeoDataFrame indexed by id
    scene: Any = field(repr=False, default=None)

    @property
    def name(self) -> str:
        """The project's file name without extension."""
        return os.path.splitext(os.path.basename(self.path))[0]

    @property
    def feature_count(self) -> int:
        """Features over all layers."""
        return sum(self.counts.values())

    def feature(self, layer: str, feature_id: str) -> dict[str, Any] | None:
        """The attributes of one feature (registry fields only), or None if unknown."""
        frame = self.frames.get(layer)
        if frame is None or feature_id not in frame.index:
            return None
        row = frame.loc[feature_id]
        if row.ndim > 1:                      # duplicated id: the first row
            row = row.iloc[0]
        return {name: _plain(row.get(name)) for name in registry.get(layer).field_names}


def _plain(value: Any) -> Any:
    """None for missing values (NaN, NaT, pandas NA), the value otherwise."""
    if value is None:
        return None
    try:
        if value != value or (isinstance(value, float) and math.isnan(value)):
            return None
    except (TypeError, ValueError):
        pass
    return value


def read_frames(project, counts: dict[str, int], progress: Progress) -> dict[str, Any]:
    """Read every non-empty layer once, indexed by its id field."""
    names = [n for n, c in counts.items() if c]
    progress.start(len(names), "Reading layers")
    frames = {}
    for name in names:
        id_field = registry.get(name).id_field
        gdf = project.read(name)
        frames[name] = gdf.set_index(id_field, drop=False)
        progress.step(1, name)
    return frames


def load_project(path: str, progress: Progress) -> LoadedProject:
    """Open ``path`` and read everything the app shows (worker thread)."""
    from gis.store import Project
    from viewers.scene import build_project_scene

    progress.start(0, "Opening project")
    with Project.open(path) as project:
        meta = project.meta
        counts = {name: project.count(name) for name in registry.LAYERS}
        frames = read_frames(project, counts, progress)
        terrain = project.terrain()
    # The app shows the user's own project on screen, sensitive layers included;
    # outputs (render, export, reports) go through gis.policy instead.
    scene = build_project_scene(frames, progress=progress, include_sensitive=True, terrain=terrain)
    return LoadedProject(path=os.path.abspath(path), crs_name=meta["crs_name"],
                         vertical_datum=meta["vertical_datum"], counts=counts,
                         utility_counts=utility_counts(frames), has_terrain=terrain is not None,
                         frames=frames, scene=scene)


def utility_counts(frames: dict[str, Any]) -> dict[str, int]:
    """Pipe segments per utility code (the layer tree shows them)."""
    segs = frames.get("pipe_segments")
    if segs is None or "utility" not in segs:
        return {}
    from gis.utilities import resolve

    counts: dict[str, int] = {}
    for code, n in segs["utility"].value_counts().items():
        try:
            parent = resolve(str(code))[0].code
        except KeyError:
            continue
        counts[parent] = counts.get(parent, 0) + int(n)
    return counts


def create_project(path: str, crs: str, vertical_datum: str, progress: Progress) -> LoadedProject:
    """Create an empty project, then load it (worker thread)."""
    from gis.store import Project

    progress.start(0, "Creating project")
    Project.create(path, crs=crs, vertical_datum=vertical_datum).close()
    return load_project(path, progress)


def load_demo(progress: Progress) -> LoadedProject:
    """Open the bundled demo district, generating and caching it on first use (worker thread)."""
    from gis.demo import default_demo_path

    return load_project(str(default_demo_path()), progress)

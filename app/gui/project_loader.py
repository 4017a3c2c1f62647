"""What the app holds of an open project, and the worker functions that load it.

:func:`load_project`, :func:`create_project` and :func:`reload_project` run
on a worker thread (they take a Progress and touch no widget): they open the
GeoPackage through ``gis.store``, count features with SQL and build the VTK
scene data from the Project with ``viewers.scene`` (lean reads: coordinates
and the few columns the scene draws, no GeoDataFrames).  The GUI thread then
hands the scene to the views.

Nothing per feature stays in memory besides the scene: a clicked feature's
attributes come from the store by id (:meth:`LoadedProject.feature`, a
unique-index lookup), whole layers as GeoDataFrames only when some tool asks
(:class:`LayerFrames`, read on first use and cached).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from gis import layers as registry
from gis.progress import Progress


def read_frame(path: str, layer: str):
    """One layer of the project at ``path`` as a GeoDataFrame indexed by its id field."""
    from gis.store import Project

    with Project.open(path, readonly=True) as project:
        return project.read(layer).set_index(registry.get(layer).id_field, drop=False)


class LayerFrames(Mapping):
    """The project's non-empty layers as GeoDataFrames indexed by id, read on first access, then kept.

    ``frames[layer]`` reads (on the calling thread: call it from a worker for
    big layers), ``frames.get(layer)`` is None for an empty layer,
    ``frames[layer] = gdf`` keeps a frame read elsewhere, :meth:`cached`
    says what is held.  Thread-safe.
    """

    def __init__(self, path: str, counts: Mapping[str, int], keep: Mapping[str, Any] | None = None):
        self._path = path
        self._counts = counts
        self._cache: dict[str, Any] = dict(keep or {})
        self._lock = threading.Lock()

    def __getitem__(self, layer: str):
        if not self._counts.get(layer):
            raise KeyError(layer)
        with self._lock:
            frame = self._cache.get(layer)
            if frame is None:
                frame = self._cache[layer] = read_frame(self._path, layer)
            return frame

    def __setitem__(self, layer: str, frame) -> None:
        with self._lock:
            self._cache[layer] = frame

    def __iter__(self) -> Iterator[str]:
        return (name for name, n in self._counts.items() if n)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def cached(self) -> list[str]:
        """The layers held in memory now."""
        with self._lock:
            return list(self._cache)

    def kept_except(self, layers: Iterable[str]) -> dict[str, Any]:
        """The cached frames other than ``layers`` (what a reload can keep)."""
        drop = set(layers)
        with self._lock:
            return {k: v for k, v in self._cache.items() if k not in drop}


@dataclass
class LoadedProject:
    """An opened project: metadata, feature counts, the scene, and its layers on demand."""

    path: str
    crs_name: str
    vertical_datum: str
    counts: dict[str, int]
    utility_counts: dict[str, int]
    has_terrain: bool
    scene: Any = field(repr=False, default=None)
    frames: LayerFrames = field(repr=False, default=None)

    def __post_init__(self) -> None:
        if self.frames is None:
            self.frames = LayerFrames(self.path, self.counts)

    @property
    def name(self) -> str:
        """The project's file name without extension."""
        return os.path.splitext(os.path.basename(self.path))[0]

    @property
    def feature_count(self) -> int:
        """Features over all layers."""
        return sum(self.counts.values())

    def feature(self, layer: str, feature_id: str) -> dict[str, Any] | None:
        """The attributes of one feature (registry fields, read from the store by id), or None if unknown."""
        from gis.store import Project

        with Project.open(self.path, readonly=True) as project:
            return project.feature(layer, feature_id)


def utility_counts(project) -> dict[str, int]:
    """Pipe segments per utility code (sub-types counted under their utility; the layer tree shows them)."""
    from gis.utilities import resolve

    counts: dict[str, int] = {}
    for code, n in project.value_counts("pipe_segments", "utility").items():
        try:
            parent = resolve(str(code))[0].code
        except KeyError:
            continue
        counts[parent] = counts.get(parent, 0) + int(n)
    return counts


def _counts(path: str) -> dict[str, int]:
    """Features per layer (own read-only connection: runs on a thread)."""
    from gis.store import Project

    with Project.open(path, readonly=True) as project:
        return {name: project.count(name) for name in registry.LAYERS}


def _open(path: str, progress: Progress, keep: Mapping[str, Any] | None = None,
          scene_cache: str | None = None) -> LoadedProject:
    """Open ``path``: counts from SQL, the scene from the Project (lean reads), or from
    ``scene_cache`` while that holds the scene of this very file (viewers.scene.cache).

    Pipe segments per utility come from the scene's own per-row codes (a SQL GROUP BY
    would scan the whole table, a core's worth of seconds at city scale, while the scene
    builds); from SQL only when the scene cannot tell (ProjectScene.utility_counts)."""
    from concurrent.futures import ThreadPoolExecutor

    from gis.store import Project
    from gis.store.terrain import has_terrain

    with Project.open(path) as project, ThreadPoolExecutor(1, thread_name_prefix="subterra-counts") as pool:
        meta = project.meta
        terrain = has_terrain(project)
        counted = pool.submit(_counts, path)    # SQLite counts release the GIL: counted while the scene builds
        scene = _scene(project, progress, scene_cache)
        utilities = scene.utility_counts("pipe_segments")
        if utilities is None:
            utilities = utility_counts(project)
        counts = counted.result()
    path = os.path.abspath(path)
    return LoadedProject(path=path, crs_name=meta["crs_name"], vertical_datum=meta["vertical_datum"],
                         counts=counts, utility_counts=utilities, has_terrain=terrain, scene=scene,
                         frames=LayerFrames(path, counts, keep))


def _scene(project, progress: Progress, scene_cache: str | None):
    """The project's plan scene, built (the app shows the user's own project on screen, sensitive
    layers included; outputs go through gis.policy instead) or loaded from ``scene_cache``."""
    from viewers.scene import build_project_scene

    settings = {"include_sensitive": True}
    if scene_cache is None:
        return build_project_scene(project, progress=progress, **settings)
    from viewers.scene.cache import load_scene, save_scene, scene_key

    key = scene_key(project.path, **settings)
    scene = load_scene(scene_cache, key)
    if scene is None:
        scene = build_project_scene(project, progress=progress, **settings)
        try:
            save_scene(scene, scene_cache, key)
        except OSError:           # a read-only data folder: build again next time
            pass
    return scene


def load_project(path: str, progress: Progress) -> LoadedProject:
    """Open ``path`` and build what the app shows (worker thread)."""
    progress.start(0, "Opening project")
    return _open(path, progress)


def reload_project(loaded: LoadedProject, layers: list[str], progress: Progress) -> LoadedProject:
    """``loaded`` after ``layers`` changed in the store (an import): counts and scene anew, the
    cached frames of other layers kept (worker thread)."""
    progress.start(0, "Updating the views")
    return _open(loaded.path, progress, loaded.frames.kept_except(layers))


def create_project(path: str, crs: str, vertical_datum: str, progress: Progress) -> LoadedProject:
    """Create an empty project, then load it (worker thread)."""
    from gis.store import Project

    progress.start(0, "Creating project")
    Project.create(path, crs=crs, vertical_datum=vertical_datum).close()
    return load_project(path, progress)


def load_demo(progress: Progress) -> LoadedProject:
    """Open the bundled demo district, generating and caching it on first use (worker thread).

    Its scene is kept beside it (only the demo's: a saved scene of the user's own projects
    would copy sensitive layers out of the project file), so the app starts without building it.
    """
    from gis.demo import default_demo_path

    progress.start(0, "Opening project")
    path = default_demo_path()
    return _open(str(path), progress, scene_cache=str(path.with_suffix(".scene.npz")))

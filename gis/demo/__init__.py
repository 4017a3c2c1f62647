"""A deterministic demo district: roads, every utility under every road, a metro line, civil-defense
works, structures, buildings, trees, 万米单元网格 and a DEM, in EPSG:4549 near Shanghai.

``build(path, size, seed)`` writes it as a project through the store; the same
size and seed always give the same features.  Sizes: small (about 2,000 pipe
segments, the app's default), district (about 100,000), city (about 1,000,000).
A handful of rule violations are planted on purpose for the risk checks
(:data:`PLANTED_VIOLATIONS`; the ids involved are in project_meta
``demo_planted``, see :func:`planted`).  ``default_demo_path()`` caches the
small demo in the user's data folder for the app to open.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from gis.demo.sizes import SIZES

__all__ = ["SIZES", "PLANTED_VIOLATIONS", "build", "planted", "data_dir", "default_demo_path"]


def __getattr__(name: str):
    """PLANTED_VIOLATIONS lives with the (numpy-heavy) generator; load it on first use."""
    if name == "PLANTED_VIOLATIONS":
        from gis.demo.violations import PLANTED_VIOLATIONS

        return PLANTED_VIOLATIONS
    raise AttributeError(name)

DEMO_VERSION = 1          # bump when the generator's output changes: the cached demo is then rebuilt


def build(path, size: str = "small", seed: int = 0, progress=None):
    """Create the project ``path`` and fill it with the demo district; returns the open Project.

    Refuses an existing file (the store's ProjectError, exit 2 on the CLI).  On
    any failure, cancellation included, the half-made file is removed.
    """
    from gis.demo.generator import generate, write
    from gis.errors import UsageError
    from gis.store import Project

    if size not in SIZES:
        raise UsageError(f"unknown demo size {size!r}; choose one of {', '.join(SIZES)}")
    proj = Project.create(path)
    try:
        demo = generate(size, seed, progress)
        write(proj, demo, progress)
    except BaseException:
        proj.close()
        Path(path).unlink(missing_ok=True)
        raise
    return proj


def planted(project) -> list[dict]:
    """The planted violations of a demo project, with the ids involved (empty for other projects)."""
    return json.loads(project.meta.get("demo_planted", "[]"))


def data_dir() -> Path:
    """Subterra's per-user data folder: $SUBTERRA_DATA_DIR, else $XDG_DATA_HOME/subterra, else
    ~/.local/share/subterra."""
    if os.environ.get("SUBTERRA_DATA_DIR"):
        return Path(os.environ["SUBTERRA_DATA_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "subterra"


def default_demo_path() -> Path:
    """The cached small demo, generated on first use (atomically: built aside, then renamed)."""
    folder = data_dir()
    path = folder / f"demo-small-v{DEMO_VERSION}.gpkg"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".demo-", suffix=".gpkg", dir=folder)
    os.close(fd)
    os.unlink(tmp)
    try:
        build(tmp).close()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path

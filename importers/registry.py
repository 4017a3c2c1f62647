"""The importer registry: each importer says what it reads and probes a path.

``detect(path)`` (or a list of paths) asks every importer's ``can_read`` for a
priority (0 = cannot read it) and returns the best; `--kind auto` and the
app's Import dialog use it.  Importers are registered here by module path and
loaded lazily, so listing them costs nothing.
"""
from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Importer:
    """One importer: its name (the --kind), labels, what it reads, and where its code lives."""

    name: str
    zh: str
    en: str
    reads: tuple[str, ...]           # file name patterns, for dialogs
    module: str                      # module with can_read(path) -> int and plan(project, sources, options, progress)
    direct: bool = False             # writes by itself (no plan/commit), e.g. the DEM

    def label(self, lang: str = "en") -> str:
        """Display name in ``lang``."""
        return self.zh if lang.startswith("zh") else self.en

    def load(self):
        """The importer's module."""
        return importlib.import_module(self.module)

    def can_read(self, path: str | os.PathLike) -> int:
        """Priority with which this importer reads ``path`` (0: it cannot)."""
        try:
            return int(self.load().can_read(Path(path)))
        except Exception:  # noqa: BLE001 - a probe that fails on a file just cannot read it
            return 0


IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    """Add an importer (later registrations of the same name replace earlier ones)."""
    IMPORTERS[importer.name] = importer
    return importer


for _imp in (
    Importer("survey", "管线普查成果表", "pipe survey tables", ("*.csv", "*.xlsx", "*.xls", "*.ods"),
             "importers.survey"),
    Importer("gis", "GIS 数据", "GIS files", ("*.gpkg", "*.shp", "*.zip", "*.geojson", "*.json", "*.dxf", "*.csv"),
             "importers.gisfile"),
    Importer("epanet", "EPANET 供水模型", "EPANET model", ("*.inp",), "importers.epanet"),
    Importer("swmm", "SWMM 排水模型", "SWMM model", ("*.inp",), "importers.swmm"),
    Importer("dem", "数字高程模型", "DEM (terrain)", ("*.tif", "*.tiff", "*.asc", "*.img", "*.vrt"),
             "importers.dem", direct=True),
):
    register(_imp)


def get(name: str) -> Importer:
    """The importer called ``name``; KeyError listing the known ones otherwise."""
    try:
        return IMPORTERS[name]
    except KeyError:
        raise KeyError(f"unknown import kind {name!r}; known: {', '.join(IMPORTERS)}") from None


def ranked(paths: str | os.PathLike | Sequence[str | os.PathLike]) -> list[tuple[int, Importer]]:
    """Importers that read every path, best first, with their priority (the lowest over the paths)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out = []
    for imp in IMPORTERS.values():
        score = min((imp.can_read(p) for p in paths), default=0)
        if score > 0:
            out.append((score, imp))
    out.sort(key=lambda t: -t[0])
    return out


def detect(paths: str | os.PathLike | Sequence[str | os.PathLike]) -> Importer | None:
    """The importer that reads ``paths`` best, or None when none can."""
    best = ranked(paths)
    return best[0][1] if best else None


"""The Import wizard's work, run on a worker thread: each function opens the project, calls one
``importers`` function and returns plain data.

No Qt here.  The importers word their problems in the language of
``SUBTERRA_LANG``; :func:`use_language` sets it to the UI's before work starts.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from gis.errors import SubterraError
from gis.progress import Progress

CORE_LANGUAGE_ENV = "SUBTERRA_LANG"


def use_language(lang: str) -> None:
    """Make the importers word problems and warnings in ``lang`` ("zh" or "en")."""
    os.environ[CORE_LANGUAGE_ENV] = lang


@dataclass
class FileProbe:
    """What the importer registry says about one file: importers that read it (best first), and
    for a CSV or workbook each table with the survey role its headers give it."""

    path: str
    kinds: list[str]
    tables: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def detected(self) -> str | None:
        """The best importer, None when no importer reads the file."""
        return self.kinds[0] if self.kinds else None


def probe_files(paths: list[str], progress: Progress) -> list[FileProbe]:
    """Ask the importer registry about each file."""
    from importers import registry
    from importers.survey import SUFFIXES as SURVEY_SUFFIXES, probe_tables

    progress.start(len(paths), "Detecting file kinds")
    out = []
    for path in paths:
        kinds = [imp.name for _, imp in registry.ranked(path)]
        try:
            tables = probe_tables(path) if Path(path).suffix.lower() in SURVEY_SUFFIXES else []
        except (SubterraError, OSError):
            tables = []
        out.append(FileProbe(path, kinds, tables))
        progress.step(1)
    return out


@dataclass
class Planned:
    """A plan and the project CRS it was made for (as the project was created with, e.g. EPSG:4549)."""

    plan: object
    project_crs: str


def plan(project_path: str, sources: list[str], options, progress: Progress) -> Planned:
    """Read and validate the sources (``importers.plan_import``); writes nothing."""
    import importers
    from gis.store import Project

    with Project.open(project_path, readonly=True) as project:
        planned = importers.plan_import(project, sources, options, progress)
        return Planned(planned, project.meta.get("crs_input") or project.crs.to_string())


def rows_around(plan_, table: str, row: int, count: int, progress: Progress):
    """Rows of ``table`` around spreadsheet row ``row`` (``importers.preview.rows_around``)."""
    from importers.preview import rows_around as around

    progress.start(0, "reading")
    return around(plan_, table, row, count)


@dataclass
class Landed:
    """A finished import: the core's result and the rejects file written (None if none)."""

    result: object
    rejects: str | None


def commit(project_path: str, plan_, skip_invalid: bool, rejects: str | None, force: bool,
           progress: Progress) -> Landed:
    """Write the plan in one transaction (``importers.commit``).

    ``force`` (the user confirmed re-importing a file already in the import
    log) plans again with ``force`` so the log records it.  With
    ``skip_invalid`` the rejected rows go to ``rejects`` first (nothing is
    lost); when the commit then fails or is cancelled that file is removed
    again, so a cancelled import writes nothing.
    """
    import importers
    from gis.store import Project

    options = dataclasses.replace(plan_.options, skip_invalid=skip_invalid, force=force)
    with Project.open(project_path) as project:
        if force:
            plan_ = importers.plan_import(project, plan_.sources, options, progress)
        else:
            plan_ = dataclasses.replace(plan_, options=options)
        written = None
        if skip_invalid and rejects and plan_.rejected_count:
            importers.write_rejects(plan_, rejects)
            written = rejects
        try:
            result = importers.commit(project, plan_, progress)
        except BaseException:
            if written:
                Path(written).unlink(missing_ok=True)
            raise
    return Landed(result, written)


def import_dem(project_path: str, source: str, src_crs: str | None, progress: Progress) -> Landed:
    """Store a DEM as the project's terrain (``importers.dem.import_dem``)."""
    from gis.store import Project
    from importers import ImportResult
    from importers.dem import import_dem as dem

    with Project.open(project_path) as project:
        report = dem(project, source, progress, src_crs=src_crs)
    return Landed(ImportResult(report["import_id"], report["accepted"], 0, report["warnings"]), None)


def history(project_path: str, progress: Progress) -> list[dict]:
    """The project's import_log rows, oldest first."""
    from gis.store import Project

    progress.start(0, "reading")
    with Project.open(project_path, readonly=True) as project:
        return project.import_log()


def revert(project_path: str, import_id: int, progress: Progress) -> dict[str, int]:
    """Take one landed import back out (``importers.revert``); features deleted per layer."""
    from gis.store import Project
    from importers import revert as core_revert

    progress.start(0, "reverting")
    with Project.open(project_path) as project:
        return core_revert(project, import_id)

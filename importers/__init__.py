"""Importers: survey tables, GIS files and hydraulic models into the project store.

The functions the CLI and the app's Import wizard call:

- ``registry.detect(path)``: which importer reads a file (``--kind auto``);
- ``plan_import(project, sources, options, progress) -> ImportPlan``: read and
  validate, write nothing (preview rows, detected column mapping, problems);
- ``commit(project, plan, progress) -> ImportResult``: the one write path;
- ``revert(project, import_id)``: take one landed import back out.

No Qt, no VTK here (ARCHITECTURE.md); heavy libraries load lazily.
"""
from __future__ import annotations

from pathlib import Path

from gis.errors import Problem, UsageError
from gis.progress import Progress

__all__ = ["ImportOptions", "ImportPlan", "ImportResult", "plan_import", "commit", "revert", "report",
           "write_rejects", "write_report"]

# Loaded on first use: they pull in pandas, which importers.gnss (live GNSS) must not pay for.
_LAZY = {"ImportResult": "importers.landing", "commit": "importers.landing", "report": "importers.landing",
         "revert": "importers.landing", "write_rejects": "importers.landing", "write_report": "importers.landing",
         "ImportOptions": "importers.plan", "ImportPlan": "importers.plan", "sha256_of": "importers.plan"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'importers' has no attribute {name!r}")


def plan_import(project, sources: list[str], options: ImportOptions | None = None,
                progress: Progress | None = None) -> ImportPlan:
    """Read and validate ``sources`` for ``project`` with the chosen (or detected) importer."""
    from importers import registry
    from importers.landing import previous_imports
    from importers.messages import tr
    from importers.plan import ImportOptions, ImportPlan, sha256_of

    options = options or ImportOptions()
    progress = progress or Progress()
    sources = [str(s) for s in sources]
    if not sources:
        raise UsageError("no source files given")
    if options.kind == "auto":
        found = registry.detect(sources)
        if found is None:
            plan = ImportPlan("auto", sources, [], options, fatal=True)
            for s in sources:
                reason = tr("file_missing") if not Path(s).exists() else tr(
                    "unsupported_format", known=", ".join(registry.IMPORTERS))
                plan.problems.append(Problem(s, None, None, None, reason))
            return plan
        importer = found
    else:
        try:
            importer = registry.get(options.kind)
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from None
    if importer.direct:
        raise UsageError(f"--kind {importer.name} writes directly; it has no import plan")
    plan = importer.load().plan(project, sources, options, progress)
    plan.sha256 = [sha256_of(Path(s)) if Path(s).is_file() else "" for s in sources]
    plan.previous_imports = previous_imports(project, [h for h in plan.sha256 if h])
    for src, digest in zip(sources, plan.sha256):
        hits = [str(r["fid"]) for r in plan.previous_imports if digest and digest in (r.get("sha256") or "")]
        if hits:
            key = "w_reimport_forced" if options.force else "w_reimport"
            plan.warnings.append(tr(key, file=src, ids=", ".join(hits)))
    return plan

"""The one write path of every import, its reports, and taking an import back out.

``commit`` writes a plan in ONE store transaction (begin_import, inserts,
end_import): all or nothing, also under kill -9.  By default any problem
refuses the whole import (InputRejected, exit 2, store untouched); with
``skip_invalid`` the valid rows land and the rejected ones go to the rejects
CSV (UTF-8 with BOM).  A file already in import_log is not imported again
unless ``force``.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from gis import layers as registry
from gis.errors import InputRejected, UsageError
from gis.progress import Progress
from importers.messages import tr
from importers.plan import ImportPlan


@dataclass
class ImportResult:
    """What an import wrote (``import_id`` None when nothing was written)."""

    import_id: int | None
    accepted: dict[str, int]
    rejected: int
    warnings: list[str] = field(default_factory=list)

    @property
    def written(self) -> bool:
        """Whether an import landed."""
        return self.import_id is not None


def previous_imports(project, sha256: list[str]) -> list[dict]:
    """import_log rows (not reverted) that hold any of these file hashes."""
    wanted = set(sha256)
    out = []
    for row in project.import_log():
        if row.get("reverted"):
            continue
        try:
            hashes = set(json.loads(row.get("sha256") or "[]"))
        except ValueError:
            continue
        if hashes & wanted:
            out.append(row)
    return out


def commit(project, plan: ImportPlan, progress: Progress | None = None) -> ImportResult:
    """Write the plan's valid rows in one transaction; see the module docstring for the rules."""
    progress = progress or Progress()
    if plan.previous_imports and not plan.options.force:
        return ImportResult(None, {}, 0, list(plan.warnings))
    if plan.fatal or (plan.problems and not plan.options.skip_invalid):
        raise InputRejected(plan.problems)
    accepted = {name: len(gdf) for name, gdf in plan.layers.items()}
    with project.transaction() as txn:
        import_id = txn.begin_import(plan.kind, plan.sources, plan.sha256)
        for name, gdf in plan.layers.items():
            txn.insert(name, gdf, progress=progress)
        txn.end_import(accepted=accepted, rejected=plan.rejected_count, warnings=plan.warnings,
                       report=report(plan, ImportResult(import_id, accepted, plan.rejected_count, plan.warnings)))
    return ImportResult(import_id, accepted, plan.rejected_count, list(plan.warnings))


def report(plan: ImportPlan, result: ImportResult | None = None) -> dict:
    """The JSON report of CLI.md: accepted {layer: count}, rejected [...], warnings [...], import_id."""
    accepted = result.accepted if result is not None else plan.accepted
    return {
        "kind": plan.kind,
        "sources": plan.sources,
        "accepted": accepted,
        "rejected": [{"file": p.file, "row": p.row, "column": p.column, "value": p.value, "reason": p.reason}
                     for p in plan.problems],
        "rejected_rows": plan.rejected_count,
        "warnings": list(result.warnings if result is not None else plan.warnings),
        "import_id": result.import_id if result is not None else None,
    }


def write_atomically(path: str | os.PathLike, write) -> None:
    """Call ``write(tmp_path)`` and rename the result onto ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(suffix=path.suffix + ".tmp", dir=path.parent if str(path.parent) else ".")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_rejects(plan: ImportPlan, path: str | os.PathLike) -> int:
    """Write every rejected row (reason columns, then its own columns) as UTF-8 CSV with BOM."""
    frame = plan.rejects_frame()
    write_atomically(path, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig"))
    return len(frame)


def write_report(doc: dict, path: str | os.PathLike) -> None:
    """Write a JSON report (UTF-8, Chinese kept readable)."""
    text = json.dumps(doc, ensure_ascii=False, indent=2, default=str)
    write_atomically(path, lambda tmp: Path(tmp).write_text(text + "\n", encoding="utf-8"))


def revert(project, import_id: int) -> dict[str, int]:
    """Delete every feature of one landed import, mark it reverted in import_log, audit it."""
    from gis.store.gpkg_sql import quote
    from gis.store.project import now_utc

    row = next((r for r in project.import_log() if r["fid"] == import_id), None)
    if row is None:
        raise UsageError(tr("revert_unknown", import_id=import_id))
    if row.get("reverted"):
        raise UsageError(tr("revert_done", import_id=import_id, time=row["reverted"]))
    counts: dict[str, int] = {}
    with project.transaction() as txn:
        for layer in registry.LAYERS:
            n = txn.execute(f"SELECT count(*) FROM {quote(layer)} WHERE import_id = ?", (import_id,)).fetchone()[0]
            if n:
                counts[layer] = txn.delete_where(layer, "import_id", import_id)
        when = now_utc()
        txn.execute('UPDATE import_log SET "reverted" = ? WHERE fid = ?', (when, import_id))
        txn.audit(None, None, "revert_import", {"import_id": import_id, "sources": row.get("sources")},
                  {"deleted": counts, "time": when})
    return counts

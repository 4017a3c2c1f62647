"""`subterra import PROJECT SOURCE... --kind KIND`: one handler per kind (CLI.md).

``KINDS`` maps a kind to (probe, handler): ``--kind auto`` picks the first
kind whose probe accepts the first source.  Adding a kind is adding an
entry (its options go in :func:`register`).
"""
from __future__ import annotations

from collections.abc import Callable

from gis.errors import UsageError


def _import_dem(args) -> dict:
    from gis.store import Project
    from importers.dem import import_dem

    from app.cli.output import terminal_progress

    if len(args.sources) != 1:
        raise UsageError(f"--kind dem takes one DEM file, not {len(args.sources)}")
    with Project.open(args.project) as proj:
        return import_dem(proj, args.sources[0], terminal_progress(), src_crs=args.src_crs)


def _is_dem(path: str) -> bool:
    from importers.dem import can_read

    return can_read(path)


KINDS: dict[str, tuple[Callable[[str], bool], Callable]] = {
    "dem": (_is_dem, _import_dem),
}


def register(sub) -> None:
    """Add the import command."""
    p = sub.add_parser("import", help="import data into a project (dem: the terrain raster)")
    p.add_argument("project", help="PROJECT.gpkg")
    p.add_argument("sources", nargs="+", help="input file(s)")
    p.add_argument("--kind", default="auto", help=f"{' | '.join(KINDS)} | auto (default auto)")
    p.add_argument("--src-crs", help="CRS of a source that carries none")
    p.add_argument("--json", action="store_true", help="print the import report as JSON")
    p.set_defaults(func=cmd_import)


def cmd_import(args) -> int:
    """Run the importer of ``--kind`` (or the one that recognises the source)."""
    from app.cli.output import emit_json

    kind = args.kind
    if kind == "auto":
        kind = next((k for k, (probe, _) in KINDS.items() if probe(args.sources[0])), None)
        if kind is None:
            raise UsageError(f"{args.sources[0]}: cannot tell what kind of input this is; give --kind")
    if kind not in KINDS:
        raise UsageError(f"--kind {kind!r}: unknown; use one of {', '.join(KINDS)} or auto")
    report = KINDS[kind][1](args)
    if args.json:
        emit_json(report)
    else:
        print(f"imported {args.sources[0]} ({kind}): " + ", ".join(f"{k} {v}" for k, v in report["accepted"].items()))
        for w in report.get("warnings", []):
            print(f"warning: {w}")
    return 0

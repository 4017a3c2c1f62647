"""`subterra import`: survey tables, GIS files, hydraulic models and DEMs into a project.

Each --kind maps to a handler (HANDLERS); planned kinds go through
importers.plan_import + importers.commit, the DEM through
importers.dem.import_dem.  Exit codes (CLI.md): 0 written, 1 usage, 2 input
rejected (nothing written), 3 some rows rejected under --skip-invalid.
"""
from __future__ import annotations

import sys

from app.cli.output import emit_json, terminal_progress

KINDS = ("survey", "gis", "epanet", "swmm", "dem", "auto")
MAX_PROBLEMS_SHOWN = 50


def register(sub) -> None:
    """Add `import` to the CLI."""
    p = sub.add_parser("import", help="import survey tables, GIS files, EPANET/SWMM models or a DEM")
    p.add_argument("project", help="PROJECT.gpkg")
    p.add_argument("sources", nargs="*", metavar="SOURCE",
                   help="files to import (survey: the point table, then the line table)")
    p.add_argument("--kind", default="auto", help=" | ".join(KINDS) + " (default auto: detected)")
    p.add_argument("--utility", help="utility code for tables without a 管线类型 column (JS, PS, WS ...)")
    p.add_argument("--layer", help="target layer for GIS files")
    p.add_argument("--src-layer", help="source layer of a multi-layer file")
    p.add_argument("--src-crs", help="CRS of the source when the file has none (required for models)")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help="take FIELD from the source column COLUMN (repeatable)")
    p.add_argument("--xy-order", choices=("ne", "en"), default="ne",
                   help="ne: X is northing, Y easting (Chinese surveying, default); en: X easting")
    p.add_argument("--depth-unit", choices=("m", "cm"), default="m")
    p.add_argument("--default-cover", type=float, metavar="M",
                   help="cover depth (m) for 2D sources without depths: Z = DEM ground minus this")
    p.add_argument("--force", action="store_true", help="import a file already in the import log")
    p.add_argument("--skip-invalid", action="store_true", help="write the valid rows, reject the others")
    p.add_argument("--rejects", metavar="FILE.csv", help="where --skip-invalid puts every rejected row")
    p.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
    p.add_argument("--report", metavar="FILE.json", help="write the JSON report here")
    p.add_argument("--json", action="store_true", help="print the JSON report on stdout")
    p.add_argument("--revert", type=int, metavar="IMPORT_ID", help="take a landed import back out")
    p.set_defaults(func=cmd_import)


def cmd_import(args) -> int:
    """Dispatch on --revert or the (detected) kind."""
    from gis.errors import UsageError
    from importers.messages import tr

    if args.revert is not None:
        if args.sources:
            raise UsageError("--revert takes no SOURCE files")
        return _revert(args)
    if not args.sources:
        raise UsageError("give at least one SOURCE file (or --revert IMPORT_ID)")
    if args.skip_invalid and not args.rejects:
        raise UsageError(tr("rejects_needed"))
    if args.kind not in KINDS:
        raise UsageError(f"--kind {args.kind!r}: unknown; use one of {', '.join(KINDS)}")
    kind = args.kind
    if kind == "auto":
        from importers.registry import detect

        found = detect(args.sources)
        kind = found.name if found is not None else "auto"
    return HANDLERS.get(kind, _planned)(args, kind)


def _options(args, kind: str):
    from gis.errors import UsageError
    from importers import ImportOptions

    mapping = {}
    for item in args.map:
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise UsageError(f"--map {item!r}: expected FIELD=COLUMN")
        mapping[field.strip()] = column.strip()
    return ImportOptions(kind=kind, utility=args.utility, layer=args.layer, src_layer=args.src_layer,
                         src_crs=args.src_crs, mapping=mapping, xy_order=args.xy_order,
                         depth_unit=args.depth_unit, default_cover=args.default_cover, force=args.force,
                         skip_invalid=args.skip_invalid)


def _planned(args, kind: str) -> int:
    """Plan, report, and (unless --dry-run or rejected) commit in one transaction."""
    import importers
    from gis.store import Project
    from importers.messages import tr

    progress = terminal_progress()
    with Project.open(args.project, readonly=args.dry_run) as proj:
        plan = importers.plan_import(proj, args.sources, _options(args, kind), progress)
        if plan.previous_imports and not args.force:
            doc = importers.report(plan, importers.ImportResult(None, {}, 0, plan.warnings))
            doc["rejected"] = []
            _finish(args, doc)
            for w in plan.warnings:
                print(f"subterra: {w}", file=sys.stderr)
            return 0
        if plan.fatal or (plan.problems and not args.skip_invalid):
            doc = importers.report(plan)
            doc["accepted"] = {}
            _finish(args, doc)
            _print_problems(plan.problems)
            print(tr("s_rejected_all", n=len(plan.problems)), file=sys.stderr)
            return 2
        if args.skip_invalid and plan.rejected_count:
            importers.write_rejects(plan, args.rejects)
            print(tr("s_rejects_file", path=args.rejects), file=sys.stderr)
        if args.dry_run:
            doc = importers.report(plan)
            _finish(args, doc)
            if not args.json:
                print(tr("s_dry_run", counts=_counts(doc["accepted"])))
        else:
            result = importers.commit(proj, plan, progress)
            doc = importers.report(plan, result)
            _finish(args, doc)
            if not args.json and result.written:
                print(tr("s_written", import_id=result.import_id, counts=_counts(result.accepted)))
    for w in doc["warnings"]:
        print(f"subterra: {w}", file=sys.stderr)
    if plan.problems:
        _print_problems(plan.problems)
    return 3 if plan.rejected_count else 0


def _dem(args, kind: str) -> int:
    """The DEM importer writes by itself: importers.dem.import_dem (the terrain raster)."""
    from gis.errors import UsageError
    from gis.store import Project
    from importers.dem import import_dem

    if len(args.sources) != 1:
        raise UsageError(f"--kind dem takes one DEM file, not {len(args.sources)}")
    with Project.open(args.project) as proj:
        report = import_dem(proj, args.sources[0], terminal_progress(), src_crs=args.src_crs)
    _finish(args, report)
    if not args.json:
        print(f"imported {args.sources[0]} (dem): " + _counts(report["accepted"]))
        for w in report.get("warnings", []):
            print(f"subterra: {w}", file=sys.stderr)
    return 0


def _revert(args) -> int:
    from gis.store import Project
    from importers import revert
    from importers.messages import tr

    with Project.open(args.project) as proj:
        counts = revert(proj, args.revert)
    if args.json:
        emit_json({"reverted": args.revert, "deleted": counts})
    else:
        print(tr("s_reverted", import_id=args.revert, counts=_counts(counts)))
    return 0


def _finish(args, doc: dict) -> None:
    from importers import write_report

    if args.report:
        write_report(doc, args.report)
    if args.json:
        emit_json(doc)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{layer} {n}" for layer, n in counts.items()) or "0"


def _print_problems(problems) -> None:
    for p in problems[:MAX_PROBLEMS_SHOWN]:
        print(f"  {p}", file=sys.stderr)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        print(f"  ... {len(problems) - MAX_PROBLEMS_SHOWN} more (see --report)", file=sys.stderr)


HANDLERS = {"dem": _dem, "survey": _planned, "gis": _planned, "epanet": _planned, "swmm": _planned,
            "auto": _planned}

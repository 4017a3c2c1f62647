"""`subterra profile` (纵断面) and `subterra section` (横断面): tables, PNG, PDF, CSV (CLI.md)."""
from __future__ import annotations

from gis.errors import UsageError

RUN_HELP = ("comma-separated ids the run passes through, in order: line_ids and/or point_ids; consecutive "
            "ids are joined by the shortest path through the first id's utility network (segments join by "
            "start_point/end_point), so A,B,C of adjacent segments is exactly that run and START,END "
            "follows the network from START to END")


def _common(p) -> None:
    p.add_argument("project", help="PROJECT.gpkg")
    p.add_argument("--out", help="FILE.pdf (vector), FILE.png or FILE.csv (table, UTF-8 with BOM)")
    p.add_argument("--json", action="store_true", help="print the table as one JSON document")
    p.add_argument("--layers", help="comma-separated layers whose features are cut "
                                    "(default: pipes, tunnels, stations, structures)")
    p.add_argument("--include-sensitive", action="store_true",
                   help="allow sensitive layers (the use is written to the audit log)")
    p.add_argument("--exaggeration", type=float, help="vertical exaggeration of the chart (default: automatic)")
    p.add_argument("--lang", default="zh", choices=("zh", "en"), help="chart language (default zh)")
    p.add_argument("--size", default="1600x1000", help="PNG size WIDTHxHEIGHT in pixels (default 1600x1000)")
    p.add_argument("--paper", default="A3", help="PDF paper, landscape: A4, A3, A2, A1, A0 (default A3)")


def register(sub) -> None:
    """Add the profile and section commands."""
    p = sub.add_parser("profile", help="longitudinal profile (纵断面) of a pipe run or along a line")
    _common(p)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--run", help=RUN_HELP)
    what.add_argument("--wkt", help="a LINESTRING in the project CRS: the profile along it, every crossed feature")
    p.set_defaults(func=cmd_profile)
    s = sub.add_parser("section", help="cross-section (横断面) along a cut line")
    _common(s)
    s.add_argument("--wkt", required=True, help="the cut line, a LINESTRING in the project CRS")
    s.set_defaults(func=cmd_section)


def _layers(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def _summary(doc: dict) -> list[str]:
    """A few plain lines for the terminal."""
    if doc["kind"] == "profile":
        lines = [f"profile {doc['utility']} {' -> '.join(doc['points'])}: {doc['length_m']:.2f} m, "
                 f"{len(doc['segments'])} segments, {len(doc['crossings'])} crossings"]
        for st in doc["stations"]:
            inv = "/".join(dict.fromkeys(f"{v:.3f}" for v in (st["invert_in"], st["invert_out"]) if v is not None))
            lines.append(f"  {st['s']:9.2f}  {st['point_id']:<12} ground {st['ground_elev']}  invert {inv}")
        for g in doc["segments"]:
            lines.append(f"  {g['line_id']:<14} {g['size_label']:<10} {g['length_m']:8.2f} m  "
                         f"slope {g['slope_permille']} ‰")
        return lines
    lines = [f"section {doc['length_m']:.2f} m: {len(doc['items'])} features"]
    for it in doc["items"]:
        lines.append(f"  {it['s']:9.2f}  {it['layer']}:{it['id']:<12} {it['size_label']:<10} "
                     f"centre {it['z']}  cover {it['cover_m']}")
    return lines


def _check(args) -> tuple[int, int]:
    """Validate the output options before any work; the PNG size."""
    from app.cli.cmd_render import parse_numbers

    if args.exaggeration is not None and not args.exaggeration > 0:
        raise UsageError(f"--exaggeration {args.exaggeration}: must be above 0")
    w, h = parse_numbers(args.size, 2, "--size", "x")
    if w != int(w) or h != int(h) or w < 200 or h < 200:
        raise UsageError(f"--size {args.size!r}: whole pixels, at least 200x200")
    if args.out:
        from viewers.charts.export import check_out
        from viewers.charts.output import check_paper

        check_out(args.out)
        check_paper(args.paper)
    return int(w), int(h)


def _open(args):
    """The project (writable only when a sensitive layer's use must be audited) and the layers to cut."""
    from gis.cuts.items import CUT_LAYERS
    from gis.policy import allowed_layers, sensitive_in
    from gis.store import Project

    names = allowed_layers(_layers(args.layers), args.include_sensitive, candidates=CUT_LAYERS)
    writable = bool(args.out) and bool(sensitive_in(names))
    return Project.open(args.project, readonly=not writable), names


def _finish(args, proj, result, purpose: str, chart: str) -> int:
    """Write --out (sensitive use audited first), print --json or a summary."""
    from app.cli.output import emit_json
    from gis.policy import record_sensitive_use

    doc = result.to_dict()
    if args.out:
        from viewers.charts.draw import ChartStyle
        from viewers.charts.export import export_chart

        record_sensitive_use(proj, result.layers, purpose, {"out": str(args.out)})
        style = ChartStyle(lang=args.lang, exaggeration=args.exaggeration)
        path = export_chart(result, args.out, style, chart, _check(args), args.paper)
        doc["out"] = str(path.resolve())
    if args.json:
        emit_json(doc)
    else:
        print("\n".join(_summary(doc)))
        if args.out:
            print(f"wrote {doc['out']}")
    return 0


def cmd_profile(args) -> int:
    """Profile of a run (--run) or along a line (--wkt)."""
    from app.cli.cmd_render import parse_wkt
    from app.cli.output import terminal_progress
    from gis.cuts import cross_section, longitudinal_profile

    _check(args)
    proj, names = _open(args)
    with proj:
        if args.run is not None:
            ids = [t for t in args.run.split(",") if t.strip()]
            result = longitudinal_profile(proj, ids, names, include_sensitive=args.include_sensitive,
                                          progress=terminal_progress())
            return _finish(args, proj, result, "profile", "profile")
        result = cross_section(proj, parse_wkt(args.wkt), names, include_sensitive=args.include_sensitive,
                               progress=terminal_progress())
        return _finish(args, proj, result, "profile", "line_profile")


def cmd_section(args) -> int:
    """Cross-section along --wkt."""
    from app.cli.cmd_render import parse_wkt
    from app.cli.output import terminal_progress
    from gis.cuts import cross_section

    _check(args)
    proj, names = _open(args)
    with proj:
        result = cross_section(proj, parse_wkt(args.wkt), names, include_sensitive=args.include_sensitive,
                               progress=terminal_progress())
        return _finish(args, proj, result, "section", "section")

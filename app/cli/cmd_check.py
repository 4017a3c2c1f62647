"""`subterra check clearance|excavation|cover|topology|zones PROJECT ...` (CLI.md).

Exit 0 when a check finds no violation, 3 when it does.  Every check writes
its findings to the project's findings layer under a new run id.
"""
from __future__ import annotations

from app.cli.output import emit_json, terminal_progress

TABLE_ROWS = 30


def register(sub) -> None:
    """Add `check` and its sub-commands to the CLI."""
    p = sub.add_parser("check", help="risk checks (clearance, excavation, cover, topology, zones)")
    checks = p.add_subparsers(dest="check", metavar="CHECK", parser_class=type(p))
    checks.required = True

    def common(q):
        q.add_argument("project", help="PROJECT.gpkg")
        q.add_argument("--rules", help="rule CSV used in place of the built-in rows of the kinds it holds")
        q.add_argument("--json", action="store_true", help="print the result as one JSON document")
        q.add_argument("--out", help="also write the findings to FILE.csv or FILE.gpkg")
        q.add_argument("--no-store", action="store_true", help="do not write findings to the project")

    q = checks.add_parser("clearance", help="净距: horizontal and vertical clearances between utilities")
    common(q)
    q.add_argument("--layers", default="pipe_segments",
                   help="comma-separated layers: pipe_segments, metro_tunnels, trees")
    q.set_defaults(func=cmd_clearance)

    q = checks.add_parser("excavation", help="开挖分析: what an excavation or a proposed pipe hits")
    common(q)
    where = q.add_mutually_exclusive_group(required=True)
    where.add_argument("--area", help="polygon file (GeoJSON ...; reprojected from its own CRS)")
    where.add_argument("--wkt", help="polygon in the project CRS")
    where.add_argument("--id", help="feature_id of a stored excavation")
    where.add_argument("--line", help="proposed pipe centre line (WKT, project CRS; Z = centre elevation)")
    q.add_argument("--bottom-elev", type=float, help="excavation bottom elevation (m)")
    q.add_argument("--depth", type=float, help="excavation depth below ground (m); for --line: cover to pipe top")
    q.add_argument("--buffer", type=float, default=None, help="horizontal safety buffer (m, default 0.5)")
    q.add_argument("--utility", help="utility code of the proposed pipe (--line)")
    q.add_argument("--diameter-mm", type=float)
    q.add_argument("--width-mm", type=float)
    q.add_argument("--height-mm", type=float)
    q.add_argument("--pressure-mpa", type=float, help="gas pressure of the proposed pipe")
    q.add_argument("--burial", help="burial of the proposed pipe (直埋, 排管 ...)")
    q.set_defaults(func=cmd_excavation)

    q = checks.add_parser("cover", help="覆土: cover depth against the minimum")
    common(q)
    q.set_defaults(func=cmd_cover)

    q = checks.add_parser("topology", help="topology QA of the pipe network")
    common(q)
    q.set_defaults(func=cmd_topology)

    q = checks.add_parser("zones", help="protection zones a planned work falls in")
    common(q)
    where = q.add_mutually_exclusive_group(required=True)
    where.add_argument("--area", help="polygon file (reprojected from its own CRS)")
    where.add_argument("--wkt", help="polygon in the project CRS")
    q.set_defaults(func=cmd_zones)


def _open(args):
    from gis.store import Project

    return Project.open(args.project, readonly=bool(args.no_store))


def finish(result, args, project) -> int:
    """Export, print (JSON or a table with rule confidence) and choose the exit code."""
    from gis.analysis import findings

    if args.out:
        findings.export(result, args.out, crs=project.crs)
    if args.json:
        emit_json(result.to_json())
    else:
        _print(result)
    return 3 if result.violations else 0


def _print(result) -> None:
    s = result.summary
    sev = ", ".join(f"{k} {v}" for k, v in s["by_severity"].items())
    print(f"{result.check}: run {result.run_id}: {s['findings']} findings ({sev}); "
          f"{s['violations']} violations, {s['uncertain']} uncertain")
    for key in ("no_rule_pairs", "no_vertical_data", "covered_by_crossing"):
        if key in s:
            print(f"  {key.replace('_', ' ')}: {s[key]}")
    for k, v in list(s.get("no_rule_classes", {}).items())[:10]:
        print(f"    no rule: {k}: {v}")
    for w in s.get("warnings", []):
        print(f"  warning: {w}")
    df = result.findings
    if not len(df):
        return
    print(f"  {'severity':<9}{'kind':<22}{'a':<22}{'b':<22}{'req':>7}{'actual':>8}  rule (confidence)")
    for r in df.head(TABLE_ROWS).itertuples():
        conf = "" if r.confidence in (None, "verified") or r.confidence != r.confidence else f" [{r.confidence}]"
        req = "" if r.required_m != r.required_m else f"{r.required_m:7.2f}"
        act = "" if r.actual_m != r.actual_m else f"{r.actual_m:8.2f}"
        unc = "?" if r.uncertain else ""
        print(f"  {r.severity + unc:<9}{r.kind:<22}{str(r.a_id):<22}{str(r.b_id):<22}{req:>7}{act:>8}  "
              f"{r.rule_id or ''}{conf}")
    if len(df) > TABLE_ROWS:
        print(f"  ... {len(df) - TABLE_ROWS} more (use --json or --out)")


def cmd_clearance(args) -> int:
    """Run the clearance audit."""
    from gis.analysis import clearance

    layers = tuple(x.strip() for x in args.layers.split(",") if x.strip())
    with _open(args) as proj:
        opts = clearance.ClearanceOptions(layers=layers, rules_file=args.rules, write=not args.no_store)
        return finish(clearance.run(proj, opts, terminal_progress()), args, proj)


def cmd_excavation(args) -> int:
    """Run the excavation-conflict check."""
    from gis.analysis import excavation

    with _open(args) as proj:
        opts = excavation.options_from_cli(proj, args)
        return finish(excavation.run(proj, opts, terminal_progress()), args, proj)


def cmd_cover(args) -> int:
    """Run the cover check."""
    from gis.analysis import cover

    with _open(args) as proj:
        opts = cover.CoverOptions(rules_file=args.rules, write=not args.no_store)
        return finish(cover.run(proj, opts, terminal_progress()), args, proj)


def cmd_topology(args) -> int:
    """Run topology QA."""
    from gis.analysis import topology

    with _open(args) as proj:
        opts = topology.TopologyOptions(write=not args.no_store)
        return finish(topology.run(proj, opts, terminal_progress()), args, proj)


def cmd_zones(args) -> int:
    """Check which protection zones an area falls in."""
    from gis.analysis import excavation, zones

    with _open(args) as proj:
        area = excavation.read_area(proj, args.area, args.wkt)
        opts = zones.ZoneOptions(area=area, rules_file=args.rules, write=not args.no_store)
        return finish(zones.run(proj, opts, terminal_progress()), args, proj)


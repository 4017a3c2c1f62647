"""`subterra check clearance|excavation|cover|topology|zones PROJECT ...` (CLI.md).

Exit 0 when a check finds no violation, 3 when it does.  Every check writes
its findings to the project's findings layer under a new run id; ``--report``
also writes an HTML or PDF report of the run (gis.report, viewers.qt_print).
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
        q.add_argument("--report", metavar="FILE.html|FILE.pdf",
                       help="also write a report (summary, map extract, findings with rule sources, owners)")
        q.add_argument("--report-lang", choices=("zh", "en", "both"), default="both",
                       help="language of the report (default both: 中文 and English)")
        q.add_argument("--include-sensitive", action="store_true",
                       help="show findings on sensitive layers in full (written to the audit log)")

    def check(name: str, help_text: str, handler):
        """A check sub-command with the common options, run by ``handler``."""
        q = checks.add_parser(name, help=help_text)
        common(q)
        q.set_defaults(func=handler)
        return q

    q = check("clearance", "净距: horizontal and vertical clearances between utilities", cmd_clearance)
    q.add_argument("--layers", default="pipe_segments",
                   help="comma-separated layers: pipe_segments, metro_tunnels, trees")

    q = check("excavation", "开挖分析: what an excavation or a proposed pipe hits", cmd_excavation)
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

    check("cover", "覆土: cover depth against the minimum", cmd_cover)
    check("topology", "topology QA of the pipe network", cmd_topology)
    q = check("zones", "protection zones a planned work falls in (no area: existing pipes inside "
                       "a metro special zone)", cmd_zones)
    where = q.add_mutually_exclusive_group()
    where.add_argument("--area", help="polygon file (reprojected from its own CRS)")
    where.add_argument("--wkt", help="polygon in the project CRS")


def _open(args):
    from gis.store import Project

    if args.report:
        from gis.report import check_path

        check_path(args.report)
    # an audited output needs to write its audit row even with --no-store
    writes = not args.no_store or args.include_sensitive
    return Project.open(args.project, readonly=not writes)


def finish(result, args, project) -> int:
    """Export, print (JSON or a table with rule confidence) and choose the exit code."""
    from dataclasses import replace

    from gis.analysis import findings
    from gis.policy import record_sensitive_use, withhold_sensitive

    report = _report(result, args, project) if args.report else None
    shown, used = withhold_sensitive(result.findings, args.include_sensitive)
    if used and args.include_sensitive:   # terminal, JSON and --out listings follow the same policy
        record_sensitive_use(project, used, "check", {"run_id": result.run_id, "out": args.out})
    summary = result.summary
    if "owners_to_notify" in summary:
        from gis.analysis.excavation import owners_of

        summary = {**summary, "owners_to_notify": owners_of(shown)}
    public = replace(result, findings=shown, summary=summary)
    if args.out:
        findings.export(public, args.out, crs=project.crs)
    if args.json:
        doc = public.to_json()
        if report is not None:
            doc["report"] = report
        emit_json(doc)
    else:
        _print(public)
        if report is not None:
            print(f"  report: {report['path']}" + (f" (first {report['rows']} of {report['findings']} findings; "
                                                   f"all in {report['csv']})" if report["csv"] else ""))
    return 3 if result.violations else 0


def _report(result, args, project) -> dict:
    from gis.report import ReportOptions
    from viewers.report_output import save_report

    opts = ReportOptions(lang=args.report_lang, include_sensitive=args.include_sensitive, rules_file=args.rules)
    return save_report(result, project, args.report, opts)


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
    """Check which protection zones an area falls in, or which existing pipes lie in a metro special zone."""
    from gis.analysis import excavation, zones

    with _open(args) as proj:
        area = excavation.read_area(proj, args.area, args.wkt) if args.area or args.wkt else None
        opts = zones.ZoneOptions(area=area, rules_file=args.rules, write=not args.no_store)
        return finish(zones.run(proj, opts, terminal_progress()), args, proj)


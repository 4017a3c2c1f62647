"""`subterra trace PROJECT --from ID (--connected | --upstream | --downstream | --isolate) [--json]`."""
from __future__ import annotations

from app.cli.output import emit_json


def register(sub) -> None:
    """Add `trace` to the CLI."""
    p = sub.add_parser("trace", help="network trace: connected, upstream, downstream, valve isolation")
    p.add_argument("project", help="PROJECT.gpkg")
    p.add_argument("--from", dest="start", required=True, help="a point_id or a line_id (--isolate: the burst line_id)")
    mode = p.add_mutually_exclusive_group(required=True)
    for name in ("connected", "upstream", "downstream", "isolate"):
        mode.add_argument(f"--{name}", dest="mode", action="store_const", const=name)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_trace)


def cmd_trace(args) -> int:
    """Trace the network from a point or segment."""
    from gis.analysis.network import Network
    from gis.store import Project

    with Project.open(args.project, readonly=True) as proj:
        net = Network.from_project(proj)
    doc = net.isolate(args.start) if args.mode == "isolate" else net.trace(args.start, args.mode)
    if args.json:
        emit_json(doc)
        return 0
    for key, value in doc.items():
        if isinstance(value, list):
            print(f"{key} ({len(value)}): {', '.join(map(str, value))}")
        else:
            print(f"{key}: {value}")
    return 0

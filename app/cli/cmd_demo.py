"""`subterra demo PROJECT.gpkg [--size small|district|city] [--seed N] [--json]`: the demo district."""
from __future__ import annotations

from app.cli.output import emit_json, terminal_progress


def register(sub) -> None:
    """Add the demo command."""
    from gis.demo.sizes import SIZES

    p = sub.add_parser("demo", help="create a demo district project (deterministic for a size and seed)")
    p.add_argument("project", help="PROJECT.gpkg to create (must not exist)")
    p.add_argument("--size", choices=list(SIZES), default="small",
                   help="small (~2k pipe segments), district (~100k) or city (~1M)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print counts and planted violations as JSON")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args) -> int:
    """Generate the demo into a new project."""
    import time

    from gis.demo import build, planted

    start = time.perf_counter()
    with build(args.project, size=args.size, seed=args.seed, progress=terminal_progress()) as proj:
        doc = {"path": str(proj.path), "size": args.size, "seed": args.seed,
               "seconds": round(time.perf_counter() - start, 2),
               "layers": {name: info["count"] for name, info in proj.info().layers.items()},
               "planted": planted(proj)}
    if args.json:
        emit_json(doc)
        return 0
    print(f"created {doc['path']} ({args.size}, seed {args.seed}) in {doc['seconds']} s")
    for name, count in doc["layers"].items():
        if count:
            print(f"  {name:<28}{count:>10}")
    print(f"  planted violations: {', '.join(p['code'] for p in doc['planted'])}")
    return 0

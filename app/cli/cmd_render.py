"""`subterra render`: top, side, 3D and section images of a project, with no display (CLI.md)."""
from __future__ import annotations

from gis.errors import UsageError


def register(sub) -> None:
    """Add the render command."""
    p = sub.add_parser("render", help="render a top, side, 3d or section view to a PNG (no display needed)")
    p.add_argument("project", help="PROJECT.gpkg")
    p.add_argument("--out", required=True, help="FILE.png to write")
    p.add_argument("--view", default="top", help="top | side | 3d | section (default top)")
    p.add_argument("--bbox", help="XMIN,YMIN,XMAX,YMAX in the project CRS (top/side: fills the image width)")
    p.add_argument("--size", default="1600x1000", help="WIDTHxHEIGHT in pixels (default 1600x1000)")
    p.add_argument("--azimuth", type=float, default=210.0,
                   help="3d: compass direction the camera looks from, degrees clockwise from north (default 210)")
    p.add_argument("--elevation", type=float, default=35.0,
                   help="3d: camera height above the horizon in degrees (default 35)")
    p.add_argument("--exaggeration", type=float, default=1.0, help="vertical exaggeration (default 1)")
    p.add_argument("--ground-opacity", type=float, default=None,
                   help="0..1 (default: 0 in the top view, 0.3 elsewhere)")
    p.add_argument("--layers", help="comma-separated layers to draw (default: every drawable layer)")
    p.add_argument("--wkt", help="section: the cut line, LINESTRING in the project CRS")
    p.add_argument("--include-sensitive", action="store_true",
                   help="allow sensitive layers (the use is written to the audit log)")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(func=cmd_render)


def parse_numbers(text: str, count: int, what: str, sep: str = ",") -> list[float]:
    """``count`` numbers separated by ``sep``; UsageError naming ``what`` otherwise."""
    parts = text.lower().split(sep)
    try:
        values = [float(v) for v in parts]
    except ValueError:
        values = []
    if len(values) != count:
        raise UsageError(f"{what} {text!r}: expected {count} numbers separated by {sep!r}")
    return values


def parse_wkt(text: str | None):
    """A shapely geometry from WKT (None passes through)."""
    if text is None:
        return None
    import shapely
    from shapely.errors import GEOSException

    try:
        return shapely.from_wkt(text)
    except (GEOSException, ValueError) as exc:
        raise UsageError(f"--wkt {text!r}: not valid WKT ({exc})") from None


def cmd_render(args) -> int:
    """Render one view to a PNG."""
    from app.cli.output import emit_json, terminal_progress
    from viewers.render import RenderSpec, render_to_file

    w, h = parse_numbers(args.size, 2, "--size", "x")
    if w != int(w) or h != int(h):
        raise UsageError(f"--size {args.size!r}: width and height must be whole pixels")
    spec = RenderSpec(
        view=args.view, size=(int(w), int(h)),
        bbox=tuple(parse_numbers(args.bbox, 4, "--bbox")) if args.bbox else None,
        azimuth=args.azimuth, elevation=args.elevation, exaggeration=args.exaggeration,
        ground_opacity=args.ground_opacity,
        layers=[s.strip() for s in args.layers.split(",") if s.strip()] if args.layers else None,
        cut=parse_wkt(args.wkt), include_sensitive=args.include_sensitive)
    summary = render_to_file(args.project, args.out, spec, terminal_progress())
    if args.json:
        emit_json(summary)
    else:
        print(f"wrote {summary['out']}")
    return 0

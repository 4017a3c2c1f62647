"""`subterra gnss status|survey|sourcetable|calibrate`: receiver, NTRIP corrections, point capture."""
from __future__ import annotations

import sys
import warnings

from app.cli.output import emit_json


def _source_args(p, required: bool = True) -> None:
    p.add_argument("--source", required=required,
                   help="receiver: tcp://HOST:PORT, serial:///dev/ttyUSB0?baud=115200 (serial://COM3?baud=...), "
                        "file:///path.nmea[?rate=LINES_PER_S]")
    _ntrip_args(p)
    p.add_argument("--frame", default=None, help="GNSS/CORS frame of the positions (default: project's, else CGCS2000)")


def _ntrip_args(p, required: bool = False) -> None:
    p.add_argument("--ntrip", required=required, metavar="URL", help="ntrip://USER[:PASS]@HOST:PORT/MOUNT "
                   "(password from SUBTERRA_NTRIP_PASSWORD or the OS keyring)")
    p.add_argument("--ntrip-version", type=int, choices=(1, 2), default=1)
    p.add_argument("--gga-interval", type=float, default=10.0, help="seconds between GGA uploads (0: never)")


def register(sub) -> None:
    """Add the gnss commands."""
    gnss = sub.add_parser("gnss", help="GNSS receiver, NTRIP corrections and RTK point survey")
    gsub = gnss.add_subparsers(dest="gnss_command", metavar="ACTION")
    p = gsub.add_parser("status", help="show the receiver's fix, satellites and corrections")
    _source_args(p)
    p.add_argument("--seconds", type=float, default=10.0, help="how long to listen (a file ends earlier)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = gsub.add_parser("survey", help="occupy a point, check the fix, store it in survey_points")
    p.add_argument("project")
    _source_args(p)
    p.add_argument("--point-id", required=True)
    p.add_argument("--epochs", type=int, default=None, help="epochs to average (default 10)")
    p.add_argument("--seconds", type=float, default=None, help="occupy this long instead of a number of epochs")
    p.add_argument("--require", choices=("fixed", "float", "any"), default="fixed")
    p.add_argument("--max-sigma", type=float, default=None, help="largest horizontal sigma (m); needs GST")
    p.add_argument("--max-spread", type=float, default=None, help="largest distance of an epoch from the mean (m)")
    p.add_argument("--antenna-height", type=float, default=0.0, help="pole / antenna height above the mark (m)")
    p.add_argument("--timeout", type=float, default=120.0, help="give up after this many seconds")
    p.add_argument("--code", default=None, help="point code")
    p.add_argument("--surveyor", default=None)
    p.add_argument("--receiver", default=None, help="receiver name for the record (default: the source)")
    p.add_argument("--utility", default=None, help="also store a pipe point of this utility / sub-type code")
    p.add_argument("--feature", default=None, help="pipe point feature (with --utility)")
    p.add_argument("--appurtenance", default=None, help="pipe point appurtenance, e.g. 阀门 (with --utility)")
    p.add_argument("--depth", type=float, default=None, help="measured depth at the pipe point, m (with --utility)")
    p.add_argument("--ellipsoidal-heights", action="store_true",
                   help="store ellipsoidal heights when the project has no geoid grid or height fit")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_survey)

    p = gsub.add_parser("sourcetable", help="list a caster's mountpoints, nearest first")
    _ntrip_args(p, required=True)
    p.add_argument("--near", default=None, metavar="LAT,LON", help="rank mountpoints by distance from here")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sourcetable)

    p = gsub.add_parser("calibrate", help="fit a 4-/7-parameter calibration from control points; set a geoid grid")
    p.add_argument("project")
    p.add_argument("--method", choices=("4", "7"), default=None)
    p.add_argument("--frame", default=None)
    p.add_argument("--geoid", default=None, metavar="GRID", help="geoid / quasi-geoid grid (GTX or GeoTIFF)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_calibrate)


def _ntrip_config(args):
    """The NTRIP config from --ntrip, turning the password-in-URL warning into one clean line."""
    if not args.ntrip:
        if args.ntrip_version != 1:
            from gis.errors import UsageError

            raise UsageError("--ntrip-version needs --ntrip")
        return None
    from importers.gnss.ntrip import parse_ntrip_url

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cfg = parse_ntrip_url(args.ntrip, args.ntrip_version, args.gga_interval)
    for w in caught:
        print(f"subterra: warning: {w.message}", file=sys.stderr)
    return cfg


def _session(args, frame: str):
    from importers.gnss.session import GnssSession
    from importers.gnss.sources import parse_source

    return GnssSession(parse_source(args.source), _ntrip_config(args), frame=frame)


def cmd_status(args) -> int:
    """Listen to the receiver (and caster) for a while; print the status."""
    from gis.geodesy.frames import DEFAULT_FRAME, frame_name

    session = _session(args, frame_name(args.frame or DEFAULT_FRAME))
    with session:
        session.run_for(args.seconds if session.receiver.spec.kind != "file" or args.ntrip else None)
    doc = session.status.snapshot()
    if args.json:
        emit_json(doc)
        return 0
    pos = doc["position"]
    used = ", ".join(f"{k} {v}" for k, v in doc["satellites_used"].items() if k != "total")
    view = ", ".join(f"{k} {v}" for k, v in doc["satellites_in_view"].items())
    print(f"fix: {doc['fix']}  epochs: {doc['fix_counts']}")
    if pos["lat"] is not None:
        print(f"position: {pos['lat']:.9f} {pos['lon']:.9f} h_ell {pos['h_ell']:.3f} m ({pos['frame']})")
    print(f"satellites used: {doc['satellites_used']['total']} ({used or '-'}); in view: {view or '-'}")
    print(f"HDOP {_figure(doc['hdop'], 2)}  sigma_h {_figure(doc['sigma_h'], 3)} m  sigma_v {_figure(doc['sigma_v'], 3)} m")
    print("NMEA: " + ", ".join(f"{k} {v}" for k, v in doc["nmea"].items()))
    if args.ntrip:
        r, n = doc["rtcm"], doc["ntrip"]
        print(f"NTRIP {n['mountpoint']} v{n['version']}: {n['state']}, reconnects {n['reconnects']}"
              + (f", {n['error']}" if n["error"] else ""))
        print(f"RTCM: {r['frames']} frames, {r['bytes']} bytes, {r['crc_errors']} CRC errors, age {r['age_s']} s, "
              f"types {r['types']}")
    return 0


def cmd_survey(args) -> int:
    """Capture one point into the project."""
    from gis.geodesy.calibration import ProjectGeodesy
    from gis.store import Project
    from importers.gnss.capture import CaptureRefused, CaptureRules
    from importers.gnss.survey import PipePointSpec, survey_point

    rules = CaptureRules(epochs=args.epochs if args.epochs or args.seconds else 10, seconds=args.seconds,
                         require=args.require, max_sigma=args.max_sigma, max_spread=args.max_spread,
                         antenna_height=args.antenna_height, timeout=args.timeout)
    pipe = (PipePointSpec(args.utility, args.feature, args.depth, args.appurtenance)
            if args.utility else None)
    with Project.open(args.project) as proj:
        geodesy = ProjectGeodesy.from_project(proj, args.frame)
        session = _session(args, geodesy.frame)
        try:
            done = survey_point(proj, session, geodesy, rules, args.point_id, code=args.code,
                                surveyor=args.surveyor, receiver=args.receiver, pipe=pipe,
                                allow_ellipsoidal=args.ellipsoidal_heights)
        except CaptureRefused as exc:
            if args.json:
                emit_json({"stored": False, "point_id": args.point_id, "reason": str(exc)})
            raise
        finally:
            session.stop()
    result, record, horizontal, pipe_row = done.result, done.record, done.horizontal_method, done.pipe_row
    doc = {"stored": True, **record, "horizontal_method": horizontal, "refused_epochs": result.refused,
           "restarts": result.restarts, "pipe_point": pipe_row}
    if args.json:
        emit_json(doc)
    else:
        print(f"stored {record['point_id']}: x {record['x']:.3f} y {record['y']:.3f} h {record['h']:.3f} "
              f"({record['fix']}, {record['epochs']} epochs, spread {record['spread_h']:.3f} m, {record['height_method']})")
    return 0


def cmd_sourcetable(args) -> int:
    """Fetch and show a caster's sourcetable."""
    from gis.errors import UsageError
    from importers.gnss.ntrip import fetch_sourcetable

    cfg = _ntrip_config(args)
    table = fetch_sourcetable(cfg)
    near = None
    if args.near:
        try:
            near = tuple(float(v) for v in args.near.split(","))
            assert len(near) == 2
        except (ValueError, AssertionError):
            raise UsageError(f"--near must be LAT,LON, not {args.near!r}") from None
    rows = table.by_distance(*near) if near else [(s, None) for s in table.streams]
    if args.json:
        emit_json({"streams": [{**s.__dict__, "distance_km": None if d is None else round(d, 3)} for s, d in rows],
                   "problems": table.problems})
        return 0
    for s, d in rows:
        dist = "" if d is None else f"{d:9.1f} km"
        print(f"{s.mountpoint:<20}{dist:>12}  {s.format:<10} {s.nav_system:<16} {'GGA' if s.nmea else '   '} "
              f"{s.identifier}")
    return 0


def cmd_calibrate(args) -> int:
    """Fit and store a calibration / set the geoid grid."""
    from gis.errors import UsageError
    from gis.geodesy.calibration import fit_project_calibration, set_geoid_grid, store_calibration
    from gis.store import Project

    if not args.method and not args.geoid:
        raise UsageError("give --method 4|7 and/or --geoid GRID")
    doc: dict = {}
    with Project.open(args.project) as proj:
        if args.geoid:
            set_geoid_grid(proj, args.geoid)
            doc["geoid_grid"] = args.geoid
        if args.method:
            report = fit_project_calibration(proj, args.method, args.frame)
            store_calibration(proj, report)
            doc.update(report)
    if args.json:
        emit_json(doc)
        return 0
    if "calibration" in doc:
        cal = doc["calibration"]
        print(f"{cal['method']} calibration from {doc['points']} control points, rms {cal['rms']:.4f} m")
        for r in doc["residuals"]:
            print("  " + r["point_id"] + "  " + "  ".join(f"{k} {v:+.4f}" for k, v in r.items() if k != "point_id"))
    if "geoid_grid" in doc:
        print(f"geoid grid: {doc['geoid_grid']}")
    return 0


def _figure(value: float | None, decimals: int) -> str:
    """``value`` rounded for the status lines ("-" when the receiver has not sent it)."""
    return "-" if value is None else f"{value:.{decimals}f}"

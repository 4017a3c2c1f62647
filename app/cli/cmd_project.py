"""`subterra new` and `subterra info`."""
from __future__ import annotations

from app.cli.output import emit_json


def register(sub) -> None:
    """Add the project commands to the CLI."""
    p = sub.add_parser("new", help="create an empty project GeoPackage")
    p.add_argument("project", help="PROJECT.gpkg to create")
    p.add_argument("--crs", default="EPSG:4549", help="horizontal CRS (EPSG code, PROJ string or WKT)")
    p.add_argument("--vertical-datum", default="1985 National Height Datum", help="name of the height datum")
    p.add_argument("--json", action="store_true", help="print the new project's info as JSON")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("info", help="CRS, schema version, layers with counts and extents")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_info)


def cmd_new(args) -> int:
    """Create a project."""
    from gis.store import Project

    with Project.create(args.project, crs=args.crs, vertical_datum=args.vertical_datum) as proj:
        if args.json:
            emit_json(info_dict(proj))
        else:
            print(f"created {proj.path} ({proj.meta['crs_name']}, {proj.meta['vertical_datum']})")
    return 0


def info_dict(proj) -> dict:
    """The JSON document of `subterra info`."""
    info = proj.info()
    return {"path": info.path, "crs": info.crs, "crs_name": info.crs_name,
            "vertical_datum": info.vertical_datum, "schema_version": info.schema_version,
            "created": info.created, "layers": info.layers, "terrain": info.terrain}


def cmd_info(args) -> int:
    """Describe a project."""
    from gis.store import Project

    with Project.open(args.project, readonly=True) as proj:
        doc = info_dict(proj)
    if args.json:
        emit_json(doc)
        return 0
    print(f"{doc['path']}\n  CRS: {doc['crs_name']} ({doc['crs']})\n  vertical datum: {doc['vertical_datum']}"
          f"\n  schema version: {doc['schema_version']}\n  created: {doc['created']}")
    for name, lay in doc["layers"].items():
        ext = lay["extent"]
        ext_txt = "" if ext is None else "  extent " + ", ".join(f"{v:.1f}" for v in ext)
        print(f"  {name:<28}{lay['count']:>10}{ext_txt}")
    if doc["terrain"]:
        t = doc["terrain"]
        print(f"  terrain {t['width']}x{t['height']} @ {t['resolution']} m")
    return 0

"""Project tables from the layer registry: feature tables, system tables, schema sync.

All DDL runs on the store's own sqlite3 connection inside its transaction, so
creating a project or migrating one is all or nothing.
"""
from __future__ import annotations

import sqlite3

from gis.layers import LAYERS, Layer
from gis.store.gpkg_sql import SQL_TYPES, quote, rtree_triggers

SCHEMA_VERSION = 1

# Columns every feature table has besides the registry's fields.
SYSTEM_FIELDS = {"import_id": "INTEGER"}

SYSTEM_TABLES = {
    "project_meta": ("Subterra project metadata",
                     '"key" TEXT NOT NULL UNIQUE, "value" TEXT'),
    "import_log": ("Imports that landed",
                   '"time" TEXT NOT NULL, "user" TEXT, "kind" TEXT, "sources" TEXT, "sha256" TEXT, '
                   '"accepted" TEXT, "rejected" INTEGER, "warnings" TEXT, "report" TEXT, '
                   '"reverted" TEXT'),
    "audit_log": ("Edits and other audited actions",
                  '"time" TEXT NOT NULL, "user" TEXT, "layer" TEXT, "feature_id" TEXT, '
                  '"action" TEXT NOT NULL, "old" TEXT, "new" TEXT, "import_id" INTEGER'),
}


def gpkg_geometry_type(layer: Layer) -> tuple[str, int]:
    """(GeoPackage geometry_type_name, z flag) for a registry geometry like "LineString Z"."""
    base = layer.geometry.replace(" Z", "").upper()
    return base, int(layer.has_z)


def create_attribute_table(con: sqlite3.Connection, name: str, description: str, columns_sql: str) -> None:
    """Create a non-spatial table registered in gpkg_contents as 'attributes'."""
    con.execute(f'CREATE TABLE {quote(name)} ("fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, {columns_sql})')
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
                "VALUES (?, 'attributes', ?, ?)", (name, name, description))


def create_feature_table(con: sqlite3.Connection, layer: Layer, srs_id: int) -> None:
    """Create one registry layer's table, its rtree index and its gpkg metadata rows."""
    gtype, z = gpkg_geometry_type(layer)
    cols = [f"{quote(f.name)} {SQL_TYPES[f.type]}" for f in layer.fields]
    cols += [f"{quote(n)} {t}" for n, t in SYSTEM_FIELDS.items()]
    t = quote(layer.name)
    con.execute(f'CREATE TABLE {t} ("fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
                f'"geom" {gtype}, {", ".join(cols)})')
    con.execute(f"CREATE UNIQUE INDEX {quote('uq_' + layer.name + '_' + layer.id_field)} "
                f"ON {t} ({quote(layer.id_field)})")
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
                "VALUES (?, 'features', ?, ?, ?)", (layer.name, layer.name, layer.en, srs_id))
    con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, ?, 0)",
                (layer.name, gtype, srs_id, z))
    con.execute(f'CREATE VIRTUAL TABLE {quote("rtree_" + layer.name + "_geom")} '
                f"USING rtree(id, minx, maxx, miny, maxy)")
    for trig in rtree_triggers(layer.name):
        con.execute(trig)
    con.execute("INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index', "
                "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')", (layer.name,))


def table_columns(con: sqlite3.Connection, table: str) -> list[str]:
    """Column names of an existing table."""
    return [r[1] for r in con.execute(f"PRAGMA table_info({quote(table)})")]


def sync_schema(con: sqlite3.Connection, srs_id: int) -> list[str]:
    """Add registry layers and fields missing from the file; return what was added.

    Never drops anything (DATA_MODEL.md: add fields freely, remove none).
    """
    added: list[str] = []
    existing = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
    for name, (desc, cols) in SYSTEM_TABLES.items():
        if name not in existing:
            create_attribute_table(con, name, desc, cols)
            added.append(name)
    for layer in LAYERS.values():
        if layer.name not in existing:
            create_feature_table(con, layer, srs_id)
            added.append(layer.name)
            continue
        have = set(table_columns(con, layer.name))
        wanted = [(f.name, SQL_TYPES[f.type]) for f in layer.fields] + list(SYSTEM_FIELDS.items())
        for col, sql_type in wanted:
            if col not in have:
                con.execute(f"ALTER TABLE {quote(layer.name)} ADD COLUMN {quote(col)} {sql_type}")
                added.append(f"{layer.name}.{col}")
    return added

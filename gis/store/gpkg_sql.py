"""Low-level GeoPackage access over ``sqlite3``: geometry blobs, spec SQL functions, DDL.

GDAL's rtree triggers call ST_IsEmpty/ST_MinX/... ; a plain sqlite3 connection
must define them (GeoPackage 1.4, Annex "Spatial Indexes") before it writes to
a feature table.  Geometry blobs are the GeoPackage header (with an XY
envelope) followed by ISO WKB, which GDAL and QGIS read.
"""
from __future__ import annotations

import sqlite3
import struct

import numpy as np

GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
GPKG_USER_VERSION = 10400         # GeoPackage 1.4 (its rtree triggers are the ones we write)

_HEADER = np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"),
                    ("srs_id", "<i4"), ("env", "<f8", (4,))])
_FLAG_LE_XY = 0b0000_0011      # little endian, envelope [minx, maxx, miny, maxy]
_FLAG_EMPTY = 0b0001_0001      # little endian, empty geometry, no envelope
_ENVELOPE_SIZES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def encode(geoms: np.ndarray, srs_id: int, has_z: bool) -> tuple[list[bytes | None], np.ndarray]:
    """Encode shapely geometries as GeoPackage blobs; also return their (n, 4) bounds.

    Bounds are minx, miny, maxx, maxy (NaN for empty or missing geometries).
    """
    import shapely      # here, not at module level: opening and reading a project needs no shapely

    geoms = np.asarray(geoms, dtype=object)
    wkb = shapely.to_wkb(geoms, flavor="iso", byte_order=1,
                         output_dimension=3 if has_z else 2, include_srid=False)
    bounds = shapely.bounds(geoms)
    head = np.zeros(len(geoms), dtype=_HEADER)
    head["magic"] = b"GP"
    head["srs_id"] = srs_id
    empty = np.isnan(bounds[:, 0])
    head["flags"] = np.where(empty, _FLAG_EMPTY, _FLAG_LE_XY)
    head["env"] = bounds[:, [0, 2, 1, 3]]
    raw = head.tobytes()
    size = _HEADER.itemsize
    blobs: list[bytes | None] = []
    for i, w in enumerate(wkb):
        if w is None:
            blobs.append(None)
        elif empty[i]:
            blobs.append(raw[i * size:i * size + 8] + w)
        else:
            blobs.append(raw[i * size:(i + 1) * size] + w)
    return blobs, bounds


def header_size(blob: bytes) -> int:
    """Length of a GeoPackage blob's header (8 bytes plus its envelope)."""
    return 8 + _ENVELOPE_SIZES.get((blob[3] >> 1) & 0b111, 0)


def decode(blobs: list[bytes | None]) -> np.ndarray:
    """Decode GeoPackage blobs to shapely geometries (None stays None)."""
    import shapely

    wkb = [None if b is None else bytes(b[header_size(b):]) for b in blobs]
    return shapely.from_wkb(np.array(wkb, dtype=object))


def _envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) from the header, or from the WKB when it has none."""
    if blob is None or blob[3] & 0b0001_0000:
        return None
    if (blob[3] >> 1) & 0b111:
        order = "<" if blob[3] & 1 else ">"
        return struct.unpack_from(order + "4d", blob, 8)
    import shapely

    geom = shapely.from_wkb(bytes(blob[header_size(blob):]))
    if geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    return minx, maxx, miny, maxy


def _env_part(index: int):
    def fn(blob):
        env = _envelope(blob)
        return None if env is None else env[index]
    return fn


def connect(path: str, timeout: float = 2.0, readonly: bool = False) -> sqlite3.Connection:
    """Open a GeoPackage with the spec's ST_* functions defined; explicit transactions.

    The connection is in autocommit mode (``isolation_level=None``): callers
    open transactions with ``BEGIN IMMEDIATE`` so a write is all or nothing.
    """
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}?mode=rw"
    con = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None,
                          check_same_thread=False)
    con.create_function("ST_IsEmpty", 1, lambda b: None if b is None else int(_envelope(b) is None),
                        deterministic=True)
    for name, idx in (("ST_MinX", 0), ("ST_MaxX", 1), ("ST_MinY", 2), ("ST_MaxY", 3)):
        con.create_function(name, 1, _env_part(idx), deterministic=True)
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute("PRAGMA cache_size = -262144")   # 256 MB page cache: bulk writes stay in memory
    return con


def quote(name: str) -> str:
    """SQL identifier quoting."""
    return '"' + name.replace('"', '""') + '"'


SQL_TYPES = {"str": "TEXT", "int": "INTEGER", "float": "REAL", "date": "DATE",
             "datetime": "DATETIME", "bool": "BOOLEAN"}

BASE_DDL = (
    """CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
    organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
    description TEXT)""",
    """CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
    identifier TEXT UNIQUE, description TEXT DEFAULT '',
    last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
    CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
    geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
    CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
    CONSTRAINT uk_gc_table_name UNIQUE (table_name),
    CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
    CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
    """CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
    definition TEXT NOT NULL, scope TEXT NOT NULL,
    CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""",
    """CREATE TABLE gpkg_tile_matrix_set (table_name TEXT NOT NULL PRIMARY KEY, srs_id INTEGER NOT NULL,
    min_x DOUBLE NOT NULL, min_y DOUBLE NOT NULL, max_x DOUBLE NOT NULL, max_y DOUBLE NOT NULL,
    CONSTRAINT fk_gtms_table_name FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
    CONSTRAINT fk_gtms_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
    """CREATE TABLE gpkg_tile_matrix (table_name TEXT NOT NULL, zoom_level INTEGER NOT NULL,
    matrix_width INTEGER NOT NULL, matrix_height INTEGER NOT NULL, tile_width INTEGER NOT NULL,
    tile_height INTEGER NOT NULL, pixel_x_size DOUBLE NOT NULL, pixel_y_size DOUBLE NOT NULL,
    CONSTRAINT pk_ttm PRIMARY KEY (table_name, zoom_level),
    CONSTRAINT fk_tmm_table_name FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name))""",
)

_BASE_SRS = (
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
    ("WGS 84 geodetic", 4326, "EPSG", 4326,
     'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
     'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
     'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
     'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]',
     "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
)


def create_base(con: sqlite3.Connection) -> None:
    """Create the GeoPackage core tables in an empty database (inside the caller's transaction)."""
    con.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
    con.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
    for ddl in BASE_DDL:
        con.execute(ddl)
    con.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)", _BASE_SRS)


def rtree_triggers(table: str, geom: str = "geom") -> list[str]:
    """The GeoPackage 1.4 rtree maintenance triggers for ``table``.``geom``."""
    t, g = quote(table), quote(geom)
    rt = quote(f"rtree_{table}_{geom}")
    name = f"rtree_{table}_{geom}"
    ins = (f"INSERT OR REPLACE INTO {rt} VALUES (NEW.fid, ST_MinX(NEW.{g}), ST_MaxX(NEW.{g}), "
           f"ST_MinY(NEW.{g}), ST_MaxY(NEW.{g}))")
    not_empty_new = f"(NEW.{g} NOT NULL AND NOT ST_IsEmpty(NEW.{g}))"
    return [
        f'CREATE TRIGGER "{name}_insert" AFTER INSERT ON {t} WHEN {not_empty_new} BEGIN {ins}; END',
        f'CREATE TRIGGER "{name}_update6" AFTER UPDATE OF {g} ON {t} WHEN OLD.fid = NEW.fid AND '
        f"{not_empty_new} AND (OLD.{g} NOTNULL AND NOT ST_IsEmpty(OLD.{g})) BEGIN UPDATE {rt} SET "
        f"minx = ST_MinX(NEW.{g}), maxx = ST_MaxX(NEW.{g}), miny = ST_MinY(NEW.{g}), "
        f"maxy = ST_MaxY(NEW.{g}) WHERE id = NEW.fid; END",
        f'CREATE TRIGGER "{name}_update7" AFTER UPDATE OF {g} ON {t} WHEN OLD.fid = NEW.fid AND '
        f"{not_empty_new} AND (OLD.{g} ISNULL OR ST_IsEmpty(OLD.{g})) BEGIN {ins}; END",
        f'CREATE TRIGGER "{name}_update2" AFTER UPDATE OF {g} ON {t} WHEN OLD.fid = NEW.fid AND '
        f"(NEW.{g} ISNULL OR ST_IsEmpty(NEW.{g})) BEGIN DELETE FROM {rt} WHERE id = OLD.fid; END",
        f'CREATE TRIGGER "{name}_update5" AFTER UPDATE ON {t} WHEN OLD.fid != NEW.fid AND '
        f"{not_empty_new} BEGIN DELETE FROM {rt} WHERE id = OLD.fid; {ins}; END",
        f'CREATE TRIGGER "{name}_update4" AFTER UPDATE ON {t} WHEN OLD.fid != NEW.fid AND '
        f"(NEW.{g} ISNULL OR ST_IsEmpty(NEW.{g})) BEGIN DELETE FROM {rt} WHERE id IN (OLD.fid, NEW.fid); END",
        f'CREATE TRIGGER "{name}_delete" AFTER DELETE ON {t} WHEN OLD.{g} NOT NULL BEGIN '
        f"DELETE FROM {rt} WHERE id = OLD.fid; END",
    ]


def insert_trigger_name(table: str, geom: str = "geom") -> str:
    """Name of the rtree insert trigger, dropped and recreated around bulk inserts."""
    return f"rtree_{table}_{geom}_insert"

"""A Subterra project: one GeoPackage with the registry's layers, metadata and logs.

The store is the only writer.  Every write goes through :meth:`Project.transaction`
(one SQLite transaction, rollback journal), so an import of several layers lands
whole or not at all, also when the process is killed half-way.  Readers get
GeoDataFrames through pyogrio.
"""
from __future__ import annotations

import datetime as _dt
import getpass
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gis import layers as registry
from gis.crs import DEFAULT_CRS, DEFAULT_VERTICAL_DATUM, parse_crs, require_projected_metres, srs_row
from gis.errors import (NotAGeoPackageError, NotAProjectError, ProjectError, ProjectLockedError,
                        ReadOnlyProjectError, SchemaVersionError)
from gis.store import gpkg_sql, migrations, schema

SQLITE_MAGIC = b"SQLite format 3\x00"


def now_utc() -> str:
    """Current UTC time as ISO 8601 with a Z suffix."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def current_user() -> str:
    """The OS user name (for logs)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user database in some containers
        return "unknown"


@dataclass(frozen=True)
class ProjectInfo:
    """What `subterra info` shows: CRS, datum, version, layers with counts and extents."""

    path: str
    crs: str
    crs_name: str
    vertical_datum: str
    schema_version: int
    created: str
    layers: dict[str, dict]
    terrain: dict | None


class Project:
    """An open project GeoPackage.  Use :meth:`create` or :meth:`open`."""

    def __init__(self, path: Path, con: sqlite3.Connection, readonly: bool):
        self.path = path
        self._con = con
        self.readonly = readonly
        self.meta = dict(con.execute('SELECT "key", "value" FROM project_meta'))
        self.srs_id = int(self.meta["srs_id"])
        self._crs = None

    # ----------------------------------------------------------------- creation
    @classmethod
    def create(cls, path: str | os.PathLike, crs: str = DEFAULT_CRS,
               vertical_datum: str = DEFAULT_VERTICAL_DATUM, overwrite: bool = False) -> "Project":
        """Create a new project file atomically (written aside, then renamed into place)."""
        path = Path(path)
        if path.exists() and not overwrite:
            raise ProjectError(f"{path}: file exists (choose another name or remove it)")
        if path.suffix.lower() != ".gpkg":
            raise ProjectError(f"{path}: a project file must end in .gpkg")
        crs_obj = parse_crs(crs)
        require_projected_metres(crs_obj)
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise ProjectError(f"{path}: folder {folder} does not exist")
        if not os.access(folder, os.W_OK):
            raise ReadOnlyProjectError(f"{path}: folder {folder} is not writable")
        fd, tmp = tempfile.mkstemp(suffix=".tmp.gpkg", dir=folder)
        os.close(fd)
        os.unlink(tmp)
        try:
            con = sqlite3.connect(tmp, isolation_level=None)
            con.close()
            con = gpkg_sql.connect(tmp)
            con.execute("BEGIN IMMEDIATE")
            gpkg_sql.create_base(con)
            row = srs_row(crs_obj)
            con.execute("INSERT OR REPLACE INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)", row)
            srs_id = row[1]
            schema.sync_schema(con, srs_id)
            meta = {"schema_version": str(schema.SCHEMA_VERSION), "crs": crs_obj.to_wkt(),
                    "crs_input": crs, "crs_name": crs_obj.name, "srs_id": str(srs_id),
                    "vertical_datum": vertical_datum, "created": now_utc(),
                    "created_by": current_user(), "application": "Subterra"}
            con.executemany('INSERT INTO project_meta ("key", "value") VALUES (?, ?)', meta.items())
            con.execute("COMMIT")
            con.close()
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return cls.open(path)

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | os.PathLike, readonly: bool = False, migrate: bool = True) -> "Project":
        """Open a project; older schemas are migrated (after a backup), newer refused."""
        path = Path(path)
        if not path.exists():
            raise ProjectError(f"{path}: no such file")
        if path.is_dir():
            raise NotAGeoPackageError(f"{path}: is a folder, not a GeoPackage")
        try:
            with open(path, "rb") as fh:
                head = fh.read(100)
        except PermissionError:
            raise ReadOnlyProjectError(f"{path}: permission denied (cannot read the file)") from None
        if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
            raise NotAGeoPackageError(f"{path}: not a GeoPackage (not an SQLite database)")
        if int.from_bytes(head[68:72], "big") != gpkg_sql.GPKG_APPLICATION_ID:
            raise NotAGeoPackageError(f"{path}: not a GeoPackage (SQLite file without the GPKG application id)")
        if not readonly and not (os.access(path, os.W_OK) and os.access(path.parent or ".", os.W_OK)):
            raise ReadOnlyProjectError(
                f"{path}: the file or its folder is read-only; open it read-only or copy it elsewhere")
        try:
            con = gpkg_sql.connect(str(path), readonly=readonly)
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(path, exc, NotAGeoPackageError(f"{path}: not a readable GeoPackage ({exc})"))
        except sqlite3.DatabaseError as exc:
            raise NotAGeoPackageError(f"{path}: not a readable GeoPackage ({exc})") from None
        if "project_meta" not in tables:
            con.close()
            raise NotAProjectError(f"{path}: a GeoPackage, but not a Subterra project (no project_meta table)")
        version = _schema_version(con, path)
        if version > schema.SCHEMA_VERSION:
            con.close()
            raise SchemaVersionError(
                f"{path}: written by a newer Subterra (schema version {version}; this version reads "
                f"up to {schema.SCHEMA_VERSION}); update Subterra to open it")
        if version < schema.SCHEMA_VERSION:
            con.close()
            if readonly or not migrate:
                raise SchemaVersionError(
                    f"{path}: schema version {version} needs migrating to {schema.SCHEMA_VERSION}; "
                    "open it writable to migrate")
            _migrate(path, version)
            con = gpkg_sql.connect(str(path))
        return cls(path, con, readonly)

    def _replace_file(self, new_path: str) -> None:
        """Atomically put ``new_path`` in place of the project file and reconnect."""
        self._con.close()
        os.replace(new_path, self.path)
        self._con = gpkg_sql.connect(str(self.path), readonly=self.readonly)

    def terrain(self):
        """The project's terrain (gis.terrain.Terrain) or None."""
        from gis.store import terrain

        return terrain.read(self)

    def set_terrain(self, elev, transform, source: str = "") -> None:
        """Set or replace the terrain from a grid in the project CRS (atomic)."""
        from gis.store import terrain

        if self.readonly:
            raise ReadOnlyProjectError(f"{self.path}: opened read-only")
        terrain.write(self, elev, transform, source)

    def close(self) -> None:
        """Close the connection."""
        self._con.close()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---------------------------------------------------------------- metadata
    @property
    def crs(self):
        """The project's pyproj CRS."""
        if self._crs is None:
            from pyproj import CRS
            self._crs = CRS.from_wkt(self.meta["crs"])
        return self._crs

    @property
    def schema_version(self) -> int:
        """The file's schema_version."""
        return int(self.meta["schema_version"])

    def count(self, layer: str) -> int:
        """Number of features in a layer."""
        registry.get(layer)
        return self._con.execute(f"SELECT count(*) FROM {gpkg_sql.quote(layer)}").fetchone()[0]

    def extent(self, layer: str) -> tuple[float, float, float, float] | None:
        """(xmin, ymin, xmax, ymax) of a layer from its rtree, or None when empty."""
        registry.get(layer)
        row = self._con.execute(
            f"SELECT min(minx), min(miny), max(maxx), max(maxy) FROM {gpkg_sql.quote('rtree_' + layer + '_geom')}"
        ).fetchone()
        return None if row[0] is None else tuple(row)

    def info(self) -> ProjectInfo:
        """Summary of the project for `subterra info` and the app's title bar."""
        from gis.store import terrain

        layers = {}
        for name, layer in registry.LAYERS.items():
            layers[name] = {"count": self.count(name), "extent": self.extent(name),
                            "geometry": layer.geometry, "family": layer.family,
                            "sensitive": layer.sensitive, "zh": layer.zh, "en": layer.en}
        return ProjectInfo(str(self.path), self.meta.get("crs_input", ""), self.meta["crs_name"],
                           self.meta["vertical_datum"], self.schema_version, self.meta["created"],
                           layers, terrain.describe(self))

    def import_log(self) -> list[dict]:
        """Every import_log row, oldest first."""
        cur = self._con.execute("SELECT * FROM import_log ORDER BY fid")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur]

    def audit_log(self) -> list[dict]:
        """Every audit_log row, oldest first."""
        cur = self._con.execute("SELECT * FROM audit_log ORDER BY fid")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur]

    # ------------------------------------------------------------------ reading
    def read(self, layer: str, bbox: tuple[float, float, float, float] | None = None,
             columns: list[str] | None = None, where: str | None = None):
        """A layer as a GeoDataFrame (pyogrio), optionally within a bbox / filtered."""
        import pyogrio

        registry.get(layer)
        kwargs = {}
        try:
            import pyarrow  # noqa: F401
            kwargs["use_arrow"] = True
        except ImportError:
            pass
        gdf = pyogrio.read_dataframe(str(self.path), layer=layer, bbox=bbox, columns=columns,
                                     where=where, **kwargs)
        if gdf.crs is None or self.srs_id >= 100000:
            gdf = gdf.set_crs(self.crs, allow_override=True)
        return gdf

    def feature(self, layer: str, feature_id: str) -> dict | None:
        """One feature's registry fields by its id (a unique-index lookup; no geometry), or None
        when no feature has that id.  Values come typed: dates as ``datetime.date``, bools as bool."""
        lay = registry.get(layer)
        cols = ", ".join(gpkg_sql.quote(f.name) for f in lay.fields)
        try:
            row = self._con.execute(f"SELECT {cols} FROM {gpkg_sql.quote(layer)} "
                                    f"WHERE {gpkg_sql.quote(lay.id_field)} = ? LIMIT 1", (str(feature_id),)).fetchone()
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(self.path, exc, exc)
        if row is None:
            return None
        return {f.name: _typed(value, f.type) for f, value in zip(lay.fields, row)}

    def value_counts(self, layer: str, field_name: str) -> dict:
        """Features per distinct value of one field (missing values under None)."""
        lay = registry.get(layer)
        col = gpkg_sql.quote(lay.field(field_name).name)
        return dict(self._con.execute(f"SELECT {col}, count(*) FROM {gpkg_sql.quote(layer)} GROUP BY {col}"))

    # ------------------------------------------------------------------ writing
    @contextmanager
    def transaction(self, user: str | None = None) -> Iterator["Transaction"]:
        """One SQLite transaction; commits on success, rolls back on any exception."""
        from gis.store.transaction import Transaction

        if self.readonly:
            raise ReadOnlyProjectError(f"{self.path}: opened read-only")
        try:
            self._con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(self.path, exc, exc)
        txn = Transaction(self, self._con, user or current_user())
        try:
            yield txn
            txn.finish()
            self._con.execute("COMMIT")
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        finally:
            txn.cleanup()

    def set_meta(self, key: str, value: str) -> None:
        """Set one project_meta value in its own transaction."""
        with self.transaction() as txn:
            txn.set_meta(key, value)


def _sqlite_error(path: Path, exc: sqlite3.OperationalError, default: Exception) -> Exception:
    """Translate SQLite's lock / read-only errors into project errors."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return ProjectLockedError(f"{path}: locked by another program (close it there and try again)")
    if "readonly" in text:
        return ReadOnlyProjectError(f"{path}: the file is read-only")
    return default


def _typed(value, field_type: str):
    """A stored value as the registry type says (text that does not parse stays text)."""
    if value is None:
        return None
    try:
        if field_type == "bool":
            return bool(value)
        if field_type == "date" and isinstance(value, str):
            return _dt.date.fromisoformat(value[:10])
        if field_type == "datetime" and isinstance(value, str):
            return _dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return value


def _schema_version(con: sqlite3.Connection, path: Path) -> int:
    row = con.execute("SELECT value FROM project_meta WHERE key = 'schema_version'").fetchone()
    try:
        return int(row[0])
    except (TypeError, ValueError):
        raise SchemaVersionError(f"{path}: project_meta has no valid schema_version") from None


def _migrate(path: Path, version: int) -> Path:
    """Back the file up, then run migration steps and the schema sync in one transaction."""
    backup = path.with_name(f"{path.stem}.v{version}.bak{path.suffix}")
    shutil.copy2(path, backup)
    con = gpkg_sql.connect(str(path))
    try:
        con.execute("BEGIN IMMEDIATE")
        for v in range(version, schema.SCHEMA_VERSION):
            step = migrations.STEPS.get(v)
            if step is not None:
                step(con)
        srs_id = int(con.execute("SELECT value FROM project_meta WHERE key='srs_id'").fetchone()[0])
        added = schema.sync_schema(con, srs_id)
        con.execute("UPDATE project_meta SET value = ? WHERE key = 'schema_version'",
                    (str(schema.SCHEMA_VERSION),))
        con.execute('INSERT INTO audit_log ("time", "user", "action", "old", "new") VALUES (?,?,?,?,?)',
                    (now_utc(), current_user(), "migrate", str(version),
                     json.dumps({"schema_version": schema.SCHEMA_VERSION, "added": added,
                                 "backup": str(backup)}, ensure_ascii=False)))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    return backup

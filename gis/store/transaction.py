"""The write side of the store: what one transaction may do.

Bulk inserts drop the rtree insert trigger, insert rows with explicit fids,
fill the rtree from bounds computed with numpy, then put the trigger back, all
inside the same transaction (SQLite DDL is transactional).  This keeps a
million-row write close to plain pyogrio speed while staying atomic.
"""
from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from gis import layers as registry
from gis.errors import StoreError
from gis.store import gpkg_sql, rtree_bulk, staging
from gis.store.schema import SYSTEM_FIELDS

if TYPE_CHECKING:
    from gis.progress import Progress
    from gis.store.project import Project

_CHUNK = 50_000
_BULK_RTREE = 2_000   # from this many rows on, rebuild the rtree packed instead of row by row


def _column_values(series: pd.Series, ftype: str) -> list[Any]:
    """A column as Python values SQLite can bind (None for missing)."""
    if ftype == "float":
        return pd.to_numeric(series, errors="raise").astype(float).tolist()  # NaN binds as NULL
    if ftype in ("int", "bool"):
        arr = pd.to_numeric(series, errors="raise").to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(arr)
        ints = np.nan_to_num(arr).astype(np.int64) if ftype == "int" else (arr != 0).astype(np.int64)
        out = ints.astype(object)
        out[missing] = None
        return out.tolist()
    if ftype in ("date", "datetime") and pd.api.types.is_datetime64_any_dtype(series):
        fmt = "%Y-%m-%d" if ftype == "date" else "%Y-%m-%dT%H:%M:%S"
        return series.dt.strftime(fmt).to_numpy(dtype=object, na_value=None).tolist()
    return series.to_numpy(dtype=object, na_value=None).tolist()


class Transaction:
    """Writes inside one open SQLite transaction (see Project.transaction)."""

    def __init__(self, project: "Project", con: sqlite3.Connection, user: str):
        self.project = project
        self._con = con
        self.user = user
        self.import_id: int | None = None
        self._touched: set[str] = set()
        self._stages: list = []
        self._aliases: list[str] = []

    # ------------------------------------------------------------------ inserts
    def insert(self, layer: str, gdf, progress: "Progress | None" = None) -> int:
        """Append a GeoDataFrame's rows to a layer; returns the number written.

        Columns must be registry fields of the layer (missing ones are NULL).
        The id field must be present and unique (a unique index enforces it).
        """
        lay = registry.get(layer)
        if len(gdf) == 0:
            return 0
        names, types = self._check_frame(lay, gdf)
        bulk = len(gdf) >= _BULK_RTREE
        # The rtree is filled below (packed when bulk); a bulk load also rebuilds the id index once.
        suspended = [gpkg_sql.insert_trigger_name(layer)] + ([f"uq_{layer}_{lay.id_field}"] if bulk else [])
        restore = self._suspend(suspended)
        start = self._next_fid(layer)
        if progress is not None:
            progress.start(len(gdf), layer)
        staged = len(gdf) >= staging.STAGE_MIN_ROWS and self._copy_staged(layer, gdf, names, types, start, progress)
        if not staged:
            if progress is not None:
                progress.start(len(gdf), layer)
            self._bind_rows(lay, gdf, names, types, start, progress)
        bounds = shapely.bounds(gdf.geometry.to_numpy())
        ok = ~np.isnan(bounds[:, 0])
        ids, boxes = np.arange(start + 1, start + len(gdf) + 1)[ok], bounds[ok][:, [0, 2, 1, 3]]
        rtree = f"rtree_{layer}_geom"
        if bulk:
            rtree_bulk.rebuild_from_table(self._con, rtree, ids, boxes)
        else:
            self._con.executemany(f"INSERT INTO {gpkg_sql.quote(rtree)} VALUES (?,?,?,?,?)",
                                  zip(ids.tolist(), *boxes.T.tolist()))
        try:
            for sql in restore:
                self._con.execute(sql)
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"{layer}: {exc} (duplicate {lay.id_field}?)") from None
        self._touched.add(layer)
        return len(gdf)

    def _check_frame(self, lay, gdf) -> tuple[list[str], list[str]]:
        """Refuse frames that do not fit the layer; return the registry columns present and their types."""
        cols = [c for c in gdf.columns if c != gdf.geometry.name]
        unknown = [c for c in cols if c not in lay.field_names and c not in SYSTEM_FIELDS]
        if unknown:
            raise StoreError(f"{lay.name}: unknown fields {', '.join(unknown)} (not in the layer registry)")
        if lay.id_field not in cols or gdf[lay.id_field].isna().any():
            raise StoreError(f"{lay.name}: every row needs its id field {lay.id_field!r}")
        if lay.has_z and not gdf.geometry.has_z.all():
            raise StoreError(f"{lay.name}: geometries must carry Z")
        if gdf.crs is not None and not gdf.crs.equals(self.project.crs):
            raise StoreError(f"{lay.name}: data in {gdf.crs.name}, the project is in {self.project.crs.name} "
                             "(reproject first)")
        names = [c for c in lay.field_names if c in cols]
        return names, [lay.field(c).type for c in names]

    def _next_fid(self, layer: str) -> int:
        """The largest fid ever used in ``layer`` (AUTOINCREMENT semantics)."""
        top = self._con.execute(f"SELECT coalesce(max(fid), 0) FROM {gpkg_sql.quote(layer)}").fetchone()[0]
        seq = self._con.execute("SELECT seq FROM sqlite_sequence WHERE name=?", (layer,)).fetchone()
        return max(top, seq[0] if seq else 0)

    def _bind_rows(self, lay, gdf, names: list[str], types: list[str], start: int, progress) -> None:
        """Insert rows by binding them through sqlite3, in chunks."""
        sql_cols = ", ".join(["fid", "geom"] + [gpkg_sql.quote(c) for c in names] + ['"import_id"'])
        marks = ", ".join(["?"] * (len(names) + 3))
        insert_sql = f"INSERT INTO {gpkg_sql.quote(lay.name)} ({sql_cols}) VALUES ({marks})"
        geoms = gdf.geometry.to_numpy()
        for lo in range(0, len(gdf), _CHUNK):
            hi = min(lo + _CHUNK, len(gdf))
            part = gdf.iloc[lo:hi]
            blobs, _ = gpkg_sql.encode(geoms[lo:hi], self.project.srs_id, lay.has_z)
            columns = [list(range(start + lo + 1, start + hi + 1)), blobs]
            columns += [_column_values(part[c], ty) for c, ty in zip(names, types)]
            columns.append([self.import_id] * (hi - lo))
            try:
                self._con.executemany(insert_sql, zip(*columns))
            except sqlite3.IntegrityError as exc:
                raise StoreError(f"{lay.name}: {exc} (duplicate {lay.id_field}?)") from None
            if progress is not None:
                progress.step(hi - lo)

    def _copy_staged(self, layer, gdf, names, types, start, progress) -> bool:
        """Insert through a GDAL-written scratch file (see gis.store.staging); False if not applicable."""
        frame = staging.typed_frame(gdf, names, types, self.project.crs)
        path = staging.write_stage(self.project.path.parent, frame, progress)
        self._stages.append(path)
        if staging.stage_srs(path) != self.project.srs_id:
            return False
        alias = f"stage{len(self._stages)}"
        self._con.execute(f"ATTACH DATABASE ? AS {alias}", (str(path),))
        self._aliases.append(alias)
        staging.copy_stage(self._con, alias, layer, names, start, self.import_id)
        return True

    def cleanup(self) -> None:
        """Detach and delete scratch files (after commit or rollback)."""
        for alias in self._aliases:
            self._con.execute(f"DETACH DATABASE {alias}")
        for path in self._stages:
            path.unlink(missing_ok=True)
        self._aliases, self._stages = [], []

    def _suspend(self, names: list[str]) -> list[str]:
        """Drop the named triggers/indexes; return the SQL that recreates them."""
        restore = []
        for name in names:
            row = self._con.execute("SELECT type, sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
            if row is not None:
                self._con.execute(f"DROP {row[0].upper()} {gpkg_sql.quote(name)}")
                restore.append(row[1])
        return restore

    # -------------------------------------------------------------- edits
    def _row(self, layer: str, feature_id: str) -> dict | None:
        lay = registry.get(layer)
        cur = self._con.execute(f"SELECT * FROM {gpkg_sql.quote(layer)} WHERE {gpkg_sql.quote(lay.id_field)} = ?",
                                (feature_id,))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row))

    def update(self, layer: str, feature_id: str, values: dict[str, Any], geometry=None) -> None:
        """Change attributes (and optionally the geometry) of one feature, audited."""
        lay = registry.get(layer)
        old = self._row(layer, feature_id)
        if old is None:
            raise StoreError(f"{layer}: no feature {feature_id!r}")
        for name in values:
            lay.field(name)
        sets = [f"{gpkg_sql.quote(k)} = ?" for k in values]
        params = list(values.values())
        if geometry is not None:
            blobs, _ = gpkg_sql.encode(np.array([geometry], dtype=object), self.project.srs_id, lay.has_z)
            sets.append('"geom" = ?')
            params.append(blobs[0])
        params.append(feature_id)
        self._con.execute(f"UPDATE {gpkg_sql.quote(layer)} SET {', '.join(sets)} "
                          f"WHERE {gpkg_sql.quote(lay.id_field)} = ?", params)
        new = {k: values[k] for k in values}
        if geometry is not None:
            new["geom"] = geometry.wkt
        self.audit(layer, feature_id, "update", {k: old.get(k) for k in values}, new)
        self._touched.add(layer)

    def delete(self, layer: str, feature_ids: list[str]) -> int:
        """Delete features by id, audited one row per feature."""
        lay = registry.get(layer)
        n = 0
        for fid in feature_ids:
            old = self._row(layer, fid)
            if old is None:
                continue
            old.pop("geom", None)
            self._con.execute(f"DELETE FROM {gpkg_sql.quote(layer)} WHERE {gpkg_sql.quote(lay.id_field)} = ?",
                              (fid,))
            self.audit(layer, fid, "delete", old, None)
            n += 1
        self._touched.add(layer)
        return n

    def delete_where(self, layer: str, column: str, value: Any) -> int:
        """Delete every feature whose ``column`` equals ``value`` (bulk; one audit row)."""
        registry.get(layer)
        cur = self._con.execute(f"DELETE FROM {gpkg_sql.quote(layer)} WHERE {gpkg_sql.quote(column)} = ?", (value,))
        self.audit(layer, None, "delete_where", {column: value}, {"deleted": cur.rowcount})
        self._touched.add(layer)
        return cur.rowcount

    # --------------------------------------------------------------------- logs
    def begin_import(self, kind: str, sources: list[str], sha256: list[str]) -> int:
        """Create this transaction's import_log row; rows inserted after carry its id."""
        from gis.store.project import now_utc

        cur = self._con.execute(
            'INSERT INTO import_log ("time", "user", "kind", "sources", "sha256") VALUES (?,?,?,?,?)',
            (now_utc(), self.user, kind, json.dumps(sources, ensure_ascii=False), json.dumps(sha256)))
        self.import_id = cur.lastrowid
        return self.import_id

    def end_import(self, accepted: dict[str, int], rejected: int, warnings: list[str],
                   report: dict | None = None) -> None:
        """Fill in the counts and report of this transaction's import_log row."""
        if self.import_id is None:
            raise StoreError("end_import without begin_import")
        self._con.execute(
            'UPDATE import_log SET "accepted"=?, "rejected"=?, "warnings"=?, "report"=? WHERE fid=?',
            (json.dumps(accepted), rejected, json.dumps(warnings, ensure_ascii=False),
             json.dumps(report or {}, ensure_ascii=False, default=str), self.import_id))

    def audit(self, layer: str | None, feature_id: str | None, action: str,
              old: Any = None, new: Any = None) -> None:
        """Append one audit_log row."""
        from gis.store.project import now_utc

        enc = (lambda v: None if v is None else json.dumps(v, ensure_ascii=False, default=str))
        self._con.execute(
            'INSERT INTO audit_log ("time", "user", "layer", "feature_id", "action", "old", "new", "import_id") '
            "VALUES (?,?,?,?,?,?,?,?)",
            (now_utc(), self.user, layer, feature_id, action, enc(old), enc(new), self.import_id))

    def set_meta(self, key: str, value: str) -> None:
        """Set a project_meta value."""
        self._con.execute('INSERT INTO project_meta ("key", "value") VALUES (?, ?) '
                          'ON CONFLICT("key") DO UPDATE SET "value" = excluded."value"', (key, value))
        self.project.meta[key] = value

    def execute(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        """Run raw SQL inside the transaction (for store-internal helpers such as terrain)."""
        return self._con.execute(sql, params)

    # ------------------------------------------------------------------- finish
    def finish(self) -> None:
        """Refresh gpkg_contents extents and last_change of the touched layers."""
        from gis.store.project import now_utc

        for layer in self._touched:
            row = self._con.execute(
                f"SELECT min(minx), min(miny), max(maxx), max(maxy) "
                f"FROM {gpkg_sql.quote('rtree_' + layer + '_geom')}").fetchone()
            self._con.execute("UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=?, last_change=? "
                              "WHERE table_name=?", (*row, now_utc(), layer))

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

from gis import layers as registry
from gis.errors import StoreError
from gis.store import gpkg_sql, rtree_bulk
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

    # ------------------------------------------------------------------ inserts
    def insert(self, layer: str, gdf, progress: "Progress | None" = None) -> int:
        """Append a GeoDataFrame's rows to a layer; returns the number written.

        Columns must be registry fields of the layer (missing ones are NULL).
        The id field must be present and unique (a unique index enforces it).
        """
        lay = registry.get(layer)
        if len(gdf) == 0:
            return 0
        cols = [c for c in gdf.columns if c != gdf.geometry.name]
        unknown = [c for c in cols if c not in lay.field_names and c not in SYSTEM_FIELDS]
        if unknown:
            raise StoreError(f"{layer}: unknown fields {', '.join(unknown)} (not in the layer registry)")
        if lay.id_field not in cols or gdf[lay.id_field].isna().any():
            raise StoreError(f"{layer}: every row needs its id field {lay.id_field!r}")
        if lay.has_z and not gdf.geometry.has_z.all():
            raise StoreError(f"{layer}: geometries must carry Z")
        names = [c for c in lay.field_names if c in cols]
        types = [lay.field(c).type for c in names]
        t = gpkg_sql.quote(layer)
        trig = gpkg_sql.insert_trigger_name(layer)
        trig_sql = self._con.execute("SELECT sql FROM sqlite_master WHERE type='trigger' AND name=?",
                                     (trig,)).fetchone()
        if trig_sql is not None:
            self._con.execute(f"DROP TRIGGER {gpkg_sql.quote(trig)}")
        start = self._con.execute(f"SELECT coalesce(max(fid), 0) FROM {t}").fetchone()[0]
        seq = self._con.execute("SELECT seq FROM sqlite_sequence WHERE name=?", (layer,)).fetchone()
        start = max(start, seq[0] if seq else 0)
        sql_cols = ", ".join(["fid", "geom"] + [gpkg_sql.quote(c) for c in names] + ['"import_id"'])
        marks = ", ".join(["?"] * (len(names) + 3))
        insert_sql = f"INSERT INTO {t} ({sql_cols}) VALUES ({marks})"
        rtree = f"rtree_{layer}_geom"
        bulk = len(gdf) >= _BULK_RTREE
        new_ids, new_boxes = [], []
        geoms = gdf.geometry.to_numpy()
        if progress is not None:
            progress.start(len(gdf), f"{layer}")
        for lo in range(0, len(gdf), _CHUNK):
            hi = min(lo + _CHUNK, len(gdf))
            part = gdf.iloc[lo:hi]
            blobs, bounds = gpkg_sql.encode(geoms[lo:hi], self.project.srs_id, lay.has_z)
            fids = np.arange(start + lo + 1, start + hi + 1)
            columns = [fids.tolist(), blobs] + [_column_values(part[c], ty) for c, ty in zip(names, types)]
            columns.append([self.import_id] * (hi - lo))
            try:
                self._con.executemany(insert_sql, zip(*columns))
            except sqlite3.IntegrityError as exc:
                raise StoreError(f"{layer}: {exc} (duplicate {lay.id_field}?)") from None
            ok = ~np.isnan(bounds[:, 0])
            new_ids.append(fids[ok])
            new_boxes.append(bounds[ok][:, [0, 2, 1, 3]])
            if progress is not None:
                progress.step(hi - lo)
        ids, boxes = np.concatenate(new_ids), np.concatenate(new_boxes)
        if bulk:
            rtree_bulk.rebuild_from_table(self._con, rtree, ids, boxes)
        else:
            self._con.executemany(f"INSERT INTO {gpkg_sql.quote(rtree)} VALUES (?,?,?,?,?)",
                                  zip(ids.tolist(), *boxes.T.tolist()))
        if trig_sql is not None:
            self._con.execute(trig_sql[0])
        self._touched.add(layer)
        return len(gdf)

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

"""Bulk (re)build of a GeoPackage rtree index by writing SQLite's rtree shadow tables.

Inserting into an SQLite rtree costs ~20 us per row here (a million rows:
~20 s), most of a bulk write.  Like GDAL's own bulk loader, this builds a
Sort-Tile-Recursive packed tree in numpy and writes the ``_node``, ``_rowid``
and ``_parent`` tables in SQLite's documented rtree node format:
node = [depth u16 (root only)][cell count u16][cells], cell = [id i64]
[minx maxx miny maxy float32], all big-endian; float32 bounds rounded outward.
All nodes share the root's blob size.  ``rtreecheck()`` verifies the result in
the tests.  Runs inside the caller's transaction.
"""
from __future__ import annotations

import json
import sqlite3

import numpy as np

from gis.store.gpkg_sql import quote

_CELL = np.dtype([("id", ">i8"), ("box", ">f4", (4,))])   # minx, maxx, miny, maxy


def _outward_f32(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """float32 bounds that still contain the float64 ones."""
    lo32, hi32 = lo.astype(np.float32), hi.astype(np.float32)
    lo32 = np.where(lo32.astype(np.float64) > lo, np.nextafter(lo32, np.float32(-np.inf)), lo32)
    hi32 = np.where(hi32.astype(np.float64) < hi, np.nextafter(hi32, np.float32(np.inf)), hi32)
    return lo32, hi32


def _str_order(cx: np.ndarray, cy: np.ndarray, capacity: int) -> np.ndarray:
    """Sort-Tile-Recursive order of boxes by their centres."""
    n = len(cx)
    leaves = -(-n // capacity)
    slices = max(1, int(np.ceil(np.sqrt(leaves))))
    by_x = np.argsort(cx, kind="stable")
    slice_id = np.empty(n, dtype=np.int64)
    slice_id[by_x] = np.arange(n) // (slices * capacity)
    return np.lexsort((cy, slice_id))


def rebuild(con: sqlite3.Connection, rtree: str, ids: np.ndarray, boxes: np.ndarray) -> None:
    """Replace the content of rtree ``rtree`` with ``ids`` and (n, 4) boxes minx, maxx, miny, maxy."""
    node_t, rowid_t, parent_t = (quote(f"{rtree}_{s}") for s in ("node", "rowid", "parent"))
    size_row = con.execute(f"SELECT length(data) FROM {node_t} WHERE nodeno = 1").fetchone()
    node_size = size_row[0] if size_row else 1228
    capacity = (node_size - 4) // _CELL.itemsize
    con.execute(f"DELETE FROM {node_t}")
    con.execute(f"DELETE FROM {rowid_t}")
    con.execute(f"DELETE FROM {parent_t}")

    ids = np.asarray(ids, dtype=np.int64)
    if len(ids) == 0:
        con.execute(f"INSERT INTO {node_t} VALUES (1, ?)", (bytes(node_size),))
        return
    lo_x, hi_x = _outward_f32(boxes[:, 0], boxes[:, 1])
    lo_y, hi_y = _outward_f32(boxes[:, 2], boxes[:, 3])
    level_ids, level_box = ids, np.stack([lo_x, hi_x, lo_y, hi_y], 1)
    levels: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []   # (entry ids, boxes, node index)
    while True:
        order = _str_order((level_box[:, 0] + level_box[:, 1]) / 2, (level_box[:, 2] + level_box[:, 3]) / 2,
                           capacity) if len(level_ids) > capacity else np.arange(len(level_ids))
        level_ids, level_box = level_ids[order], level_box[order]
        node_of = np.arange(len(level_ids)) // capacity
        levels.append((level_ids, level_box, node_of))
        if len(level_ids) <= capacity:
            break
        n_nodes = node_of[-1] + 1
        starts = np.arange(n_nodes) * capacity
        parent_box = np.stack([np.minimum.reduceat(level_box[:, 0], starts),
                               np.maximum.reduceat(level_box[:, 1], starts),
                               np.minimum.reduceat(level_box[:, 2], starts),
                               np.maximum.reduceat(level_box[:, 3], starts)], 1)
        level_ids, level_box = np.arange(n_nodes, dtype=np.int64), parent_box  # renumbered below

    # Number nodes: root = 1, then the levels below it top-down.
    depth = len(levels) - 1
    first_no = {depth: 1}
    next_no = 2
    for lvl in range(depth - 1, -1, -1):
        first_no[lvl] = next_no
        next_no += int(levels[lvl][2][-1]) + 1 if len(levels[lvl][0]) else 0

    node_rows: list[tuple[int, bytes]] = []
    for lvl in range(depth, -1, -1):
        entry_ids, entry_box, node_of = levels[lvl]
        cells = np.zeros(len(entry_ids), dtype=_CELL)
        # internal levels hold child node numbers; leaves hold feature ids
        cells["id"] = entry_ids + first_no[lvl - 1] if lvl > 0 else entry_ids
        cells["box"] = entry_box
        raw = cells.tobytes()
        n_nodes = int(node_of[-1]) + 1 if len(entry_ids) else 1
        for k in range(n_nodes):
            lo, hi = k * capacity, min((k + 1) * capacity, len(entry_ids))
            head = (depth if lvl == depth else 0).to_bytes(2, "big") + (hi - lo).to_bytes(2, "big")
            body = raw[lo * _CELL.itemsize:hi * _CELL.itemsize]
            node_rows.append((first_no[lvl] + k, (head + body).ljust(node_size, b"\0")))
        if lvl > 0:
            children = entry_ids + first_no[lvl - 1]
            parents = first_no[lvl] + node_of
            con.executemany(f"INSERT INTO {parent_t} VALUES (?, ?)", zip(children.tolist(), parents.tolist()))
        else:
            # ids in STR order: entry k sits in leaf node first + k // capacity.  json_each keeps
            # the million-row mapping in C instead of binding it row by row.
            con.execute(f"INSERT INTO {rowid_t} SELECT value, ? + key / ? FROM json_each(?) ORDER BY value",
                        (first_no[0], capacity, json.dumps(entry_ids.tolist())))
    con.executemany(f"INSERT INTO {node_t} VALUES (?, ?)", node_rows)


def rebuild_from_table(con: sqlite3.Connection, rtree: str, new_ids: np.ndarray, new_boxes: np.ndarray) -> None:
    """Rebuild ``rtree`` from its current entries plus new ones (ids, boxes minx, maxx, miny, maxy)."""
    rows = np.array(con.execute(f"SELECT id, minx, maxx, miny, maxy FROM {quote(rtree)}").fetchall(),
                    dtype=np.float64).reshape(-1, 5)
    ids = np.concatenate([rows[:, 0].astype(np.int64), np.asarray(new_ids, dtype=np.int64)])
    boxes = np.concatenate([rows[:, 1:], np.asarray(new_boxes, dtype=np.float64)])
    rebuild(con, rtree, ids, boxes)

"""Schema migrations keyed by schema_version.

``STEPS[n]`` takes a project from version n to n + 1 inside the open transaction.
After the steps, :func:`gis.store.schema.sync_schema` adds registry layers and
fields the file lacks.  A backup copy is made before anything is changed.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable

STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {}

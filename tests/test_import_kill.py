"""kill -9 during `subterra import`: the GeoPackage stays valid and holds the whole batch or none of it."""
from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from gis.store import Project
from tests.benchmarks.bench_import import write_survey
from tests.conftest import ROOT, validate_gpkg

N_POINTS = 25_000


def _start(gpkg, points, lines) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-m", "app", "import", str(gpkg), str(points), str(lines)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _state(gpkg) -> tuple[int, int, int]:
    """(points, segments, import_log rows) after SQLite recovered any hot journal; asserts integrity."""
    con = sqlite3.connect(gpkg)            # read-write: rolls a hot journal back, as any later open would
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("pipe_points", "pipe_segments", "import_log"))
    finally:
        con.close()


@pytest.mark.slow
def test_kill_9_mid_import_leaves_all_or_nothing(tmp_path):
    points, lines = write_survey(tmp_path, N_POINTS)
    empty = tmp_path / "empty.gpkg"
    Project.create(empty).close()
    journal_name = "p.gpkg-journal"

    full_path = tmp_path / "full" / "p.gpkg"
    full_path.parent.mkdir()
    shutil.copy(empty, full_path)
    t0 = time.monotonic()
    proc = _start(full_path, points, lines)
    write_started = None
    while proc.poll() is None:
        if write_started is None and (full_path.parent / journal_name).exists():
            write_started = time.monotonic() - t0
        time.sleep(0.01)
    duration = time.monotonic() - t0
    assert proc.returncode == 0 and write_started is not None
    whole = _state(full_path)
    assert whole[0] == N_POINTS and whole[2] == 1

    rng = random.Random(20261125)
    outcomes = []
    for attempt in range(6):
        gpkg = tmp_path / f"kill{attempt}" / "p.gpkg"
        gpkg.parent.mkdir()
        shutil.copy(empty, gpkg)
        start = time.monotonic()
        proc = _start(gpkg, points, lines)
        if attempt % 2:
            delay = rng.uniform(0.2, duration)                  # anywhere in the run
            while proc.poll() is None and time.monotonic() - start < delay:
                time.sleep(0.005)
        else:                                                   # inside the write transaction
            while proc.poll() is None and not (gpkg.parent / journal_name).exists():
                time.sleep(0.002)
            pause = rng.uniform(0.0, 0.8 * (duration - write_started))
            time.sleep(pause)
        killed = proc.poll() is None
        if killed:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        state = _state(gpkg)
        assert state in ((0, 0, 0), whole), (attempt, state)
        check = validate_gpkg(gpkg)
        assert check.returncode == 0, check.stdout + check.stderr
        outcomes.append((killed, state == whole))
    # the kills really landed mid-import: at least one killed run left nothing behind
    assert any(killed and not complete for killed, complete in outcomes), outcomes

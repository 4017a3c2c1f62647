"""Every write is one transaction: failures and kill -9 leave the file unchanged or whole."""
from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gis.store import Project
from tests.conftest import ROOT, validate_gpkg
from tests.store.helpers import points, segments


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_failure_half_way_leaves_the_file_byte_identical(project):
    with project.transaction() as txn:
        txn.insert("pipe_segments", segments(20, project.crs, prefix="OLD"))
    before = sha(project.path)
    with pytest.raises(RuntimeError, match="half-way"):
        with project.transaction() as txn:
            txn.begin_import("survey", ["a.csv"], ["x"])
            txn.insert("pipe_points", points(100, project.crs))
            txn.insert("pipe_segments", segments(100, project.crs, prefix="NEW"))
            raise RuntimeError("failure half-way")
    assert sha(project.path) == before
    assert project.count("pipe_points") == 0 and project.count("pipe_segments") == 20
    assert project.import_log() == []
    # the rtree insert trigger is back after the rollback: a later write still indexes
    with project.transaction() as txn:
        txn.insert("pipe_points", points(3, project.crs, prefix="Q"))
    assert len(project.read("pipe_points", bbox=(499999, 3449999, 500010, 3450001))) == 3


WRITER = r"""
import sys
from gis.store import Project
from tests.store.helpers import points, segments
proj = Project.open(sys.argv[1])
with proj.transaction() as txn:
    txn.begin_import("bulk", ["big"], ["0"])
    txn.insert("pipe_points", points(20000, proj.crs))
    print("started", flush=True)
    txn.insert("pipe_segments", segments(300000, proj.crs))
    txn.end_import({"pipe_segments": 300000}, 0, [])
print("committed", flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.4, 1.2, 2.5])
def test_kill_minus_9_mid_write_leaves_a_valid_file_without_a_partial_batch(tmp_path, delay):
    path = tmp_path / "k.gpkg"
    Project.create(path).close()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "started"
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    con = sqlite3.connect(path)  # a plain reader rolls back the hot journal
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    with Project.open(path) as proj:
        n_pts, n_seg, n_log = proj.count("pipe_points"), proj.count("pipe_segments"), len(proj.import_log())
    assert (n_pts, n_seg, n_log) in {(0, 0, 0), (20000, 300000, 1)}
    result = validate_gpkg(path)
    assert result.returncode == 0, result.stdout + result.stderr

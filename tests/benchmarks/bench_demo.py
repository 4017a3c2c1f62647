"""Demo generation: time and peak RSS per size, against the I/O floor (plain pyogrio writing the same layers).

    python -m tests.benchmarks demo                  # small and district
    python -m tests.benchmarks.bench_demo --city     # also city (~1M segments); or SUBTERRA_BENCH_CITY=1

Each size runs in its own process so its peak RSS is its own.  Figures:
generation (in memory), store write (terrain + one transaction), total wall and
CPU time, peak RSS; baseline: pyogrio.write_dataframe of the same layers into
a fresh GeoPackage (read back first, not timed).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _child(size: str, folder: str) -> None:
    """Build one size and print its figures as JSON (runs in a subprocess)."""
    import resource
    import time

    import pyogrio

    from gis.demo.generator import generate, write
    from gis.store import Project

    path = Path(folder) / f"{size}.gpkg"
    t0 = time.perf_counter()
    demo = generate(size, 0)
    t1 = time.perf_counter()
    with Project.create(path) as proj:
        write(proj, demo)
        counts = {name: proj.count(name) for name in demo.layers}
    t2 = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    figures = {"size": size, "generate_s": t1 - t0, "write_s": t2 - t1, "total_s": t2 - t0,
               "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024, "counts": counts}
    frames = {name: pyogrio.read_dataframe(str(path), layer=name) for name in counts if counts[name]}
    base = Path(folder) / f"{size}-baseline.gpkg"
    t3 = time.perf_counter()
    for name, frame in frames.items():
        pyogrio.write_dataframe(frame, str(base), layer=name, driver="GPKG")
    figures["baseline_write_s"] = time.perf_counter() - t3
    print(json.dumps(figures))


def _run(size: str, folder: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    code = f"from tests.benchmarks.bench_demo import _child; _child({size!r}, {folder!r})"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    """Measure and print the figures."""
    argv = sys.argv[1:] if argv is None else argv
    sizes = ["small", "district"]
    if "--city" in argv or os.environ.get("SUBTERRA_BENCH_CITY"):
        sizes.append("city")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'size':<9}{'segments':>10}{'points':>10}{'generate':>10}{'write':>9}{'total':>9}{'CPU':>8}"
          f"{'peak RSS':>10}{'baseline':>10}{'ratio':>7}")
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            f = _run(size, folder)
            c = f["counts"]
            print(f"{size:<9}{c['pipe_segments']:>10}{c['pipe_points']:>10}{f['generate_s']:>9.1f}s"
                  f"{f['write_s']:>8.1f}s{f['total_s']:>8.1f}s{f['cpu_s']:>7.1f}s{f['peak_rss_mb']:>7.0f} MB"
                  f"{f['baseline_write_s']:>9.1f}s{f['total_s'] / f['baseline_write_s']:>7.2f}", flush=True)
    print("baseline = pyogrio.write_dataframe of the same layers (the I/O floor); ratio = total / baseline")


if __name__ == "__main__":
    main()

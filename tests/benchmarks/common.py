"""Helpers shared by benchmarks: timing and peak memory."""
from __future__ import annotations

import resource
import time
from contextlib import contextmanager


@contextmanager
def timed(results: dict, key: str):
    """Store the wall and process-CPU time of the block in ``results[key]`` and ``results[key + "_cpu"]``."""
    t0, c0 = time.perf_counter(), time.process_time()
    yield
    results[key] = time.perf_counter() - t0
    results[key + "_cpu"] = time.process_time() - c0


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    """One line describing this machine."""
    import os
    import platform

    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"

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


class Clock:
    """Wall and process CPU time (all threads: llvmpipe renders on several) since start."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        """(wall, cpu) seconds since start."""
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def orbit(window, renderer, frames: int) -> tuple[float, float]:
    """(wall, cpu) per frame turning the camera 3 degrees a frame."""
    cam = renderer.GetActiveCamera()
    clock = Clock()
    for _ in range(frames):
        cam.Azimuth(3.0)
        window.Render()
    wall, cpu = clock.lap()
    return wall / frames, cpu / frames


def offscreen_machine(size: tuple[int, int]) -> str:
    """The machine line of the off-screen view benchmarks: cores, renderer, size, load at start."""
    import os

    return (f"machine: {os.cpu_count()} cores, llvmpipe, {size[0]}x{size[1]} off screen; load average "
            f"{os.getloadavg()[0]:.1f} at start (wall suffers from other work; cpu = process time, all threads)")

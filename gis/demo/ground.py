"""The demo's ground: a smooth DEM around 4 m above datum with a few metres of relief.

Shanghai's ground lies about 3-5 m above datum and is very flat; the demo
sums three long sine waves (0.9-3.2 km) in random directions, so every size
and seed gets gentle relief that no pipe profile has to fight.
"""
from __future__ import annotations

import numpy as np

from gis.terrain import Terrain

BASE = 4.0
WAVES = ((0.6, 3200.0), (0.4, 1900.0), (0.25, 1100.0))    # (amplitude m, wavelength m)
MARGIN = 60.0


def ground_function(rng: np.random.Generator):
    """A vectorised ``f(x, y) -> elevation`` with seeded directions and phases."""
    angles = rng.uniform(0, np.pi, len(WAVES))
    phases = rng.uniform(0, 2 * np.pi, len(WAVES))

    def f(x, y):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        z = np.full(np.broadcast(x, y).shape, BASE)
        for (amp, length), ang, ph in zip(WAVES, angles, phases):
            z = z + amp * np.sin(2 * np.pi * (x * np.cos(ang) + y * np.sin(ang)) / length + ph)
        return z

    return f


def make_terrain(bounds: tuple[float, float, float, float], resolution: float,
                 rng: np.random.Generator) -> Terrain:
    """A DEM covering ``bounds`` plus a margin, in float32 as the project stores it."""
    from affine import Affine

    f = ground_function(rng)
    xmin = np.floor((bounds[0] - MARGIN) / resolution) * resolution
    ymin = np.floor((bounds[1] - MARGIN) / resolution) * resolution
    xmax = np.ceil((bounds[2] + MARGIN) / resolution) * resolution
    ymax = np.ceil((bounds[3] + MARGIN) / resolution) * resolution
    cols = int(round((xmax - xmin) / resolution))
    rows = int(round((ymax - ymin) / resolution))
    xc = xmin + (np.arange(cols) + 0.5) * resolution
    yc = ymax - (np.arange(rows) + 0.5) * resolution
    elev = f(xc[None, :], yc[:, None]).astype(np.float32).astype(np.float64)
    return Terrain(elev, Affine(resolution, 0.0, xmin, 0.0, -resolution, ymax))

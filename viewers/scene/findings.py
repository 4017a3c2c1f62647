"""Overlay meshes of risk-check results (headless, no window; safe on a worker thread).

:func:`findings_markers` turns a findings frame into one vertex per finding
at its (x, y, z), coloured by severity (the report's palette), for one
marker actor; :func:`highlight_mesh` draws the features a finding, a trace
or a valve isolation names with the layers' own scene builders, plus a
marker on every point feature (valves are points that are not wells).
Coordinates are scene-local (project minus ``origin``), like the layers.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from gis import layers as registry
from viewers.scene.builders import BUILDERS
from viewers.scene.mesh import MeshBuilder

_UP = np.array([0.0, 0.0, 1.0])


def severity_rgb() -> dict[str, tuple[int, int, int]]:
    """Marker colour per severity (critical red, major orange, minor yellow, info blue), as in reports."""
    from gis.report.style import SEVERITY_COLOURS

    return dict(SEVERITY_COLOURS)


@dataclass
class FindingMarkers:
    """Marker vertices of a findings frame: ``points`` (m, 3) local, ``rows`` the frame row of each."""

    polydata: object
    points: np.ndarray
    rows: np.ndarray


def findings_markers(findings, origin) -> FindingMarkers | None:
    """One marker per finding with a plan position, coloured by severity; None when there is none.

    A finding without z sits at the scene's reference level.  The worst
    severities come last so they draw over others at the same place.
    """
    import pandas as pd

    if findings is None or not len(findings):
        return None
    x = pd.to_numeric(findings["x"], errors="coerce").to_numpy(float)
    y = pd.to_numeric(findings["y"], errors="coerce").to_numpy(float)
    z = pd.to_numeric(findings["z"], errors="coerce").to_numpy(float)
    palette = severity_rgb()
    names = list(palette)
    sev = pd.Categorical(findings["severity"], categories=names).codes.astype(np.int64)
    sev = np.where(sev < 0, names.index("info"), sev)
    rows = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    rows = rows[np.argsort(-sev[rows], kind="stable")]
    if not len(rows):
        return None
    origin = np.asarray(origin, dtype=float)
    points = np.c_[x[rows] - origin[0], y[rows] - origin[1], np.nan_to_num(z[rows] - origin[2], nan=0.0)]
    n = len(rows)
    mb = MeshBuilder()
    mb.add(points, _UP, verts=(np.arange(n).reshape(n, 1), np.arange(n)))
    table = np.array([palette[name] for name in names], dtype=np.uint8)
    return FindingMarkers(mb.polydata(table[sev[rows]]), points, rows)


def highlight_mesh(frames: Mapping, items: Iterable[tuple[str, str]], origin):
    """The features ``items`` ((layer, id) pairs) as one polydata, or None when none of them is known.

    ``frames`` are the project's layers as GeoDataFrames indexed by id (the
    app's LoadedProject.frames).  Drawable layers use their scene builder;
    point features also get a marker vertex.
    """
    import shapely

    wanted: dict[str, list[str]] = {}
    for layer, fid in items:
        if layer and fid:
            wanted.setdefault(layer, []).append(str(fid))
    origin = np.asarray(origin, dtype=float)
    parts = []
    for layer, ids in wanted.items():
        gdf = frames.get(layer)
        part = gdf[gdf.index.isin(ids)].reset_index(drop=True) if gdf is not None else ()
        if not len(part):
            continue
        mb = BUILDERS[layer].build(layer, part, origin) if layer in BUILDERS else MeshBuilder()
        geometry = registry.get(layer).geometry or ""
        if "Point" in geometry:
            xyz = shapely.get_coordinates(part.geometry.values, include_z=True)
            xyz = np.where(np.isnan(xyz), origin, xyz) - origin
            n = len(xyz)
            mb.add(xyz, _UP, verts=(np.arange(n).reshape(n, 1), np.arange(n)))
        if mb.n_points:
            parts.append(mb.polydata(np.zeros((len(part), 3), dtype=np.uint8)))
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    from vtkmodules.vtkFiltersCore import vtkAppendPolyData

    append = vtkAppendPolyData()
    for pd in parts:
        append.AddInputData(pd)
    append.Update()
    return append.GetOutput()

"""Flat (z = 0) VTK polydata from 2D points and cells: glyphs, scale bars, arrows."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def planar_polydata(points, polys: Sequence[Sequence[int]], lines: Sequence[Sequence[int]] = ()):
    """vtkPolyData of 2D ``points`` (n x 2) in the z = 0 plane with ``polys`` and ``lines`` (point indices)."""
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData

    xy = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    pd = vtkPolyData()
    pts = vtkPoints()
    pts.SetData(numpy_to_vtk(np.column_stack([xy, np.zeros(len(xy))]), deep=True))
    pd.SetPoints(pts)
    for cells, setter in ((polys, pd.SetPolys), (lines, pd.SetLines)):
        ca = vtkCellArray()
        for cell in cells:
            ca.InsertNextCell(len(cell), cell)
        setter(ca)
    return pd

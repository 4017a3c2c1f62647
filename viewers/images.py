"""Pixels out of a render window, and PNG files written atomically."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np


def grab(render_window) -> np.ndarray:
    """The window's last frame as an (h, w, 3) uint8 array, top row first."""
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkRenderingCore import vtkWindowToImageFilter

    w2i = vtkWindowToImageFilter()
    w2i.SetInput(render_window)
    w2i.SetInputBufferTypeToRGB()
    w2i.ReadFrontBufferOff()
    w2i.ShouldRerenderOff()
    w2i.Update()
    img = w2i.GetOutput()
    w, h, _ = img.GetDimensions()
    return vtk_to_numpy(img.GetPointData().GetScalars()).reshape(h, w, 3)[::-1].copy()


def png_bytes(pixels: np.ndarray) -> bytes:
    """PNG encoding of an (h, w, 3) uint8 array."""
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonDataModel import vtkImageData
    from vtkmodules.vtkIOImage import vtkPNGWriter

    h, w, _ = pixels.shape
    img = vtkImageData()
    img.SetDimensions(w, h, 1)
    arr = numpy_to_vtk(np.ascontiguousarray(pixels[::-1]).reshape(-1, 3), deep=True)
    img.GetPointData().SetScalars(arr)
    writer = vtkPNGWriter()
    writer.SetInputData(img)
    writer.WriteToMemoryOn()
    writer.Write()
    from vtkmodules.util.numpy_support import vtk_to_numpy

    return vtk_to_numpy(writer.GetResult()).tobytes()


def write_png(pixels: np.ndarray, path: str | os.PathLike) -> Path:
    """Write ``pixels`` as a PNG at ``path`` atomically (temp file in the same folder, then rename)."""
    path = Path(path)
    data = png_bytes(pixels)
    fd, tmp = tempfile.mkstemp(suffix=".png.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path

"""Off-screen render windows with no display: EGL first, OSMesa where EGL is missing.

``SUBTERRA_OFFSCREEN=egl|osmesa`` forces one back-end (tests use it to
check the fallback).
"""
from __future__ import annotations

import os

from gis.errors import SubterraError

BACKENDS = ("egl", "osmesa")


def offscreen_window(width: int, height: int):
    """A vtkRenderWindow rendering off screen at ``width`` x ``height``, multisampling off."""
    from vtkmodules import vtkRenderingOpenGL2 as gl

    forced = os.environ.get("SUBTERRA_OFFSCREEN", "").strip().lower()
    if forced and forced not in BACKENDS:
        raise SubterraError(f"SUBTERRA_OFFSCREEN={forced!r}: use one of {', '.join(BACKENDS)}")
    classes = {"egl": gl.vtkEGLRenderWindow, "osmesa": gl.vtkOSOpenGLRenderWindow}
    for name in ([forced] if forced else BACKENDS):
        window = classes[name]()
        window.SetOffScreenRendering(1)
        window.SetMultiSamples(0)
        window.SetSize(int(width), int(height))
        if window.SupportsOpenGL():
            return window
    raise SubterraError("no off-screen OpenGL available: install Mesa's EGL (libegl-mesa0) or OSMesa (libosmesa6)")

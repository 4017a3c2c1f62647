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


def offscreen_stage(scene, size: tuple[int, int], shading: str, ground_opacity: float | None = None):
    """(window, stage): ``scene`` on a Stage with ``shading`` in a new off-screen window of ``size``.

    ``ground_opacity`` (when given) is set before the scene so the first build already uses it.
    """
    from vtkmodules.vtkRenderingCore import vtkRenderer

    from viewers.stage import Stage

    window = offscreen_window(*size)
    renderer = vtkRenderer()
    window.AddRenderer(renderer)
    stage = Stage(renderer, shading)
    if ground_opacity is not None:
        stage.set_ground_opacity(ground_opacity)
    stage.set_scene(scene)
    return window, stage

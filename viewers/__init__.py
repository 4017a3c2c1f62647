"""VTK scene building and the views: 3D, 2D map, headless renders.

Headless (no window, no Qt):
- ``viewers.styles``: the style registry (colours, opacities, widths, shading).
- ``viewers.scene``: ``build_project_scene`` / ``build_section_scene`` ->
  ``ProjectScene`` (one merged vtkPolyData per layer, safe off the GUI thread),
  builder registry ``BUILDERS``.
- ``viewers.stage.Stage``: a scene's actors on a renderer (visibility, ground
  opacity, exaggeration, selection, picking): the one drawing path.
- ``viewers.camera``, ``viewers.offscreen``, ``viewers.images``, ``viewers.render``
  (``subterra render``).

Qt widgets (thin, ``viewers/qt_*.py`` only): ``qt_view3d.View3D``, ``qt_map2d.Map2D``.
"""

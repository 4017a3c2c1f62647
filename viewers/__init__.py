"""VTK scene building and the views: 3D, 2D map, headless renders.

Headless (no window, no Qt):
- ``viewers.styles``: the style registry (colours, opacities, widths, shading).
- ``viewers.scene``: ``build_project_scene`` / ``build_section_scene`` ->
  ``ProjectScene`` (one merged vtkPolyData per layer, safe off the GUI thread),
  builder registry ``BUILDERS``.  Big layers (``lod_min`` cells) become
  ``scene.tiled`` (``viewers.scene.tiled.TiledLayer``): tiles at levels of
  detail, thinned overview built with the scene, exact meshes near the camera
  built on demand; ``scene.layer_names()`` lists merged and tiled layers.
- ``viewers.lod``: which tile at which level for a camera (``plan``, ``Budget``).
- ``viewers.stage.Stage``: a scene's actors on a renderer (visibility, per-utility
  visibility, ground opacity, exaggeration, selection of one or many features,
  picking): the one drawing path.  Tiles
  follow the camera before each render (built on a worker, ``on_lod_ready``
  called when one is done); ``settle()`` builds what the camera needs now
  (headless renders); ``close()`` stops the worker.
- ``viewers.camera``, ``viewers.offscreen``, ``viewers.images``, ``viewers.render``
  (``subterra render``).
- 2D map parts over a top view: ``viewers.map_overlays`` (scale bar, north
  arrow), ``viewers.map_symbols`` (pipe-point symbols, one glyph actor),
  ``viewers.map_measure`` (distance / area and their drawing).

Qt widgets (thin, ``viewers/qt_*.py`` only): ``qt_view3d.View3D``, ``qt_map2d.Map2D``.
"""

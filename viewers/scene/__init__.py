"""Headless scene building: GeoDataFrames -> one merged vtkPolyData per layer (no window needed)."""
from viewers.scene.builders import BUILDERS, LayerBuilder
from viewers.scene.project_scene import (GROUND, LayerMesh, ProjectScene, build_project_scene,
                                         build_section_scene)

__all__ = ["BUILDERS", "GROUND", "LayerBuilder", "LayerMesh", "ProjectScene", "build_project_scene",
           "build_section_scene"]

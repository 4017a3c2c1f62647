"""The project store: one GeoPackage per project, written only through transactions."""
from gis.store.project import Project, ProjectInfo

__all__ = ["Project", "ProjectInfo"]

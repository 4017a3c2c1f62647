"""Vertical cuts through a project: cross-sections (横断面) and longitudinal profiles (纵断面).

Headless (numpy / shapely, no Qt or VTK); drawings live in ``viewers.charts``.

- :func:`cross_section` (gis.cuts.section): a :class:`Section` along any cut
  line: every pipe, tunnel and volume it meets, the ground line, clear
  distances between neighbours.  Also the profile along an arbitrary line.
- :func:`find_run` (gis.cuts.run) and :func:`longitudinal_profile`
  (gis.cuts.profile): a :class:`Profile` of a pipe run: stations
  (manholes), segment levels and slopes, crossings, ground line.
- :func:`records` / :func:`write_csv` (gis.cuts.table): the tables as rows
  and as CSV (UTF-8 with BOM); ``Section.to_dict`` / ``Profile.to_dict``
  are the JSON documents.
"""
from gis.cuts.cutline import Cut
from gis.cuts.items import SectionItem
from gis.cuts.profile import Profile, RunCrossing, RunSegment, Station, longitudinal_profile
from gis.cuts.run import Run, find_run
from gis.cuts.section import Clearance, Section, cross_section
from gis.cuts.table import records, write_csv

__all__ = ["Clearance", "Cut", "Profile", "Run", "RunCrossing", "RunSegment", "Section", "SectionItem", "Station",
           "cross_section", "find_run", "longitudinal_profile", "records", "write_csv"]

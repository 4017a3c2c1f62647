"""Worker functions of the Analysis menu: each opens the project and calls one gis function.

They run on the TaskRunner's thread (they take a Progress and touch no
widget or VTK object) and return what the GUI shows: a CheckResult, a
trace result, the past runs, a rule table, what a report wrote.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace

from gis.progress import Progress

CHECKS = ("clearance", "excavation", "cover", "topology", "zones")


def run_check(path: str, check: str, options: Callable, progress: Progress):
    """Run ``check`` on the project at ``path``; ``options(project)`` builds its options there."""
    from gis.store import Project

    module = import_module(f"gis.analysis.{check}")
    progress.start(0, check)
    with Project.open(path) as project:
        return module.run(project, options(project), progress)


def run_trace(path: str, start: str, mode: str, progress: Progress) -> dict:
    """Trace the network from ``start`` (connected, upstream, downstream) or isolate a burst segment."""
    from gis.analysis.network import Network
    from gis.store import Project

    progress.start(0, "network")
    with Project.open(path, readonly=True) as project:
        net = Network.from_project(project)
    return net.isolate(start) if mode == "isolate" else net.trace(start, mode)


def list_runs(path: str, progress: Progress):
    """The past runs in the project's findings layer (gis.analysis.runs)."""
    from gis.analysis import runs
    from gis.store import Project

    progress.start(0, "findings")
    with Project.open(path, readonly=True) as project:
        return runs.list_runs(project)


def load_run(path: str, run_id: str, progress: Progress):
    """One past run read back from the findings layer."""
    from gis.analysis import runs
    from gis.store import Project

    progress.start(0, "findings")
    with Project.open(path, readonly=True) as project:
        return runs.load_run(project, run_id)


def rule_table(path: str | None, user_file: str | None, progress: Progress):
    """The rule table checks use: built-in rows, the project's stored table, then ``user_file``.

    Raises InputRejected (every problem with file, row, column) for a bad file.
    """
    from gis.analysis import rules

    progress.start(0, "rules")
    if path is None:
        return rules.load(user_file)
    from gis.store import Project

    with Project.open(path, readonly=True) as project:
        return rules.load_for_project(project, user_file)


def export_report(path: str, result, out: str, rules_file: str | None, progress: Progress) -> dict:
    """Write the report of ``result`` (HTML or PDF by suffix) with its map extract; what was written."""
    from gis.report import ReportOptions
    from gis.store import Project
    from viewers.report_output import save_report

    progress.start(0, "report")
    with Project.open(path, readonly=True) as project:
        return save_report(result, project, out, ReportOptions(lang="both", rules_file=rules_file))


# ------------------------------------------------------------------ options
def clearance_options(rules_file: str | None, focus_ids: tuple[str, ...] | None) -> Callable:
    """Options of the clearance audit: the whole project, or pairs touching ``focus_ids``."""
    from gis.analysis.clearance import ClearanceOptions

    return lambda _project: ClearanceOptions(rules_file=rules_file, focus_ids=focus_ids)


def simple_options(check: str, rules_file: str | None) -> Callable:
    """Options of the cover check or topology QA."""
    if check == "cover":
        from gis.analysis.cover import CoverOptions

        return lambda _project: CoverOptions(rules_file=rules_file)
    from gis.analysis.topology import TopologyOptions

    return lambda _project: TopologyOptions()


@dataclass
class ExcavationRequest:
    """What the excavation dialog asks for, in the CLI's terms (CLI.md ``check excavation``)."""

    wkt: str | None = None            # area polygon (project CRS)
    id: str | None = None             # a stored excavation's feature_id
    line: str | None = None           # a proposed pipe's centre line
    bottom_elev: float | None = None
    depth: float | None = None
    buffer: float | None = None
    utility: str | None = None
    diameter_mm: float | None = None
    width_mm: float | None = None
    height_mm: float | None = None
    pressure_mpa: float | None = None
    burial: str | None = None


def excavation_options(request: ExcavationRequest, rules_file: str | None) -> Callable:
    """Options of the excavation check, read by the core's own parser (stored ids looked up in the project)."""
    from gis.analysis import excavation

    def build(project):
        args = SimpleNamespace(area=None, rules=rules_file, no_store=False, **{
            k: getattr(request, k) for k in ("wkt", "id", "line", "bottom_elev", "depth", "buffer", "utility",
                                             "diameter_mm", "width_mm", "height_mm", "pressure_mpa", "burial")})
        return excavation.options_from_cli(project, args)

    return build


def zone_options(wkt: str | None, rules_file: str | None) -> Callable:
    """Options of the protection-zone check for an area given as WKT (project CRS; None: the
    audit of existing pipes against the metro special zones)."""
    from gis.analysis import excavation, zones

    return lambda project: zones.ZoneOptions(
        area=None if wkt is None else excavation.read_area(project, None, wkt), rules_file=rules_file)

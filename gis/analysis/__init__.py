"""Risk analysis: rule tables and checks (clearance, excavation, cover, zones, topology, network).

Each check is ``run(project, options, progress) -> CheckResult`` (gis.analysis.findings);
no Qt or VTK here.
"""

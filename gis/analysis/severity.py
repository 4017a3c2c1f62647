"""Finding severities, worst first (light: the app's findings table imports it without pandas)."""

SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2, "info": 3}

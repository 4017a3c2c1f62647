"""Build a :class:`Report` from a check run and its project (content only; writers format it)."""
from __future__ import annotations

import datetime as _dt
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from gis.analysis.findings import CheckResult
from gis.policy import record_sensitive_use, withhold_sensitive
from gis.report.mapextract import SEVERITIES, MapRenderer, map_extract, severity_codes
from gis.report.model import Report, ReportOptions, RuleFile
from gis.report.notes import bands_for, notes_for
from gis.report.owners import owner_groups
from gis.report.text import DETAILS

RULE_COLUMNS = ["rule_id", "kind", "a", "b", "min_m", "source", "confidence", "note", "file"]


def build_report(result: CheckResult, project, options: ReportOptions | None = None,
                 render_map: MapRenderer | None = None, now: _dt.datetime | None = None) -> Report:
    """The report of one check run.

    Findings on sensitive layers are withheld unless ``options.include_sensitive``
    (gis.policy); when they are included, the use is written to the audit log
    here, before any file is written.  ``render_map`` draws the top view for
    the map extract (``viewers.report_output.render_map``); without it the
    report says there is no map.
    """
    options = options or ReportOptions()
    options.check()
    ordered = sort_by_severity(result.findings)
    shown, sensitive = withhold_sensitive(ordered, options.include_sensitive)
    withheld_rows = 0 if options.include_sensitive else int(_touches(ordered, sensitive).sum())
    extract = map_extract(project, shown, tuple(options.map_size), options.include_sensitive, render_map)
    used = list(sensitive) if options.include_sensitive else []
    if options.include_sensitive and extract.png is not None:
        used += [name for name in _sensitive_in_area(project, extract.bbox) if name not in used]
    record_sensitive_use(project, used, "report", {"run_id": result.run_id, "check": result.check})
    table = _rule_table(project, options.rules_file)
    generated = (now or _dt.datetime.now(_dt.timezone.utc)).strftime("%Y-%m-%d %H:%M:%S")
    return Report(
        options=options, check=result.check, run_id=result.run_id, run_time=run_time(result.run_id),
        generated=generated,
        project={"path": str(project.path), "name": Path(project.path).name,
                 "crs": project.meta.get("crs_name") or project.crs.name},
        rule_files=rule_files(table, project), rules_cited=_rules_cited(table, shown),
        summary=_summary(result, shown), map=extract, rows=shown.head(options.max_rows), findings=shown,
        owners=owner_groups(project, shown, options.max_owner_features),
        withheld={"findings": withheld_rows, "layers": [] if options.include_sensitive else sensitive},
        sensitive_included=used, notes=notes_for(result.check), bands=bands_for(result.check, project))


def sort_by_severity(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings worst first: severity, then the larger deficit (unknown last); stable otherwise."""
    if not len(findings):
        return findings.reset_index(drop=True)
    deficit = pd.to_numeric(findings["deficit_m"], errors="coerce").to_numpy(float)
    order = np.lexsort((np.nan_to_num(-deficit, nan=np.inf), severity_codes(findings["severity"].to_numpy())))
    return findings.iloc[order].reset_index(drop=True)


def run_time(run_id: str) -> str:
    """The UTC time a run id starts with (gis.analysis.findings.new_run_id), or "" when it has none."""
    try:
        t = _dt.datetime.strptime(run_id.split("-", 1)[0], "%Y%m%dT%H%M%S%fZ")
    except ValueError:
        return ""
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _touches(findings: pd.DataFrame, layers: list[str]) -> np.ndarray:
    if not layers or not len(findings):
        return np.zeros(len(findings), dtype=bool)
    return (findings["a_layer"].astype(object).isin(layers) | findings["b_layer"].astype(object).isin(layers)).to_numpy()


def _sensitive_in_area(project, bbox) -> list[str]:
    from gis.layers import SENSITIVE_LAYERS, get

    out = []
    for name in SENSITIVE_LAYERS:
        if get(name).geometry and project.count(name) and len(
                project.read(name, bbox=bbox, columns=[get(name).id_field])):
            out.append(name)
    return out


def _rule_table(project, rules_file):
    from gis.analysis.rules import load_for_project

    return load_for_project(project, rules_file)


def rule_files(table, project) -> list[RuleFile]:
    """The rule tables behind a run with their origin and SHA-256 (project-stored text hashed as UTF-8)."""
    from gis.analysis.rules import builtin_files

    builtin = {str(p) for p in builtin_files()}
    out = []
    for name in table.files:
        if name == "project_meta:rules_csv":
            origin, data = "project", project.meta.get("rules_csv", "").encode("utf-8")
        else:
            origin, data = ("builtin" if name in builtin else "user"), Path(name).read_bytes()
        rows = sum(1 for r in table.rules if r.file == name)
        out.append(RuleFile(name, origin, hashlib.sha256(data).hexdigest(), rows))
    return out


def _rules_cited(table, findings: pd.DataFrame) -> pd.DataFrame:
    cited = {str(r) for r in findings["rule_id"].dropna().unique()} if len(findings) else set()
    rows = [{"rule_id": r.rule_id, "kind": r.kind, "a": str(r.a), "b": "" if r.b is None else str(r.b),
             "min_m": r.min_m, "source": r.source, "confidence": r.confidence, "note": r.note, "file": r.file}
            for r in table.rules if r.rule_id in cited]
    return pd.DataFrame(rows, columns=RULE_COLUMNS)


def _summary(result: CheckResult, findings: pd.DataFrame) -> dict:
    s = result.summary
    codes = severity_codes(findings["severity"].to_numpy()) if len(findings) else np.zeros(0, np.int64)
    counts = findings["confidence"].astype(object).value_counts(dropna=False) if len(findings) else {}
    return {
        "findings": int(len(findings)),
        "by_severity": {sev: int((codes == i).sum()) for i, sev in enumerate(SEVERITIES)},
        "by_kind": {str(k): int(v) for k, v in findings["kind"].astype(object).value_counts().items()}
        if len(findings) else {},
        "by_confidence": {(None if pd.isna(k) else str(k)): int(v) for k, v in counts.items()},
        "violations": int(s.get("violations", 0)),
        "uncertain": int(s.get("uncertain", 0)),
        "no_rule_pairs": s.get("no_rule_pairs"),
        "no_rule_classes": dict(list(s.get("no_rule_classes", {}).items())[:12]),
        "warnings": [str(w) for w in s.get("warnings", [])],
        "details": {k: s[k] for k in DETAILS if isinstance(s.get(k), (int, float))},
    }

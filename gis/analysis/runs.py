"""Past check runs kept in a project's findings layer: list them, read one back as a CheckResult.

Every run writes its findings under its run id (gis.analysis.findings.write);
these functions read them back so an earlier run can be shown, filtered or
reported again.  The run summary is recomputed from the stored findings:
counts that are not stored with them (pairs with no rule ...) are absent.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from gis.analysis import findings as fnd
from gis.analysis.findings import CheckResult
from gis.errors import UsageError

RUN_COLUMNS = ["run_id", "check", "findings", "violations"]


def list_runs(project) -> pd.DataFrame:
    """The runs in the findings layer, newest first: run_id, check, findings, violations."""
    import pyogrio

    if not project.count("findings"):
        return pd.DataFrame(columns=RUN_COLUMNS)
    sql = ('SELECT run_id, "check", COUNT(*) AS findings, '
           f'SUM(CASE WHEN deficit_m > {fnd.EPS} THEN 1 ELSE 0 END) AS violations '
           'FROM findings GROUP BY run_id, "check" ORDER BY run_id DESC')
    df = pyogrio.read_dataframe(str(project.path), sql=sql, read_geometry=False)
    return df.reindex(columns=RUN_COLUMNS).astype({"findings": np.int64, "violations": np.int64})


def load_run(project, run_id: str) -> CheckResult:
    """The findings of one stored run, in their original order, as a CheckResult."""
    import shapely

    quoted = run_id.replace("'", "''")
    gdf = project.read("findings", where=f"run_id = '{quoted}'")
    if not len(gdf):
        raise UsageError(f"no findings stored under run id {run_id!r}")
    number = pd.to_numeric(gdf["finding_id"].astype(str).str.rsplit("-", n=1).str[-1], errors="coerce")
    gdf = gdf.iloc[np.argsort(number.to_numpy(float), kind="stable")].reset_index(drop=True)
    xyz = shapely.get_coordinates(gdf.geometry.values, include_z=True)
    df = pd.DataFrame(gdf.drop(columns=["geometry", "run_id"]))
    df["x"], df["y"], df["z"] = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    df["uncertain"] = df["uncertain"].fillna(False).astype(bool)
    df = df.reindex(columns=fnd.COLUMNS + [c for c in fnd.EXTRA_COLUMNS if c in df])
    check = str(df["check"].iloc[0])
    return CheckResult(run_id, check, fnd.summarize(df, stored=True), df)

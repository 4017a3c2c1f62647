"""Turning a capture into a survey_points record (and optionally a pipe_points row) in the project."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from gis.errors import StoreError, UsageError
from gis.geodesy.calibration import ProjectGeodesy
from gis.progress import Progress
from importers.gnss.capture import CaptureResult, CaptureRules, occupy

_CONS_FIELDS = {"GPS": "sats_gps", "GLONASS": "sats_glonass", "Galileo": "sats_galileo", "BDS": "sats_bds"}


@dataclass(frozen=True)
class PipePointSpec:
    """What the crew says about a surveyed pipe point: utility (or sub-type) code, feature, appurtenance,
    measured depth."""

    utility: str
    feature: str | None = None
    depth: float | None = None
    appurtenance: str | None = None

    def resolved(self) -> tuple[str, str | None]:
        """(utility code, sub-type code) accepting a sub-type where a utility is asked for."""
        from gis.utilities import resolve

        try:
            util, sub = resolve(self.utility)
        except KeyError:
            raise UsageError(f"--utility {self.utility!r} is not a utility or sub-type code") from None
        if self.depth is not None and not 0 <= self.depth <= 60:
            raise UsageError(f"--depth {self.depth} m is outside 0..60 m")
        return util.code, sub


def survey_record(result: CaptureResult, geodesy: ProjectGeodesy, point_id: str, *, code: str | None = None,
                  mountpoint: str | None = None, receiver: str | None = None, surveyor: str | None = None,
                  correction_age: float | None = None, allow_ellipsoidal: bool = False) -> dict:
    """All survey_points fields (DATA_MODEL.md) of one capture, converted to the project's x, y, H."""
    conv = geodesy.convert(result.lat, result.lon, result.h_ell, allow_ellipsoidal)
    rec = {
        "point_id": point_id, "code": code,
        "x": float(conv.x[0]), "y": float(conv.y[0]), "h": float(conv.h[0]),
        "lat": result.lat, "lon": result.lon, "h_ell": result.h_ell, "frame": geodesy.frame,
        "fix": result.fix, "sats_used": result.sats_used,
        "hdop": result.hdop, "pdop": result.pdop, "sigma_h": result.sigma_h, "sigma_v": result.sigma_v,
        "correction_age": result.diff_age if result.diff_age is not None else correction_age,
        "epochs": result.epochs, "spread_h": result.spread_h, "antenna_height": result.antenna_height,
        "mountpoint": mountpoint, "receiver": receiver, "time": result.time, "surveyor": surveyor,
        "height_method": conv.height_method,
    }
    for name, fld in _CONS_FIELDS.items():
        rec[fld] = result.sats_by_constellation.get(name, 0) if result.sats_by_constellation else None
    rec["_horizontal_method"] = conv.horizontal_method
    return rec


def pipe_point_row(record: dict, spec: PipePointSpec) -> dict:
    """The pipe_points row of a surveyed pipe point (ground elevation = the surveyed height)."""
    utility, subtype = spec.resolved()
    return {"point_id": record["point_id"], "utility": utility, "subtype": subtype, "feature": spec.feature,
            "appurtenance": spec.appurtenance, "depth": spec.depth, "ground_elev": record["h"], "code": record["code"],
            "survey_date": (record["time"] or "")[:10] or None, "surveyor": record["surveyor"],
            "source": f"GNSS {record['fix']} {record['epochs']} epochs"}


def _frame(layer: str, row: dict, x: float, y: float, z: float, crs):
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    from gis.layers import get

    lay = get(layer)
    data = {k: [row.get(k)] for k in lay.field_names if k in row}
    frame = pd.DataFrame(data)
    for f in lay.fields:
        if f.name in frame and f.type == "datetime":
            frame[f.name] = frame[f.name].astype(object)
    return gpd.GeoDataFrame(frame, geometry=[Point(x, y, z)], crs=crs)


def store_survey_point(proj, record: dict, pipe: PipePointSpec | None = None) -> dict | None:
    """Write the survey point (and its pipe point) in one transaction; returns the pipe row if any."""
    pipe_row = pipe_point_row(record, pipe) if pipe is not None else None
    try:
        with proj.transaction() as txn:
            txn.insert("survey_points", _frame("survey_points", record, record["x"], record["y"], record["h"],
                                                proj.crs))
            if pipe_row is not None:
                txn.insert("pipe_points", _frame("pipe_points", pipe_row, record["x"], record["y"], record["h"],
                                                  proj.crs))
    except sqlite3.IntegrityError as exc:
        raise StoreError(f"point id {record['point_id']!r} could not be stored ({exc}); "
                         "is the point id already used?") from None
    return pipe_row


@dataclass
class SurveyedPoint:
    """A stored capture: the averaged result, the survey_points record, how x/y were obtained, the pipe row."""

    result: CaptureResult
    record: dict
    horizontal_method: str
    pipe_row: dict | None


def survey_point(proj, session, geodesy: ProjectGeodesy, rules: CaptureRules, point_id: str, *,
                 code: str | None = None, surveyor: str | None = None, receiver: str | None = None,
                 pipe: PipePointSpec | None = None, allow_ellipsoidal: bool = False,
                 progress: Progress | None = None) -> SurveyedPoint:
    """Occupy with a running :class:`~importers.gnss.session.GnssSession`, convert and store the point
    (and its pipe point) in one transaction.  Raises CaptureRefused (nothing stored) or Cancelled."""
    if pipe is not None:
        pipe.resolved()
    result = occupy(session, rules, progress)
    record = survey_record(result, geodesy, point_id, code=code,
                           mountpoint=session.ntrip.config.mountpoint if session.ntrip else None,
                           receiver=receiver or session.receiver.spec.describe(), surveyor=surveyor,
                           correction_age=session.status.correction_age(), allow_ellipsoidal=allow_ellipsoidal)
    horizontal = record.pop("_horizontal_method")
    pipe_row = store_survey_point(proj, record, pipe)
    return SurveyedPoint(result, record, horizontal, pipe_row)

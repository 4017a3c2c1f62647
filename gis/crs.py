"""Coordinate reference systems: parsing user input and describing a project's CRS."""
from __future__ import annotations

from gis.errors import UsageError

DEFAULT_CRS = "EPSG:4549"            # CGCS2000 / 3-degree Gauss-Kruger CM 120E
DEFAULT_VERTICAL_DATUM = "1985 National Height Datum"


def parse_crs(text: str):
    """A pyproj CRS from an authority code, PROJ string or WKT; UsageError if unusable.

    Project CRSs must be projected with metre units (a local grid is fine).
    """
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(text)
    except CRSError as exc:
        raise UsageError(f"cannot understand CRS {text!r}: {exc}") from None
    return crs


def require_projected_metres(crs) -> None:
    """Refuse geographic or non-metre CRSs for a project."""
    if not crs.is_projected:
        raise UsageError(f"project CRS must be projected (metres); {crs.name} is not")
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if unit not in ("metre", "meter"):
        raise UsageError(f"project CRS must use metres; {crs.name} uses {unit or 'unknown units'}")


def srs_row(crs, custom_id: int = 100000) -> tuple:
    """A gpkg_spatial_ref_sys row (name, srs_id, organization, code, WKT1 definition, description)."""
    from pyproj.enums import WktVersion

    auth = crs.to_authority(min_confidence=100)
    wkt = crs.to_wkt(WktVersion.WKT1_GDAL)
    if auth is not None and auth[0] == "EPSG":
        code = int(auth[1])
        return (crs.name, code, "EPSG", code, wkt, crs.name)
    return (crs.name, custom_id, "NONE", custom_id, wkt, "project CRS")

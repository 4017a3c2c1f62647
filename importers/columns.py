"""Column names as survey institutes and GIS files write them, mapped to Subterra's keys.

Headers are compared after NFKC, lower-casing, and dropping spaces,
underscores and a trailing unit in brackets ("地面高程(m)", "埋深（cm）").
Keys are registry field names where one exists (point_id, ground_elev ...) or
survey-table keys that the importer turns into fields (x, y, size, pressure,
start_top_elev ...).  ``--map FIELD=COLUMN`` overrides any match.
"""
from __future__ import annotations

import re
import unicodedata

from gis.errors import Problem
from importers.messages import tr

# Keys shared by point and line tables.
_COMMON = {
    "utility": ("管线类型", "管线类别", "管线种类", "管类", "管线大类", "类型", "utility", "utilitytype", "type"),
    "subtype": ("管线小类", "小类", "subtype"),
    "note": ("备注", "说明", "note", "notes", "remark", "remarks", "comment"),
    "quality_level": ("质量等级", "探测精度等级", "quality_level", "qualitylevel", "ql"),
    "source": ("数据来源", "source"),
    "surveyor": ("探测单位", "测量单位", "surveyor"),
    "survey_date": ("探测日期", "测量日期", "survey_date", "surveydate", "date"),
}

POINT_COLUMNS: dict[str, tuple[str, ...]] = {
    "point_id": ("物探点号", "点号", "管线点号", "探测点号", "测点号", "点名", "point_id", "pointid", "point", "id"),
    "map_id": ("图上点号", "图上编号", "图上点名", "map_id", "mapid", "label"),
    "feature": ("特征", "特征点", "点特征", "特征点名称", "feature"),
    "appurtenance": ("附属物", "附属设施", "附属物名称", "appurtenance"),
    "x": ("x", "x坐标", "坐标x", "纵坐标"),
    "y": ("y", "y坐标", "坐标y", "横坐标"),
    "northing": ("northing", "北坐标", "n"),
    "easting": ("easting", "东坐标", "e"),
    "ground_elev": ("地面高程", "地面标高", "地面高", "地面", "高程", "ground_elev", "groundelev", "ground", "h", "z"),
    "depth": ("埋深", "管线埋深", "depth"),
    "well_depth": ("井深", "井底深", "well_depth", "welldepth"),
    "well_diameter_mm": ("井径", "井室尺寸", "well_diameter_mm", "welldiameter"),
    "cover_type": ("井盖类型", "井盖材质", "井盖", "cover_type", "covertype"),
    "code": ("点编码", "编码", "代码", "code"),
    "valve_state": ("阀门状态", "valve_state", "valvestate"),
    **_COMMON,
}

LINE_COLUMNS: dict[str, tuple[str, ...]] = {
    "line_id": ("管线编号", "管段编号", "管线段号", "线号", "line_id", "lineid", "segment_id"),
    "start_point": ("起点点号", "起点", "起点号", "起始点号", "起点物探点号", "start_point", "startpoint", "from",
                    "from_point", "fromnode"),
    "end_point": ("终点点号", "终点", "终点号", "连接点号", "终点物探点号", "end_point", "endpoint", "to", "to_point",
                  "tonode"),
    "start_depth": ("起点埋深", "起埋深", "start_depth", "startdepth"),
    "end_depth": ("终点埋深", "终埋深", "end_depth", "enddepth"),
    "start_top_elev": ("起点管顶高程", "起点顶高程", "起点管顶标高", "start_top_elev"),
    "end_top_elev": ("终点管顶高程", "终点顶高程", "终点管顶标高", "end_top_elev"),
    "start_invert_elev": ("起点管底高程", "起点管内底高程", "起点内底高程", "起点底高程", "起点管底标高",
                          "start_invert_elev"),
    "end_invert_elev": ("终点管底高程", "终点管内底高程", "终点内底高程", "终点底高程", "终点管底标高",
                        "end_invert_elev"),
    "start_centre_elev": ("起点管中高程", "起点中心高程", "start_centre_elev", "start_center_elev"),
    "end_centre_elev": ("终点管中高程", "终点中心高程", "end_centre_elev", "end_center_elev"),
    "depth_ref": ("埋深基准", "埋深类型", "depth_ref", "depthref"),
    "size": ("管径", "管径或断面尺寸", "断面尺寸", "管径/断面", "规格", "尺寸", "size", "diameter", "diameter_mm", "dn"),
    "width_mm": ("宽", "断面宽", "width", "width_mm"),
    "height_mm": ("高", "断面高", "height", "height_mm"),
    "wall_mm": ("壁厚", "wall", "wall_mm"),
    "material": ("材质", "管材", "材料", "material"),
    "pressure": ("压力", "压力等级", "压力级制", "pressure", "pressure_mpa", "pressure_class"),
    "voltage_kv": ("电压", "电压等级", "voltage", "voltage_kv"),
    "cable_count": ("电缆条数", "电缆根数", "条数", "根数", "cable_count", "cables"),
    "hole_total": ("总孔数", "孔数", "hole_total", "holes"),
    "hole_used": ("已用孔数", "占用孔数", "hole_used"),
    "burial": ("埋设方式", "敷设方式", "埋设类型", "burial"),
    "owner": ("权属单位", "权属", "所属单位", "owner"),
    "build_year": ("建设年代", "敷设年代", "埋设年代", "建设年份", "敷设日期", "build_year", "year"),
    "road": ("道路名称", "所在道路", "路名", "road"),
    "status": ("状态", "使用状态", "status"),
    **_COMMON,
}

_UNIT_SUFFIX = re.compile(r"\((?:m|cm|mm|米|厘米|毫米|kv|mpa|年)\)$")


def header_key(text: str) -> str:
    """A header reduced for matching (NFKC, lower case, no spaces/underscores, no unit suffix)."""
    key = unicodedata.normalize("NFKC", text).strip().lower()
    key = _UNIT_SUFFIX.sub("", key)
    return re.sub(r"[\s_\-./]", "", key)


def _alias_index(spec: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for key, aliases in spec.items():
        for alias in (key, *aliases):
            index.setdefault(header_key(alias), key)
    return index


def score(headers: list[str], spec: dict[str, tuple[str, ...]]) -> int:
    """How many headers name a key of ``spec`` (for finding the header row)."""
    index = _alias_index(spec)
    return len({index[k] for k in map(header_key, headers) if k in index})


def match(headers: list[str], spec: dict[str, tuple[str, ...]], overrides: dict[str, str] | None = None,
          file: str = "") -> tuple[dict[str, int], list[str], list[Problem]]:
    """Map keys of ``spec`` to column positions.

    Returns (key -> column index, unused header texts, problems for --map
    columns that do not exist).  The first header matching a key wins; an
    override with an empty column leaves its key unmapped.
    """
    index = _alias_index(spec)
    found: dict[str, int] = {}
    for i, h in enumerate(headers):
        key = index.get(header_key(h))
        if key is not None and key not in found:
            found[key] = i
    problems = []
    for key, column in (overrides or {}).items():
        if not column:                  # "" leaves the field unmapped
            found.pop(key, None)
            continue
        hits = [i for i, h in enumerate(headers) if h == column or header_key(h) == header_key(column)]
        if hits:
            found = {k: v for k, v in found.items() if v != hits[0]}
            found[key] = hits[0]
        else:
            problems.append(Problem(file, None, column, None, tr("map_column_missing", column=column)))
    used = set(found.values())
    unused = [h for i, h in enumerate(headers) if i not in used and h]
    return found, unused, problems


def check_mapping(mapping: dict[str, str], known: set[str]) -> None:
    """UsageError when --map names a field no importer table here knows."""
    from gis.errors import UsageError

    unknown = sorted(set(mapping) - known)
    if unknown:
        raise UsageError(f"--map: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")


def aliases_text(spec: dict[str, tuple[str, ...]], key: str, limit: int = 4) -> str:
    """A few names of ``key`` for a "column missing" message."""
    return ", ".join(spec[key][:limit])

"""The declarative layer registry: every layer of a project, its geometry and fields.

The store creates tables from it, importers validate against it, viewers style
from it and the attribute panel builds its form from it.  Adding a field is a
one-place change here (the store adds missing columns on open).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from gis.utilities import DEPTH_REFS, all_codes

FIELD_TYPES = ("str", "int", "float", "date", "datetime", "bool")

# Layer families, in layer-tree order.
FAMILIES = {
    "pipelines": ("管线", "Pipelines"),
    "metro": ("轨道交通", "Metro"),
    "civil_defense": ("人防工程", "Civil defense"),
    "structures": ("地下构筑物", "Structures"),
    "survey": ("测量", "Survey"),
    "analysis": ("分析", "Analysis"),
    "context": ("底图要素", "Context"),
}

QUALITY_LEVELS = ("QL-A", "QL-B", "QL-C", "QL-D")
STATUS = ("in service", "abandoned", "planned")
SEVERITIES = ("critical", "major", "minor", "info")


@dataclass(frozen=True)
class Field:
    """One attribute: name, type, unit, allowed values, whether required, zh/en labels."""

    name: str
    type: str
    zh: str
    en: str
    unit: str | None = None
    allowed: tuple[str, ...] | None = None
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None

    def label(self, lang: str = "en") -> str:
        """Display label with unit, in ``lang``."""
        text = self.zh if lang.startswith("zh") else self.en
        return f"{text} ({self.unit})" if self.unit else text


@dataclass(frozen=True)
class Layer:
    """One layer (a GeoPackage table) of a project."""

    name: str
    geometry: str            # OGR geometry type name, e.g. "LineString Z"; None for tables
    zh: str
    en: str
    family: str
    id_field: str
    fields: tuple[Field, ...]
    sensitive: bool = False
    description: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def label(self, lang: str = "en") -> str:
        """Display name in ``lang``."""
        return self.zh if lang.startswith("zh") else self.en

    @property
    def field_names(self) -> list[str]:
        """Field names in declaration order."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """The field called ``name`` (KeyError if none)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name}.{name}")

    @property
    def has_z(self) -> bool:
        """Whether geometries carry Z."""
        return bool(self.geometry) and self.geometry.endswith(" Z")


def _f(name: str, type_: str, zh: str, en: str, unit: str | None = None, **kw) -> Field:
    return Field(name, type_, zh, en, unit, **kw)


# Fields shared by several layers.
_OWNER = _f("owner", "str", "权属单位", "owner")
_SOURCE = _f("source", "str", "数据来源", "source")
_QL = _f("quality_level", "str", "质量等级", "quality level", allowed=QUALITY_LEVELS)
_TOP = _f("top_elev", "float", "顶高程", "top elevation", "m")
_BOTTOM = _f("bottom_elev", "float", "底高程", "bottom elevation", "m")
_NOTE = _f("note", "str", "备注", "note")
_FEATURE_ID = _f("feature_id", "str", "要素编号", "feature id", required=True)
_UTILITY = _f("utility", "str", "管线类型", "utility", allowed=tuple(all_codes()), required=True)
_SUBTYPE = _f("subtype", "str", "管线小类", "sub-type")

POINT_FEATURES = ("直线点", "转折点", "弯头", "三通", "四通", "多通", "变径", "变材", "变深",
                  "出地", "入户", "预留口", "非普查", "井边点", "盖堵", "起讫点")
APPURTENANCES = ("检修井", "窨井", "阀门", "阀门井", "消防栓", "雨水篦", "排气阀", "排污阀",
                 "接线箱", "人孔", "手孔", "用户接入点", "水表", "凝水缸", "调压箱", "变压器", "检查井")
# Appurtenances that are chambers from the cover down to well_depth (drawn as cylinders, profiled as manholes).
WELL_APPURTENANCES = ("检修井", "窨井", "检查井", "阀门井", "人孔", "手孔")
BURIALS = ("直埋", "管块", "排管", "保护管", "管道", "管沟", "顶管", "综合管廊", "架空", "沟道")

LAYERS: dict[str, Layer] = {l.name: l for l in (
    Layer("pipe_points", "Point Z", "管线点", "pipe points", "pipelines", "point_id", (
        _f("point_id", "str", "物探点号", "point id", required=True),
        _f("map_id", "str", "图上点号", "map label"),
        _UTILITY, _SUBTYPE,
        _f("feature", "str", "特征", "feature"),
        _f("appurtenance", "str", "附属物", "appurtenance"),
        _f("valve_state", "str", "阀门状态", "valve state", allowed=("open", "closed", "broken")),
        _f("ground_elev", "float", "地面高程", "ground elevation", "m", minimum=-500, maximum=9000),
        _f("well_depth", "float", "井深", "well depth", "m", minimum=0, maximum=50),
        _f("depth", "float", "埋深", "measured depth", "m", minimum=0, maximum=60),
        _f("well_diameter_mm", "float", "井径", "well diameter", "mm", minimum=0, maximum=10000),
        _f("cover_type", "str", "井盖类型", "cover type"),
        _f("code", "str", "点编码", "point code"),
        _f("survey_date", "date", "探测日期", "survey date"),
        _f("surveyor", "str", "探测单位", "surveyor"),
        _QL, _SOURCE, _NOTE,
    ), description="Surveyed pipe points; Z = ground elevation"),
    Layer("pipe_segments", "LineString Z", "管线段", "pipe segments", "pipelines", "line_id", (
        _f("line_id", "str", "管线编号", "line id", required=True),
        _UTILITY, _SUBTYPE,
        _f("start_point", "str", "起点点号", "start point"),
        _f("end_point", "str", "终点点号", "end point"),
        _f("start_depth", "float", "起点埋深", "start depth", "m", minimum=0, maximum=60),
        _f("end_depth", "float", "终点埋深", "end depth", "m", minimum=0, maximum=60),
        _f("depth_ref", "str", "埋深基准", "depth reference", allowed=DEPTH_REFS),
        _f("shape", "str", "断面形状", "section shape", allowed=("circle", "rect")),
        _f("diameter_mm", "float", "管径", "diameter (DN)", "mm", minimum=0, maximum=10000),
        _f("width_mm", "float", "宽", "width", "mm", minimum=0, maximum=20000),
        _f("height_mm", "float", "高", "height", "mm", minimum=0, maximum=20000),
        _f("wall_mm", "float", "壁厚", "wall thickness", "mm", minimum=0, maximum=1000),
        _f("material", "str", "材质", "material"),
        _f("pressure_class", "str", "压力级制", "pressure class",
           allowed=("low", "mediumB", "mediumA", "subhighB", "subhighA", "highB", "highA")),
        _f("pressure_mpa", "float", "压力", "pressure", "MPa", minimum=0, maximum=10),
        _f("voltage_kv", "float", "电压", "voltage", "kV", minimum=0, maximum=1000),
        _f("cable_count", "int", "电缆条数", "cable count", minimum=0),
        _f("hole_total", "int", "总孔数", "duct holes", minimum=0),
        _f("hole_used", "int", "已用孔数", "holes used", minimum=0),
        _f("burial", "str", "埋设方式", "burial", allowed=BURIALS),
        _OWNER,
        _f("build_year", "int", "建设年代", "build year", minimum=1800, maximum=2100),
        _f("road", "str", "道路名称", "road"),
        _f("status", "str", "状态", "status", allowed=STATUS),
        _f("flow_dir", "int", "流向", "flow direction", allowed=None, minimum=-1, maximum=1),
        _QL, _SOURCE, _NOTE,
    ), description="Pipe, cable and duct-bank segments; Z = centre-line elevation"),
    Layer("metro_tunnels", "LineString Z", "地铁隧道", "metro tunnels", "metro", "feature_id", (
        _FEATURE_ID,
        _f("line_name", "str", "线路", "line", required=True),
        _f("bore", "str", "左右线", "bore", allowed=("left", "right", "single")),
        _f("section", "str", "断面", "section", allowed=("circle", "horseshoe", "box")),
        _f("outer_diameter_m", "float", "外径", "outer diameter", "m", minimum=0, maximum=20),
        _f("width_m", "float", "宽", "width", "m", minimum=0, maximum=50),
        _f("height_m", "float", "高", "height", "m", minimum=0, maximum=50),
        _f("crown_elev", "float", "拱顶高程", "crown elevation", "m"),
        _f("invert_elev", "float", "仰拱高程", "invert elevation", "m"),
        _OWNER, _SOURCE,
    )),
    Layer("metro_stations", "Polygon Z", "地铁车站", "metro stations", "metro", "feature_id", (
        _FEATURE_ID,
        _f("name", "str", "名称", "name", required=True),
        _f("kind", "str", "类型", "kind", allowed=("station", "entrance", "vent_shaft", "substation")),
        _f("lines", "str", "线路", "lines"),
        _TOP, _BOTTOM,
        _f("levels", "int", "层数", "levels", minimum=0, maximum=10),
        _OWNER, _SOURCE,
    ), description="Stations, entrances and vent shafts; Z = top elevation"),
    Layer("civil_defense_works", "Polygon Z", "人防工程", "civil-defense works", "civil_defense",
          "feature_id", (
              _FEATURE_ID,
              _f("name", "str", "名称", "name", required=True),
              _f("kind", "str", "类别", "kind",
                 allowed=("人员掩蔽", "物资库", "指挥所", "医疗救护", "专业队")),
              _f("protection_class", "str", "抗力等级", "protection class"),
              _f("peacetime_use", "str", "平时用途", "peacetime use"),
              _TOP, _BOTTOM,
              _f("area_m2", "float", "面积", "area", "m²", minimum=0),
              _f("capacity", "int", "容量", "capacity", minimum=0),
              _f("sensitivity", "str", "密级", "sensitivity",
                 allowed=("public", "internal", "classified")),
              _OWNER, _SOURCE,
          ), sensitive=True),
    Layer("civil_defense_inspections", "Point Z", "人防巡查", "civil-defense inspections",
          "civil_defense", "feature_id", (
              _FEATURE_ID,
              _f("work_id", "str", "工程编号", "work id"),
              _f("category", "str", "类别", "category",
                 allowed=("fire", "water", "security", "illegal_use", "structure")),
              _f("status", "str", "状态", "status",
                 allowed=("open", "assigned", "resolved", "closed")),
              _f("reported", "datetime", "上报时间", "reported"),
              _f("closed", "datetime", "关闭时间", "closed"),
              _f("inspector", "str", "巡查员", "inspector"),
              _f("description", "str", "描述", "description"),
              _f("grid_cell", "str", "网格", "grid cell"),
          ), sensitive=True),
    Layer("grid_cells", "Polygon", "网格单元", "grid cells", "civil_defense", "cell_id", (
        _f("cell_id", "str", "网格编号", "cell id", required=True),
        _f("district", "str", "区", "district"),
        _f("street", "str", "街道", "street"),
        _f("responsible_unit", "str", "责任单位", "responsible unit"),
    )),
    Layer("structures", "Polygon Z", "地下构筑物", "structures", "structures", "feature_id", (
        _FEATURE_ID,
        _f("name", "str", "名称", "name"),
        _f("kind", "str", "类型", "kind",
           allowed=("basement", "utility_tunnel", "pier", "pile", "culvert", "underpass", "other")),
        _TOP, _BOTTOM, _OWNER, _SOURCE,
    ), description="Basements, utility tunnels, foundations; Z = top elevation"),
    Layer("survey_points", "Point Z", "测量点", "survey points", "survey", "point_id", (
        _f("point_id", "str", "点号", "point id", required=True),
        _f("code", "str", "编码", "code"),
        _f("x", "float", "X(东)", "easting", "m"),
        _f("y", "float", "Y(北)", "northing", "m"),
        _f("h", "float", "高程", "height", "m"),
        _f("lat", "float", "纬度", "latitude", "°"),
        _f("lon", "float", "经度", "longitude", "°"),
        _f("h_ell", "float", "大地高", "ellipsoidal height", "m"),
        _f("frame", "str", "坐标框架", "frame"),
        _f("fix", "str", "解状态", "fix"),
        _f("sats_used", "int", "卫星数", "satellites used", minimum=0),
        _f("sats_gps", "int", "GPS卫星", "GPS sats", minimum=0),
        _f("sats_glonass", "int", "GLONASS卫星", "GLONASS sats", minimum=0),
        _f("sats_galileo", "int", "Galileo卫星", "Galileo sats", minimum=0),
        _f("sats_bds", "int", "北斗卫星", "BeiDou sats", minimum=0),
        _f("hdop", "float", "HDOP", "HDOP"),
        _f("pdop", "float", "PDOP", "PDOP"),
        _f("sigma_h", "float", "平面中误差", "horizontal sigma", "m"),
        _f("sigma_v", "float", "高程中误差", "vertical sigma", "m"),
        _f("correction_age", "float", "差分龄期", "correction age", "s"),
        _f("epochs", "int", "历元数", "epochs averaged", minimum=1),
        _f("spread_h", "float", "平面离散", "horizontal spread", "m"),
        _f("antenna_height", "float", "天线高", "antenna height", "m"),
        _f("mountpoint", "str", "挂载点", "mountpoint"),
        _f("receiver", "str", "接收机", "receiver"),
        _f("time", "datetime", "时间", "time"),
        _f("surveyor", "str", "测量员", "surveyor"),
        _f("height_method", "str", "高程转换", "height conversion"),
    )),
    Layer("control_points", "Point Z", "控制点", "control points", "survey", "point_id", (
        _f("point_id", "str", "点号", "point id", required=True),
        _f("grade", "str", "等级", "grade"),
        _f("lat", "float", "纬度", "latitude", "°"),
        _f("lon", "float", "经度", "longitude", "°"),
        _f("h_ell", "float", "大地高", "ellipsoidal height", "m"),
        _f("frame", "str", "坐标框架", "frame"),
        _SOURCE,
    )),
    Layer("excavations", "Geometry Z", "开挖工程", "excavations", "analysis", "feature_id", (
        _FEATURE_ID,
        _f("name", "str", "名称", "name"),
        _TOP, _BOTTOM,
        _f("depth", "float", "开挖深度", "depth below ground", "m", minimum=0, maximum=100),
        _f("buffer_m", "float", "安全距离", "safety buffer", "m", minimum=0, maximum=100),
        _f("applicant", "str", "申请单位", "applicant"),
        _f("start_date", "date", "开工日期", "start date"),
        _f("end_date", "date", "完工日期", "end date"),
        _f("utility", "str", "管线类型", "utility", allowed=tuple(all_codes())),
        _f("diameter_mm", "float", "管径", "diameter", "mm", minimum=0),
        _f("width_mm", "float", "宽", "width", "mm", minimum=0),
        _f("height_mm", "float", "高", "height", "mm", minimum=0),
    )),
    Layer("findings", "Point Z", "分析结果", "findings", "analysis", "finding_id", (
        _f("finding_id", "str", "结果编号", "finding id", required=True),
        _f("run_id", "str", "运行编号", "run id", required=True),
        _f("check", "str", "检查", "check"),
        _f("kind", "str", "类别", "kind"),
        _f("rule_id", "str", "规则", "rule"),
        _f("a_layer", "str", "图层A", "layer A"),
        _f("a_id", "str", "要素A", "feature A"),
        _f("b_layer", "str", "图层B", "layer B"),
        _f("b_id", "str", "要素B", "feature B"),
        _f("required_m", "float", "规定值", "required", "m"),
        _f("actual_m", "float", "实际值", "actual", "m"),
        _f("deficit_m", "float", "差值", "deficit", "m"),
        _f("plan_m", "float", "平面净距", "plan clearance", "m"),
        _f("vertical_m", "float", "垂直净距", "vertical clearance", "m"),
        _f("severity", "str", "严重程度", "severity", allowed=SEVERITIES),
        _f("uncertain", "bool", "不确定", "uncertain"),
        _f("source", "str", "依据", "rule source"),
        _f("confidence", "str", "可信度", "confidence"),
        _f("owners", "str", "通知单位", "owners"),
        _NOTE,
    )),
    Layer("roads", "Polygon", "道路", "roads", "context", "feature_id", (
        _FEATURE_ID,
        _f("name", "str", "道路名称", "road name"),
        _f("kind", "str", "类型", "kind", allowed=("carriageway", "footway", "green")),
    )),
    Layer("buildings", "Polygon Z", "建筑", "buildings", "context", "feature_id", (
        _FEATURE_ID,
        _f("name", "str", "名称", "name"),
        _f("floors", "int", "层数", "floors", minimum=0),
        _f("foundation_bottom_elev", "float", "基础底高程", "foundation bottom", "m"),
    )),
    Layer("trees", "Point", "行道树", "trees", "context", "feature_id", (
        _FEATURE_ID,
        _f("species", "str", "树种", "species"),
    )),
)}

# Which layers a family holds, in registry order.
def layers_in(family: str) -> list[Layer]:
    """The layers of one family."""
    return [l for l in LAYERS.values() if l.family == family]


def get(name: str) -> Layer:
    """The layer called ``name``; KeyError listing the known layers otherwise."""
    try:
        return LAYERS[name]
    except KeyError:
        raise KeyError(f"unknown layer {name!r}; known: {', '.join(LAYERS)}") from None


# Rows of feature layers hold elevations derived from Z; these fields are kept
# consistent by the store/derivation code (DATA_MODEL.md).
SENSITIVE_LAYERS = tuple(l.name for l in LAYERS.values() if l.sensitive)

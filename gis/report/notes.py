"""The notes section: what each check computes (RULES.md) and the uncertainty bands it used."""
from __future__ import annotations

from gis.report.text import T

SEVERITY_NOTE = T("严重程度按差值占规定值的比例：超过 50% 为严重，超过 20% 为较重，其余为一般。",
                  "Severity is the deficit as a share of the required value: above 50 % critical, "
                  "above 20 % major, otherwise minor.")

CHECK_NOTES: dict[str, list[T]] = {
    "clearance": [
        T("净距按外壁（管块、管沟外缘）计算，不按中心线。依据 GB 50289-2016 表 4.1.9（水平）与表 4.1.14（垂直）。",
          "Clear distances are measured between outer walls (outer edges of duct banks and culverts), not "
          "centre lines, against GB 50289-2016 Table 4.1.9 (horizontal) and Table 4.1.14 (vertical)."),
        T("平面投影相交的两管段按交叉处的垂直净距检查：|z1 − z2| − (h1/2 + h2/2)，z 为交叉点处中心线高程，h 为外部高度；"
          "交叉的管段不再作水平检查。",
          "Segments whose plan projections cross are judged by the vertical clear distance at the crossing, "
          "|z1 − z2| − (h1/2 + h2/2), with z the centre-line elevation there and h the outside height; a "
          "crossing pair gets no horizontal finding."),
        T("不相交的两管段按水平净距检查：中心线最小平面距离 − (w1/2 + w2/2)，w 为外部宽度。"
          "靠近交叉点、由交叉造成的近距由该交叉处的垂直检查覆盖，不作水平问题。",
          "Other pairs are judged by the horizontal clear distance, the least plan distance between centre "
          "lines − (w1/2 + w2/2), w the outside width. Closeness that only comes from a nearby crossing of the "
          "same two features is covered by that crossing's vertical check, not reported as horizontal."),
        T("共用端点或属于同一连续管线的管段视为相连，不作冲突。没有适用规则的线对计入“无适用规则”，不视为合格。",
          "Segments sharing an end point, or in one continuous run of the same utility, are connected, not "
          "conflicting. Pairs with no applicable rule are counted as \"no rule\", never passed."),
        T("规则匹配取最具体的一行（小类+限定 > 小类 > 类型+限定 > 类型），同级取较大距离。",
          "The most specific rule row applies (sub-type with qualifier, sub-type, type with qualifier, "
          "type); a tie takes the larger distance."),
    ],
    "excavation": [
        T("线状要素（管线、隧道）的中心线某点在开挖范围外扩（安全距离 + 自身半宽）以内，且该点管顶不低于开挖底，即为冲突；"
          "面状要素（车站、人防工程、构筑物）的轮廓在安全距离以内且顶高不低于开挖底，即为冲突。",
          "A line feature (pipe, tunnel) conflicts when a point of its centre line lies within the buffer "
          "plus its own half width of the area and its top there is at or above the excavation bottom; a "
          "polygon feature (station, civil-defense work, structure) when its footprint comes within the buffer "
          "and its top is at or above the bottom."),
        T("距管线 0.6 m（18–24 英寸容差带）以内只允许人工开挖。新建管线按其管径作为管道与既有管线、隧道作净距检查。",
          "Within 0.6 m of a utility (the 18–24 inch tolerance zone) only hand digging is allowed. A proposed "
          "pipe is checked as a tube against existing pipes and tunnels with the clearance rules."),
        T("保护区（地铁控制/特别保护区、燃气保护范围、人防安全范围）的距离取自规则表，可按城市配置。",
          "Protection-zone distances (metro control and special zones, gas protection ranges, civil-defense "
          "safety ranges) come from the rule table and are configurable per city."),
    ],
    "cover": [
        T("覆土 = 地面高程（DEM 或实测地面）− 管顶高程，按车行道 / 非车行道与管线类别对照最小覆土。"
          "已知：排水 0.7 m（车行道）/ 0.6 m（人行道），GB 50014-2021 5.3.7；燃气 0.9 / 0.6 m，GB 50028。",
          "Cover = ground elevation (DEM or surveyed ground) − top of pipe, against the minimum for the "
          "utility under roadway or elsewhere. Known: drainage 0.7 m under roadway, 0.6 m under footway "
          "(GB 50014-2021 5.3.7); gas 0.9 m roadway, 0.6 m elsewhere (GB 50028)."),
    ],
    "topology": [
        T("检查悬挂端点、重复点、引用缺失点的管段、零长度管段、重力管倒坡（沿流向管底升高）、高出地面的管线，以及缺少高程的交叉。",
          "Checks dangling ends, duplicate points, segments referencing missing points, zero-length segments, "
          "reversed gravity slopes (invert rising along the flow), pipes above ground and crossings without "
          "vertical data."),
    ],
    "zones": [
        T("地铁：距地下车站与隧道外缘 50 m、地面及高架结构 30 m、出入口/风亭/变电所 10 m、过江隧道 100 m 为控制保护区，5 m 为特别保护区"
          "（常见城市条例模板，需按城市核实）。燃气：低压至次高压每侧 0.7 m、高压 6 m 为保护范围。人防工程安全范围按项目设定。",
          "Metro: control zone 50 m from the outer edge of underground stations and tunnels, 30 m for surface "
          "and elevated structures, 10 m for entrances, vent shafts and substations, 100 m for under-river "
          "tunnels; special zone 5 m (a common template of city regulations, to be checked per city). Gas: "
          "0.7 m each side for low to sub-high pressure, 6 m for high pressure. The civil-defense safety range "
          "is a per-project setting."),
    ],
}


def notes_for(check: str) -> list[T]:
    """The notes paragraphs for a check: what it computes, then how severity is graded."""
    return CHECK_NOTES.get(check, []) + [SEVERITY_NOTE]


def bands_for(check: str, project) -> dict[str, float] | None:
    """Position bands (m) per quality level the check used, or None when it uses none.

    The defaults of RULES.md, overridden by the project's ``ql_bands`` setting,
    as the clearance audit reads them.
    """
    import json

    from gis.analysis.features import QL_BANDS

    if check != "clearance":
        return None
    return {**QL_BANDS, **json.loads(project.meta.get("ql_bands", "{}") or "{}")}

"""Write the survey-table fixtures of tests/test_import_survey.py (run from the repo root).

Small hand-made deliveries in the shapes survey institutes send them: a water
supply table pair in UTF-8, a mixed-utility pair in GBK with full-width
characters and ids that repeat across utilities, an English pair with X as
easting and depths in centimetres, and one .xlsx workbook with a title row
above each header and blank trailing rows.  Coordinates lie near 120.6 E,
31.3 N in EPSG:4549 (X = northing, Y = easting as Chinese surveys write them).
Provenance: written for Subterra's tests; licence: same as the project.
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent / "survey"
N0, E0 = 3464000.0, 557000.0

# Water supply (JS): a main along a road with a tee to a hydrant.
JS_POINTS = [
    # 图上点号, 物探点号, 特征, 附属物, X, Y, 地面高程, 埋深, 井深, 备注
    ("1", "JS1", "直线点", "", N0 + 0.000, E0 + 0.000, 4.215, 1.10, "", "起点"),
    ("2", "JS2", "", "阀门井", N0 + 0.000, E0 + 38.520, 4.180, 1.15, 1.60, ""),
    ("3", "JS3", "三通", "", N0 + 0.000, E0 + 76.940, 4.120, 1.20, "", ""),
    ("4", "JS4", "", "消防栓", N0 + 6.300, E0 + 76.940, 4.150, 1.00, "", "路东侧"),
    ("5", "JS5", "弯头", "", N0 + 0.000, E0 + 118.300, 4.060, 1.25, "", ""),
    ("6", "JS6", "直线点", "", N0 - 35.800, E0 + 118.300, 4.010, 1.20, "", ""),
]
JS_LINES = [
    # 起点点号, 终点点号, 起点埋深, 终点埋深, 材质, 管径, 压力, 埋设方式, 权属单位, 建设年代, 道路名称
    ("JS1", "JS2", 1.10, 1.15, "球墨铸铁", "DN300", "0.4", "直埋", "市自来水公司", "2008", "人民路"),
    ("JS2", "JS3", 1.15, 1.20, "球墨铸铁", "DN300", "0.4", "直埋", "市自来水公司", "2008", "人民路"),
    ("JS3", "JS4", 1.20, 1.00, "球墨铸铁", "Φ100", "0.4", "直埋", "市自来水公司", "2008", "人民路"),
    ("JS3", "JS5", 1.20, 1.25, "PE", "300", "0.4", "直埋", "市自来水公司", "2015", "人民路"),
    ("JS5", "JS6", 1.25, 1.20, "PE", "DN200", "0.4", "直埋", "市自来水公司", "2015", "建设路"),
]


def write_csv(path: Path, header: list[str], rows: list[tuple], encoding: str = "utf-8",
              trailer: str = "") -> None:
    text = ",".join(header) + "\n"
    for r in rows:
        text += ",".join("" if v == "" else (f"{v:.3f}" if isinstance(v, float) else str(v)) for v in r) + "\n"
    path.write_bytes((text + trailer).encode(encoding))


def js_pair() -> None:
    write_csv(HERE / "js_points.csv",
              ["图上点号", "物探点号", "特征", "附属物", "X", "Y", "地面高程", "埋深", "井深", "备注"], JS_POINTS,
              trailer=",,,,,,,,,\n,,,,,,,,,\n")
    write_csv(HERE / "js_lines.csv",
              ["起点点号", "终点点号", "起点埋深", "终点埋深", "材质", "管径", "压力", "埋设方式", "权属单位",
               "建设年代", "道路名称"], JS_LINES)


def mixed_gbk() -> None:
    """Water, sewage (invert elevations) and a power duct bank in one GBK table pair.

    Point ids restart at 1 in every utility (unique only within its sheet), some
    cells use full-width digits and letters, sizes are written every usual way.
    """
    pts = [
        # 管线类型, 物探点号, 特征, 附属物, X, Y, 地面高程
        ("JS", "1", "直线点", "", N0 + 20.0, E0 + 0.0, 4.20),
        ("JS", "2", "直线点", "", N0 + 20.0, E0 + 40.0, 4.16),
        ("WS", "1", "", "检修井", N0 + 26.0, E0 + 0.0, 4.25),
        ("WS", "2", "", "检修井", N0 + 26.0, E0 + 45.0, 4.18),
        ("WS", "3", "", "检修井", N0 + 26.0, E0 + 90.0, 4.10),
        ("DL", "1", "", "人孔", N0 + 32.0, E0 + 0.0, 4.22),
        ("DL", "2", "", "人孔", N0 + 32.0, E0 + 60.0, 4.14),
    ]
    rows = []
    for util, pid, feat, app, x, y, g in pts:
        rows.append((util, pid, feat, app, f"{x:.3f}", f"{y:.3f}", f"{g:.3f}"))
    # full-width characters as some survey software writes them
    rows[1] = ("ＪＳ", "２", "直线点", "", "３４６４０２０．０００", "５５７０４０．０００", "４．１６０")
    write_csv(HERE / "mixed_points_gbk.csv", ["管线类型", "物探点号", "特征", "附属物", "X", "Y", "地面高程"],
              rows, encoding="gbk")
    lines = [
        # 管线类型, 起点点号, 终点点号, 起点埋深, 终点埋深, 起点管底高程, 终点管底高程, 材质, 管径, 总孔数, 已用孔数, 电压
        ("JS", "1", "2", "1.10", "1.12", "", "", "球墨铸铁", "DN200", "", "", ""),
        ("WS", "1", "2", "", "", "1.850", "1.760", "钢筋混凝土", "DN500", "", "", ""),
        ("WS", "2", "3", "", "", "1.760", "1.670", "钢筋混凝土", "Φ600", "", "", ""),
        ("DL", "1", "2", "0.80", "0.85", "", "", "", "800×600", "12", "6", "10kV"),
    ]
    lines[3] = ("ＤＬ", "1", "2", "0.80", "0.85", "", "", "", "８００×６００", "12", "6", "10kV")
    write_csv(HERE / "mixed_lines_gbk.csv",
              ["管线类型", "起点点号", "终点点号", "起点埋深", "终点埋深", "起点管底高程", "终点管底高程", "材质",
               "管径", "总孔数", "已用孔数", "电压"], lines, encoding="gbk")


def english_pair() -> None:
    """English headers, X as easting, depths in centimetres, gas (RQ) with a pressure class."""
    pts = [("RQ1", E0 + 0.0, N0 + 50.0, 4.20, "tee"), ("RQ2", E0 + 30.0, N0 + 50.0, 4.18, ""),
           ("RQ3", E0 + 60.0, N0 + 50.0, 4.15, "")]
    write_csv(HERE / "gas_points_en.csv", ["point_id", "x", "y", "ground_elev", "note"], pts)
    lines = [("G1", "RQ1", "RQ2", "100", "105", "DN160", "PE", "中压A"),
             ("G2", "RQ2", "RQ3", "105", "110", "DN160", "PE", "中压A")]
    write_csv(HERE / "gas_lines_en.csv",
              ["line_id", "start_point", "end_point", "start_depth", "end_depth", "size", "material", "pressure"],
              lines)


def workbook() -> None:
    """One .xlsx: sheet 管线点 and sheet 管线段, each with a title row and blank trailing rows."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "管线点"
    ws.append(["人民路给水管线点成果表"])
    ws.append(["图上点号", "物探点号", "特征", "附属物", "X", "Y", "地面高程", "埋深", "井深", "备注"])
    for r in JS_POINTS:
        ws.append(list(r))
    ws.append([None] * 10)
    ws.append([""] * 10)
    ws2 = book.create_sheet("管线段")
    ws2.append(["人民路给水管线段成果表"])
    ws2.append(["起点点号", "终点点号", "起点埋深", "终点埋深", "材质", "管径", "压力", "埋设方式", "权属单位",
                "建设年代", "道路名称"])
    for r in JS_LINES:
        ws2.append([float(v) if k == 6 else v for k, v in enumerate(r)])
    book.save(HERE / "js_survey.xlsx")


if __name__ == "__main__":
    HERE.mkdir(parents=True, exist_ok=True)
    js_pair()
    mixed_gbk()
    english_pair()
    workbook()

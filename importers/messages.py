"""Every user-facing message of the importers, in English and Chinese (one catalogue).

The language follows ``SUBTERRA_LANG`` (``zh`` or ``en``), else the locale
variables ``LC_ALL`` / ``LC_MESSAGES`` / ``LANG`` (``zh_CN.UTF-8`` -> zh);
the default is English.
"""
from __future__ import annotations

import os

# key -> (English, Chinese).  Placeholders use str.format names.
CATALOGUE: dict[str, tuple[str, str]] = {
    # files
    "file_missing": ("no such file", "文件不存在"),
    "file_unreadable": ("cannot read the file: {error}", "无法读取文件：{error}"),
    "file_empty": ("the file holds no data rows", "文件中没有数据行"),
    "file_corrupt": ("not a valid {format} file: {error}", "不是有效的 {format} 文件：{error}"),
    "encoding_wrong": ("not UTF-8 or GBK/GB18030 text (it looks like {guess}); save it as UTF-8 or GBK",
                       "不是 UTF-8 或 GBK/GB18030 编码的文本（疑似 {guess}）；请另存为 UTF-8 或 GBK"),
    "encoding_mixed": ("mixed encodings: earlier rows are UTF-8 but this row is not; save the whole "
                       "file in one encoding",
                       "编码混用：前面的行是 UTF-8，此行不是；请将整个文件保存为同一种编码"),
    "table_unknown": ("cannot tell a point table (物探点号, X, Y) from a line table (起点点号, 终点点号) "
                      "by its headers",
                      "无法根据表头判断是管线点表（物探点号、X、Y）还是管线段表（起点点号、终点点号）"),
    "row_fields": ("the row has {actual} fields, the header has {expected}",
                   "该行有 {actual} 个字段，表头有 {expected} 个"),
    "unsupported_format": ("no importer reads this file (known: {known})",
                           "没有可读取此文件的导入器（已知：{known}）"),
    # columns and values
    "column_missing": ("required column missing (any of: {aliases})", "缺少必需的列（可用列名：{aliases}）"),
    "map_column_missing": ("--map names column {column!r}, which the file does not have",
                           "--map 指定的列 {column!r} 在文件中不存在"),
    "required_blank": ("required value is empty", "必填值为空"),
    "number_bad": ("not a number", "不是数字"),
    "integer_bad": ("not a whole number", "不是整数"),
    "out_of_range": ("outside the sane range {lo} to {hi} {unit}", "超出合理范围 {lo} 至 {hi} {unit}"),
    "depth_cm_hint": ("outside the sane range 0 to {hi} m (centimetres? use --depth-unit cm)",
                      "超出合理范围 0 至 {hi} 米（是否为厘米？请使用 --depth-unit cm）"),
    "value_not_allowed": ("not one of: {allowed}", "不是以下值之一：{allowed}"),
    "utility_unknown": ("unknown utility code (known: {codes})", "未知的管线类型代码（可用：{codes}）"),
    "utility_missing": ("no utility: the table has no 管线类型 column and no --utility was given",
                        "缺少管线类型：表中没有“管线类型”列，也未给出 --utility"),
    "duplicate_id": ("duplicate {field} (also in row {rows})", "{field}重复（另见第 {rows} 行）"),
    "id_in_project": ("{field} already exists in the project", "{field}在工程中已存在"),
    "end_missing": ("{end} point is not in the point table", "{end}点不在管线点表中"),
    "end_rejected": ("{end} point {point} was rejected", "{end}点 {point} 已被拒绝"),
    "start": ("start", "起"),
    "end": ("end", "终"),
    "same_ends": ("the line starts and ends at the same point", "管线起点与终点为同一点"),
    "zero_length": ("zero-length line (both ends at the same position)", "零长度管线（两端位置相同）"),
    "size_bad": ("cannot read the size (expected DN300, 300, Φ300 or 800x600)",
                 "无法识别管径（应为 DN300、300、Φ300 或 800x600）"),
    "size_nonpositive": ("size must be greater than zero", "管径必须大于零"),
    "size_missing": ("no size (管径)", "缺少管径"),
    "no_ground": ("no ground elevation (地面高程) and no DEM in the project to take it from",
                  "缺少地面高程，且工程中没有可取值的 DEM"),
    "no_depth": ("no depth or elevation for the {end} end", "{end}点缺少埋深或高程"),
    "outside_crs": ("the point lies outside the area of use of the project CRS ({crs})",
                    "该点位于工程坐标系（{crs}）的适用范围之外"),
    "outside_crs_zone": ("the point lies outside the area of use of the project CRS ({crs}); the "
                         "easting carries zone prefix {zone}",
                         "该点位于工程坐标系（{crs}）的适用范围之外；东坐标带有带号 {zone}"),
    "outside_crs_swap": ("the point lies outside the area of use of the project CRS ({crs}); with X as "
                         "easting it would fit: use --xy-order en",
                         "该点位于工程坐标系（{crs}）的适用范围之外；若 X 为东坐标则在范围内：请使用 --xy-order en"),
    "elev_depth_range": ("gives a depth of {depth:.2f} m below ground, outside 0 to {hi} m",
                         "推算埋深为 {depth:.2f} 米，超出 0 至 {hi} 米"),
    "date_bad": ("not a date (expected e.g. 2024-05-01)", "不是日期（应如 2024-05-01）"),
    "geometry_type": ("geometry type {actual} does not fit layer {layer} ({expected})",
                      "几何类型 {actual} 不适合图层 {layer}（应为 {expected}）"),
    "geometry_empty": ("the feature has no geometry", "要素没有几何图形"),
    "no_z": ("no elevation: the geometry is 2D, the layer needs Z and neither {attrs}, a DEM nor "
             "--default-cover gives one",
             "缺少高程：几何为二维，图层需要 Z，且 {attrs}、DEM 或 --default-cover 都无法提供"),
    "src_crs_missing": ("the file has no CRS; give --src-crs (Subterra does not guess)",
                        "文件没有坐标系；请用 --src-crs 指定（Subterra 不会猜测）"),
    "src_crs_model": ("a hydraulic model has no CRS; give --src-crs", "水力模型没有坐标系；请用 --src-crs 指定"),
    "layer_missing": ("no --layer given and the file's layer name does not say which Subterra layer "
                      "it is (layers: {layers})",
                      "未给出 --layer，且无法根据文件图层名判断目标图层（图层：{layers}）"),
    "src_layer_missing": ("the file has no layer {name!r} (it has: {layers})",
                          "文件中没有图层 {name!r}（现有：{layers}）"),
    "src_layer_choose": ("the file has several layers ({layers}); choose one with --src-layer",
                         "文件中有多个图层（{layers}）；请用 --src-layer 选择"),
    "inp_node_missing": ("node {node} of link {link} is not defined", "管段 {link} 的节点 {node} 未定义"),
    "inp_coords_missing": ("node has no [COORDINATES] entry", "节点没有 [COORDINATES] 坐标"),
    # warnings
    "w_ids_prefixed": ("point ids repeat across utilities: prefixed them with the utility code "
                       "(e.g. {old} -> {new})",
                       "物探点号在不同管线类型间重复：已加上管线类型代码前缀（如 {old} -> {new}）"),
    "w_zone_prefix": ("{file}: eastings carry the 3-degree zone prefix {zone} (zone-numbered CRS "
                      "{zone_crs}); removed it to match the project CRS",
                      "{file}：东坐标带有 3 度带带号 {zone}（带号坐标系 {zone_crs}）；已去掉带号以匹配工程坐标系"),
    "w_line_ids": ("{file}: {n} lines had no line id; generated START-END ids",
                   "{file}：{n} 条管线没有管线编号；已按“起点-终点”生成"),
    "w_line_ids_dup": ("{file}: {n} generated line ids repeat (parallel lines); numbered them -2, -3 ...",
                       "{file}：{n} 个生成的管线编号重复（平行管线）；已编号为 -2、-3 ……"),
    "w_ground_dem": ("{file}: {n} points had no ground elevation; took it from the project DEM",
                     "{file}：{n} 个点没有地面高程；已从工程 DEM 取值"),
    "w_reimport": ("{file} was already imported (import {ids}); nothing written (use --force to "
                   "import it again)",
                   "{file} 已导入过（导入编号 {ids}）；未写入任何数据（如需再次导入请用 --force）"),
    "w_reimport_forced": ("{file} was already imported (import {ids}); importing it again (--force)",
                          "{file} 已导入过（导入编号 {ids}）；按 --force 再次导入"),
    "w_unused_columns": ("{file}: columns not used: {columns}", "{file}：未使用的列：{columns}"),
    "w_encoding": ("{file}: read as {encoding}", "{file}：按 {encoding} 编码读取"),
    "w_depth_from_points": ("{file}: {n} line ends took their depth from the point table's 埋深",
                            "{file}：{n} 个管线端点的埋深取自管线点表的埋深"),
    "w_z_dem_cover": ("{file}: {n} features are 2D: Z = DEM ground minus {cover} m default cover",
                      "{file}：{n} 个要素为二维：Z = DEM 地面高程减去默认覆土 {cover} 米"),
    "w_z_from_attrs": ("{file}: {n} features are 2D: Z derived from {attrs}",
                       "{file}：{n} 个要素为二维：Z 由 {attrs} 推算"),
    "w_snapped": ("{file}: {matched} line ends snapped to pipe points within 1 cm, {unmatched} "
                  "without a point",
                  "{file}：{matched} 个管线端点在 1 厘米内吸附到管线点，{unmatched} 个无对应点"),
    "w_reprojected": ("{file}: reprojected from {src} to the project CRS", "{file}：已从 {src} 转换到工程坐标系"),
    "w_ids_generated": ("{file}: {n} features had no {field}; generated ids like {example}",
                        "{file}：{n} 个要素没有 {field}；已生成编号，如 {example}"),
    "w_multipart": ("{file}: {n} single-part multi-geometries stored as simple geometries",
                    "{file}：{n} 个单部件多重几何已按简单几何保存"),
    "w_model_ground": ("{file}: {n} nodes have no ground level; ground taken as the node elevation "
                       "(no DEM)",
                       "{file}：{n} 个节点没有地面高程；地面高程取节点高程（无 DEM）"),
    "w_model_units": ("{file}: model units {units}: lengths in {length}, sizes in {size}",
                      "{file}：模型单位 {units}：长度单位 {length}，管径单位 {size}"),
    "w_pump_size": ("{file}: {n} pumps have no diameter; drawn as DN{dn}",
                    "{file}：{n} 个水泵没有管径；按 DN{dn} 绘制"),
    # summaries
    "s_written": ("import {import_id}: wrote {counts}", "导入 {import_id}：已写入 {counts}"),
    "s_dry_run": ("dry run: would write {counts}; nothing written", "试运行：将写入 {counts}；未写入任何数据"),
    "s_rejected_all": ("input rejected: {n} problems; nothing written", "输入被拒绝：{n} 个问题；未写入任何数据"),
    "s_rejects_file": ("rejected rows written to {path}", "被拒绝的行已写入 {path}"),
    "s_reverted": ("reverted import {import_id}: deleted {counts}", "已撤销导入 {import_id}：删除 {counts}"),
    "revert_unknown": ("no import {import_id} in this project", "工程中没有导入编号 {import_id}"),
    "revert_done": ("import {import_id} was already reverted on {time}", "导入 {import_id} 已于 {time} 撤销"),
    "rejects_needed": ("--skip-invalid needs --rejects FILE.csv so that no rejected row is lost",
                       "--skip-invalid 需要同时给出 --rejects FILE.csv，以免丢失被拒绝的行"),
}


def lang() -> str:
    """The user's language: "zh" or "en" (SUBTERRA_LANG, then the locale, default en)."""
    for var in ("SUBTERRA_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def tr(key: str, **values) -> str:
    """The message ``key`` in the user's language, with ``values`` filled in."""
    en, zh = CATALOGUE[key]
    return (zh if lang() == "zh" else en).format(**values)

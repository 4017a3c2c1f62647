"""Chinese names for the demo district: roads, owners (权属单位), surveyors, streets, people.

All names are fictional; the city is called 申城 (a literary name of Shanghai).
"""
from __future__ import annotations

import numpy as np

# Two pools whose product gives 400 distinct two-character road names.
_FIRST = tuple("锦芳花张金高龙杨源浦东梅白碧明紫丁海银春")
_SECOND = tuple("绣华木江桥科阳安深建林云月薇香桐杏晓辉川")

ROAD_SUFFIX = {0: "大道", 1: "路", 2: "路"}     # by road class: arterial, secondary, branch

OWNERS = {
    "JS": "申城自来水有限公司",
    "ZS": "申城再生水有限公司",
    "PS": "申城排水管理有限公司",
    "RQ": "申城燃气有限公司",
    "RL": "申城热力有限公司",
    "DL": "国网申城市电力公司",
    "ZH": "申城综合管廊投资有限公司",
}
TELECOM_OWNERS = ("中国电信申城分公司", "中国移动申城分公司", "中国联通申城分公司", "申城有线网络有限公司")

SURVEYORS = ("申城市测绘院", "申城地下管线探测有限公司", "华东勘测设计研究院")
STREETS = ("花木街道", "金杨街道", "洋泾街道", "塘桥街道", "潍坊街道", "陆行街道", "梅园街道", "东明街道",
           "上钢街道", "周家渡街道", "南码头街道", "沪东街道", "浦兴街道", "高行街道", "三林街道", "北蔡街道")
DISTRICT = "申城新区"
DISTRICT_CODE = "310199"
PEOPLE = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷", "徐斌", "孙丽")
TREE_SPECIES = ("悬铃木", "香樟", "银杏", "广玉兰", "无患子", "榉树")
METRO_OWNER = "申城地铁运营有限公司"
CIVIL_DEFENSE_OWNER = "申城民防办公室"


def road_names(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct two-character road stems (without suffix), in random order."""
    pool = np.array([a + b for a in _FIRST for b in _SECOND], dtype=object)
    if n > len(pool):
        raise ValueError(f"only {len(pool)} distinct road names available, {n} asked")
    return pool[rng.permutation(len(pool))[:n]]

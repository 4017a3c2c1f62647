"""What runs under a demo road: utility run types, their sizes, depths and attributes.

Road classes: 0 arterial (主干路), 1 secondary (次干路), 2 branch (支路).  Sizes
and depths are the typical figures of DATA_MODEL.md ("A believable demo
district"); ``cover`` is the depth to the top of the pipe or duct bank.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ARTERIAL, SECONDARY, BRANCH = 0, 1, 2
CLASS_NAMES = ("arterial", "secondary", "branch")


@dataclass(frozen=True)
class RunSpec:
    """One kind of run laid along a road (a cross-section slot)."""

    key: str
    utility: str
    subtype: str | None
    prefix: str                                   # point-id prefix (物探点号 style)
    shape: str = "circle"
    dn: tuple[tuple[float, ...], ...] = ()        # DN choices by road class (circle)
    wh: tuple[tuple[tuple[float, float], ...], ...] = ()   # (width, height) mm choices by class (rect)
    cover: tuple[float, float] = (1.0, 1.2)       # top depth range, m (not for gravity runs)
    material: str = "球墨铸铁"
    burial: str = "直埋"
    wall_mm: float | None = None                  # explicit wall (0 for duct banks given by outside size)
    gravity: bool = False
    lateral: str | None = None                    # key of the lateral spec, or None
    pressure: tuple[tuple[str, float] | None, ...] = (None, None, None)
    voltage: tuple[float | None, ...] = (None, None, None)
    holes: tuple[tuple[int, ...], ...] = ()       # duct-bank hole counts by class
    notes: dict = field(default_factory=dict, compare=False, hash=False)


# DN sizes of gravity trunks by class, head -> outfall (three reaches).
TRUNK_DN = {"WS": ((800, 1000, 1200), (500, 600, 800), (400, 500, 600)),
            "YS": ((1000, 1200, 1500), (800, 1000, 1200), (600, 800, 1000))}
# Box culverts (宽x高, mm) used for storm trunks under arterial roads, head -> outfall.
CULVERT_WH = ((1500.0, 1000.0), (2000.0, 1200.0), (2500.0, 1500.0))
# DN of gravity branches along the crossing (E-W) roads, by class.
BRANCH_DN = {"WS": ((600, 800), (400, 500), (300, 400)), "YS": ((800, 1000), (500, 600), (400, 500))}

SPECS: dict[str, RunSpec] = {s.key: s for s in (
    RunSpec("DL", "DL", "GD", "DL", shape="rect",
            wh=(((1200, 800), (1000, 700)), ((1000, 600), (800, 600)), ((800, 500), (600, 400))),
            cover=(0.7, 1.0), material="PVC", burial="排管", wall_mm=0.0, lateral="DL_LAT",
            voltage=(110.0, 35.0, 10.0), holes=((24, 20), (16, 12), (9, 6))),
    RunSpec("TX", "TX", "XX", "TX", shape="rect",
            wh=(((800, 500), (700, 450)), ((600, 400), (500, 350)), ((400, 300), (300, 250))),
            cover=(0.6, 0.8), material="PVC", burial="管块", wall_mm=0.0, lateral="TX_LAT",
            holes=((24, 18), (12, 9), (6, 4))),
    RunSpec("JS", "JS", None, "JS", dn=((400, 500, 600), (300, 400), (150, 200)), cover=(1.0, 1.2),
            material="球墨铸铁", lateral="JS_LAT"),
    RunSpec("RQ", "RQ", "TR", "RQ", dn=((250, 300), (200, 300), (100, 150, 200)), cover=(0.95, 1.15),
            material="PE", lateral="RQ_LAT",
            pressure=(("mediumA", 0.35), ("mediumB", 0.15), ("low", 0.0035))),
    RunSpec("RL_S", "RL", "RS", "RL", dn=((300, 400, 500, 600), (), ()), cover=(1.0, 1.3), material="钢",
            notes={"zh": "供水管"}),
    RunSpec("RL_R", "RL", "RS", "RL", dn=((300, 400, 500, 600), (), ()), cover=(1.0, 1.3), material="钢",
            notes={"zh": "回水管"}),
    RunSpec("RQ_T", "RQ", "TR", "RQ", dn=((400, 500), (), ()), cover=(1.2, 1.4), material="钢",
            pressure=(("subhighB", 0.6), None, None)),
    RunSpec("JS_T", "JS", None, "JS", dn=((800, 1000, 1200), (), ()), cover=(1.2, 1.5), material="钢",
            notes={"zh": "输水干管"}),
    RunSpec("ZS", "JS", "ZS", "ZS", dn=((200, 300, 400), (), ()), cover=(1.0, 1.2), material="球墨铸铁"),
    RunSpec("WS", "PS", "WS", "WS", material="钢筋混凝土", gravity=True, lateral="WS_LAT"),
    RunSpec("YS", "PS", "YS", "YS", material="钢筋混凝土", gravity=True, lateral="YS_LAT"),
    RunSpec("ZH", "QT", "ZH", "ZH", shape="rect", wh=(((4000, 3800), (3500, 3500)), (), ()),
            cover=(2.5, 3.0), material="钢筋混凝土", burial="综合管廊", wall_mm=0.0),
    # Laterals (branch connections to the buildings); sizes do not depend on the road class.
    RunSpec("DL_LAT", "DL", "GD", "DL", shape="rect", wh=(((300, 200),),) * 3, material="PVC",
            burial="保护管", wall_mm=0.0, voltage=(0.4, 0.4, 0.4), holes=((2,),) * 3),
    RunSpec("TX_LAT", "TX", "XX", "TX", shape="rect", wh=(((200, 150),),) * 3, material="PVC",
            burial="管道", wall_mm=0.0, holes=((2,),) * 3),
    RunSpec("JS_LAT", "JS", None, "JS", dn=((100, 150),) * 3, material="球墨铸铁"),
    RunSpec("RQ_LAT", "RQ", "TR", "RQ", dn=((100,),) * 3, material="PE", pressure=(("low", 0.0035),) * 3),
    RunSpec("WS_LAT", "PS", "WS", "WS", dn=((300,),) * 3, material="HDPE", gravity=True),
    RunSpec("YS_LAT", "PS", "YS", "YS", dn=((300,),) * 3, material="HDPE", gravity=True),
)}

# Order of the cross-section from one red line towards the road centre (GB 50289
# order: power, telecom, water distribution, gas distribution, heat, gas and water
# transmission, reclaimed water, sewage / storm).  TREE is the street-tree row.
SIDE_ORDINARY = (("DL", "TX", "TREE", "JS", "RQ", "WS"), ("DL", "TX", "TREE", "JS", "RQ", "YS"))
SIDE_ARTERIAL_NS = (("DL", "TX", "TREE", "JS", "RQ", "RL_S", "RL_R", "RQ_T", "JS_T", "ZS", "WS"),
                    ("DL", "TX", "TREE", "JS", "RQ", "YS"))
PIPE_KEYS = ("DL", "TX", "JS", "RQ", "RL_S", "RL_R", "RQ_T", "JS_T", "ZS", "WS", "YS", "ZH")

EDGE_MARGIN = 1.0        # red line to the outer wall of the first run, m
TREE_CLEAR = 1.6         # street tree centre to a pipe's outer wall (CJJ 75 asks 1.0-1.5), m
TWIN_CLEAR = 0.8         # between the two pipes of a heat twin, m
GAP = (2.0, 2.0, 1.5)    # clear distance between neighbouring runs, by road class, m
CURB_BEYOND_TREE = 1.2   # footway edge (curb) beyond the tree row, m

NOMINAL_WIDTH = ((56.0, 60.0), (36.0, 40.0), (20.0, 24.0, 26.0))
PIER_SIZE = 4.0          # square pile cap of an elevated-road pier, m
STATION_WIDTH = 20.0
STATION_LENGTH = 190.0
STATION_CLEAR = 5.2      # plan clearance kept between a station and the runs beside it, m


def max_outside_mm(spec: RunSpec, cls: int, trunk: bool) -> tuple[float, float]:
    """Largest outside (width, height) in mm a run of ``spec`` may have on a road of class ``cls``.

    ``trunk``: gravity runs along N-S roads are trunks, along E-W roads branches.
    Used to space the cross-section so no size choice can break the spacing.
    """
    import numpy as np

    from gis.sections import outside_size

    if spec.gravity:
        if spec.key == "YS" and cls == ARTERIAL:
            w, h = max(CULVERT_WH, key=lambda p: p[0])
            ow, oh, _, _ = outside_size("rect", np.nan, w, h, np.nan, spec.material)
        else:
            dn = max((TRUNK_DN if trunk else BRANCH_DN)[spec.key][cls])
            ow, oh, _, _ = outside_size("circle", dn, np.nan, np.nan, np.nan, spec.material)
        return float(ow[0]) * 1000, float(oh[0]) * 1000
    if spec.shape == "rect":
        w, h = max(spec.wh[cls], key=lambda p: p[0])
        return w + 2 * (spec.wall_mm or 0.0), h + 2 * (spec.wall_mm or 0.0)
    dn = max(spec.dn[cls])
    ow, oh, _, _ = outside_size("circle", dn, np.nan, np.nan,
                                np.nan if spec.wall_mm is None else spec.wall_mm, spec.material)
    return float(ow[0]) * 1000, float(oh[0]) * 1000

"""Metro lines of the demo: twin shield tunnels under E-W metro roads, stations, entrances, vent shafts.

Tunnels (outer diameter 6.2 m, bores 13 m apart) leave each station with
their crowns 12.5 m below ground and sag up to 4.5 m between stations (a
gentle vertical curve); stations are 20 m x 190 m boxes, top 3 m and bottom
18 m below ground, in the road's median.  ``crown_elev`` / ``invert_elev`` of
a tunnel section are its highest crown and lowest invert.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gis.demo import names
from gis.demo.layout import Grid
from gis.demo.specs import STATION_LENGTH, STATION_WIDTH

OUTER_DIAMETER = 6.2
BORE_SPACING = 13.0
END_CROWN_DEPTH = 12.5
SAG = 4.5
STATION_TOP_DEPTH = 3.0
STATION_BOTTOM_DEPTH = 18.0
VERTEX_SPACING = 25.0
FIRST_LINE_NUMBER = 18


@dataclass
class MetroLine:
    """One line: its road, axis, station boxes and the centre-line elevation profile."""

    number: int
    road: int
    axis_y: float
    stations: list          # (x_centre, ground, name, link)
    profile_x: np.ndarray   # vertex x of the tunnel centre line
    profile_z: np.ndarray   # centre elevation at those x

    @property
    def name(self) -> str:
        """线路 name."""
        return f"申城轨道交通{self.number}号线"

    def crown_at(self, x) -> np.ndarray:
        """Crown elevation of both bores at ``x``."""
        return np.interp(x, self.profile_x, self.profile_z) + OUTER_DIAMETER / 2


def plan_lines(grid: Grid, terrain) -> list[MetroLine]:
    """Metro lines along the E-W metro roads, with their profiles."""
    ew, ns = grid.ew, grid.ns
    lines = []
    x0, x1 = grid.bounds[0], grid.bounds[2]
    for n, j in enumerate(np.flatnonzero(ew.flag["metro"])):
        axis = float(ew.red(0, j) + ew.median["STATION"][j])
        stations = []
        for (sj, i) in grid.station_links:
            if sj != j:
                continue
            xc = float((ns.red(1, i) + ns.red(0, i + 1)) / 2)
            g = float(np.round(terrain.sample(xc, axis), 3))
            stations.append((xc, g, f"{ns.name[i]}站", i))
        stations.sort()
        # Sections between stations (and from the line ends); a station end lies at the station's depth.
        ends = [(x0, None)]
        for xc, g, _, _ in stations:
            z = g - END_CROWN_DEPTH - OUTER_DIAMETER / 2
            ends += [(xc - STATION_LENGTH / 2, z), (xc + STATION_LENGTH / 2, z)]
        ends.append((x1, None))
        xs, zs = _profile(list(zip(ends[0::2], ends[1::2])), terrain, axis)
        lines.append(MetroLine(FIRST_LINE_NUMBER + n, int(j), axis, stations, xs, zs))
    return lines


def _profile(sections, terrain, axis) -> tuple[np.ndarray, np.ndarray]:
    """Centre-line (x, z) vertices, NaN between sections: sagging between stations, half a sag
    towards the line ends (``z`` None there)."""
    xs, zs = [], []
    for (xa, za), (xb, zb) in sections:
        n = max(2, int(np.ceil((xb - xa) / VERTEX_SPACING)) + 1)
        x = np.linspace(xa, xb, n)
        t = (x - xa) / (xb - xa)
        if za is None and zb is None:
            g = float(terrain.sample((xa + xb) / 2, axis))
            z = g - END_CROWN_DEPTH - OUTER_DIAMETER / 2 - SAG * np.sin(np.pi * t)
        elif za is None:
            z = zb - SAG * np.sin(np.pi / 2 * (1 - t))
        elif zb is None:
            z = za - SAG * np.sin(np.pi / 2 * t)
        else:
            z = za + (zb - za) * t - SAG * np.sin(np.pi * t)
        xs.append(x)
        zs.append(z)
        xs.append([np.nan])
        zs.append([np.nan])
    return np.concatenate(xs), np.concatenate(zs)


def tunnel_rows(lines: list[MetroLine]) -> dict:
    """metro_tunnels: one LineString Z per bore and section between stations."""
    import shapely

    geoms, cols = [], {k: [] for k in ("feature_id", "line_name", "bore", "section", "outer_diameter_m",
                                      "crown_elev", "invert_elev", "owner", "source")}
    for line in lines:
        breaks = np.flatnonzero(np.isnan(line.profile_x))
        start = 0
        for sec, stop in enumerate(breaks):
            x, z = line.profile_x[start:stop], line.profile_z[start:stop]
            start = stop + 1
            for bore, dy in (("left", BORE_SPACING / 2), ("right", -BORE_SPACING / 2)):
                geoms.append(shapely.linestrings(np.c_[x, np.full(len(x), line.axis_y + dy), np.round(z, 3)]))
                cols["feature_id"].append(f"M{line.number}-{bore[0].upper()}-{sec + 1:02d}")
                cols["line_name"].append(line.name)
                cols["bore"].append(bore)
                cols["section"].append("circle")
                cols["outer_diameter_m"].append(OUTER_DIAMETER)
                cols["crown_elev"].append(round(float(np.max(z) + OUTER_DIAMETER / 2), 3))
                cols["invert_elev"].append(round(float(np.min(z) - OUTER_DIAMETER / 2), 3))
                cols["owner"].append(names.METRO_OWNER)
                cols["source"].append("demo")
    return {"geometry": np.array(geoms, dtype=object), **{k: np.array(v, dtype=object if k in (
        "feature_id", "line_name", "bore", "section", "owner", "source") else float) for k, v in cols.items()}}


def _box(x0, y0, x1, y1, z) -> object:
    import shapely

    return shapely.polygons(np.array([[x0, y0, z], [x1, y0, z], [x1, y1, z], [x0, y1, z], [x0, y0, z]]))


def station_rows(lines: list[MetroLine], grid: Grid, terrain) -> dict:
    """metro_stations: station boxes, four entrances and two vent shafts per station (in the setbacks)."""
    ew = grid.ew
    rows = []
    for line in lines:
        red_s, red_n = float(ew.red(0, line.road)), float(ew.red(1, line.road))
        for k, (xc, g, name, _) in enumerate(line.stations):
            sid = f"M{line.number}-S{k + 1:02d}"
            top, bottom = round(g - STATION_TOP_DEPTH, 2), round(g - STATION_BOTTOM_DEPTH, 2)
            rows.append((sid, name, "station", top, bottom, 2,
                         _box(xc - STATION_LENGTH / 2, line.axis_y - STATION_WIDTH / 2, xc + STATION_LENGTH / 2,
                              line.axis_y + STATION_WIDTH / 2, top)))
            for n, (dx, north) in enumerate(((-60, False), (60, False), (-60, True), (60, True))):
                y0, y1 = (red_n + 1.5, red_n + 9.0) if north else (red_s - 9.0, red_s - 1.5)
                ge = round(float(terrain.sample(xc + dx, (y0 + y1) / 2)), 2)
                rows.append((f"{sid}-E{n + 1}", f"{name}{n + 1}号口", "entrance", ge, round(ge - 9.0, 2), 1,
                             _box(xc + dx - 4, y0, xc + dx + 4, y1, ge)))
            for n, (dx, north) in enumerate(((-88, True), (88, False))):
                y0, y1 = (red_n + 2.0, red_n + 8.0) if north else (red_s - 8.0, red_s - 2.0)
                gv = round(float(terrain.sample(xc + dx, (y0 + y1) / 2)), 2)
                rows.append((f"{sid}-V{n + 1}", f"{name}{n + 1}号风亭", "vent_shaft", gv,
                             round(g - STATION_BOTTOM_DEPTH, 2), 1, _box(xc + dx - 3, y0, xc + dx + 3, y1, gv)))
    cols = list(zip(*rows)) if rows else [[]] * 7
    lines_of = {f"M{ln.number}": ln.name for ln in lines}
    fid = np.array(cols[0], dtype=object)
    return {"feature_id": fid, "name": np.array(cols[1], dtype=object), "kind": np.array(cols[2], dtype=object),
            "lines": np.array([lines_of[f.split("-")[0]] for f in fid], dtype=object),
            "top_elev": np.array(cols[3], dtype=float), "bottom_elev": np.array(cols[4], dtype=float),
            "levels": np.array(cols[5], dtype=float), "owner": np.full(len(fid), names.METRO_OWNER, dtype=object),
            "source": np.full(len(fid), "demo", dtype=object), "geometry": np.array(cols[6], dtype=object)}

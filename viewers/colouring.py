"""Colour schemes of the views: by utility (CJJ 61, the scene's own colours) or by an attribute.

Headless and Qt-free (the 3D view and the 2D map share it):

- :data:`SCHEMES`: "utility" (default), "material", "age" (build year),
  "quality" (quality level), "findings" (worst finding severity).
- :func:`scheme_colours` -> :class:`Colouring`: per-feature colours (by
  feature id) of each layer a scheme applies to, and the legend entries.
  Data come as frames read by the caller (:func:`scheme_columns` says what
  to read), so a worker can read them.
- :func:`row_colours` aligns a Colouring with a scene layer's feature rows
  (``LayerMesh.ids`` / ``TiledLayer.ids``) for ``Stage.set_colours``;
  :func:`recoloured` gives a mesh's polydata those colours (VTK, lazily).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gis import layers as registry
from viewers.styles import RGB

NO_DATA_RGB: RGB = (190, 190, 190)       # features the scheme knows nothing about
OTHER_RGB: RGB = (130, 130, 130)         # categories beyond the palette
#: categorical palette (distinct on a light background, none of them grey)
PALETTE: tuple[RGB, ...] = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
                            (140, 86, 75), (227, 119, 194), (188, 189, 34), (23, 190, 207), (57, 59, 121))
AGE_BINS = ((None, 1980, (165, 0, 38)), (1980, 1990, (244, 109, 67)), (1990, 2000, (254, 224, 139)),
            (2000, 2010, (166, 217, 106)), (2010, None, (26, 152, 80)))   # [from, to) build year
QUALITY_RGB: dict[str, RGB] = {"QL-A": (26, 152, 80), "QL-B": (145, 207, 96), "QL-C": (253, 174, 97),
                               "QL-D": (215, 48, 39)}
SEVERITY_RGB: dict[str, RGB] = {"critical": (200, 0, 0), "major": (255, 140, 0), "minor": (240, 210, 0),
                                "info": (60, 120, 220)}


@dataclass(frozen=True)
class Scheme:
    """A colour scheme: its field, the layers it colours, and its zh/en name."""

    name: str
    zh: str
    en: str
    field: str | None = None
    layers: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        """The scheme's name in ``lang`` ("zh" or "en")."""
        return self.zh if lang.startswith("zh") else self.en


SCHEMES: dict[str, Scheme] = {s.name: s for s in (
    Scheme("utility", "按管线类型(CJJ 61)", "by utility (CJJ 61)"),
    Scheme("material", "按材质", "by material", "material", ("pipe_segments",)),
    Scheme("age", "按建设年代", "by build year", "build_year", ("pipe_segments",)),
    Scheme("quality", "按质量等级", "by quality level", "quality_level", ("pipe_segments", "pipe_points")),
    Scheme("findings", "按问题严重程度", "by findings severity", "severity",
           ("pipe_segments", "pipe_points", "metro_tunnels", "metro_stations", "civil_defense_works", "structures")),
)}
FINDING_COLUMNS = ["a_layer", "a_id", "b_layer", "b_id", "severity"]


@dataclass
class Colouring:
    """Colours by feature id per layer (``ids``, ``rgb`` (n, 3) uint8) and the legend (label, rgb)."""

    scheme: str
    layers: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    legend: list[tuple[str, RGB]] = field(default_factory=list)
    title: str = ""


def scheme_columns(scheme: str) -> dict[str, list[str]]:
    """What to read for ``scheme``: layer -> columns (the id field first); "findings" reads findings."""
    s = SCHEMES[scheme]
    if s.field is None:
        return {}
    if scheme == "findings":
        return {layer: [registry.get(layer).id_field] for layer in s.layers} | {"findings": FINDING_COLUMNS}
    return {layer: [registry.get(layer).id_field, s.field] for layer in s.layers}


def _texts(values) -> np.ndarray:
    """Object array of stripped strings, None for missing or blank values."""
    import pandas as pd

    ser = pd.Series(values, dtype=object)
    text = ser.where(ser.isna(), ser.astype(str).str.strip())
    return text.where(text.notna() & (text != ""), None).to_numpy(dtype=object)


def _lookup(values: np.ndarray, table: dict[str, RGB], default: RGB) -> np.ndarray:
    """(n, 3) uint8: ``table[value]``, ``default`` for other values, NO_DATA_RGB for missing ones."""
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    colours = np.array([table.get(u, default) for u in uniques] + [NO_DATA_RGB], dtype=np.uint8).reshape(-1, 3)
    return colours[codes]          # code -1 (missing) is the last row


def _categorical(values: np.ndarray, lang: str) -> tuple[np.ndarray, list[tuple[str, RGB]]]:
    """Palette colours for the most frequent categories, OTHER_RGB beyond, NO_DATA_RGB for missing."""
    import pandas as pd

    counts = pd.Series(values, dtype=object).value_counts()
    shown = sorted(counts.index[:len(PALETTE)])
    lookup = {cat: PALETTE[k] for k, cat in enumerate(shown)}
    legend = [(cat, lookup[cat]) for cat in shown]
    if len(counts) > len(shown):
        legend.append(("其他" if lang.startswith("zh") else "other", OTHER_RGB))
    return _lookup(values, lookup, OTHER_RGB), legend


def _age(values, lang: str) -> tuple[np.ndarray, list[tuple[str, RGB]]]:
    import pandas as pd

    years = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    rgb = np.tile(np.array(NO_DATA_RGB, dtype=np.uint8), (len(years), 1))
    legend = []
    for lo, hi, colour in AGE_BINS:
        sel = np.isfinite(years) & (years >= (lo if lo is not None else -np.inf)) & \
            (years < (hi if hi is not None else np.inf))
        rgb[sel] = colour
        legend.append((_year_range(lo, hi, lang), colour))
    return rgb, legend


def _year_range(lo: int | None, hi: int | None, lang: str) -> str:
    """A build-year bin [lo, hi) as a legend label."""
    zh = lang.startswith("zh")
    if lo is None:
        return f"{hi}年前" if zh else f"before {hi}"
    if hi is None:
        return f"{lo}年起" if zh else f"{lo} and later"
    return f"{lo}–{hi - 1}"


def _fixed(values: np.ndarray, table: dict[str, RGB]) -> tuple[np.ndarray, list[tuple[str, RGB]]]:
    return _lookup(values, table, NO_DATA_RGB), list(table.items())


def _worst_severity(findings, layer: str, ids: np.ndarray) -> np.ndarray:
    """The most severe finding naming each feature (as feature A or B), None where none does."""
    worst: dict[str, int] = {}
    if findings is not None and len(findings):
        rank = {name: k for k, name in enumerate(registry.SEVERITIES)}
        for side in ("a", "b"):
            lay, fid = _texts(findings[f"{side}_layer"].to_numpy()), _texts(findings[f"{side}_id"].to_numpy())
            sev = _texts(findings["severity"].to_numpy())
            for a, b, s in zip(lay, fid, sev):
                if a == layer and b is not None and s in rank:
                    worst[b] = min(worst.get(b, len(rank)), rank[s])
    return np.array([registry.SEVERITIES[worst[i]] if i in worst else None for i in ids], dtype=object)


def scheme_colours(scheme: str, frames: dict, lang: str = "en") -> Colouring:
    """The colours of ``scheme`` for the frames read per :func:`scheme_columns` (missing layers skipped).

    "utility" has no per-feature colours (the scene's own CJJ 61 colours); its
    legend lists the utilities present in ``frames["pipe_segments"]`` if given.
    """
    s = SCHEMES[scheme]
    out = Colouring(scheme, title=s.label(lang))
    if s.field is None:
        segs = frames.get("pipe_segments")
        if segs is not None and "utility" in segs:
            from gis.utilities import UTILITIES, resolve

            present = set()
            for code in set(_texts(segs["utility"].to_numpy())) - {None}:
                try:
                    present.add(resolve(code)[0].code)
                except KeyError:
                    continue
            out.legend = [(f"{u.code} {u.name(lang)}", u.rgb) for u in UTILITIES.values() if u.code in present]
        return out
    legend_seen: dict[str, RGB] = {}
    for layer in s.layers:
        frame = frames.get(layer)
        if frame is None:
            continue
        ids = np.asarray(frame[registry.get(layer).id_field].to_numpy(), dtype=object)
        if scheme == "findings":
            rgb, legend = _fixed(_worst_severity(frames.get("findings"), layer, ids), SEVERITY_RGB)
        elif scheme == "age":
            rgb, legend = _age(frame[s.field].to_numpy() if s.field in frame else [None] * len(ids), lang)
        elif scheme == "quality":
            rgb, legend = _fixed(_texts(frame[s.field].to_numpy()) if s.field in frame
                                 else np.full(len(ids), None, dtype=object), QUALITY_RGB)
        else:
            rgb, legend = _categorical(_texts(frame[s.field].to_numpy()) if s.field in frame
                                       else np.full(len(ids), None, dtype=object), lang)
        out.layers[layer] = (ids, rgb)
        legend_seen.update((label, c) for label, c in legend if label not in legend_seen)
    out.legend = list(legend_seen.items()) + [("无数据" if lang.startswith("zh") else "no data", NO_DATA_RGB)]
    return out


def row_colours(colouring: Colouring, layer: str, scene_ids: np.ndarray) -> np.ndarray | None:
    """(n_rows, 3) uint8 colours of a scene layer's feature rows (NO_DATA_RGB for ids the colouring
    lacks); None when the colouring does not colour ``layer``."""
    import pandas as pd

    entry = colouring.layers.get(layer)
    if entry is None:
        return None
    ids, rgb = entry
    index = pd.Index(ids)
    if not index.is_unique:
        keep = ~index.duplicated()
        index, rgb = index[keep], rgb[keep]
    pos = index.get_indexer(pd.Index(np.asarray(scene_ids, dtype=object)))
    out = np.tile(np.array(NO_DATA_RGB, dtype=np.uint8), (len(pos), 1))
    found = pos >= 0
    out[found] = rgb[pos[found]]
    return out


def point_rows(polydata, cell_rows: np.ndarray) -> np.ndarray:
    """The feature row of every point of ``polydata`` from the rows of its cells (verts, lines, polys)."""
    from vtkmodules.util.numpy_support import vtk_to_numpy

    out = np.zeros(polydata.GetNumberOfPoints(), dtype=np.int64)
    start = 0
    for cells in (polydata.GetVerts(), polydata.GetLines(), polydata.GetPolys()):
        n = cells.GetNumberOfCells()
        if n:
            offsets = vtk_to_numpy(cells.GetOffsetsArray()).astype(np.int64)
            conn = vtk_to_numpy(cells.GetConnectivityArray()).astype(np.int64)
            out[conn] = np.repeat(np.asarray(cell_rows[start:start + n], dtype=np.int64), np.diff(offsets))
        start += n
    return out


def recoloured(polydata, cell_rows: np.ndarray, colours: np.ndarray):
    """A shallow copy of a scene polydata (geometry shared) with its point colours from ``colours``
    (per feature row); the original keeps its own colours (other views may show it)."""
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonDataModel import vtkPolyData

    from viewers.scene.mesh import COLOUR

    out = vtkPolyData()
    out.ShallowCopy(polydata)
    rgb = np.asarray(colours, dtype=np.uint8).reshape(-1, 3)
    arr = numpy_to_vtk(np.ascontiguousarray(rgb[point_rows(polydata, cell_rows)]), deep=True)
    arr.SetName(COLOUR)
    out.GetPointData().AddArray(arr)
    return out

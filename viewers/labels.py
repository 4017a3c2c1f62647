"""Feature labels on demand that stay readable: texts, screen-space decluttering, a VTK overlay.

- :func:`pipe_labels`: anchor (segment midpoint, project x, y, z) and text
  ("WS DN400 钢筋混凝土": utility code, size, material) of pipe segments
  (headless).
- :func:`declutter`: greedy placement of label boxes in screen space, in
  priority order, with no two boxes overlapping (pure numpy, reusable by the
  2D map).
- :class:`LabelOverlay`: the placed labels as CJK text actors on a Stage's
  renderer, re-placed before a render whenever the camera, the window, the
  exaggeration or the clipping changed.  Nearest features get labels first.
"""
from __future__ import annotations

import numpy as np

LABEL_PX = 13              # font size
GAP_PX = 4                 # from the anchor to its label, and between labels
MAX_LABELS = 150           # text actors at most (each costs a little every frame)
MAX_CANDIDATES = 2000      # nearest on-screen anchors considered per placement
#: label slots around an anchor, tried in order (above, below, right, left): the box's lower-left
#: corner is anchor + (fx * w + gx * GAP_PX, fy * h + gy * GAP_PX)
SLOTS = ((-0.5, 0, 0.0, 1), (-0.5, 0, -1.0, -1), (0.0, 1, -0.5, 0), (-1.0, -1, -0.5, 0))


def pipe_labels(frame) -> tuple[np.ndarray, list[str], np.ndarray]:
    """(anchors (n, 3) project midpoints, texts, line ids) of a pipe_segments GeoDataFrame."""
    import shapely

    from gis.cuts.items import obj_column, pipe_sizes, text_or_none

    geoms = frame.geometry.to_numpy()
    mids = shapely.line_interpolate_point(geoms, 0.5, normalized=True)
    xyz = shapely.get_coordinates(mids, include_z=True)
    if len(xyz) != len(frame):           # empty geometries: no anchor
        xyz = np.array([shapely.get_coordinates(m, include_z=True)[0] if not shapely.is_empty(m)
                        else (np.nan, np.nan, np.nan) for m in mids]).reshape(-1, 3)
    sizes = pipe_sizes(frame).label
    util, sub, mat = (obj_column(frame, c) for c in ("utility", "subtype", "material"))
    texts = [" ".join(p for p in (text_or_none(s) or text_or_none(u), size or None, text_or_none(m)) if p)
             for u, s, size, m in zip(util, sub, sizes, mat)]
    return xyz, texts, frame["line_id"].to_numpy(dtype=object)


def _num(values: dict, name: str) -> float | None:
    try:
        v = float(values.get(name))
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def _metres(a: float | None, b: float | None = None) -> str | None:
    """"1.20 m" or "1.20–1.35 m" (None when neither is known)."""
    known = [v for v in (a, b) if v is not None]
    if not known:
        return None
    if len(known) == 2 and abs(known[0] - known[1]) >= 0.005:
        return f"{known[0]:.2f}–{known[1]:.2f} m"
    return f"{known[0]:.2f} m"


def feature_summary(layer: str, values: dict, lang: str = "en") -> list[str]:
    """Short lines describing a feature for a tooltip: layer and id, utility, size, depth, material.

    ``values`` are the feature's registry fields; lines whose value is unknown are left out.
    """
    import pandas as pd

    from gis import layers as registry
    from gis.cuts.items import pipe_sizes
    from gis.utilities import SUBTYPES, resolve

    lay = registry.get(layer)
    zh = lang.startswith("zh")
    lines = [f"{lay.label(lang)}  {values.get(lay.id_field) or ''}".strip()]

    def add(field: str, text) -> None:
        if text not in (None, ""):
            name = lay.field(field).zh if zh else lay.field(field).en
            lines.append(f"{name}: {text}")

    code = values.get("utility")
    if code:
        try:
            util, sub = resolve(str(code))
            name = util.name(lang) if sub is None else (SUBTYPES[sub][1].zh if zh else SUBTYPES[sub][1].en)
            add("utility", f"{code} {name}")
        except KeyError:
            add("utility", code)
    if layer == "pipe_segments":
        add("diameter_mm", pipe_sizes(pd.DataFrame([values])).label[0])
        depth = _metres(_num(values, "start_depth"), _num(values, "end_depth"))
        lines.append(f"{'埋深' if zh else 'depth'}: {depth}" if depth else "")
        add("material", values.get("material"))
    elif layer == "pipe_points":
        diameter = _num(values, "well_diameter_mm")
        add("well_diameter_mm", f"{diameter:g}" if diameter is not None else None)
        add("depth", _metres(_num(values, "depth")))
        add("well_depth", _metres(_num(values, "well_depth")))
        add("appurtenance", values.get("appurtenance"))
    elif layer == "metro_tunnels":
        d = _num(values, "outer_diameter_m")
        add("outer_diameter_m", f"Φ{d:g} m" if d is not None else None)
        add("crown_elev", _metres(_num(values, "crown_elev")))
    elif "top_elev" in lay.field_names:
        add("top_elev", _metres(_num(values, "top_elev")))
        add("bottom_elev", _metres(_num(values, "bottom_elev")))
    return [line for line in lines if line]


def overlaps(a, b, gap: float = 0.0) -> bool:
    """Whether boxes (x0, y0, x1, y1) a and b come closer than ``gap``."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def declutter(xy: np.ndarray, sizes: np.ndarray, viewport: tuple[int, int], max_labels: int = MAX_LABELS,
              gap: float = GAP_PX) -> list[tuple[int, tuple[float, float, float, float]]]:
    """Boxes for labels of anchors ``xy`` (screen pixels, in priority order) sized ``sizes`` (w, h).

    Each label tries the slots above, below, right and left of its anchor and
    takes the first that stays inside the viewport and keeps ``gap`` pixels
    from every box placed before; labels with no free slot are left out.
    Returns (anchor index, box) pairs; no two boxes overlap.
    """
    width, height = viewport
    cell = 64.0
    grid: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}
    out = []
    for i in range(len(xy)):
        w, h = float(sizes[i][0]), float(sizes[i][1])
        if w <= 0 or h <= 0:
            continue
        for fx, gx, fy, gy in SLOTS:
            x0 = xy[i][0] + fx * w + gx * GAP_PX
            y0 = xy[i][1] + fy * h + gy * GAP_PX
            box = (x0, y0, x0 + w, y0 + h)
            if box[0] < 0 or box[1] < 0 or box[2] > width or box[3] > height:
                continue
            cells = [(cx, cy) for cx in range(int((box[0] - gap) // cell), int((box[2] + gap) // cell) + 1)
                     for cy in range(int((box[1] - gap) // cell), int((box[3] + gap) // cell) + 1)]
            if any(overlaps(box, other, gap) for c in cells for other in grid.get(c, ())):
                continue
            for c in cells:
                grid.setdefault(c, []).append(box)
            out.append((i, box))
            break
        if len(out) >= max_labels:
            break
    return out


class LabelOverlay:
    """Decluttered labels of one layer's features on a Stage's renderer (GUI thread only)."""

    def __init__(self, stage, size_px: int = LABEL_PX):
        self.stage = stage
        self.renderer = stage.renderer
        self.size_px = size_px
        self.layer = ""
        self.visible = False
        self.placed: list[tuple[str, str, tuple[float, float, float, float]]] = []   # (id, text, box)
        self._anchors = np.zeros((0, 3))
        self._texts: list[str] = []
        self._ids = np.array([], dtype=object)
        self._sizes: dict[str, tuple[int, int]] = {}
        self._actors: list = []
        self._state = None
        self._prop = None
        self.renderer.AddObserver("StartEvent", self._before_render)

    def set_labels(self, layer: str, anchors, texts: list[str], ids) -> None:
        """Label ``layer``'s features ``ids`` with ``texts`` at project ``anchors`` (n, 3)."""
        scene = self.stage.scene
        xyz = np.asarray(anchors, dtype=float).reshape(-1, 3)
        keep = np.isfinite(xyz).all(axis=1) & np.array([bool(t) for t in texts], dtype=bool)
        origin = np.asarray(scene.origin, dtype=float) if scene is not None else np.zeros(3)
        self.layer = layer
        self._anchors = xyz[keep] - origin                  # local, unexaggerated
        self._texts = [t for t, k in zip(texts, keep) if k]
        self._ids = np.asarray(ids, dtype=object)[keep]
        self._state = None

    def clear(self) -> None:
        """Forget the labels (a new scene)."""
        self.set_labels("", np.zeros((0, 3)), [], [])
        self._hide_from(0)
        self.placed = []

    def set_visible(self, on: bool) -> None:
        """Show or hide the labels."""
        self.visible = bool(on)
        self._state = None
        if not on:
            self._hide_from(0)
            self.placed = []

    # ---------------------------------------------------------------- placing
    def _before_render(self, *_args) -> None:
        if not self.visible or not len(self._anchors):
            return
        cam = self.renderer.GetActiveCamera()
        state = (cam.GetMTime(), tuple(self.renderer.GetSize()), self.stage.exaggeration,
                 tuple(self.stage.clip_planes), self.stage.layer_visible(self.layer), len(self._anchors))
        if state != self._state:
            self._state = state
            self.place()

    def place(self) -> None:
        """Place the labels for the current camera (called before renders when something changed)."""
        if not self.stage.layer_visible(self.layer):
            self._hide_from(0)
            self.placed = []
            return
        w, h = self.renderer.GetSize()
        xy, depth, idx = self._on_screen(w, h)
        order = np.argsort(depth, kind="stable")[:MAX_CANDIDATES]
        xy, idx = xy[order], idx[order]
        sizes = np.array([self._size(self._texts[i]) for i in idx], dtype=float).reshape(-1, 2)
        boxes = declutter(xy, sizes, (w, h))
        self.placed = []
        for slot, (k, box) in enumerate(boxes):
            i = idx[k]
            actor = self._actor(slot)
            if actor.GetInput() != self._texts[i]:
                actor.SetInput(self._texts[i])
            actor.SetDisplayPosition(int(round(box[0])), int(round(box[1])))
            actor.SetVisibility(True)
            self.placed.append((str(self._ids[i]), self._texts[i], box))
        self._hide_from(len(boxes))

    def _on_screen(self, w: int, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Display xy, camera depth and index of the anchors in view (in front, inside, unclipped)."""
        if w <= 0 or h <= 0:
            return np.zeros((0, 2)), np.zeros(0), np.zeros(0, dtype=np.int64)
        local = self._anchors
        keep = np.ones(len(local), dtype=bool)
        for origin, normal in self.stage.clip_planes:
            keep &= (local - np.asarray(origin)) @ np.asarray(normal) >= 0
        world = local * np.array([1.0, 1.0, self.stage.exaggeration])
        cam = self.renderer.GetActiveCamera()
        m = cam.GetCompositeProjectionTransformMatrix(w / h, -1, 1)
        mat = np.array([[m.GetElement(r, c) for c in range(4)] for r in range(4)])
        clip = np.column_stack([world, np.ones(len(world))]) @ mat.T
        wc = clip[:, 3]
        keep &= wc > 1e-9
        ndc = clip[:, :3] / np.where(keep, wc, 1.0)[:, None]
        keep &= (np.abs(ndc[:, 0]) <= 1) & (np.abs(ndc[:, 1]) <= 1) & (np.abs(ndc[:, 2]) <= 1)
        idx = np.flatnonzero(keep)
        xy = np.column_stack([(ndc[idx, 0] + 1) / 2 * w, (ndc[idx, 1] + 1) / 2 * h])
        return xy, ndc[idx, 2], idx

    def _size(self, text: str) -> tuple[int, int]:
        size = self._sizes.get(text)
        if size is None:
            from viewers.vtk_text import text_size

            size = self._sizes[text] = text_size(self._text_prop(), text)
        return size

    def _text_prop(self):
        if self._prop is None:
            from vtkmodules.vtkRenderingCore import vtkTextProperty

            from viewers.vtk_text import HALO_RGB, style_text

            self._prop = style_text(vtkTextProperty(), self.size_px, background=HALO_RGB)
        return self._prop

    def _actor(self, slot: int):
        while slot >= len(self._actors):
            from viewers.vtk_text import text_actor

            actor = text_actor("", self.size_px)
            actor.GetTextProperty().ShallowCopy(self._text_prop())
            self.renderer.AddViewProp(actor)
            self._actors.append(actor)
        return self._actors[slot]

    def _hide_from(self, slot: int) -> None:
        for actor in self._actors[slot:]:
            actor.SetVisibility(False)

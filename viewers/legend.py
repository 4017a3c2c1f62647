"""A legend drawn in the view itself (VTK, so saved images carry it): title, colour swatches, CJK text.

:class:`Legend` sits in a corner of a renderer; ``set(title, entries)``
shows (label, rgb) rows, ``set(None)`` hides it.  Its layout follows the
window size before each render.
"""
from __future__ import annotations

import numpy as np

from viewers.styles import RGB

TEXT_PX = 13
SWATCH_PX = 12
PAD_PX = 6
ROW_GAP_PX = 4
MARGIN_PX = 10
PANEL_RGBA = (255, 255, 255, 215)
OUTLINE_RGBA = (90, 90, 90, 255)


class Legend:
    """Title and (label, colour) rows in the top-right corner of ``renderer``."""

    def __init__(self, renderer):
        self.renderer = renderer
        self.title = ""
        self.entries: list[tuple[str, RGB]] = []
        self.box: tuple[float, float, float, float] | None = None   # display x0, y0, x1, y1 when shown
        self._texts: list = []
        self._panel = None
        self._laid_for = None
        renderer.AddObserver("StartEvent", self._before_render)

    @property
    def shown(self) -> bool:
        """Whether the legend is on."""
        return bool(self.entries)

    def set(self, title: str | None, entries: list[tuple[str, RGB]] | None = None) -> None:
        """Show ``entries`` under ``title``; None (or no entries) hides the legend."""
        self.title = title or ""
        self.entries = list(entries or []) if title is not None else []
        self._laid_for = None
        self._build()

    def _build(self) -> None:
        from viewers.vtk_text import text_actor

        for actor in self._texts:
            self.renderer.RemoveViewProp(actor)
        self._texts = []
        if self._panel is not None:
            self.renderer.RemoveViewProp(self._panel)
            self._panel = None
        self.box = None
        if not self.entries:
            return
        lines = [(self.title, True)] + [(label, False) for label, _ in self.entries]
        for text, bold in lines:
            actor = text_actor(text, TEXT_PX, bold=bold)
            self.renderer.AddViewProp(actor)
            self._texts.append(actor)

    def _before_render(self, *_args) -> None:
        size = tuple(self.renderer.GetSize())
        if self.entries and self._laid_for != size:
            self._laid_for = size
            self._layout(*size)

    def _layout(self, width: int, height: int) -> None:
        """Place texts and swatches in the top-right corner for a ``width`` x ``height`` window."""
        from viewers.vtk_text import text_size

        sizes = [text_size(a.GetTextProperty(), a.GetInput()) for a in self._texts]
        row_h = max(max(h for _, h in sizes), SWATCH_PX) + ROW_GAP_PX
        inner_w = max([sizes[0][0]] + [SWATCH_PX + PAD_PX + w for w, _ in sizes[1:]])
        panel_w, panel_h = inner_w + 2 * PAD_PX, row_h * len(sizes) + 2 * PAD_PX - ROW_GAP_PX
        x0, y1 = width - MARGIN_PX - panel_w, height - MARGIN_PX
        y0 = y1 - panel_h
        self.box = (x0, y0, x0 + panel_w, y1)
        quads, colours = [(x0, y0, x0 + panel_w, y1)], [PANEL_RGBA]
        for k, actor in enumerate(self._texts):
            top = y1 - PAD_PX - k * row_h
            w, h = sizes[k]
            if k == 0:
                actor.SetDisplayPosition(int(x0 + PAD_PX), int(top - h))
                continue
            sy = top - (row_h - ROW_GAP_PX + SWATCH_PX) / 2
            quads.append((x0 + PAD_PX, sy, x0 + PAD_PX + SWATCH_PX, sy + SWATCH_PX))
            colours.append((*self.entries[k - 1][1], 255))
            actor.SetDisplayPosition(int(x0 + 2 * PAD_PX + SWATCH_PX), int(top - (row_h - ROW_GAP_PX + h) / 2))
        self._set_panel(quads, colours)

    def _set_panel(self, quads, colours) -> None:
        """One 2D actor drawing the panel and the swatches (filled quads, outlined)."""
        from vtkmodules.util.numpy_support import numpy_to_vtk
        from vtkmodules.vtkCommonCore import vtkPoints
        from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
        from vtkmodules.vtkRenderingCore import vtkActor2D, vtkPolyDataMapper2D

        q = np.asarray(quads, dtype=float)
        pts = np.stack([np.column_stack([q[:, 0], q[:, 1]]), np.column_stack([q[:, 2], q[:, 1]]),
                        np.column_stack([q[:, 2], q[:, 3]]), np.column_stack([q[:, 0], q[:, 3]])], axis=1)
        n = len(q)
        points = vtkPoints()
        points.SetData(numpy_to_vtk(np.column_stack([pts.reshape(-1, 2), np.zeros(4 * n)]), deep=True))
        polys, lines = vtkCellArray(), vtkCellArray()
        for k in range(n):
            polys.InsertNextCell(4, [4 * k + j for j in range(4)])
            if k:   # swatch outlines
                lines.InsertNextCell(5, [4 * k + j for j in (0, 1, 2, 3, 0)])
        pd = vtkPolyData()
        pd.SetPoints(points)
        pd.SetPolys(polys)
        pd.SetLines(lines)
        rgba = np.array([OUTLINE_RGBA] * (n - 1) + list(colours), dtype=np.uint8)   # lines first, then polys
        arr = numpy_to_vtk(rgba, deep=True)
        pd.GetCellData().SetScalars(arr)
        mapper = vtkPolyDataMapper2D()
        mapper.SetInputData(pd)
        mapper.SetColorModeToDirectScalars()
        mapper.SetScalarModeToUseCellData()
        if self._panel is None:
            self._panel = vtkActor2D()
            self._panel.SetPickable(False)
            self.renderer.AddViewProp(self._panel)
            for actor in self._texts:          # texts over the panel
                self.renderer.RemoveViewProp(actor)
                self.renderer.AddViewProp(actor)
        self._panel.SetMapper(mapper)

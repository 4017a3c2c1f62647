"""VTK text that draws Chinese: text properties on the CJK font file, text sizes in pixels.

VTK's own fonts (Arial, Courier, Times) have no CJK glyphs and silently
drop Chinese; a text property pointing at the Noto CJK file
(``VTK_FONT_FILE``, found through fontconfig) draws both scripts.
"""
from __future__ import annotations

import functools

from viewers.styles import RGB

TEXT_RGB: RGB = (20, 20, 20)
HALO_RGB: RGB = (255, 255, 255)


def style_text(prop, size_px: int, rgb: RGB = TEXT_RGB, bold: bool = False,
               background: RGB | None = None, background_opacity: float = 0.75):
    """Set a vtkTextProperty to the CJK font at ``size_px`` pixels (returns it)."""
    from vtkmodules.vtkCommonCore import VTK_FONT_FILE

    from viewers.charts.fonts import cjk_font_file

    path = cjk_font_file()
    if path:
        prop.SetFontFamily(VTK_FONT_FILE)
        prop.SetFontFile(path)
    prop.SetFontSize(int(size_px))
    prop.SetColor(*(c / 255.0 for c in rgb))
    prop.SetBold(bold)
    prop.SetShadow(False)
    if background is not None:
        prop.SetBackgroundColor(*(c / 255.0 for c in background))
        prop.SetBackgroundOpacity(background_opacity)
    return prop


@functools.lru_cache(maxsize=1)
def _renderer():
    import vtkmodules.vtkRenderingFreeType  # noqa: F401 - registers the FreeType text renderer
    from vtkmodules.vtkRenderingCore import vtkTextRenderer

    return vtkTextRenderer()


def text_size(prop, text: str, dpi: int = 72) -> tuple[int, int]:
    """(width, height) in pixels of ``text`` drawn with ``prop`` (0, 0 for empty text)."""
    if not text:
        return 0, 0
    bbox = [0, 0, 0, 0]
    if not _renderer().GetBoundingBox(prop, text, bbox, dpi):
        return 0, 0
    return bbox[1] - bbox[0] + 1, bbox[3] - bbox[2] + 1


def text_actor(text: str, size_px: int, rgb: RGB = TEXT_RGB, bold: bool = False, background: RGB | None = None):
    """A screen-space vtkTextActor in the CJK font, not pickable."""
    import vtkmodules.vtkRenderingFreeType  # noqa: F401
    from vtkmodules.vtkRenderingCore import vtkTextActor

    actor = vtkTextActor()
    actor.SetInput(text)
    style_text(actor.GetTextProperty(), size_px, rgb, bold, background)
    actor.SetPickable(False)
    return actor

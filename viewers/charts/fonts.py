"""A font that draws Chinese: Noto Sans CJK (fonts-noto-cjk) or another CJK family, found once."""
from __future__ import annotations

import functools
import shutil
import subprocess

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "PingFang SC")


def _fontconfig_file() -> str | None:
    """Path of the font fontconfig picks for Simplified Chinese (None without fc-match)."""
    exe = shutil.which("fc-match")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


@functools.lru_cache(maxsize=1)
def cjk_family() -> str:
    """Family name of a CJK-capable font known to Qt (needs a Q(Gui)Application).

    Looks for the CJK_FAMILIES in Qt's font database, then registers the
    font fontconfig picks for zh-CN; falls back to Qt's default family
    (Chinese then shows as boxes; install fonts-noto-cjk).
    """
    from PySide6.QtGui import QFont, QFontDatabase

    families = set(QFontDatabase.families())
    for name in CJK_FAMILIES:
        if name in families:
            return name
    path = _fontconfig_file()
    if path:
        fid = QFontDatabase.addApplicationFont(path)
        if fid >= 0:
            loaded = QFontDatabase.applicationFontFamilies(fid)
            if loaded:
                return loaded[0]
    return QFont().defaultFamily()


def font(pixel_size: float, bold: bool = False):
    """A QFont of the CJK family at ``pixel_size`` device units."""
    from PySide6.QtGui import QFont

    f = QFont(cjk_family())
    f.setPixelSize(max(1, int(round(pixel_size))))
    f.setBold(bold)
    return f


@functools.lru_cache(maxsize=1)
def cjk_font_file() -> str | None:
    """Path of the CJK font file fontconfig picks for zh-CN (VTK text needs it as VTK_FONT_FILE)."""
    return _fontconfig_file()

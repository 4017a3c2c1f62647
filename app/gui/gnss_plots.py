"""GNSS plots painted with QPainter: the sky plot (GSV) and the position scatter of an occupation.

Both widgets only draw what they are given (no receiver access): the GNSS
panel feeds them from :class:`importers.gnss.status.GnssStatus` on the GUI
thread.  Colours: one per constellation, one per fix type.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.gui.i18n import tr

# Keyed by the names of importers.gnss.constellations (not imported here: the window shows first).
CONSTELLATION_RGB = {
    "GPS": (30, 90, 200), "GLONASS": (200, 40, 40), "Galileo": (0, 150, 70), "BDS": (235, 135, 0),
    "QZSS": (150, 70, 190), "NavIC": (130, 90, 40), "SBAS": (120, 120, 120),
}
FIX_RGB = {
    "none": (150, 150, 150), "single": (210, 40, 40), "dgps": (30, 120, 220), "pps": (30, 120, 220),
    "rtk_float": (240, 150, 0), "rtk_fixed": (0, 160, 60),
    "estimated": (150, 110, 170), "manual": (150, 110, 170), "simulation": (150, 110, 170),
}
_GRID = QColor(190, 190, 190)
_TEXT = QColor(60, 60, 60)
SAT_RADIUS_PX = 7
SNR_MAX = 55.0


def constellation_label(name: str) -> str:
    """How a constellation is named on screen (BeiDou always as 北斗 BeiDou)."""
    return "北斗 BeiDou" if name == "BDS" else name


def fix_text(fix: str) -> str:
    """The fix type in the current language."""
    return {"none": tr("No fix"), "single": tr("Single"), "dgps": tr("DGPS"), "pps": tr("PPS"),
            "rtk_float": tr("RTK float"), "rtk_fixed": tr("RTK fixed"), "estimated": tr("Estimated"),
            "manual": tr("Manual"), "simulation": tr("Simulation")}.get(fix, fix)


def _colour(rgb: tuple[int, int, int]) -> QColor:
    return QColor(*rgb)


class _Plot(QWidget):
    """White paper drawn by :meth:`draw` into a cached pixmap: a layout change next to the plot
    only copies it; new data (:meth:`changed`) draws it again."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._cache: QPixmap | None = None

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(280, 300)

    def changed(self) -> None:
        """The data changed: draw again at the next paint."""
        self._cache = None
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        ratio = self.devicePixelRatioF()
        if self._cache is None or self._cache.size() != self.size() * ratio:
            self._cache = QPixmap(self.size() * ratio)
            self._cache.setDevicePixelRatio(ratio)
            self._cache.fill(Qt.GlobalColor.white)
            p = QPainter(self._cache)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            font = QFont(self.font())
            font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
            p.setFont(font)
            self.draw(p)
            p.end()
        p = QPainter(self)
        p.drawPixmap(0, 0, self._cache)
        p.end()

    def draw(self, p: QPainter) -> None:
        """Paint the plot (subclasses)."""
        raise NotImplementedError


class SkyPlot(_Plot):
    """Satellites in view by azimuth / elevation (rings at 0, 30, 60°), SNR bars underneath.

    Satellites used in the solution are filled, the others drawn as rings.
    """

    BAR_AREA_PX = 56

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("gnssSkyPlot")
        self.sats: list = []

    def set_sats(self, sats: Sequence) -> None:
        """Show these satellites (:class:`importers.gnss.status.SkySat`)."""
        self.sats = list(sats)
        self.changed()

    def sky_geometry(self) -> tuple[QPointF, float]:
        """Centre and horizon radius of the polar plot in widget pixels."""
        w, h = self.width(), self.height() - self.BAR_AREA_PX
        radius = max(10.0, min(w, h) / 2 - 18)
        return QPointF(w / 2, h / 2), radius

    def sat_position(self, elevation: float, azimuth: float) -> QPointF:
        """Widget position of a satellite (north up, east right)."""
        centre, radius = self.sky_geometry()
        r = radius * (90.0 - max(0.0, min(90.0, elevation))) / 90.0
        a = math.radians(azimuth)
        return QPointF(centre.x() + r * math.sin(a), centre.y() - r * math.cos(a))

    def draw(self, p: QPainter) -> None:  # noqa: D102 - see _Plot
        centre, radius = self.sky_geometry()
        p.setPen(QPen(_GRID, 1))
        for el in (0, 30, 60):
            r = radius * (90 - el) / 90
            p.drawEllipse(centre, r, r)
        p.drawLine(QPointF(centre.x() - radius, centre.y()), QPointF(centre.x() + radius, centre.y()))
        p.drawLine(QPointF(centre.x(), centre.y() - radius), QPointF(centre.x(), centre.y() + radius))
        p.setPen(_TEXT)
        for text, az in (("N", 0), ("E", 90), ("S", 180), ("W", 270)):
            pos = self.sat_position(-8, az)
            p.drawText(QRectF(pos.x() - 8, pos.y() - 8, 16, 16), Qt.AlignmentFlag.AlignCenter, text)
        placed = [s for s in self.sats if s.elevation is not None and s.azimuth is not None]
        if not placed:
            p.drawText(QRectF(0, 0, self.width(), self.height() - self.BAR_AREA_PX),
                       Qt.AlignmentFlag.AlignCenter, tr("No satellites in view"))
        for s in placed:
            colour = _colour(CONSTELLATION_RGB.get(s.constellation, (0, 0, 0)))
            pos = self.sat_position(s.elevation, s.azimuth)
            p.setPen(QPen(colour, 2))
            p.setBrush(colour if s.used else Qt.GlobalColor.white)
            p.drawEllipse(pos, SAT_RADIUS_PX, SAT_RADIUS_PX)
            p.setPen(_TEXT)
            p.drawText(QPointF(pos.x() + SAT_RADIUS_PX + 1, pos.y() - SAT_RADIUS_PX + 2), str(s.prn))
        self._paint_snr(p)

    def _paint_snr(self, p: QPainter) -> None:
        with_snr = [s for s in self.sats if s.snr]
        top = self.height() - self.BAR_AREA_PX + 6
        height = self.BAR_AREA_PX - 10
        p.setPen(QPen(_GRID, 1))
        p.drawLine(QPointF(4, top + height), QPointF(self.width() - 4, top + height))
        if not with_snr:
            return
        step = (self.width() - 8) / len(with_snr)
        for i, s in enumerate(with_snr):
            colour = _colour(CONSTELLATION_RGB.get(s.constellation, (0, 0, 0)))
            h = height * min(s.snr, SNR_MAX) / SNR_MAX
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour if s.used else colour.lighter(160))
            p.drawRect(QRectF(4 + i * step + 0.5, top + height - h, max(1.0, step - 1.5), h))


class ScatterPlot(_Plot):
    """Positions of the current occupation in metres around their mean, coloured by fix."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("gnssScatterPlot")
        self.north: list[float] = []
        self.east: list[float] = []
        self.fixes: list[str] = []

    def set_points(self, north: Sequence[float], east: Sequence[float], fixes: Sequence[str]) -> None:
        """Show offsets (m) from the mean position with the fix type of each epoch."""
        self.north, self.east, self.fixes = list(north), list(east), list(fixes)
        self.changed()

    def extent_m(self) -> float:
        """Half-width of the plot in metres (a round figure above the farthest epoch)."""
        far = max((math.hypot(n, e) for n, e in zip(self.north, self.east)), default=0.0)
        for step in (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0):
            if far <= step:
                return step
        return math.ceil(far / 100.0) * 100.0

    def draw(self, p: QPainter) -> None:  # noqa: D102 - see _Plot
        w, h = self.width(), self.height() - 20
        centre = QPointF(w / 2, h / 2 + 2)
        radius = max(10.0, min(w, h) / 2 - 10)
        half = self.extent_m()
        scale = radius / half
        p.setPen(QPen(_GRID, 1))
        for k in (0.5, 1.0):
            p.drawEllipse(centre, radius * k, radius * k)
        p.drawLine(QPointF(centre.x() - radius, centre.y()), QPointF(centre.x() + radius, centre.y()))
        p.drawLine(QPointF(centre.x(), centre.y() - radius), QPointF(centre.x(), centre.y() + radius))
        p.setPen(Qt.PenStyle.NoPen)
        for n, e, fix in zip(self.north, self.east, self.fixes):
            p.setBrush(_colour(FIX_RGB.get(fix, (0, 0, 0))))
            p.drawEllipse(QPointF(centre.x() + e * scale, centre.y() - n * scale), 3, 3)
        p.setPen(_TEXT)
        spread = max((math.hypot(n, e) for n, e in zip(self.north, self.east)), default=0.0)
        text = (tr("{count} epochs, spread {spread} m, ring {ring} m", count=len(self.north),
                   spread=f"{spread:.3f}", ring=f"{half:g}") if self.north else tr("No positions yet"))
        p.drawText(QRectF(0, self.height() - 20, w, 20), Qt.AlignmentFlag.AlignCenter, text)

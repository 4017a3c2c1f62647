"""Findings in both views: severity markers, highlighted features, marker clicks, the camera flight.

GUI thread only.  Geometry comes from viewers.scene.findings (headless);
each view's Stage draws it as named overlays, so one marker actor per view
holds every finding of the run.
"""
from __future__ import annotations

from functools import partial

import numpy as np
from PySide6.QtCore import QEasingCurve, QObject, QVariantAnimation, Signal

MARKERS = "findings"
PICK_RADIUS_PX = 9.0     # a click this close to a marker's centre picks its finding
CLOSE_UP_M = 30.0        # the 3D camera stops this far from a finding
MAP_WIDTH_M = 80.0       # the 2D map shows at most this width around a finding
FLIGHT_MS = 450


class FindingsOverlay(QObject):
    """Draws one run's findings and the current highlight in the window's views.

    ``finding_clicked(finding_id)`` fires when a click in a view lands on a marker.
    """

    finding_clicked = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.win = window
        self._frame = None
        self._markers = None
        self._flight: QVariantAnimation | None = None
        self._attached: set[int] = set()

    # ----------------------------------------------------------------- views
    def attach(self) -> None:
        """Listen to clicks of views created since the last call."""
        for view in self.win.views():
            if id(view) not in self._attached:
                self._attached.add(id(view))
                view.clicked.connect(partial(self._clicked, view))

    def _scene(self):
        view = self.win.view3d
        return None if view is None else view.stage.scene

    # -------------------------------------------------------------- findings
    def show_findings(self, frame) -> None:
        """Draw the findings of ``frame`` as markers in both views (None or empty removes them)."""
        from viewers import styles
        from viewers.scene.findings import findings_markers

        scene = self._scene()
        self._frame = frame
        self._markers = findings_markers(frame, scene.origin) if scene is not None and frame is not None else None
        for view in self.win.views():
            view.stage.set_overlay(MARKERS, self._markers.polydata if self._markers else None, styles.FINDINGS)
            view.redraw()

    def highlight(self, items) -> tuple[tuple[str, str], ...]:
        """Highlight features ((layer, id) pairs) in both views; returns those shown."""
        from viewers.scene.findings import highlight_mesh

        scene, project = self._scene(), self.win.project
        items = tuple((str(a), str(b)) for a, b in items if a and b)
        mesh = highlight_mesh(project.frames, items, scene.origin) if scene is not None and project else None
        shown = items if mesh is not None else ()
        for view in self.win.views():
            view.select("", None)
            view.stage.highlight(shown, mesh)
            view.redraw()
        return shown

    def clear(self) -> None:
        """Remove markers and highlight from the views."""
        self.stop_flight()
        self.show_findings(None)
        self.highlight(())

    # ----------------------------------------------------------------- picks
    def _clicked(self, view, x: int, y: int) -> None:
        fid = self.finding_at(view, x, y)
        if fid is not None:
            self.finding_clicked.emit(fid)

    def finding_at(self, view, x: float, y: float) -> str | None:
        """The finding whose marker is drawn at display (x, y) of ``view`` (the nearest), or None."""
        from viewers import camera

        m = self._markers
        if m is None or view.stage.overlay(MARKERS) is None:
            return None
        world = m.points * np.array([1.0, 1.0, view.stage.exaggeration])
        d = np.hypot(*(camera.to_display(view.renderer, world) - (x, y)).T)
        d = np.where(np.isnan(d), np.inf, d)
        k = int(np.argmin(d)) if len(d) else -1
        if k < 0 or d[k] > PICK_RADIUS_PX:
            return None
        return str(self._frame["finding_id"].iloc[int(m.rows[k])])

    # ---------------------------------------------------------------- camera
    def fly_to(self, x: float, y: float, z: float) -> None:
        """Centre the 2D map on (x, y) and fly the 3D camera to a close-up of (x, y, z)."""
        from viewers import camera

        scene = self._scene()
        if scene is None or not (np.isfinite(x) and np.isfinite(y)):
            return
        z = z if np.isfinite(z) else None
        if self.win.map2d is not None:
            local = scene.to_local(x, y, z, exaggeration=self.win.map2d.stage.exaggeration)
            camera.centre_on(self.win.map2d.renderer, local[:2], MAP_WIDTH_M)
            self.win.map2d.redraw()
        view = self.win.view3d
        target = scene.to_local(x, y, z, exaggeration=view.stage.exaggeration)
        cam = view.renderer.GetActiveCamera()
        start = (np.array(cam.GetFocalPoint()), np.array(cam.GetPosition()))
        end = camera.close_up(view.renderer, target, CLOSE_UP_M)
        self.stop_flight()
        flight = QVariantAnimation(self)
        flight.setDuration(FLIGHT_MS)
        flight.setStartValue(0.0)
        flight.setEndValue(1.0)
        flight.setEasingCurve(QEasingCurve.Type.InOutCubic)
        flight.valueChanged.connect(partial(self._fly_step, view, start, end))
        self._flight = flight
        flight.start()

    @staticmethod
    def _fly_step(view, start, end, t) -> None:
        from viewers import camera

        t = float(t)
        camera.set_pose(view.renderer, start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t)
        view.redraw()

    @property
    def flying(self) -> bool:
        """Whether the 3D camera is still on its way to a finding."""
        return self._flight is not None and self._flight.state() == QVariantAnimation.State.Running

    def stop_flight(self) -> None:
        """Stop a flight under way (the camera stays where it is)."""
        if self._flight is not None:
            self._flight.stop()
            self._flight.deleteLater()
            self._flight = None

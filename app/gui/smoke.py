"""``subterra gui --smoke-test``: open the project, check both views drew it, exit (for installed bundles)."""
from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

SMOKE_TIMEOUT_MS = 300_000
MIN_DRAWN_FRACTION = 0.01      # of a view's pixels that differ from its background


def drawn_fraction(view) -> float:
    """The fraction of ``view``'s pixels that are not its background colour."""
    import numpy as np

    image = view.grab_image().astype(int)
    background = np.round(np.array(view.renderer.GetBackground()) * 255).astype(int)
    return float((np.abs(image - background).sum(axis=2) > 24).mean())


def arm(app: QApplication, window) -> None:
    """Quit ``app`` once ``window``'s project shows in both views (exit 0), or on failure or timeout (1)."""
    def report(code: int, line: str) -> None:
        print(line, file=sys.stdout if code == 0 else sys.stderr, flush=True)
        app.exit(code)

    def loaded(path: str) -> None:
        QTimer.singleShot(0, lambda: check(path))

    def check(path: str) -> None:
        shares = {view.objectName() or type(view).__name__: drawn_fraction(view) for view in window.views()}
        figures = ", ".join(f"{name} {share:.0%} drawn" for name, share in shares.items())
        if shares and min(shares.values()) >= MIN_DRAWN_FRACTION:
            report(0, f"smoke test passed: {path} opened; {figures}")
        else:
            report(1, f"smoke test failed: {path} opened but a view is empty ({figures})")

    window.project_loaded.connect(loaded)
    window.project_failed.connect(lambda message: report(1, f"smoke test failed: {message}"))
    QTimer.singleShot(SMOKE_TIMEOUT_MS, lambda: report(1, "smoke test failed: no project shown in 5 minutes"))

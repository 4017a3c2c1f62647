"""Progress and cancellation for long work: plain functions take a ``Progress``.

The CLI drives it with a terminal bar, the app with a progress dialog whose
Cancel sets ``cancelled``; the work calls :meth:`Progress.step`, which raises
:class:`gis.errors.Cancelled` once cancel was asked for.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from gis.errors import Cancelled


class Progress:
    """Thread-safe progress state: total, done, message and a cancel flag."""

    def __init__(self, callback: Callable[[int, int, str], None] | None = None):
        self._callback = callback
        self._cancel = threading.Event()
        self.total = 0
        self.done = 0
        self.message = ""

    def start(self, total: int, message: str = "") -> None:
        """Begin a phase of ``total`` units."""
        self.total, self.done, self.message = total, 0, message
        self._emit()

    def step(self, n: int = 1, message: str | None = None) -> None:
        """Advance by ``n`` units; raises Cancelled if cancel was requested."""
        self.done += n
        if message is not None:
            self.message = message
        self.check()
        self._emit()

    def check(self) -> None:
        """Raise Cancelled if cancel was requested."""
        if self._cancel.is_set():
            raise Cancelled("cancelled by the user")

    def cancel(self) -> None:
        """Ask the work to stop at its next step."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """Whether cancel was requested."""
        return self._cancel.is_set()

    def _emit(self) -> None:
        if self._callback is not None:
            self._callback(self.done, self.total, self.message)

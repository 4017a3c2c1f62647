"""A receiver plus optional NTRIP corrections sharing one status model."""
from __future__ import annotations

import time

from importers.gnss.ntrip import NtripClient, NtripConfig, NtripError
from importers.gnss.sources import ReceiverLink, SourceSpec
from importers.gnss.status import GnssStatus


class GnssSession:
    """Start with ``with GnssSession(spec, ntrip) as s:``; corrections go to the receiver's port."""

    def __init__(self, source: SourceSpec, ntrip: NtripConfig | None = None, frame: str = "CGCS2000",
                 status: GnssStatus | None = None):
        self.status = status or GnssStatus(frame=frame)
        self.receiver = ReceiverLink(source, self.status)
        self.ntrip = (NtripClient(ntrip, self.status, self.receiver.write, self.status.last_gga)
                      if ntrip is not None else None)
        self.started = False

    def start(self) -> "GnssSession":
        """Open the receiver and the caster connection (once)."""
        if self.started:
            return self
        self.started = True
        self.receiver.start()
        if self.ntrip is not None:
            self.ntrip.start()
        return self

    def stop(self) -> None:
        """Close both."""
        if self.ntrip is not None:
            self.ntrip.stop()
        self.receiver.stop()

    def __enter__(self) -> "GnssSession":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def ended(self) -> bool:
        """Whether a file source has been read to its end."""
        return self.receiver.ended.is_set()

    def check_ntrip(self) -> None:
        """Raise the NTRIP client's fatal error (refused password, missing mountpoint), if any."""
        if self.ntrip is not None and self.ntrip.fatal is not None:
            raise self.ntrip.fatal

    def run_for(self, seconds: float | None) -> None:
        """Wait ``seconds`` (None: until a file source ends); stops early on a fatal NTRIP error."""
        deadline = None if seconds is None else time.monotonic() + seconds
        while deadline is None or time.monotonic() < deadline:
            self.check_ntrip()
            if self.ended and (self.ntrip is None or deadline is None):
                return
            left = 0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic()))
            self.receiver.ended.wait(left) if not self.ended else time.sleep(left)
        self.check_ntrip()

__all__ = ["GnssSession", "NtripError"]

"""Receiver links: serial port, TCP socket or log file, read on a thread with reconnect.

URLs (CLI.md): ``serial:///dev/ttyUSB0?baud=115200`` (``serial://COM3?baud=115200``
on Windows), ``tcp://HOST:PORT``, ``file:///path.nmea[?rate=LINES_PER_S]``
(a file is read as fast as possible unless a rate is given).  Bytes read go
through :class:`~importers.gnss.framing.NmeaFramer` into the status model;
:meth:`ReceiverLink.write` sends corrections back down the same port.
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from gis.errors import UsageError
from importers.gnss.framing import NmeaFramer
from importers.gnss.status import GnssStatus

_READ = 4096


@dataclass(frozen=True)
class SourceSpec:
    """A parsed receiver URL."""

    kind: str                 # serial | tcp | file
    target: str               # device, host or path
    port: int = 0             # TCP port
    baud: int = 115200
    rate: float = 0.0         # file pacing, lines per second (0 = as fast as possible)

    def describe(self) -> str:
        """Short text for logs and the survey record."""
        if self.kind == "tcp":
            return f"tcp://{self.target}:{self.port}"
        if self.kind == "serial":
            return f"serial://{self.target}?baud={self.baud}"
        return f"file://{self.target}"


def parse_source(url: str) -> SourceSpec:
    """Parse a receiver URL; UsageError naming what is wrong."""
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    try:
        if parts.scheme == "tcp":
            if not parts.hostname or parts.port is None:
                raise ValueError("expected tcp://HOST:PORT")
            return SourceSpec("tcp", parts.hostname, parts.port)
        if parts.scheme == "serial":
            device = unquote(parts.netloc + parts.path)
            if not device:
                raise ValueError("expected serial:///dev/ttyUSB0?baud=115200 or serial://COM3?baud=115200")
            return SourceSpec("serial", device, baud=int(query.get("baud", 115200)))
        if parts.scheme == "file":
            path = unquote(parts.netloc + parts.path)
            if not Path(path).is_file():
                raise ValueError(f"no such file {path}")
            rate = float(query.get("rate", 0))
            if rate < 0:
                raise ValueError("rate must be >= 0 lines per second")
            return SourceSpec("file", path, rate=rate)
    except ValueError as exc:
        raise UsageError(f"receiver source {url!r}: {exc}") from None
    raise UsageError(f"receiver source {url!r}: use serial://, tcp:// or file://")


class _Tcp:
    def __init__(self, spec: SourceSpec):
        self.sock = socket.create_connection((spec.target, spec.port), timeout=3.0)
        self.sock.settimeout(0.5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def read(self) -> bytes | None:
        try:
            data = self.sock.recv(_READ)
        except socket.timeout:
            return None
        if not data:
            raise ConnectionError("receiver closed the connection")
        return data

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close(self) -> None:
        self.sock.close()


class _Serial:
    def __init__(self, spec: SourceSpec):
        import serial

        try:
            self.port = serial.Serial(spec.target, spec.baud, timeout=0.5, write_timeout=2.0)
        except (serial.SerialException, ValueError) as exc:
            raise ConnectionError(f"cannot open {spec.target}: {exc}") from None

    def read(self) -> bytes | None:
        import serial

        try:
            data = self.port.read(1)
            if data and self.port.in_waiting:
                data += self.port.read(min(self.port.in_waiting, _READ))
        except (serial.SerialException, OSError) as exc:
            raise ConnectionError(f"serial port failed: {exc}") from None
        return data or None

    def write(self, data: bytes) -> None:
        import serial

        try:
            self.port.write(data)
        except (serial.SerialException, OSError) as exc:
            raise ConnectionError(f"serial port failed: {exc}") from None

    def close(self) -> None:
        self.port.close()


class _File:
    """A log file, optionally paced to ``rate`` lines per second."""

    def __init__(self, spec: SourceSpec):
        self.fh = open(spec.target, "rb")
        self.rate = spec.rate
        self.start = time.monotonic()
        self.lines = 0

    def read(self) -> bytes | None:
        if not self.rate:
            data = self.fh.read(65536)
            if not data:
                raise EOFError
            return data
        now = time.monotonic()
        due = int((now - self.start) * self.rate) + 1 - self.lines
        if due <= 0:
            time.sleep(min(self.start + self.lines / self.rate - now, 0.5))
            return None
        chunk = []
        for _ in range(min(due, 1000)):
            line = self.fh.readline()
            if not line:
                break
            chunk.append(line)
        if not chunk:
            raise EOFError
        self.lines += len(chunk)
        return b"".join(chunk)

    def write(self, data: bytes) -> None:
        raise ConnectionError("a log file cannot take corrections")

    def close(self) -> None:
        self.fh.close()


_TRANSPORTS = {"tcp": _Tcp, "serial": _Serial, "file": _File}


class ReceiverLink:
    """Reads a receiver on a background thread; reconnects when the port or socket goes away."""

    def __init__(self, spec: SourceSpec, status: GnssStatus, retry_s: tuple[float, float] = (0.5, 5.0)):
        self.spec = spec
        self.status = status
        self.framer = NmeaFramer()
        self.retry_s = retry_s
        self.written_bytes = 0
        self.dropped_bytes = 0
        self.ended = threading.Event()       # file source read to its end
        self._stop = threading.Event()
        self._io = None
        self._write_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"gnss-receiver {spec.describe()}", daemon=True)

    def start(self) -> "ReceiverLink":
        """Start reading."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        """Stop reading and close the port."""
        self._stop.set()
        self._thread.join(timeout)

    def write(self, data: bytes) -> bool:
        """Send bytes (corrections) to the receiver; False (and counted as dropped) if it is not connected."""
        with self._write_lock:
            io = self._io
            if io is None or self.spec.kind == "file":
                self.dropped_bytes += len(data)
                return False
            try:
                io.write(data)
            except (OSError, ConnectionError):
                self.dropped_bytes += len(data)
                return False
            self.written_bytes += len(data)
            return True

    def _run(self) -> None:
        delay = self.retry_s[0]
        attempts = 0
        while not self._stop.is_set():
            try:
                io = _TRANSPORTS[self.spec.kind](self.spec)
            except (OSError, ConnectionError) as exc:
                self.status.set_receiver(False, f"{self.spec.describe()}: {exc}")
                self._stop.wait(delay)
                delay = min(delay * 2, self.retry_s[1])
                continue
            with self._write_lock:
                self._io = io
            self.status.set_receiver(True, None, reconnected=attempts > 0)
            attempts += 1
            got_data = False
            try:
                while not self._stop.is_set():
                    data = io.read()
                    if data:
                        got_data = True
                        self.status.ingest_nmea(self.framer.feed(data), self.framer.counts)
                    else:
                        self.status.idle()
            except EOFError:
                self.status.end_of_stream()
                self.ended.set()
                self._stop.set()
            except (OSError, ConnectionError) as exc:
                self.status.set_receiver(False, f"{self.spec.describe()}: {exc}")
            finally:
                with self._write_lock:
                    self._io = None
                io.close()
                self.framer.reset()
            if got_data:
                delay = self.retry_s[0]
            if not self._stop.is_set():
                self._stop.wait(delay)
                delay = min(delay * 2, self.retry_s[1])
        self.status.set_receiver(False, self.status.receiver_error)

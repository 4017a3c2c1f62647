"""NTRIP client on plain sockets (NTRIP 1 and 2, Basic auth, GGA upload, reconnect).

Corrections reach the receiver only as complete CRC-valid RTCM 3 frames
(:class:`~importers.gnss.rtcm3.Rtcm3Framer`): a partial frame left when a
connection drops is discarded, the next connection resynchronises on the
next valid frame, so nothing torn or duplicated is ever written.  The
password lives in a :class:`~importers.gnss.credentials.Secret` and appears
in no message, log line or repr.
"""
from __future__ import annotations

import base64
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from gis.errors import SubterraError, UsageError
from importers.gnss.chunked import ChunkedDecoder, ChunkedError
from importers.gnss.credentials import Secret, resolve_password
from importers.gnss.rtcm3 import Rtcm3Framer
from importers.gnss.sourcetable import Sourcetable, parse_sourcetable
from importers.gnss.status import GnssStatus

log = logging.getLogger(__name__)

USER_AGENT = "NTRIP Subterra/0.1"
_MAX_HEADER = 16384


class NtripError(SubterraError):
    """The caster refused or broke the connection (CLI exit 2)."""

    exit_code = 2


class NtripAuthError(NtripError):
    """The caster rejected the user name or password."""


class NtripMountpointError(NtripError):
    """The caster has no such mountpoint."""


@dataclass
class NtripConfig:
    """Where and how to connect.  ``password`` never shows in repr."""

    host: str
    port: int
    mountpoint: str
    user: str | None = None
    password: Secret | None = field(default=None, repr=False)
    version: int = 1
    gga_interval: float = 10.0       # seconds between GGA uploads; 0 = never
    timeout: float = 10.0            # seconds without data before reconnecting

    def describe(self) -> str:
        """``ntrip://USER@HOST:PORT/MOUNT`` without the password."""
        who = f"{self.user}@" if self.user else ""
        return f"ntrip://{who}{self.host}:{self.port}/{self.mountpoint}"

    def auth_header(self) -> str:
        """The Authorization header line ('' without a user)."""
        if not self.user:
            return ""
        secret = self.password.reveal() if self.password else ""
        token = base64.b64encode(f"{self.user}:{secret}".encode()).decode("ascii")
        return f"Authorization: Basic {token}\r\n"


def parse_ntrip_url(url: str, version: int = 1, gga_interval: float = 10.0) -> NtripConfig:
    """Parse ``ntrip://USER[:PASS]@HOST:PORT/MOUNT``; the password comes from resolve_password."""
    parts = urlsplit(url)
    if parts.scheme != "ntrip" or not parts.hostname:
        raise UsageError("NTRIP URL must look like ntrip://USER[:PASS]@HOST:PORT/MOUNT")
    if version not in (1, 2):
        raise UsageError(f"--ntrip-version must be 1 or 2, not {version}")
    try:
        port = parts.port or 2101
    except ValueError:
        raise UsageError("NTRIP URL has a bad port") from None
    user = unquote(parts.username) if parts.username else None
    password = resolve_password(user, parts.hostname, port,
                                unquote(parts.password) if parts.password else None)
    return NtripConfig(parts.hostname, port, unquote(parts.path.lstrip("/")), user, password, version,
                       gga_interval)


def build_request(config: NtripConfig, path: str, gga: str | None = None) -> bytes:
    """The GET request for a mountpoint ('' = sourcetable)."""
    if config.version == 2:
        head = (f"GET /{path} HTTP/1.1\r\nHost: {config.host}:{config.port}\r\nNtrip-Version: Ntrip/2.0\r\n"
                f"User-Agent: {USER_AGENT}\r\n")
        if gga:
            head += f"Ntrip-GGA: {gga.strip()}\r\n"
    else:
        head = f"GET /{path} HTTP/1.0\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\n"
    return (head + config.auth_header() + "Connection: close\r\n\r\n").encode("ascii")


@dataclass
class Response:
    """A caster's answer: status line, headers, and body bytes already received."""

    status: str
    code: int
    headers: dict[str, str]
    body: bytes

    @property
    def is_sourcetable(self) -> bool:
        """Whether the caster answered with its sourcetable (so: no such mountpoint)."""
        return (self.status.startswith("SOURCETABLE")
                or self.headers.get("content-type", "").lower().startswith("gnss/sourcetable"))

    @property
    def chunked(self) -> bool:
        """Whether the body uses chunked transfer coding (NTRIP 2)."""
        return "chunked" in self.headers.get("transfer-encoding", "").lower()


def read_response(sock: socket.socket, where: str) -> Response:
    """Read the status line and headers (ICY 200 OK has none)."""
    buf = b""
    while True:
        if buf.startswith(b"ICY 200") and b"\r\n" in buf:
            line, rest = buf.split(b"\r\n", 1)
            return Response(line.decode("latin-1"), 200, {}, rest)
        end = buf.find(b"\r\n\r\n")
        if end >= 0:
            break
        if len(buf) > _MAX_HEADER:
            raise NtripError(f"{where}: caster sent no end of headers")
        try:
            data = sock.recv(4096)
        except socket.timeout:
            raise NtripError(f"{where}: caster did not answer") from None
        if not data:
            if buf:
                break
            raise NtripError(f"{where}: caster closed the connection without answering")
        buf += data
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = lines[0].strip()
    words = status.split()
    try:
        code = int(words[1])
    except (IndexError, ValueError):
        raise NtripError(f"{where}: not an NTRIP answer: {status[:60]!r}") from None
    headers = {}
    for line in lines[1:]:
        key, sep, value = line.partition(":")
        if sep:
            headers[key.strip().lower()] = value.strip()
    return Response(status, code, headers, body)


def _connect(config: NtripConfig, path: str, gga: str | None) -> tuple[socket.socket, Response]:
    where = config.describe() if path else f"ntrip://{config.host}:{config.port}/"
    try:
        sock = socket.create_connection((config.host, config.port), timeout=min(config.timeout, 5.0))
    except OSError as exc:
        raise NtripError(f"{where}: cannot connect ({exc.strerror or exc})") from None
    try:
        sock.settimeout(min(config.timeout, 5.0))
        sock.sendall(build_request(config, path, gga))
        resp = read_response(sock, where)
    except OSError as exc:
        sock.close()
        raise NtripError(f"{where}: connection failed ({exc.strerror or exc})") from None
    except NtripError:
        sock.close()
        raise
    if resp.code == 401 or resp.code == 403:
        sock.close()
        who = f"user {config.user!r}" if config.user else "no user name"
        raise NtripAuthError(f"{where}: the caster refused {who} ({resp.status}); check the user name and "
                             "password (SUBTERRA_NTRIP_PASSWORD, the keyring or the URL)")
    if resp.code != 200:
        sock.close()
        raise NtripError(f"{where}: the caster answered {resp.status!r}")
    return sock, resp


def _read_all(sock: socket.socket, resp: Response) -> bytes:
    data = resp.body
    while True:
        try:
            more = sock.recv(65536)
        except socket.timeout:
            break
        if not more:
            break
        data += more
        if b"ENDSOURCETABLE" in data[-64:]:
            break
    return ChunkedDecoder().feed(data) if resp.chunked else data


def fetch_sourcetable(config: NtripConfig) -> Sourcetable:
    """Download and parse the caster's sourcetable."""
    sock, resp = _connect(config, "", None)
    try:
        body = _read_all(sock, resp)
    finally:
        sock.close()
    return parse_sourcetable(body.decode("utf-8", "replace"))


class NtripClient:
    """Streams corrections from a mountpoint to ``forward`` on a thread, reconnecting with backoff.

    ``gga`` returns the GGA sentence to upload (None while there is no fix).
    Backoff doubles from ``retry_s[0]`` to ``retry_s[1]`` and resets after a
    connection that delivered valid frames.  A refused password or a missing
    mountpoint stops the client (retrying cannot help).
    """

    def __init__(self, config: NtripConfig, status: GnssStatus, forward: Callable[[bytes], object],
                 gga: Callable[[], str | None] | None = None, retry_s: tuple[float, float] = (0.5, 8.0)):
        self.config = config
        self.status = status
        self.forward = forward
        self.gga = gga or (lambda: None)
        self.retry_s = retry_s
        self.framer = Rtcm3Framer()
        self.gga_sent = 0
        self.fatal: NtripError | None = None
        self.stopped = threading.Event()
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._thread = threading.Thread(target=self._run, name=f"ntrip {config.describe()}", daemon=True)

    def start(self) -> "NtripClient":
        """Start streaming."""
        self.status.set_ntrip(state="connecting", mountpoint=self.config.mountpoint,
                              version=self.config.version, error=None)
        self._thread.start()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        """Stop streaming and close the connection."""
        self._stop.set()
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout)

    def _run(self) -> None:
        delay = self.retry_s[0]
        connections = 0
        try:
            while not self._stop.is_set():
                try:
                    sock, resp = self._open()
                except (NtripAuthError, NtripMountpointError) as exc:
                    self.fatal = exc
                    log.info("%s", exc)
                    return
                except NtripError as exc:
                    self.status.set_ntrip(state="reconnecting", error=str(exc))
                    log.info("%s", exc)
                    if self._stop.wait(delay):
                        break
                    delay = min(delay * 2, self.retry_s[1])
                    continue
                self.status.set_ntrip(state="streaming", error=None, reconnects=connections)
                connections += 1
                delivered, reason = self._stream(sock, resp)
                if self._stop.is_set():
                    break
                self.status.set_ntrip(state="reconnecting", error=reason)
                log.info("%s", reason)
                if delivered:
                    delay = self.retry_s[0]
                if self._stop.wait(delay):
                    break
                if not delivered:
                    delay = min(delay * 2, self.retry_s[1])
        finally:
            if isinstance(self.fatal, NtripAuthError):
                self.status.set_ntrip(state="auth_failed", error=str(self.fatal))
            elif self.fatal is not None:
                self.status.set_ntrip(state="error", error=str(self.fatal))
            else:
                self.status.set_ntrip(state="stopped")
            self.stopped.set()

    def _open(self) -> tuple[socket.socket, Response]:
        cfg = self.config
        gga = self.gga() if cfg.gga_interval and cfg.version == 2 else None
        sock, resp = _connect(cfg, cfg.mountpoint, gga)
        if resp.is_sourcetable:
            sock.close()
            raise NtripMountpointError(f"{cfg.describe()}: the caster has no mountpoint {cfg.mountpoint!r} "
                                       "(it answered with its sourcetable)")
        return sock, resp

    def _stream(self, sock: socket.socket, resp: Response) -> tuple[bool, str]:
        """Forward frames until the connection ends; returns (delivered any frame, why it ended)."""
        cfg = self.config
        self._sock = sock
        sock.settimeout(0.5)
        dechunk = ChunkedDecoder() if resp.chunked else None
        delivered = False
        last_data = time.monotonic()
        last_gga = -1e9
        pending = resp.body
        reason = "stopped"
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                if cfg.gga_interval and now - last_gga >= cfg.gga_interval:
                    sentence = self.gga()
                    if sentence:
                        sock.sendall(sentence.encode("ascii"))
                        self.gga_sent += 1
                        last_gga = now
                if pending:
                    data, pending = pending, b""
                else:
                    try:
                        data = sock.recv(16384)
                    except socket.timeout:
                        if time.monotonic() - last_data > cfg.timeout:
                            reason = f"{cfg.describe()}: no data for {cfg.timeout:g} s"
                            break
                        continue
                    if not data:
                        reason = f"{cfg.describe()}: the caster closed the stream"
                        break
                    last_data = time.monotonic()
                if dechunk is not None:
                    data = dechunk.feed(data)
                frames = self.framer.feed(data)
                if frames:
                    self.forward(b"".join(frames))
                    delivered = True
                self.status.record_rtcm(frames, self.framer.crc_errors)
                if dechunk is not None and dechunk.finished:
                    reason = f"{cfg.describe()}: the caster ended the stream"
                    break
        except ChunkedError as exc:
            reason = f"{cfg.describe()}: broken chunked stream ({exc})"
        except OSError as exc:
            reason = f"{cfg.describe()}: connection lost ({exc.strerror or exc})"
        finally:
            self._sock = None
            sock.close()
            self.framer.reset()
        return delivered, reason

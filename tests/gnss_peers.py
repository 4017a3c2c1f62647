"""Real peers on 127.0.0.1 for the GNSS tests: RTKLIB str2str as NTRIP caster, a paced NMEA receiver.

- :class:`Caster` runs ``str2str -in tcpsvr://:IN -out ntripc://USER:PASS@:OUT/MOUNT:... -b 1``
  and a feeder thread that connects to IN and plays an RTCM3 file at a set
  byte rate in odd-sized pieces; GGA the caster relays back (-b 1) is kept
  in ``feeder_received``.  kill() / restart() stop and start the caster.
- :class:`NmeaReceiver` is a TCP server that plays an NMEA log to each client
  at a set line rate and records every byte the client writes to it.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "gnss"


def free_port() -> int:
    """A TCP port free on this machine right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 5.0) -> None:
    """Block until something accepts on 127.0.0.1:port."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def receive(sock: socket.socket, size: int, closed: str) -> bytes:
    """What ``sock`` has now (b"" when nothing is waiting); ConnectionError(``closed``) once the peer has closed."""
    try:
        data = sock.recv(size)
    except (socket.timeout, BlockingIOError):
        return b""
    if not data:
        raise ConnectionError(closed)
    return data


class Caster:
    """str2str NTRIP 1 caster fed with a real RTCM3 file."""

    SOURCE_FIELDS = "Test;RTCM 3.2;1077(1),1087(1);2;GPS+GLO;SUBTERRA;JPN;35.25;139.75;1;0;str2str;none;B;N;0;"

    def __init__(self, rtcm: bytes, user: str = "rover", password: str = "s3cret", mount: str = "GMSD",
                 rate_bps: int = 40000, loop: bool = True):
        if shutil.which("str2str") is None:
            raise RuntimeError("str2str (Debian package rtklib) is not installed: run make setup")
        self.rtcm, self.user, self.password, self.mount = rtcm, user, password, mount
        self.rate_bps, self.loop = rate_bps, loop
        self.in_port, self.port = free_port(), free_port()
        self.proc: subprocess.Popen | None = None
        self.feeder_received = bytearray()
        self.sent = 0
        self._stop = threading.Event()
        self._feeder = threading.Thread(target=self._feed, daemon=True)

    def start(self) -> "Caster":
        """Start str2str and the feeder."""
        self._spawn()
        self._feeder.start()
        return self

    def _spawn(self) -> None:
        out = f"ntripc://{self.user}:{self.password}@:{self.port}/{self.mount}:{self.SOURCE_FIELDS}"
        self.proc = subprocess.Popen(["str2str", "-in", f"tcpsvr://:{self.in_port}", "-out", out, "-b", "1"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        wait_port(self.port)

    def kill(self) -> None:
        """SIGKILL the caster (clients see the connection drop)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def restart(self) -> None:
        """Start the caster again on the same ports."""
        end = time.monotonic() + 5
        while True:
            try:
                self._spawn()
                return
            except TimeoutError:
                if time.monotonic() > end:
                    raise

    def close(self) -> None:
        """Stop everything."""
        self._stop.set()
        self.kill()
        self._feeder.join(3)

    def _feed(self) -> None:
        pos, sizes, k = 0, (517, 1, 1300, 77, 2048, 3), 0
        while not self._stop.is_set():
            try:
                sock = socket.create_connection(("127.0.0.1", self.in_port), timeout=0.5)
            except OSError:
                time.sleep(0.05)
                continue
            sock.settimeout(0.01)
            start, sent_here = time.monotonic(), 0
            try:
                while not self._stop.is_set():
                    if pos >= len(self.rtcm):
                        if not self.loop:
                            time.sleep(0.05)
                            self._drain(sock)
                            continue
                        pos = 0
                    due = start + sent_here / self.rate_bps - time.monotonic()
                    if due > 0:
                        time.sleep(min(due, 0.05))
                    piece = self.rtcm[pos:pos + sizes[k % len(sizes)]]
                    k += 1
                    sock.sendall(piece)
                    pos += len(piece)
                    sent_here += len(piece)
                    self.sent += len(piece)
                    self._drain(sock)
            except OSError:
                pass
            finally:
                sock.close()

    def _drain(self, sock: socket.socket) -> None:
        self.feeder_received += receive(sock, 4096, "caster input closed")


class NmeaReceiver:
    """A TCP 'receiver' on 127.0.0.1 playing an NMEA log and recording what clients write."""

    def __init__(self, log: bytes, lines_per_s: float = 2000.0, loop: bool = False):
        self.lines = log.splitlines(keepends=True)
        self.rate, self.loop = lines_per_s, loop
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.written = bytearray()
        self.clients = 0
        self._conns: list[socket.socket] = []
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        """tcp:// URL of the receiver."""
        return f"tcp://127.0.0.1:{self.port}"

    def drop_clients(self) -> None:
        """Close every client connection (the receiver 'goes away')."""
        for c in list(self._conns):
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()
        self._conns.clear()

    def close(self) -> None:
        """Stop serving."""
        self._stop.set()
        self.drop_clients()
        self.server.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.clients += 1
            self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.005)
        start, i = time.monotonic(), 0
        try:
            while not self._stop.is_set():
                if i >= len(self.lines):
                    if not self.loop:
                        self._read(conn)
                        time.sleep(0.01)
                        continue
                    i, start = 0, time.monotonic()
                due = int((time.monotonic() - start) * self.rate) + 1
                if due > i:
                    conn.sendall(b"".join(self.lines[i:due]))
                    i = min(due, len(self.lines))
                self._read(conn)
        except OSError:
            pass

    def _read(self, conn: socket.socket) -> None:
        self.written += receive(conn, 65536, "client left")

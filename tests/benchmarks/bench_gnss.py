"""GNSS figures: NMEA throughput of the full input path, sentence->status latency, CPU while streaming.

Baselines measured in the same run: pynmeagps NMEAReader.read() over the same
bytes (throughput), and the CLI's own start-up CPU (for the streaming CPU share).
"""
from __future__ import annotations

import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from importers.gnss.framing import nmea_checksum
from importers.gnss.sources import ReceiverLink, parse_source
from importers.gnss.status import GnssStatus
from tests.gnss_peers import DATA, Caster, NmeaReceiver, free_port, wait_port

ROOT = Path(__file__).resolve().parents[2]


def _big_log(lines: int) -> bytes:
    one = (DATA / "gpsd-ublox-zed-f9p-nmea.log").read_bytes()
    body = b"".join(l for l in one.splitlines(keepends=True) if l.startswith(b"$"))
    reps = lines // body.count(b"\n") + 1
    return body * reps


def throughput() -> tuple[float, float, int]:
    """Lines/s of ReceiverLink over TCP (socat serving a file) and of pynmeagps on the same bytes."""
    data = _big_log(200_000)
    n_lines = data.count(b"\n")
    with tempfile.NamedTemporaryFile(suffix=".nmea", delete=False) as fh:
        fh.write(data)
    port = free_port()
    srv = subprocess.Popen(["socat", "-u", f"FILE:{fh.name}", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr"])
    try:
        time.sleep(0.3)
        status = GnssStatus()
        t0 = time.perf_counter()
        link = ReceiverLink(parse_source(f"tcp://127.0.0.1:{port}"), status, retry_s=(0.05, 0.05)).start()
        while status.snapshot()["nmea"]["sentences"] < n_lines and time.perf_counter() - t0 < 120:
            time.sleep(0.01)
        dt = time.perf_counter() - t0
        got = status.snapshot()["nmea"]["sentences"]
        link.stop()
    finally:
        srv.kill()
        srv.wait()
        os.unlink(fh.name)
    from pynmeagps import NMEAReader

    reader = NMEAReader(io.BytesIO(data), quitonerror=0)
    t0 = time.perf_counter()
    count = 0
    while True:
        raw, msg = reader.read()
        if raw is None:
            break
        count += 1
    base = count / (time.perf_counter() - t0)
    return got / dt, base, got


def latency(samples: int = 100) -> list[float]:
    """Seconds from a GGA written to the socket to the status model reporting it."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    status = GnssStatus()
    seen: dict[str, float] = {}

    def on_change(st: GnssStatus) -> None:
        ep = st.latest_epoch()
        if ep is not None and ep.time not in seen:
            seen[ep.time] = time.perf_counter()

    status.subscribe(on_change)
    link = ReceiverLink(parse_source(f"tcp://127.0.0.1:{port}"), status).start()
    conn, _ = server.accept()
    sent: dict[str, float] = {}
    for i in range(samples):
        t = f"1200{i // 20:02d}.{(i % 20) * 5:02d}"
        body = f"GNGGA,{t},3114.8953,N,12135.2439,E,4,18,0.6,10.0,M,8.3,M,1.0,0001"
        line = f"${body}*{nmea_checksum(body.encode()):02X}\r\n".encode()
        sent[t] = time.perf_counter()
        conn.sendall(line)
        time.sleep(0.05)
    time.sleep(0.2)
    link.stop()
    conn.close()
    server.close()
    return [seen[t] - sent[t] for t in sent if t in seen]


def _cli_cpu(args: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one `python -m app ...` run."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), SUBTERRA_NTRIP_PASSWORD="pw")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "app", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - t0


def cpu_share(seconds: float = 20.0) -> tuple[float, float, float]:
    """CPU of `gnss status` streaming 10 Hz F9P NMEA + RTCM3 for ``seconds``, minus its start-up CPU."""
    rx = NmeaReceiver((DATA / "gpsd-ublox-zed-f9p-nmea.log").read_bytes(), lines_per_s=350, loop=True)
    caster = Caster((DATA / "GMSD7_20121014.rtcm3").read_bytes(), password="pw", rate_bps=5000).start()
    try:
        ntrip = f"ntrip://{caster.user}@127.0.0.1:{caster.port}/{caster.mount}"
        base_cpu, _ = _cli_cpu(["gnss", "status", "--source", rx.url, "--seconds", "0"])
        cpu, wall = _cli_cpu(["gnss", "status", "--source", rx.url, "--ntrip", ntrip, "--seconds", str(seconds)])
        written = len(rx.written)
    finally:
        caster.close()
        rx.close()
    return (cpu - base_cpu) / seconds, base_cpu, written


def main() -> None:
    """Measure and print the figures."""
    rate, base, n = throughput()
    print(f"NMEA throughput, full input path (socat TCP -> framer -> status): {rate:,.0f} lines/s "
          f"({n:,} sentences); pynmeagps read() on the same bytes: {base:,.0f} lines/s; ratio {rate / base:.2f}x; "
          f"goal >= 20,000")
    lat = latency()
    lat_ms = sorted(v * 1000 for v in lat)
    print(f"latency socket -> status model: median {statistics.median(lat_ms):.2f} ms, "
          f"p95 {lat_ms[int(len(lat_ms) * 0.95) - 1]:.2f} ms, max {lat_ms[-1]:.2f} ms over {len(lat_ms)} GGAs; "
          f"goal < 100 ms")
    share, base_cpu, written = cpu_share()
    print(f"CPU streaming 10 Hz NMEA (350 lines/s) + RTCM3 5 kB/s via str2str: {share * 100:.2f}% of one core "
          f"(start-up CPU {base_cpu:.2f} s subtracted; {written:,} correction bytes reached the receiver); goal < 5%")


if __name__ == "__main__":
    main()

"""GNSS panel figures: CPU the app's status panel adds while streaming, and the cost of one refresh.

Baseline measured in the same run: the same receiver + NTRIP session (10 Hz
F9P NMEA, RTCM3 through str2str) with the Qt event loop running but no
panel.  Run under a display (``make bench`` uses xvfb-run).
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time

from tests.benchmarks.common import machine
from tests.gnss_peers import DATA, Caster, NmeaReceiver

SECONDS = 15.0


def _spin(app, seconds: float) -> float:
    """Run the event loop for ``seconds``; process CPU seconds used meanwhile."""
    c0, end = time.process_time(), time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
    return time.process_time() - c0


def _timed(fn, spent: list[float]):
    def wrapper(*args):
        t0 = time.perf_counter()
        fn(*args)
        spent.append(time.perf_counter() - t0)
    return wrapper


def _session(rx: NmeaReceiver, caster: Caster):
    from importers.gnss.credentials import Secret
    from importers.gnss.ntrip import NtripConfig
    from importers.gnss.session import GnssSession
    from importers.gnss.sources import parse_source

    cfg = NtripConfig("127.0.0.1", caster.port, caster.mount, caster.user, Secret(caster.password), 1, 10.0)
    return GnssSession(parse_source(rx.url), cfg)


def main() -> None:
    """Measure and print the figures."""
    os.environ.setdefault("SUBTERRA_SETTINGS", os.path.join(tempfile.mkdtemp(), "bench.ini"))
    from PySide6.QtWidgets import QApplication

    from app.gui import settings as st
    from app.gui.gnss_panel import GnssPanel

    app = QApplication.instance() or QApplication([])
    rx = NmeaReceiver((DATA / "gpsd-ublox-zed-f9p-nmea.log").read_bytes(), lines_per_s=350, loop=True)
    caster = Caster((DATA / "GMSD7_20121014.rtcm3").read_bytes(), password="pw", rate_bps=5000).start()
    try:
        session = _session(rx, caster).start()
        _spin(app, 2.0)                                    # connections up, first epochs in
        base = _spin(app, SECONDS)
        session.stop()

        panel = GnssPanel(st.open_settings())
        panel.resize(340, 1400)
        panel.show()
        panel.source_edit.setText(rx.url)
        panel.ntrip_check.setChecked(True)
        panel.host_edit.setText("127.0.0.1")
        panel.port_spin.setValue(caster.port)
        panel.mount_edit.setText(caster.mount)
        panel.user_edit.setText(caster.user)
        panel.password_edit.setText(caster.password)
        times: dict[str, list[float]] = {"_show": [], "_show_plots": []}
        for name, spent in times.items():
            setattr(panel, name, _timed(getattr(panel, name), spent))
        assert panel.connect_receiver()
        _spin(app, 2.0)
        for spent in times.values():
            spent.clear()
        with_panel = _spin(app, SECONDS)
        t0 = time.perf_counter()
        for _ in range(20):
            for plot in (panel.sky, panel.scatter):
                plot.changed()
                plot.repaint()
        paint_ms = (time.perf_counter() - t0) / 20 * 1000
        sats, points = len(panel.sky.sats), len(panel.scatter.north)
        panel.disconnect_receiver(wait=True)
    finally:
        caster.close()
        rx.close()
    b, p = base / SECONDS * 100, with_panel / SECONDS * 100
    print(f"machine: {machine()}")
    print(f"CPU streaming 10 Hz F9P NMEA (350 lines/s) + RTCM3 5 kB/s for {SECONDS:g} s: "
          f"session alone {b:.2f}% of one core, with the GNSS panel {p:.2f}% "
          f"(panel adds {p - b:.2f} points; ratio {p / b if b else float('nan'):.2f}x)")
    labels, plots = (sorted(t * 1000 for t in times[k]) for k in ("_show", "_show_plots"))
    print(f"panel status refresh (labels, RTCM table): median {statistics.median(labels):.2f} ms, "
          f"p95 {labels[int(len(labels) * 0.95) - 1]:.2f} ms over {len(labels)} refreshes (polled every 250 ms); "
          f"plot data: median {statistics.median(plots):.2f} ms over {len(plots)} (at most 1 Hz); "
          f"sky + scatter repaint {paint_ms:.2f} ms ({sats} satellites, {points} positions)")


if __name__ == "__main__":
    main()

"""The GNSS panel against real peers on 127.0.0.1: a paced NMEA receiver over TCP and str2str as caster."""
from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app.gui.gnss_plots import CONSTELLATION_RGB
from importers.gnss import constellations as cons
from tests.gnss_peers import DATA, Caster, NmeaReceiver
from tests.gui.conftest import make_window

F9P = (DATA / "gpsd-ublox-zed-f9p-nmea.log").read_bytes()
RTCM = (DATA / "GMSD7_20121014.rtcm3").read_bytes()
PASSWORD = "Zq7-secret!pw"


@pytest.fixture
def gnss_window(qtbot, qapp):
    """The main window with the GNSS dock shown; the receiver is disconnected when the test ends."""
    win = make_window(qtbot, qapp)
    win.gnss.dock.show()
    win.gnss.dock.raise_()
    yield win
    win.gnss.panel.disconnect_receiver(wait=True)


@pytest.fixture
def f9p():
    rx = NmeaReceiver(F9P, lines_per_s=400, loop=True)
    yield rx
    rx.close()


@pytest.fixture
def caster():
    c = Caster(RTCM, password=PASSWORD, rate_bps=20000, loop=True).start()
    yield c
    c.close()


def _ntrip_to(panel, caster) -> None:
    """Turn NTRIP on towards the local caster: host, port, mount and user (the password is the test's)."""
    panel.ntrip_check.setChecked(True)
    panel.host_edit.setText("127.0.0.1")
    panel.port_spin.setValue(caster.port)
    panel.mount_edit.setText(caster.mount)
    panel.user_edit.setText(caster.user)


def _connect(qtbot, panel, url: str) -> None:
    panel.source_edit.setText(url)
    qtbot.mouseClick(panel.connect_button, Qt.MouseButton.LeftButton)
    assert panel.session is not None, "connect failed"


def _colour_count(image, rgb) -> int:
    """Pixels of exactly ``rgb`` in a QImage."""
    import numpy as np

    img = image.convertToFormat(image.Format.Format_RGB888)
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    arr = arr[:, :img.width() * 3].reshape(img.height(), img.width(), 3)
    return int((arr == np.array(rgb, np.uint8)).all(axis=2).sum())


def test_every_constellation_has_a_colour_and_beidou_its_name():
    from app.gui.gnss_plots import constellation_label

    assert set(CONSTELLATION_RGB) == set(cons.CONSTELLATIONS)
    assert len(set(CONSTELLATION_RGB.values())) == len(CONSTELLATION_RGB)
    assert constellation_label(cons.BDS) == "北斗 BeiDou" and constellation_label(cons.GPS) == "GPS"


def test_f9p_log_shows_fix_beidou_sigmas_and_sky(qtbot, gnss_window, f9p):
    panel = gnss_window.gnss.panel
    assert panel.fix_label.text() == "Not connected"
    _connect(qtbot, panel, f9p.url)
    qtbot.waitUntil(lambda: "北斗 BeiDou 6" in panel.values["sats"].text()
                    and panel.values["sigma"].text() != "—", timeout=20000)
    sats = panel.values["sats"].text()
    assert sats.startswith("20 (") and "GPS 8" in sats and "GLONASS 3" in sats and "Galileo 3" in sats
    assert panel.fix_label.text() == "Single" and panel.fix_label.property("fix") == "single"
    assert panel.values["sigma"].text().startswith("4.")            # GST sigmas of the F9P log (metres)
    assert panel.values["dop"].text().startswith("0.")              # HDOP 0.6..0.8 / PDOP ~1
    assert "connected" in panel.values["receiver"].text()
    assert panel.values["ntrip"].text() == "off"
    pos = panel.position
    assert pos.lat == pytest.approx(-45.8776, abs=1e-3) and pos.lon == pytest.approx(170.5001, abs=1e-3)
    qtbot.waitUntil(lambda: float(panel.values["rate"].text().split()[0]) > 0, timeout=10000)

    # sky plot: every constellation drawn in its colour; a used satellite filled where az/el put it
    sky = panel.sky
    qtbot.waitUntil(lambda: {s.constellation for s in sky.sats} >= {cons.GPS, cons.GLONASS, cons.GALILEO,
                                                                     cons.BDS}, timeout=10000)
    image = sky.grab().toImage()
    for name in (cons.GPS, cons.GLONASS, cons.GALILEO, cons.BDS):
        assert _colour_count(image, CONSTELLATION_RGB[name]) > 40, name
    used = next(s for s in sky.sats if s.used and s.constellation == cons.GPS and s.elevation)
    centre = sky.sat_position(used.elevation, used.azimuth)
    assert image.pixelColor(int(centre.x()), int(centre.y())).getRgb()[:3] == CONSTELLATION_RGB[cons.GPS]
    assert _colour_count(image, (255, 255, 255)) > 0                 # the paper is white
    # scatter of the occupation so far, in metres around the mean
    qtbot.waitUntil(lambda: len(panel.scatter.north) > 3, timeout=10000)
    assert max(abs(v) for v in panel.scatter.north + panel.scatter.east) < 50

    gnss_window.set_language("zh_CN")
    assert gnss_window.gnss.menu.title() == "GNSS / 测量(&G)"
    qtbot.waitUntil(lambda: panel.fix_label.text() == "单点解", timeout=5000)
    # (the log's epochs differ: wait for one that used BeiDou satellites)
    qtbot.waitUntil(lambda: "北斗 BeiDou 6" in panel.values["sats"].text(), timeout=10000)
    gnss_window.set_language("en")

    qtbot.mouseClick(panel.connect_button, Qt.MouseButton.LeftButton)
    assert panel.session is None and panel.fix_label.text() == "Not connected"
    assert panel.connect_button.text() == "Connect" and panel.source_edit.isEnabled()


def test_ntrip_streams_rtcm_password_never_saved_or_logged(qtbot, gnss_window, f9p, caster, caplog,
                                                           isolated_settings):
    caplog.set_level(logging.DEBUG)
    panel = gnss_window.gnss.panel
    _ntrip_to(panel, caster)
    qtbot.keyClicks(panel.password_edit, PASSWORD)
    panel.gga_spin.setValue(0.5)
    _connect(qtbot, panel, f9p.url)
    qtbot.waitUntil(lambda: panel.values["ntrip"].text().startswith("streaming, GMSD (NTRIP 1)"), timeout=20000)
    qtbot.waitUntil(lambda: panel.rtcm_table.rowCount() >= 4, timeout=20000)
    types = {panel.rtcm_table.item(r, 0).text(): int(panel.rtcm_table.item(r, 1).text())
             for r in range(panel.rtcm_table.rowCount())}
    assert types.get("1077", 0) > 0 and panel.rtcm_table.item(0, 2).text()       # with pyrtcm's name
    assert "frames" in panel.values["rtcm"].text() and "0 CRC errors" in panel.values["rtcm"].text()
    qtbot.waitUntil(lambda: panel.values["age"].text() != "—", timeout=10000)
    assert float(panel.values["age"].text().split()[0]) < 10
    qtbot.waitUntil(lambda: len(f9p.written) > 100, timeout=10000)        # corrections reach the receiver
    assert f9p.written[0] == 0xD3
    qtbot.waitUntil(lambda: b"GGA" in bytes(caster.feeder_received), timeout=10000)   # GGA reaches the caster

    # sourcetable: mountpoints with their distance from the receiver; double-click picks one
    panel.mount_edit.clear()
    gnss_window.gnss.show_sourcetable()
    dlg = gnss_window.gnss.sourcetable_dialog
    qtbot.waitUntil(lambda: dlg.table.rowCount() == 1, timeout=15000)
    assert dlg.table.item(0, 0).text() == "GMSD" and dlg.table.item(0, 6).text() == "SUBTERRA"
    from importers.gnss.sourcetable import Stream

    expected = Stream("GMSD", lat=35.25, lon=139.75).distance_km(panel.position.lat, panel.position.lon)
    assert float(dlg.table.item(0, 1).text().replace(",", "")) == pytest.approx(expected, abs=0.2)
    rect = dlg.table.visualItemRect(dlg.table.item(0, 0))
    qtbot.mouseClick(dlg.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dlg.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.mount_edit.text() == "GMSD" and not dlg.isVisible()

    gnss_window.save_settings()
    gnss_window.gnss.shutdown()
    text = isolated_settings.read_bytes()
    assert b"127.0.0.1" in text and b"rover" in text and b"GMSD" in text     # the rest is remembered
    assert PASSWORD.encode() not in text
    assert PASSWORD not in caplog.text
    import base64

    assert base64.b64encode(f"rover:{PASSWORD}".encode()).decode() not in caplog.text


def test_wrong_password_shows_refusal_without_the_password(qtbot, gnss_window, f9p, caster, caplog):
    caplog.set_level(logging.DEBUG)
    panel = gnss_window.gnss.panel
    _ntrip_to(panel, caster)
    panel.password_edit.setText("wrong-" + PASSWORD)
    _connect(qtbot, panel, f9p.url)
    qtbot.waitUntil(lambda: "refused (user name or password)" in panel.values["ntrip"].text(), timeout=20000)
    assert "user 'rover'" in panel.values["ntrip"].text()
    assert "refused user 'rover'" in caplog.text                 # the refusal is logged, the password is not
    assert PASSWORD not in panel.values["ntrip"].text() and PASSWORD not in caplog.text
    assert panel.rtcm_table.rowCount() == 0


def test_bad_source_says_why_and_stays_disconnected(qtbot, gnss_window, tmp_path):
    panel = gnss_window.gnss.panel
    panel.source_edit.setText(f"file://{tmp_path}/missing.nmea")
    qtbot.mouseClick(panel.connect_button, Qt.MouseButton.LeftButton)
    box = next(w for w in gnss_window.findChildren(QMessageBox) if w.objectName() == "gnssError")
    assert "no such file" in box.text() and "\n" not in box.text()
    assert panel.session is None and not gnss_window.gnss.act_survey.isEnabled()
    box.close()
    QApplication.processEvents()


def test_painting_for_hours_keeps_none_alive(qtbot):
    """A field session repaints the plots for hours: the Qt binding must not leak references to None
    (PySide6 6.12.0 under Python 3.11 dropped one per void call and aborted the app within a minute)."""
    import sys

    from app.gui.gnss_plots import ScatterPlot, SkyPlot
    from importers.gnss.status import SkySat

    sky, scatter = SkyPlot(), ScatterPlot()
    for w in (sky, scatter):
        qtbot.addWidget(w)
        w.resize(300, 320)
        w.show()
    sky.set_sats([SkySat(name, prn, 10 + prn % 80, (prn * 37) % 360, 20 + prn % 30, prn % 2 == 0)
                  for name in (cons.GPS, cons.GLONASS, cons.GALILEO, cons.BDS) for prn in range(1, 16)])
    scatter.set_points([0.01 * k for k in range(200)], [-0.01 * k for k in range(200)], ["rtk_fixed"] * 200)
    before = sys.getrefcount(None)
    for _ in range(100):
        for plot in (sky, scatter):
            plot.changed()                              # new data: drawn again, not copied
            plot.repaint()
    assert sys.getrefcount(None) > before - 100        # tens of thousands of void calls were made

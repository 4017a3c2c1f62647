"""NMEA input: framing, checksums, sentence decoding, talkers, dirty streams, reconnect, serial."""
from __future__ import annotations

import functools
import operator
import os
import re
import time

import pytest

from importers.gnss.constellations import classify
from importers.gnss.framing import NmeaFramer, nmea_checksum
from importers.gnss.nmea import FIX_NAMES, parse_gga, parse_gns, parse_gsa, parse_gsv, parse_gst
from importers.gnss.sources import ReceiverLink, parse_source
from importers.gnss.status import GnssStatus
from tests.gnss_peers import DATA, NmeaReceiver


def _independent_valid_lines(data: bytes) -> list[str]:
    """Sentences with a correct checksum, found by a regex and functools.reduce (not the framer)."""
    out = []
    for m in re.finditer(rb"[$!]([^$!\r\n*]*)\*([0-9A-Fa-f]{2})\r?\n", data):
        body = m.group(1)
        if functools.reduce(operator.xor, body, 0) == int(m.group(2), 16):
            out.append(body.decode("ascii"))
    return out


def _sentence(body: str) -> bytes:
    return f"${body}*{nmea_checksum(body.encode()):02X}\r\n".encode()


def _read_file(name: str, status: GnssStatus | None = None) -> GnssStatus:
    status = status or GnssStatus()
    link = ReceiverLink(parse_source(f"file://{DATA / name}"), status).start()
    assert link.ended.wait(10)
    link.stop()
    return status


def test_checksum_matches_reduce():
    for n in range(0, 100):
        body = bytes((i * 37 + n) % 94 + 32 for i in range(n))
        assert nmea_checksum(body) == functools.reduce(operator.xor, body, 0)


@pytest.mark.parametrize("name", ["gpsd-nmea-rtk.log", "gpsd-ublox-zed-f9p-nmea.log", "dirty_nmea.bin",
                                  "pygnssutils-f9p-base-mixed.log"])
def test_framer_keeps_exactly_the_valid_sentences(name):
    data = (DATA / name).read_bytes()
    framer = NmeaFramer()
    got = framer.feed(data)
    assert got == _independent_valid_lines(data)
    assert framer.counts.sentences == len(got)


def test_framer_result_does_not_depend_on_read_sizes():
    data = (DATA / "dirty_nmea.bin").read_bytes()
    whole = NmeaFramer()
    expected = whole.feed(data)
    for step in (1, 7, 83, 1024):
        framer = NmeaFramer()
        got = []
        for i in range(0, len(data), step):
            got += framer.feed(data[i:i + step])
        assert got == expected, step
        assert framer.counts == whole.counts, step


def test_dirty_stream_reports_its_errors_without_crashing():
    status = _read_file("dirty_nmea.bin")
    nm = status.snapshot()["nmea"]
    assert nm["sentences"] == len(_independent_valid_lines((DATA / "dirty_nmea.bin").read_bytes()))
    assert nm["bad_checksum"] > 0 and nm["garbage_bytes"] > 0 and nm["unparsed"] > 0
    assert status.snapshot()["fix_counts"]["rtk_fixed"] > 0


def test_binary_frames_in_the_receiver_stream_are_stepped_over():
    data = (DATA / "pygnssutils-f9p-base-mixed.log").read_bytes()
    framer = NmeaFramer()
    framer.feed(data)
    assert framer.counts.binary_frames > 1000          # UBX + RTCM3 frames of a real F9P base
    assert framer.counts.bad_checksum == 0 and framer.counts.garbage_bytes == 0


def test_torn_line_then_new_sentence():
    good = _sentence("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,")
    framer = NmeaFramer()
    got = framer.feed(b"$GPGGA,1235\x00\xff" + good[:30]) + framer.feed(good[30:] + b"$GPRMC,1*00\r\n")
    assert got == [good[1:-5].decode()]
    assert framer.counts.bad_checksum == 1 and framer.counts.garbage_bytes > 0


def test_gga_qualities_map_to_fix_names():
    for q, name in enumerate(FIX_NAMES):
        f = f"GNGGA,120000.00,3114.8953,N,12135.2439,E,{q},12,0.8,10.0,M,8.3,M,1.2,0133".split(",")
        assert parse_gga(f).fix == name
    pos = parse_gga("GNGGA,120000.00,3114.8953,S,12135.2439,W,4,12,0.8,10.0,M,8.3,M,1.2,0133".split(","))
    assert pos.lat == pytest.approx(-(31 + 14.8953 / 60)) and pos.lon == pytest.approx(-(121 + 35.2439 / 60))
    assert pos.h_ell == pytest.approx(18.3) and pos.diff_age == 1.2


def test_gns_gsa_gsv_gst_fields():
    assert parse_gns("GNGNS,053233.438,3114.8821,N,12135.2428,E,RNFN,07,1.2,167.2,8.3,,0000".split(",")).fix \
        == "rtk_fixed"
    gsa = parse_gsa("GNGSA,A,3,13,12,22,19,08,21,,,,,,,1.05,0.64,0.83,4".split(","))
    assert gsa.prns == (13, 12, 22, 19, 8, 21) and gsa.system_id == 4 and gsa.pdop == 1.05
    legacy = parse_gsa("BDGSA,A,3,02,03,04,,,,,,,,,,5.1,1.3,4.9,3.3".split(","))
    assert legacy.system_id is None                   # a float 18th field is not an NMEA 4.10 system id
    gsv = parse_gsv("GPGSV,3,1,12,05,06,110,19,10,24,284,34,13,37,124,29,15,63,083,11,1".split(","))
    assert gsv.signal_id == "1" and gsv.sats[1] == (10, 24, 284, 34)
    assert parse_gst("GNGST,003956.00,1.2,,,,0.3,0.4,0.5".split(",")).sigma_h == pytest.approx(0.5)


def test_constellation_classification():
    assert classify("GB", 5) == classify("BD", 5) == classify("GN", 201) == classify("GN", 5, 4) == "BDS"
    assert classify("GN", 70) == "GLONASS" and classify("GP", 40) == "SBAS" and classify("GA", 12) == "Galileo"
    assert classify("GQ", 2) == "QZSS" and classify("GN", 12, 3) == "Galileo"


def test_beidou_counted_from_gb_talker():
    snap = _read_file("gpsd-beidou-gb.log").snapshot()
    # last epoch: GNGSA 22,18,14,12,31,24 + GNGSA 201; GPGSV says 18 in view, GBGSV 11
    assert snap["satellites_used"] == {"total": 7, "GPS": 6, "BDS": 1}
    assert snap["satellites_in_view"] == {"GPS": 18, "BDS": 11}


def test_beidou_counted_from_legacy_bd_talker():
    status = _read_file("gpsd-beidou-bd.log")
    snap = status.snapshot()
    # last epoch: GPGSA 25,32,12,14 + BDGSA 02,03,04; BDGSV says 12 in view
    assert snap["satellites_used"] == {"total": 7, "GPS": 4, "BDS": 3}
    assert snap["satellites_in_view"]["BDS"] == 12
    used_bds = sorted(s.prn for s in status.sky() if s.constellation == "BDS" and s.used)
    assert used_bds == [2, 3, 4]


def test_f9p_status_sigmas_sky_and_dops():
    status = _read_file("gpsd-ublox-zed-f9p-nmea.log")
    snap = status.snapshot()
    assert snap["sigma_h"] == pytest.approx((2.4 ** 2 + 3.5 ** 2) ** 0.5) and snap["sigma_v"] == 4.2  # last GST
    assert set(snap["satellites_in_view"]) == {"GPS", "GLONASS", "Galileo", "BDS"}
    assert snap["satellites_used"]["total"] == sum(v for k, v in snap["satellites_used"].items() if k != "total")
    ep = status.latest_epoch()
    assert ep.pdop == 1.18 and ep.utc().year == 2019          # last GSA
    assert all(s.elevation is not None for s in status.sky())
    assert len(status.scatter()) == snap["fix_counts"]["single"]


def test_talker_switch_keeps_counting():
    lines = [_sentence("GPGGA,120000.00,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),
             _sentence("GNGGA,120001.00,4807.038,N,01131.000,E,4,18,0.6,545.4,M,46.9,M,1.0,0001"),
             _sentence("GNGSA,A,3,01,02,03,,,,,,,,,,1.5,0.6,1.2,1"),
             _sentence("GNGSA,A,3,07,08,,,,,,,,,,,1.5,0.6,1.2,4")]
    status = GnssStatus()
    framer = NmeaFramer()
    status.ingest_nmea(framer.feed(b"".join(lines)), framer.counts)
    snap = status.snapshot()
    assert snap["fix"] == "rtk_fixed" and snap["fix_counts"] == {"single": 1, "rtk_fixed": 1}
    assert snap["satellites_used"] == {"total": 5, "GPS": 3, "BDS": 2}


def test_tcp_receiver_reconnects_after_it_goes_away():
    rx = NmeaReceiver((DATA / "gpsd-nmea-rtk.log").read_bytes(), lines_per_s=400, loop=True)
    status = GnssStatus()
    link = ReceiverLink(parse_source(rx.url), status, retry_s=(0.1, 0.5)).start()
    try:
        deadline = time.monotonic() + 5
        while status.snapshot()["nmea"]["sentences"] < 20 and time.monotonic() < deadline:
            time.sleep(0.02)
        before = status.snapshot()["nmea"]["sentences"]
        rx.drop_clients()
        deadline = time.monotonic() + 5
        while status.snapshot()["nmea"]["sentences"] < before + 50 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert rx.clients == 2 and status.receiver_reconnects == 1
        assert status.snapshot()["nmea"]["sentences"] >= before + 50
    finally:
        link.stop()
        rx.close()


def test_serial_pty_receiver_reads_nmea_and_takes_corrections():
    master, slave = os.openpty()
    status = GnssStatus()
    link = ReceiverLink(parse_source(f"serial://{os.ttyname(slave)}?baud=115200"), status).start()
    try:
        deadline = time.monotonic() + 5
        while not status.receiver_connected and time.monotonic() < deadline:
            time.sleep(0.02)
        os.write(master, (DATA / "gpsd-beidou-bd.log").read_bytes()[-2000:])
        deadline = time.monotonic() + 5
        while status.snapshot()["satellites_used"].get("BDS") != 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert status.snapshot()["satellites_used"]["BDS"] == 3
        assert link.write(b"\xd3\x00\x00\x47\xea\x4b")
        assert os.read(master, 100) == b"\xd3\x00\x00\x47\xea\x4b"
    finally:
        link.stop()
        os.close(master)
        os.close(slave)

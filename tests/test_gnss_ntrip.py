"""RTCM3 framing and the NTRIP client against RTKLIB str2str as caster on 127.0.0.1."""
from __future__ import annotations

import time

import pytest
from pyrtcm.rtcmhelpers import calc_crc24q

from importers.gnss.chunked import ChunkedDecoder, ChunkedError
from importers.gnss.ntrip import NtripAuthError, NtripClient, NtripConfig, build_request, fetch_sourcetable
from importers.gnss.credentials import Secret
from importers.gnss.rtcm3 import Rtcm3Framer, crc24q, message_type
from importers.gnss.session import GnssSession
from importers.gnss.sources import parse_source
from importers.gnss.status import GnssStatus
from tests.conftest import run_cli
from tests.gnss_peers import DATA, Caster, NmeaReceiver

RTCM = (DATA / "GMSD7_20121014.rtcm3").read_bytes()
PASSWORD = "s3cret-Pw!9"


def _file_frames() -> list[bytes]:
    return Rtcm3Framer().feed(RTCM)


def _runs(got: list[bytes], frames: list[bytes]) -> int:
    """Check ``got`` is the file's frame sequence with forward gaps only; return the number of gaps.

    Fails on a frame that is not where the file has it next (a repeat or a foreign frame).
    """
    def find(k: int, start: int) -> int:
        for q in range(start, len(frames)):
            if frames[q:q + 3] == got[k:k + 3]:
                return q
        raise AssertionError(f"received frame {k} does not continue the file's sequence (repeated or torn?)")

    p, gaps = find(0, 0), 0
    for k, g in enumerate(got):
        if frames[p] != g:
            p, gaps = find(k, p + 1), gaps + 1
        p += 1
    return gaps


def _until(cond, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


@pytest.fixture
def caster():
    c = Caster(RTCM, password=PASSWORD, rate_bps=40000, loop=False).start()
    yield c
    c.close()


def _config(c: Caster, password: str = PASSWORD, version: int = 1, gga: float = 0.3) -> NtripConfig:
    return NtripConfig("127.0.0.1", c.port, c.mount, c.user, Secret(password), version, gga, timeout=3.0)


# ------------------------------------------------------------------ framing
def test_crc24q_agrees_with_pyrtcm():
    for frame in _file_frames()[:50]:
        assert crc24q(frame[:-3]) == calc_crc24q(frame[:-3])


def test_framer_cuts_the_file_into_its_frames_whatever_the_pieces():
    frames = _file_frames()
    assert len(frames) > 1000
    assert {message_type(f) for f in frames} >= {1077, 1087, 1117, 1127, 1019}
    assert RTCM.startswith(b"".join(frames))              # only the truncated tail is left over
    for step in (1, 5, 333):
        framer = Rtcm3Framer()
        got = []
        for i in range(0, len(RTCM), step):
            got += framer.feed(RTCM[i:i + step])
        assert got == frames and framer.crc_errors == 0


def test_corrupt_frame_is_dropped_and_counted():
    frames = _file_frames()[:10]
    data = bytearray(b"".join(frames))
    data[len(frames[0]) + len(frames[1]) + 20] ^= 0x40      # inside frame 2
    framer = Rtcm3Framer()
    got = framer.feed(bytes(data))
    assert got == frames[:2] + frames[3:]
    assert framer.crc_errors == 1


def test_chunked_decoder_any_split():
    payload = bytes(range(256)) * 5
    body = b"".join(b"%x\r\n" % len(payload[i:i + 300]) + payload[i:i + 300] + b"\r\n"
                    for i in range(0, len(payload), 300)) + b"0\r\n\r\n"
    for step in (1, 2, 7, 301, len(body)):
        dec = ChunkedDecoder()
        out = b"".join(dec.feed(body[i:i + step]) for i in range(0, len(body), step))
        assert out == payload and dec.finished
    with pytest.raises(ChunkedError):
        ChunkedDecoder().feed(b"zz\r\n")


def test_v2_request_carries_version_and_gga():
    cfg = NtripConfig("127.0.0.1", 2101, "MNT", "u", Secret(PASSWORD), 2)
    req = build_request(cfg, "MNT", "$GPGGA,1*00\r\n").decode()
    assert req.startswith("GET /MNT HTTP/1.1\r\n") and "Ntrip-Version: Ntrip/2.0" in req
    assert "Ntrip-GGA: $GPGGA,1*00\r\n" in req and PASSWORD not in req and repr(cfg).count(PASSWORD) == 0


# ------------------------------------------------------------------ caster peers
def test_sourcetable_is_fetched_and_parsed(caster):
    table = fetch_sourcetable(_config(caster))
    st = table.find(caster.mount)
    assert st is not None and st.format == "RTCM 3.2" and st.nmea and st.lat == 35.25 and st.lon == 139.75
    (near, dist), = table.by_distance(35.25, 139.70)
    assert near is st and dist == pytest.approx(4.55, abs=0.05)


def test_bad_password_gives_a_clear_auth_error(caster):
    status = GnssStatus()
    client = NtripClient(_config(caster, password="wrong"), status, lambda b: None).start()
    assert client.stopped.wait(5)
    assert isinstance(client.fatal, NtripAuthError) and "refused user 'rover'" in str(client.fatal)
    assert status.snapshot()["ntrip"]["state"] == "auth_failed"


@pytest.mark.parametrize("version", [1, 2])
def test_frames_reach_receiver_byte_exact_and_gga_reaches_caster(caster, version):
    rx = NmeaReceiver((DATA / "gpsd-nmea-rtk.log").read_bytes(), lines_per_s=50, loop=True)
    session = GnssSession(parse_source(rx.url), _config(caster, version=version)).start()
    try:
        assert _until(lambda: len(rx.written) > 20000 and b"GGA" in caster.feeder_received, 8)
    finally:
        session.stop()
        time.sleep(0.1)
        rx.close()
    got = Rtcm3Framer().feed(bytes(rx.written))
    assert b"".join(got) == bytes(rx.written)                 # only whole frames were written
    assert _runs(got, _file_frames()) == 0                    # in order, none missing or repeated
    snap = session.status.snapshot()
    assert snap["rtcm"]["frames"] >= len(got) and snap["rtcm"]["crc_errors"] == 0
    assert snap["rtcm"]["types"]["1077"] > 0 and snap["ntrip"]["version"] == version
    gga = caster.feeder_received.decode("ascii", "replace")
    assert "$GNGGA,13" in gga                                  # the receiver's own GGA was uploaded
    assert b"GGA" not in rx.written


def test_caster_restart_reconnects_fast_without_torn_or_repeated_frames(caster):
    written = bytearray()
    status = GnssStatus()
    client = NtripClient(_config(caster, gga=0), status, written.extend).start()
    try:
        assert _until(lambda: status.snapshot()["rtcm"]["frames"] > 30, 5)
        caster.kill()
        killed = time.monotonic()
        before = len(written)
        caster.restart()
        assert _until(lambda: len(written) > before, 5), "no data within 5 s of the restart"
        assert time.monotonic() - killed < 5
        assert _until(lambda: len(written) > before + 20000, 5)
    finally:
        client.stop()
    got = Rtcm3Framer().feed(bytes(written))
    assert b"".join(got) == bytes(written)                    # no torn frame
    assert _runs(got, _file_frames()) <= 1                    # one gap at most: sent while the caster was down
    assert status.snapshot()["ntrip"]["reconnects"] == 1


def test_cli_status_json_and_password_never_shown(caster, tmp_path):
    rx = NmeaReceiver((DATA / "gpsd-ublox-zed-f9p-nmea.log").read_bytes(), lines_per_s=400, loop=True)
    try:
        url = f"ntrip://{caster.user}@127.0.0.1:{caster.port}/{caster.mount}"
        res = run_cli("gnss", "status", "--source", rx.url, "--ntrip", url, "--seconds", "2", "--json",
                      env={"SUBTERRA_NTRIP_PASSWORD": PASSWORD}, timeout=60)
        assert res.returncode == 0, res.stderr
        import json
        doc = json.loads(res.stdout)
        assert set(doc) == {"fix", "fix_counts", "position", "satellites_used", "satellites_in_view", "hdop",
                            "sigma_h", "sigma_v", "nmea", "rtcm", "ntrip"}
        assert set(doc["rtcm"]) == {"frames", "bytes", "crc_errors", "types", "age_s"}
        assert set(doc["ntrip"]) == {"state", "mountpoint", "version", "reconnects", "error"}
        assert doc["rtcm"]["frames"] > 0 and doc["fix"] == "single" and doc["satellites_in_view"]["BDS"] > 0
        assert len(rx.written) > 0
        bad = run_cli("gnss", "status", "--source", rx.url, "--ntrip",
                      f"ntrip://{caster.user}:{PASSWORD}x@127.0.0.1:{caster.port}/{caster.mount}",
                      "--seconds", "5", timeout=60)
        assert bad.returncode == 2 and "refused user 'rover'" in bad.stderr
        assert "password given in the URL" in bad.stderr
        for out in (res.stdout, res.stderr, bad.stdout, bad.stderr):
            assert PASSWORD not in out
    finally:
        rx.close()

"""Cutting a receiver's byte stream into NMEA sentences.

A receiver port carries NMEA text mixed with binary (RTCM 3 echoes, u-blox
UBX), line noise and half-written lines after a reconnect.  The framer keeps
only sentences whose checksum is right, steps over complete CRC-valid binary
frames, and counts everything else as bad checksums or garbage bytes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from importers.gnss import rtcm3

MAX_SENTENCE = 120          # NMEA says 82; some receivers write longer proprietary lines
_MAX_UBX = 8192
_START = re.compile(rb"[$!\xd3\xb5\r\n]")
_HEADER = re.compile(rb"[$!][A-Z0-9]{2,6},")
_HEX = b"0123456789ABCDEFabcdef"


def nmea_checksum(body: bytes) -> int:
    """XOR of the bytes between '$' and '*'."""
    acc = int.from_bytes(body, "little")
    width = len(body)
    while width > 1:
        half = (width + 1) // 2
        acc = (acc & ((1 << (8 * half)) - 1)) ^ (acc >> (8 * half))
        width = half
    return acc


@dataclass
class FramerCounts:
    """What the framer saw: sentences kept, bad checksums, garbage bytes, binary frames skipped."""

    sentences: int = 0
    bad_checksum: int = 0
    garbage_bytes: int = 0
    binary_frames: int = 0


class NmeaFramer:
    """Feed bytes in, get checksum-valid sentence bodies out (text between '$' and '*')."""

    def __init__(self) -> None:
        self._buf = b""
        self.counts = FramerCounts()

    def reset(self) -> None:
        """Forget a partial line (its connection is gone); it counts as garbage."""
        self.counts.garbage_bytes += len(self._buf)
        self._buf = b""

    def feed(self, data: bytes) -> list[str]:
        """Add bytes; return the complete valid sentence bodies, e.g. ``'GPGGA,123519,...'``."""
        buf = self._buf + data if self._buf else bytes(data)
        counts = self.counts
        out: list[str] = []
        pos = 0
        end = len(buf)
        while pos < end:
            c = buf[pos]
            if c == 0x24 or c == 0x21:                       # '$' or '!'
                nl = buf.find(b"\n", pos, pos + MAX_SENTENCE)
                if nl < 0:
                    if end - pos < MAX_SENTENCE:
                        break                                # wait for the rest of the line
                    pos = self._skip(buf, pos, end)
                    continue
                line = buf[pos:nl]
                inner = max(line.rfind(b"$", 1), line.rfind(b"!", 1))
                if inner > 0:                                # a truncated sentence before a new one
                    counts.garbage_bytes += inner
                    pos += inner
                    continue
                pos = nl + 1
                if line.endswith(b"\r"):
                    line = line[:-1]
                star = len(line) - 3
                if (star > 6 and line[star] == 0x2A and line[star + 1] in _HEX and line[star + 2] in _HEX
                        and nmea_checksum(line[1:star]) == int(line[star + 1:], 16)):
                    try:
                        out.append(line[1:star].decode("ascii"))
                    except UnicodeDecodeError:
                        counts.garbage_bytes += len(line) + 1
                        continue
                    counts.sentences += 1
                elif _HEADER.match(line):
                    counts.bad_checksum += 1
                else:
                    counts.garbage_bytes += len(line) + 1
            elif c == 0x0A or c == 0x0D:
                pos += 1                                     # blank line
            elif c == rtcm3.PREAMBLE or c == 0xB5:
                size = self._binary_size(buf, pos, end)
                if size < 0:
                    break                                    # may be a frame: wait for more bytes
                if size:
                    counts.binary_frames += 1
                    pos += size
                else:
                    pos = self._skip(buf, pos, end)
            else:
                pos = self._skip(buf, pos, end)
        self._buf = buf[pos:]
        return out

    def _skip(self, buf: bytes, pos: int, end: int) -> int:
        """Count garbage up to the next possible start byte; return its position."""
        m = _START.search(buf, pos + 1)
        nxt = m.start() if m else end
        self.counts.garbage_bytes += nxt - pos
        return nxt

    @staticmethod
    def _binary_size(buf: bytes, pos: int, end: int) -> int:
        """Size of a complete valid RTCM 3 / UBX frame at ``pos``; 0 if none; -1 if more bytes are needed."""
        if end - pos < 6:
            return -1
        if buf[pos] == rtcm3.PREAMBLE:
            total = rtcm3.frame_length(buf, pos)
            if total == 0:
                return 0
            if end - pos < total:
                return -1
            return total if rtcm3.frame_valid(buf[pos:pos + total]) else 0
        if buf[pos + 1] != 0x62:                             # UBX sync chars 0xB5 0x62
            return 0
        total = 8 + int.from_bytes(buf[pos + 4:pos + 6], "little")
        if total > _MAX_UBX:
            return 0
        if end - pos < total:
            return -1
        ck_a = ck_b = 0
        for byte in buf[pos + 2:pos + total - 2]:
            ck_a = (ck_a + byte) & 0xFF
            ck_b = (ck_b + ck_a) & 0xFF
        return total if buf[pos + total - 2] == ck_a and buf[pos + total - 1] == ck_b else 0

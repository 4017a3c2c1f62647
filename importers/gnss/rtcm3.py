"""RTCM 3 framing: CRC-24Q, frame boundaries, message types.

A frame is 0xD3, 6 reserved zero bits, a 10-bit length, the payload (message
type in its first 12 bits) and a 24-bit CRC over everything before it.
"""
from __future__ import annotations

PREAMBLE = 0xD3
MAX_PAYLOAD = 1023
_POLY = 0x1864CFB


def _table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= _POLY
        table.append(crc & 0xFFFFFF)
    return table


_TABLE = _table()


def crc24q(data: bytes | bytearray | memoryview) -> int:
    """The CRC-24Q of ``data`` (the RTCM 3 / SBAS checksum)."""
    crc = 0
    table = _TABLE
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFF) ^ table[(crc >> 16) ^ byte]
    return crc


def frame_length(buf: bytes | bytearray, pos: int) -> int:
    """Total length of a frame starting at ``pos`` (header + payload + CRC), 0 if no header there.

    Needs 3 bytes at ``pos``; returns 0 when the preamble or reserved bits are wrong.
    """
    if buf[pos] != PREAMBLE or buf[pos + 1] & 0xFC:
        return 0
    return 3 + (((buf[pos + 1] & 0x03) << 8) | buf[pos + 2]) + 3


def frame_valid(frame: bytes | bytearray | memoryview) -> bool:
    """Whether a complete frame's CRC matches."""
    return crc24q(frame[:-3]) == int.from_bytes(frame[-3:], "big")


def message_type(frame: bytes | bytearray) -> int:
    """The 12-bit message number of a frame (0 for an empty payload)."""
    if len(frame) < 8:
        return 0
    return (frame[3] << 4) | (frame[4] >> 4)


def make_frame(payload: bytes) -> bytes:
    """A complete frame around ``payload`` (used by tools and tests)."""
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"RTCM 3 payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}")
    head = bytes((PREAMBLE, len(payload) >> 8, len(payload) & 0xFF)) + payload
    return head + crc24q(head).to_bytes(3, "big")


class Rtcm3Framer:
    """Cuts a byte stream into CRC-valid RTCM 3 frames; never yields a torn or corrupt frame.

    While hunting for the first frame (after start or :meth:`reset`) skipped
    bytes count as ``skipped_bytes``; once in step, a frame whose CRC fails
    where the next frame must start counts as a ``crc_error``.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self.synced = False
        self.crc_errors = 0
        self.skipped_bytes = 0

    def reset(self) -> None:
        """Drop any partial frame (the connection it came from is gone)."""
        self.skipped_bytes += len(self._buf)
        self._buf.clear()
        self.synced = False

    @property
    def pending(self) -> int:
        """Bytes held back waiting for the rest of a frame."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return the complete CRC-valid frames now available, in order."""
        buf = self._buf
        buf += data
        frames: list[bytes] = []
        pos = 0
        end = len(buf)
        while end - pos >= 3:
            if buf[pos] != PREAMBLE:
                nxt = buf.find(b"\xd3", pos + 1)
                nxt = end if nxt < 0 else nxt
                self._lost(nxt - pos)
                pos = nxt
                continue
            total = frame_length(buf, pos)
            if total == 0:
                self._lost(1)
                pos += 1
                continue
            if end - pos < total:
                break
            frame = bytes(buf[pos:pos + total])
            if frame_valid(frame):
                frames.append(frame)
                self.synced = True
                pos += total
            else:
                self._lost(1)
                pos += 1
        del buf[:pos]
        return frames

    def _lost(self, n: int) -> None:
        if self.synced:
            self.crc_errors += 1
            self.synced = False
        self.skipped_bytes += n

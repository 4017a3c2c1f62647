"""Incremental decoder for HTTP/1.1 chunked transfer coding (NTRIP 2 streams)."""
from __future__ import annotations

_MAX_SIZE_LINE = 1024


class ChunkedError(ValueError):
    """The chunked framing is broken."""


class ChunkedDecoder:
    """Feed raw body bytes in any pieces; get the payload bytes out."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._left = 0               # payload bytes left in the current chunk
        self._state = "size"         # size | data | crlf | trailer | done
        self.finished = False

    def feed(self, data: bytes) -> bytes:
        """Decode what is possible; keep the rest for the next call."""
        buf = self._buf
        buf += data
        out = bytearray()
        while buf:
            if self._state == "size":
                nl = buf.find(b"\r\n")
                if nl < 0:
                    if len(buf) > _MAX_SIZE_LINE:
                        raise ChunkedError("chunk size line too long")
                    break
                text = bytes(buf[:nl]).split(b";", 1)[0].strip()
                try:
                    self._left = int(text, 16)
                except ValueError:
                    raise ChunkedError(f"bad chunk size {text[:20]!r}") from None
                del buf[:nl + 2]
                self._state = "data" if self._left else "trailer"
            elif self._state == "data":
                take = min(self._left, len(buf))
                out += buf[:take]
                del buf[:take]
                self._left -= take
                if self._left == 0:
                    self._state = "crlf"
            elif self._state == "crlf":
                if len(buf) < 2:
                    break
                if buf[:2] != b"\r\n":
                    raise ChunkedError("missing CRLF after chunk data")
                del buf[:2]
                self._state = "size"
            elif self._state == "trailer":
                nl = buf.find(b"\r\n")
                if nl < 0:
                    break
                del buf[:nl + 2]
                if nl == 0:
                    self._state = "done"
                    self.finished = True
            else:
                buf.clear()
        return bytes(out)

"""Text encodings of delivered tables: UTF-8 (with or without BOM), UTF-16 with BOM, GBK/GB18030.

UTF-8 is tried first (strict); anything else goes to charset-normalizer, and
only the Chinese GB family is accepted (decoded with GB18030, its superset).
A file whose earlier rows are UTF-8 and later ones are not is refused as
mixed.  Refusals name the row (1-based line) of the first bad byte.
"""
from __future__ import annotations

import codecs

from gis.errors import InputRejected, Problem
from importers.messages import tr

GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "cp936"}


def _row_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def to_utf8(data: bytes, file: str) -> tuple[bytes, str]:
    """Return (UTF-8 bytes without BOM, encoding name) or raise InputRejected naming the row."""
    if data.startswith(codecs.BOM_UTF8):
        body = data[len(codecs.BOM_UTF8):]
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputRejected([Problem(file, _row_of(body, exc.start), None, None,
                                         tr("encoding_mixed"))]) from None
        return body, "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputRejected([Problem(file, None, None, None,
                                         tr("file_unreadable", error=str(exc)))]) from None
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start
    line_start = data.rfind(b"\n", 0, bad) + 1
    if not data[:line_start].isascii():
        # Earlier rows hold valid non-ASCII UTF-8: this is a mixed file, not GBK.
        raise InputRejected([Problem(file, _row_of(data, bad), None, None, tr("encoding_mixed"))])
    import charset_normalizer

    best = charset_normalizer.from_bytes(data[:200_000]).best()
    guess = best.encoding if best is not None else "binary"
    if guess.replace("_", "").lower() not in GB_FAMILY and not (
            best is not None and GB_FAMILY & {c.replace("_", "") for c in best.could_be_from_charset}):
        raise InputRejected([Problem(file, _row_of(data, bad), None, None,
                                     tr("encoding_wrong", guess=guess))])
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InputRejected([Problem(file, _row_of(data, exc.start), None, None,
                                     tr("encoding_wrong", guess=guess))]) from None
    return text.encode("utf-8"), "gb18030"

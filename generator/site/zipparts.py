"""Zip files (the XLSX downloads) written from deflated parts: a part compressed once is joined into as many files
as hold it, and kept between builds, so an unchanged sheet is never compressed again.

A part (`deflate_part`) is raw deflate data ended by a full flush: byte-aligned, with no reference to what came
before it. Parts joined in order and closed by a last empty block (`joined`) are one valid deflate stream of their
texts joined; its CRC-32 is combined from the parts' own (`crc32_combine`, as zlib's). `zip_bytes` writes the
entries as `zipfile` writes a deflated entry into a seekable file (no data descriptor, no extra fields), with one
date and one set of attributes for every entry, so the same parts always give the same bytes.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LEVEL = zlib.Z_DEFAULT_COMPRESSION  # as zipfile's ZIP_DEFLATED
_LAST_BLOCK = b"\x03\x00"  # an empty final block of fixed Huffman codes: what Z_FINISH gives after a full flush


@dataclass(frozen=True)
class Deflated:
    """Raw deflate data of `size` bytes of text whose CRC-32 is `crc`."""

    data: bytes
    crc: int
    size: int


def deflate_part(text: bytes) -> Deflated:
    """`text` compressed as a part of a longer stream (ended by a full flush, not final)."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return Deflated(compressor.compress(text) + compressor.flush(zlib.Z_FULL_FLUSH), zlib.crc32(text), len(text))


def joined(parts: Iterable[Deflated]) -> Deflated:
    """The parts as one finished deflate stream of their texts joined in order."""
    data, crc, size = [], 0, 0
    for part in parts:
        data.append(part.data)
        crc, size = crc32_combine(crc, part.crc, part.size), size + part.size
    return Deflated(b"".join([*data, _LAST_BLOCK]), crc, size)


def deflate_whole(text: bytes) -> Deflated:
    """`text` as one finished deflate stream."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return Deflated(compressor.compress(text) + compressor.flush(zlib.Z_FINISH), zlib.crc32(text), len(text))


# -- CRC-32 of joined texts (zlib's crc32_combine, which Python's zlib does not offer) ------------------------------

_CRC_POLYNOMIAL = 0xEDB88320


def _gf2_times(matrix: Sequence[int], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _gf2_square(matrix: Sequence[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(first: int, second: int, second_size: int) -> int:
    """The CRC-32 of two texts joined, from the first's CRC, the second's CRC and the second's length: the first's
    CRC run through `second_size` zero bytes (one operator a bit of the length, each the last one squared)."""
    operator = [_CRC_POLYNOMIAL, *(1 << n for n in range(31))]  # one zero bit
    for _ in range(3):  # one zero byte
        operator = _gf2_square(operator)
    length = second_size
    while length > 0:
        if length & 1:
            first = _gf2_times(operator, first)
        length >>= 1
        if length:
            operator = _gf2_square(operator)
    return first ^ second


# -- the zip container -----------------------------------------------------------------------------------------

_VERSION = 20  # deflate (zipfile's DEFLATED_VERSION), made on MS-DOS (create_system 0)
_METHOD = 8  # deflate
_ATTRIBUTES = 0o644 << 16


def dos_time(date_time: Sequence[int]) -> tuple[int, int]:
    """(time, date) as a zip entry holds them, from (year, month, day, hour, minute, second)."""
    year, month, day, hour, minute, second = date_time[:6]
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def zip_bytes(entries: Iterable[tuple[str, Deflated]], date_time: Sequence[int]) -> bytes:
    """A zip file of deflated entries (ASCII names, none of 4 GiB), all dated `date_time`."""
    time, date = dos_time(date_time)
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, entry in entries:
        encoded = name.encode("ascii")
        head = struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", _VERSION, 0, 0, _METHOD, time, date,
                           entry.crc, len(entry.data), entry.size, len(encoded), 0)
        central.append(struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", _VERSION, 0, _VERSION, 0, 0, _METHOD, time,
                                   date, entry.crc, len(entry.data), entry.size, len(encoded), 0, 0, 0, 0,
                                   _ATTRIBUTES, offset) + encoded)
        out += (head, encoded, entry.data)
        offset += len(head) + len(encoded) + len(entry.data)
    directory = b"".join(central)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0)
    return b"".join([*out, directory, end])

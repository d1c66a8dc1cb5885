"""Zip files written from deflated parts (site/zipparts.py): parts joined are one deflate stream of their texts
joined, whatever the texts and however they are cut; the CRC-32 combined is the CRC-32 of the whole; and the
container is, byte for byte, what `zipfile` writes for the same entries."""

from __future__ import annotations

import io
import zipfile
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.site import zipparts

texts = st.lists(st.one_of(st.binary(max_size=300), st.text(max_size=200).map(lambda t: t.encode("utf-8")),
                           st.integers(0, 70_000).map(lambda n: b"<row>" * (n // 5))), max_size=6)


@settings(max_examples=60, deadline=None)
@given(texts)
def test_parts_joined_are_the_stream_of_their_texts_joined(pieces: list[bytes]) -> None:
    whole = b"".join(pieces)
    stream = zipparts.joined(zipparts.deflate_part(piece) for piece in pieces)
    assert zlib.decompress(stream.data, -zlib.MAX_WBITS) == whole
    decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
    assert decompressor.decompress(stream.data) == whole and decompressor.eof and not decompressor.unused_data
    assert (stream.crc, stream.size) == (zlib.crc32(whole), len(whole))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.binary(max_size=200), st.integers(0, 3))
def test_crc32_combine_is_the_crc_of_the_texts_joined(first: bytes, second: bytes, repeat: int) -> None:
    second *= repeat
    assert zipparts.crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(first + second)


names = st.lists(st.from_regex(r"[A-Za-z0-9_]{1,8}(/[A-Za-z0-9_.\[\]]{1,12}){0,2}", fullmatch=True),
                 min_size=1, max_size=5, unique=True)
dates = st.tuples(st.integers(1980, 2107), st.integers(1, 12), st.integers(1, 28), st.integers(0, 23),
                  st.integers(0, 59), st.integers(0, 59))


@settings(max_examples=60, deadline=None)
@given(names, st.lists(st.binary(max_size=2000), min_size=5, max_size=5), dates)
def test_the_container_is_what_zipfile_writes(entries: list[str], contents: list[bytes],
                                             date_time: tuple[int, ...]) -> None:
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in zip(entries, contents, strict=False):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            archive.writestr(info, content)
    ours = zipparts.zip_bytes([(name, zipparts.deflate_whole(content))
                               for name, content in zip(entries, contents, strict=False)], date_time)
    assert ours == expected.getvalue()


@settings(max_examples=30, deadline=None)
@given(names, st.lists(texts, min_size=5, max_size=5))
def test_a_zip_of_joined_parts_reads_back(entries: list[str], pieces: list[list[bytes]]) -> None:
    ours = zipparts.zip_bytes([(name, zipparts.joined(zipparts.deflate_part(p) for p in parts))
                               for name, parts in zip(entries, pieces, strict=False)], (2024, 5, 1, 0, 0, 0))
    with zipfile.ZipFile(io.BytesIO(ours)) as archive:
        assert archive.testzip() is None
        assert {name: archive.read(name) for name in archive.namelist()} == {
            name: b"".join(parts) for name, parts in zip(entries, pieces, strict=False)}

"""Responsive images: renditions never upscaled, metadata gone, orientation applied, cached by content."""

from __future__ import annotations

import functools
import html
import io
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from generator import cachefile
from generator.records.load import load_dataset
from generator.site import images
from generator.site.images import (
    image_html,
    plan_image,
    plan_images,
    rendition_widths,
    write_images,
)

ROOT = Path(__file__).resolve().parent.parent
GPS_IFD = 0x8825
CAMERA = "示例相机厂"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>34,37N</exif:GPSLatitude></x:xmpmeta>'
RED, BLUE = (200, 30, 30), (30, 30, 200)


def fictional_photo(path: Path, size: tuple[int, int] = (2400, 1600), orientation: int = 6) -> Path:
    """A JPEG carrying everything that must not be published: GPS, camera, XMP, an ICC profile, a comment.

    The left half is red and the right half blue, so a rotation shows in the pixels.
    """
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x010F] = CAMERA
    exif[0x0110] = "示例型号"
    exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (34.0, 37.0, 12.5), 3: "E", 4: (112.0, 27.0, 3.0)}
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", exif=exif.tobytes(), xmp=XMP, icc_profile=icc, comment=b"secret note", quality=90)
    return path


def fictional_logo(path: Path, size: int = 600) -> Path:
    from PIL import ImageDraw, PngImagePlugin

    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((10, 10, size - 10, size - 10), fill=(166, 27, 27, 255))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "示例作者")
    info.add_text("XML:com.adobe.xmp", XMP.decode())
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "PNG", pnginfo=info)
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The bundled data plus a logo and photos for 区一实小's brand and one event."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    fictional_photo(data / "images/brands/示例照片.jpg")
    fictional_photo(data / "images/events/small.jpg", size=(500, 300), orientation=1)
    fictional_logo(data / "images/logos/shili-logo.png")
    branch = data / "branches/qu-yishixiao.yaml"
    branch.write_text(branch.read_text(encoding="utf-8").replace(
        "  name: 红·星闪闪\n",
        "  name: 红·星闪闪\n  logo: images/logos/shili-logo.png\n  photos:\n"
        "    - file: images/brands/示例照片.jpg\n      caption: 示例活动照片\n"), encoding="utf-8")
    event = data / "events/2023-06-02-guanmo-tuijinhui.yaml"
    event.write_text(event.read_text(encoding="utf-8") + "photos:\n  - file: images/events/small.jpg\n"
                     "    caption: 示例会场\n", encoding="utf-8")
    return data


def dataset_of(data_dir: Path):
    result = load_dataset(data_dir)
    assert result.ok, [p.format() for p in result.errors]
    return result.dataset


def assert_no_metadata(data: bytes, label: str) -> None:
    image = Image.open(io.BytesIO(data))
    assert not image.getexif(), label
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "Author", "dpi"):
        assert key not in image.info, (label, key)
    for needle in (b"Exif", b"xmpmeta", b"GPS", CAMERA.encode(), "示例作者".encode(), b"secret", b"ICC_PROFILE"):
        assert needle not in data, (label, needle)


def test_widths_are_never_upscaled() -> None:
    assert rendition_widths(2400, (320, 640, 960, 1280)) == [320, 640, 960, 1280]
    assert rendition_widths(1000, (320, 640, 960, 1280)) == [320, 640, 960, 1000]
    assert rendition_widths(640, (320, 640, 960, 1280)) == [320, 640]
    assert rendition_widths(200, (320, 640)) == [200]


def test_plans_follow_the_records(data_dir: Path) -> None:
    planned = plan_images(dataset_of(data_dir))
    assert set(planned) == {"images/logos/shili-logo.png", "images/brands/示例照片.jpg", "images/events/small.jpg"}
    photo = planned["images/brands/示例照片.jpg"]
    assert (photo.kind, photo.width, photo.height) == ("photo", 1600, 2400)  # EXIF orientation 6: portrait
    assert [r.width for r in photo.renditions] == [320, 640, 960, 1280]
    assert all(r.format == "webp" and r.url.endswith(f"-{r.width}.webp") for r in photo.renditions)
    assert photo.renditions[-1].height == 1920
    assert photo.fallback.format == "jpeg" and photo.fallback.width == 960
    assert re.fullmatch(r"images/shilizhaopian-[0-9a-f]{10}-960\.jpg", photo.fallback.url)
    small = planned["images/events/small.jpg"]
    assert [r.width for r in small.renditions] == [320, 500] and small.fallback.width == 500
    logo = planned["images/logos/shili-logo.png"]
    assert logo.kind == "logo" and [r.width for r in logo.renditions] == [160, 320, 480]
    assert logo.fallback.format == "png" and logo.fallback.url.endswith("-320.png")


def test_published_files_have_the_planned_sizes_and_no_metadata(data_dir: Path, tmp_path: Path) -> None:
    dataset = dataset_of(data_dir)
    planned = plan_images(dataset)
    site = tmp_path / "site"
    written = write_images(dataset, site, tmp_path / "cache", planned)
    assert sorted(p.relative_to(site).as_posix() for p in written) == sorted(
        r.url for image in planned.values() for r in image.files)
    for image in planned.values():
        for rendition in image.files:
            data = (site / rendition.url).read_bytes()
            assert_no_metadata(data, rendition.url)
            with Image.open(io.BytesIO(data)) as published:
                assert published.size == (rendition.width, rendition.height)
                assert published.format == {"webp": "WEBP", "jpeg": "JPEG", "png": "PNG"}[rendition.format]
                assert published.width <= image.width
    logo = planned["images/logos/shili-logo.png"]
    with Image.open(site / logo.renditions[0].url) as published:
        assert published.mode == "RGBA" and published.getpixel((0, 0))[3] == 0  # transparency kept


def test_orientation_is_applied_before_the_tag_is_dropped(data_dir: Path, tmp_path: Path) -> None:
    dataset = dataset_of(data_dir)
    image = plan_images(dataset)["images/brands/示例照片.jpg"]
    write_images(dataset, tmp_path / "site", tmp_path / "cache")
    with Image.open(tmp_path / "site" / image.fallback.url) as published:
        published = published.convert("RGB")
        top = published.getpixel((published.width // 2, published.height // 4))
        bottom = published.getpixel((published.width // 2, published.height * 3 // 4))
    assert top[0] > 150 and top[2] < 80, top  # the red left half is on top once rotated upright
    assert bottom[2] > 150 and bottom[0] < 80, bottom


def test_the_cache_is_used_on_rebuild_and_keyed_by_content(data_dir: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    dataset = dataset_of(data_dir)
    cache = tmp_path / "cache"
    first = {p.name: p.read_bytes() for p in write_images(dataset, tmp_path / "one", cache)}
    encoded: list[str] = []
    real = images.encode_renditions

    def counting(path: Path, image: images.ResponsiveImage) -> dict[str, bytes]:
        encoded.append(image.source)
        return real(path, image)

    monkeypatch.setattr(images, "encode_renditions", counting)
    second = {p.name: p.read_bytes() for p in write_images(dataset, tmp_path / "two", cache)}
    assert encoded == [] and second == first
    # a new photo under the same name is a new key, new URLs, and is encoded again
    fictional_photo(data_dir / "images/events/small.jpg", size=(520, 300), orientation=1)
    dataset = dataset_of(data_dir)
    third = write_images(dataset, tmp_path / "three", cache)
    assert encoded == ["images/events/small.jpg"]
    assert {p.name for p in third} - set(first) and any(p.name.endswith("-520.webp") for p in third)
    # other encoder settings are another key too
    before = plan_images(dataset)["images/events/small.jpg"].cache_key
    monkeypatch.setitem(images.WEBP_QUALITY, "photo", 60)
    assert plan_images(dataset)["images/events/small.jpg"].cache_key != before


def test_two_names_for_the_same_picture_are_both_published_and_encoded_once(
        data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copyfile(data_dir / "images/events/small.jpg", data_dir / "images/events/small-copy.jpg")
    event = data_dir / "events/2023-06-02-guanmo-tuijinhui.yaml"
    event.write_text(event.read_text(encoding="utf-8") + "  - file: images/events/small-copy.jpg\n"
                     "    caption: 同一张照片的副本\n", encoding="utf-8")
    dataset = dataset_of(data_dir)
    encoded: list[str] = []
    real = images.encode_renditions
    monkeypatch.setattr(images, "encode_renditions", lambda path, image: encoded.append(image.source)
                        or real(path, image))
    planned = plan_images(dataset)
    write_images(dataset, tmp_path / "site", tmp_path / "cache", planned)
    for name in ("images/events/small.jpg", "images/events/small-copy.jpg"):
        for rendition in planned[name].files:
            assert (tmp_path / "site" / rendition.url).is_file(), rendition.url
    assert sorted(encoded) == ["images/brands/示例照片.jpg", "images/events/small.jpg",
                               "images/logos/shili-logo.png"]


def test_encoding_is_reproducible(data_dir: Path, tmp_path: Path) -> None:
    dataset = dataset_of(data_dir)
    one = {p.name: p.read_bytes() for p in write_images(dataset, tmp_path / "a", tmp_path / "c1")}
    two = {p.name: p.read_bytes() for p in write_images(dataset, tmp_path / "b", tmp_path / "c2")}
    assert one == two


def test_an_oversized_image_is_refused_in_chinese(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "MAX_PIXELS", 1_000_000)
    problems = [p for p in load_dataset(data_dir).errors if "像素" in p.message]
    assert len(problems) == 1
    problem = problems[0]
    assert problem.file == "data/branches/qu-yishixiao.yaml"
    text = (data_dir / "branches/qu-yishixiao.yaml").read_text(encoding="utf-8").splitlines()
    assert "images/brands/示例照片.jpg" in text[problem.line - 1]
    assert "太大：1600×2400 像素" in problem.message and "缩小" in problem.hint
    with pytest.raises(images.ImageError, match="上限约 1 百万像素"):
        plan_image(data_dir, "images/brands/示例照片.jpg")


def test_a_broken_image_is_told_not_raised(data_dir: Path) -> None:
    broken = data_dir / "images/events/broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff" + b"\0" * 64)
    with pytest.raises(images.ImageError, match="无法读取"):
        plan_image(data_dir, "images/events/broken.jpg")
    with pytest.raises(images.ImageError, match="data/ 以外"):
        plan_image(data_dir, "../outside.jpg")


def test_markup_has_srcset_sizes_dimensions_and_escaped_alt(data_dir: Path) -> None:
    image = plan_image(data_dir, "images/brands/示例照片.jpg")
    markup = image_html(image, '示例"><script>alert(1)</script>', url=lambda u: f"../../{u}")
    assert markup.startswith("<picture><source type=\"image/webp\" srcset=\"") and markup.endswith("</picture>")
    assert "<script>" not in markup
    alt = re.search(r' alt="([^"]*)"', markup).group(1)
    assert html.unescape(alt) == '示例"><script>alert(1)</script>'
    srcset = re.search(r'srcset="([^"]+)"', markup).group(1)
    widths = [int(w) for w in re.findall(r" (\d+)w", srcset)]
    assert widths == [320, 640, 960, 1280]
    assert 'width="960" height="1440"' in markup and 'loading="lazy"' in markup
    assert re.search(r'sizes="[^"]+"', markup)


# -- damaged images: check decodes what the build will decode --------------------------------------------------

def _noisy(size: tuple[int, int] = (64, 48)) -> Image.Image:
    import random

    rng = random.Random(7)
    return Image.frombytes("RGB", size, bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3)))


def _encoded(fmt: str) -> bytes:
    buffer = io.BytesIO()
    image = _noisy()
    if fmt == "GIF":
        image = image.convert("P")
    image.save(buffer, fmt)
    return buffer.getvalue()


def _png_chunks(data: bytes) -> list[tuple[int, bytes]]:
    """(offset, type) of every chunk of a PNG."""
    chunks, at = [], 8
    while at < len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        chunks.append((at, data[at + 4:at + 8]))
        at += 12 + length
    return chunks


def _bad_idat(data: bytes, fix_crc: bool) -> bytes:
    import zlib

    at = next(offset for offset, kind in _png_chunks(data) if kind == b"IDAT")
    length = int.from_bytes(data[at:at + 4], "big")
    body = bytearray(data[at + 8:at + 8 + length])
    body[2:10] = b"\xff" * 8  # the deflate stream is broken
    crc = zlib.crc32(b"IDAT" + bytes(body)).to_bytes(4, "big") if fix_crc else data[at + 8 + length:at + 12 + length]
    return data[:at + 8] + bytes(body) + crc + data[at + 12 + length:]


def _flip_crc(data: bytes) -> bytes:
    at = next(offset for offset, kind in _png_chunks(data) if kind == b"IDAT")
    end = at + 12 + int.from_bytes(data[at:at + 4], "big")
    return data[:end - 1] + bytes([data[end - 1] ^ 0xFF]) + data[end:]


DAMAGES = {
    "truncated-jpeg": (".jpg", lambda: _encoded("JPEG")[: len(_encoded("JPEG")) * 2 // 3]),
    "garbage-after-jpeg-header": (".jpg", lambda: _encoded("JPEG")[:700] + bytes(range(256)) * 12),
    "truncated-png": (".png", lambda: _encoded("PNG")[: len(_encoded("PNG")) // 2]),
    "png-bad-crc": (".png", lambda: _flip_crc(_encoded("PNG"))),
    "png-bad-idat": (".png", lambda: _bad_idat(_encoded("PNG"), fix_crc=True)),
    "garbage-after-png-header": (".png", lambda: _encoded("PNG")[:41] + bytes(range(256)) * 12),
    "truncated-gif": (".gif", lambda: _encoded("GIF")[: len(_encoded("GIF")) // 2]),
    "truncated-webp": (".webp", lambda: _encoded("WEBP")[: len(_encoded("WEBP")) // 2]),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_check_refuses_a_damaged_image_the_header_alone_would_pass(damage: str, data_dir: Path,
                                                                    tmp_path: Path) -> None:
    suffix, make = DAMAGES[damage]
    relative = f"images/events/small{suffix}"
    (data_dir / relative).write_bytes(make())
    event = data_dir / "events/2023-06-02-guanmo-tuijinhui.yaml"
    event.write_text(event.read_text(encoding="utf-8").replace("images/events/small.jpg", relative),
                     encoding="utf-8")
    errors = [p for p in load_dataset(data_dir).errors if relative in p.message]
    assert len(errors) == 1, load_dataset(data_dir).errors
    (problem,) = errors
    assert problem.file == "data/events/2023-06-02-guanmo-tuijinhui.yaml"
    lines = event.read_text(encoding="utf-8").splitlines()
    assert relative in lines[problem.line - 1]
    assert "已损坏" in problem.message or "无法读取" in problem.message
    assert "重新导出或换一张图片" in problem.hint


def test_a_good_image_is_decoded_once_while_unchanged(data_dir: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[str] = []
    real = images.decode_image
    monkeypatch.setattr(images, "decode_image", lambda path, relative: decoded.append(relative) or real(path, relative))
    cache = images.default_cache_dir(data_dir)  # where `fivestar check` and the build keep it
    assert images.image_problem(data_dir, "images/events/small.jpg", cache) == ("", "")
    assert images.image_problem(data_dir, "images/events/small.jpg", cache) == ("", "")
    assert decoded == ["images/events/small.jpg"]
    # the build's encoder finds the stamp too, and a changed file is decoded again
    write_images(dataset_of(data_dir), tmp_path / "site", cache)
    assert decoded.count("images/events/small.jpg") == 1
    fictional_photo(data_dir / "images/events/small.jpg", size=(510, 300), orientation=1)
    assert images.image_problem(data_dir, "images/events/small.jpg", cache) == ("", "")
    assert decoded.count("images/events/small.jpg") == 2


def test_the_build_names_an_image_that_fails_to_decode(data_dir: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    dataset = dataset_of(data_dir)
    planned = plan_images(dataset)
    (data_dir / "images/events/small.jpg").write_bytes(DAMAGES["truncated-jpeg"][1]())  # damaged after the check
    monkeypatch.setattr(images, "file_digest", lambda path: "0" * 64)  # same planned name, no stamp
    with pytest.raises(images.ImageError, match=re.escape("images/events/small.jpg")):
        write_images(dataset, tmp_path / "site", tmp_path / "cache", planned)


def test_a_cached_file_is_linked_into_a_fresh_folder_and_copied_elsewhere(tmp_path: Path) -> None:
    cached, other = tmp_path / "cache-a", tmp_path / "cache-b"
    cached.write_bytes(b"picture a")
    other.write_bytes(b"picture b")
    site = tmp_path / "site"
    site.mkdir()
    images.place_cached(cached, site / "a.webp", link=True)
    assert (site / "a.webp").samefile(cached)
    images.place_cached(cached, site / "a.webp", link=True)  # the same picture again (two records, one picture)
    assert (site / "a.webp").samefile(cached) and sorted(p.name for p in site.iterdir()) == ["a.webp"]
    (site / "b.webp").hardlink_to(other)
    images.place_cached(cached, site / "b.webp", link=True)  # something else there: replaced, never written into
    assert (site / "b.webp").samefile(cached) and other.read_bytes() == b"picture b"
    images.place_cached(cached, site / "c.webp")
    assert (site / "c.webp").read_bytes() == b"picture a" and not (site / "c.webp").samefile(cached)



# -- headers kept between plannings (images.KnownHeaders) ---------------------------------------------------------

def planned_fresh(data_dir: Path, tmp_path: Path) -> dict[str, images.ResponsiveImage]:
    """The plan with no header kept: what every planning must give."""
    return plan_images(dataset_of(data_dir), tmp_path / "fresh-cache")


@pytest.mark.parametrize("edit", ["same", "new content", "same size, new pixels", "replaced by a rename",
                                  "touched back to its old time", "headers damaged", "headers gone"])
def test_a_kept_header_is_used_only_while_the_file_is_unchanged(edit: str, data_dir: Path, tmp_path: Path) -> None:
    """Every change a file can have is seen by `stat` (the change time cannot be set back), even when the kept
    headers look written after the change (so that their age does not decide)."""
    cache = tmp_path / "cache"
    photo = data_dir / "images/brands/示例照片.jpg"
    first = plan_images(dataset_of(data_dir), cache)
    assert first == planned_fresh(data_dir, tmp_path)
    time.sleep(0.01)
    known = images.KnownHeaders.read(cache)
    assert set(known.last) == {str(p.resolve()) for p in (data_dir / "images").rglob("*.*") if p.suffix != ".yaml"}
    before = photo.stat()
    if edit == "new content":
        fictional_photo(photo, size=(1200, 1600), orientation=1)
    elif edit == "same size, new pixels":
        data = bytearray(photo.read_bytes())
        data[-200] ^= 0xFF
        photo.write_bytes(bytes(data))
    elif edit == "replaced by a rename":
        fictional_photo(tmp_path / "other.jpg", size=(800, 600), orientation=1).replace(photo)
    elif edit == "touched back to its old time":
        fictional_photo(photo, size=(640, 960), orientation=1)
        os.utime(photo, ns=(before.st_atime_ns, before.st_mtime_ns))
    if (cache / images.HEADERS).exists():
        later = time.time_ns() + 60 * 10**9
        os.utime(cache / images.HEADERS, ns=(later, later))
    if edit == "headers damaged":
        (cache / images.HEADERS).write_bytes(b"\x80\x05not a pickle")
    elif edit == "headers gone":
        (cache / images.HEADERS).unlink()
    again = plan_images(dataset_of(data_dir), cache)
    assert again == planned_fresh(data_dir, tmp_path / "second")
    assert (again == first) is (edit in ("same", "headers damaged", "headers gone"))


def test_a_kept_header_is_taken_without_reading_the_image(data_dir: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setattr(cachefile, "RACY_NS", 0)  # the files' change times are now: no racy window in this test
    dataset = dataset_of(data_dir)
    first = plan_images(dataset, cache)
    monkeypatch.setattr(images, "read_header", lambda *_args: pytest.fail("a header read again"))
    assert plan_images(dataset, cache) == first
    monkeypatch.setattr(images, "MAX_PIXELS", 1_000_000)  # a kept header still meets today's limit
    with pytest.raises(images.ImageError, match="上限约 1 百万像素"):
        plan_images(dataset, cache)


@pytest.mark.parametrize("link", ["the file", "its folder"])
def test_an_image_reached_through_a_link_out_of_the_data_is_refused_as_before(link: str, data_dir: Path,
                                                                              tmp_path: Path) -> None:
    """Resolving a folder once for many images gives the same answer as resolving each path whole."""
    outside = fictional_photo(tmp_path / "outside" / "photo.jpg", size=(500, 300), orientation=1)
    if link == "the file":
        (data_dir / "images/events/linked.jpg").symlink_to(outside)
        relative = "images/events/linked.jpg"
    else:
        (data_dir / "images/linked").symlink_to(outside.parent, target_is_directory=True)
        relative = "images/linked/photo.jpg"
    cached = functools.cache(os.path.realpath)
    for real_folder in (os.path.realpath, cached, cached):
        path, why = images.resolve_image(data_dir, relative, real_folder)
        assert path is None and "data/ 以外" in why
    (data_dir / "images/inner").mkdir()
    (data_dir / "images/inner/alias.jpg").symlink_to(data_dir / "images/events/small.jpg")
    assert images.resolve_image(data_dir, "images/inner/alias.jpg", cached) == \
        images.resolve_image(data_dir, "images/inner/alias.jpg")

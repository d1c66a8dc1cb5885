"""Photos through the whole build: no location, camera or XMP metadata is published; oversized images refused."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from generator.cli import main
from generator.engine.build import BuildFailed, build_site
from generator.records.problems import DataError
from generator.site.images import MAX_IMAGE_BYTES

REPO = Path(__file__).resolve().parent.parent
GPS_IFD = 0x8825
MAKER = "FictionalCam"
MODEL = "Shili-9000"
LATITUDE = (34.0, 37.0, 12.5)
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="34,37.2N"/>'
       b"</rdf:RDF></x:xmpmeta>")
SECRETS = (b"Exif", b"xmpmeta", b"adobe:ns:meta", b"GPS", MAKER.encode(), MODEL.encode(), b"secret-note",
           b"ICC_PROFILE", "示例作者".encode())
RASTER = {".jpg", ".jpeg", ".png", ".webp", ".gif"}


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = MAKER
    exif[0x0110] = MODEL
    exif[0x0112] = orientation
    exif[0x0131] = "secret-note editor"
    exif[GPS_IFD] = {1: "N", 2: LATITUDE, 3: "E", 4: (112.0, 27.0, 3.0), 29: "2024:05:01"}
    return exif


def photo(path: Path, fmt: str, size: tuple[int, int] = (1600, 1200)) -> Path:
    """A fictional picture carrying GPS, camera, XMP, an ICC profile and a comment, in one of four formats."""
    image = Image.new("RGB", size, (30, 30, 200))
    image.paste((200, 30, 30), (0, 0, size[0] // 2, size[1]))
    path.parent.mkdir(parents=True, exist_ok=True)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    if fmt == "JPEG":
        image.save(path, "JPEG", exif=camera_exif(6).tobytes(), xmp=XMP, icc_profile=icc, comment=b"secret-note")
    elif fmt == "WEBP":
        image.save(path, "WEBP", exif=camera_exif().tobytes(), xmp=XMP, icc_profile=icc)
    elif fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "示例作者")
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        image.convert("RGBA").save(path, "PNG", pnginfo=info, exif=camera_exif().tobytes(), icc_profile=icc)
    else:
        image.convert("P").save(path, "GIF", comment=b"secret-note GPS")
    return path


SITE = "title: 示例区“五星”支部展示\nowner: 示例区教育局党组\nregion: 示例区\nas_of: 2024-12-31\n"
BRANCH = """\
name: 示例小学001
kind: 小学
brand:
  name: 示例品牌
  logo: images/logos/logo.png
  photos:
    - file: images/brands/webp.webp
      caption: 示例照片一
    - file: images/brands/gif.gif
      caption: 示例照片二
"""
EVENT = """\
date: 2024-05-01
title: 示例观摩会
venue: shili-001
photos:
  - file: images/events/jpeg.jpg
    caption: 示例会场
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / "branches").mkdir(parents=True)
    (data / "events").mkdir()
    (data / "site.yaml").write_text(SITE, encoding="utf-8")
    (data / "branches" / "shili-001.yaml").write_text(BRANCH, encoding="utf-8")
    (data / "events" / "2024-05-01-shili.yaml").write_text(EVENT, encoding="utf-8")
    photo(data / "images/logos/logo.png", "PNG", (600, 600))
    photo(data / "images/brands/webp.webp", "WEBP")
    photo(data / "images/brands/gif.gif", "GIF", (400, 300))
    photo(data / "images/events/jpeg.jpg", "JPEG", (2400, 1600))
    return data


def test_the_fictional_pictures_do_carry_metadata(data: Path) -> None:
    # Otherwise the test below would prove nothing.
    with Image.open(data / "images/events/jpeg.jpg") as jpeg:
        assert jpeg.getexif()[0x010F] == MAKER and jpeg.getexif().get_ifd(GPS_IFD)[2] == LATITUDE
        assert "xmp" in jpeg.info and "icc_profile" in jpeg.info
    with Image.open(data / "images/brands/webp.webp") as webp:
        assert webp.getexif()[0x0110] == MODEL and "xmp" in webp.info
    with Image.open(data / "images/logos/logo.png") as png:
        assert "XML:com.adobe.xmp" in png.info and png.getexif()
    assert b"secret-note" in (data / "images/brands/gif.gif").read_bytes()


def published_images(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("*")) if p.suffix.lower() in RASTER and p.is_file()]


def test_no_published_image_carries_location_camera_or_xmp(data: Path, tmp_path: Path) -> None:
    build_site(data, REPO / "mkdocs.yml", tmp_path / "site")
    images = published_images(tmp_path / "site")
    assert len(images) >= 8  # renditions of four pictures
    for path in images:
        raw = path.read_bytes()
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            assert not image.getexif(), path.name
            assert not image.getexif().get_ifd(GPS_IFD), path.name
            for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "Author"):
                assert key not in image.info, (path.name, key)
        for secret in SECRETS:
            assert secret not in raw, (path.name, secret)


def test_the_original_files_are_never_published(data: Path, tmp_path: Path) -> None:
    build_site(data, REPO / "mkdocs.yml", tmp_path / "site")
    originals = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (data / "images").rglob("*.*")}
    published = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert originals.isdisjoint(published)


def test_a_photo_is_turned_upright_before_its_orientation_tag_is_dropped(data: Path, tmp_path: Path) -> None:
    # The JPEG is 2400×1600 with orientation 6 (rotate 90°): published upright, so taller than wide.
    build_site(data, REPO / "mkdocs.yml", tmp_path / "site")
    renditions = [p for p in published_images(tmp_path / "site") if "jpeg" in p.name.lower()]
    assert renditions
    for path in renditions:
        with Image.open(path) as image:
            assert image.height > image.width, path.name


def test_an_image_file_over_the_size_limit_is_refused_by_check(data: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    big = data / "images/events/jpeg.jpg"
    with big.open("ab") as handle:
        handle.truncate(MAX_IMAGE_BYTES + 1024 * 1024)
    assert main(["check", "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert "data/events/2024-05-01-shili.yaml:5:" in err
    assert f"上限 {MAX_IMAGE_BYTES // 1024 // 1024} MB" in err and "太大" in err


def pixel_bomb(path: Path) -> Path:
    """A small file that decodes to 60 million pixels (a decompression bomb)."""
    Image.new("1", (10_000, 6_000)).save(path, "PNG")
    return path


def test_an_image_with_too_many_pixels_is_refused_by_the_build(data: Path, tmp_path: Path) -> None:
    pixel_bomb(data / "images/events/jpeg.jpg").rename(data / "images/events/bomb.png")
    event = data / "events" / "2024-05-01-shili.yaml"
    event.write_text(event.read_text(encoding="utf-8").replace("jpeg.jpg", "bomb.png"), encoding="utf-8")
    shutil.copytree(REPO / "data", tmp_path / "good")
    build_site(tmp_path / "good", REPO / "mkdocs.yml", tmp_path / "site")
    before = sorted(p.name for p in (tmp_path / "site").rglob("*"))
    with pytest.raises((BuildFailed, DataError)) as failed:
        build_site(data, REPO / "mkdocs.yml", tmp_path / "site")
    error = failed.value
    message = error.report() if isinstance(error, DataError) else str(error)
    assert "images/events/bomb.png" in message and "像素" in message
    assert sorted(p.name for p in (tmp_path / "site").rglob("*")) == before


def test_an_image_with_too_many_pixels_is_refused_by_check(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pixel_bomb(data / "images/events/bomb.png")
    event = data / "events" / "2024-05-01-shili.yaml"
    event.write_text(event.read_text(encoding="utf-8").replace("jpeg.jpg", "bomb.png"), encoding="utf-8")
    assert main(["check", "--data", str(data)]) == 1
    assert "data/events/2024-05-01-shili.yaml:5:" in capsys.readouterr().err

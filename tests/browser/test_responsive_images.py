"""In Chromium at phone width: gallery images load, the right srcset candidate is chosen, nothing is oversized."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from generator.records.load import load_dataset
from generator.site.images import image_html, image_refs, plan_images, write_images
from generator.site.share import QR_FOLDER, SHARE_FOLDER

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}
DPR = 2
RENDITION = re.compile(r"-(\d+)\.(webp|jpg|png)$")


def fictional_photo(path: Path, size: tuple[int, int]) -> None:
    image = Image.new("RGB", size, (30, 30, 160))
    image.paste((166, 27, 27), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (34.0, 37.0, 1.0), 3: "E", 4: (112.0, 27.0, 2.0)}
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", exif=exif.tobytes(), quality=85)


def fictional_logo(path: Path, size: int) -> None:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    image.paste((166, 27, 27, 255), (size // 4, size // 4, size * 3 // 4, size * 3 // 4))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "PNG")


def add_images(data: Path) -> None:
    """Photos at sizes that exercise the srcset (a big one, a small one) and a logo, on 区一实小 and an event."""
    fictional_photo(data / "images/brands/shili-da.jpg", (2400, 1600))
    fictional_photo(data / "images/brands/shili-xiao.jpg", (500, 300))
    fictional_photo(data / "images/events/shili-huichang.jpg", (1800, 1200))
    fictional_logo(data / "images/logos/shili-logo.png", 600)
    branch = data / "branches/qu-yishixiao.yaml"
    branch.write_text(branch.read_text(encoding="utf-8").replace(
        "  name: 红·星闪闪\n",
        "  name: 红·星闪闪\n  logo: images/logos/shili-logo.png\n  photos:\n"
        "    - file: images/brands/shili-da.jpg\n      caption: 示例大照片\n"
        "    - file: images/brands/shili-xiao.jpg\n      caption: 示例小照片\n"), encoding="utf-8")
    event = data / "events/2023-06-02-guanmo-tuijinhui.yaml"
    event.write_text(event.read_text(encoding="utf-8") + "photos:\n  - file: images/events/shili-huichang.jpg\n"
                     "    caption: 示例会场照片\n", encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    add_images(data)
    return data


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=DPR, locale="zh-CN", service_workers="block")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    yield page
    context.close()


def load_every_image(page: Any) -> list[dict[str, Any]]:
    """Scroll each (lazy) image into view, wait until all have loaded, and report what the browser chose."""
    page.evaluate("for (const img of document.images) img.scrollIntoView()")
    page.wait_for_function("[...document.images].every(img => img.complete)", timeout=20_000)
    return page.evaluate("""[...document.images].map(img => ({
        alt: img.alt, current: img.currentSrc, natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
        srcset: (img.parentElement.querySelector('source') || img).getAttribute('srcset') || '',
        sizes: (img.parentElement.querySelector('source') || img).getAttribute('sizes') || ''}))""")


def candidates(srcset: str) -> list[tuple[str, int]]:
    out = []
    for item in srcset.split(","):
        url, _space, width = item.strip().rpartition(" ")
        out.append((url, int(width.rstrip("w"))))
    return out


def expected_width(srcset: str, slot: float) -> int:
    """What a browser picks for a slot of `slot` CSS pixels at DPR 2: the smallest candidate that covers it."""
    widths = sorted(w for _u, w in candidates(srcset))
    need = slot * DPR
    return next((w for w in widths if w >= need), widths[-1])


def assert_no_oversized_files(site: Path, originals: dict[str, int]) -> None:
    """Every published rendition is exactly as wide as its name says, and never wider than its original."""
    files = [p for p in (site / "images").rglob("*") if p.suffix in (".webp", ".jpg", ".png")
             and not p.relative_to(site).as_posix().startswith(SHARE_FOLDER)]  # drawn, not a record's image
    assert files
    for path in files:
        match = RENDITION.search(path.name)
        assert match, path.name
        with Image.open(path) as published:
            assert published.width == int(match.group(1)), path.name
            assert not published.getexif(), path.name
        assert published.width <= originals[path.name[: match.start()]], path.name


def test_gallery_images_at_phone_width(data_dir: Path, tmp_path: Path, browser: Any, serve_dir: Any,
                                       phone: Any) -> None:
    """A gallery page made from image_html: the phone gets the candidate its slot needs and no larger."""
    dataset = load_dataset(data_dir).dataset
    assert dataset is not None
    planned = plan_images(dataset)
    site = tmp_path / "site"
    write_images(dataset, site, tmp_path / "cache", planned)
    captions = {ref.relative: ref.caption for ref in image_refs(dataset)}
    figures = "\n".join(f"<figure>{image_html(img, captions[rel])}<figcaption>{captions[rel]}</figcaption></figure>"
                        for rel, img in planned.items())
    (site / "index.html").write_text(
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'><link rel='icon' href='data:,'>"
        "<style>body{margin:0;padding:0 8px}figure{margin:0 0 1rem}img{max-width:100%;height:auto}</style>"
        f"</head><body><h1>示例品牌展厅</h1><div style='height:1500px'></div>{figures}</body></html>",
        encoding="utf-8")
    fetched: list[str] = []
    phone.on("response", lambda r: fetched.append(r.url) if "/images/" in r.url else None)
    phone.goto(serve_dir(site) + "index.html")
    shown = load_every_image(phone)
    assert len(shown) == len(planned) == 4
    for image in shown:
        assert image["natural"] > 0, image
        assert image["current"].endswith(".webp"), image
        widths = [w for _u, w in candidates(image["srcset"])]
        assert widths == sorted(widths)
        chosen = int(RENDITION.search(image["current"]).group(1))
        slot = 390 if "100vw" in image["sizes"] else 96  # photos fill the phone; logos are 6rem
        assert chosen == expected_width(image["srcset"], slot), image
        assert chosen <= max(widths)
        assert image["shown"] <= PHONE["width"]
    by_alt = {image["alt"]: image for image in shown}
    assert by_alt["示例大照片"]["current"].endswith("-960.webp")      # 390 × 2 = 780 → 960, not 1280
    assert by_alt["示例小照片"]["current"].endswith("-500.webp")      # never upscaled past the original
    assert by_alt["红·星闪闪标识"]["current"].endswith("-320.webp")   # 96 × 2 = 192 → 320
    # one file per image: the fallback JPEG/PNG and the unused widths are not downloaded
    assert len(fetched) == 4 and all(url.endswith(".webp") for url in fetched)
    originals = {img.renditions[0].url.rsplit("/", 1)[1].rsplit("-", 1)[0]: img.width for img in planned.values()}
    assert_no_oversized_files(site, originals)
    assert not phone.errors


def test_built_site_images_at_phone_width(data_dir: Path, tmp_path: Path, serve_dir: Any, phone: Any) -> None:
    """The same checks on the real build (brand page and event page), once images.py is wired into the site."""
    from generator.engine.build import build_site

    site = build_site(data_dir, ROOT / "mkdocs.yml", tmp_path / "site").site_dir
    brand_page = site / "brands/qu-yishixiao/index.html"
    if "srcset=" not in brand_page.read_text(encoding="utf-8"):
        pytest.skip("generator/site/images.py is not wired into the plugin and templates yet: pages still publish "
                    "the original files without srcset (see the workflow helper's report)")
    base = serve_dir(site)
    dataset = load_dataset(data_dir).dataset
    planned = plan_images(dataset)
    for path, expected in (("brands/qu-yishixiao/", 3), ("events/2023-06-02-guanmo-tuijinhui/", 1)):
        phone.goto(base + path)
        shown = [i for i in load_every_image(phone) if "/images/" in i["current"]
                 and not any(f"/{folder}/" in i["current"] for folder in (SHARE_FOLDER, QR_FOLDER))]
        assert len(shown) >= expected, shown
        for image in shown:
            assert image["natural"] > 0 and image["current"].endswith(".webp"), image
            widths = [w for _u, w in candidates(image["srcset"])]
            assert int(RENDITION.search(image["current"]).group(1)) <= max(widths), image
    originals = {img.renditions[0].url.rsplit("/", 1)[1].rsplit("-", 1)[0]: img.width for img in planned.values()}
    assert_no_oversized_files(site, originals)
    for original in ("shili-da.jpg", "shili-xiao.jpg", "shili-huichang.jpg", "shili-logo.png"):
        assert not list(site.rglob(original)), f"the original {original} is published as it is"
    assert not phone.errors

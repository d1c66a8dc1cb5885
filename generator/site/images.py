"""Responsive images: WebP renditions plus a fallback, metadata stripped, and a content-keyed cache."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import io
import os
import pickle
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from stat import S_ISREG
from typing import Literal

from generator.cachefile import Signature, prune_sharded, settled, signature_of, write_whole
from generator.dataset import Dataset
from generator.quotes import quoted
from generator.records.problems import shorten
from generator.records.yamlfile import Loc
from generator.sanitize import clean

Kind = Literal["photo", "logo"]

PHOTO_WIDTHS: tuple[int, ...] = (320, 640, 960, 1280)
LOGO_WIDTHS: tuple[int, ...] = (160, 320, 480)
PHOTO_SIZES = "(max-width: 30em) 100vw, (max-width: 60em) 50vw, 22rem"
LOGO_SIZES = "6rem"
FALLBACK_MAX = {"photo": 960, "logo": 320}
MAX_PIXELS = 50_000_000
OUTPUT_FOLDER = "images"
WEBP_QUALITY = {"photo": 80, "logo": 90}
JPEG_QUALITY = 82
ENCODER_VERSION = "1"
ORIENTATION_TAG = 0x0112


class ImageError(Exception):
    """An image that cannot be published, with the Chinese reason."""


@dataclass(frozen=True)
class Rendition:
    """One published file: its URL (relative to the site root), pixel size and format."""

    url: str
    width: int
    height: int
    format: Literal["webp", "jpeg", "png"]


@dataclass(frozen=True)
class ResponsiveImage:
    """An image named in a record and the files it is published as."""

    source: str
    kind: Kind
    digest: str
    width: int
    height: int
    renditions: tuple[Rendition, ...]
    fallback: Rendition

    @property
    def src(self) -> str:
        return self.fallback.url

    @property
    def srcset(self) -> list[tuple[str, int]]:
        return [(r.url, r.width) for r in self.renditions]

    @property
    def largest(self) -> Rendition:
        return self.renditions[-1]

    @property
    def files(self) -> tuple[Rendition, ...]:
        return (*self.renditions, self.fallback)

    @property
    def cache_key(self) -> str:
        from PIL import __version__ as pillow

        settings = (self.digest, self.kind, ",".join(str(r.width) for r in self.files), self.fallback.format,
                    str(WEBP_QUALITY[self.kind]), str(JPEG_QUALITY), ENCODER_VERSION, pillow.split(".")[0])
        return hashlib.sha256("|".join(settings).encode()).hexdigest()[:32]


# -- planning (cheap: the file's bytes are hashed, only the header is decoded) -----------------------------------

_digests: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _digests:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _digests[key] = digest.hexdigest()
    return _digests[key]


def rendition_widths(width: int, targets: Iterable[int]) -> list[int]:
    """The target widths below the original, then the largest target the original can fill; never upscaled."""
    targets = sorted(targets)
    widths = [w for w in targets if w < width]
    top = min(width, targets[-1])
    if top not in widths:
        widths.append(top)
    return widths


def scaled_height(width: int, height: int, new_width: int) -> int:
    return max(1, round(height * new_width / width))


def _has_alpha(mode: str, info: Mapping[str, object]) -> bool:
    return mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in info)


def _oriented_size(image: object) -> tuple[int, int]:
    width, height = image.size  # type: ignore[attr-defined]
    try:
        orientation = image.getexif().get(ORIENTATION_TAG, 1)  # type: ignore[attr-defined]
    except Exception:  # a broken EXIF block must not stop planning; the pixels decide later
        orientation = 1
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def file_slug(stem: str) -> str:
    """微信图片_2023 → weixintupian-2023: an ASCII name for the published files."""
    from pypinyin import lazy_pinyin

    slug = re.sub(r"[^a-z0-9]+", "-", "".join(lazy_pinyin(stem)).lower()).strip("-")
    return slug[:40].strip("-") or "image"


IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif"})
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
MAX_IMAGE_BYTES = 20 * 1024 * 1024


def _real_path(path: str, real_folder: Callable[[str], str]) -> str:
    """os.path.realpath(path), its folder's by `real_folder` (a planner asks once a folder): the same answer, as
    the file itself is not a link (else the whole path is resolved)."""
    folder, name = os.path.split(path)
    if not name or name in (".", "..") or os.path.islink(path):
        return os.path.realpath(path)
    return os.path.join(real_folder(folder), name)


def resolve_image(data_dir: Path, relative: str,
                  real_folder: Callable[[str], str] = os.path.realpath) -> tuple[Path | None, str]:
    """The real path of an image named in a record, or why it cannot be used (`real_folder`: os.path.realpath,
    remembered for one planning of many images)."""
    if "\x00" in relative:
        return None, "图片路径里有非法字符。"
    path = Path(relative)
    shown = shorten(relative)
    if path.is_absolute() or relative.startswith(("/", "\\")) or ":" in relative:
        return None, f"图片路径{quoted(shown)}是绝对路径；只能写相对于 data/ 的路径。"
    if ".." in path.parts or "\\" in relative:
        return None, f"图片路径{quoted(shown)}指向 data/ 以外；只能引用 data/ 里的图片。"
    try:
        return _inspect_image(data_dir, path, shown, real_folder)
    except OSError:
        return None, f"图片路径{quoted(shown)}无法读取（路径太长，或文件被占用）。"


def _inspect_image(data_dir: Path, path: Path, shown: str,
                   real_folder: Callable[[str], str] = os.path.realpath) -> tuple[Path | None, str]:
    root = real_folder(str(data_dir))
    target = _real_path(os.path.join(root, path), real_folder)
    if os.path.commonpath((root, target)) != root:
        return None, f"图片路径{quoted(shown)}（经符号链接）指向 data/ 以外。"
    try:
        stat = os.stat(target)
    except FileNotFoundError:
        return None, f"找不到图片{quoted(shown)}。"
    if not S_ISREG(stat.st_mode):
        return None, f"找不到图片{quoted(shown)}。"
    if os.path.splitext(target)[1].lower() not in IMAGE_SUFFIXES:
        return None, f"{quoted(shown)}不是图片（只支持 .jpg、.png、.webp、.gif）。"
    if stat.st_size > MAX_IMAGE_BYTES:
        size = stat.st_size / 1024 / 1024
        return None, f"图片{quoted(shown)}太大（{size:.1f} MB，上限 {MAX_IMAGE_BYTES // 1024 // 1024} MB）。"
    with open(target, "rb") as handle:
        head = handle.read(16)
    if not (head.startswith(IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")):
        return None, f"{quoted(shown)}的内容不是图片（文件可能损坏或只是改了扩展名）。"
    return Path(target), ""


DAMAGED_HINT = "用看图软件打开确认图片完整；请从原处重新导出或换一张图片（另存为 .jpg 或 .png）后替换这个文件。"

IMAGE_HINTS: tuple[tuple[str, str], ...] = (
    ("绝对路径", "把图片复制到 data/images/ 下，路径写成相对于 data/ 的形式，如 images/logos/文件名.png。"),
    ("以外", "把图片复制到 data/images/ 下，路径写成相对于 data/ 的形式，不要用“..”。"),
    ("找不到", "检查文件名和大小写是否与图片完全一致（含扩展名）；图片要放在 data/images/ 下。"),
    ("太大", "用画图、WPS 或手机相册把照片缩小到长边 2000 像素左右再放进来。"),
    ("不是图片", "只能引用 .jpg、.png、.webp、.gif 图片；请换成正确的图片文件。"),
    ("内容不是图片", "用看图软件打开这个文件确认它是图片；改扩展名不能改变格式，请用画图或 WPS 另存为 .jpg 或 .png。"),
    ("像素", "用手机或电脑自带的图片工具把照片缩小（如长边 4000 像素以内）后另存，再替换原文件。"),
    ("无法读取", "用看图软件打开这个文件，确认它没有损坏、也没有被其他程序占用；"
                 "必要时重新导出或换一张图片（用画图或 WPS 另存为 .jpg 或 .png），文件名不要太长。"),
    ("已损坏", DAMAGED_HINT),
)


def image_problem(data_dir: Path, relative: str, cache_dir: Path | None = None) -> tuple[str, str]:
    """Why an image named in a record cannot be published, and what to do; ("", "") when it can.

    The whole image is decoded, as the build will (a truncated or corrupt file fails here, not in the build);
    an image decoded once is remembered by its content (see `verify_image`) and not decoded again.
    """
    path, why = resolve_image(data_dir, relative)
    if path is not None:
        try:
            read_header(path, relative)
            verify_image(path, relative, default_cache_dir(data_dir) if cache_dir is None else cache_dir)
        except ImageError as error:
            why = str(error)
    if not why:
        return "", ""
    return why, next((h for word, h in reversed(IMAGE_HINTS) if word in why), "图片要放在 data/images/ 下。")


def source_path(data_dir: Path, relative: str, real_folder: Callable[[str], str] = os.path.realpath) -> Path:
    path, why = resolve_image(data_dir, relative, real_folder)
    if path is None:
        raise ImageError(why)
    return path


def read_header(path: Path, relative: str) -> tuple[int, int, bool]:
    """Upright width, height and whether it has alpha, from the header alone; refuses too many pixels."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = _oriented_size(image)
                alpha = _has_alpha(image.mode, image.info)
    except Image.DecompressionBombError:
        raise ImageError(f"图片{quoted(relative)}的像素太多，已拒绝处理。") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ImageError(f"图片{quoted(relative)}无法读取（文件可能损坏，或不是 JPEG/PNG/WebP/GIF 图片）。") from None
    refuse_pixels(width, height, relative)
    return width, height, alpha


def refuse_pixels(width: int, height: int, relative: str) -> None:
    if width * height > MAX_PIXELS:
        raise ImageError(f"图片{quoted(relative)}太大：{width}×{height} 像素"
                         f"（约 {width * height / 1e6:.0f} 百万像素），上限约 {MAX_PIXELS / 1e6:.0f} 百万像素。")


VERIFIED_FOLDER = "verified"
"""Inside the image cache: one empty file per image content (by digest) that decoded completely."""


def _decode_problem(relative: str) -> ImageError:
    return ImageError(f"图片{quoted(relative)}已损坏，无法完整读取（文件可能没有传完整、被截断，或内容有错）。")


def decode_image(path: Path, relative: str) -> None:
    """Decode the image as the build will (its first frame, every pixel), checking a PNG's chunk checksums too;
    ImageError naming the image when it cannot be decoded."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.verify()  # PNG: structure and the checksum of every chunk; other formats: little
            with Image.open(path) as image:
                image.seek(0)
                image.load()
                jpeg = image.format == "JPEG"
        if jpeg and not _has_jpeg_end(path):
            raise _decode_problem(relative)
    except ImageError:
        raise
    except Image.DecompressionBombError:
        raise ImageError(f"图片{quoted(relative)}的像素太多，已拒绝处理。") from None
    except Exception:  # Pillow's decoders raise OSError, SyntaxError, EOFError, struct.error, zlib.error…
        raise _decode_problem(relative) from None


def _has_jpeg_end(path: Path) -> bool:
    """Whether a JPEG's picture data ends with the end-of-image marker: bytes that are not a picture, written
    after a good header, fill the pixels with noise without making the decoder fail, but seldom end so."""
    data = path.read_bytes()
    start = data.find(b"\xff\xda")
    return start != -1 and data.find(b"\xff\xd9", start) != -1


def stamp_name(digest: str) -> str:
    """The decoding stamp of an image's content (`verify_image`): its digest, the encoder's version, Pillow's."""
    from PIL import __version__ as pillow

    return f"{digest}-{ENCODER_VERSION}-{pillow.split('.')[0]}"


def verify_image(path: Path, relative: str, cache_dir: Path | None) -> None:
    """`decode_image`, once per content: a stamp named by the file's digest in the image cache remembers a success.

    `fivestar check` and the build share the stamp, so an image decoded by either is not decoded again while it
    is unchanged. A cache that cannot be written (a read-only folder) only costs the decoding next time.
    """
    stamp = None
    if cache_dir is not None:
        digest = file_digest(path)
        stamp = Path(cache_dir) / VERIFIED_FOLDER / digest[:2] / stamp_name(digest)
        if stamp.is_file():
            return
    decode_image(path, relative)
    if stamp is not None:
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.touch()
        except OSError:
            pass


def plan_image(data_dir: Path, relative: str, kind: Kind = "photo", known: KnownHeaders | None = None,
               real_folder: Callable[[str], str] = os.path.realpath) -> ResponsiveImage:
    """Where an image will be published and at which sizes, from its header (the pixels are not decoded); with
    `known`, a header read before is taken while `stat` says the file is unchanged."""
    path = source_path(Path(data_dir), relative, real_folder)
    header = known.get(path) if known is not None else None
    if header is None:
        header = (*read_header(path, relative), file_digest(path))
        if known is not None:
            known.put(path, header)
    width, height, alpha, digest = header
    refuse_pixels(width, height, relative)  # a header kept under another limit
    stem = file_slug(Path(relative).stem)
    base = f"{OUTPUT_FOLDER}/{stem}-{digest[:10]}"
    targets = PHOTO_WIDTHS if kind == "photo" else LOGO_WIDTHS
    renditions = tuple(Rendition(f"{base}-{w}.webp", w, scaled_height(width, height, w), "webp")
                       for w in rendition_widths(width, targets))
    fallback_width = max((r.width for r in renditions if r.width <= FALLBACK_MAX[kind]), default=renditions[0].width)
    fallback_format: Literal["png", "jpeg"] = "png" if alpha else "jpeg"
    extension = "png" if alpha else "jpg"
    fallback = Rendition(f"{base}-{fallback_width}.{extension}", fallback_width,
                         scaled_height(width, height, fallback_width), fallback_format)
    return ResponsiveImage(relative, kind, digest, width, height, renditions, fallback)


@dataclass(frozen=True)
class ImageRef:
    """An image named in a record: which record, where in it, and how it is used."""

    key: str
    loc: Loc
    relative: str
    kind: Kind
    caption: str


def image_refs(dataset: Dataset) -> Iterator[ImageRef]:
    """Every logo and photo named by the records, in record order, and the footer's 党政机关网站标识 badge."""
    for branch in dataset.branches:
        if branch.brand is None:
            continue
        key = f"branches:{branch.id}"
        if branch.brand.logo:
            yield ImageRef(key, ("brand", "logo"), branch.brand.logo, "logo", f"{branch.brand.name}标识")
        for i, photo in enumerate(branch.brand.photos):
            yield ImageRef(key, ("brand", "photos", i, "file"), photo.file, "photo", photo.caption)
    for event in dataset.events:
        for i, photo in enumerate(event.photos):
            yield ImageRef(f"events:{event.id}", ("photos", i, "file"), photo.file, "photo", photo.caption)
    footer = dataset.site.footer
    if footer is not None and footer.conac_image:
        yield ImageRef("site", ("footer", "conac_image"), footer.conac_image, "logo", "党政机关网站标识")


def plan_images(dataset: Dataset, cache_dir: Path | None = None) -> dict[str, ResponsiveImage]:
    """Every record image, keyed by its path relative to data/; a logo used as a photo too is planned as a photo.
    The headers read are kept in the image cache (`cache_dir`, default beside the data: KnownHeaders)."""
    kinds: dict[str, Kind] = {}
    for ref in image_refs(dataset):
        if kinds.get(ref.relative) != "photo":
            kinds[ref.relative] = ref.kind
    known = KnownHeaders.read(default_cache_dir(dataset.data_dir) if cache_dir is None else cache_dir)
    real_folder = functools.cache(os.path.realpath)  # a province's 7,700 images are in a few hundred folders
    planned = {relative: replace(plan_image(*dataset.image_root(relative), kind, known, real_folder), source=relative)
               for relative, kind in kinds.items()}
    known.save()
    return planned


HEADERS = "headers.pickle"
"""Inside the image cache: the header (size, alpha) and digest of each image planned, by its real path."""
HEADERS_FORMAT = 1
"""Another value (another reading of headers) is not used."""


@dataclass
class KnownHeaders:
    """The images planned last time (HEADERS): a header is taken again while `stat` says its file is unchanged
    (size, modification and change times, inode, device), and the file was not changed near the moment it was
    kept (`cachefile.settled`, the member cache's rule, as git trusts a file's `stat`). Missing or damaged: every
    header is read; only a planning that read one anew writes the file again."""

    path: Path
    written: int = 0
    last: dict[str, tuple[Signature, tuple[int, int, bool, str]]] = field(default_factory=dict)
    now: dict[str, tuple[Signature, tuple[int, int, bool, str]]] = field(default_factory=dict)
    read_anew: int = 0

    @classmethod
    def read(cls, cache_dir: Path) -> KnownHeaders:
        known = cls(Path(cache_dir) / HEADERS)
        try:
            known.written = known.path.stat().st_mtime_ns
            raw = pickle.loads(known.path.read_bytes())
            if isinstance(raw, dict) and raw.get("format") == HEADERS_FORMAT and isinstance(raw.get("images"), dict):
                known.last = raw["images"]
        except Exception:  # missing, cut short or from another fivestar: every header is read
            known.last = {}
        return known

    @staticmethod
    def signature(path: Path) -> Signature:
        return signature_of(os.stat(path))

    def get(self, path: Path) -> tuple[int, int, bool, str] | None:
        kept = self.last.get(str(path))
        try:
            signature = self.signature(path)
        except OSError:
            return None
        if kept is None or kept[0] != signature or not settled(signature, self.written):
            return None
        self.now[str(path)] = kept
        return kept[1]

    def put(self, path: Path, header: tuple[int, int, bool, str]) -> None:
        with contextlib.suppress(OSError):
            self.now[str(path)] = (self.signature(path), header)
            self.read_anew += 1

    def save(self) -> None:
        if not self.read_anew and len(self.now) == len(self.last):
            return  # every header was known: the file says it already
        with contextlib.suppress(OSError):
            write_whole(self.path, pickle.dumps({"format": HEADERS_FORMAT, "images": self.now},
                                                protocol=pickle.HIGHEST_PROTOCOL))



# -- encoding (pixels only: EXIF, GPS, XMP, ICC and comments never reach the output) ------------------------------


def clean_pixels(path: Path, largest: tuple[int, int]):
    """The image's pixels only, upright and in sRGB, with no metadata attached."""
    from PIL import Image, ImageCms, ImageOps

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path) as image:
            image.seek(0)
            if image.format == "JPEG":
                image.draft("RGB", largest if _oriented_size(image) == image.size else largest[::-1])
            alpha = _has_alpha(image.mode, image.info)
            icc = image.info.get("icc_profile")
            upright = ImageOps.exif_transpose(image)
            mode = "RGBA" if alpha else "RGB"
            if icc and upright.mode in ("RGB", "RGBA", "CMYK"):
                try:
                    source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
                    upright = ImageCms.profileToProfile(upright, source, ImageCms.createProfile("sRGB"),
                                                        outputMode=mode if upright.mode != "CMYK" else "RGB")
                except (ImageCms.PyCMSError, OSError, ValueError):
                    pass
            converted = upright.convert(mode)
            return Image.frombytes(mode, converted.size, converted.tobytes())


def encode_renditions(path: Path, image: ResponsiveImage) -> dict[str, bytes]:
    """Every file of a planned image, by URL."""
    from PIL import Image

    pixels = clean_pixels(path, (image.largest.width, image.largest.height))
    out: dict[str, bytes] = {}
    for rendition in image.files:
        size = (rendition.width, rendition.height)
        resized = pixels if pixels.size == size else pixels.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        buffer = io.BytesIO()
        if rendition.format == "webp":
            resized.save(buffer, "WEBP", quality=WEBP_QUALITY[image.kind], method=4)
        elif rendition.format == "png":
            resized.save(buffer, "PNG", optimize=True)
        else:
            resized.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        out[rendition.url] = buffer.getvalue()
    return out


def default_cache_dir(data_dir: Path) -> Path:
    """`.cache/fivestar/images` beside the data folder (resolved once per folder: check asks for every image)."""
    return _cache_dir_of(os.getcwd(), str(data_dir))


@functools.cache
def _cache_dir_of(cwd: str, data_dir: str) -> Path:
    return Path(cwd, data_dir).resolve().parent / ".cache" / "fivestar" / "images"


def cache_name(rendition: Rendition) -> str:
    """A rendition's name inside its cache entry: by width and format only, so equal content shares it."""
    return f"{rendition.width}.{rendition.format}"


def cached_files(image: ResponsiveImage, data_dir: Path, cache_dir: Path) -> Path:
    """The folder holding this image's files in the cache, encoding them first if they are not there."""
    entry = cache_dir / image.cache_key[:2] / image.cache_key
    names = [cache_name(r) for r in image.files]
    if entry.is_dir() and all((entry / n).is_file() for n in names):
        return entry
    path = source_path(data_dir, image.source)
    verify_image(path, image.source, cache_dir)
    try:
        encoded = encode_renditions(path, image)
    except (OSError, ValueError, SyntaxError, EOFError) as error:  # belt and braces: `check` decodes it first
        raise _decode_problem(image.source) from error
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{image.cache_key}-", dir=entry.parent))
    try:
        for rendition in image.files:
            (staging / cache_name(rendition)).write_bytes(encoded[rendition.url])
        if entry.exists():
            shutil.rmtree(entry, ignore_errors=True)
        os.replace(staging, entry)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not (entry.is_dir() and all((entry / n).is_file() for n in names)):
            raise
    return entry


def prune_cache(cache_dir: Path, used: Iterable[ResponsiveImage], *, older_than: float) -> int:
    """Remove the image cache's renditions and decoding stamps that none of `used` (a build's every image) needs,
    once they have not changed since `older_than` (cachefile.prune_unused); how many entries."""
    images = list(used)
    stamps = {stamp_name(image.digest) for image in images}
    return (prune_sharded(cache_dir, {image.cache_key for image in images}, older_than=older_than)
            + prune_sharded(Path(cache_dir) / VERIFIED_FOLDER, stamps, older_than=older_than))


def place_cached(cached: Path | str, target: Path | str, *, link: bool = False) -> None:
    """A file of the cache put in the site: with `link` (a fresh build folder nobody serves: `fivestar build`'s), a
    hard link where the file system allows one, no bytes copied; else a copy.

    Safe because nothing writes into either file afterwards: the cache replaces a file with a new one
    (`os.replace`), never in place, and a build folder is never written again once it is the site. Never for a
    preview: it writes into its folder again at every rebuild, and so would write into the cache through a link.
    The page cache (engine/pagestore.py) places its pages the same way."""
    if link:
        try:
            try:  # one system call when the target's folder is there (a build in the last site's folders)
                os.link(cached, target)
            except FileExistsError:  # two records, one picture: already there; or something else, replaced
                if os.path.samefile(cached, target):
                    return
                os.unlink(target)
                os.link(cached, target)
            except FileNotFoundError:  # no folder yet (or no cached file: the copy says so)
                _make_folder(os.path.dirname(target))
                os.link(cached, target)
            return
        except OSError:  # no hard links on this file system
            pass
    shutil.copyfile(cached, target)


def _make_folder(folder: str) -> None:
    """A file's folder, made: most are a page's own, in a folder new to the build (one system call)."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except FileNotFoundError:  # the folder above it is not there yet either
        os.makedirs(folder, exist_ok=True)


def keep_produced(produced: Path | str, kept: Path) -> bool:
    """A file this build wrote kept in the cache as `kept` (`place_cached`'s other way): linked (else copied)
    beside it, then moved over it in one step, so that a reader or a link into a site never sees it half there;
    False when it could not be kept (a cache that cannot be written costs only the work next time)."""
    staging = kept.with_name(f".{kept.name}.{os.getpid()}")
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            staging.unlink()
        place_cached(produced, staging, link=True)
        os.replace(staging, kept)
    except OSError:
        return False
    return True


def write_images(dataset: Dataset, site_dir: Path, cache_dir: Path | None = None,
                 images: Mapping[str, ResponsiveImage] | None = None, *, link: bool = False) -> list[Path]:
    """Publish every record image into `site_dir`, re-encoding only what the cache does not hold yet (`link`: see
    `place_cached`)."""
    images = plan_images(dataset) if images is None else images
    cache_dir = default_cache_dir(dataset.data_dir) if cache_dir is None else Path(cache_dir)
    written: list[Path] = []
    for image in images.values():
        root, inner = dataset.image_root(image.source)  # a member region's image is read from its own data folder
        entry = cached_files(replace(image, source=inner), root, cache_dir)
        for rendition in image.files:
            target = Path(site_dir) / rendition.url
            target.parent.mkdir(parents=True, exist_ok=True)
            place_cached(entry / cache_name(rendition), target, link=link)
            written.append(target)
    return written


# -- markup -------------------------------------------------------------------------------------------------------


def image_html(image: ResponsiveImage, alt: str, sizes: str | None = None,
               url: Callable[[str], str] = lambda u: u, css_class: str | None = None,
               lazy: bool = True) -> str:
    """`<picture>` with the WebP srcset and the JPEG/PNG fallback; `url` maps site paths to page-relative links."""
    def attribute(text: str) -> str:
        return html.escape(clean(text), quote=True)

    sizes = sizes or (PHOTO_SIZES if image.kind == "photo" else LOGO_SIZES)
    srcset = ", ".join(f"{attribute(url(u))} {w}w" for u, w in image.srcset)
    extra = f' class="{attribute(css_class)}"' if css_class else ""
    loading = ' loading="lazy"' if lazy else ""
    return (f'<picture><source type="image/webp" srcset="{srcset}" sizes="{attribute(sizes)}">'
            f'<img{extra} src="{attribute(url(image.src))}" alt="{attribute(alt)}" '
            f'width="{image.fallback.width}" height="{image.fallback.height}"{loading} decoding="async"></picture>')

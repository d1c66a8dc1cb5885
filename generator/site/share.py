"""Share and print: a share picture per page kind, the Open Graph facts of a page, the QR code of its address.

WeChat (outside its JS-SDK) ignores Open Graph: a shared page is shown with its <title> and the first <img> in the
page that is at least 300×300 pixels, an image hidden with display:none included. So every page gets, before any
other image, a hidden 600×600 PNG drawn here from the site's seal: the region's name (a whole short name, or a
clean initial, never a cut word) with the campaign's star, in the site's colours, and the page kind's name
(荣誉榜, 支部风采…). Open Graph and Twitter tags carry the same picture for other apps. The QR code of each page's
canonical address is an SVG file of one <path>, written by the background process, shown behind 扫码分享 and on the
printed page. Everything is drawn from the data and the theme's colours; bytes depend only on them, the font file
and Pillow's major version, so two builds give the same files.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from generator.cachefile import prune_unused, write_whole
from generator.records.model import DEFAULT_SECTION_TITLES, SECTION_KEYS, Site
from generator.sanitize import clean
from generator.site.images import place_cached

SHARE_FOLDER = "images/share"
QR_FOLDER = "images/qr"
PICTURE_SIZE = 600
"""Pixels a side: WeChat wants at least 300×300; twice that stays sharp on a phone's screen."""
SUPERSAMPLE = 2
"""Drawn at twice the size and scaled down: Pillow draws shapes without smoothing."""
EDGE_STEPS = 5
"""The PNG's palette: the red, and this many steps from it to the gold and to the cream (11 colours, 4 bits)."""
PICTURE_VERSION = "2"
"""Raise when the drawing changes: the file names (and caches) of every share picture change with it."""

QR_ERROR = "m"
QR_MASK = 0
"""A fixed mask: choosing the best of eight costs four times as long (segno: ~8 ms against ~2 ms per address), and
any mask scans; the quiet zone is the standard four modules."""
QR_BORDER = 4
QR_MODULE_PX = 4
"""The SVG's natural size: pixels per module (CSS sizes it on the page and on paper)."""
QR_VERSION = "2"
"""Raise when the SVG changes: the QR files are named (and cached) by address and this."""

LONGEST_LINE = 4
"""Characters on one line of the seal; a name of up to two lines is shown whole, a longer one by its initial."""
PLACE_ENDINGS = "省市州盟县区旗镇乡"
"""A two-line name breaks after one of these, or before 自治, when it can (示例市 / 示例区), else in the middle."""

DEFAULT_COLOURS: Mapping[str, str] = {"red": "#a61b1b", "gold": "#e2b33c", "cream": "#fffaf0"}
"""The theme's colours (theme/assets/stylesheets/fivestar.css: --fs-red, --fs-gold, --fs-cream), used when a
project's theme does not name them."""
_COLOUR = re.compile(r"--fs-(red|gold|cream)\s*:\s*(#[0-9a-fA-F]{6})\b")

FONT_CANDIDATES: tuple[str, ...] = (
    # Debian/Ubuntu fonts-noto-cjk (what .ci/run installs), then other common CJK fonts on Linux, macOS, Windows
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/msyhbd.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
"""Where a CJK font is looked for, best first (a bold serif looks most like a seal). With none, the picture is the
star alone: a clean picture without words, never boxes for missing characters."""


# -- page kinds --------------------------------------------------------------------------------------------------------

def page_kind(src_uri: str) -> str:
    """The kind of page a source path is, by its section (`SECTION_KEYS`): a news post counts with the events, and
    the home page and any other hand-written page count as `home`. In a city's site a member region's pages sit
    in its folder (`luolong/branches/x.md` is a branch's; `luolong/index.md`, like the home page, `home`)."""
    folders = src_uri.split("/")[:-1]
    if folders and folders[0] == "news":
        return "events"
    for folder in folders:
        if folder in SECTION_KEYS and folder != "home":
            return folder
    return "home"


def kind_label(site: Site, kind: str) -> str:
    """The words under the seal: the section's title as site.yaml words it; the home page's is the campaign."""
    if kind == "home":
        return clean(site.campaign or "").strip()
    return clean(site.section_title(kind) if kind in DEFAULT_SECTION_TITLES else "").strip()


# -- the seal's words --------------------------------------------------------------------------------------------------

def seal_characters(name: str) -> str:
    """The letters of a name as a seal shows them: no spaces, quotes or punctuation."""
    return "".join(c for c in clean(name) if c.isalnum())


def seal_lines(name: str) -> tuple[str, ...]:
    """The name on the seal: whole on one line (up to four characters) or two (up to eight, broken after a place
    ending when one falls near the middle), else its initial; never part of a word. Empty: no usable letters."""
    letters = seal_characters(name)
    if not letters:
        return ()
    if len(letters) <= LONGEST_LINE:
        return (letters,)
    if len(letters) > 2 * LONGEST_LINE:
        return (letters[0],)
    breaks = [k for k in range(len(letters) - LONGEST_LINE, LONGEST_LINE + 1)
              if letters[k - 1] in PLACE_ENDINGS or letters[k:k + 2] == "自治"]
    middle = (len(letters) + 1) // 2
    at = min(breaks, key=lambda k: (abs(k - middle), k)) if breaks else middle
    return (letters[:at], letters[at:])


# -- colours and font --------------------------------------------------------------------------------------------------

def theme_colours(css: str) -> dict[str, str]:
    """The theme's red, gold and cream as its stylesheet names them (--fs-red…), else the defaults."""
    found = dict(DEFAULT_COLOURS)
    for key, value in _COLOUR.findall(css):
        found.setdefault(key, value)
        if found[key] == DEFAULT_COLOURS[key]:
            found[key] = value.lower()
    return found


def colours_from_theme(theme_dirs: Iterable[str | Path]) -> dict[str, str]:
    """The colours of the first theme folder that has fivestar.css (a project's copy of the theme, first)."""
    for folder in theme_dirs:
        path = Path(folder) / "assets" / "stylesheets" / "fivestar.css"
        try:
            return theme_colours(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
    return dict(DEFAULT_COLOURS)


@dataclass(frozen=True)
class FontChoice:
    """A CJK font file and the face in it (a .ttc holds one per language: the Simplified Chinese one)."""

    path: str
    index: int
    identity: str
    """What the picture's bytes depend on: the file's name and size."""


def find_font(candidates: Sequence[str] = FONT_CANDIDATES) -> FontChoice | None:
    """The first CJK font found, or None."""
    for candidate in candidates:
        try:
            size = os.stat(candidate).st_size
        except OSError:
            continue
        index = _simplified_face(candidate)
        if index is not None:
            return FontChoice(candidate, index, f"{os.path.basename(candidate)}:{size}:{index}")
    return None


def _simplified_face(path: str) -> int | None:
    """The face of a font file that is Simplified Chinese (named … SC), else its first; None if unreadable."""
    from PIL import ImageFont

    first = None
    for index in range(16):
        try:
            family = ImageFont.truetype(path, 12, index=index).getname()[0] or ""
        except OSError:
            break
        first = 0 if first is None else first
        if family.endswith((" SC", "SC")) or "Simplified" in family:
            return index
    return first


# -- the picture -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SharePicture:
    """One page kind's share picture: what it shows and where it is published."""

    kind: str
    lines: tuple[str, ...]
    label: str
    colours: tuple[tuple[str, str], ...]
    font: FontChoice | None
    url: str
    """Relative to the site root: images/share/<kind>-<digest>.png."""
    width: int = PICTURE_SIZE
    height: int = PICTURE_SIZE


def plan_pictures(site: Site, colours: Mapping[str, str] | None = None,
                  font: FontChoice | bool | None = True) -> dict[str, SharePicture]:
    """The share picture of every page kind, by kind; nothing is drawn yet (`font=True`: look for one)."""
    from PIL import __version__ as pillow

    chosen = find_font() if font is True else (font or None)
    palette = tuple(sorted({**DEFAULT_COLOURS, **(colours or {})}.items()))
    lines = seal_lines(site.region) if chosen else ()
    plans: dict[str, SharePicture] = {}
    for kind in SECTION_KEYS:
        label = kind_label(site, kind) if chosen else ""
        key = "|".join((PICTURE_VERSION, str(PICTURE_SIZE), "/".join(lines), label, repr(palette),
                        chosen.identity if chosen else "-", pillow.split(".")[0]))
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
        plans[kind] = SharePicture(kind, lines, label, palette, chosen, f"{SHARE_FOLDER}/{kind}-{digest}.png")
    return plans


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _star(cx: float, cy: float, outer: float) -> list[tuple[float, float]]:
    """A five-pointed star, one point up."""
    import math

    inner = outer * 0.382
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def _missing_glyphs(font: object, text: str) -> bool:
    """Whether the font lacks a letter of `text` (it would draw the same box as for a code point no font has)."""
    blank = font.getmask("\U0010fffd")  # type: ignore[attr-defined]
    blank_bytes = (blank.size, bytes(blank))
    for letter in set(text):
        mask = font.getmask(letter)  # type: ignore[attr-defined]
        if (mask.size, bytes(mask)) == blank_bytes:
            return True
    return False


def _fitted_font(choice: FontChoice, text: str, largest: int, smallest: int, width: int):
    """The font at the largest size, down to `smallest`, at which `text` fits `width`; None when it cannot."""
    from PIL import ImageFont

    size = largest
    while size >= smallest:
        font = ImageFont.truetype(choice.path, size, index=choice.index)
        left, _top, right, _bottom = font.getbbox(text)
        if right - left <= width:
            return font
        size = int(size * 0.9)
    return None


STAR_CENTRE, STAR_RADIUS = 165, 58
NAME_CENTRE = 318
LABEL_CENTRE = (452, 462)
"""Where the seal's parts sit, in pixels of the 600×600 picture: the star's centre and radius, the middle of the
name, the label's middle under a one-line and a two-line name; inside the inner ring (radius 240)."""
INNER_RING = 240


def _usable(picture: SharePicture) -> tuple[tuple[str, ...], str]:
    """The name's lines and the label the font can draw: a letter it lacks leaves the initial, or nothing."""
    from PIL import ImageFont

    lines, label, font = picture.lines, picture.label, picture.font
    if font is None or not lines:
        return (), ""
    probe = ImageFont.truetype(font.path, 40, index=font.index)
    if _missing_glyphs(probe, "".join(lines)):
        lines = (lines[0][0],) if not _missing_glyphs(probe, lines[0][0]) else ()
    if label and _missing_glyphs(probe, label):
        label = ""
    return lines, label


def seal_layout(picture: SharePicture, scale: int = 1) -> list[tuple[str, str, object, tuple[float, float]]]:
    """The seal's words as (part, text, font, middle point), at `scale` times the picture's size: the name's lines,
    then the label when it fits (else left out, never cut). Empty: the picture is the star alone."""
    from PIL import ImageFont

    lines, label = _usable(picture)
    if not lines or picture.font is None:
        return []
    font = picture.font
    longest = max(len(line) for line in lines)
    size = min(150 if len(lines) == 1 else 92, 380 // longest) * scale  # two lines fit between star and label
    name_font = ImageFont.truetype(font.path, size, index=font.index)
    step = size * 1.1
    top = NAME_CENTRE * scale - step * (len(lines) - 1) / 2
    centre = PICTURE_SIZE * scale / 2
    parts: list[tuple[str, str, object, tuple[float, float]]] = [
        ("name", line, name_font, (centre, top + i * step)) for i, line in enumerate(lines)]
    if label:
        middle = LABEL_CENTRE[len(lines) - 1]
        reach = middle + 26 - PICTURE_SIZE / 2  # the label's lowest point, from the picture's centre
        width = int(2 * (INNER_RING**2 - reach**2) ** 0.5) - 12  # the inner ring's chord there, less a margin
        label_font = _fitted_font(font, label, 46 * scale, 30 * scale, width * scale)
        if label_font is not None:
            parts.append(("label", label, label_font, (centre, middle * scale)))
    return parts


def draw_picture(picture: SharePicture) -> bytes:
    """The PNG of a share picture: the seal (a gold ring and star on the site's red), the region's name in cream,
    the page kind's name in gold. Without a font, or with a letter the font lacks, the star alone, larger."""
    from PIL import Image, ImageDraw

    colours = dict(picture.colours)
    red, gold, cream = _rgb(colours["red"]), _rgb(colours["gold"]), _rgb(colours["cream"])
    s = SUPERSAMPLE
    side = PICTURE_SIZE * s
    centre = side / 2
    image = Image.new("RGB", (side, side), red)
    draw = ImageDraw.Draw(image)
    ring = 262 * s
    draw.ellipse((centre - ring, centre - ring, centre + ring, centre + ring), outline=gold, width=14 * s)
    inner = INNER_RING * s
    draw.ellipse((centre - inner, centre - inner, centre + inner, centre + inner), outline=gold, width=4 * s)
    parts = seal_layout(picture, s)
    if not parts:
        draw.polygon(_star(centre, centre, 170 * s), fill=gold)
        return _encode(image, colours)
    draw.polygon(_star(centre, STAR_CENTRE * s, STAR_RADIUS * s), fill=gold)
    for part, text, font, point in parts:
        draw.text(point, text, font=font, fill=cream if part == "name" else gold, anchor="mm")
    return _encode(image, colours)


def _encode(image: object, colours: Mapping[str, str]) -> bytes:
    """Scaled down to its size, on a fixed palette (red, and steps from red to gold and to cream: the smoothed
    edges), 4 bits a pixel: about 15 KB, the same bytes every time."""
    from PIL import Image

    red = _rgb(colours["red"])
    palette = [red]
    for target in (_rgb(colours["gold"]), _rgb(colours["cream"])):
        palette += [tuple(round(a + (b - a) * i / EDGE_STEPS) for a, b in zip(red, target, strict=True))
                    for i in range(1, EDGE_STEPS + 1)]
    flat = [value for colour in palette for value in colour]
    holder = Image.new("P", (1, 1))
    holder.putpalette(flat + [0] * (768 - len(flat)))
    small = image.resize((PICTURE_SIZE, PICTURE_SIZE), Image.Resampling.LANCZOS)  # type: ignore[attr-defined]
    paletted = small.quantize(palette=holder, dither=Image.Dither.NONE)
    out = io.BytesIO()
    paletted.save(out, "PNG", optimize=True, bits=4)
    return out.getvalue()


SHARE_CACHE, QR_CACHE = "share", "qr"
"""The image cache's folders of share pictures and QR codes, each file named as in the site."""


def write_pictures(pictures: Mapping[str, SharePicture], site_dir: Path, cache_dir: Path | None = None, *,
                   link: bool = False) -> list[Path]:
    """Publish every share picture, drawing only those the cache (by file name) does not hold yet (`link`:
    images.place_cached)."""
    written = []
    for picture in {p.url: p for p in pictures.values()}.values():
        target = Path(site_dir) / picture.url
        target.parent.mkdir(parents=True, exist_ok=True)
        cached = Path(cache_dir) / SHARE_CACHE / Path(picture.url).name if cache_dir is not None else None
        if cached is not None and cached.is_file():
            place_cached(cached, target, link=link)
        else:
            data = draw_picture(picture)
            target.write_bytes(data)
            if cached is not None:
                write_whole(cached, data)
        written.append(target)
    return written


# -- the page's address and its QR code --------------------------------------------------------------------------------

def canonical_url(site_url: str | None, page_url: str) -> str | None:
    """A page's address on the published site, as MkDocs makes `page.canonical_url`; None without site_url (a
    local preview has no address a phone could open)."""
    if not site_url:
        return None
    base = site_url if site_url.endswith("/") else site_url + "/"
    return urljoin(base, page_url)


def ascii_url(url: str) -> str:
    """An address as a browser sends it: the host in IDNA (xn--…), every other non-ASCII character percent-encoded.
    A QR code holds this form: a phone's reader guesses the text encoding of other bytes, and may guess wrong."""
    if url.isascii():
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        host = quote(host, safe="")
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if parts.username is not None:
        netloc = f"{quote(parts.username, safe='')}@{netloc}"
    keep = "/%:@!$&'()*+,;=-._~?#[]"
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=keep), quote(parts.query, safe=keep),
                       quote(parts.fragment, safe=keep)))


def qr_file(canonical: str) -> str:
    """Where the QR code of an address is published (relative to the site root), named by the address."""
    digest = hashlib.sha256(f"{QR_VERSION}|{QR_ERROR}|{QR_MASK}|{canonical}".encode()).hexdigest()[:16]
    return f"{QR_FOLDER}/{digest}.svg"


def qr_matrix(text: str) -> tuple[tuple[int, ...], ...]:
    """The QR code's modules (1 dark), rows top to bottom, without the quiet zone."""
    import segno

    code = segno.make_qr(text, error=QR_ERROR, mask=QR_MASK, boost_error=False)
    return tuple(tuple(row) for row in code.matrix)


def qr_path(matrix: Sequence[Sequence[int]], border: int = QR_BORDER) -> str:
    """The dark modules as one SVG path of horizontal strokes (width 1, through the middle of each row): the first
    run of a row drawn from an absolute point, each further run moved to relatively. About 2.5 KB for a page's
    address, half of one rectangle per run."""
    parts = []
    for y, row in enumerate(matrix):
        x, width, end = 0, len(row), None
        while x < width:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < width and row[x]:
                x += 1
            move = f"M{start + border} {y + border}.5" if end is None else f"m{start - end} 0"
            parts.append(f"{move}h{x - start}")
            end = x
    return "".join(parts)


def qr_svg(address: str) -> str:
    """A QR code of an address (in its ASCII form) as a standalone SVG: a white square with the quiet zone and one
    black <path>."""
    matrix = qr_matrix(ascii_url(address))
    side = len(matrix) + 2 * QR_BORDER
    pixels = side * QR_MODULE_PX
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" width="{pixels}" '
            f'height="{pixels}" shape-rendering="crispEdges"><rect width="{side}" height="{side}" fill="#fff"/>'
            f'<path stroke="#000" d="{qr_path(matrix)}"/></svg>\n')


def write_qr_codes(canonicals: Iterable[str], site_dir: Path, cache_dir: Path | None = None, *,
                   link: bool = False) -> set[str]:
    """Publish the QR code of every address (`qr_file`), made only when the cache does not hold it (`link`:
    images.place_cached); their files' paths in the site."""
    count = 0
    made: set[str] = set()
    # Paths as strings: a province has 30,000 pages, and pathlib's joins and checks would cost a second.
    site = os.fspath(site_dir)
    kept = os.path.join(os.fspath(cache_dir), QR_CACHE) if cache_dir is not None else None
    for canonical in canonicals:
        name = qr_file(canonical)
        if name in made:
            continue
        made.add(name)
        target = os.path.join(site, name)
        if count == 0:
            os.makedirs(os.path.dirname(target), exist_ok=True)
        cached = os.path.join(kept, name.rsplit("/", 1)[1]) if kept is not None else None
        if cached is not None and os.path.isfile(cached):
            place_cached(cached, target, link=link)
        else:
            data = qr_svg(canonical).encode("ascii")
            Path(target).write_bytes(data)
            if cached is not None:
                write_whole(Path(cached), data)
        count += 1
    return made


def prune_cache(cache_dir: Path, pictures: Iterable[SharePicture], qr_codes: Iterable[str], *,
                older_than: float) -> int:
    """Remove the share pictures and QR codes of the cache that this build did not publish (`pictures`, the QR
    codes' paths in the site), once they have not changed since `older_than` (cachefile.prune_unused)."""
    return (prune_unused(Path(cache_dir) / SHARE_CACHE, {Path(p.url).name for p in pictures}, older_than=older_than)
            + prune_unused(Path(cache_dir) / QR_CACHE, {path.rsplit("/", 1)[-1] for path in qr_codes},
                           older_than=older_than))


# -- what a page's head and share button show --------------------------------------------------------------------------

@dataclass(frozen=True)
class ShareView:
    """What the theme shows of a page for sharing (theme/partials/share*.html format it; this decides it)."""

    title: str
    """Plain text (the theme escapes it)."""
    description: str
    site_name: str
    picture: str
    """The share picture, relative to the site root."""
    picture_size: int
    picture_alt: str
    canonical: str | None
    """The page's address; None in a local preview (no site_url): then no og:url, og:image or QR code."""
    picture_url: str | None
    """The share picture's absolute address (og:image), with the site's path; None without site_url."""
    qr: str | None
    """The QR code file, relative to the site root; None without an address."""
    qr_size: int
    type: str
    """og:type: `article` for an event or a news post, else `website`."""
    published: str | None
    """article:published_time (YYYY-MM-DD) of an article."""
    section: str | None


def share_view(*, src_uri: str, page_url: str, title: str, description: str, site: Site,
               pictures: Mapping[str, SharePicture], site_url: str | None,
               article: Mapping[str, object] | None = None, is_homepage: bool = False) -> ShareView:
    """The share facts of one page, from its source path, its address and what the data says."""
    return ShareViews(site, pictures, site_url).view(src_uri=src_uri, page_url=page_url, title=title,
                                                     description=description, article=article,
                                                     is_homepage=is_homepage)


@dataclass(frozen=True)
class KindShare:
    """The share facts every page of one kind has in common."""

    picture: str
    picture_size: int
    picture_alt: str
    picture_url: str | None
    section: str | None


class ShareViews:
    """`share_view` for every page of one build: what depends only on the site, its address and the page kind
    (the picture, its words and address, the section, the site's name) is worked out once, not once a page."""

    def __init__(self, site: Site, pictures: Mapping[str, SharePicture], site_url: str | None) -> None:
        self.site = site
        self.pictures = pictures
        self.site_url = site_url
        self.site_name = clean(site.title)
        self.site_description = clean(site.description or site.title)
        self.kinds: dict[str, KindShare] = {}

    def kind(self, kind: str) -> KindShare:
        found = self.kinds.get(kind)
        if found is None:
            site, picture = self.site, self.pictures.get(kind) or self.pictures["home"]
            found = self.kinds[kind] = KindShare(
                picture=picture.url,
                picture_size=picture.width,
                picture_alt=clean(f"{site.region}{picture.label}" if picture.label else site.title),
                picture_url=canonical_url(self.site_url, picture.url),
                section=clean(site.section_title(kind)) if kind in DEFAULT_SECTION_TITLES else None,
            )
        return found

    def view(self, *, src_uri: str, page_url: str, title: str, description: str,
             article: Mapping[str, object] | None = None, is_homepage: bool = False) -> ShareView:
        """The share facts of one page, from its source path, its address and what the data says."""
        kind = page_kind(src_uri)
        common = self.kind(kind)
        canonical = canonical_url(self.site_url, page_url)
        dated = article is not None and kind == "events" and isinstance(article.get("date"), str)
        return ShareView(
            title=self.site_name if is_homepage or not title else clean(title),
            description=clean(description) if description else self.site_description,
            site_name=self.site_name,
            picture=common.picture,
            picture_size=common.picture_size,
            picture_alt=common.picture_alt,
            canonical=canonical,
            picture_url=common.picture_url,
            qr=qr_file(canonical) if canonical else None,
            qr_size=QR_DISPLAY_PX,
            type="article" if dated else "website",
            published=str(article["date"]) if dated and article is not None else None,
            section=common.section,
        )


QR_DISPLAY_PX = 160
"""The QR code's size on screen, in CSS pixels (its width and height attributes; print.css sizes it on paper)."""

"""The hand-written folder content/ that MkDocs publishes: which files may be published, their scan, their images."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from stat import S_ISREG
from typing import Any

from generator.checks import markup, privacy, wording
from generator.quotes import quoted
from generator.records.problems import Problem, shorten
from generator.site.images import IMAGE_HINTS, IMAGE_SUFFIXES, ImageError, resolve_image

MARKDOWN_SUFFIXES = frozenset({".md"})
"""Pages: read as UTF-8, front matter parsed, Markdown bounded, links and raw HTML checked, scanned."""

TEXT_SUFFIXES = frozenset({".txt", ".csv", ".tsv", ".json"})
"""Files under `content/` that are published as they are and read as text, so they are scanned."""

PDF_SUFFIXES = frozenset({".pdf"})
"""Attachments: published only after their text is read and scanned (with pypdf)."""

PUBLISHED_SUFFIXES = MARKDOWN_SUFFIXES | TEXT_SUFFIXES | PDF_SUFFIXES | IMAGE_SUFFIXES
"""Every other file under `content/` is refused by check and build."""

OPAQUE_SUFFIXES = frozenset({".doc", ".docx", ".xls", ".xlsx", ".xlsm", ".ppt", ".pptx", ".wps", ".et", ".dps",
                             ".rtf", ".ods", ".odt", ".odp", ".zip", ".rar", ".7z"})
"""Office documents and archives: refused with the hint to turn them into a page or a PDF."""

CODE_SUFFIXES = frozenset({".html", ".htm", ".js", ".mjs", ".svg", ".css", ".xml", ".xhtml"})
"""Files a browser would run or style with: refused (pages are written in Markdown)."""

OTHER_MARKDOWN_SUFFIXES = frozenset({".markdown", ".mdown", ".mkdn", ".mkd"})
"""What MkDocs also renders as a page: refused, so that every page goes through the same checks as .md."""

LEFTOVER_NAMES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})
"""Files Windows leaves behind in folders."""

MAX_PAGE_BYTES = 1024 * 1024
MAX_TEXT_BYTES = 5 * 1024 * 1024
CACHE_VERSION = "1"

_UTF8_HINT = ("另存为 UTF-8 编码：在记事本中选“文件 → 另存为”，底部“编码”选“UTF-8”后保存；"
              "在 VS Code 中点右下角的编码名，选“通过编码保存 → UTF-8”。")
_REFUSED_HINT = "把内容写成网页 .md，或把数据写进 data/；附件请转成 PDF 后再放。"
_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
"""The front matter block exactly as MkDocs 1.6 finds it (mkdocs.utils.meta.YAML_RE)."""
_NAME_SEPARATORS = str.maketrans({"_": "-", "+": "-", "~": "-"})


# -- which files MkDocs publishes ------------------------------------------------------------------------------------

def is_excluded(rel: PurePosixPath) -> bool:
    """Whether MkDocs 1.6 leaves a file out by default: any part of its path starts with a dot."""
    return any(part.startswith(".") for part in rel.parts)


def content_files(content_dir: Path) -> Iterator[tuple[Path, PurePosixPath]]:
    """Every file under `content/` MkDocs would publish, walked as MkDocs walks (symbolic links followed)."""
    seen: set[str] = set()
    for root, dirs, files in os.walk(content_dir, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:  # a link back up the tree: MkDocs would loop, we stop
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        base = PurePosixPath(Path(root).relative_to(content_dir).as_posix())
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for file in sorted(files):
            rel = base / file
            if not is_excluded(rel):
                yield Path(root) / file, rel


def published_problem(rel: str, name: str) -> Problem | None:
    """Why a file MkDocs is about to publish was not checked (a dot part made published by `exclude_docs`)."""
    if is_excluded(PurePosixPath(rel)):
        return Problem(name, 0, 0, "这个以“.”开头的文件（或文件夹）没有经过检查，却会发布到网站上。",
                       "删掉它，或把它移出 content/；不要在 mkdocs.yml 的 exclude_docs 里放开以“.”开头的文件。")
    return None


def refusal(rel: PurePosixPath, name: str) -> Problem | None:
    """Refuse a file whose type may not be published, with what to do instead."""
    suffix = rel.suffix.lower()
    if suffix in PUBLISHED_SUFFIXES:
        return None
    lower = rel.name.lower()
    if lower in LEFTOVER_NAMES or rel.name.startswith("~$"):
        return Problem(name, 0, 0, "这是电脑或办公软件自动生成的临时文件，会被原样发布到网站上。", "删掉这个文件。")
    if suffix in (".html", ".htm", ".xhtml"):
        message, hint = "网站不发布手写的 HTML 文件（里面可能有脚本）。", "把内容写成网页 .md。"
    elif suffix in (".js", ".mjs"):
        message, hint = "网站不发布脚本文件（.js）。", "删掉它；网页请写成 .md，不需要脚本。"
    elif suffix == ".svg":
        message, hint = "网站不发布 SVG 图片（SVG 里可以藏脚本）。", "用画图或看图软件把它另存为 .png 图片再放进来。"
    elif suffix in OTHER_MARKDOWN_SUFFIXES:
        message, hint = f"网页只能用 .md 扩展名（这个是 {suffix}）。", "把文件扩展名改成 .md。"
    elif suffix in OPAQUE_SUFFIXES:
        message = f"{suffix} 文件会原样发布到网站上，本工具无法检查其中是否有身份证号、手机号等个人信息。"
        hint = _REFUSED_HINT
    else:
        kind = f"{suffix} 文件" if suffix else "没有扩展名的文件"
        message, hint = f"网站不发布这种文件（{kind}），本工具无法检查其中的内容。", _REFUSED_HINT
    return Problem(name, 0, 0, message, hint)


def name_problems(rel: PurePosixPath, name: str) -> list[Problem]:
    """Personal data in a file's or folder's name: it becomes part of the page's address, the sitemap and feed."""
    problems: list[Problem] = []
    parts = [*rel.parts[:-1], rel.stem if rel.suffix else rel.name]
    for part in parts:
        folded = part.translate(_NAME_SEPARATORS)
        for finding in privacy.find_personal_data(folded):
            problems.append(Problem(name, 0, 0, f"文件名或文件夹名里有不能公开的个人信息：{finding.kind} "
                                                f"{finding.masked}（网站地址会用到文件名）。",
                                    "改文件名：用拼音或日期命名，如 2024-shili-huodong.md，不要用电话、身份证号等。"))
    return problems


# -- the one scan used by check and by build -------------------------------------------------------------------------

def scan_content(content_dir: Path | str, rules: wording.Wording | None = None) -> list[Problem]:
    """Every problem of every file under `content/`: its type, its name, its text, its personal data, its wording
    (`rules`: the default list when not given; callers pass `wording.wording_for(site)`), its images.

    `fivestar check` calls it on data/../content and the plugin on MkDocs' docs_dir: both refuse the same files.
    """
    content_dir = Path(content_dir)
    rules = rules if rules is not None else wording.wording_for(None)
    if not content_dir.is_dir():
        return []
    root_name = content_dir.name or "content"
    problems: list[Problem] = []
    for path, rel in content_files(content_dir):
        name = f"{root_name}/{rel.as_posix()}"
        problems.extend(name_problems(rel, name))
        refused = refusal(rel, name)
        if refused is not None:
            problems.append(refused)
            continue
        problems.extend(_file_problems(content_dir, path, rel, name, rules))
    return problems


def _file_problems(content_dir: Path, path: Path, rel: PurePosixPath, name: str,
                   rules: wording.Wording) -> list[Problem]:
    try:
        status = os.stat(path)
    except OSError as error:
        return [Problem(name, 0, 0, f"无法读取文件（{error.strerror or error}）。",
                        "检查文件是否存在、是否被其他程序占用；修好后重新运行。")]
    if not S_ISREG(status.st_mode):
        return [Problem(name, 0, 0, "这不是普通文件（可能是管道或设备），不能发布。", "把它移出 content/ 文件夹。")]
    suffix = rel.suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return page_problems(path, name, status.st_size, rules)
    if suffix in TEXT_SUFFIXES:
        if status.st_size > MAX_TEXT_BYTES:
            return [Problem(name, 0, 0, f"文件太大（{status.st_size / 1024 / 1024:.1f} MB，"
                                        f"上限 {MAX_TEXT_BYTES // 1024 // 1024} MB）。",
                            "大的数据请写进 data/ 的记录，或分成几个小文件。")]
        return list(privacy.scan_markdown(path, name))
    if suffix in PDF_SUFFIXES:
        return pdf_problems(path, name)
    try:
        clean_image(content_dir, rel)
    except ImageError as error:
        why = str(error)
        return [Problem(name, 0, 0, why, next((h for word, h in reversed(IMAGE_HINTS) if word in why),
                                               "用看图软件打开它，另存为 .jpg 或 .png 后再放进来。"))]
    return []


# -- pages -------------------------------------------------------------------------------------------------------------

def decode_page(raw: bytes, name: str) -> tuple[str | None, Problem | None]:
    """A page's bytes as text: UTF-8 (with or without BOM, as MkDocs reads it), else refused with the hint."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, Problem(name, 1, 1, "网页文件是 UTF-16 编码，不是 UTF-8，生成网站时无法读取。", _UTF8_HINT)
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        guess = "（看起来是 GBK 编码）" if _is_gbk(raw) else ""
        return None, Problem(name, line, column, f"网页文件不是 UTF-8 编码{guess}，生成网站时无法读取。", _UTF8_HINT)


def _is_gbk(raw: bytes) -> bool:
    try:
        raw.decode("gbk")
    except UnicodeDecodeError:
        return False
    return True


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter text or None, body, number of the body's first line), as MkDocs splits a page."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None, text, 1
    return match.group(1), text[match.end():], text.count("\n", 0, match.end()) + 1


def read_front_matter(text: str, name: str) -> tuple[dict[str, Any], list[Problem]]:
    """The front matter of a page as a mapping, and its problems with the file's line numbers."""
    from generator.records.yamlfile import parse_text

    block, _body, _first = split_front_matter(text)
    if block is None:
        return {}, []
    parsed, problems = parse_text(block, name)
    shifted = [Problem(p.file, p.line + 1 if p.line else 2, p.column, p.message, p.hint, p.severity)
               for p in problems if p.is_error]
    if shifted:
        return {}, shifted
    if parsed.data is None:
        return {}, []
    if not isinstance(parsed.data, dict):
        return {}, [Problem(name, 2, 1, "网页开头“---”之间的设置不是“键: 值”的形式。",
                            "按 content/news/ 里已有网页的样子写，如 title: 标题 和 date: 2024-01-01。")]
    meta = dict(parsed.data)
    problems = []
    for key in ("title", "summary"):
        if key in meta and not isinstance(meta[key], str | int | float):
            problems.append(parsed.problem((key,), f"{quoted(key)}应当是一行文字。",
                                           "写成 title: 文字，不要写成列表或多级设置。"))
    if "date" in meta and not isinstance(meta["date"], dt.date):
        problems.append(parsed.problem(("date",), f"日期{quoted(shorten(meta['date']))}不是有效日期。",
                                       "写成 date: 2024-01-01（年-月-日，用英文短横线）。"))
    return meta, [Problem(p.file, p.line + 1, p.column, p.message, p.hint) for p in problems]


def page_problems(path: Path, name: str, size: int | None = None,
                  rules: wording.Wording | None = None) -> list[Problem]:
    """Everything check refuses in one page: encoding, front matter, Markdown bounds, links, HTML, personal data,
    wording (`rules`, the default list when not given)."""
    size = path.stat().st_size if size is None else size
    if size > MAX_PAGE_BYTES:
        return [Problem(name, 0, 0, f"网页文件太大（{size / 1024 / 1024:.1f} MB，上限 1 MB）。", "分成几篇来写。")]
    try:
        raw = path.read_bytes()
    except OSError as error:
        return [Problem(name, 0, 0, f"无法读取文件（{error.strerror or error}）。",
                        "检查文件是否存在、是否被其他程序占用；修好后重新运行。")]
    text, problem = decode_page(raw, name)
    if text is None:
        return [problem] if problem else []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _meta, problems = read_front_matter(text, name)
    _block, body, first_line = split_front_matter(text)
    problems.extend(markup.page_problems(name, body, first_line))
    problems.extend(privacy.scan_markdown(path, name))
    problems.extend(wording.scan_text(name, text, rules if rules is not None else wording.wording_for(None)))
    return problems


def read_page_meta(path: Path) -> dict[str, Any]:
    """A page's front matter for listing it (news posts); {} when the page cannot be read (check reports why)."""
    try:
        text, _problem = decode_page(path.read_bytes(), path.name)
    except OSError:
        return {}
    if text is None:
        return {}
    meta, problems = read_front_matter(text.replace("\r\n", "\n"), path.name)
    return {} if problems else meta


# -- PDF attachments ---------------------------------------------------------------------------------------------------

MIN_PDF_TEXT_PER_PAGE = 20
"""Fewer readable characters per page than this: a scan or a picture, whose text cannot be checked."""


def pdf_problems(path: Path, name: str) -> list[Problem]:
    """A PDF is published only when its text (and its document information) can be read and holds no personal data."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return [Problem(name, 0, 0, "这台电脑上的 fivestar 缺少读取 PDF 的组件，无法检查这个 PDF 里的个人信息。",
                        "请技术人员重新安装 fivestar（pip install -e .，会装上 pypdf）；"
                        "或把要公开的内容写成网页 .md。")]
    unreadable = Problem(name, 0, 0, "这个 PDF 无法读取（可能已损坏或加了密码），因此无法检查其中的个人信息。",
                         "用 WPS 或 Word 重新导出一份不加密码的 PDF；或把要公开的内容写成网页 .md。")
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            return [unreadable]
        texts = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
        info_text = "\n".join(str(value) for value in info.values())
        attachments = dict(reader.attachments)
    except Exception:  # pypdf raises many kinds on a broken file; each means the same to staff
        return [unreadable]
    if attachments:
        return [Problem(name, 0, 0, "这个 PDF 里夹带了其他文件（附件），无法检查。",
                        "重新导出一份不带附件的 PDF。")]
    if sum(len(t.strip()) for t in texts) < MIN_PDF_TEXT_PER_PAGE * max(len(texts), 1):
        return [Problem(name, 0, 0, "这个 PDF 像是扫描件或图片，读不出文字，因此无法检查其中的个人信息。",
                        "用 WPS 或 Word 从原文档导出 PDF（不要扫描）；或把要公开的内容写成网页 .md。")]
    problems: list[Problem] = []
    for number, text in [(0, info_text), *enumerate(texts, start=1)]:
        where = f"第 {number} 页" if number else "文档属性（作者、标题等）"
        for finding in privacy.find_personal_data(text):
            problems.append(Problem(name, 0, 0, f"PDF {where}有不能公开的个人信息：{finding.kind} {finding.masked}。",
                                    "在原文档里删掉它，再重新导出 PDF。"))
    return problems


# -- images ------------------------------------------------------------------------------------------------------------

def cache_dir_for(content_dir: Path) -> Path:
    """Where cleaned content images are kept between runs (beside data/'s image cache)."""
    return Path(content_dir).resolve().parent / ".cache" / "fivestar" / "content-images"


def clean_image(content_dir: Path | str, rel: PurePosixPath | str) -> bytes:
    """An image under `content/` with its pixels only (no EXIF, GPS, XMP, ICC, comments or text chunks), in its own
    format, fully decoded (a truncated file is refused); from the cache when the same bytes were cleaned before."""
    from PIL import __version__ as pillow

    from generator.site.images import file_digest

    content_dir = Path(content_dir)
    relative = PurePosixPath(rel).as_posix()
    path, why = resolve_image(content_dir, relative)
    if path is None:
        raise ImageError(why.replace("data/", "content/"))
    suffix = path.suffix.lower()
    key = hashlib.sha256("|".join((file_digest(path), suffix, CACHE_VERSION, pillow.split(".")[0])).encode())
    digest = key.hexdigest()[:32]
    cached = cache_dir_for(content_dir) / digest[:2] / f"{digest}{suffix}"
    if cached.is_file():
        return cached.read_bytes()
    cleaned = encode_clean(path, relative)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".", dir=cached.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(cleaned)
        os.replace(temporary, cached)
    except OSError:
        pass  # a cache that cannot be written only costs time
    return cleaned


def encode_clean(path: Path, relative: str) -> bytes:
    """Decode every pixel and encode them again in the file's own format, with nothing else."""
    from PIL import Image

    from generator.site.images import JPEG_QUALITY, WEBP_QUALITY, clean_pixels, read_header

    width, height, _alpha = read_header(path, relative)
    try:
        pixels = clean_pixels(path, (width, height))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, EOFError):
        raise ImageError(f"图片{quoted(relative)}无法完整读取（文件可能损坏或没有传完整）。") from None
    buffer = io.BytesIO()
    suffix = path.suffix.lower()
    if suffix in (".jpg", ".jpeg"):
        pixels.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif suffix == ".png":
        pixels.save(buffer, "PNG", optimize=True)
    elif suffix == ".webp":
        pixels.save(buffer, "WEBP", quality=WEBP_QUALITY["photo"], method=4)
    else:
        pixels.save(buffer, "GIF")
    return buffer.getvalue()

"""content/, the second door: which files may be published, their names, encodings, front matter, images, PDFs."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from helpers import copy_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.checks.content import (
    IMAGE_SUFFIXES,
    PUBLISHED_SUFFIXES,
    clean_image,
    read_page_meta,
    scan_content,
)
from generator.cli import main
from generator.site import pages

REPO = Path(__file__).resolve().parent.parent
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def fake_id(body: str) -> str:
    """A fictional 18-digit ID number (region 99xxxx does not exist) with a correct check digit."""
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def write(path: Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def errors_by_file(content: Path) -> dict[str, list]:
    found: dict[str, list] = {}
    for problem in scan_content(content):
        if problem.is_error:
            found.setdefault(problem.file, []).append(problem)
    return found


# -- the allow-list ------------------------------------------------------------------------------------------------

REFUSED = [".rtf", ".ods", ".xlsm", ".xlsx", ".xls", ".docx", ".doc", ".pptx", ".wps", ".zip", ".rar", ".7z", ".exe",
           ".html", ".htm", ".js", ".mjs", ".svg", ".css", ".xml", ".markdown", ".mkd", ".yaml", ".php", ".bak", ".db",
           ".unknownthing", ""]


@pytest.mark.parametrize("suffix", REFUSED)
def test_every_type_outside_the_allow_list_is_refused_with_a_hint(tmp_path: Path, suffix: str) -> None:
    content = tmp_path / "content"
    write(content / "files" / f"shili{suffix}", "身份证 110105194912310029 手机 13800138000")
    problems = errors_by_file(content)[f"content/files/shili{suffix}"]
    assert len(problems) == 1
    assert problems[0].hint and any(word in problems[0].hint for word in (".md", "PDF", ".png", "删掉"))


@pytest.mark.parametrize("name", ["Thumbs.db", "desktop.ini", "~$名单.docx", "~$shili.xlsx"])
def test_editor_and_system_leftovers_are_refused(tmp_path: Path, name: str) -> None:
    content = tmp_path / "content"
    write(content / "news" / name, b"\x00\x01")
    assert "临时文件" in errors_by_file(content)[f"content/news/{name}"][0].message


def test_dotfiles_are_left_out_as_mkdocs_leaves_them_out(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write(content / ".DS_Store", b"\x00")
    write(content / "news" / ".~lock.x#", "13800138000")
    write(content / ".git" / "config", "13800138000")
    assert scan_content(content) == []


@pytest.mark.parametrize("suffix", [".txt", ".csv", ".tsv", ".json"])
def test_plain_text_types_are_scanned_as_text(tmp_path: Path, suffix: str) -> None:
    content = tmp_path / "content"
    write(content / f"list{suffix}", '{"a": "王老师"}\n{"b": "13900000000"}\n')
    problems = errors_by_file(content)[f"content/list{suffix}"]
    assert [(p.line, "139****0000" in p.message) for p in problems] == [(2, True)]


def test_allowed_files_without_problems_pass(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write(content / "news" / "2024-shili.md", "---\ntitle: 示例\ndate: 2024-01-01\n---\n# 示例\n\n正文。\n")
    write(content / "news" / "list.csv", "学校,荣誉\n示例小学,文明校园\n")
    image(content / "news" / "img" / "a.png", "PNG")
    assert scan_content(content) == []
    assert {".md", ".txt", ".csv", ".tsv", ".json", ".pdf", *IMAGE_SUFFIXES} == set(PUBLISHED_SUFFIXES)


def test_the_bundled_content_passes() -> None:
    assert [p for p in scan_content(REPO / "content") if p.is_error] == []


# -- names ---------------------------------------------------------------------------------------------------------

_digits = st.text("0123456789", min_size=3, max_size=3)
_ids = st.builds(lambda seq, day: fake_id(f"999901200001{day:02d}{seq}"), _digits, st.integers(1, 28))
_mobiles = st.builds(lambda second, rest: f"1{second}{rest}", st.sampled_from("3456789"),
                     st.text("0123456789", min_size=9, max_size=9))
_separator = st.sampled_from(["", "_", "-", " "])
_fixes = st.sampled_from(["", "王老师", "shili-", "2024-", "名单_", "（联系）", "-2024", "_bak"])


def _spaced(number: str, separator: str) -> str:
    if len(number) == 11:
        return separator.join((number[:3], number[3:7], number[7:]))
    return number


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=st.one_of(_ids, _mobiles), separator=_separator, before=_fixes, after=_fixes,
       in_folder=st.booleans(), full_width=st.booleans())
def test_personal_data_in_file_and_folder_names_is_refused(tmp_path_factory: pytest.TempPathFactory, number: str,
                                                          separator: str, before: str, after: str, in_folder: bool,
                                                          full_width: bool) -> None:
    if after[:1].isdigit() or before[-1:].isdigit():
        return  # digits glued to the number make a longer number, which is not one
    content = tmp_path_factory.mktemp("names") / "content"
    written = _spaced(number, separator)
    if full_width:
        written = written.translate({ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789"})
    part = f"{before}{written}{after}"
    rel = f"news/{part}/index.md" if in_folder else f"news/{part}.md"
    write(content / rel, "# 示例\n\n正文。\n")
    problems = errors_by_file(content).get(f"content/{rel}", [])
    assert any("文件名" in p.message and "改文件名" in p.hint for p in problems), (rel, problems)
    assert number not in "".join(p.message for p in problems)  # masked in the message


def test_ordinary_names_pass(tmp_path: Path) -> None:
    content = tmp_path / "content"
    for rel in ("news/2023-dangjian-pinpai.md", "news/2024-05-10-guanmo.md", "about/示例小学简介.md",
                "news/img/IMG_20230721_101530.jpg"):
        if rel.endswith(".jpg"):
            image(content / rel, "JPEG")
        else:
            write(content / rel, "# 示例\n")
    assert scan_content(content) == []


# -- encodings and front matter ------------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be"])
def test_pages_not_in_utf8_are_refused_with_the_hint(tmp_path: Path, encoding: str) -> None:
    content = tmp_path / "content"
    write(content / "news" / "a.md", "---\ntitle: 示例新闻\ndate: 2024-01-01\n---\n# 示例新闻\n", encoding=encoding)
    problems = errors_by_file(content)["content/news/a.md"]
    assert len(problems) == 1 and "UTF-8" in problems[0].message and "另存为 UTF-8" in problems[0].hint
    assert problems[0].line >= 1
    assert pages.read_news(content) == ()  # listing the news never raises on it


def test_a_utf8_page_with_a_bom_passes(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write(content / "a.md", b"\xef\xbb\xbf---\ntitle: a\n---\n# a\n")
    assert scan_content(content) == []


@pytest.mark.parametrize(("front", "line", "word"), [
    ("title: \"示例\ndate: 2024-01-01\n", 2, ""),
    ("title: 示例\ndate: 2024-13-45\n", 3, "日期"),
    ("title: 示例\n  date: 2024-01-01\n", 3, ""),
    ("title: [示例\n", 2, ""),
    ("title: 示例\ndate: 2024-01-01\ndate: 2024-01-02\n", 4, ""),
    ("- 示例\n", 2, ""),
    ("title: !!python/object:os.system x\n", 2, ""),
    ("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", 2, ""),
])
def test_front_matter_that_does_not_parse_is_refused_at_its_line(tmp_path: Path, front: str, line: int,
                                                                 word: str) -> None:
    content = tmp_path / "content"
    write(content / "news" / "a.md", f"---\n{front}---\n# 示例\n")
    problems = errors_by_file(content)["content/news/a.md"]
    assert problems, front
    assert 2 <= problems[0].line <= line + 1, problems
    assert word in problems[0].message
    assert read_page_meta(content / "news" / "a.md") == {}
    pages.read_news(content)  # never raises


# -- images --------------------------------------------------------------------------------------------------------

ID = fake_id("99990119491231002")
MOBILE = "13800138000"


def image(path: Path, fmt: str, size: tuple[int, int] = (64, 48), secrets: bool = False) -> Path:
    """A small image, with GPS, camera, an ID number in the EXIF comment, XMP and a comment when `secrets`."""
    from PIL import Image, PngImagePlugin

    picture = Image.new("RGB", size, (166, 27, 27))
    options: dict = {}
    if secrets:
        exif = Image.Exif()
        exif[0x010F] = "ExampleCam"
        exif[0x9286] = f"ID {ID}"
        exif[0x8825] = {1: "N", 2: (34.0, 37.0, 12.5), 3: "E", 4: (112.0, 27.0, 3.0)}
        options["exif"] = exif
        if fmt in ("JPEG", "WEBP", "PNG"):
            options["xmp"] = f"<x:xmpmeta><dc:creator>{MOBILE}</dc:creator></x:xmpmeta>".encode()
        if fmt == "JPEG":
            options["comment"] = f"联系 {MOBILE}".encode()
        if fmt == "PNG":
            info = PngImagePlugin.PngInfo()
            info.add_text("Comment", f"ID {ID}")
            info.add_itxt("Author", f"王老师 {MOBILE}")
            options["pnginfo"] = info
        if fmt == "GIF":
            options["comment"] = f"ID {ID}".encode()
            options.pop("exif")
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **options)
    return write(path, buffer.getvalue())


def assert_clean(data: bytes) -> None:
    from PIL import Image

    assert ID.encode() not in data and MOBILE.encode() not in data and b"ExampleCam" not in data
    with Image.open(io.BytesIO(data)) as picture:
        assert not picture.getexif()
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "Comment", "Author", "icc_profile"):
            assert key not in picture.info, key
        if hasattr(picture, "text"):
            assert not picture.text


@pytest.mark.parametrize(("suffix", "fmt"), [(".jpg", "JPEG"), (".jpeg", "JPEG"), (".png", "PNG"), (".webp", "WEBP"),
                                             (".gif", "GIF")])
def test_content_images_are_reencoded_without_metadata(tmp_path: Path, suffix: str, fmt: str) -> None:
    from PIL import Image

    content = tmp_path / "content"
    original = image(content / "news" / "img" / f"x{suffix}", fmt, secrets=True).read_bytes()
    assert ID.encode() in original or MOBILE.encode() in original  # the test image does carry them
    cleaned = clean_image(content, f"news/img/x{suffix}")
    assert_clean(cleaned)
    with Image.open(io.BytesIO(cleaned)) as picture:
        assert picture.format == fmt and picture.size == (64, 48)
    assert clean_image(content, f"news/img/x{suffix}") == cleaned  # from the cache the second time


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9])
def test_a_truncated_image_is_refused_by_check_with_its_name(tmp_path: Path, cut: float) -> None:
    content = tmp_path / "content"
    data = image(tmp_path / "whole.jpg", "JPEG", size=(400, 300)).read_bytes()
    write(content / "news" / "img" / "cut.jpg", data[:int(len(data) * cut)])
    problems = errors_by_file(content)["content/news/img/cut.jpg"]
    assert "cut.jpg" in problems[0].message and problems[0].hint


def test_images_that_are_not_images_or_too_large_are_refused(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write(content / "a.jpg", "不是图片")
    write(content / "b.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    image(content / "c.png", "PNG", size=(9000, 6000))
    problems = errors_by_file(content)
    assert set(problems) == {"content/a.jpg", "content/b.png", "content/c.png"}
    assert "像素" in problems["content/c.png"][0].message


# -- PDF attachments -----------------------------------------------------------------------------------------------

def pdf_with_text(text: str) -> bytes:
    """A one-page PDF whose page shows `text` in Helvetica (ASCII only), written by hand."""
    stream = f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_pdf_is_refused_when_it_cannot_be_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pypdf", None)  # as on a computer without pypdf
    content = tmp_path / "content"
    write(content / "files" / "a.pdf", pdf_with_text("Notice of the example district school"))
    problems = errors_by_file(content)["content/files/a.pdf"]
    assert "PDF" in problems[0].message and ".md" in problems[0].hint


def test_a_pdf_with_an_id_number_is_refused_and_a_clean_one_passes(tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    content = tmp_path / "content"
    write(content / "files" / "bad.pdf", pdf_with_text(f"Teacher Wang, ID {ID}, phone {MOBILE}, example school"))
    write(content / "files" / "good.pdf", pdf_with_text("Notice of the example district school, 2024"))
    write(content / "files" / "broken.pdf", b"%PDF-1.4\n garbage")
    problems = errors_by_file(content)
    assert "content/files/good.pdf" not in problems
    messages = " ".join(p.message for p in problems["content/files/bad.pdf"])
    assert "身份证号" in messages and "手机号" in messages and ID not in messages
    assert "无法读取" in problems["content/files/broken.pdf"][0].message


# -- check and build refuse the same files --------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy_project(tmp_path)
    return tmp_path


def test_build_publishes_content_images_stripped_at_the_same_url(project: Path) -> None:
    from generator.engine.build import build_site

    image(project / "content" / "news" / "img" / "photo.jpg", "JPEG", secrets=True)
    image(project / "content" / "news" / "img" / "logo.png", "PNG", secrets=True)
    write(project / "content" / "news" / "2024-shili.md",
          "---\ntitle: 示例新闻\ndate: 2024-01-01\n---\n# 示例新闻\n\n"
          "![活动照片](img/photo.jpg)\n\n![标识](img/logo.png)\n")
    build_site(project / "data", project / "mkdocs.yml", project / "site")
    for name in ("photo.jpg", "logo.png"):
        assert_clean((project / "site" / "news" / "img" / name).read_bytes())
    page = (project / "site" / "news" / "2024-shili" / "index.html").read_text(encoding="utf-8")
    assert 'src="../img/photo.jpg"' in page
    for post in ("2023-dangjian-pinpai", "2023-shide-shifeng"):  # the bundled pages still build
        assert (project / "site" / "news" / post / "index.html").is_file()


@pytest.mark.parametrize(("rel", "data"), [
    ("news/名单.xlsm", b"PK\x03\x04"),
    ("news/13800138000.md", "# 示例\n".encode()),
    ("news/gbk.md", "# 示例新闻\n".encode("gbk")),
    ("news/page.html", b"<script>alert(1)</script>"),
])
def test_check_and_build_refuse_the_same_file(project: Path, capsys: pytest.CaptureFixture[str], rel: str,
                                              data: bytes) -> None:
    from generator.engine.build import build_site
    from generator.records.problems import DataError

    write(project / "content" / rel, data)
    assert main(["check", "--data", str(project / "data")]) == 1
    err = capsys.readouterr().err
    assert f"content/{rel}" in err and "Traceback" not in err
    with pytest.raises(DataError) as failed:  # a data problem (exit 1), as check says, not an internal error
        build_site(project / "data", project / "mkdocs.yml", project / "site")
    report = failed.value.report()
    assert f"content/{rel}" in report and "Traceback" not in report


def test_a_dotfile_published_through_exclude_docs_is_refused_by_build(project: Path) -> None:
    from generator.engine.build import BuildFailed, build_site

    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nexclude_docs: |\n  !.well-known/\n", encoding="utf-8")
    write(project / "content" / ".well-known" / "list.rtf", "13800138000")
    with pytest.raises(BuildFailed) as failed:
        build_site(project / "data", config, project / "site")
    assert "content/.well-known/list.rtf" in str(failed.value)

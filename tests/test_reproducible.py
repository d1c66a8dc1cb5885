"""Reproducible builds: the same data gives the same bytes, whenever and wherever it is built."""

from __future__ import annotations

import datetime as dt
import difflib
import gzip
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from generator.staff.demo import AS_OF, write_demo

REPO = Path(__file__).resolve().parent.parent
BRANCHES = 40
TEXT_SUFFIXES = {".html", ".xml", ".json", ".csv", ".js", ".css", ".svg", ".txt", ".map"}
AS_OF_EPOCH = int(dt.datetime.combine(AS_OF, dt.time(), tzinfo=dt.UTC).timestamp())


def build(data: Path, site: Path, *, hash_seed: str, epoch: str | None = None) -> None:
    """`fivestar build` in a fresh process, as staff run it (no SOURCE_DATE_EPOCH unless given)."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONHASHSEED"] = hash_seed
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    out = subprocess.run([sys.executable, "-m", "generator", "build", "--data", str(data), "--site-dir", str(site),
                          "--config", str(REPO / "mkdocs.yml")], capture_output=True, text=True, env=env, cwd=REPO)
    assert out.returncode == 0, out.stderr[-2000:]


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def first_difference(a: dict[str, bytes], b: dict[str, bytes]) -> str:
    """The first thing that differs between two built trees, told so that it can be fixed: '' when identical."""
    if a.keys() != b.keys():
        only_a, only_b = sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys())
        return f"files only in the first build: {only_a[:5]}; only in the second: {only_b[:5]}"
    for name in a:
        if a[name] == b[name]:
            continue
        if name.endswith(".gz"):
            if gzip.decompress(a[name]) == gzip.decompress(b[name]):
                return f"{name}: same content, different gzip header {a[name][:10].hex()} vs {b[name][:10].hex()}"
            return f"{name}: different content"
        if Path(name).suffix not in TEXT_SUFFIXES:
            offset = next((i for i, (x, y) in enumerate(zip(a[name], b[name], strict=False)) if x != y),
                          min(len(a[name]), len(b[name])))
            return f"{name}: binary files differ from byte {offset} (sizes {len(a[name])} and {len(b[name])})"
        lines_a = a[name].decode("utf-8", "replace").splitlines()
        lines_b = b[name].decode("utf-8", "replace").splitlines()
        diff = difflib.unified_diff(lines_a, lines_b, "first", "second", n=1, lineterm="")
        return f"{name}:\n" + "\n".join(line[:300] for line in list(diff)[:12])
    return ""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fictional region with logos and photos, so images are part of what must be reproducible."""
    data = tmp_path_factory.mktemp("demo") / "data"
    write_demo(data, BRANCHES)
    assert any((data / "images").rglob("*.*")), "the demo region should carry images"
    return data


@pytest.fixture(scope="module")
def first_build(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo built once by `fivestar build` (no SOURCE_DATE_EPOCH), its data and site in folders with names a
    page must never show: (data folder, site folder). The tests below read it; none changes it."""
    root = tmp_path_factory.mktemp("first")
    data, site = root / "private-folder-name" / "data", root / "out-folder-name" / "site"
    shutil.copytree(demo, data)
    build(data, site, hash_seed="1")
    return data, site


def test_two_builds_of_the_same_data_are_byte_identical(demo: Path, first_build: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    # Different hash seeds (set and dict order), different folders (no absolute paths), separate image caches.
    second_data = tmp_path / "two" / "data"
    shutil.copytree(demo, second_data)
    build(second_data, tmp_path / "two" / "elsewhere", hash_seed="2")
    a, b = tree(first_build[1]), tree(tmp_path / "two" / "elsewhere")
    assert len(a) > 100
    assert {"sitemap.xml", "sitemap.xml.gz", "search/search_index.json"} <= a.keys()
    assert any(name.endswith(".xlsx") for name in a) and any(name.endswith(".webp") for name in a)
    assert first_difference(a, b) == ""


def test_a_rebuild_over_the_previous_site_changes_nothing(first_build: tuple[Path, Path], tmp_path: Path) -> None:
    # A copy of the first build's project: its data, its image cache beside it (.cache/) and its site.
    shutil.copytree(first_build[0].parent, tmp_path / "project")
    shutil.copytree(first_build[1], tmp_path / "site")
    before = tree(tmp_path / "site")
    assert before == tree(first_build[1])
    build(tmp_path / "project" / "data", tmp_path / "site", hash_seed="4")  # a warm image cache: copied, not encoded
    assert first_difference(before, tree(tmp_path / "site")) == ""


def test_the_build_date_defaults_to_the_data_date(first_build: tuple[Path, Path]) -> None:
    site = first_build[1]
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<lastmod>{AS_OF.isoformat()}</lastmod>" in sitemap
    assert dt.date.today().isoformat() not in sitemap or dt.date.today() == AS_OF
    header = (site / "sitemap.xml.gz").read_bytes()[:10]
    assert struct.unpack("<I", header[4:8])[0] == AS_OF_EPOCH


def test_source_date_epoch_wins_when_it_is_set(demo: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(demo, data)
    build(data, tmp_path / "site", hash_seed="6", epoch="1700000000")
    sitemap = (tmp_path / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert "<lastmod>2023-11-14</lastmod>" in sitemap
    # MkDocs stamps the gzip header with the newest page date: midnight (UTC) of that day.
    assert struct.unpack("<I", (tmp_path / "site" / "sitemap.xml.gz").read_bytes()[4:8])[0] == 1699920000


def test_no_build_machine_path_or_clock_reaches_the_site(first_build: tuple[Path, Path]) -> None:
    site = first_build[1]
    for path in site.rglob("*"):
        if path.suffix in {".html", ".json", ".xml", ".csv", ".js", ".txt"}:
            text = path.read_text(encoding="utf-8-sig")
            assert "private-folder-name" not in text and "out-folder-name" not in text, path
            assert str(REPO) not in text, path


def test_an_in_process_build_leaves_the_environment_as_it_was(demo: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.engine.build import build_site

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    from mkdocs.structure import pages as engine_pages

    own = engine_pages.get_build_date
    build_site(demo, REPO / "mkdocs.yml", tmp_path / "site")
    assert "SOURCE_DATE_EPOCH" not in os.environ and engine_pages.get_build_date is own
    assert f"<lastmod>{AS_OF.isoformat()}</lastmod>" in (tmp_path / "site" / "sitemap.xml").read_text("utf-8")
    # The next build in this process dates its pages by its own data (the date is asked once a build, not kept).
    later = tmp_path / "later"
    shutil.copytree(demo, later)
    site_yaml = later / "site.yaml"
    site_yaml.write_text(site_yaml.read_text("utf-8").replace(f"as_of: {AS_OF.isoformat()}", "as_of: 2025-01-02"),
                         encoding="utf-8")
    build_site(later, REPO / "mkdocs.yml", tmp_path / "later-site")
    assert engine_pages.get_build_date is own
    sitemap = (tmp_path / "later-site" / "sitemap.xml").read_text("utf-8")
    assert "<lastmod>2025-01-02</lastmod>" in sitemap and AS_OF.isoformat() not in sitemap


def test_the_comparison_reports_the_first_difference_clearly() -> None:
    a = {"index.html": b"<p>1</p>\n<p>same</p>\n", "x.bin": b"\x00\x01"}
    b = {"index.html": b"<p>2</p>\n<p>same</p>\n", "x.bin": b"\x00\x02"}
    report = first_difference(a, b)
    assert report.startswith("index.html:") and "-<p>1</p>" in report and "+<p>2</p>" in report
    assert first_difference({"x.bin": a["x.bin"]}, {"x.bin": b["x.bin"]}).endswith("from byte 1 (sizes 2 and 2)")
    assert "only in the second: ['y']" in first_difference({}, {"y": b""})


# -- SOURCE_DATE_EPOCH that is not a whole number of seconds, and dates at the edges of what outputs can hold -----

@pytest.mark.parametrize("epoch", ["abc", "1.5", "-1", "+5", "1e9", "4294967296", "99999999999999999999", "1_000"])
@pytest.mark.parametrize("command", ["check", "build"])
def test_a_bad_source_date_epoch_is_refused_in_chinese_by_check_and_build(
        epoch: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main

    data = tmp_path / "data"
    shutil.copytree(REPO / "tests" / "broken" / "_valid" / "data", data)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    extra = ["--site-dir", str(tmp_path / "site"), "--config", str(REPO / "mkdocs.yml")] if command == "build" else []
    code = main([command, "--data", str(data), *extra])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "SOURCE_DATE_EPOCH: 错误：环境变量 SOURCE_DATE_EPOCH 的值" in err and "整数秒数" in err
    assert "Traceback" not in err and "ValueError" not in err
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("epoch", ["", "0", " 1700000000 ", "4294967295"])
def test_a_whole_number_of_seconds_or_nothing_is_accepted(epoch: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.records.load import load_dataset

    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert load_dataset(REPO / "tests" / "broken" / "_valid" / "data").ok


@pytest.mark.parametrize(("as_of", "epoch"), [("1949-10-01", None), ("2100-12-31", None), ("2024-06-30", "0"),
                                              ("2024-06-30", "4294967295")])
def test_downloads_hold_any_accepted_date(as_of: str, epoch: str | None, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    from generator.records.load import load_dataset
    from generator.site.exports import write_exports

    data = tmp_path / "data"
    shutil.copytree(REPO / "tests" / "broken" / "_valid" / "data", data)
    site = data / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("as_of: 2024-06-30", f"as_of: {as_of}"), "utf-8")
    if epoch is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    result = load_dataset(data, today=dt.date(2101, 1, 1))
    assert result.ok, result.errors
    paths = write_exports(result.dataset, tmp_path / "out")
    workbooks = [p for p in paths if p.suffix == ".xlsx"]
    assert workbooks
    for path in workbooks:
        with zipfile.ZipFile(path) as book:
            assert all((1980, 1, 1) <= info.date_time[:3] <= (2107, 12, 31) for info in book.infolist())


@pytest.mark.parametrize("as_of", [dt.date(1949, 10, 1), dt.date(2100, 12, 31)])
def test_the_pinned_build_date_fits_a_gzip_header(as_of: dt.date, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.engine.mkdocs.plugin import FivestarPlugin

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    plugin = FivestarPlugin()
    plugin.pin_build_date(as_of)
    assert 0 <= int(os.environ["SOURCE_DATE_EPOCH"]) <= 2**32 - 1
    plugin.unpin_build_date()
    assert "SOURCE_DATE_EPOCH" not in os.environ

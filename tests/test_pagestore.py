"""`fivestar build`'s page cache: after any edit, a build that reuses pages gives the bytes of a clean full build."""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.engine import pagestore
from generator.engine.build import BuildOutcome, build_site
from generator.engine.pagestore import FORMAT, INDEX, PageStore, StoredPage, read_index, store_folder, write_index
from generator.records.load import load_dataset
from generator.site.images import plan_images
from generator.site.render import Heading
from generator.staff.demo import write_demo
from tests.test_reproducible import first_difference, tree

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "mkdocs.yml"
BRANCHES = 30
MOST_RENDERED = 8
"""The most generated pages one record's edit may render again in the demo: the page itself and the lists and
indexes that name it (a branch: its page, the branches index, its honour lists, its brand, events, home)."""


def build(root: Path, config: Path = CONFIG, **options: object) -> BuildOutcome:
    return build_site(root / "data", config, root / "site", page_cache=True, **options)


def pages_folder(root: Path) -> Path:
    return store_folder(root / ".cache" / "fivestar")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildOutcome]:
    """A demo region built once with the page cache, then once more unchanged: (its folder, the second build)."""
    root = tmp_path_factory.mktemp("cached")
    write_demo(root / "data", BRANCHES)
    first = build(root)
    assert first.reused == 0
    again = build(root)
    return root, again


def copy_of(base_root: Path, tmp_path: Path) -> Path:
    root = tmp_path / "copy"
    shutil.copytree(base_root, root, symlinks=True)
    return root


def first_file(folder: Path, pattern: str = "*.yaml", holding: str = "") -> Path:
    return next(p for p in sorted(folder.rglob(pattern)) if holding in p.read_text(encoding="utf-8"))


def rename_branch(data: Path) -> None:
    path = first_file(data / "branches")
    path.write_text(re.sub(r"^name: (.*)$", r"name: \1改", path.read_text(encoding="utf-8"), count=1, flags=re.M),
                    encoding="utf-8")


def drop_recipient(data: Path) -> None:
    """An honour list loses its last recipient (a list that states no total, so the data stays valid)."""
    path = next(p for p in sorted((data / "honours").rglob("*.yaml"))
                if "total:" not in p.read_text(encoding="utf-8") and p.read_text(encoding="utf-8").count("\n  - ") > 1)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if line.startswith("  - "))
    path.write_text("".join(lines[:last] + lines[last + 1:]), encoding="utf-8")


def retitle_event(data: Path) -> None:
    path = first_file(data / "events")
    path.write_text(re.sub(r"^title: (.*)$", r"title: \1（更正）", path.read_text(encoding="utf-8"), count=1,
                           flags=re.M), encoding="utf-8")


def describe_site(data: Path) -> None:
    path = data / "site.yaml"
    path.write_text(re.sub(r"^description: (.*)$", r"description: \1（已更新）", path.read_text(encoding="utf-8"),
                           count=1, flags=re.M), encoding="utf-8")


EDITS: dict[str, tuple[Callable[[Path], None], bool]] = {
    "branch name": (rename_branch, True),
    "honour list": (drop_recipient, True),
    "event": (retitle_event, True),
    "site.yaml": (describe_site, False),
}
"""Each edit, and whether only a few pages may be rendered again after it (site.yaml is on every page)."""


def test_an_unchanged_rebuild_reuses_every_generated_page(base: tuple[Path, BuildOutcome]) -> None:
    root, again = base
    stored = read_index(pages_folder(root) / INDEX)
    assert again.reused == len(stored) > BRANCHES
    assert again.pages - again.reused < MOST_RENDERED  # the hand-written pages and those material indexes


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_rebuilds_as_a_full_build_would(edit: str, base: tuple[Path, BuildOutcome], tmp_path: Path) -> None:
    base_root, unchanged = base
    root = copy_of(base_root, tmp_path)
    change, few = EDITS[edit]
    change(root / "data")
    incremental = build(root)
    clean = build_site(root / "data", CONFIG, tmp_path / "clean", page_cache=False)
    assert first_difference(tree(clean.site_dir), tree(incremental.site_dir)) == ""
    rendered = unchanged.reused - incremental.reused
    if few:
        assert 0 < rendered <= MOST_RENDERED, rendered
    else:
        assert incremental.reused < unchanged.reused // 2
    assert build(root).reused == unchanged.reused  # and the cache now holds the edited pages


def test_a_theme_change_renders_every_page(tmp_path: Path) -> None:
    """A file of the project's own theme is on every page: after it changes nothing is reused."""
    root = tmp_path / "themed"
    write_demo(root / "data", 12)
    shutil.copytree(REPO / "theme", root / "theme")
    config = root / "mkdocs.yml"
    config.write_text(json.dumps({"INHERIT": str(CONFIG), "docs_dir": str(REPO / "content"),
                                  "theme": {"custom_dir": str(root / "theme")}}), encoding="utf-8")
    assert build(root, config).reused == 0
    main = root / "theme" / "main.html"
    main.write_text(main.read_text(encoding="utf-8") + "\n{# 示例 #}<!-- changed -->\n", encoding="utf-8")
    changed = build(root, config)
    assert changed.reused == 0
    clean = build_site(root / "data", config, tmp_path / "clean", page_cache=False)
    assert first_difference(tree(clean.site_dir), tree(changed.site_dir)) == ""


@pytest.mark.parametrize("damage", ["garbage index", "truncated page", "full"])
def test_a_damaged_cache_costs_a_full_build_never_a_wrong_page(damage: str, base: tuple[Path, BuildOutcome],
                                                               tmp_path: Path) -> None:
    base_root, unchanged = base
    root = copy_of(base_root, tmp_path)
    folder = pages_folder(root)
    options: dict[str, object] = {}
    if damage == "garbage index":
        (folder / INDEX).write_bytes(b"\x00{not json")
    elif damage == "truncated page":
        page = next(p for p in sorted(folder.rglob("*.html")))
        page.unlink()  # the site's file is a link to the same bytes: write a new, shorter file
        page.write_bytes(b"<html>")
    else:
        options["full"] = True
    rebuilt = build(root, **options)
    assert first_difference(tree(base_root / "site"), tree(rebuilt.site_dir)) == ""
    expected = {"garbage index": 0, "truncated page": unchanged.reused - 1, "full": 0}[damage]
    assert rebuilt.reused == expected
    assert build(root).reused == unchanged.reused  # and the cache is whole again


def test_a_stored_page_that_cannot_be_placed_fails_the_build_and_keeps_the_site(
        base: tuple[Path, BuildOutcome], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stored pages are put in the new site by the second process while the engine goes on: one that cannot be
    put there (a disk full) stops the build with a Chinese message, the last site kept as it was."""
    from generator.engine.build import BuildFailed

    base_root, unchanged = base
    root = copy_of(base_root, tmp_path)
    before = tree(root / "site")

    def disk_full(planned: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("generator.engine.mkdocs.plugin.place_planned", disk_full)
    with pytest.raises(BuildFailed) as failed:
        build(root)
    assert "页面缓存里的页面无法放进新网站" in str(failed.value) and "网站没有更新" in str(failed.value)
    assert first_difference(before, tree(root / "site")) == ""
    monkeypatch.undo()
    assert build(root).reused == unchanged.reused  # the cache is as it was


def test_an_index_of_another_format_or_shape_reads_as_empty(tmp_path: Path) -> None:
    path = tmp_path / INDEX
    page = StoredPage("示例小学", {"search": {"exclude": True}}, (Heading(1, "a", "示例小学"),), ("x.md",),
                      frozenset({"a"}), 10)
    write_index(path, {"k" * 64: page})
    assert read_index(path) == {"k" * 64: page}
    for raw in ({"format": FORMAT + 1, "pages": {}}, {"format": FORMAT, "pages": []},
                {"format": FORMAT, "pages": {"k": {"title": "x"}}}, {"format": FORMAT, "pages": {"k": ("x",)}}, [1, 2]):
        path.write_bytes(pickle.dumps(raw))
        assert read_index(path) == {}
    for damaged in (pickle.dumps({"format": FORMAT, "pages": {"k" * 64: page}})[:-9], b"", json.dumps(
            {"format": 1, "pages": {}}).encode("utf-8")):  # cut short, empty, the JSON index of format 1
        path.write_bytes(damaged)
        assert read_index(path) == {}


def test_pages_share_their_equal_headings_and_ids_from_build_to_build(tmp_path: Path) -> None:
    """What pages of a kind have alike (a heading 品牌故事, the same ids) is one object in the index, written once;
    read back, it is still one, so the next build writes it once too."""
    produced = tmp_path / "page.html"
    produced.write_text("<h1 id=\"_1\">示例小学</h1>", encoding="utf-8")
    store = PageStore.open(tmp_path / "pages")
    assert store is not None
    for n in range(3):
        headings = (Heading(1, "_1", f"示例小学{n}"), Heading(2, "_2", "品牌故事"))
        store.add(f"{n}" * 64, StoredPage(f"示例小学{n}", {}, headings, (), frozenset({"_1", "_2"}), 0), produced)
    store.close(keep=True)
    again = read_index(tmp_path / "pages" / INDEX)
    assert [p.title for p in again.values()] == ["示例小学0", "示例小学1", "示例小学2"]
    first, *others = again.values()
    assert all(p.anchors is first.anchors and p.headings[1] is first.headings[1] for p in others)
    assert first.anchors == {"_1", "_2"} and first.headings[1] == (2, "_2", "品牌故事")
    assert len({id(p.headings[0]) for p in again.values()}) == 3  # what differs stays apart


@pytest.mark.parametrize("anchor, warned", [("present", False), ("no-such-anchor", True)])
def test_a_link_to_an_anchor_of_a_placed_page_is_checked_as_if_rendered(anchor: str, warned: bool,
                                                                        tmp_path: Path) -> None:
    root = tmp_path / "linked"
    write_demo(root / "data", 6)
    docs = root / "content"
    docs.mkdir()
    config = root / "mkdocs.yml"
    config.write_text(json.dumps({"INHERIT": str(CONFIG), "docs_dir": str(docs),
                                  "theme": {"custom_dir": str(REPO / "theme")}}), encoding="utf-8")
    build(root, config)
    branch = next(p for p in sorted((root / "site" / "branches").glob("*/index.html")))
    ids = re.findall(r'\sid="([^"]+)"', branch.read_text(encoding="utf-8"))
    target = next(i for i in ids if re.fullmatch(r"_\d+", i)) if anchor == "present" else anchor  # a heading's
    (docs / "links.md").write_text(f"# 链接\n\n[示例](branches/{branch.parent.name}.md#{target})\n",
                                   encoding="utf-8")
    again = build(root, config)
    assert again.reused == len(read_index(pages_folder(root) / INDEX)) > 0  # the branch's page was placed
    said = [w for w in again.warnings if "links.md" in w and target in w]
    assert bool(said) == warned, again.warnings


@settings(max_examples=30, deadline=None)
@given(steps=st.lists(st.tuples(st.sets(st.integers(0, 59), max_size=6), st.sets(st.integers(0, 59), max_size=6)),
                      min_size=1, max_size=8), most=st.sampled_from([0.1, 0.5]))
def test_the_index_and_its_changes_read_as_the_last_build_left_the_cache(
        steps: list[tuple[set[int], set[int]]], most: float, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Build after build (pages made, placed, dropped), the index with the changes beside it names exactly the
    pages the last build used, each with its file, and the cache holds no other file; the changes are read only
    over the index they were written for."""
    folder = tmp_path_factory.mktemp("pages")
    site = tmp_path_factory.mktemp("site")
    produced = site / "made.html"
    produced.write_text("<h1 id=\"_1\">示例小学</h1>", encoding="utf-8")
    wanted = set(range(30))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pagestore, "MOST_CHANGES", most)
        for number, (added, dropped) in enumerate([(set(), set()), *steps]):
            wanted = (wanted - dropped) | added
            store = PageStore.open(folder)
            assert store is not None
            for n in sorted(wanted):
                key = f"{n:064d}"
                if store.get(key) is not None:
                    store.plan(key, site / f"{number}-{n}.html")
                else:
                    store.add(key, StoredPage(f"示例小学{n}", {}, (Heading(1, "_1", "示例小学"),), (),
                                              frozenset({"_1"}), 0), produced)
            pagestore.place_planned(store.planned)
            store.close(keep=True)
            keys = {f"{n:064d}" for n in wanted}
            again = read_index(folder / INDEX)
            assert set(again) == keys and all(again[k].title == f"示例小学{int(k)}" for k in keys)
            assert {p.stem for p in folder.glob("??/*.html")} == keys
    base = pickle.loads((folder / INDEX).read_bytes())
    (folder / INDEX).write_bytes(pickle.dumps({**base, "generation": "another"}))
    assert set(read_index(folder / INDEX)) == set(base["pages"])  # the changes belong to the other index


@pytest.mark.parametrize("where", ["folder there", "folder new", "two folders new", "a file in the way",
                                   "the same page there", "stored file gone"])
def test_a_stored_page_is_placed_wherever_its_folder_stands(where: str, tmp_path: Path) -> None:
    """A stored page is put at its place whether the build's folders are the last site's (an edit build's), new,
    or hold a file in the way; it is the stored page's bytes, linked; a stored file that has gone is an error."""
    store = PageStore.open(tmp_path / "pages")
    assert store is not None
    key = "ab" + "0" * 62
    produced = tmp_path / "made.html"
    produced.write_text("<h1>示例小学</h1>", encoding="utf-8")
    store.add(key, StoredPage("示例小学", {}, (), (), frozenset(), 0), produced)
    store.close(keep=True)
    store = PageStore.open(tmp_path / "pages")  # the next build
    assert store is not None and store.get(key) is not None
    stored = store.file_of(key)
    target = tmp_path / "site" / ("a/b/index.html" if where == "two folders new" else "a/index.html")
    if where != "folder new" and where != "two folders new":
        target.parent.mkdir(parents=True)
    if where == "a file in the way":
        target.write_text("旧的", encoding="utf-8")
    if where == "the same page there":
        target.hardlink_to(stored)
    if where == "stored file gone":
        stored.unlink()
        with pytest.raises(FileNotFoundError):
            pagestore.place_planned([(str(stored), str(target))])
        assert not target.exists()
        return
    store.plan(key, target)
    pagestore.place_planned(store.planned)
    assert target.read_text(encoding="utf-8") == "<h1>示例小学</h1>" and target.samefile(stored)
    store.close(keep=False)


def cache_inodes(root: Path) -> set[tuple[int, int]]:
    cache = root / ".cache" / "fivestar"
    return {(p.stat().st_dev, p.stat().st_ino) for folder in ("images", "share", "qr")
            for p in (cache / folder).rglob("*") if p.is_file()}


def test_fivestar_build_links_cached_images_share_pictures_and_qr_codes(base: tuple[Path, BuildOutcome],
                                                                        tmp_path: Path) -> None:
    root, _again = base
    inodes = cache_inodes(root)
    linked = {p.suffix for p in (root / "site").rglob("*")
              if p.is_file() and p.suffix != ".html" and (p.stat().st_dev, p.stat().st_ino) in inodes}
    assert {".svg", ".png", ".webp"} <= linked  # QR codes, share pictures, record images
    clean = build_site(root / "data", CONFIG, tmp_path / "clean")  # no page cache: copies, the same bytes
    assert not [p for p in clean.site_dir.rglob("*") if p.is_file() and (p.stat().st_dev, p.stat().st_ino) in inodes]
    assert first_difference(tree(clean.site_dir), tree(root / "site")) == ""



def put_back(folder: Path, days: float) -> None:
    """Every file and folder under `folder` as if last changed `days` ago."""
    then = time.time() - days * 24 * 3600
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (then, then), follow_symlinks=False)


def strays(cache: Path) -> list[Path]:
    """One entry of each kind the image cache holds that no build of the demo uses (a killed build's staging folder
    too), as an older build or other data would have left them."""
    entry, staging = cache / "ab" / ("ab" + "0" * 30), cache / "ab" / ".ab1234-staging"
    files = [entry / "320.webp", cache / "verified" / "cd" / "cd-1-11", cache / "share" / "old-picture.png",
             cache / "qr" / "0123456789abcdef.svg"]
    staging.mkdir(parents=True)
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"old")
    return [entry, staging, *files[1:]]


def encoded(root: Path) -> set[tuple[int, int]]:
    """The image cache's renditions, decoding stamps, share pictures and QR codes (not its list of headers)."""
    headers = (root / ".cache" / "fivestar" / "images" / "headers.pickle").stat()
    return cache_inodes(root) - {(headers.st_dev, headers.st_ino)}


@pytest.mark.parametrize("days", [13, 15])
def test_a_build_removes_what_it_did_not_use_once_two_weeks_old(days: int, base: tuple[Path, BuildOutcome],
                                                               tmp_path: Path) -> None:
    """Of the image cache (renditions, decoding stamps, share pictures, QR codes), a build removes what it did not
    use, once it has not changed for two weeks (a photo put back within them is not encoded again), and keeps what
    it used however old: the next build encodes, draws and makes nothing again."""
    root = copy_of(base[0], tmp_path)
    cache = root / ".cache" / "fivestar" / "images"
    branch = first_file(root / "data" / "branches", holding="logo:")
    logo = re.search(r"logo: (\S+)", branch.read_text(encoding="utf-8")).group(1)
    branch.write_text(re.sub(r"^  logo: .*\n", "", branch.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    dropped = [p.parent for p in cache.glob("??/*/*") if p.parent.name in {
        image.cache_key for image in plan_images(load_dataset(base[0] / "data").dataset, tmp_path / "h").values()
        if image.source == logo}]
    made = strays(cache)
    put_back(cache, days)
    before = encoded(root)
    build(root)
    gone = [path for path in [*made, *dropped] if not path.exists()]
    assert gone == ([] if days < 14 else [*made, *dropped]) and dropped
    kept = encoded(root)
    assert kept <= before  # nothing made again
    again = build(root)
    assert again.reused and encoded(root) == kept
    clean = build_site(root / "data", CONFIG, tmp_path / "clean")
    assert first_difference(tree(clean.site_dir), tree(root / "site")) == ""

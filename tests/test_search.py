"""Chinese search: the user dictionary from the data, segmentation like material's, compact branch entries."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import material_search
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.dataset import Dataset
from generator.records.load import load_dataset
from generator.site import search, search_light
from generator.site.search_light import read_index

ROOT = Path(__file__).resolve().parent.parent
# mkdocs-material's search separator for `language: zh` (partials/languages/zh.html).
DEMO_BRANCHES = 150
SEPARATOR = re.compile(r"[\s\u200b\u3000\-、。，．？！；]+")


@pytest.fixture(scope="module")
def bundled() -> Dataset:
    result = load_dataset(ROOT / "data")
    assert result.dataset is not None
    search.load_user_words(search.user_words(result.dataset))
    return result.dataset


def tokens(text: str) -> list[str]:
    return [t for t in SEPARATOR.split(search.segment(text)) if t]


def test_user_words_cover_school_names_aliases_brands_and_titles(bundled: Dataset) -> None:
    words = search.user_words(bundled)
    for word in ("平安校园", "文明校园", "区一实小", "一实小", "北京二实小洛阳分校", "红·星闪闪", "星闪闪", "洛龙区"):
        assert word in words, word
    assert len(words) == len(set(words))
    assert all(len(w) > 1 for w in words)


def test_data_words_stay_whole_after_segmentation(bundled: Dataset) -> None:
    assert "平安校园" in tokens("广利街小学获评省级平安校园")
    assert "广利街小学" in tokens("广利街小学获评省级平安校园")
    assert "区一实小" in tokens("区一实小的党建品牌")
    assert "星闪闪" in tokens("红·星闪闪")
    assert "洛一高附小" in tokens("洛一高附小等6所学校")


def test_segment_marks_words_exactly_as_material_does(bundled: Dataset) -> None:
    plugin = pytest.importorskip("material.plugins.search.plugin")
    index = plugin.SearchIndex()
    for text in ("区一实小获评省级“文明校园”", "红·星闪闪 ABC 2023年", "洛一高附小等6所学校获评市级平安校园", "plain"):
        assert search.segment(text) == index._segment_chinese(text), text


def test_branch_entries_are_small_tagged_and_point_at_branch_pages(bundled: Dataset) -> None:
    entries = search.branch_entries(bundled, lambda branch_id: f"branches/{branch_id}/")
    assert len(entries) == len(bundled.branches)
    by_location = {e["location"]: e for e in entries}
    main = by_location["branches/qu-yishixiao/"]
    assert main["tags"] == ["区一实小", "一实小", "红·星闪闪", "红星闪闪"]
    assert "区一实小" in SEPARATOR.split(main["title"])
    assert "文明校园" in main["text"] and "星闪闪" in SEPARATOR.split(main["text"])
    for entry in entries:
        shown = {key: value for key, value in entry.items() if key != search.NAMES_FIELD}
        assert len(json.dumps(shown, ensure_ascii=False).encode("utf-8")) <= search.MAX_ENTRY_BYTES
        assert len(entry.get(search.NAMES_FIELD, "").encode("utf-8")) <= search.NAMES_BUDGET


def test_long_branch_text_is_clipped_to_the_entry_budget(bundled: Dataset) -> None:
    clipped = search._clip("党" * 2000, 100)
    assert len(clipped.encode("utf-8")) <= 100 and clipped == "党" * 33


def test_built_index_has_one_compact_entry_per_branch_and_tagged_titles(built_site: Path, bundled: Dataset) -> None:
    data = read_index(built_site)
    assert data["config"]["lang"] == ["zh"]
    docs = data["docs"]
    branch_docs = [d for d in docs if d["location"].startswith("branches/") and d["location"] != "branches/"]
    assert sorted(d["location"] for d in branch_docs) == sorted(f"branches/{b.id}/" for b in bundled.branches)
    pingan = [d for d in docs if d["location"] == "honours/ping-an-xiao-yuan/"]
    assert pingan and pingan[0]["tags"] == ["平安校园"]
    brand = [d for d in docs if d["location"] == "brands/qu-yishixiao/"]
    assert brand and brand[0]["tags"] == ["红·星闪闪", "红星闪闪"]
    assert "平安校园" in SEPARATOR.split(pingan[0]["title"])


# -- names: any run of two or more characters of a name, and its pinyin initials ------------------------------------

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
NAME = st.lists(st.one_of(st.text(HAN, min_size=1, max_size=8), st.sampled_from(["·", " ", "、", "，", "00042", "A"])),
                min_size=1, max_size=5).map("".join)


def han_substrings(name: str) -> set[str]:
    """Every run of two or more Han characters inside the name as readers type it (without its punctuation)."""
    runs = search._HAN.findall(search.compact_name(name))
    return {run[i:j] for run in runs for i in range(len(run)) for j in range(i + 2, len(run) + 1)}


@given(names=st.lists(NAME, min_size=1, max_size=4), shown=st.booleans())
@settings(max_examples=300, deadline=None)
def test_every_run_of_a_name_starts_a_hidden_term_or_a_tag(names: list[str], shown: bool) -> None:
    """Material prefix-matches every query term, so a run found at the start of a term finds the page; a run longer
    than a term is cut by material at the index term that starts it, so its first MAX_NAME_TERM characters must."""
    tags = names if shown else []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "NAMES_BUDGET", 1 << 30)
        terms = search.name_terms(names, tags)
    whole = [*terms, *(tag.lower() for tag in tags)]
    for name in names:
        for run in han_substrings(name):
            assert any(term.startswith(run[:search.MAX_NAME_TERM]) for term in whole), (run, terms)
    assert all(re.fullmatch(r"\w+", term) for term in terms), terms  # nothing material would read as markup
    assert not any(b.startswith(a) for a in terms for b in terms if a != b), terms  # none another already finds
    assert not {tag.lower() for tag in tags} & set(terms)
    assert all(len(term) <= search.MAX_NAME_TERM for term in terms)


@given(names=st.lists(NAME, min_size=1, max_size=6))
@settings(max_examples=100, deadline=None)
def test_hidden_name_terms_keep_to_their_budget(names: list[str]) -> None:
    terms = search.name_terms(names)
    assert len(" ".join(terms).encode("utf-8")) <= search.NAMES_BUDGET
    hostile = search.name_terms(["长" * 10_000, "品" * 5_000])
    assert hostile == ["c" * 16, "p" * 16, "品" * 16, "长" * 16]


def test_name_forms_suffixes_and_initials() -> None:
    assert search.compact_name("红·星闪闪") == "红星闪闪"
    assert search.compact_name("明德铸魂 爱育精彩") == "明德铸魂爱育精彩"
    assert search.name_suffixes("行远育才学校") == ["行远育才学校", "远育才学校", "育才学校", "才学校", "学校"]
    assert search.name_suffixes("STEM小学") == ["小学"]
    assert search.name_initials("区一实小") == "qysx"
    assert search.name_initials("重庆路小学") == "cqlxx"  # pypinyin's phrase tables read 重庆 as chóngqìng
    assert search.name_initials("示例小学00042") == "slxx00042"
    assert search.name_initials("STEM") == ""


def test_branch_and_brand_entries_carry_hidden_names_that_are_never_shown(bundled: Dataset) -> None:
    entries = {e["location"]: e for e in search.branch_entries(bundled, lambda branch_id: f"branches/{branch_id}/")}
    main = entries["branches/qu-yishixiao/"]
    assert main["names"].split(" ") == ["hxss", "qysx", "ysx", "实小", "星闪闪", "闪闪"]
    beijing = entries["branches/beijing-ershixiao-luoyang/"]["names"].split(" ")
    assert "第二实验小学洛阳分校" in beijing and "bjdesyxxlyfx" in beijing  # the full name too
    for entry in entries.values():
        assert set(entry) <= {"location", "title", "text", "tags", "names"}
        assert not set(entry["names"].split(" ")) & set(entry["title"].split(search.ZWSP))
    brand = search.brand_entry(bundled.brands[0], "brands/x/")
    assert brand["names"] and all(len(t) > 1 for t in brand["names"].split(" "))


def test_built_index_declares_the_names_field_below_tags(built_site: Path) -> None:
    data = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    fields = data["config"]["fields"]
    assert fields[search.NAMES_FIELD] == {"boost": search.NAMES_BOOST}
    assert fields["title"]["boost"] < fields[search.NAMES_FIELD]["boost"] < fields["tags"]["boost"]


def names_of(dataset: Dataset) -> dict[str, list[str]]:
    """Each page's names as the data has them: a school's name, aliases, full name and brand; a brand's name."""
    names: dict[str, list[str]] = {}
    for branch in dataset.branches:
        brand = [branch.brand.name] if branch.brand else []
        names[f"branches/{branch.id}/"] = [branch.name, *(branch.aliases or []), branch.full_name or "", *brand]
        if branch.brand:
            names[f"brands/{branch.id}/"] = brand
    return names


def check_every_run_finds_its_page(site: Path, dataset: Dataset) -> None:
    """For every page with a name and every run of two or more Han characters of its names, typed as a query into
    material's own search (tests/material_search.py):

    - the page is found, or the query lists its most (search_light.MAX_RESULTS) pages, each holding the query whole
      in a name (more pages share the run than a query shows: 示例 in a demo region);
    - no page ranks above it that holds none of the query's parts in a name, alias, full name, brand or tag: pages
      merely mentioning the name in their text come after it;
    - when material searches the query whole (it cuts a Chinese query at index terms and may drop its end: 区一实小
      is searched as 区 and 一), every page above it holds the whole query in a name: it comes first, tied only with
      pages whose names share that run (示例小学 in a demo region)."""
    names = names_of(dataset)
    index = read_index(site)
    tags = {doc["location"]: doc.get("tags", []) for doc in index["docs"]}
    forms = {loc: [search.compact_name(n) for n in [*names.get(loc, []), *tags.get(loc, [])] if n]
             for loc in {*names, *tags}}
    wanted: dict[str, set[str]] = {}
    for location, page_names in names.items():
        for name in page_names:
            for run in han_substrings(name):
                wanted.setdefault(run, set()).add(location)
    queries = sorted(wanted)
    problems = []
    answers = material_search.search(site / "search" / "search_index.json", queries)
    for query, found in zip(queries, answers, strict=True):
        for location in sorted(wanted[query]):
            if location not in found.locations:
                full = len(found.locations) >= search_light.MAX_RESULTS
                if not (full and all(any(query in f for f in forms.get(loc, [])) for loc in found.locations)):
                    problems.append(f"{query}: {location} not found")
                continue
            above = found.locations[:found.locations.index(location)]
            mentions = [loc for loc in above if not any(k in f for k in found.kept for f in forms.get(loc, []))]
            if mentions:
                problems.append(f"{query}: {location} after {mentions[:3]}, which only mention it")
            if found.kept == (query,):
                others = [loc for loc in above if not any(query in f for f in forms.get(loc, []))]
                if others:
                    problems.append(f"{query}: {location} after {others[:3]}, whose names lack it")
    assert not problems, f"{len(problems)} of {len(queries)} queries: " + "; ".join(problems[:10])


def test_every_run_of_a_bundled_name_finds_its_page_first(built_site: Path, bundled: Dataset) -> None:
    check_every_run_finds_its_page(built_site, bundled)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 示例区 demo region of DEMO_BRANCHES branches, built; its data beside it (`../data`). Only its files are
    read, so the test runs on MkDocs alone (engine_selection.STATIC_FIXTURES: tests/test_properdocs.py proves a
    demo region's files, its search index included, the same on ProperDocs)."""
    from generator.engine.build import build_site
    from generator.staff.demo import write_demo

    root = tmp_path_factory.mktemp("search-demo")
    write_demo(root / "data", DEMO_BRANCHES)
    return build_site(root / "data", ROOT / "mkdocs.yml", root / "site").site_dir


def test_every_run_of_a_demo_name_finds_its_page_first(demo_site: Path) -> None:
    site = demo_site
    result = load_dataset(site.parent / "data")
    assert result.dataset is not None
    check_every_run_finds_its_page(site, result.dataset)
    initials = {search.name_initials(b.name): f"branches/{b.id}/" for b in result.dataset.branches}
    queries = sorted(initials)
    answers = material_search.search(site / "search" / "search_index.json", queries)
    for query, found in zip(queries, answers, strict=True):
        assert initials[query] in found.locations, query


def test_reference_queries_and_initials_find_the_page_first(built_site: Path) -> None:
    cases = {"平安校园": "honours/ping-an-xiao-yuan/", "区一实小": "branches/qu-yishixiao/",
             "qysx": "branches/qu-yishixiao/", "翠云": "branches/qu-yishixiao-cuiyun/",
             "双语": "branches/longcheng-shuangyu-chuzhong/", "育人": "branches/luoyigao-fuxiao/",
             "lcsy": "branches/longcheng-shuangyu-chuzhong/"}
    found = material_search.search(built_site / "search" / "search_index.json", list(cases))
    for (query, first), answer in zip(cases.items(), found, strict=True):
        assert answer.locations[:1] == (first,), (query, answer)


FORGET_TEXTS = ["示例区行远育才学校开展育才学校党建活动，实验小学参加", "示例一小星光闪闪照亮童心", "明德铸魂爱育精彩",
                "区实验中学党支部获评文明校园", "示例二中教师获得优秀班主任称号"]
WORD_POOL = ["示例区", "育才学校", "实验小学参加", "区行远", "星光闪闪", "照亮童心", "明德铸魂", "爱育",
             "实验中学党支部", "文明校园", "示例二中", "优秀班主任", "铸魂爱", "一小星光"]


def test_forgetting_words_again_and_again_cuts_as_a_fresh_process_does() -> None:
    """A process building one site after another (a preview, a test run) forgets the words of the site before,
    the second time and after from a copy of jieba's dictionary (search.forget_words): whatever was taught before
    (other words, the same, fewer),
    the cuts equal those of jieba's dictionary loaded anew from its file and taught only this site's words
    (frequencies and their total alike; the reference process reloads it for each site)."""
    rng = random.Random(7)
    sites = [rng.sample(WORD_POOL, rng.randint(1, 6)) for _ in range(3)]
    fresh = subprocess.run(
        [sys.executable, "-c", "import json, sys\nfrom generator.site import search\n"
         "sites, texts = json.loads(sys.stdin.read())\nout = []\n"
         "for words in sites:\n    jieba = search._jieba()\n    jieba.dt.__init__(jieba.dt.dictionary)\n"
         "    search._taught.clear()\n    search.load_user_words(words)\n"
         "    out.append([jieba.dt.total, len(jieba.dt.FREQ), [search.segment(t) for t in texts]])\n"
         "print(json.dumps(out))"],
        input=json.dumps([sites, FORGET_TEXTS]), capture_output=True, text=True, check=True)
    expected = json.loads(fresh.stdout)
    for words, cuts in zip(sites, expected, strict=True):
        # Taught before: another site's words; the same words (a preview's rebuild); fewer of them; the same ones
        # twice over (rebuilds before); then this site's, as a build of it teaches them.
        for before in (["示例四中", *WORD_POOL], words, words[:1], words + words):
            search.load_user_words(before)
            search.load_user_words(words)
            tokenizer = search._jieba().dt
            assert [tokenizer.total, len(tokenizer.FREQ), [search.segment(t) for t in FORGET_TEXTS]] == cuts, \
                (before, words)


def test_jieba_loads_its_dictionary_read_whole_and_as_its_own_loading_does() -> None:
    """search._cache_read_whole: the dictionary jieba loads from its cache through it is the one jieba's own
    loading gives (every word's frequency, their total), read by one `read` of the whole file; jieba's `marshal`
    is its own again after."""
    script = ("import hashlib, json, marshal, sys\nimport jieba\nfrom generator.site import search\n"
              "reads = []\nload = search._WholeFileMarshal.load\n"
              "search._WholeFileMarshal.load = staticmethod(lambda stream: reads.append(1) or load(stream))\n"
              "if sys.argv[1] == 'ours':\n    search._jieba()\nelse:\n    jieba.initialize()\n"
              "freq = hashlib.sha256(json.dumps(sorted(jieba.dt.FREQ.items())).encode()).hexdigest()\n"
              "print(json.dumps([jieba.dt.total, len(jieba.dt.FREQ), freq, len(reads), jieba.marshal is marshal]))")
    jieba_own = subprocess.run([sys.executable, "-c", "import jieba; jieba.initialize()"], check=True)  # the cache
    assert jieba_own.returncode == 0
    ours, theirs = (json.loads(subprocess.run([sys.executable, "-c", script, which], capture_output=True, text=True,
                                              check=True).stdout) for which in ("ours", "jieba"))
    assert ours[:3] == theirs[:3] and ours[1] > 100_000
    assert ours[3:] == [1, True]  # read whole, once; marshal given back
    assert theirs[3:] == [0, True]


def test_segmentation_depends_on_this_sites_words_only() -> None:
    """Words an earlier build in the same process taught jieba (another site, a name since renamed) do not
    change how this site's text is cut: the index equals the one a fresh process writes."""
    text = "示例区行远育才学校开展育才学校党建活动，实验小学参加"
    search.load_user_words(["示例区"])
    fresh = search.segment(text)
    search.load_user_words(["育才学校", "实验小学参加", "区行远"])
    assert search.segment(text) != fresh  # the other site's words do cut differently …
    search.load_user_words(["示例区"])
    assert search.segment(text) == fresh  # … and are forgotten when this site is built again

"""Light search: the whole search index cut into small files a reader's browser fetches only when a query needs them.

The engine's search writes one index (`search/search_index.json`: config and every entry), which a browser used to
download whole on the first search (22 MB at 20,000 branches). `write_light_index` keeps the engine's entries and
configuration but moves them into:

- `search/docs/N.json`: the entries, DOC_PAGES whole pages (a page and its sections) a file, in page order;
- `search/terms/N.json`: every index term with its page count and its best pages (at most MAX_RESULTS, each with a
  weight: the engine's field boosts times a saturated term frequency times the term's rarity), sorted by term and
  packed at most TERM_CHUNK_BYTES a file;
- `search/prefixes/N.json`: for every prefix whose terms do not fit in one term file, its best pages over all those
  terms (a one-character query on a big site reads this, not every term starting with it);
- `search/search_index.json`: the engine's configuration with `light` in it (material's page script passes the
  configuration and the entries to the worker, nothing else): the first term of each term file and the first prefix
  of each prefix file (about 1 KB a thousand pages); no entries. The worker tells a big prefix from the term files'
  first terms (its terms start in one file and go on in the next).

A query then costs the small index, the term files its words fall in, and the entry files of its best pages
(theme/assets/javascripts/workers/light-search.js reads them and lets the engine's own search rank those pages).
Terms are cut as the engine's search cuts them (its `separator`, lower case, markup left out); the index is
deterministic, so builds stay byte-identical.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Any

MAX_RESULTS = 100
"""The most pages one query term (or prefix) lists, best first; a query shows at most this many results."""
TERM_CHUNK_BYTES = 12_000
"""A term file's size bound (a single term with MAX_RESULTS pages is far below it)."""
DOC_PAGES = 2
"""Pages an entry file holds (a page with its sections): few, so that a query's best pages cost little more than
themselves, and fixed, so that the worker finds a page's file without a list that grows with the site."""
K1 = 1.2
"""Term frequency saturation, as lunr (the engine's search library) uses it."""
VERSION = 1
FOLDERS = ("docs", "terms", "prefixes")
_TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class LightStats:
    """What `write_light_index` wrote: pages, terms, files and bytes, for the build's log and the benchmarks."""

    pages: int
    terms: int
    files: int
    index_bytes: int
    total_bytes: int


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def tokens(value: str, separator: re.Pattern[str]) -> list[str]:
    """A field's terms as the engine's search cuts them: markup left out, split, lower case (entities stay written,
    as the engine's tokenizer reads them: &amp; is part of a term)."""
    return [token.lower() for token in separator.split(_TAGS.sub(" ", value)) if token]


def pages_of(docs: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Entries grouped by page: a page's entry, then its sections (`page/#anchor`), as the engine writes them."""
    pages: list[list[dict[str, Any]]] = []
    where: dict[str, int] = {}
    for doc in docs:
        path = doc["location"].split("#", 1)[0]
        if "#" in doc["location"] and path in where:
            pages[where[path]].append(doc)
        else:
            where.setdefault(path, len(pages))
            pages.append([doc])
    return pages


def page_weights(page: list[dict[str, Any]], fields: dict[str, float],
                 separator: re.Pattern[str]) -> dict[str, float]:
    """Each term of a page with its weight before rarity: per entry and field, boost × saturated frequency."""
    weights: dict[str, float] = defaultdict(float)
    for doc in page:
        boost = float(doc.get("boost", 1.0) or 1.0)
        for field, field_boost in fields.items():
            value = doc.get(field)
            if not value:
                continue
            counts: Counter[str] = Counter()
            for one in value if isinstance(value, list) else [value]:
                counts.update(tokens(str(one), separator))
            factor = field_boost * boost
            for term, tf in counts.items():
                weights[term] += factor * tf * (K1 + 1) / (tf + K1)
    return weights


def _round(weight: float) -> float:
    return float(f"{weight:.4g}")


def _best(found: list[tuple[int, float]], total: int) -> list[tuple[int, float]]:
    """A term's best MAX_RESULTS pages (`found` is in page order): by rounded weight (times the term's rarity),
    then page number. A common term is on most of a province's 28,000 pages, mostly with the same few weights: each
    distinct weight is rounded once, and since rounding keeps their order, only the pages whose rounded weight
    reaches the MAX_RESULTS-th best are sorted (a stable sort keeps page order among equal weights). The passes
    over every page are the C library's (Counter, compress, map), not Python loops."""
    rarity = math.log(1 + abs((total - len(found) + 0.5) / (len(found) + 0.5)))
    counts = Counter(map(itemgetter(1), found))
    rounded = {w: _round(w * rarity) for w in counts}
    if len(found) > MAX_RESULTS:
        by_rounded: Counter[float] = Counter()
        for weight, count in counts.items():
            by_rounded[rounded[weight]] += count
        seen = 0
        for cut in sorted(by_rounded, reverse=True):
            seen += by_rounded[cut]
            if seen >= MAX_RESULTS:
                break
        keep = {weight for weight, value in rounded.items() if value >= cut}
        found = list(compress(found, map(keep.__contains__, map(itemgetter(1), found))))
    ranked = sorted(((page, rounded[weight]) for page, weight in found), key=itemgetter(1), reverse=True)
    return ranked[:MAX_RESULTS]


def _pack(items: Iterable[tuple[str, str]], limit: int) -> list[tuple[str, list[str]]]:
    """(key, JSON text) in order, packed into files of at most `limit` bytes: (first key, texts) per file."""
    files: list[tuple[str, list[str]]] = []
    size = limit
    for key, text in items:
        length = len(text.encode("utf-8")) + 1
        if size + length > limit:
            files.append((key, []))
            size = 2
        files[-1][1].append(text)
        size += length
    return files


def _order(term: str) -> bytes:
    """Terms sorted as JavaScript compares strings (UTF-16 code units), so the worker's binary search agrees."""
    return term.encode("utf-16-be")


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


def write_light_index(index_path: Path) -> LightStats:
    """Cut the engine's whole index at `index_path` (search/search_index.json) into the light index beside it."""
    folder = index_path.parent
    whole = json.loads(index_path.read_text(encoding="utf-8"))
    config = whole["config"]
    separator = re.compile(config["separator"])
    fields = {name: float((spec or {}).get("boost", 1.0)) for name, spec in config["fields"].items()}
    pages = pages_of(whole["docs"])
    for name in FOLDERS:
        shutil.rmtree(folder / name, ignore_errors=True)
        (folder / name).mkdir(parents=True)

    # Entries: DOC_PAGES whole pages a file, in page order.
    for start in range(0, len(pages), DOC_PAGES):
        docs = [doc for page in pages[start:start + DOC_PAGES] for doc in page]
        (folder / "docs" / f"{start // DOC_PAGES}.json").write_text(_dumps(docs), encoding="utf-8")

    # Terms: postings with weights (boost × frequency × rarity), the best MAX_RESULTS pages of each.
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for number, page in enumerate(pages):
        for term, weight in page_weights(page, fields, separator).items():
            postings[term].append((number, weight))
    total = len(pages)
    terms = sorted(postings, key=_order)
    best = {term: _best(postings[term], total) for term in terms}
    term_files = _pack(((t, _dumps([t, len(postings[t]), [x for pw in best[t] for x in pw]])) for t in terms),
                       TERM_CHUNK_BYTES)
    for number, (_first, texts) in enumerate(term_files):
        (folder / "terms" / f"{number}.json").write_text("[" + ",".join(texts) + "]", encoding="utf-8")
    first_terms = [first for first, _texts in term_files]

    # Prefixes spanning more than one term file: their best pages over every term they start.
    big: set[str] = set()
    for number in range(1, len(first_terms)):
        last = terms[bisect.bisect_left(terms, _order(first_terms[number]), key=_order) - 1]
        shared = _common_prefix(last, first_terms[number])
        big.update(shared[:n] for n in range(1, len(shared) + 1))
    summaries = []
    for prefix in sorted(big, key=_order):
        start = bisect.bisect_left(terms, _order(prefix), key=_order)
        top: dict[int, float] = {}
        seen = top.get
        count = 0
        for term in terms[start:]:
            if not term.startswith(prefix):
                break
            count += 1
            for page, weight in best[term]:
                if weight > seen(page, 0.0):
                    top[page] = weight
        # By weight, highest first, then page: a stable sort by weight of the pages in order.
        ranked = sorted(sorted(top.items()), key=itemgetter(1), reverse=True)[:MAX_RESULTS]
        summaries.append((prefix, _dumps([prefix, count, [x for pw in ranked for x in pw]])))
    prefix_files = _pack(summaries, TERM_CHUNK_BYTES)
    for number, (_first, texts) in enumerate(prefix_files):
        (folder / "prefixes" / f"{number}.json").write_text("[" + ",".join(texts) + "]", encoding="utf-8")

    light = {"version": VERSION, "pages": total, "max_results": MAX_RESULTS, "doc_pages": DOC_PAGES,
             "terms": first_terms, "prefix_files": [first for first, _texts in prefix_files]}
    index_path.write_text(_dumps({"config": {**config, "light": light}, "docs": []}), encoding="utf-8")
    written = [index_path, *(f for name in FOLDERS for f in (folder / name).iterdir())]
    return LightStats(pages=total, terms=len(terms), files=len(written), index_bytes=index_path.stat().st_size,
                      total_bytes=sum(f.stat().st_size for f in written))


def read_docs(site_dir: Path) -> list[dict[str, Any]]:
    """Every search entry of a built site, in the engine's order (the light index's entry files read back)."""
    index = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    if "light" not in index["config"]:
        return list(index["docs"])
    light = index["config"]["light"]
    docs: list[dict[str, Any]] = []
    for number in range(-(-light["pages"] // light["doc_pages"])):
        docs += json.loads((site_dir / "search" / "docs" / f"{number}.json").read_text(encoding="utf-8"))
    return docs


def read_index(site_dir: Path) -> dict[str, Any]:
    """A built site's search index as the engine wrote it whole: its configuration and every entry."""
    index = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    config = {key: value for key, value in index["config"].items() if key != "light"}
    return {"config": config, "docs": read_docs(site_dir)}

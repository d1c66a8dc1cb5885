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
import contextlib
import hashlib
import json
import math
import os
import re
import shutil
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Any

from generator.cachefile import read_state, write_state, write_state_changes
from generator.heap import bulk_load
from generator.site.images import keep_produced, place_cached

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
STATE = "state.pickle"
FILES = "files"
"""Inside the kept index's folder (`KeptIndex`): what the last cut knew, and its files, each named by its bytes'
digest (`files/ab/ab12….json`)."""
STATE_CHANGES = "state-changes.pickle"
"""Beside STATE: what the cuts since STATE was written changed (the terms ranked again, each page's digest, the
files), while few (MOST_CHANGED), named with STATE's generation so that it is never read over another STATE."""
MOST_CHANGED = 0.1
"""The share of the terms the changes since STATE may hold: past it, STATE is written anew (a province's is
30 MB; its edit build's changes, a few hundred terms)."""
KEPT_FORMAT = 3
"""The kept state's format: since 2 each kept file is named by its bytes (format 1 named it as in the site, so a
build killed after it had replaced a kept file, before it wrote the state, left a state whose record of that name
was wrong); since 3 STATE has a generation and STATE_CHANGES beside it."""
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
        for name, field_boost in fields.items():
            value = doc.get(name)
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


def page_texts(entries: Iterable[dict[str, Any]]) -> list[str]:
    """Entries as the light index holds them: per page (`pages_of`), its entries' JSON joined by commas."""
    return [",".join(map(_dumps, page)) for page in pages_of(list(entries))]


class _PageEntries(Sequence[list[dict[str, Any]]]):
    """Each page's entries, read from its text when asked (an edit build's cut reads only the changed pages')."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, number: int) -> list[dict[str, Any]]:  # type: ignore[override]
        return json.loads(f"[{self.texts[number]}]")


def write_light_index(index_path: Path, kept: KeptIndex | None = None, more: Sequence[str] = ()) -> LightStats:
    """Cut the engine's index at `index_path` (search/search_index.json), with the pages of `more` after its own
    (`page_texts` of entries the engine was not given: fivestar's generated pages'), into the light index beside
    it, and leave there only the engine's configuration with the light index's summary.

    With `kept` (`fivestar build`'s cache of the last build's light index), only the terms of the pages whose
    entries changed are ranked again, and every file the same as last time is linked from the cache, not written;
    the files are the same, byte for byte, as those of a cut without it."""
    folder = index_path.parent
    whole = json.loads(index_path.read_text(encoding="utf-8"))
    config = whole["config"]
    separator = re.compile(config["separator"])
    fields = {name: float((spec or {}).get("boost", 1.0)) for name, spec in config["fields"].items()}
    texts = page_texts(whole["docs"])
    del whole
    texts += more
    pages = _PageEntries(texts)
    total = len(pages)
    for name in FOLDERS:
        shutil.rmtree(folder / name, ignore_errors=True)
        (folder / name).mkdir(parents=True)
    shape = _dumps([VERSION, MAX_RESULTS, TERM_CHUNK_BYTES, DOC_PAGES, config["separator"], fields])
    before = kept.read(shape) if kept is not None else None
    digests = _digests(texts) if kept is not None else []
    ranked = _rank_again(before, pages, digests, fields, separator, kept) if before is not None else None
    # The prefixes whose summary may differ from last time's: those of the terms ranked again (None: every one).
    stale: set[str] | None = None
    again: set[str] | None = None
    if ranked is None:
        postings, rows = _rank(pages, fields, separator)
    else:
        postings, rows, again = ranked
        stale = {term[:n] for term in again for n in range(1, len(term) + 1)}
    known_summaries = before.prefixes if before is not None and stale is not None else {}
    terms = sorted(rows, key=_order)
    files: list[tuple[str, str]] = []
    written = placed = 0

    # Entries: DOC_PAGES whole pages a file, in page order. A file whose pages are those of last time (by their
    # digests) is last time's file, linked from the cache without being made again.
    last_pages = before.pages if before is not None else []
    for start in range(0, total, DOC_PAGES):
        name, end = f"docs/{start // DOC_PAGES}.json", start + DOC_PAGES
        if kept is not None and last_pages[start:end] == digests[start:end] and kept.place_again(name, folder / name):
            written += kept.now[name][0]
            placed += 1
            continue
        files.append((name, "[" + ",".join(texts[start:end]) + "]"))

    # Terms: postings with weights (boost × frequency × rarity), the best MAX_RESULTS pages of each.
    term_files = _pack(((t, rows[t]) for t in terms), TERM_CHUNK_BYTES)
    files += [(f"terms/{number}.json", "[" + ",".join(texts) + "]")
              for number, (_first, texts) in enumerate(term_files)]
    first_terms = [first for first, _texts in term_files]

    # Prefixes spanning more than one term file: their best pages over every term they start.
    big: set[str] = set()
    for number in range(1, len(first_terms)):
        last = terms[bisect.bisect_left(terms, _order(first_terms[number]), key=_order) - 1]
        shared = _common_prefix(last, first_terms[number])
        big.update(shared[:n] for n in range(1, len(shared) + 1))
    best: dict[str, list[Any]] = {}
    summaries = []
    for prefix in sorted(big, key=_order):
        summary = known_summaries.get(prefix) if stale is not None and prefix not in stale else None
        if summary is not None:  # no term it starts was ranked again: last time's summary
            summaries.append((prefix, summary))
            continue
        start = bisect.bisect_left(terms, _order(prefix), key=_order)
        top: dict[int, float] = {}
        seen = top.get
        count = 0
        for term in terms[start:]:
            if not term.startswith(prefix):
                break
            count += 1
            flat = best.get(term)
            if flat is None:
                best[term] = flat = json.loads(rows[term])[2]
            for page, weight in zip(flat[::2], flat[1::2], strict=True):
                if weight > seen(page, 0.0):
                    top[page] = weight
        # By weight, highest first, then page: a stable sort by weight of the pages in order.
        ranking = sorted(sorted(top.items()), key=itemgetter(1), reverse=True)[:MAX_RESULTS]
        summaries.append((prefix, _dumps([prefix, count, [x for pw in ranking for x in pw]])))
    prefix_files = _pack(summaries, TERM_CHUNK_BYTES)
    files += [(f"prefixes/{number}.json", "[" + ",".join(texts) + "]")
              for number, (_first, texts) in enumerate(prefix_files)]

    light = {"version": VERSION, "pages": total, "max_results": MAX_RESULTS, "doc_pages": DOC_PAGES,
             "terms": first_terms, "prefix_files": [first for first, _texts in prefix_files]}
    for name, text in files:
        data = text.encode("utf-8")
        written += len(data)
        if kept is None:
            (folder / name).write_bytes(data)
        else:
            kept.place(name, data, folder / name)
    if kept is not None:
        kept.keep(shape, digests, postings, rows, dict(summaries), again)
    index_path.write_text(_dumps({"config": {**config, "light": light}, "docs": []}), encoding="utf-8")
    index_bytes = index_path.stat().st_size
    return LightStats(pages=total, terms=len(terms), files=placed + len(files) + 1, index_bytes=index_bytes,
                      total_bytes=written + index_bytes)


Postings = dict[str, tuple["array[int]", "array[float]"]]
"""Each term's pages (in page order) and its weight on each, before rarity."""


def _row(term: str, pages: Sequence[int], weights: Sequence[float], total: int) -> str:
    """A term's line in its term file: the term, its page count and its best pages with their weights."""
    best = _best(list(zip(pages, weights, strict=True)), total)
    return _dumps([term, len(pages), [x for pw in best for x in pw]])


def _rank(pages: Sequence[list[dict[str, Any]]], fields: dict[str, float],
          separator: re.Pattern[str]) -> tuple[Postings, dict[str, str]]:
    """Every term's postings and line, from every page."""
    found: dict[str, tuple[array[int], array[float]]] = {}
    for number, page in enumerate(pages):
        for term, weight in page_weights(page, fields, separator).items():
            entry = found.get(term)
            if entry is None:
                found[term] = entry = (array("i"), array("d"))
            entry[0].append(number)
            entry[1].append(weight)
    total = len(pages)
    return found, {term: _row(term, *entry, total) for term, entry in found.items()}


def _rank_again(before: KeptState, pages: Sequence[list[dict[str, Any]]], digests: list[bytes],
                fields: dict[str, float], separator: re.Pattern[str],
                kept: KeptIndex) -> tuple[Postings, dict[str, str], set[str]] | None:
    """The postings and lines of the last build with those of the changed pages' terms made again (a page is
    changed when the digest of its entries is), and those terms; None when a cut of every page is needed (another
    page count, which changes every term's rarity, or many pages changed). A changed page's terms of last time are
    read from its entry file in the cache."""
    total = len(pages)
    if len(before.pages) != total:
        return None
    changed = [n for n, (old, new) in enumerate(zip(before.pages, digests, strict=True)) if old != new]
    if len(changed) > max(16, total // 20):
        return None
    postings, rows = before.postings, before.rows
    weights: dict[int, dict[str, float]] = {}
    terms: set[str] = set()
    for number in changed:
        old = kept.old_page(number, before.pages[number])
        if old is None:
            return None
        weights[number] = page_weights(pages[number], fields, separator)
        terms.update(page_weights(old, fields, separator), weights[number])
    for term in terms:
        numbers, values = postings.get(term) or (array("i"), array("d"))
        for number in changed:  # in page order, each put in (or taken out of) its place
            at = bisect.bisect_left(numbers, number)
            there = at < len(numbers) and numbers[at] == number
            weight = weights[number].get(term)
            if weight is None:
                if there:
                    del numbers[at], values[at]
            elif there:
                values[at] = weight
            else:
                numbers.insert(at, number)
                values.insert(at, weight)
        if numbers:
            postings[term] = (numbers, values)
            rows[term] = _row(term, numbers, values, total)
        else:
            postings.pop(term, None)
            rows.pop(term, None)
    return postings, rows, terms


def _digests(texts: list[str]) -> list[bytes]:
    return [hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest() for text in texts]


@dataclass
class KeptState:
    """What the last build's cut knew: each page's digest, every term's postings and line, and the summary line of
    each prefix spanning term files."""

    pages: list[bytes]
    postings: Postings
    rows: dict[str, str]
    prefixes: dict[str, str] = field(default_factory=dict)


@dataclass
class KeptIndex:
    """The last build's light index kept for the next (`fivestar build`, `.cache/fivestar/light/`, under the page
    cache's lock): its files (`files/`, linked into each new site, never changed in place, each named by the digest
    of its bytes, so that a name never holds other bytes, whenever a build was killed) and what the cut knew
    (`state.pickle`, under fivestar's source and the index's shape). A state that does not read, or a kept file
    missing or whose size is not its own, costs only the work; `ignored` (`--full`) reads nothing, keeps all anew."""

    folder: Path
    signature: str
    ignored: bool = False
    last: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    """The files kept last time, by name (`docs/0.json`): size and digest."""
    now: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    """This build's files, each kept (a file that could not be kept is left out, so it is written next time)."""
    linked: int = 0
    generation: str = ""
    """STATE's generation as read ("" when none read)."""
    changed: set[str] = field(default_factory=set)
    """The terms whose postings and line differ from STATE's, by STATE_CHANGES as read."""

    def read(self, shape: str) -> KeptState | None:
        """What the last cut knew, if it was made by this fivestar for an index of this shape: STATE, with
        STATE_CHANGES over it when they are STATE's own (without them, STATE is an older cut's, whole: its files
        are named by their bytes, so a file it names is right, or gone and made again)."""
        if self.ignored:
            return None
        whole, changes = read_state(self.folder / STATE, self.folder / STATE_CHANGES,
                                    lambda raw: self._ours(raw, shape))
        try:
            with bulk_load():  # the state lives as long as the build
                state = KeptState(list(whole["pages"]), dict(whole["postings"]), dict(whole["rows"]),
                                  dict(whole["prefixes"]))
                files = dict(whole["files"])
        except Exception:  # none, or not of this fivestar and shape: the cut is made whole
            return None
        self.changed = set()
        try:  # everything read before anything is applied: changes that do not read leave STATE as it is
            updates = [(term, value, changes["rows"][term]) for term, value in changes["postings"].items()]
            pages, prefixes, changed_files = list(changes["pages"]), dict(changes["prefixes"]), dict(changes["files"])
        except Exception:  # none, or not whole: STATE alone
            updates = None
        if updates is not None:
            for term, value, row in updates:
                if value is None:
                    state.postings.pop(term, None)
                    state.rows.pop(term, None)
                else:
                    state.postings[term], state.rows[term] = value, row
            state.pages, state.prefixes, files = pages, prefixes, changed_files
            self.changed = {term for term, _value, _row in updates}
        self.generation, self.last = whole["generation"], files
        return state

    def _ours(self, raw: Any, shape: str) -> bool:
        return isinstance(raw, dict) and raw.get("format") == KEPT_FORMAT and raw.get("signature") == self.signature \
            and raw.get("shape") == shape

    def kept_file(self, digest: bytes) -> Path:
        """Where the kept file of these bytes (their digest) is: named by it, in a folder of its first two digits."""
        name = digest.hex()
        return self.folder / FILES / name[:2] / f"{name}.json"

    def old_page(self, number: int, digest: bytes) -> list[dict[str, Any]] | None:
        """Page `number`'s entries of last time, from its kept entry file, if they are those of `digest`."""
        known = self.last.get(f"docs/{number // DOC_PAGES}.json")
        if known is None:
            return None
        try:
            docs = json.loads(self.kept_file(known[1]).read_bytes())
            page = pages_of(docs)[number % DOC_PAGES]
        except (OSError, ValueError, IndexError, TypeError, KeyError, AttributeError):
            return None
        return page if _digests([",".join(map(_dumps, page))])[0] == digest else None

    def place(self, name: str, data: bytes, target: Path) -> None:
        """Put this build's file `name` at `target`: linked from the cache when the cache holds these bytes (a file
        named by their digest, of their size), else written and kept."""
        known = (len(data), hashlib.blake2b(data, digest_size=16).digest())
        if self._link(name, known, target):
            return
        target.write_bytes(data)
        if keep_produced(target, self.kept_file(known[1])):
            self.now[name] = known

    def place_again(self, name: str, target: Path) -> bool:
        """Put last time's file `name` at `target`, known to hold this build's bytes (the same pages): linked from
        the cache when it is there whole; False when it is not, and the file must be made."""
        known = self.last.get(name)
        return known is not None and self._link(name, known, target)

    def _link(self, name: str, known: tuple[int, bytes], target: Path) -> bool:
        """The kept file of these bytes (size, digest) linked at `target` as this build's `name`, when it is there
        whole (of its size)."""
        kept = self.kept_file(known[1])
        try:
            if os.stat(kept).st_size != known[0]:
                return False
            place_cached(kept, target, link=True)
        except OSError:
            return False
        self.linked += 1
        self.now[name] = known
        return True

    def keep(self, shape: str, pages: list[bytes], postings: Postings, rows: dict[str, str],
             prefixes: dict[str, str], again: set[str] | None = None) -> None:
        """Keep what this cut knew, and only this build's files. A cut that ranked only `again` again over the
        state read (None: every term) writes what differs from STATE into STATE_CHANGES while that is few."""
        head = {"format": KEPT_FORMAT, "signature": self.signature, "shape": shape}
        changed = self.changed | again if again is not None and self.generation else None
        if changed is not None and len(changed) <= MOST_CHANGED * max(1, len(rows)):
            if not write_state_changes(self.folder / STATE_CHANGES, self.generation, {
                    **head, "pages": pages, "prefixes": prefixes, "files": self.now,
                    "postings": {term: postings.get(term) for term in changed},
                    "rows": {term: rows.get(term) for term in changed}}):
                return
        elif write_state(self.folder / STATE, self.folder / STATE_CHANGES, {
                **head, "pages": pages, "postings": postings, "rows": rows, "prefixes": prefixes,
                "files": self.now}) is None:
            return
        used = {digest for _size, digest in self.now.values()}
        if self.last:  # the files of last time that this build did not use
            for digest in {digest for _size, digest in self.last.values()} - used:
                with contextlib.suppress(OSError):
                    self.kept_file(digest).unlink()
        else:  # no state read: whatever the folder holds besides this build's files (a killed build's, an older
            self._prune({self.kept_file(digest).name for digest in used})  # format's) goes

    def _prune(self, keep: set[str]) -> None:
        """Every kept file but those named in `keep` removed, and anything else the folder holds."""
        with contextlib.suppress(OSError):
            for sub in (self.folder / FILES).iterdir():
                if not sub.is_dir():
                    sub.unlink(missing_ok=True)
                elif len(sub.name) != 2:  # format 1's docs/, terms/ and prefixes/
                    shutil.rmtree(sub, ignore_errors=True)
                else:
                    for path in sub.iterdir():
                        if path.name not in keep:
                            path.unlink(missing_ok=True)


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

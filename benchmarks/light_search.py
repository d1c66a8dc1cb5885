"""Light search (issue 18): what a phone's first search downloads on a built site, query by query, in Chromium.

usage: python benchmarks/light_search.py SITE [QUERY …]
Serves SITE on 127.0.0.1, and for each query opens the home page in a fresh phone-sized context, types the query
into the search box, waits for the results and sums the search files the page and its workers requested (the index
files under search/, the search workers and lunr's language files), by their size on disk (nothing compresses).
Prints one JSON object: the whole index's size (its entries and configuration as the engine wrote them), the light
index's files and bytes, and per query the bytes, the files and the first result.
"""

from __future__ import annotations

import functools
import http.server
import json
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

from generator.site.search_light import read_index

QUERIES = ["平安校园", "文明校园", "区一实小", "示例小学00042", "例小学00042", "小学", "育才", "slxx00042", "党建品牌",
           "星闪闪", "示例九年一贯制学校00110", "九年一贯"]
SEARCH_FILES = ("/search/", "/assets/javascripts/workers/", "/assets/javascripts/lunr/")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def measure(site: Path, queries: list[str]) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    found: dict[str, object] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for query in queries:
            context = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
            requested: list[str] = []
            context.on("request", lambda request, requested=requested: requested.append(urlsplit(request.url).path))
            page = context.new_page()
            page.goto(url)
            page.wait_for_function(
                "() => !document.querySelector('.md-search-result__meta').textContent.includes('初始化')")
            page.click("label.md-header__button[for='__search']")
            page.fill("input.md-search__input", query)
            page.wait_for_function("() => /结果/.test(document.querySelector('.md-search-result__meta').textContent)",
                                   timeout=60_000)
            first = page.eval_on_selector_all(".md-search-result__item > a", "links => links.map(a => a.href)")[:1]
            files = {path: (site / path.lstrip("/")).stat().st_size
                     for path in requested if path.startswith(SEARCH_FILES)}
            found[query] = {"bytes": sum(files.values()), "files": len(files),
                            "index_files_bytes": sum(s for p, s in files.items() if p.startswith("/search/")),
                            "meta": page.inner_text(".md-search-result__meta"),
                            "first": urlsplit(first[0]).path if first else None}
            context.close()
        browser.close()
    server.shutdown()
    return found


def main() -> None:
    site = Path(sys.argv[1])
    queries = sys.argv[2:] or QUERIES
    whole = len(json.dumps(read_index(site), ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    light = [p for p in (site / "search").rglob("*") if p.is_file()]
    print(json.dumps({"whole_index_bytes": whole, "light_files": len(light),
                      "light_bytes": sum(p.stat().st_size for p in light),
                      "search_index_json_bytes": (site / "search" / "search_index.json").stat().st_size,
                      "queries": measure(site, queries)}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

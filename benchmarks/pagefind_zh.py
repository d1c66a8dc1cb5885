"""Pagefind on Chinese (issue 18, light search): index a built site's search entries with Pagefind's extended
build, then in Chromium count the bytes a first search downloads and what each reference query finds.

usage: PYTHONPATH=DIR_WITH_PAGEFIND python benchmarks/pagefind_zh.py SITE OUT
(SITE: a site built with Material's whole index, search/search_index.json; pagefind: `pip download
"pagefind[extended]"`, installed with `pip install --target DIR`.) Prints one JSON object.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import sys
import threading
import time
from pathlib import Path

QUERIES = ["平安校园", "文明校园", "区一实小", "翠云", "双语", "育人", "学府街", "qysx", "lcsy",
           "示例小学0042", "例小学0042", "学0042", "小学", "育才", "slxx0042",
           "党建品牌", "星闪闪"]
TAG = re.compile(r"<[^>]+>")


def docs_of(site: Path) -> list[dict]:
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]


def index(site: Path, out: Path) -> float:
    """Each page's search entries as one small HTML page (title, tags, text; no hidden names), indexed by the
    extended Pagefind binary's command line (the Python API's service answers one record at a time: too slow for
    28,000 records)."""
    import subprocess

    from pagefind_bin_extended import get_executable  # type: ignore[import-not-found]

    pages: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for doc in docs_of(site):
        path = doc["location"].split("#", 1)[0]
        text = html.unescape(TAG.sub(" ", f"{' '.join(doc.get('tags', []))} {doc['text']}")).replace("\u200b", "")
        titles.setdefault(path, html.unescape(doc["title"]).replace("\u200b", ""))
        pages.setdefault(path, []).append(text)
    for path, texts in pages.items():
        folder = out / path
        folder.mkdir(parents=True, exist_ok=True)
        body = "".join(f"<p>{html.escape(t)}</p>" for t in texts)
        (folder / "index.html").write_text(f'<!doctype html><html lang="zh"><meta charset="utf-8"><title>'
                                           f"{html.escape(titles[path])}</title><body><h1>"
                                           f"{html.escape(titles[path])}</h1>{body}</body></html>", encoding="utf-8")
    start = time.perf_counter()
    subprocess.run([str(get_executable()), "--site", str(out), "--force-language", "zh"], check=True,
                   capture_output=True, timeout=3600)
    return time.perf_counter() - start


PAGE = """<!doctype html><meta charset=utf-8><title>pf</title><script type=module>
window.run = async (q) => { const pf = await import('/pagefind/pagefind.js'); await pf.init();
  const r = await pf.search(q); const top = await Promise.all(r.results.slice(0, 5).map(x => x.data()));
  return {count: r.results.length, top: top.map(d => d.url)} }
</script>"""


def browse(out: Path) -> dict:
    from playwright.sync_api import sync_playwright

    (out / "index.html").write_text(PAGE, encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    found = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        for query in QUERIES:
            page = browser.new_page()
            sizes: list[tuple[str, int]] = []
            page.on("requestfinished", lambda r, sizes=sizes: sizes.append(
                (r.url.rsplit("/", 1)[-1], r.sizes()["responseBodySize"])))
            page.goto(url)
            page.wait_for_function("() => typeof window.run === 'function'")
            answer = page.evaluate("q => window.run(q)", query)
            page.wait_for_timeout(200)
            pf_bytes = sum(size for name, size in sizes if name not in ("", "index.html"))
            found[query] = {**answer, "bytes": pf_bytes,
                            "files": sorted({name.split(".")[-1] for name, _ in sizes if name})}
            page.close()
        browser.close()
    server.shutdown()
    return found


def main() -> None:
    site, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    seconds = index(site, out)
    total = sum(f.stat().st_size for f in (out / "pagefind").rglob("*") if f.is_file())
    print(json.dumps({"index_s": round(seconds, 1), "index_bytes": total, "queries": browse(out)},
                     ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

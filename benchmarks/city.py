"""City and province benchmark: a full build of a demo province, one edit in one district rebuilt with the page
cache, and a single region of the same size for reference.

Usage (from the repository root):

    python benchmarks/city.py                                   # 150 districts in 10 cities, 20,000 branches
    python benchmarks/city.py --regions 15 --branches 400       # a city
    python benchmarks/city.py --no-reference                    # skip the single region of the same size

Each figure is one run (wall seconds, peak RSS of the build process); nothing is asserted. Work folders live in
benchmarks/work/ (gitignored). Copy the printed table into benchmarks/results.md by hand.

Two edits are measured, each alone: a school renamed with a mark that teaches search no new word (（改）), and one
renamed with a new word (（实验）), which makes every search entry again (they are cut with the site's words).
`fivestar build` leaves deleting the old site to a process of its own; "deleted after" is how long that process
went on once the build had returned (its CPU is not in the build's figures).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import sys
import time
from pathlib import Path

from build import ROOT, WORK, Run, prepare_data, run_timed  # benchmarks/build.py: the same runner and demo data

from generator.engine.folders import wait_for_discarded


def prepare_city(regions: int, cities: int, branches: int) -> Path:
    """The demo city or province (`fivestar demo --regions … --cities …`), made again only when demo.py changed."""
    from generator.staff.demo import make_city, write_city

    source = (ROOT / "generator" / "staff" / "demo.py").read_bytes()
    stamp_text = f"{regions} {cities} {branches} {hashlib.sha256(source).hexdigest()[:16]}"
    out = WORK / f"city-{regions}-{cities}-{branches}" / "data"
    stamp = out.parent / ".bench-stamp"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == stamp_text:
        return out
    if out.parent.exists():
        shutil.rmtree(out.parent)
    write_city(make_city(regions, branches, cities=cities), out)
    stamp.write_text(stamp_text, encoding="utf-8")
    return out


def build(data: Path, site: Path, *, full: bool) -> Run:
    command = [sys.executable, "-m", "generator", "build", "--data", str(data), "--site-dir", str(site)]
    return run_timed([*command, "--full"] if full else command)


def reused(run: Run) -> int:
    match = re.search(r"其中 (\d+) 个页面", run.output)
    return int(match.group(1)) if match else 0


def pages(run: Run) -> int:
    match = re.search(r"（(\d+) 个页面", run.output)
    return int(match.group(1)) if match else 0


def edit_one_branch(data: Path, mark: str = "（改）") -> tuple[Path, str]:
    """Rename one school of the first district found (deepest folder first): the edit a member of staff makes."""
    branch = sorted(data.rglob("branches/*.yaml"), key=lambda p: (-len(p.parts), str(p)))[0]
    text = branch.read_text(encoding="utf-8")
    branch.write_text(re.sub(r"^name: (.*)$", rf"name: \1{mark}", text, count=1, flags=re.MULTILINE),
                      encoding="utf-8")
    return branch, text


def deleted_after(site: Path) -> float:
    """Seconds until the old site's deleting process is done, from the moment the build returned."""
    start = time.perf_counter()
    wait_for_discarded(site, timeout=3600)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=150)
    parser.add_argument("--cities", type=int, default=10)
    parser.add_argument("--branches", type=int, default=20000)
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    data = prepare_city(args.regions, args.cities, args.branches)
    site = data.parent / "site"
    rows = []
    full = build(data, site, full=True)
    rows.append(("full build (`--full`)", full, pages(full), 0, deleted_after(site)))
    for mark in ("（改）", "（实验）"):
        path, before = edit_one_branch(data, mark)
        try:
            edited = build(data, site, full=False)
            rows.append((f"one school renamed {mark} ({path.relative_to(data)}), caches", edited, pages(edited),
                         reused(edited), deleted_after(site)))
        finally:
            path.write_text(before, encoding="utf-8")
        build(data, site, full=False)  # back to the data as it was, so that the next edit starts from the same caches
        deleted_after(site)
    if not args.no_reference:
        single = prepare_data(args.branches)
        reference = build(single, WORK / f"site-{args.branches}", full=True)
        rows.append((f"single region of {args.branches} branches, full", reference, pages(reference), 0,
                     deleted_after(WORK / f"site-{args.branches}")))
    print("| build | exit | wall s | CPU s | peak RSS MiB | pages | reused | deleted after s |")
    print("|---|---|---|---|---|---|---|---|")
    for label, run, count, kept, later in rows:
        print(f"| {label} | {run.returncode} | {run.seconds:.1f} | {run.cpu_seconds:.1f} | {run.max_rss_mb:.0f} | "
              f"{count} | {kept} | {later:.1f} |")
    for label, run, *_rest in rows[1:3]:
        if run.cpu_seconds and full.cpu_seconds:
            print(f"\n{label}: {run.cpu_seconds / full.cpu_seconds:.0%} of a full build's CPU, "
                  f"{run.seconds / full.seconds:.0%} of its wall time")


if __name__ == "__main__":
    main()

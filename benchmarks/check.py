"""Load-and-check benchmark: median time of `load_dataset` (read, parse, validate, cross-check) per data folder.

Usage (from the repository root):

    python benchmarks/check.py                  # bundled data, the broken-input corpus, demo regions of 1,000 and 5,000
    python benchmarks/check.py --repeat 21 --sizes 1000

Prints medians over `--repeat` runs in this process (imports excluded): the whole load and check, then
each phase alone (read+parse, model validation, cross-record rules, privacy scan); and the median of a
whole `python -m generator check` process (imports included: what a staff member waits for).
Nothing is asserted: the machine is shared. Demo regions are written to benchmarks/work/check-data-N/
(gitignored) by generator.staff.demo.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.records.kinds import all_kinds  # noqa: E402
from generator.records.load import load_dataset, validate_record  # noqa: E402
from generator.records.model import Site  # noqa: E402
from generator.records.yamlfile import read_yaml  # noqa: E402

WORK = ROOT / "benchmarks" / "work"
CORPUS = ROOT / "tests" / "broken"


def median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def record_paths(data: Path) -> list[tuple[type, Path]]:
    paths: list[tuple[type, Path]] = [(Site, data / "site.yaml")]
    for kind in all_kinds():
        paths += [(kind.model, p) for p in sorted((data / kind.folder).rglob("*.yaml"))]
    return paths


def phases(data: Path, repeat: int) -> dict[str, float]:
    """Everything, then each phase alone: read+parse, model validation, cross-record rules, privacy scan."""
    from generator.checks.privacy import scan_dataset
    from generator.checks.validate import RULES, Context

    paths = record_paths(data)
    parsed = [(model, path, read_yaml(path, path.name)[0]) for model, path in paths]
    dataset = load_dataset(data).dataset

    def parse() -> None:
        for _model, path in paths:
            read_yaml(path, path.name)

    def models() -> None:
        for model, path, source in parsed:
            validate_record(model, source, None if model is Site else path.stem)

    def rules() -> None:
        for rule in RULES:
            list(rule(dataset, Context()))

    found = {"total": median_ms(lambda: load_dataset(data), repeat), "parse": median_ms(parse, repeat),
             "models": median_ms(models, repeat)}
    found["rules"] = median_ms(rules, repeat) if dataset is not None else float("nan")
    found["privacy"] = median_ms(lambda: scan_dataset(dataset), repeat) if dataset is not None else float("nan")
    return found


def process_ms(data: Path, repeat: int) -> float:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "generator", "check", "--data", str(data)]
    return median_ms(lambda: subprocess.run(command, capture_output=True, cwd=ROOT, env=env, check=False),
                     max(3, repeat // 3))


def demo_folder(n: int) -> Path:
    from generator.staff.demo import write_demo

    folder = WORK / f"check-data-{n}"
    stamp = folder / ".demo-source-mtime"
    source_mtime = str((ROOT / "generator" / "staff" / "demo.py").stat().st_mtime_ns)
    if not (stamp.is_file() and stamp.read_text() == source_mtime):
        write_demo(folder, n)
        stamp.write_text(source_mtime)
    return folder


def corpus(repeat: int) -> tuple[int, float, float]:
    """Every committed broken case: count, median and worst median time to load and report."""
    cases = sorted(p / "data" for p in CORPUS.iterdir() if (p / "data" / "site.yaml").is_file())
    medians = [median_ms(lambda case=case: load_dataset(case), max(3, repeat // 3)) for case in cases]
    return len(cases), statistics.median(medians), max(medians)


def huge_file(repeat: int) -> float:
    """The 10 MB record file: refused by size before it is read."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.yaml"
        path.write_bytes(b"name: x\nintro: |\n" + b"  " + b"x" * 10 * 1024 * 1024 + b"\n")
        return median_ms(lambda: read_yaml(path, "x.yaml"), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs per measurement (default 15)")
    parser.add_argument("--sizes", default="1000,5000", help="demo region sizes, comma-separated ('' for none)")
    args = parser.parse_args()

    folders = [("bundled 洛龙区 (21 branch files)", ROOT / "data")]
    folders += [(f"demo N={n}", demo_folder(int(n))) for n in args.sizes.split(",") if n.strip()]
    print(f"median of {args.repeat} runs, milliseconds; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"{'data':<34}{'files':>7}{'load+check':>12}{'parse':>9}{'models':>9}{'rules':>9}{'privacy':>9}"
          f"{'process':>10}")
    for label, data in folders:
        found = phases(data, args.repeat)
        files = len(record_paths(data))
        print(f"{label:<34}{files:>7}{found['total']:>12.1f}{found['parse']:>9.1f}{found['models']:>9.1f}"
              f"{found['rules']:>9.1f}{found['privacy']:>9.1f}{process_ms(data, args.repeat):>10.0f}")
    count, typical, worst = corpus(args.repeat)
    print(f"broken-input corpus: {count} cases, median {typical:.1f} ms, slowest {worst:.1f} ms")
    print(f"10 MB record file refused in {huge_file(args.repeat):.2f} ms")


if __name__ == "__main__":
    main()

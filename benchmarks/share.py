"""Share and print costs (generator/site/share.py): a QR code per page address, the share pictures, their sizes.

Usage (from the repository root):

    python benchmarks/share.py              # 1,000 addresses of the shape a 1,000-branch site has

Prints medians of five rounds, in milliseconds per address or picture; nothing is asserted, nothing is written.
The whole-build figures (main against this branch, interleaved) are in benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]

import segno  # noqa: E402

from generator.records.load import load_dataset  # noqa: E402
from generator.site import share  # noqa: E402


def per_item(work, items, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for item in items:
            work(item)
        times.append((time.perf_counter() - start) / len(items) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=1000)
    args = parser.parse_args()
    addresses = [f"https://jyj.example.gov.cn/zt/wuxing/branches/shili-xiaoxue-{i:04d}/"
                 for i in range(args.addresses)]
    sample = addresses[: max(50, args.addresses // 10)]
    print(f"segno {segno.__version__}, {len(addresses)} addresses like {addresses[0]}")
    print(f"  segno.make_qr, automatic mask:        {per_item(lambda a: segno.make_qr(a), sample, 3):.2f} ms")
    print(f"  segno.make_qr, fixed mask (share.py): {per_item(share.qr_matrix, sample):.2f} ms")
    matrix = share.qr_matrix(addresses[0])
    print(f"  one-<path> SVG from the matrix:       {per_item(lambda _a: share.qr_path(matrix), sample):.3f} ms")
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        share.write_qr_codes(addresses, Path(folder) / "site", Path(folder) / "cache")
        cold = (time.perf_counter() - start) / len(addresses) * 1000
        start = time.perf_counter()
        share.write_qr_codes(addresses, Path(folder) / "site2", Path(folder) / "cache")
        warm = (time.perf_counter() - start) / len(addresses) * 1000
        sizes = [p.stat().st_size for p in (Path(folder) / "site" / share.QR_FOLDER).iterdir()]
    print(f"  write_qr_codes, cold cache:           {cold:.2f} ms (files of {statistics.median(sizes):.0f} bytes)")
    print(f"  write_qr_codes, warm cache (copy):    {warm:.3f} ms")
    dataset = load_dataset(ROOT / "data").dataset
    assert dataset is not None
    start = time.perf_counter()
    pictures = share.plan_pictures(dataset.site)
    planned = (time.perf_counter() - start) * 1000
    drawn = {kind: share.draw_picture(picture) for kind, picture in pictures.items()}
    draw = per_item(share.draw_picture, list(pictures.values()), 3)
    print(f"share pictures: plan {planned:.0f} ms (font found: {pictures['home'].font is not None}), "
          f"draw {draw:.0f} ms each, {len(pictures)} kinds, "
          f"{min(map(len, drawn.values()))}–{max(map(len, drawn.values()))} bytes")


if __name__ == "__main__":
    main()

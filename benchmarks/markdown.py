"""Markdown worst case: the largest accepted text of each known costly shape, and the time Python-Markdown takes.

Usage (from the repository root):

    python benchmarks/markdown.py              # every shape, as a record field and as a content/ page
    python benchmarks/markdown.py --repeat 5

For each shape (a unit repeated: unclosed `[`, `[a](`, `![`, emphasis runs, `<` runs, backticks, deep quotes and
lists, wide tables, headings in one block…) the largest repetition that `generator.checks.markup` accepts is found, then
rendered with mkdocs.yml's extensions; the best of `--repeat` runs is printed in milliseconds. Nothing is asserted:
the machine is shared. The target is about 50 ms for any accepted field or page.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# this file is called markdown.py: its own folder must not hide the markdown package
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent)]

import markdown  # noqa: E402

from generator.checks.markup import MAX_FIELD_CHARS, MAX_PAGE_CHARS, markdown_flaws  # noqa: E402
from generator.sanitize import markdown_block  # noqa: E402

EXTENSIONS = ["attr_list", "md_in_html", "admonition", "tables", "toc"]
UNITS = ["[", "![", "[[", "[a](", "[a](b ", "[a][", "[^", "[a](<", "[a](((", '[a](" )', "*", "_", "**a", "a*", "*a_",
         "<", "<a ", "`", "``a", "&", "&#", "\\", "|a", "|a|\n", "> ", "- ", "- a\n", "1. a\n", "    - a\n", "# a\n",
         "a\n=\n", "a\n-\n", "a\n***\n", "!!! note\n", "[r]: /x\n", "<div>", '<div markdown="1">\n', "{: ", "> a\n\n",
         "示例"]


def render_ms(text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        converter = markdown.Markdown(extensions=EXTENSIONS)
        started = time.perf_counter()
        converter.convert(text)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def largest_accepted(unit: str, page: bool) -> str:
    """The longest repetition of `unit` that check accepts (binary search on the count)."""
    low, high = 0, (MAX_PAGE_CHARS if page else MAX_FIELD_CHARS) // len(unit)
    while low < high:
        middle = (low + high + 1) // 2
        if markdown_flaws(unit * middle, page=page):
            high = middle - 1
        else:
            low = middle
    return unit * low


def prose(length: int) -> str:
    rng = random.Random(1)
    words = "示例区教育体育局党组印发关于加强中小学校党建品牌建设的实施方案，把党建品牌建设与五星支部创建结合起来。"
    paragraphs = ["".join(rng.choice(words) for _ in range(480)) + "[通知](https://jyj.example.gov.cn/a.html)。"
                  for _ in range(length // 520)]
    return "\n\n".join(paragraphs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'shape':24} {'field chars':>11} {'field ms':>9} {'page chars':>10} {'page ms':>8}")
    worst = (0.0, "")
    for unit in UNITS:
        field = largest_accepted(unit, page=False)
        page = largest_accepted(unit, page=True)
        field_ms = render_ms(markdown_block(field), args.repeat)
        page_ms = render_ms(page, args.repeat)
        worst = max(worst, (field_ms, f"field {unit!r}"), (page_ms, f"page {unit!r}"))
        print(f"{unit!r:24} {len(field):11} {field_ms:9.1f} {len(page):10} {page_ms:8.1f}", flush=True)
    text = prose(20_000)
    print(f"{'prose with links':24} {len(text):11} {render_ms(markdown_block(text), args.repeat):9.1f}")
    print(f"worst accepted: {worst[0]:.1f} ms ({worst[1]})")


if __name__ == "__main__":
    main()

"""Staleness: a 数据截至 date or a column's newest item so old that an inspection counts the site as not updated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.checks.content import read_page_meta
from generator.checks.context import Context
from generator.dataset import Dataset
from generator.quotes import quoted
from generator.records.model import PartialDate
from generator.records.problems import Problem, Severity
from generator.records.yamlfile import Loc, YamlFile

NEWS_FOLDER = "news"
"""Where the hand-written news posts are, under content/ (site.pages.NEWS_DIR): they are the events column too."""
CONTENT_FOLDER = "content"
"""The hand-written pages beside data/, as `fivestar check` finds them."""


@dataclass(frozen=True)
class Newest:
    """A column's newest item: when it is dated, and where that date is written."""

    date: PartialDate
    file: str
    loc: Loc = ()
    line: int = 0


def _days_old(date: PartialDate, today: dt.date) -> int:
    """How many days have passed since the item, counted from the last day it may be (2024-03 → 2024-03-31)."""
    return (today - date.last_day).days


def check_as_of_age(dataset: Dataset, context: Context) -> Iterator[Problem]:
    """A warning when `as_of` is more than `stale_after_days` before today: the data has not been looked at since."""
    limit = dataset.site.stale_after_days
    if context.today is None or not limit:
        return
    as_of = dataset.site.as_of
    age = (context.today - as_of).days
    if age <= limit:
        return
    source = dataset.source("site") or YamlFile("site.yaml")
    yield source.problem(
        ("as_of",),
        f"数据截至日期 {as_of.isoformat()} 已是 {age} 天前（超过 {limit} 天）：网站检查时会被认为长期不更新。",
        f"核对数据、补上新的名单和活动后，把 as_of 改成核对的日期，如 as_of: {context.today.isoformat()}；"
        "提醒的天数可以在 site.yaml 里用 stale_after_days 改（写 0 不提醒）。",
        warning=True)


def _dated_honours(dataset: Dataset, *, personal_only: bool) -> Iterator[Newest]:
    """Honour lists by their date, or their year when that is all they give (the honours column shows every list,
    the teachers' column the lists of individuals)."""
    for honour in dataset.honours:
        if personal_only and not honour.is_individual:
            continue
        if honour.date is not None:
            yield Newest(PartialDate.of(honour.date), f"honours:{honour.id}", ("date",))
        elif honour.year is not None:
            yield Newest(PartialDate(honour.year), f"honours:{honour.id}", ("year",))


def news_posts(content_dir: Path) -> Iterator[Newest]:
    """The dated news posts under content/news/ (a post without a date is not listed on the site)."""
    folder = content_dir / NEWS_FOLDER
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.md")):
        date = read_page_meta(path).get("date")
        if isinstance(date, dt.datetime):
            date = date.date()
        if isinstance(date, dt.date):
            line = _front_matter_line(path, "date")
            yield Newest(PartialDate.of(date), f"{content_dir.name}/{NEWS_FOLDER}/{path.name}", line=line)


def _front_matter_line(path: Path, key: str) -> int:
    try:
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError:
        return 0
    return next((n for n, line in enumerate(lines[:50], start=1) if line.startswith(f"{key}:")), 0)


def data_folder(dataset: Dataset) -> str:
    """The data folder as messages name it: `data`, or a city's member region's own (`data/regions/qu-01`,
    `../shili-yiqu/data`), where that region's staff add what a hint asks for."""
    site = dataset.source("site")
    return site.name.rpartition("/")[0] if site is not None and "/" in site.name else "data"


def _columns(dataset: Dataset, folder: str) -> Iterator[tuple[str, list[Newest], str]]:
    """Each column that shows dated items: its key, its items, and what adds one (for the hint)."""
    events = [Newest(PartialDate.of(e.date), f"events:{e.id}", ("date",)) for e in dataset.events]
    events += news_posts(dataset.data_dir.parent / CONTENT_FOLDER)
    yield "events", events, f"在 {folder}/events/ 里加上新的活动（或在 content/news/ 里写一篇动态）"
    yield "honours", list(_dated_honours(dataset, personal_only=False)), f"在 {folder}/honours/ 里加上新公布的名单"
    yield ("teachers", list(_dated_honours(dataset, personal_only=True)),
           f"在 {folder}/honours/ 里加上新公布的教师个人荣誉名单")


def check_columns(dataset: Dataset, context: Context) -> Iterator[Problem]:
    """A warning for each column whose newest item is older than its threshold (site.yaml `column_stale_days`),
    named by its title and the date of that item. A column with no dated item is not shown or cannot be judged."""
    if context.today is None:
        return
    folder = data_folder(dataset)
    for column, items, what in _columns(dataset, folder):
        limit = dataset.site.stale_days(column)
        if not items or not limit:
            continue
        newest = max(items, key=lambda item: (item.date.last_day, item.file))
        age = _days_old(newest.date, context.today)
        if age <= limit:
            continue
        title = dataset.site.section_title(column)
        message = (f"{quoted(title)}栏目最近一次更新是 {newest.date.chinese()}，已超过 {limit} 天没有新内容："
                   "网站检查时会被认为栏目不更新。")
        hint = (f"{what}；这个栏目本来就不常更新的，可以在 {folder}/site.yaml 的 column_stale_days 里把 {column} "
                f"的天数改大（写 0 不提醒）。")
        source = dataset.source(newest.file)
        if source is not None:
            yield source.problem(newest.loc, message, hint, warning=True)
        else:
            yield Problem(newest.file, newest.line, 0, message, hint, Severity.WARNING)

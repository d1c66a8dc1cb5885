"""Staleness warnings: an old 数据截至 date, and each column whose newest item is older than its threshold."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.checks.staleness import NEWS_FOLDER
from generator.cli import main
from generator.records.load import LoadResult, load_dataset
from generator.records.model import COLUMN_STALE_DAYS, STALE_AFTER_DAYS
from generator.site.pages import NEWS_DIR

VALID = Path(__file__).resolve().parent / "broken" / "_valid" / "data"
SITE = (VALID / "site.yaml").read_text(encoding="utf-8")
AS_OF = dt.date(2024, 6, 30)
PERSONAL = ("title: 示例区最美教师\nlevel: 区级\nyear: {year}\nrecipients:\n"
            "  - {{person: 示例教师甲, branch: shili-xiaoxue-001, role: 教师}}\n")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "project" / "data"
    shutil.copytree(VALID, target)
    return target


def write(data: Path, relative: str, text: str) -> None:
    path = data / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def site(data: Path, extra: str) -> None:
    write(data, "site.yaml", SITE + extra)


def event(data: Path, date: str, name: str = "guanmo") -> None:
    write(data, f"events/{date[:10]}-{name}.yaml", f"date: {date}\ntitle: 示例观摩活动\n")


def news(data: Path, date: str, name: str = "dongtai") -> Path:
    path = data.parent / "content" / NEWS_FOLDER / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: 示例动态\ndate: {date}\n---\n\n# 示例动态\n\n正文。\n", encoding="utf-8")
    return path


def stale(result: LoadResult) -> list[tuple[str, int, str]]:
    """The staleness warnings: (file, line, message)."""
    return [(p.file, p.line, p.message) for p in result.warnings if "天前" in p.message or "栏目最近" in p.message]


def test_the_news_folder_is_the_one_the_pages_list() -> None:
    assert NEWS_FOLDER == NEWS_DIR


# -- 数据截至 ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("today", "warned"), [(AS_OF + dt.timedelta(days=STALE_AFTER_DAYS), False),
                                               (AS_OF + dt.timedelta(days=STALE_AFTER_DAYS + 1), True)])
def test_as_of_older_than_the_limit_is_a_warning_at_its_line(data: Path, today: dt.date, warned: bool) -> None:
    result = load_dataset(data, today=today)
    assert result.ok
    found = [p for p in result.warnings if "数据截至日期" in p.message]
    assert bool(found) == warned, found
    if warned:
        (problem,) = found
        assert (problem.file, problem.line) == ("data/site.yaml", 5)
        assert problem.message == ("数据截至日期 2024-06-30 已是 181 天前（超过 180 天）："
                                   "网站检查时会被认为长期不更新。")
        assert f"as_of: {today.isoformat()}" in problem.hint and "stale_after_days" in problem.hint


@pytest.mark.parametrize(("setting", "days_old", "warned"), [("stale_after_days: 30", 31, True),
                                                              ("stale_after_days: 30", 30, False),
                                                              ("stale_after_days: 0", 5000, False)])
def test_the_as_of_limit_is_set_in_site_yaml_and_0_turns_it_off(data: Path, setting: str, days_old: int,
                                                                warned: bool) -> None:
    site(data, setting + "\n")
    result = load_dataset(data, today=AS_OF + dt.timedelta(days=days_old))
    assert bool([p for p in result.warnings if "数据截至日期" in p.message]) == warned


def test_without_today_nothing_is_judged(data: Path) -> None:
    from generator.checks.validate import validate_dataset

    event(data, "2000-01-01")
    result = load_dataset(data, today=AS_OF)
    assert [p for p in validate_dataset(result.dataset) if "天" in p.message] == []


# -- columns ------------------------------------------------------------------------------------------------------

def test_an_old_events_column_is_named_by_its_title_with_its_newest_date(data: Path) -> None:
    site(data, "sections:\n  events: 创建动态\n")
    event(data, "2024-01-10", "yi")
    event(data, "2024-03-01", "er")
    result = load_dataset(data, today=dt.date(2024, 6, 1))
    assert stale(result) == [("data/events/2024-03-01-er.yaml", 1, "“创建动态”栏目最近一次更新是 2024年3月1日，"
                              "已超过 90 天没有新内容：网站检查时会被认为栏目不更新。")]
    (problem,) = [p for p in result.warnings if "栏目" in p.message]
    assert "column_stale_days" in problem.hint and "data/events/" in problem.hint


def test_the_events_column_takes_its_default_title(data: Path) -> None:
    event(data, "2024-01-10")
    (message,) = [m for _f, _l, m in stale(load_dataset(data, today=AS_OF))]
    assert message.startswith("“活动动态”栏目最近一次更新是 2024年1月10日")


def test_a_region_without_events_or_news_has_no_events_warning(data: Path) -> None:
    site(data, "column_stale_days:\n  honours: 0\n")
    assert stale(load_dataset(data, today=dt.date(2030, 1, 1))) == [
        ("data/site.yaml", 5, "数据截至日期 2024-06-30 已是 2011 天前（超过 180 天）：网站检查时会被认为长期不更新。")]


def test_a_newer_news_post_keeps_the_events_column_fresh(data: Path) -> None:
    event(data, "2024-01-10")
    news(data, "2024-06-20")
    assert stale(load_dataset(data, today=AS_OF)) == []


def test_a_column_of_news_posts_alone_is_judged_at_the_post(data: Path) -> None:
    news(data, "2024-01-02", "xinwen")
    assert stale(load_dataset(data, today=AS_OF)) == [
        ("content/news/xinwen.md", 3, "“活动动态”栏目最近一次更新是 2024年1月2日，已超过 90 天没有新内容："
                                      "网站检查时会被认为栏目不更新。")]


def test_a_month_date_counts_from_the_last_day_of_its_month(data: Path) -> None:
    event(data, "2024-03")
    last = dt.date(2024, 3, 31)
    assert stale(load_dataset(data, today=last + dt.timedelta(days=90))) == []
    (found,) = stale(load_dataset(data, today=last + dt.timedelta(days=91)))
    assert "最近一次更新是 2024年3月，" in found[2]


def test_honour_lists_by_date_or_year_and_teachers_by_personal_lists(data: Path) -> None:
    site(data, "sections:\n  teachers: 师德风采\n")
    write(data, "honours/2022/zuimei-jiaoshi-2022.yaml", PERSONAL.format(year=2022))
    write(data, "honours/2023/pingan-xiaoyuan-quji-2023.yaml",
          "title: 平安校园\nlevel: 区级\nyear: 2023\ndate: 2023-05\nrecipients:\n  - shili-xiaoxue-001\n")
    found = stale(load_dataset(data, today=dt.date(2026, 1, 1)))  # 2024 (a year) is counted from 2024-12-31
    assert [(f, line, m.split("，")[0]) for f, line, m in found if "栏目" in m] == [
        ("data/honours/2022/zuimei-jiaoshi-2022.yaml", 3, "“师德风采”栏目最近一次更新是 2022年"),
        ("data/honours/2024/pingan-xiaoyuan-shiji-2024.yaml", 3, "“荣誉榜”栏目最近一次更新是 2024年"),
    ]


def test_each_column_has_its_own_threshold(data: Path) -> None:
    site(data, "column_stale_days:\n  events: 10\n  honours: 0\n")
    event(data, "2024-06-15")
    assert [m for _f, _l, m in stale(load_dataset(data, today=dt.date(2024, 6, 25)))] == []
    assert [m[:6] for _f, _l, m in stale(load_dataset(data, today=dt.date(2024, 6, 26)))] == ["“活动动态”"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ages=st.lists(st.integers(0, 400), min_size=1, max_size=4), limit=st.integers(1, 200),
       news_age=st.one_of(st.none(), st.integers(0, 400)))
def test_the_events_column_is_stale_exactly_when_its_newest_item_is_older_than_the_limit(
        tmp_path: Path, ages: list[int], limit: int, news_age: int | None) -> None:
    """The class: whatever the events and posts, one warning iff the newest of them all is older than the limit."""
    data = Path(tempfile.mkdtemp(dir=tmp_path)) / "project" / "data"
    shutil.copytree(VALID, data)
    today = dt.date(2024, 6, 1)
    site(data, f"column_stale_days:\n  events: {limit}\n  honours: 0\nstale_after_days: 0\n")
    for i, age in enumerate(ages):
        event(data, (today - dt.timedelta(days=age)).isoformat(), f"e{i}")
    if news_age is not None:
        news(data, (today - dt.timedelta(days=news_age)).isoformat())
    newest = min([*ages, *([news_age] if news_age is not None else [])])
    found = stale(load_dataset(data, today=today))
    assert len(found) == (1 if newest > limit else 0), (ages, news_age, limit, found)
    if found:
        assert f"已超过 {limit} 天" in found[0][2]


# -- what staff see ------------------------------------------------------------------------------------------------

def test_check_prints_the_warnings_and_passes(data: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("generator.records.load.china_today", lambda: dt.date(2025, 6, 1))
    event(data, "2024-06-01")
    assert main(["check", "--data", str(data)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("检查通过：") and "提醒" in out
    assert "data/site.yaml:5:8: 提醒：数据截至日期 2024-06-30 已是 336 天前" in err
    assert "data/events/2024-06-01-guanmo.yaml:1:7: 提醒：“活动动态”栏目最近一次更新是 2024年6月1日" in err


def test_the_defaults_are_as_documented() -> None:
    assert STALE_AFTER_DAYS == 180
    assert COLUMN_STALE_DAYS == {"events": 90, "honours": 365, "teachers": 365}
    guide = (Path(__file__).resolve().parent.parent / "EDITING.md").read_text(encoding="utf-8")
    assert "180 天" in guide and "默认 90 天" in guide and "默认都是 365 天" in guide


def test_a_member_regions_column_hints_name_its_own_folder(tmp_path: Path) -> None:
    """A city's district is checked alone: the hints of its columns name the district's folders, where its staff
    add a list or an event, not the city's `data/honours/` (any depth: a province's city's district too)."""
    from generator.staff.demo import make_city, write_city

    out = tmp_path / "data"
    write_city(make_city(4, 24, cities=2), out)
    result = load_dataset(out, today=dt.date(2040, 1, 1))
    hints = [(p.file, p.hint) for p in result.warnings if "栏目最近" in p.message]
    inner = [(file, hint) for file, hint in hints if file.count("regions/") == 2]
    assert inner, hints
    for file, hint in hints:
        folder = file.split("/events/")[0].split("/honours/")[0]
        assert f"在 {folder}/events/" in hint or f"在 {folder}/honours/" in hint, (file, hint)
        assert f"{folder}/site.yaml 的 column_stale_days" in hint, (file, hint)
        named = {part.split("/events/")[0].split("/honours/")[0] for part in hint.split() if part.startswith("data")}
        assert named <= {folder, f"{folder}/site.yaml"}, (file, hint)

"""Rules across records: references, cycles, totals, duplicates, stars and images."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping

from generator.checks.context import ANY_RECORD as ANY_RECORD
from generator.checks.context import Context
from generator.checks.markup import check_markdown_fields
from generator.checks.pending import check_pending, check_review_marks
from generator.checks.privacy import scan_dataset
from generator.checks.staleness import check_as_of_age, check_columns
from generator.checks.wording import check_wording
from generator.dataset import Dataset, all_members
from generator.quotes import quoted, unquoted
from generator.records.model import HonourList, Recipient
from generator.records.problems import Problem, shorten
from generator.records.yamlfile import Loc, YamlFile
from generator.site.images import image_problem, image_refs

AS_OF_MARGIN = dt.timedelta(days=7)
"""How far `site.as_of` may run ahead of today: a list prepared a few days before its date, not a future one."""


Rule = Callable[[Dataset, Context], Iterator[Problem]]


def _at(dataset: Dataset, key: str, loc: Loc, message: str, hint: str = "", *,
        warning: bool = False, on_key: bool = False) -> Problem:
    source = dataset.source(key) or YamlFile(key)
    return source.problem(loc, message, hint, warning=warning, key=on_key)


def _missing_branch(dataset: Dataset, key: str, loc: Loc, branch_id: str) -> Problem:
    if "/" in branch_id:
        return _missing_member_branch(dataset, key, loc, branch_id)
    close = difflib.get_close_matches(branch_id, list(dataset.branch_by_id), n=1, cutoff=0.75)
    if close:
        hint = f"是不是{quoted(close[0])}（{dataset.branch_name(close[0])}）？检查拼写。"
    else:
        hint = ("检查拼写（编号就是 data/branches/ 里的文件名）；"
                f"新学校请先新建 data/branches/{shorten(branch_id)}.yaml。")
    return _at(dataset, key, loc, f"找不到编号为{quoted(shorten(branch_id))}的支部。", hint)


LOOK_ALIKE = str.maketrans("loiz", "1012")
"""Letters typed for the digits they look like (qu-0l for qu-01): a member id differing only so is the one meant."""


def _missing_member_branch(dataset: Dataset, key: str, loc: Loc, branch_id: str) -> Problem:
    """A branch named as `region/id` (a city's list naming a member's school) that is not there."""
    region, _, local = branch_id.rpartition("/")
    if not dataset.members:
        return _at(dataset, key, loc, f"编号{quoted(shorten(branch_id))}带有地区前缀“{shorten(region)}/”，"
                                      "但本地区的 site.yaml 没有成员地区（members）。",
                   f"本地区的支部直接写编号，如 {shorten(local)}；只有市、省网站的名单才写“地区编号/支部编号”。")
    known = {member.prefix: member for member in all_members(dataset.members)}
    if region not in known:
        alike = region.translate(LOOK_ALIKE)
        close = [prefix for prefix in known if prefix.translate(LOOK_ALIKE) == alike][:1] or \
            difflib.get_close_matches(region, list(known), n=1, cutoff=0.6)
        listed = "、".join(f"{m.prefix}（{m.name}）" for m in dataset.members[:8])
        hint = (f"是不是{quoted(close[0])}（{known[close[0]].name}）？" if close else
                f"成员地区编号写在 site.yaml 的 members 里：{listed}{'等' if len(dataset.members) > 8 else ''}。")
        message = f"找不到编号为{quoted(shorten(region))}的成员地区（{quoted(shorten(branch_id))}）。"
        return _at(dataset, key, loc, message, hint)
    member = known[region]
    inside = [b for b in dataset.branch_by_id if b.rpartition("/")[0] == region]
    close = difflib.get_close_matches(branch_id, inside, n=1, cutoff=0.75)
    hint = (f"是不是{quoted(close[0])}（{dataset.branch_name(close[0])}）？检查拼写。" if close else
            f"编号是{member.name}数据里 branches/ 文件夹中的文件名，写成 {region}/文件名。")
    return _at(dataset, key, loc, f"{member.name}（{region}）的数据里没有编号为{quoted(shorten(local))}的支部。", hint)


def check_references(dataset: Dataset, context: Context) -> Iterator[Problem]:
    """Every branch id named in a list, an event or a `parent` must exist (or be a file with its own errors)."""
    known = dataset.branch_by_id

    def missing(branch_id: str) -> bool:
        return branch_id not in known and not context.broken("branches", branch_id)

    for branch in dataset.branches:
        if branch.parent and missing(branch.parent):
            yield _missing_branch(dataset, f"branches:{branch.id}", ("parent",), branch.parent)
    for honour in dataset.honours:
        for i, recipient in enumerate(honour.recipients):
            if missing(recipient.branch):
                yield _missing_branch(dataset, f"honours:{honour.id}", ("recipients", i), recipient.branch)
    for event in dataset.events:
        key = f"events:{event.id}"
        if event.venue and missing(event.venue):
            yield _missing_branch(dataset, key, ("venue",), event.venue)
        for i, branch_id in enumerate(event.branches):
            if missing(branch_id):
                yield _missing_branch(dataset, key, ("branches", i), branch_id)


def check_parent_cycles(dataset: Dataset, context: Context) -> Iterator[Problem]:
    """A campus's parent chain must end at a main school; each loop is reported once, at its first member."""
    reported: set[frozenset[str]] = set()
    for branch in dataset.branches:
        chain = [branch.id]
        current = branch.parent
        while current and current in dataset.branch_by_id:
            if current in chain:
                loop = chain[chain.index(current):]
                if frozenset(loop) not in reported:
                    reported.add(frozenset(loop))
                    first = min(loop)
                    start = loop.index(first)
                    ordered = [*loop[start:], *loop[:start], first]
                    names = " → ".join(f"{dataset.branch_name(b)}（{b}）" for b in ordered)
                    yield _at(dataset, f"branches:{first}", ("parent",), f"“parent”形成了循环：{names}。",
                              "校区、分校的 parent 写主校编号；主校本身不写 parent。删掉其中一个文件里错误的 parent。")
                break
            chain.append(current)
            current = dataset.branch_by_id[current].parent


def check_lists(dataset: Dataset, context: Context) -> Iterator[Problem]:
    """Totals, mixed lists, repeated recipients, and titles that carry a level."""
    levels = dataset.site.levels
    for honour in dataset.honours:
        key = f"honours:{honour.id}"
        if honour.level not in levels:
            yield _at(dataset, key, ("level",), f"级别{quoted(shorten(honour.level))}不在可选范围内。",
                      _level_hint(honour.level, levels) + "（可在 site.yaml 的 levels 中设置）。")
        people = [r for r in honour.recipients if r.person]
        if people and len(people) != len(honour.recipients):
            yield _at(dataset, key, ("recipients",), "一份名单不能同时有学校和个人。",
                      "个人荣誉每项都写 person 和 branch；学校荣誉只写支部编号。请拆成两个文件。")
        elif people and honour.total is not None:
            yield _at(dataset, key, ("total",), "个人荣誉名单不能写“total”（个人须全部列出）。",
                      "删掉 total 这一行，把所有获奖人都写进 recipients。")
        elif honour.total is not None and honour.total < honour.listed:
            yield _at(dataset, key, ("total",),
                      f"总数 total: {honour.total} 比名单里列出的 {honour.listed} 个还少。",
                      "total 是“等N所”的 N，不能小于列出的个数；名单全部列出时不用写 total。")
        yield from _check_scope(dataset, key, honour)
        seen: dict[tuple[str, str | None, str | None, bool], int] = {}
        for i, recipient in enumerate(honour.recipients):
            yield from _check_brand_recipient(dataset, key, i, recipient)
            ident = (recipient.branch, recipient.person, recipient.grade, recipient.is_brand)
            if ident in seen:
                who = recipient.person or dataset.branch_name(recipient.branch)
                grade = f"（{recipient.grade}）" if recipient.grade else ""
                yield _at(dataset, key, ("recipients", i),
                          f"{quoted(who)}{grade}在名单里出现了两次（第 {seen[ident] + 1} 项和第 {i + 1} 项）。",
                          "删掉重复的一项；同一所学校在不同等次下各出现一次时，分别写上 grade。")
            else:
                seen[ident] = i
        found = _level_prefix(honour.title, levels, honour.level)
        if found is not None:
            level, fixed = found
            yield _at(dataset, key, ("title",), f"荣誉名称{quoted(shorten(honour.title))}开头带了级别{quoted(level)}。",
                      f"级别单独写：改成 title: {fixed} 和 level: {level}。", warning=True)
    for event in dataset.events:
        key = f"events:{event.id}"
        if event.total is not None and event.total < len(event.branches):
            yield _at(dataset, key, ("total",),
                      f"总数 total: {event.total} 比列出的 {len(event.branches)} 个支部还少。",
                      "total 不能小于 branches 里列出的个数。")
        if event.level and event.level not in levels:
            yield _at(dataset, key, ("level",), f"级别{quoted(shorten(event.level))}不在可选范围内。",
                      _level_hint(event.level, levels) + "。")
        for i, branch_id in enumerate(event.branches):
            if branch_id in event.branches[:i]:
                yield _at(dataset, key, ("branches", i), f"{quoted(dataset.branch_name(branch_id))}列了两次。",
                          "删掉重复的一项。")


def _check_scope(dataset: Dataset, key: str, honour: HonourList) -> Iterator[Problem]:
    """A list wider than the region: `scope_total` goes with `scope` and is at least what the region holds."""
    if honour.scope_total is None:
        return
    if not honour.scope:
        yield _at(dataset, key, ("scope_total",), "写了 scope_total，却没有写 scope（名单的范围）。",
                  "加一行 scope，写名单覆盖的范围，如 scope: 全市。")
    listed = honour.listed if honour.is_individual else honour.count
    if honour.scope_total < listed:
        yield _at(dataset, key, ("scope_total",),
                  f"scope_total: {honour.scope_total} 比本地区在这份名单上的 {listed} 个还少。",
                  "scope_total 是整份名单（如全市）的总数，不能小于本地区列出的个数（或 total）；请核对原文件。")


def _check_brand_recipient(dataset: Dataset, key: str, index: int, recipient: Recipient) -> Iterator[Problem]:
    """`{brand: id}`: the branch must have a brand, the item names nobody, and says one branch only."""
    if recipient.brand is None:
        return
    if recipient.brand != recipient.branch:
        yield _at(dataset, key, ("recipients", index, "brand"),
                  f"这一项同时写了 brand: {recipient.brand} 和 branch: {recipient.branch}，指向不同的支部。",
                  "荣誉授予党建品牌时只写 brand（支部编号），删掉 branch。")
    elif recipient.person:
        yield _at(dataset, key, ("recipients", index, "brand"), "授予党建品牌的一项不能同时写个人姓名。",
                  "个人荣誉写 person 和 branch；品牌荣誉只写 brand。")
    else:
        branch = dataset.branch_by_id.get(recipient.brand)
        if branch is not None and branch.brand is None:
            yield _at(dataset, key, ("recipients", index, "brand"),
                      f"{quoted(branch.name)}的记录里没有党建品牌（brand），这一项无法指向品牌。",
                      f"先在 branches/{branch.id}.yaml 里写上 brand，或把这一项改成学校：- {branch.id}。")


LEVEL_WORDS = {"全国": "国家级", "国家": "国家级"}
"""Words that open a title and name a level without being the level's own word."""


def _level_prefix(title: str, levels: list[str], own_level: str) -> tuple[str, str] | None:
    """The level a title starts with (省级平安校园 → 省级, 平安校园), or None."""
    prefixes = [(level, level) for level in levels]
    prefixes += [(word, level) for word, level in LEVEL_WORDS.items() if level in levels]
    if own_level in levels:  # a bare 省/市/区 only when it repeats the list's own level: 市平安校园, level 市级
        prefixes.append((own_level.removesuffix("级"), own_level))
    for prefix, level in sorted(prefixes, key=lambda item: -len(item[0])):
        rest = title.removeprefix(prefix)
        if prefix and rest != title and len(rest) >= 2:
            return level, rest
    return None


def _level_hint(level: str, levels: list[str]) -> str:
    options = "可选：" + "、".join(levels)
    if unquoted(level) in levels:
        return f"去掉两边的引号，写成 {unquoted(level)}。{options}"
    guess = next((choice for choice in levels if choice in {level + "级", LEVEL_WORDS.get(level, "")}), None)
    return f"是不是{quoted(guess)}？{options}" if guess else options


def check_stars(dataset: Dataset, context: Context) -> Iterator[Problem]:
    """Ratings only where site.yaml has a scheme (`stars`), within its number of stars; `earned` must match `count`
    and name stars from site.yaml; periods run oldest first."""
    site = dataset.site
    names, most = site.star_names, site.star_max
    for branch in dataset.branches:
        key = f"branches:{branch.id}"
        if branch.stars and not most:
            yield _at(dataset, key, ("stars",), "site.yaml 里没有写 stars，表示本地区不评星级，这里的星级不会显示。",
                      "本地区评星级：在 site.yaml 里写 stars（星的个数，如 stars: 5，或各颗星的名称）；"
                      "不评星级：删掉这里的 stars。", on_key=True)
            continue
        previous = ""
        for i, rating in enumerate(branch.stars):
            if previous and _period_key(rating.period) <= _period_key(previous):
                yield _at(dataset, key, ("stars", i, "period"),
                          f"评定期 {rating.period} 排在 {previous} 后面，顺序不对或重复。",
                          "stars 按时间从早到晚排列，每个评定期只写一次。")
            previous = rating.period
            if rating.count > most:
                yield _at(dataset, key, ("stars", i, "count"), f"count 是 {rating.count}，但本地区最多 {most} 颗星。",
                          f"改成 0 到 {most} 之间的数；星数变了就改 site.yaml 的 stars。")
                continue  # the count is wrong: earned is checked against the right one, once it is fixed
            if rating.earned is None:
                continue
            if len(rating.earned) != rating.count:
                yield _at(dataset, key, ("stars", i, "earned"),
                          f"count 是 {rating.count}，earned 却列了 {len(rating.earned)} 颗星。",
                          "earned 的个数要等于 count：补上或删掉星名，或改正 count。", on_key=True)
            if not names and rating.earned:
                yield _at(dataset, key, ("stars", i, "earned"), "site.yaml 的 stars 没有写各颗星的名称，"
                          "无法核对 earned。", "在 site.yaml 里按顺序写出各颗星的名称，或删掉这里的 earned。",
                          on_key=True)
                continue
            for j, star in enumerate(rating.earned):
                if star not in names:
                    yield _at(dataset, key, ("stars", i, "earned", j),
                              f"{quoted(shorten(star))}不是 site.yaml 里定义的星。",
                              "可选：" + "、".join(names) + "。")


def check_footer(dataset: Dataset, context: Context) -> Iterator[Problem]:
    """The footer's links (党政机关网站标识 certificate, 纠错 page) are web addresses: https:// or http://."""
    footer = dataset.site.footer
    for name, label in (("conac_url", "党政机关网站标识的证书链接"), ("report_url", "纠错页面的链接")):
        value = getattr(footer, name, None) if footer else None
        if value and not re.match(r"https?://[^\s/]+", value.strip()):
            yield _at(dataset, "site", ("footer", name), f"{label}{quoted(shorten(value))}不是网址。",
                      "写成 https:// 开头的完整网址，从开办单位给的证书或纠错页面复制。")


def check_event_kinds(dataset: Dataset, context: Context) -> Iterator[Problem]:
    """An event's `kind` is one of the region's event types (site.yaml `event_kinds`, or the default list)."""
    kinds = dataset.site.kinds_of_event
    for event in dataset.events:
        if event.kind is not None and event.kind not in kinds:
            close = difflib.get_close_matches(event.kind, list(kinds), n=1, cutoff=0.5)
            guess = f"是不是{quoted(close[0])}？" if close else ""
            yield _at(dataset, f"events:{event.id}", ("kind",), f"{quoted(shorten(event.kind))}不是本地区的活动类型。",
                      f"{guess}可选：{'、'.join(kinds)}；"
                      "本地区有别的类型，就在 site.yaml 的 event_kinds 里列出全部类型。")


def _period_key(period: str) -> tuple[int, int]:
    year = int(period[:4])
    if "Q" in period:
        return year, (int(period[-1]) - 1) * 3 + 1
    if "-" in period:
        return year, int(period[5:7])
    return year, 0


_NO_SPACE = re.compile(r"\s+")


def name_key(name: str) -> str:
    """A name as a reader sees it: compatibility forms folded (⼀ U+2F00 → 一, Ａ → a, ① → 1), case and spaces
    ignored. Two names with the same key look the same on the page, in a list or in a search box."""
    return _NO_SPACE.sub("", unicodedata.normalize("NFKC", name).casefold())


def check_names(dataset: Dataset, context: Context) -> Iterator[Problem]:
    """Two branches must not share a name, even one written with look-alike characters (`name_key`); an alias must
    not be another branch's name or full name."""
    owners: dict[str, list[str]] = defaultdict(list)
    for branch in dataset.branches:
        key = name_key(branch.name)
        if owners[key]:
            yield _at(dataset, f"branches:{branch.id}", ("name",),
                      f"名称{quoted(shorten(branch.name))}与 {owners[key][0]} 重复"
                      "（写法相同或只差全角/半角、空格、部首字等）。",
                      "每个支部的 name 必须不同；同名学校请加上区分，如所在街道。"
                      "看着一样却被判重复时，请重新用输入法输入这个名称。")
        owners[key].append(branch.id)
    for branch in dataset.branches:
        if branch.full_name and branch.id not in owners[name_key(branch.full_name)]:
            owners[name_key(branch.full_name)].append(branch.id)
    for branch in dataset.branches:
        for i, alias in enumerate(branch.aliases):
            others = [b for b in owners.get(name_key(alias), []) if b != branch.id]
            if others:
                yield _at(dataset, f"branches:{branch.id}", ("aliases", i),
                          f"别名{quoted(shorten(alias))}是另一个支部（{others[0]}）的名称。",
                          "删掉这个别名，避免名单匹配和搜索混淆。")


def check_as_of(dataset: Dataset, context: Context) -> Iterator[Problem]:
    """`数据截至` may not lie in the future: a site saying its data runs to a later date is false."""
    if context.today is None:
        return
    as_of = dataset.site.as_of
    if as_of > context.today + AS_OF_MARGIN:
        yield _at(dataset, "site", ("as_of",),
                  f"数据截至日期 {as_of.isoformat()} 晚于今天（{context.today.isoformat()}），网站不能写未来的日期。",
                  "写实际核对数据的日期（不晚于今天），如 "
                  f"as_of: {context.today.isoformat()}；如果年份写错了，请改正。")


def check_images(dataset: Dataset, context: Context) -> Iterator[Problem]:
    """Every image named must exist inside data/ and be a real image, not too large in bytes or pixels.

    Each distinct path is looked at once, however many records name it; every record naming a bad one is told.
    """
    checked: dict[str, tuple[str, str]] = {}
    for ref in image_refs(dataset):
        if ref.relative not in checked:
            checked[ref.relative] = image_problem(*dataset.image_root(ref.relative))
        why, hint = checked[ref.relative]
        if why:
            yield _at(dataset, ref.key, ref.loc, why, hint)


def check_coverage(dataset: Dataset, context: Context) -> Iterator[Problem]:
    """Warnings: a branch with no honours, a brand with no logo, more files than branch_count."""
    honours_complete = not context.unreadable.get("honours")
    for branch in dataset.branches:
        key = f"branches:{branch.id}"
        if honours_complete and not dataset.honours_of(branch.id) \
                and not dataset.personal_awards_by_branch.get(branch.id):
            yield _at(dataset, key, ("name",), f"支部{quoted(branch.name)}还没有任何荣誉记录。",
                      "如有获奖情况，请在 data/honours/ 的名单里加上它；没有可以忽略这条提醒。", warning=True)
        if branch.brand is not None and not branch.brand.logo:
            yield _at(dataset, key, ("brand",),
                      f"党建品牌{quoted(branch.brand.name)}没有标识图片，网站将显示自动生成的占位图。",
                      "把标识图片放到 data/images/logos/，在 brand 下加 logo: images/logos/文件名.png。",
                      warning=True)
    count = dataset.site.branch_count
    if count is not None and len(dataset.branches) > count:
        yield _at(dataset, "site", ("branch_count",),
                  f"branch_count 是 {count}，但 data/branches/ 里有 {len(dataset.branches)} 个支部。",
                  "核对支部总数。", warning=True)
    as_of = dataset.site.as_of
    for event in dataset.events:
        if event.date > as_of:
            yield _at(dataset, f"events:{event.id}", ("date",),
                      f"活动日期 {event.date} 晚于数据截至日期 {as_of}。",
                      "核对日期，或更新 site.yaml 的 as_of。", warning=True)


MADE_UP_ID = re.compile(r"[0-9a-f]{12}")
"""A file name the form editor made up (Sveltia CMS names an entry by 12 hex digits of a UUID when its title has
no letters it can keep, as a Chinese name has none): it works, but readers see it in the page's address."""


def check_made_up_ids(dataset: Dataset, context: Context) -> Iterator[Problem]:
    """Warnings: a record whose file name the form editor made up, with the id its name suggests."""
    from generator.records.ids import suggest_branch_id, suggest_event_id, suggest_honour_id

    taken = set(dataset.branch_by_id) | {honour.id for honour in dataset.honours} | {e.id for e in dataset.events}
    made: list[tuple[str, str, Loc, str]] = []
    made += [(f"branches:{b.id}", b.id, ("name",), suggest_branch_id(b.name, taken))
             for b in dataset.branches if MADE_UP_ID.fullmatch(b.id) and any(c.isdigit() for c in b.id)]
    made += [(f"honours:{h.id}", h.id, ("title",), suggest_honour_id(h.title, h.level, h.year, taken=taken))
             for h in dataset.honours if MADE_UP_ID.fullmatch(h.id) and any(c.isdigit() for c in h.id)]
    made += [(f"events:{e.id}", e.id, ("title",), suggest_event_id(e.date.isoformat(), e.title, taken))
             for e in dataset.events if MADE_UP_ID.fullmatch(e.id) and any(c.isdigit() for c in e.id)]
    for key, record_id, loc, suggested in made:
        yield _at(dataset, key, loc, f"文件名{quoted(record_id)}是表单编辑器自动起的，网址里会显示这串字母和数字。",
                  f"改成 {suggested}：在表单右边的“Slug”（锚形图标）里改，或直接改文件名；"
                  f"名单或活动里已经写了 {record_id} 的，一并改过来。", warning=True)


RULES: tuple[Rule, ...] = (
    check_as_of,
    check_references,
    check_parent_cycles,
    check_lists,
    check_pending,
    check_review_marks,
    check_stars,
    check_event_kinds,
    check_footer,
    check_names,
    check_images,
    check_coverage,
    check_made_up_ids,
    check_markdown_fields,
    check_as_of_age,
    check_columns,
    check_wording,
)


def validate_dataset(dataset: Dataset, unreadable: Mapping[str, frozenset[str]] | None = None,
                     today: dt.date | None = None) -> list[Problem]:
    """Run every cross-record rule; privacy rules run here too.

    `unreadable` names, per folder, the record files that exist but have errors of their own: references
    to them are not reported again as missing. `today`, when given, is the latest date `as_of` may be (give or
    take `AS_OF_MARGIN`).
    """

    context = Context(unreadable or {}, today)
    problems: list[Problem] = []
    for rule in RULES:
        problems.extend(rule(dataset, context))
    problems.extend(scan_dataset(dataset))
    return problems

"""A deterministic, obviously fictional region of any size (示例区), for demos, tests and benchmarks."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import shutil
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.dataset import slugify
from generator.quotes import quoted

SEED = 20241231
AS_OF = dt.date(2024, 12, 31)
YEARS = tuple(range(2019, 2025))
MARKER = ".fivestar-demo"
"""A file left in the output folder so that a later run may overwrite it (and nothing else)."""

STARS = ("支部过硬星", "党员先锋星", "立德树人星", "品牌特色星", "师生满意星")
LEVELS = ("国家级", "省级", "市级", "区级")
LEVEL_CODES = {"国家级": "guojia", "省级": "sheng", "市级": "shi", "区级": "qu"}
ISSUERS = {"国家级": "示例国家级评审委员会", "省级": "示例省教育厅", "市级": "示例市教育局", "区级": "示例区教育局"}
DOC_PREFIXES = {"国家级": "示评", "省级": "示省教", "市级": "示市教", "区级": "示教"}

KINDS: tuple[tuple[str | None, str, int], ...] = (
    # kind, name stem, weight (per cent)
    ("小学", "示例小学", 48),
    ("初中", "示例初级中学", 20),
    ("幼儿园", "示例幼儿园", 12),
    ("九年一贯制", "示例九年一贯制学校", 7),
    ("高中", "示例高级中学", 5),
    ("完全中学", "示例完全中学", 3),
    ("特殊教育", "示例特殊教育学校", 2),
    ("其他", "示例教育服务中心", 2),
    (None, "示例学校", 1),
)
CAMPUS_SIDES = ("东校区", "西校区", "南校区", "北校区")

SCHOOL_TITLES = (
    "平安校园", "文明校园", "依法治校示范校", "书香校园", "绿色学校", "智慧校园", "先进基层党组织", "清廉学校",
    "体育传统特色学校", "科技教育特色学校", "劳动教育实践基地", "心理健康教育特色学校", "美育特色学校",
    "家校共育示范校", "语言文字规范化示范校", "五星支部",
)
TITLE_THEMES = (
    "国防教育", "民族团结", "防震减灾科普", "红色文化", "传统文化", "足球特色", "篮球特色", "阅读推广", "垃圾分类",
    "节约用水", "食品安全", "健康促进", "法治教育", "消防安全", "少年宫建设", "课后服务", "读书育人", "科学普及",
    "劳动育人", "校园文化",
)
TITLE_SUFFIXES = ("示范学校", "特色学校", "先进集体", "优秀单位")
PERSON_TITLES = ("最美教师", "优秀共产党员", "优秀党务工作者", "师德标兵", "优秀班主任", "最美教师提名奖")
PERSON_ROLES = ("教师", "教师", "教师", "班主任", "校长", "副校长")

BRAND_HEADS = (
    "红烛", "星火", "初心", "匠心", "薪火", "春晖", "向阳", "明德", "启航", "青禾", "润泽", "同心", "笃行", "致远",
    "清源", "砺行", "立德", "知行", "守正", "弘毅",
)
BRAND_TAILS = (
    "引航", "筑梦", "领航", "铸魂", "育人", "先锋", "映初心", "润童心", "照前路", "伴成长", "燃青春", "聚合力",
    "育新苗", "强根基", "树新风", "暖人心",
)
BRAND_EXTRAS = ("", "工程", "计划", "行动", "工作法", "课堂", "驿站")
SLOGAN_A = ("党建引领", "立德树人", "五育并举", "以文化人", "守正创新", "凝心聚力", "铸魂育人", "知行合一")
SLOGAN_B = ("点亮每一颗星", "让每个孩子出彩", "办人民满意的教育", "做有温度的教育", "成就师生共同成长",
            "书写教育新篇章", "守护成长每一步", "把支部建在年级上")

INTRO_SENTENCES = (
    "{name}党支部坚持把党的政治建设摆在首位，落实“三会一课”制度，支部工作有章可循、有据可查。",
    "学校以“五星”支部创建为抓手，把党建工作与教育教学、队伍建设、校园文化深度融合。",
    "支部推行党员教师“亮身份、亮承诺、亮业绩”，在教学一线和急难险重任务中发挥先锋模范作用。",
    "学校建有党员活动室和党建文化长廊，定期开展主题党日活动，组织党员到红色教育基地参观学习。",
    "支部建立党员联系年级、联系班级、联系学生家庭的工作机制，推动党建工作延伸到教育教学各个环节。",
    "学校重视青年教师培养，实施“青蓝结对”工程，把骨干教师培养成党员，把党员培养成骨干教师。",
    "围绕“双减”要求，支部组织党员教师开发特色课后服务课程，丰富学生的校园生活。",
    "学校开展师德师风主题教育，组织教师重温入党誓词、签订师德承诺书，营造风清气正的育人环境。",
    "支部坚持问题导向，每季度对照“五星”创建标准开展自查，逐项整改，持续提升支部建设水平。",
    "学校以家长学校和家长委员会为纽带，推动家校社协同育人，群众满意度逐年提高。",
    "支部结合学科特点开展课程思政研讨，把爱国主义教育和中华优秀传统文化融入日常教学。",
    "学校定期组织党员志愿服务活动，走进社区开展文明创建、安全宣传和关爱留守儿童等服务。",
)
STORY_SENTENCES = (
    "{brand}品牌源于学校多年来的办学积淀，寓意党员教师像一束光，照亮学生成长的道路。",
    "品牌以{slogan}为核心理念，形成了“一个核心、三条路径、五项行动”的工作体系。",
    "学校围绕品牌建设开展“党员示范岗”“党员先锋课”评选，让党员在岗位上亮起来、在课堂上强起来。",
    "品牌建设注重实效，把支部活动与学科教研、德育活动、校园文化建设结合起来，做到同谋划、同推进、同考核。",
    "几年来，品牌带动全体教师参与课题研究和志愿服务，形成了一批可复制、可推广的经验做法。",
    "学校还把品牌元素融入校园环境，设计了品牌标识、文化墙和成长手册，让品牌看得见、摸得着。",
    "下一步，支部将继续深化{brand}品牌内涵，推动党建工作和教育教学双融合、双提升。",
)
EVENT_KINDS = (
    ("观摩推进会", "中小学校“五星”支部创建观摩推进会"),
    ("观摩评比", "“五星”支部创建季度观摩评比"),
    ("现场会", "党建品牌建设现场会"),
    ("培训", "党支部书记培训班"),
    ("其他", "“五星”支部创建经验交流会"),
)
EVENT_SENTENCES = (
    "与会人员实地查看了{venue}的校园文化和党建阵地建设，查阅了“五星”支部创建档案。",
    "{first}等学校党支部书记作了交流发言，介绍了各自在支部建设、品牌创建方面的做法。",
    "会议采取实地观摩、现场汇报、集中点评相结合的方式进行，参会学校相互学习、取长补短。",
    "会议指出，各学校要对照创建标准查缺补漏，以“五星”支部创建推动学校高质量发展。",
    "活动中，评委按照创建标准逐项打分，并对各校的亮点和不足作了点评。",
    "培训邀请专家围绕党支部标准化规范化建设、党建与业务融合等内容进行了专题辅导。",
)
OFFICIAL_TITLES = ("示例区教育局党组书记、局长", "示例区教育局党组成员、副局长", "示例区委组织部副部长",
                   "示例市教育局党组成员、副局长", "示例区教育局机关党委书记")
OFFICIAL_PARTS = ("讲话", "点评", "总结", "主持会议", "作专题辅导")
PHOTO_CAPTIONS = ("与会人员参观党建阵地", "党支部书记作交流发言", "观摩学校的特色课程展示", "集中点评现场",
                  "党员教师重温入党誓词", "主题党日活动现场")
PHOTO_POOL = 12
DENSE_HONOURS = 8
"""School honour lists every branch of a dense region is named on (at least)."""
DENSE_PHOTOS = 2
DENSE_NEWS_SIZE = 20
"""Branches one news post of a dense region names (each branch is named in one)."""
NEWS_FOLDER = "news"
NEWS_SENTENCES = (
    "近日，示例区教育局对中小学校“五星”支部创建工作进行了调研，以下学校的做法受到好评。",
    "各校党支部结合办学特色，把党建品牌建设落实到课堂、活动和日常管理之中。",
    "调研组查阅了创建档案，听取了支部书记的汇报，并与党员教师进行了座谈。",
    "下一步，示例区将继续推动“五星”支部创建向纵深发展，以高质量党建引领学校高质量发展。",
)


@dataclass
class DemoRegion:
    """The records of one demo region, as plain data ready to be written as YAML."""

    branches: dict[str, dict[str, Any]] = field(default_factory=dict)
    honours: dict[str, tuple[int | None, dict[str, Any]]] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    logos: list[tuple[str, int]] = field(default_factory=list)
    site: dict[str, Any] = field(default_factory=dict)
    news: dict[str, str] = field(default_factory=dict)
    """News posts (Markdown with front matter) by file name, for content/news/ beside the data folder."""


def pick_weighted(rng: random.Random, choices: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    """One row of `choices`, chosen by the weight in its last column."""
    total = sum(row[-1] for row in choices)
    roll = rng.randrange(total)
    for row in choices:
        roll -= row[-1]
        if roll < 0:
            return row
    return choices[-1]


def make_site(n: int) -> dict[str, Any]:
    return {
        "title": "示例区中小学校“五星”支部创建展示",
        "owner": "示例区教育局党组",
        "region": "示例区",
        "as_of": AS_OF,
        "branch_count": n,
        "stars": list(STARS),
        "campaign": "“五星”支部创建",
        "sections": {"events": "创建动态", "teachers": "师德风采"},
        "description": f"演示数据：一个虚构的地区（示例区）和 {n} 个虚构的学校党支部，用于演示和性能测试。",
        "about": ("本网站由 `fivestar demo` 自动生成，**所有学校、人物、荣誉和活动都是虚构的**，"
                  "只用于演示网站的样子和测试生成速度。\n\n"
                  "- 学校名称形如“示例小学00001”，人物姓名形如“示例教师000001”。\n"
                  "- 五颗星的名称、发文单位和文号也都是示例，不对应任何真实文件。\n"),
        "source": "fivestar demo 生成的演示数据（虚构）",
    }


def make_intro(rng: random.Random, name: str) -> str:
    sentences = rng.sample(INTRO_SENTENCES, rng.randint(4, 7))
    cut = len(sentences) // 2
    paragraphs = ["".join(sentences[:cut]), "".join(sentences[cut:])]
    return "\n\n".join(p.format(name=name) for p in paragraphs) + "\n"


def make_stars(rng: random.Random) -> list[dict[str, Any]]:
    """A rating history, oldest first: counts mostly rise, earned stars accumulate in a random order."""
    start = rng.choice(YEARS[:4])
    order = list(STARS)
    rng.shuffle(order)
    count = rng.randint(0, 3)
    history: list[dict[str, Any]] = []
    for year in range(start, YEARS[-1] + 1):
        if year > start:
            count = max(0, min(5, count + rng.choice((0, 1, 1, 1, -1))))
        period: str = str(year)
        if year == YEARS[-1] and rng.random() < 0.3:
            period = f"{year}Q{rng.randint(1, 4)}"
        rating: dict[str, Any] = {"period": period, "count": count}
        if rng.random() < 0.8:
            rating["earned"] = [s for s in STARS if s in order[:count]]
        history.append(rating)
    return history


def make_brand(rng: random.Random, branch_id: str, name: str, used: set[str], dense: bool = False) -> dict[str, Any]:
    brand_name = ""
    for _ in range(8):
        brand_name = f"{rng.choice(BRAND_HEADS)}·{rng.choice(BRAND_TAILS)}{rng.choice(BRAND_EXTRAS)}"
        if brand_name not in used:
            break
    used.add(brand_name)
    slogan = f"{rng.choice(SLOGAN_A)}，{rng.choice(SLOGAN_B)}"
    sentences = rng.sample(STORY_SENTENCES, rng.randint(3, 6))
    story = "\n\n".join(s.format(brand=quoted(brand_name), slogan=quoted(slogan), name=name) for s in sentences) + "\n"
    brand: dict[str, Any] = {"name": brand_name, "slogan": slogan, "story": story,
                             "logo": f"images/logos/{branch_id}.png"}
    if dense:
        brand["photos"] = [{"file": photo_path(index), "caption": rng.choice(PHOTO_CAPTIONS)}
                           for index in rng.sample(range(PHOTO_POOL), DENSE_PHOTOS)]
    elif rng.random() < 0.2:
        brand["photos"] = [{"file": photo_path(rng.randrange(PHOTO_POOL)), "caption": rng.choice(PHOTO_CAPTIONS)}
                           for _ in range(rng.randint(1, 2))]
    return brand


def photo_path(index: int) -> str:
    return f"images/photos/demo-photo-{index + 1:02d}.jpg"


def make_branches(rng: random.Random, n: int, region: DemoRegion, dense: bool = False) -> None:
    """N branches, some with campuses; in a dense region every one has a star history and a brand with photos."""
    brand_names: set[str] = set()
    campuses: dict[str, int] = {}
    previous: tuple[str, str, str | None, bool] | None = None  # id, name, kind, is main school
    for i in range(1, n + 1):
        branch_id = f"shili-{i:05d}"
        record: dict[str, Any]
        if previous and previous[3] and campuses.get(previous[0], 0) < 1 and rng.random() < 0.06:
            parent_id, parent_name, kind, _ = previous
            name = f"{parent_name}{CAMPUS_SIDES[rng.randrange(len(CAMPUS_SIDES))]}"
            campuses[parent_id] = 1
            record = {"name": name, **({"kind": kind} if kind else {}), "parent": parent_id}
            previous = (branch_id, name, kind, False)
        else:
            kind, stem, _ = pick_weighted(rng, KINDS)
            name = f"{stem}{i:05d}"
            record = {"name": name}
            if rng.random() < 0.3:
                record["full_name"] = f"示例省示例市示例区{stem}{i:05d}"
            if rng.random() < 0.2:
                record["aliases"] = [f"示{stem[2:4]}{i:05d}"]
            if kind:
                record["kind"] = kind
            previous = (branch_id, name, kind, True)
        if dense or rng.random() < 0.85:
            record["stars"] = make_stars(rng)
        if dense or rng.random() < 0.3:
            record["brand"] = make_brand(rng, branch_id, name, brand_names, dense)
            region.logos.append((branch_id, i))
        record["intro"] = make_intro(rng, name)
        if rng.random() < 0.5:
            record["secretary"] = f"示例书记{i:05d}"
        region.branches[branch_id] = record


class RecipientStream:
    """Branch ids in rounds of fresh shuffles, so that every branch gets at least one honour."""

    def __init__(self, rng: random.Random, ids: list[str]) -> None:
        self.rng = rng
        self.ids = ids
        self.queue: list[str] = []
        self.deferred: list[str] = []

    def take(self, k: int, refused: set[str]) -> list[str]:
        chosen: list[str] = []
        skipped: list[str] = []
        while len(chosen) < k:
            if self.deferred:
                candidate = self.deferred.pop()
            else:
                if not self.queue:
                    self.queue = list(self.ids)
                    self.rng.shuffle(self.queue)
                candidate = self.queue.pop()
            if candidate in refused or candidate in chosen:
                skipped.append(candidate)
                if len(skipped) > 4 * len(self.ids):
                    break
                continue
            chosen.append(candidate)
        self.deferred.extend(reversed(skipped))
        return chosen


def list_size(rng: random.Random, level: str) -> tuple[int, int | None]:
    """How many schools a list names, and its total when it names only some (等N所)."""
    if level == "国家级":
        return rng.choice((1, 1, 1, 2, 2, 3)), None
    if rng.random() < 0.15:
        named = rng.randint(1, 4)
        return named, named + rng.randint(1, 40)
    if rng.random() < 0.75:
        return rng.choice((1, 1, 2, 2, 3, 4)), None
    return rng.randint(5, 12 if level == "省级" else 30), None


def school_titles(n: int) -> list[str]:
    """The honour titles in use: a few for a district, more for a city or a province."""
    extended = [f"{theme}{suffix}" for suffix in TITLE_SUFFIXES for theme in TITLE_THEMES]
    return [*SCHOOL_TITLES, *extended][: 12 + n // 250]


def make_honours(rng: random.Random, n: int, region: DemoRegion, dense: bool = False) -> None:
    """School lists (about 1.2 N; in a dense region until every branch is on DENSE_HONOURS), then teacher awards."""
    ids = list(region.branches)
    stream = RecipientStream(rng, ids)
    titles = school_titles(n)
    slugs = {t: slugify(t) for t in [*titles, *PERSON_TITLES]}
    holders: dict[tuple[str, str, int | None], set[str]] = {}
    counters: dict[str, int] = {}
    named_on = dict.fromkeys(ids, 0)
    lists = 0
    while (lists < max(12, (n * 6) // 5) if not dense
           else lists < 12 or min(named_on.values()) < DENSE_HONOURS):
        lists += 1
        title = rng.choice(titles)
        level = pick_weighted(rng, (("国家级", 5), ("省级", 20), ("市级", 35), ("区级", 40)))[0]
        year: int | None = None if rng.random() < 0.05 else rng.choice(YEARS)
        named, total = list_size(rng, level)
        refused = holders.setdefault((title, level, year), set())
        recipients = stream.take(named, refused)
        if not recipients:
            continue
        refused.update(recipients)
        for recipient in recipients:
            named_on[recipient] += 1
        record: dict[str, Any] = {"title": title, "level": level}
        if year is not None:
            record["year"] = year
        record["recipients"] = recipients
        if total is not None and total > len(recipients):
            record["total"] = total
        add_issue_details(rng, record, level, year)
        honour_id = next_id(counters, f"{slugs[title]}-{LEVEL_CODES[level]}-{year or 'leiji'}")
        region.honours[honour_id] = (year, record)
    teacher = 0
    for _ in range(max(2, n // 25)):
        title = rng.choice(PERSON_TITLES)
        level = pick_weighted(rng, (("省级", 10), ("市级", 45), ("区级", 45)))[0]
        year = rng.choice(YEARS)
        people: list[dict[str, Any]] = []
        for _ in range(rng.randint(1, 8)):
            teacher += 1
            person: dict[str, Any] = {"person": f"示例教师{teacher:06d}", "branch": rng.choice(ids)}
            role = rng.choice(PERSON_ROLES)
            if role:
                person["role"] = role
            people.append(person)
        record = {"title": title, "level": level, "year": year, "recipients": people}
        add_issue_details(rng, record, level, year)
        honour_id = next_id(counters, f"{slugs[title]}-{LEVEL_CODES[level]}-{year}")
        region.honours[honour_id] = (year, record)


def next_id(counters: dict[str, int], stem: str) -> str:
    counters[stem] = counters.get(stem, 0) + 1
    return f"{stem}-{counters[stem]:03d}"


def add_issue_details(rng: random.Random, record: dict[str, Any], level: str, year: int | None) -> None:
    """Issuer, 文号 and date on some lists, all obviously fictional."""
    if rng.random() < 0.6:
        record["issuer"] = ISSUERS[level]
        if year is not None and rng.random() < 0.7:
            record["document"] = f"{DOC_PREFIXES[level]}〔{year}〕{rng.randint(1, 300)}号"
    if year is not None and rng.random() < 0.4:
        record["date"] = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    if rng.random() < 0.05:
        record["note"] = "演示数据：名单为虚构，仅用于展示版式。"


def make_events(rng: random.Random, n: int, region: DemoRegion, dense: bool = False) -> None:
    """N/10 events; in a dense region N/8, each branch taking part in at least one."""
    ids = list(region.branches)
    names = {i: r["name"] for i, r in region.branches.items()}
    span = (AS_OF - dt.date(YEARS[0], 1, 1)).days
    stream = RecipientStream(rng, ids)
    for k in range(1, (-(-n // 8) if dense else max(1, n // 10)) + 1):
        date = dt.date(YEARS[0], 1, 1) + dt.timedelta(days=rng.randrange(span + 1))
        kind, stem = rng.choice(EVENT_KINDS)
        if dense:
            taking_part = stream.take(min(len(ids), rng.randint(8, 12)), set())
            venue = taking_part[0]
        else:
            venue = rng.choice(ids)
            taking_part = rng.sample(ids, min(len(ids), rng.randint(3, 12)))
        record: dict[str, Any] = {"date": date, "title": f"示例区{stem}（第{k}场）", "kind": kind,
                                  "level": rng.choice(("区级", "区级", "市级")), "venue": venue,
                                  "branches": taking_part}
        if rng.random() < 0.3:
            record["total"] = len(taking_part) + rng.randint(1, 20)
        record["people"] = [{"name": f"示例领导{rng.randint(1, 30):02d}", "title": rng.choice(OFFICIAL_TITLES),
                             "part": rng.choice(OFFICIAL_PARTS)} for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.6:
            record["photos"] = [{"file": photo_path(rng.randrange(PHOTO_POOL)), "caption": rng.choice(PHOTO_CAPTIONS)}
                                for _ in range(rng.randint(1, 3))]
        sentences = rng.sample(EVENT_SENTENCES, rng.randint(2, 4))
        record["body"] = "".join(s.format(venue=names[venue], first=names[taking_part[0]]) for s in sentences) + "\n"
        region.events[f"{date.isoformat()}-shili-{k:04d}"] = record


def make_news(rng: random.Random, region: DemoRegion) -> None:
    """News posts for content/news/, each naming DENSE_NEWS_SIZE branches with links to their pages."""
    ids = list(region.branches)
    span = (AS_OF - dt.date(YEARS[0], 1, 1)).days
    for k, start in enumerate(range(0, len(ids), DENSE_NEWS_SIZE), start=1):
        date = dt.date(YEARS[0], 1, 1) + dt.timedelta(days=rng.randrange(span + 1))
        title = f"示例区“五星”支部创建工作简讯（第{k}期）"
        named = ids[start:start + DENSE_NEWS_SIZE]
        items = "\n".join(news_item(b, region.branches[b]) for b in named)
        body = "\n\n".join(rng.sample(NEWS_SENTENCES, 2))
        summary = f"演示数据：{len(named)} 所学校的创建做法（虚构）。"
        region.news[f"{date.isoformat()}-jianxun-{k:04d}.md"] = (
            f"---\ntitle: {title}\ndate: {date.isoformat()}\nsummary: {summary}\n---\n\n"
            f"# {title}\n\n{body}\n\n{items}\n")


def news_item(branch_id: str, record: dict[str, Any]) -> str:
    """One line of a news post: the school, linked to its page, and its brand when it has one."""
    line = f"- [{record['name']}](../branches/{branch_id}.md)"
    return f"{line}：{quoted(record['brand']['name'])}" if "brand" in record else line


def make_region(n: int, seed: int = SEED, dense: bool = False) -> DemoRegion:
    """All records of an N-branch demo region; the same `n`, `seed` and `dense` always give the same region.

    A dense region gives every branch a star history, a brand with a logo and two photos, a place on at least
    eight school honour lists, a part in an event and a mention in a news post (content/news/ beside the data).
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = random.Random(seed)
    region = DemoRegion(site=make_site(n))
    make_branches(rng, n, region, dense)
    make_honours(rng, n, region, dense)
    make_events(rng, n, region, dense)
    if dense:
        make_news(rng, region)
    return region


_PLAIN = re.compile(r"[\u4e00-\u9fffA-Za-z“《（][^\n]*")
_NOT_PLAIN = re.compile(r": | #|:$|^(?:true|false|yes|no|on|off|null|y|n)$|^[0-9._:-]+$", re.IGNORECASE)


def yaml_scalar(value: Any) -> str:
    """One scalar as staff would type it: plain where YAML reads it back unchanged, quoted otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | dt.date):
        return str(value) if not isinstance(value, dt.date) else value.isoformat()
    text = str(value)
    if _PLAIN.fullmatch(text) and not _NOT_PLAIN.search(text) and text == text.strip():
        return text
    return "'" + text.replace("'", "''") + "'"


def emit_yaml(record: dict[str, Any], pad: str = "") -> list[str]:
    """A record as block YAML with two-space indents, lists indented under their key, Markdown as `|`."""
    lines: list[str] = []
    for key, value in record.items():
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            lines.extend(emit_yaml(value, pad + "  "))
        elif isinstance(value, list):
            lines.append(f"{pad}{key}:")
            for item in value:
                if isinstance(item, dict):
                    inner = emit_yaml(item, pad + "    ")
                    lines.append(f"{pad}  - {inner[0].lstrip()}")
                    lines.extend(inner[1:])
                else:
                    lines.append(f"{pad}  - {yaml_scalar(item)}")
        elif isinstance(value, str) and "\n" in value:
            lines.append(f"{pad}{key}: |")
            lines.extend(f"{pad}  {line}" if line else "" for line in value.rstrip("\n").split("\n"))
        else:
            lines.append(f"{pad}{key}: {yaml_scalar(value)}")
    return lines


def dump_record(record: dict[str, Any], schema: str, depth: int) -> str:
    """The record's YAML under its schema line; `depth` is how many folders up the project's root is."""
    modeline = f"# yaml-language-server: $schema={'../' * depth}schema/{schema}.schema.json\n"
    return modeline + "\n".join(emit_yaml(record)) + "\n"


def iter_files(region: DemoRegion, above: int = 0) -> Iterator[tuple[str, str]]:
    """(relative path, YAML text) of every record file; `above` is how many folders the data folder lies below the
    project's own (a member region's `regions/<id>/`: 2 a level), so the schema lines reach the project's schema/."""
    yield "site.yaml", dump_record(region.site, "site", above + 1)
    for branch_id, record in region.branches.items():
        yield f"branches/{branch_id}.yaml", dump_record(record, "branch", above + 2)
    for honour_id, (year, record) in region.honours.items():
        if year is None:
            yield f"honours/{honour_id}.yaml", dump_record(record, "honour", above + 2)
        else:
            yield f"honours/{year}/{honour_id}.yaml", dump_record(record, "honour", above + 3)
    for event_id, record in region.events.items():
        yield f"events/{event_id}.yaml", dump_record(record, "event", above + 2)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def in_emblem(pattern: int, dx: float, dy: float, size: int) -> bool:
    """Whether a pixel lies in the badge's emblem: a diamond, a dot, a cross or a square."""
    shapes = (
        abs(dx) + abs(dy) < size * 0.2,
        (dx * dx + dy * dy) ** 0.5 < size * 0.16,
        min(abs(dx), abs(dy)) < size * 0.06,
        max(abs(dx), abs(dy)) < size * 0.17,
    )
    return shapes[pattern % len(shapes)]


def _logo_pixels(size: int, pattern: int) -> bytes:
    """Palette indices of a round badge: 0 background, 1 disc, 2 gold ring, 3 emblem."""
    rows = bytearray()
    centre = (size - 1) / 2
    for y in range(size):
        rows.append(0)  # filter: none
        for x in range(size):
            dx, dy = x - centre, y - centre
            r = (dx * dx + dy * dy) ** 0.5
            if r > size * 0.48:
                rows.append(0)
            elif r > size * 0.40:
                rows.append(2)
            else:
                rows.append(3 if in_emblem(pattern, dx, dy, size) else 1)
    return zlib.compress(bytes(rows), 9)


LOGO_SIZE = 96
_LOGO_IDAT = [_logo_pixels(LOGO_SIZE, p) for p in range(4)]


def logo_png(index: int) -> bytes:
    """A small palette PNG badge; colours and emblem vary with `index`, bytes never vary for one index."""
    reds = ((166, 27, 27), (178, 34, 34), (140, 20, 30), (190, 40, 40), (120, 16, 24), (160, 45, 30))
    golds = ((212, 175, 55), (230, 190, 80), (200, 160, 60))
    disc, ring, emblem = reds[index % len(reds)], golds[index % len(golds)], golds[(index // 3) % len(golds)]
    palette = bytes([255, 255, 255, *disc, *ring, *emblem])
    header = struct.pack(">IIBBBBB", LOGO_SIZE, LOGO_SIZE, 8, 3, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"PLTE", palette)
            + _png_chunk(b"IDAT", _LOGO_IDAT[index % 4]) + _png_chunk(b"IEND", b""))


def photo_jpeg(index: int) -> bytes:
    """A deterministic 800×533 stand-in photo: gradients and blocks, no people, no metadata."""
    from PIL import Image, ImageDraw

    width, height = 800, 533
    base = Image.linear_gradient("L").resize((width, height))
    radial = Image.radial_gradient("L").resize((width, height))
    tint = Image.new("L", (width, height), 40 + (index * 37) % 160)
    image = Image.merge("RGB", (base, radial, tint) if index % 2 else (radial, tint, base))
    draw = ImageDraw.Draw(image)
    for k in range(6):
        x = (index * 97 + k * 131) % (width - 120)
        y = (index * 53 + k * 71) % (height - 90)
        draw.rectangle((x, y, x + 120, y + 90), fill=((index * 40 + k * 30) % 256, 60 + k * 20, 90))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80, optimize=False)
    return out.getvalue()


class DemoOutputError(Exception):
    """The output folder holds something that is not an earlier demo."""


def check_output(out: Path) -> None:
    """Refuse a file, or a folder with content that no earlier demo wrote."""
    if out.exists() and not out.is_dir():
        raise DemoOutputError(f"{quoted(out)}是一个文件，不是文件夹。")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise DemoOutputError(f"文件夹{quoted(out)}不是空的，也不是 fivestar demo 生成的；为免覆盖数据，已停止。")


def prepare_output(out: Path) -> None:
    """Make `out` empty: refuse a folder with other content, clear an earlier demo."""
    check_output(out)
    if out.is_dir() and any(out.iterdir()):
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)


def news_folder(out: Path) -> Path:
    """Where a dense region's news posts go: content/news/ beside the data folder (`fivestar check` reads it)."""
    return out.parent / "content" / NEWS_FOLDER


def write_news(region: DemoRegion, folder: Path) -> int:
    """Write the region's news posts into `folder` (prepared like the data folder); the number written."""
    prepare_output(folder)
    (folder / MARKER).write_text("这个文件夹由 fivestar demo --dense 生成，内容全部虚构；再次运行 demo 会覆盖它。\n",
                                 encoding="utf-8")
    for name, text in region.news.items():
        (folder / name).write_text(text, encoding="utf-8", newline="\n")
    return len(region.news)


def write_region(region: DemoRegion, out: Path, above: int = 0) -> int:
    """Write every record and image under `out` (news posts beside it); returns the number of files written.
    `above`: how many folders `out` lies below the project's data folder (iter_files)."""
    if region.news:
        check_output(news_folder(out))
    prepare_output(out)
    (out / MARKER).write_text("这个文件夹由 fivestar demo 生成，内容全部虚构；再次运行 demo 会覆盖它。\n",
                              encoding="utf-8")
    written = 0
    made: set[Path] = set()
    for relative, text in iter_files(region, above):
        path = out / relative
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(text, encoding="utf-8", newline="\n")
        written += 1
    if region.logos:
        (out / "images" / "logos").mkdir(parents=True, exist_ok=True)
        for branch_id, index in region.logos:
            (out / "images" / "logos" / f"{branch_id}.png").write_bytes(logo_png(index))
            written += 1
    photos = sorted({p["file"] for r in [*region.events.values(), *(b.get("brand") or {} for b in
                                                                      region.branches.values())]
                     for p in r.get("photos", [])})
    if photos:
        (out / "images" / "photos").mkdir(parents=True, exist_ok=True)
        for relative in photos:
            index = int(relative.rsplit("-", 1)[1].split(".")[0]) - 1
            (out / relative).write_bytes(photo_jpeg(index))
            written += 1
    if region.news:
        written += write_news(region, news_folder(out))
    return written


def write_demo(out: Path, n: int, seed: int = SEED, dense: bool = False) -> DemoRegion:
    """Generate the N-branch demo region and write it to `out` (a data folder; a dense one's news beside it)."""
    region = make_region(n, seed, dense)
    write_region(region, out)
    return region


# -- a city (or a province) of demo regions -------------------------------------------------------------------------

MEMBERS_FOLDER = "regions"
"""Where a demo city keeps its member regions' data folders: inside its own (`regions/qu-01/`), so that one
folder holds the whole city; the city's own records never read them (records/members.py `inner_folders`)."""
CITY_LISTS_PER_YEAR = 2


def chinese_number(n: int) -> str:
    """1 → 一, 15 → 十五, 150 → 一百五十 (1 to 999): demo regions are named 示例一区, 示例十五区…"""
    digits = "零一二三四五六七八九"
    if not 0 < n < 1000:
        raise ValueError("1 to 999 only")
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    text = f"{digits[hundreds]}百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
    elif hundreds and ones:
        text += "零"
    return text + (digits[ones] if ones else "")


@dataclass
class DemoCity:
    """A demo city (or province): its own site and lists, and its member regions, each a region or a city."""

    site: dict[str, Any]
    honours: dict[str, tuple[int | None, dict[str, Any]]] = field(default_factory=dict)
    members: dict[str, DemoRegion | DemoCity] = field(default_factory=dict)

    @property
    def branch_total(self) -> int:
        return sum(len(m.branches) if isinstance(m, DemoRegion) else m.branch_total for m in self.members.values())


def _shares(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _named_region(region: DemoRegion, name: str, owner: str) -> DemoRegion:
    """A demo district under its own name (示例三区): its site, and the words that name the region in its text."""
    site = dict(region.site)
    site.update(title=f"{name}中小学校“五星”支部创建展示", owner=owner, region=name,
                description=f"演示数据：虚构的{name}和 {len(region.branches)} 个虚构的学校党支部。")
    region.site = site
    return region


def _city_site(name: str, owner: str, member_ids: list[str], kind: str) -> dict[str, Any]:
    return {
        "title": f"{name}中小学校“五星”支部创建展示",
        "owner": owner,
        "region": name,
        "as_of": AS_OF,
        "stars": list(STARS),
        "campaign": "“五星”支部创建",
        "sections": {"events": "创建动态", "teachers": "师德风采", "members": kind},
        "description": f"演示数据：虚构的{name}，汇集 {len(member_ids)} 个虚构地区的数据。",
        "source": "fivestar demo 生成的演示数据（虚构）",
        "members": [{"id": member_id, "path": f"{MEMBERS_FOLDER}/{member_id}"} for member_id in member_ids],
    }


def _city_lists(rng: random.Random, city: DemoCity, level: str) -> None:
    """The city's own lists at `level`: each names schools of several member regions (`qu-01/shili-00003`),
    some of them already on their district's list of the same title and level (counted once)."""
    counters: dict[str, int] = {}
    leaves = [(prefix, region) for prefix, region in _leaf_regions(city)]
    for year in YEARS[-2:]:
        for _ in range(CITY_LISTS_PER_YEAR):
            title = rng.choice(SCHOOL_TITLES)
            recipients: list[str] = []
            for prefix, region in rng.sample(leaves, min(len(leaves), 4)):
                same = [r for y, h in region.honours.values() if h["title"] == title and h["level"] == level
                        for r in h["recipients"] if isinstance(r, str)]
                pool = same[:1] + rng.sample(list(region.branches), min(2, len(region.branches)))
                recipients += [f"{prefix}/{branch_id}" for branch_id in dict.fromkeys(pool)]
            record: dict[str, Any] = {"title": title, "level": level, "year": year,
                                      "recipients": list(dict.fromkeys(recipients))}
            add_issue_details(rng, record, level, year)
            honour_id = next_id(counters, f"{slugify(title)}-{LEVEL_CODES[level]}-{year}")
            city.honours[honour_id] = (year, record)


def _leaf_regions(city: DemoCity, prefix: str = "") -> Iterator[tuple[str, DemoRegion]]:
    for member_id, member in city.members.items():
        qualified = f"{prefix}{member_id}"
        if isinstance(member, DemoRegion):
            yield qualified, member
        else:
            yield from _leaf_regions(member, f"{qualified}/")


def make_city(regions: int, branches: int, seed: int = SEED, cities: int = 0) -> DemoCity:
    """A demo city of `regions` districts sharing `branches` branches (示例市, 示例一区…); with `cities`, a
    province (示例省) of that many cities sharing the districts. The same arguments always give the same data."""
    if regions < 1 or branches < regions or (cities and cities > regions):
        raise ValueError("need at least one branch per region and one region per city")
    rng = random.Random(seed)
    districts = [
        _named_region(make_region(size, seed + number), f"示例{chinese_number(number)}区",
                      f"示例{chinese_number(number)}区教育局党组")
        for number, size in enumerate(_shares(branches, regions), start=1)]
    if not cities:
        ids = [f"qu-{i:02d}" for i in range(1, regions + 1)]
        city = DemoCity(_city_site("示例市", "示例市教育局党组", ids, "各区县"),
                        members=dict(zip(ids, districts, strict=True)))
        _city_lists(rng, city, "市级")
        return city
    province_ids = [f"shi-{i:02d}" for i in range(1, cities + 1)]
    members: dict[str, DemoRegion | DemoCity] = {}
    start = 0
    for number, (city_id, size) in enumerate(zip(province_ids, _shares(regions, cities), strict=True), start=1):
        ids = [f"qu-{i:02d}" for i in range(1, size + 1)]
        name = f"示例{chinese_number(number)}市"
        city = DemoCity(_city_site(name, f"{name}教育局党组", ids, "各区县"),
                        members=dict(zip(ids, districts[start:start + size], strict=True)))
        _city_lists(rng, city, "市级")
        members[city_id] = city
        start += size
    province = DemoCity(_city_site("示例省", "示例省教育厅党组", province_ids, "各市"), members=members)
    _city_lists(rng, province, "省级")
    return province


def write_city(city: DemoCity, out: Path, above: int = 0) -> int:
    """Write the city's site.yaml and lists into `out`, and each member region into `out/regions/<id>/`; every
    schema line points at the schema/ folder beside the outermost data folder."""
    prepare_output(out)
    (out / MARKER).write_text("这个文件夹由 fivestar demo --regions 生成，内容全部虚构；再次运行 demo 会覆盖它。\n",
                              encoding="utf-8")
    own = DemoRegion(site=city.site, honours=city.honours)
    written = 0
    for relative, text in iter_files(own, above):
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written += 1
    for member_id, member in city.members.items():
        folder = out / MEMBERS_FOLDER / member_id
        inner = above + len(Path(MEMBERS_FOLDER, member_id).parts)
        written += write_region(member, folder, inner) if isinstance(member, DemoRegion) \
            else write_city(member, folder, inner)
    return written

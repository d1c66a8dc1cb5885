"""Place names ending in 区, 县 or 市 in Chinese text, told apart from ordinary words (社区, 全市, 示范区, 城市)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

SUFFIXES = "区县市"
"""What a county-level or city-level name ends in; 省 (province) names are not a district's neighbours."""

MAX_STEM = 3
"""The longest name read before the suffix (沙坪坝区 has three; longer names are named by their last two)."""

BOUNDARY_CHARS = frozenset("的在到与和及由对向从于为是了将把被、等赴至往跟给让使经按据以其之共并或即也还又就而且所"
                           "省市区县")
"""Characters that end a name when read leftwards from its suffix: function words (在示例区 → 示例区) and the
suffixes themselves (示例市示例区 → 示例区 after 示例市)."""

DETERMINERS = frozenset("全本各该我某每此其两几多诸一二三四五六七八九十百千万跨分副外邻别他这那个")
"""A character before the suffix that makes an ordinary word of it: 全区, 本市, 各县, 我区, 两区, 跨市, 外县."""

GENERIC_HEADS = frozenset((
    "地区", "社区", "校区", "园区", "景区", "小区", "山区", "城区", "市区", "郊区", "街区", "辖区", "林区", "灾区",
    "新区", "老区", "片区", "学区", "军区", "特区", "专区", "战区", "选区", "禁区", "牧区", "矿区", "港区", "厂区",
    "营区", "库区", "展区", "赛区", "分区", "教区", "湖区", "产区", "边区", "政区", "省区", "县区",
    "农区", "油区", "管区", "防区", "大区", "灌区", "震区", "雷区", "藏区", "时区", "疫区", "病区", "盲区",
    "误区", "考区", "城市", "超市", "上市", "集市", "夜市", "股市", "楼市", "闹市", "街市", "早市",
    "灯市", "面市", "球市", "牛市", "熊市", "互市", "收市", "退市", "罢市", "开市", "休市", "县市", "省市",
    "地市", "入市", "鬼市", "黑市", "车市", "菜市", "书市", "年市", "庙市", "墟市", "郊县", "知县", "郡县",
    "州县", "属县", "强县", "大县", "小县", "邻县",
))
"""Common two-character words ending in a suffix: a longer word ending in one is ordinary too (老城区, 中小城市)."""

COMMON_STEMS = frozenset((
    "示范", "开发", "保护", "实验", "试验", "试点", "功能", "服务", "生活", "教学", "办公", "宿舍", "住宅", "居住",
    "居民", "工业", "农业", "商业", "风景", "旅游", "名胜", "游览", "商务", "加工", "贸易", "经济", "自贸", "保税",
    "高新", "经开", "行政", "自治", "核心", "中心", "重点", "贫困", "偏远", "边远", "先进", "百强", "模范", "所在",
    "县级", "地级", "省级", "市级", "区级", "副省", "直辖", "单列", "省辖", "市辖", "统治", "分布", "聚居", "沦陷",
    "干旱", "开放", "休息", "度假", "草原", "协作", "文化", "集中", "控制", "目标", "地形", "浅水", "深水", "工矿",
    "季风", "丘陵", "农牧", "主产", "重灾", "缓冲", "警备", "敌占", "使馆", "红灯", "科技", "技术", "生态", "保留",
    "规划", "建成", "新建", "城乡", "城镇", "乡镇", "农村", "城郊", "近郊", "远郊", "城中", "商贸", "物流", "产业",
    "创新", "改革", "综合", "发展", "建设", "发达", "欠发达", "落后", "老少", "老工业", "资源", "民族", "少数",
    "边疆", "沿海", "内陆", "口岸", "自由", "综保", "试行", "创建", "达标", "合格", "优秀", "文明", "卫生", "园林",
    "平安", "智慧", "书香", "教育", "强国", "双拥", "全国", "国家", "演示", "样板", "标杆", "先行", "引领", "窗口",
    "会展", "停车", "候车", "候诊", "等候", "活动", "运动", "训练", "比赛", "竞赛", "评审", "阅读", "休闲", "娱乐",
    "餐饮", "购物", "观赏", "展示", "展览", "学习", "实训", "实践", "体验", "科普", "安全", "危险", "禁止", "限制",
    "隔离", "封控", "管控", "防范", "高危", "低风险", "中风险", "高风险", "风险", "受灾", "灾后", "扶贫", "脱贫",
    "帮扶", "结对", "对口", "试验田", "家属", "职工", "教工", "学生", "教师", "食堂", "体育", "操场", "校园", "公园",
    "花园", "广场", "中央", "东部", "西部", "南部", "北部", "中部", "东北", "西北", "东南", "西南", "华北", "华东",
    "华南", "华中", "城东", "城西", "城南", "城北", "老城", "新城", "主城", "中心城", "高新技术", "国家级", "省属",
    "市属", "县属", "区属", "直属", "阅览", "图书", "种植", "养殖", "就餐", "用餐", "游戏", "接送", "劳动", "绿化",
    "景观", "宣传", "互动", "自习", "作业", "午休", "洗漱", "器材", "仓储", "储藏", "候考", "考试", "报到", "签到",
    "接待", "咨询", "登记", "办理", "缴费", "观众", "嘉宾", "记者", "媒体", "贵宾", "家长", "志愿", "义工", "实习",
    "就业", "创业", "孵化", "研发", "生产", "仓库", "交通", "步行", "骑行", "健身", "跑步", "游泳", "球类", "田径",
    "滑雪",
))
"""Ordinary words that come before a suffix (示范区, 开发区, 县级市, 贫困县, 文明城市…): never a place's name."""

INSTITUTIONS = (
    "教育", "教体局", "教研", "教科", "教师", "委", "人民政府", "政府", "党委", "党组", "人大", "政协", "文明办",
    "组织部", "宣传部", "中小学", "小学", "中学", "初中", "初级中学", "高中", "高级中学", "幼儿园", "学校",
    "实验小学", "实验中学", "实验学校", "第一", "第二", "第三", "第四", "第五", "第六", "第七", "第八", "第九",
    "第十", "一中", "二中", "三中", "四中", "五中", "六中", "七中", "八中", "九中", "十中", "一小", "二小", "三小",
    "四小", "五小", "六小", "七小", "八小", "九小", "一高", "二高", "三高", "机关", "直属", "领导", "党建",
)
"""What follows a region's name in copy about it (示例区教育局, 某某区委, 某某市第一中学): a name followed by
one of these is a place whatever else is around it."""

SUBJECT_VERBS = ("召开", "举行", "举办", "开展", "印发", "出台", "启动", "部署", "表彰", "命名", "评选")
"""What follows a region's name as the subject of a sentence (，某某区召开……)."""

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True)
class Place:
    """A place name found in a line: the name, and the 0-based column where it starts."""

    name: str
    start: int


def is_cjk(char: str) -> bool:
    return bool(_CJK.fullmatch(char))


def _stem(text: str, end: int) -> tuple[str, bool]:
    """The name before the suffix at `end`, read leftwards, and whether a clear boundary ends it on the left
    (start of text, punctuation, a function word) rather than the length limit."""
    start = end
    while start > 0 and end - start < MAX_STEM:
        char = text[start - 1]
        if not is_cjk(char) or char in BOUNDARY_CHARS:
            return text[start:end], True
        start -= 1
    return text[start:end], start == 0 or not is_cjk(text[start - 1]) or text[start - 1] in BOUNDARY_CHARS


def _ordinary(stem: str, suffix: str) -> bool:
    """Whether `stem + suffix` is an ordinary word rather than a place's name."""
    if len(stem) < 2 or stem[-1] in DETERMINERS:
        return True
    if stem[-1] + suffix in GENERIC_HEADS:
        return True
    return any(stem.endswith(word) for word in COMMON_STEMS)


def _candidates(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, clear left boundary) of every name-shaped span ending in a suffix that is not ordinary."""
    for index, char in enumerate(text):
        if char not in SUFFIXES:
            continue
        stem, bounded = _stem(text, index)
        if not _ordinary(stem, char):
            if not bounded:  # the name's start is not known: its usual two characters are named
                stem = stem[-2:]
            yield index - len(stem), index + 1, bounded


def find_places(text: str, own: Iterable[str] = (), *, context: bool = True) -> list[Place]:
    """The place names in one line of text, except those in `own` (the site's region and its city).

    A name-shaped span (two or three characters before 区, 县 or 市 that do not make an ordinary word) counts as
    a place only when its context says so, so that words like 阅览区 or 大同市场 never do: an institution follows
    it (某某区教育局, 某某区委, 某某市第一中学), it is part of a chain of places (某某省某某市, 某某市某某区, or
    某某区、某某县 after one found), or it opens a sentence as the subject of a verb (，某某区召开……). With
    `context` False every such span counts (for reading the site's own names in site.yaml).
    """
    own_names = [name for name in own if name]
    spans = list(_candidates(text))
    starts = {start for start, _end, _bounded in spans}
    ends = {end for _start, end, _bounded in spans}
    found: list[Place] = []
    listed: set[int] = set()
    for start, end, bounded in spans:
        if any(text[max(0, end - len(name)):end] == name for name in own_names):
            continue
        after = text[end:]
        before = text[start - 1] if start > 0 else ""
        chained = end in starts or start in ends or before == "省" or (before == "、" and start - 1 in listed)
        subject = bounded and (not before or not is_cjk(before)) and after.startswith(SUBJECT_VERBS)
        if not context or chained or subject or after.startswith(INSTITUTIONS):
            found.append(Place(text[start:end], start))
            listed.add(end)
    return found


def own_places(*texts: str | None) -> tuple[str, ...]:
    """The site's own names: every place named in its region, owner, title and description, and the region itself."""
    names: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        compact = "".join(text.split())
        if compact and compact[-1] in SUFFIXES:
            names[compact] = None
        for place in find_places(compact, context=False):
            names[place.name] = None
    return tuple(names)

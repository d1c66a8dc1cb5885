"""Place names in Chinese text (checks/places.py): ordinary words ending in 区/县/市 never count, a region named in
the way copy about it is written always does, and the site's own region and city never do."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.checks.places import find_places, own_places

ROOT = Path(__file__).resolve().parent.parent

ORDINARY = (
    "地区", "自治区", "直辖市", "全市", "社区", "开发区", "自然保护区", "市区", "县市", "行政区", "林区", "示范区",
    "旅游区", "经济特区", "辖区", "景区", "风景区", "城区", "本市", "军区", "省区", "股市", "县级市", "市辖区",
    "省辖市", "示范县", "校区", "该市", "名胜区", "战区", "选区", "特区", "专区", "全县", "地级市", "各市", "产区",
    "禁区", "灾区", "郊区", "技术开发区", "边区", "超市", "县市区", "模范县", "全区", "省市", "保护区", "小区",
    "工业区", "园区", "矿区", "农业区", "误区", "牧区", "市县", "分区", "我市", "集市", "科技园区", "各县", "老区",
    "闹市区", "港区", "居住区", "本县", "商业区", "居民区", "住宅区", "贫困县", "各区", "营区", "该区", "丘陵区",
    "楼市", "街区", "贸易区", "经济区", "游览区", "区县", "聚居区", "展区", "干旱区", "主产区", "库区", "开放区",
    "重灾区", "夜市", "该县", "中小城市", "早市", "休息区", "核心区", "度假区", "保税区", "农牧区", "协作区",
    "文化区", "生活区", "工矿区", "集中区", "试验区", "控制区", "厂区", "地市", "计划单列市", "重点县", "城市",
    "上市", "新区", "山区", "阅览区", "图书区", "种植区", "教学区", "办公区", "运动区", "活动区", "就餐区",
    "实验区", "高新区", "经开区", "老城区", "新城区", "文明城市", "卫生城市", "全国文明城市", "园林城市",
    "书香校区", "智慧校区", "平安校区", "创建示范区", "先行区", "试点县", "试点区", "百强县", "两区", "多个县",
    "一个市",
)
"""Ordinary words ending in 区, 县 or 市 (from a general Chinese word list, with places left out, and from school and
campaign copy). 门市 and 都市 are not among them: 厦门市 and 成都市 end the same, and the cities weigh more."""

PLACES = (
    "洛龙区", "西工区", "涧西区", "吉利区", "偃师区", "孟津区", "新安县", "栾川县", "汝阳县", "宜阳县", "洛宁县",
    "伊川县", "洛阳市", "渝中区", "沙坪坝区", "海淀区", "朝阳区", "郑州市", "开封市", "成都市", "厦门市", "大同市",
    "杭州市", "南海区", "武陵区", "金水区", "中原区", "惠济区", "巩义市", "荥阳市", "新密市", "新郑市", "登封市",
    "中牟县",
)
"""Real places, to be found (names whose last character makes an ordinary word, such as 二七区 or 管城区, are not
promised)."""

LEFT = ("", "，", "。", "在", "到", "由", "与", "和", "、", "全", "我们", "学校", "组织", "近日，", "河南省", "2023年",
        "（", "“", "- ", "示例区")
RIGHT = ("", "，", "。", "的学校", "、", "教育局", "教育体育局党组", "委", "召开", "举行", "第一中学", "实验小学",
         "中小学", "和", "里", "”", "）", "学校", "开展", "市实验小学", "区一实小")
CONTEXTS = ("{}教育局印发通知", "{}委召开会议", "{}教育体育局党组印发实施方案", "{}第一实验小学", "近日，{}召开推进会",
            "河南省{}", "2023年2月，{}教育体育局")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(LEFT), st.sampled_from(ORDINARY), st.sampled_from(RIGHT)), min_size=1,
                max_size=4))
def test_ordinary_words_never_count_as_places(parts: list[tuple[str, str, str]]) -> None:
    text = "".join(left + word + right for left, word, right in parts)
    assert find_places(text, own=("示例区",)) == [], text


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PLACES), st.sampled_from(CONTEXTS), st.sampled_from(("", "示例区的", "全区学校，")),
       st.sampled_from(("", "。全区共有学校30所", "，示范区和开发区")))
def test_a_region_named_as_copy_names_it_is_found(place: str, context: str, before: str, after: str) -> None:
    text = before + context.format(place) + after
    assert place in [found.name for found in find_places(text, own=("示例区",))], text


@given(st.sampled_from(PLACES), st.sampled_from(PLACES))
def test_a_chain_of_places_names_both(city: str, district: str) -> None:
    if city == district or city.endswith("区"):
        return
    names = [found.name for found in find_places(f"在{city}{district}举行", own=("示例区",))]
    assert names == [city, district]


@given(st.sampled_from(PLACES), st.sampled_from(CONTEXTS))
def test_the_sites_own_region_and_city_never_count(place: str, context: str) -> None:
    own = own_places("洛龙区", "洛阳市洛龙区教育体育局党组", "洛龙区中小学校展示")
    assert set(own) == {"洛龙区", "洛阳市"}
    for text in (context.format("洛龙区"), context.format("洛阳市"), context.format("洛阳市洛龙区")):
        assert find_places(text, own) == [], text
    if place not in own:
        assert [found.name for found in find_places(context.format(place), own)] == [place]


def test_the_column_is_where_the_name_starts() -> None:
    found = find_places("2023年2月，洛龙区教育体育局党组印发", own=("示例区",))
    assert [(p.name, p.start) for p in found] == [("洛龙区", 8)]


def test_a_name_whose_start_is_unclear_is_named_by_its_last_two_characters() -> None:
    assert [p.name for p in find_places("组织涧西区教师观摩", own=())] == ["涧西区"]


def test_the_bundled_pages_and_guides_name_no_place_but_their_own() -> None:
    """Real prose: the bundled district's pages name only 洛龙区; the staff guides only the fictional 示例区."""
    own = own_places("洛龙区", "洛阳市洛龙区教育体育局党组")
    for page in sorted((ROOT / "content").rglob("*.md")):
        for line in page.read_text(encoding="utf-8").splitlines():
            assert find_places(line, own) == [], (page.name, line)
    for guide in ("EDITING.md", "CONTRIBUTING.md"):
        for line in (ROOT / guide).read_text(encoding="utf-8").splitlines():
            assert find_places(line, own=("示例区", "示例市")) == [], (guide, line)

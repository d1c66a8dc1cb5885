"""The typed records staff write: site, branches, honour lists, events."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from generator.records.yamlfile import written_text
from generator.sanitize import clean

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ID_RE = re.compile(ID_PATTERN)
REF_PATTERN = r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*/)*[a-z0-9]+(?:-[a-z0-9]+)*$"
"""A branch named from a list or an event: its id, or in a city's data its member region's id, “/” and its id
(`luolong/qu-yishixiao`; a province's: `luoyang/luolong/qu-yishixiao`)."""
PERIOD_PATTERN = r"^[0-9]{4}(?:Q[1-4]|-(?:0[1-9]|1[0-2]))?$"

DEFAULT_LEVELS: tuple[str, ...] = ("国家级", "省级", "市级", "区级")
KINDS: tuple[str, ...] = ("幼儿园", "小学", "初中", "九年一贯制", "高中", "完全中学", "特殊教育", "其他")
EVENT_KINDS: tuple[str, ...] = ("观摩推进会", "观摩评比", "现场会", "培训", "其他")
"""The event types a region uses when site.yaml does not list its own (`event_kinds`)."""
MAX_STARS = 10
"""The most stars a rating scheme may have (site.yaml `stars`: a number or the stars' names)."""

SECTION_KEYS: tuple[str, ...] = ("home", "members", "honours", "branches", "brands", "events", "teachers", "about",
                                 "downloads")
DEFAULT_SECTION_TITLES: dict[str, str] = {
    "home": "首页", "honours": "荣誉榜", "branches": "支部风采", "brands": "品牌展厅", "events": "活动动态",
    "teachers": "教师荣誉", "about": "关于", "downloads": "数据下载", "members": "各地区",
}
"""The sections' titles when site.yaml's `sections` does not name them: plain words that fit any region."""
MARKDOWN_FIELDS: frozenset[str] = frozenset({"intro", "story", "body", "about"})

Kind = Literal["幼儿园", "小学", "初中", "九年一贯制", "高中", "完全中学", "特殊教育", "其他"]
HonourStatus = Literal["命名", "公示", "候选", "撤销"]
STATUSES: tuple[str, ...] = ("命名", "公示", "候选", "撤销")
NAMED, PUBLIC_NOTICE, CANDIDATE, REVOKED = STATUSES
PENDING_KEY = "待确认"
"""The key `fivestar import` writes on a recipient it matched only loosely: `fivestar check` refuses the item until a
person confirms it (deletes the key) or corrects it. A Chinese key on purpose: staff see at once what it asks."""


EARLIEST_DATE = dt.date(1949, 10, 1)
LATEST_DATE = dt.date(2100, 12, 31)
"""Every date in the records lies between these (inclusive); years and periods too. Later than 2100 is a typing
slip (2203 for 2023), and the downloads could not even record it (a zip file holds dates up to 2107)."""


EPOCH_ENV = "SOURCE_DATE_EPOCH"
"""The build time of a reproducible build, in whole seconds since 1970 (https://reproducible-builds.org)."""
MAX_EPOCH = 2**32 - 1
"""The latest SOURCE_DATE_EPOCH any output can hold: gzip headers keep four bytes of seconds (2106-02-07)."""
_EPOCH = re.compile(r"\s*[0-9]{1,10}\s*")


def build_epoch(text: str | None) -> int | None:
    """SOURCE_DATE_EPOCH as a number of seconds, None when unset or empty; ValueError when it is not one."""
    if text is None or not text.strip():
        return None
    if not _EPOCH.fullmatch(text) or int(text) > MAX_EPOCH:
        raise ValueError(text)
    return int(text)


def epoch_of(day: dt.date) -> int:
    """Midnight UTC of a day as SOURCE_DATE_EPOCH, held inside what every output can record."""
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return min(max(int(midnight.timestamp()), 0), MAX_EPOCH)


def _as_text(value: Any) -> Any:
    """Text exactly as written where YAML read a number or a date: `0123` stays 0123, `12:30:00` stays 12:30:00.

    A plain number or a YYYY-MM-DD date is its own text (`2023`, `2023-06-02`); any other form carries the text
    the file holds (see `yamlfile.WrittenInt`). Booleans (yes/no/on/off) are not text and are refused.
    """
    if isinstance(value, int | float | dt.date) and not isinstance(value, bool):
        return str(written_text(value))
    return value


_DECIMAL_TEXT = re.compile(r"-?(?:0|[1-9][0-9]*)")


def _as_integer(value: Any) -> Any:
    """An integer field takes plain decimal digits only: never what YAML made of `0123`, `0x1F`, `1_000`, `yes`.

    Used as a field validator on every integer field (an Annotated validator would hide the bounds from the
    JSON Schema that VS Code reads)."""
    if isinstance(value, bool):
        raise PydanticCustomError("number_form", "a yes/no value where a number is meant",
                                  {"written": str(value).lower(), "number": ""})
    text = getattr(value, "text", None)
    if isinstance(text, str) and not _DECIMAL_TEXT.fullmatch(text):
        raise PydanticCustomError("number_form", "a number not written in plain digits",
                                  {"written": text, "number": str(value)})
    return value


def _in_date_range(value: dt.date) -> dt.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise PydanticCustomError("date_range", "a date out of range",
                                  {"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()})
    return value


def _period_in_range(value: str) -> str:
    if re.match(r"[0-9]{4}", value) and not EARLIEST_DATE.year <= int(value[:4]) <= LATEST_DATE.year:
        raise PydanticCustomError("date_range", "a period out of range",
                                  {"earliest": str(EARLIEST_DATE.year), "latest": str(LATEST_DATE.year)})
    return value


Id = Annotated[str, Field(pattern=ID_PATTERN, description="记录编号：小写字母、数字和连字符")]
Ref = Annotated[str, Field(pattern=REF_PATTERN, description="支部编号；市级数据里成员地区的支部写成 地区编号/支部编号，"
                                                             "如 luolong/qu-yishixiao")]
Text = Annotated[str, BeforeValidator(_as_text), AfterValidator(clean), Field(min_length=1)]
"""Plain text as written: characters a reader cannot see (direction overrides, zero-width, control) are dropped
on load; characters no XML may hold are refused when the file is read (yamlfile.ILLEGAL)."""
Period = Annotated[str, BeforeValidator(_as_text), Field(pattern=PERIOD_PATTERN), AfterValidator(_period_in_range)]
Date = Annotated[dt.date, AfterValidator(_in_date_range)]
"""A date YYYY-MM-DD between EARLIEST_DATE and LATEST_DATE."""


class PartialDate(dt.date):
    """A date only as precise as its source: a year (2019), a month (2019-10) or a day (2019-10-09).

    It is a `date` (the first day of its period) so that it sorts and compares with other dates; it writes
    itself back as it was given (`isoformat`, `str`) and in Chinese as 2019年, 2019年10月 or 2019年10月9日, so a
    report that gives only a month is never shown with an invented day.
    """

    precision: Literal["year", "month", "day"]

    def __new__(cls, year: int, month: int | None = None, day: int | None = None) -> PartialDate:
        if day is not None and month is None:
            raise ValueError("a day needs a month")
        self = super().__new__(cls, year, month or 1, day or 1)
        self.precision = "day" if day is not None else "month" if month is not None else "year"
        return self

    @classmethod
    def of(cls, value: dt.date) -> PartialDate:
        """A full date as a PartialDate of day precision (a PartialDate stays as it is)."""
        return value if isinstance(value, PartialDate) else cls(value.year, value.month, value.day)

    def __reduce__(self) -> tuple[Any, ...]:
        return PartialDate, self.parts

    @property
    def parts(self) -> tuple[int, int | None, int | None]:
        return (self.year, self.month if self.precision != "year" else None,
                self.day if self.precision == "day" else None)

    def isoformat(self) -> str:
        if self.precision == "year":
            return f"{self.year:04d}"
        if self.precision == "month":
            return f"{self.year:04d}-{self.month:02d}"
        return super().isoformat()

    __str__ = isoformat

    def __repr__(self) -> str:
        return f"PartialDate({self.isoformat()!r})"

    def chinese(self) -> str:
        """2019年, 2019年10月 or 2019年10月9日."""
        text = f"{self.year}年"
        if self.precision != "year":
            text += f"{self.month}月"
        if self.precision == "day":
            text += f"{self.day}日"
        return text

    @property
    def last_day(self) -> dt.date:
        """The last day of its period (a plain date): where a whole day is needed, as in a feed's timestamp."""
        if self.precision == "year":
            return dt.date(self.year, 12, 31)
        if self.precision == "month":
            following = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date(self.year, self.month, self.day)


PARTIAL_DATE_PATTERN = r"^[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?$"
_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


def partial_date(value: Any) -> Any:
    """YYYY, YYYY-MM or YYYY-MM-DD as a PartialDate; anything else is left for the date check to refuse."""
    if isinstance(value, bool | dt.datetime):
        return value
    if isinstance(value, dt.date):
        return PartialDate.of(value)
    if isinstance(value, int):
        value = str(written_text(value))
    if isinstance(value, str) and (match := _PARTIAL_DATE.fullmatch(value.strip())):
        year, month, day = (int(g) if g else None for g in match.groups())
        try:
            return PartialDate(year, month, day)
        except ValueError:
            raise PydanticCustomError("partial_date", "no such month or day", {"written": value}) from None
    return value


MonthDate = Annotated[
    dt.date, BeforeValidator(partial_date), AfterValidator(_in_date_range),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "date"},
                              {"type": "string", "pattern": r"^[0-9]{4}-(?:0[1-9]|1[0-2])$"},
                              {"type": "integer", "minimum": EARLIEST_DATE.year, "maximum": LATEST_DATE.year}]}),
]
"""A date as precise as the source gives it (see PartialDate): every record date but site.as_of."""


class Record(BaseModel):
    """Base for every record: immutable, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Footer(Record):
    site_code: Text | None = Field(None, description="网站标识码（政府网站由上级主管单位分配），如 4103000001")
    conac_url: Text | None = Field(None, description="党政机关网站标识的证书链接（https://…），开办单位提供")
    conac_image: Text | None = Field(None, description="党政机关网站标识图片，放在 data/images/ 里，如 "
                                                       "images/logos/conac.png；网站不从别的网站加载图片")
    icp: Text | None = Field(None, description="ICP 备案号，如 豫ICP备XXXXXXXX号")
    police: Text | None = Field(None, description="公安备案号，如 豫公网安备XXXXXXXXXXXXXX号")
    report_url: Text | None = Field(None, title="纠错页面链接", description="纠错（找错）页面的链接（https://…），不需要就不写")
    ipv6: bool = Field(False, title="支持 IPv6", description="网站支持 IPv6 时写 true，页脚显示“本网站支持IPv6”")
    contact: Text | None = Field(None, description="对外公开的联系方式，如办公室电话（须在白名单内）")


StarCount = Annotated[int, Field(ge=1, le=MAX_STARS, strict=True)]  # strict: `stars: true` is not 1 star
StarNames = Annotated[list[Text], Field(min_length=1, max_length=MAX_STARS)]


class SectionTitles(Record):
    """The nav titles of the site's sections, where a region words them its own way."""

    home: Text | None = Field(None, description="首页（默认“首页”）")
    honours: Text | None = Field(None, description="荣誉名单栏目（默认“荣誉榜”）")
    branches: Text | None = Field(None, description="支部栏目（默认“支部风采”）")
    brands: Text | None = Field(None, description="党建品牌栏目（默认“品牌展厅”）")
    events: Text | None = Field(None, description="活动栏目（默认“活动动态”），如 创建动态")
    teachers: Text | None = Field(None, description="教师个人荣誉栏目（默认“教师荣誉”），如 师德风采")
    about: Text | None = Field(None, description="关于本站（默认“关于”）")
    downloads: Text | None = Field(None, description="下载栏目（默认“数据下载”）")
    members: Text | None = Field(None, description="成员地区栏目（市、省网站，默认“各地区”），如 各区县")


class Member(Record):
    """A member region of a city (or a city of a province): its data folder, checked on its own."""

    id: Id = Field(description="成员地区编号：网址的一部分（如 luolong → /luolong/branches/…），加入后不要再改")
    path: Text = Field(title="数据文件夹", description="成员地区的数据文件夹，相对本 site.yaml 所在文件夹，"
                                                  "如 ../../luolong/data 或 members/luolong")


STALE_AFTER_DAYS = 180
"""Default of site.yaml `stale_after_days`: a 数据截至 date older than this many days is warned about."""
COLUMN_STALE_DAYS: dict[str, int] = {"events": 90, "honours": 365, "teachers": 365}
"""Default of site.yaml `column_stale_days`: a column whose newest item is older than this is warned about."""


class ColumnStaleDays(Record):
    """Per column: after how many days without a new item `fivestar check` warns (0: never)."""

    events: int | None = Field(None, ge=0, description="活动栏目：最新一项活动（或动态）超过多少天就提醒"
                                                     "（默认 90；写 0 不提醒）")
    honours: int | None = Field(None, ge=0, description="荣誉名单栏目：最新一份名单超过多少天就提醒"
                                                      "（默认 365；写 0 不提醒）")
    teachers: int | None = Field(None, ge=0, description="教师个人荣誉栏目：最新一份个人名单超过多少天就提醒"
                                                       "（默认 365；写 0 不提醒）")

    _plain_numbers = field_validator("events", "honours", "teachers", mode="before")(_as_integer)

    def days(self, column: str) -> int:
        given = getattr(self, column)
        return COLUMN_STALE_DAYS[column] if given is None else given


class WordingEntry(Record):
    """One wording rule of the region's own (site.yaml `wording`): a wrong form, its right form, warn or refuse."""

    wrong: Text = Field(description="错误的写法，逐字写出，如 示例县（检查时忽略空格和换行）")
    right: Text = Field(description="正确的写法，如 示例区")
    refuse: bool = Field(False, title="出现就报错", description="true：出现就报错，网站不生成；不写或 false：只提醒")
    note: Text | None = Field(None, description="说明或依据，如 2021年撤县设区")


class Site(Record):
    title: Text = Field(description="网站标题")
    owner: Text = Field(description="发布单位，如 示例市示例区教育局党组")
    region: Text = Field(description="数据覆盖的地区，如 示例区；也是“共有……”句子的主语")
    as_of: Date = Field(description="数据截至日期（YYYY-MM-DD），显示在每份名单和下载文件上")
    branch_count: int | None = Field(None, ge=0, description="本地区党支部总数（不是每个支部都有记录时填写）")
    stars: StarCount | StarNames | None = Field(
        None, description="星级评定：本地区不评星级就不写（网站上不出现任何星级）；评星级时写星的个数，如 5，"
                          "或按顺序写出各颗星的名称")
    campaign: Text | None = Field(None, description="创建活动的名称，如 “五星”支部创建；写在活动栏目的介绍和搜索里，"
                                                    "不写就不提")
    sections: SectionTitles | None = Field(None, description="栏目名称，只写要改的，如 events: 创建动态")
    event_kinds: list[Text] | None = Field(None, min_length=1, description="活动类型的可选值（默认：观摩推进会、"
                                                                         "观摩评比、现场会、培训、其他）")
    levels: list[Text] = Field(
        default_factory=lambda: list(DEFAULT_LEVELS), min_length=1, description="荣誉级别，从高到低"
    )
    description: Text | None = Field(None, description="一句话介绍本网站")
    about: Text | None = Field(None, description="“关于”页面正文（Markdown）")
    source: Text | None = Field(None, description="数据来源说明，如所依据的报道或文件")
    footer: Footer | None = Field(None, description="页脚：备案号与联系方式")
    adult_roles: list[Text] | None = Field(
        None, description="允许公开姓名的成年人身份，补充在默认名单（教师、班主任、校长、书记、主任、辅导员、教练、"
                          "园长、教研员等）之后，如 保育员、校医；学生的身份不能加"
    )
    stale_after_days: int = Field(STALE_AFTER_DAYS, ge=0, title="数据截至日期过期提醒天数",
                                  description="数据截至日期（as_of）早于今天多少天就提醒"
                                                                      "（默认 180；写 0 不提醒）")
    column_stale_days: ColumnStaleDays | None = Field(
        None, description="各栏目多少天没有新内容就提醒：events（活动，默认 90）、honours（荣誉名单，默认 365）、"
                          "teachers（教师荣誉，默认 365）；写 0 不提醒")
    members: list[Member] | None = Field(
        None, min_length=1, title="成员地区",
        description="市、省网站：各成员地区（区县，或省里的市）的编号和数据文件夹；每个成员地区自己也能单独检查、"
                    "单独建站。区县网站不写")
    wording: list[WordingEntry] | None = Field(
        None, description="本地区的规范表述：每项写 wrong（错误写法）、right（正确写法），"
                          "需要报错的加 refuse: true；补充在默认清单之后，如地名、单位名称的常见错写")

    _plain_numbers = field_validator("branch_count", "stale_after_days", mode="before")(_as_integer)

    def stale_days(self, column: str) -> int:
        """After how many days without a new item a column is warned about (0: never)."""
        if self.column_stale_days is None:
            return COLUMN_STALE_DAYS[column]
        return self.column_stale_days.days(column)

    @property
    def star_names(self) -> list[str]:
        """The stars' names, in order; empty when the scheme gives only their number, or there is no rating."""
        return list(self.stars) if isinstance(self.stars, list) else []

    @property
    def star_max(self) -> int:
        """How many stars a branch can earn; 0: this region does not rate its branches."""
        if isinstance(self.stars, list):
            return len(self.stars)
        return self.stars or 0

    @property
    def kinds_of_event(self) -> tuple[str, ...]:
        return tuple(self.event_kinds) if self.event_kinds else EVENT_KINDS

    def section_title(self, key: str) -> str:
        """The nav title of a section (`SECTION_KEYS`): site.yaml's wording, else the plain default."""
        given = getattr(self.sections, key, None) if self.sections else None
        return given or DEFAULT_SECTION_TITLES[key]


class Photo(Record):
    file: Text = Field(title="图片", description="图片路径，相对于 data/ 文件夹，如 images/photos/xxx.jpg")
    caption: Text = Field(description="图片说明（也用作无障碍替代文字）")


class Brand(Record):
    name: Text = Field(description="党建品牌名称，如 红·星闪闪")
    slogan: Text | None = Field(None, description="品牌口号或释义")
    story: Text | None = Field(None, description="品牌故事（Markdown）")
    logo: Text | None = Field(None, title="品牌标识图片", description="品牌标识图片路径，相对于 data/")
    photos: list[Photo] = Field(default_factory=list, description="品牌相关照片")
    note: Text | None = Field(None, description="编者备注（公开显示），如对原文写法的说明")


class StarRating(Record):
    period: Period = Field(description="评定期，如 2023、2023Q2 或 2023-06")
    count: int = Field(ge=0, le=MAX_STARS, description="星数，0 到 site.yaml 里 stars 的星数")
    earned: list[Text] | None = Field(
        None, description="已获得的星名称，取自 site.yaml 的 stars；填写时个数须等于 count"
    )

    _plain_numbers = field_validator("count", mode="before")(_as_integer)


class Branch(Record):
    id: Id = Field(description="支部编号（由文件名决定，不要在文件里写）")
    name: Text = Field(title="简称", description="新闻稿中使用的简称，如 区一实小；用于名单和新闻稿句")
    full_name: Text | None = Field(None, description="正式全称，只在确知时填写")
    aliases: list[Text] = Field(default_factory=list, description="其他常见叫法，如 一实小；用于搜索和名单匹配")
    kind: Kind | None = Field(None, description="学校类型")
    parent: Id | None = Field(None, title="所属主校", description="所属主校的编号（校区、分校填写）")
    stars: list[StarRating] = Field(default_factory=list, description="星级评定记录，从早到晚")
    brand: Brand | None = Field(None, description="党建品牌")
    intro: Text | None = Field(None, description="支部简介（Markdown）")
    secretary: Text | None = Field(None, description="支部书记姓名")
    note: Text | None = Field(None, description="编者备注（公开显示），如数据来源或待核实事项")

    @property
    def current_stars(self) -> StarRating | None:
        return self.stars[-1] if self.stars else None


class Recipient(Record):
    branch: Ref = Field(description="获奖支部（学校）的编号；荣誉授予党建品牌时改写 brand")
    brand: Ref | None = Field(None, description="荣誉授予该支部的党建品牌（项目）时，写支部编号，"
                                               "如 {brand: qu-yishixiao}")
    person: Text | None = Field(None, description="获奖个人姓名（个人荣誉填写）")
    role: Text | None = Field(None, description="个人的身份，如 教师、校长")
    grade: Text | None = Field(None, description="名单内的等次或等级，按文件原样写，如 5A、一等奖、优秀")
    note: Text | None = Field(None, description="这一项的备注（公开显示）")
    pending: Text | None = Field(
        None, alias=PENDING_KEY,
        description="导入时近似匹配、还没有人确认的一项（fivestar import 写的）：核对 branch 就是表中那所学校后，"
                    "删掉“待确认”这一行；不是就改正 branch 或删掉这一项。写着它时数据检查不通过")

    @model_validator(mode="before")
    @classmethod
    def _from_id(cls, value: Any) -> Any:
        """A bare id is a branch; `{brand: id}` names the branch whose brand project holds the honour."""
        if isinstance(value, str):
            return {"branch": value}
        if isinstance(value, dict) and value.get("brand") is not None and value.get("branch") is None:
            return {**value, "branch": value["brand"]}
        return value

    @property
    def is_brand(self) -> bool:
        return self.brand is not None


class HonourList(Record):
    id: Id = Field(description="名单编号（由文件名决定，不要在文件里写）")
    title: Text = Field(description="荣誉名称，不含级别，如 平安校园、文明校园")
    level: Text = Field(description="级别：国家级、省级、市级或区级")
    year: int | None = Field(None, ge=EARLIEST_DATE.year, le=LATEST_DATE.year, description="年度；“累计共有”的荣誉不填")
    recipients: list[Recipient] = Field(min_length=1, description="获奖名单，按公布顺序")
    total: int | None = Field(None, ge=1, description="实际总数（名单只列出部分时填写，即“等N所”的 N）")
    issuer: Text | None = Field(None, description="发文单位")
    document: Text | None = Field(None, description="文号，如 教安全〔2023〕200号")
    date: MonthDate | None = Field(
        None, description="发文或公布日期：YYYY-MM-DD；原文只写到月或年时写 YYYY-MM 或 YYYY，不要自己补日子")
    source: Text | None = Field(None, description="公布来源：网址或文件名")
    note: Text | None = Field(None, description="编者备注（公开显示）")
    status: HonourStatus = Field(
        "命名", description="名单状态：命名（正式命名，默认）、公示（拟命名，正在公示）、候选（候选名单）、"
                            "撤销（已撤销，只作记录，不计入任何数字）")
    batch: Text | None = Field(None, description="批次或届次，按文件原样写，如 第二批、第三届")
    official: Text | None = Field(None, description="文件里印的完整荣誉名称，一字不改，如 全国文明校园；"
                                                    "title 和 level 仍用于归类")
    cumulative: bool = Field(False, title="累计总名单", description="true：这是截至发布日期的累计总名单（历年累计），"
                                                "不是某一年新增的名单")
    scope: Text | None = Field(None, title="名单范围", description="名单本身的范围比本地区大时填写，如 全市、全省")
    scope_total: int | None = Field(None, ge=1, title="名单范围内总数",
                                    description="整份名单在 scope 范围内的总数，如全市共 98 所就写 98")

    @property
    def is_counted(self) -> bool:
        """A 命名 list: the only kind that counts towards figures and running totals."""
        return self.status == NAMED

    _plain_numbers = field_validator("year", "total", mode="before")(_as_integer)

    @property
    def is_individual(self) -> bool:
        return any(r.person for r in self.recipients)

    @property
    def listed(self) -> int:
        """How many holders the list names (a school listed under two grades is one)."""
        return len({(r.branch, r.person, r.is_brand) for r in self.recipients})

    @property
    def count(self) -> int:
        """How many the region holds: `total` when given, otherwise the number listed."""
        return self.total or self.listed

    @property
    def is_partial(self) -> bool:
        return self.count > self.listed


class Person(Record):
    name: Text = Field(description="姓名")
    title: Text | None = Field(None, description="职务，如 局党组成员、副局长")
    part: Text | None = Field(None, description="在活动中做了什么，如 讲话、点评、总结")


class Event(Record):
    id: Id = Field(description="活动编号（由文件名决定，不要在文件里写）")
    date: MonthDate = Field(description="日期：YYYY-MM-DD；原文只写到月或年时写 YYYY-MM 或 YYYY，不要自己补日子")
    title: Text = Field(description="活动名称")
    kind: Text | None = Field(None, description="活动类型，取自 site.yaml 的 event_kinds（默认：观摩推进会、观摩评比、"
                                                 "现场会、培训、其他）", examples=list(EVENT_KINDS))
    level: Text | None = Field(None, description="主办层级，如 区级、市级")
    venue: Ref | None = Field(None, description="举办地点（支部编号）")
    branches: list[Ref] = Field(default_factory=list, title="参加的支部", description="参加的支部编号，按顺序")
    total: int | None = Field(None, ge=1, description="参加支部总数（只列出部分时填写）")
    people: list[Person] = Field(default_factory=list, description="出席领导及其活动")
    photos: list[Photo] = Field(default_factory=list, description="活动照片")
    body: Text | None = Field(None, description="活动概述（Markdown，用自己的话写）")
    note: Text | None = Field(None, description="编者备注（公开显示）")

    _plain_numbers = field_validator("total", mode="before")(_as_integer)

    @property
    def count(self) -> int:
        return self.total or len(self.branches)


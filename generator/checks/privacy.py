"""Personal data that must never be published: detection, masking, and the allow-list comment."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.dataset import Dataset
from generator.quotes import quoted
from generator.records.problems import Problem, Severity
from generator.records.yamlfile import Loc, YamlFile, locate_text
from generator.sanitize import INVISIBLE

ALLOW_MARK = "fivestar: 公开号码"
"""The comment that allows one known public number (a switchboard) on its line.

In YAML write it as a comment at the end of the line: `contact: 0379-6123 4567  # fivestar: 公开号码`;
in Markdown as `<!-- fivestar: 公开号码 -->` on the same line. `公开邮箱` and `公开地址` work too, and so does a
full-width colon. ID-card and mobile numbers and students' names are never allowed, even where another
pattern (a landline) also matches them. Every allowed value is listed in the report.
"""

ALLOWED_PREFIX = "已按标记允许公开："
"""Every problem that reports an allowed value starts its message with this."""

STUDENT_NAME = "学生姓名"
"""The kind of finding for a pupil's name in running text."""

_ALLOW_YAML = re.compile(r"#\s*fivestar\s*[:：]\s*公开")
_ALLOW_HTML = re.compile(r"<!--\s*fivestar\s*[:：]\s*公开.*?-->")
NEVER_ALLOWED = frozenset({"身份证号", "身份证号（15位）", "手机号", STUDENT_NAME})

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_ID18 = re.compile(rf"[1-9][0-9]{{5}}(?:18|19|20)[0-9]{{2}}{_DATE}[0-9]{{3}}[0-9Xx]")
"""The shape of an 18-character ID: a region code, a plausible birth date, any check character (right or not)."""
_ID15 = re.compile(rf"[1-9][0-9]{{7}}{_DATE}[0-9]{{3}}")
_MOBILE = re.compile(r"(?:(?:00)?86|0)?1[3-9][0-9]{9}")
"""A mobile number's digits, with or without the country prefix (86, 0086) or a long-distance 0."""
_SEPARATOR = r"[ \-./_()\n]"
"""What people put between the digit groups of one number (after folding): spaces, dashes, dots, slashes,
underscores, brackets, and the line breaks of a wrapped `|` block."""
_CHAIN = re.compile(rf"(?<![0-9])(?=[0-9][0-9Xx \-./_()\n]{{10}})[0-9]+[Xx]?"
                    rf"(?:{_SEPARATOR}{{1,3}}(?:[0-9]+[Xx]?|[Xx]))*")
"""Digit groups joined by at most three separators, at least eleven characters long: where an ID or a mobile
number can hide, however it is grouped or wrapped."""
_GROUP = re.compile(r"[0-9]+[Xx]?|[Xx]")
_AREA = r"(?:10|2[0-9]|[3-9][0-9]{2})"
_LANDLINE = re.compile(rf"(?<![0-9])(?:(?:\+|00) ?86[ -]?\(?0?{_AREA}\)?[ -]?|\(0{_AREA}\) ?|0{_AREA}[ -]?)"
                       r"[2-9][0-9]{2,3}[ -]?[0-9]{4}(?: ?(?:转|-|ext\.?) ?[0-9]{1,5})?(?![0-9])")
_AT = r"(?: ?@ ?| ?[\[(] ?(?i:at) ?[\])] ?| +(?i:at) +|#)"
_DOT = r"(?:\.|。| ?[\[(] ?(?i:dot) ?[\])] ?| +(?i:dot) +)"
_EMAIL = re.compile(rf"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{{1,64}}{_AT}"
                    rf"[A-Za-z0-9-]{{1,63}}(?:{_DOT}[A-Za-z0-9-]{{1,63}}){{0,8}}{_DOT}[A-Za-z]{{2,24}}"
                    r"(?![A-Za-z0-9-])")
"""An e-mail address, also written to dodge robots: name＠163．com, name[at]163.com, name (at) 163 (dot) com,
name at 163 dot com, name#163.com, name@163。com."""
_ROAD = r"(?:路|街|大道|大街|巷|胡同|弄|(?<![这那哪心家夜千公英海])里)"
_NUMBER = r"(?:[0-9]{1,5}|[一二两三四五六七八九十百零〇]{1,6})"
_HOUSE = r"[0-9]{1,4} ?(?:号楼|栋|幢)"
_ADDRESS = re.compile(
    rf"[\u4e00-\u9fff]{{0,6}}{_ROAD} ?{_NUMBER}(?:-[0-9]{{1,5}})? ?(?:弄 ?{_NUMBER} ?)?号(?:院|楼)?"
    rf"|[\u4e00-\u9fff]{{0,6}}{_ROAD} ?[0-9]{{1,5}} ?弄"
    rf"|[\u4e00-\u9fff]{{1,6}}(?:小区|花园|公寓|家园|新村|社区) ?(?:[0-9]{{1,4}} ?号院 ?)?{_HOUSE}"
    r"(?: ?[0-9]{1,3} ?单元)?(?: ?[0-9]{1,5} ?(?:室|号|户)?)?"
    rf"|{_HOUSE} ?[0-9]{{1,3}} ?单元(?: ?[0-9]{{1,5}} ?(?:室|号|户)?)?"
    rf"|{_HOUSE} ?[0-9]{{1,5}} ?(?:室|户)"
    r"|[\u4e00-\u9fff]{1,6}村 ?[0-9]{1,3} ?组"
)
_ADDRESS_HINT = re.compile(r"(?:路|街|大道|巷|胡同|弄|里|村) ?[0-9]|[0-9] ?(?:号楼|栋|幢)"
                           r"|(?:路|街|大道|巷|胡同|弄|里) ?[一二两三四五六七八九十百零〇]{1,6} ?号")
"""What every address form above must hold: a cheap search before the slow pattern."""
_DIGIT = re.compile(r"[0-9]")
_URL = re.compile(r"(?i)\b(?:https?|ftp)://[A-Za-z0-9\-._~:/?#\[\]@$&+=%]+")
"""A web address ends at the first character that cannot be in one, as written (before folding): a full-width
comma, a Chinese character or a space ends it, so a number after it is still scanned."""

# Characters a reader cannot see are ignored when scanning, exactly as generator.sanitize drops them before
# publishing: otherwise 139\u200b0000\u200b0000 would pass the scan and be published as 13900000000.
_IGNORED = re.compile(f"{INVISIBLE.pattern}|\r")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u30fc"), "-")
_SPACES = dict.fromkeys(map(ord, "\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                                 "\u202f\u205f\u3000"), " ")
_TRADITIONAL = dict(zip(
    "學師長書記員導輔練職務隊紅領優級幹區黨發號樓單廣東們門園兒會與參獲榮這裡裏鄉鎮莊衛衞標達時處體組織傳團總"
    "點評講話屆國際華陳張劉楊黃趙吳孫馬鄭謝韓馮鄧蕭葉蘇呂盧鍾譚陸範賈鄒閻龍賀顧龔萬錢嚴湯溫聶魯歐關蘭紀淩畢"
    "塗駱藍遊閔鮑齊喬龐顏鄔邊樂獎賽還將對從為個兩語數寫畫讀動勞軍愛綠環網絡頁郵電碼機戶棟條縣聯歲孫寶貝課業專"
    "幫夥顆舉辦緒結績選誰護齡壯亞偉傑勝則剛軟強彥憶戰擬敘曉業楨歡滿瀟濤瑩琳璽確禮譽豐貞賢輝鈞錦鳳麗龍鵬",
    "学师长书记员导辅练职务队红领优级干区党发号楼单广东们门园儿会与参获荣这里里乡镇庄卫卫标达时处体组织传团总"
    "点评讲话届国际华陈张刘杨黄赵吴孙马郑谢韩冯邓萧叶苏吕卢钟谭陆范贾邹阎龙贺顾龚万钱严汤温聂鲁欧关兰纪凌毕"
    "涂骆蓝游闵鲍齐乔庞颜邬边乐奖赛还将对从为个两语数写画读动劳军爱绿环网络页邮电码机户栋条县联岁孙宝贝课业专"
    "帮伙颗举办绪结绩选谁护龄壮亚伟杰胜则刚软强彦忆战拟叙晓业桢欢满潇涛莹琳玺确礼誉丰贞贤辉钧锦凤丽龙鹏",
    strict=True))
"""Traditional characters that matter in roles, pupil words, names and addresses, one for one to simplified."""


@dataclass(frozen=True)
class Finding:
    """One piece of personal data in a text: what it is, where it is, and how to show it masked."""

    kind: str
    start: int
    end: int
    masked: str


def is_id_number(value: str) -> bool:
    """An 18-digit mainland ID number whose check digit is right."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def mask(value: str, keep_head: int = 6, keep_tail: int = 4) -> str:
    """110105********1234: enough to find the value, not enough to publish it."""
    digits = value.strip()
    if len(digits) <= keep_head + keep_tail:
        return digits[:2] + "*" * max(len(digits) - 2, 0)
    return digits[:keep_head] + "*" * (len(digits) - keep_head - keep_tail) + digits[-keep_tail:]


class _FoldTable(dict[int, str]):
    """`str.translate` table for `_fold_char`, filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


def _fold_char(ch: str) -> str:
    """One character as the scanner reads it: compatibility forms (NFKC), full-width forms, other digits, odd
    spaces and dashes made plain, and traditional characters simplified, always one character for one."""
    if ch.isascii():
        return ch
    if ch.isdecimal():
        return str(unicodedata.decimal(ch))
    if ch in _TRADITIONAL:
        return _TRADITIONAL[ch]
    compatible = unicodedata.normalize("NFKC", ch)
    if len(compatible) == 1:
        ch = compatible
    return ch.translate(_DASHES).translate(_SPACES)


_FOLD_TABLE = _FoldTable()
_FOLDED = re.compile("[^\x00-\x7f\u4e00-\u9fff]|[" + "".join(_TRADITIONAL) + "]")
"""A character `_fold_char` may change: anything but ASCII and CJK ideographs, and the traditional ones."""


def normalise(text: str) -> tuple[str, Sequence[int]]:
    """The text as the scanner reads it, and for each of its characters the offset in the original text.

    Full-width digits and letters become ASCII, compatibility forms their plain form, Unicode dashes `-`, odd
    spaces a plain space, traditional characters simplified, and invisible characters (zero-width spaces,
    direction marks) vanish, so that `１３８​１２３４​５６７８` is read as the mobile number it is. The returned
    map has one extra entry: the original length.
    """
    if not _IGNORED.search(text):  # the usual case: one character for one, folded in C when there is any
        return text.translate(_FOLD_TABLE) if _FOLDED.search(text) else text, range(len(text) + 1)
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if _IGNORED.match(ch):
            continue
        chars.append(_fold_char(ch))
        offsets.append(i)
    offsets.append(len(text))
    return "".join(chars), offsets


def fold_words(text: str) -> str:
    """A role or a title as the rules read it: folded like the scanner, without any space."""
    return re.sub(r"\s+", "", normalise(text)[0])


def _mask_address(text: str) -> str:
    return re.sub(r"[0-9一二两三四五六七八九十百零〇]", "*", text)


def _mask_email(text: str) -> str:
    plain = re.sub(_DOT, ".", re.sub(_AT, "@", text))
    local, _, domain = plain.partition("@")
    return local[:1] + "***@" + domain


# -- pupils' names in running text ---------------------------------------------------------------------------
# A Chinese name has no delimiter: it is read as a common surname and one or two more characters, right after a
# word that names a pupil (学生张三), a grade or class (三年级二班李四), or right before 同学 (王小明同学), and it
# must end where a name ends: before a character that is not Chinese or a word that follows names (在, 获, 等…).

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任"
            "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
            "汤牛樊葛邢伍庞颜倪庄聂章鲁岳翟殷詹欧耿兰焦俞柳祝舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝辛靳柴蒙"
            "鲍华喻祁蒲房滕饶牟艾尤穆卓缪芦麦褚娄窦戚岑宫卜冷晏席柏瞿桂佟臧闵苟邬卞姬仇栾隋刁巫寇桑郎甄丛仲虞"
            "敖巩佘池迟邝萧阎")
"""Common surnames. Characters that mostly start ordinary words (和, 于, 时, 全, 成, 文, 安, 党…) are left out."""
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "夏侯", "皇甫", "尉迟", "公孙", "慕容", "令狐", "宇文",
                     "长孙", "司徒", "端木", "呼延")
_NOT_NAMES = ("高年级", "高中", "高考", "高度", "高兴", "高效", "高质量", "高标准", "高水平", "高一", "高二", "高三",
              "马上", "马拉松", "金牌", "金奖", "金色", "周末", "周围", "周年", "周一", "周二", "周三", "周四", "周五",
              "周六", "周日", "万名", "万人", "毕业", "程度", "温暖", "温馨", "康复", "童年", "童心", "童话", "童趣",
              "许多", "曾经", "任务", "任课", "叶子", "石头", "石榴", "夏令营", "夏天", "夏季", "白天", "熊猫", "龙舟",
              "黎明", "贺卡", "顾问", "毛笔", "严格", "严谨", "武术", "牛奶", "庄严", "章程", "焦点", "祝福", "纪律",
              "纪念", "梅花", "凌晨", "季度", "盛开", "曲目", "蓝天", "蓝色", "辛苦", "华夏", "房间", "杜绝", "陆续",
              "陈列", "张贴", "黄色", "胡同", "何时", "林间", "罗列", "郑重", "谢谢", "宋体", "唐诗", "肖像", "田径",
              "田野", "董事", "余下", "苏醒", "钟声", "范例", "范文", "付出", "段落", "雷锋", "陶艺", "陶冶", "颜色",
              "兰花", "舒适", "涂鸦", "华丽", "尤其", "卓越", "桂花", "江南", "欧洲", "孟母", "冷静", "席位", "宫殿",
              "卜卦", "邹鲁", "戚继光", "岳飞", "鲁迅", "孔子", "孔融", "曹冲", "司马光", "万余", "万多")
"""Ordinary words that start with a surname character: what follows a pupil word is not a name when it is one."""
_STOP = "在获荣等的和与及被是为将把向对从了们同老师校主书记代参发说讲作率带表演唱以用凭也还都就所已曾上年级班"
"""Characters that end a name: what comes after a name (在, 获, 等, 同学…), never part of one here."""
_ADULT_AFTER = "老师|教师|校长|副校长|主任|书记|园长|辅导员|教练|同志|先生|女士"
"""Words after a name that say it is an adult's: 三年级王小明老师 is a teacher."""
_PUPIL_LEAD = (r"(?:小学生|中学生|初中生|高中生|学生干部|学生|同学|少先队员|队员|幼儿|小朋友|学子|学员|新生|毕业生"
               r"|孩子|中队长|大队长|小队长|班长|课代表)(?:代表)?[:：]? ?")
_GRADE = r"(?:[一二三四五六七八九1-9]年级|[初高][一二三](?:年级)?|[大中小]班)"
_CLASS = r"\(?[一二三四五六七八九十0-9]{1,2}\)?班"
_GRADE_LEAD = rf"(?:{_GRADE} ?(?:{_CLASS})?|{_CLASS})(?:的)?(?:{_PUPIL_LEAD})?"
_NAME = (rf"(?!{'|'.join(_NOT_NAMES)})(?:{'|'.join(COMPOUND_SURNAMES)}|[{SURNAMES}])"
         rf"[^\x00-\u4dff{_STOP}\ua000-\U0010ffff]{{1,2}}")
_STUDENT = re.compile(
    rf"(?:{_GRADE_LEAD}|{_PUPIL_LEAD})(?P<name>{_NAME})(?!{_ADULT_AFTER})(?=[^\u4e00-\u9fff]|[{_STOP}]|$)")
"""A pupil's name after a pupil word or a grade or class: 三年级学生张三, 初二(3)班李四, 少先队员李小红."""
_CALLED = re.compile(f"(?P<name>{_NAME})")
"""A pupil's name right before 同学 or 小朋友 (王小明同学), tried only where those words are."""
_CALLING = re.compile("同学|小朋友")
_STUDENT_HINT = re.compile(r"学生|同学|队员|幼儿|小朋友|学子|学员|新生|毕业生|孩子|队长"
                           r"|[大中小一二三四五六七八九十0-9)]班|班长|年级|课代表|[初高][一二三]")
"""What every pupil pattern above must hold: a cheap search before the slow pattern. A class is a 班 after a
number or 大/中/小 (三年级二班, (3)班, 中班), so 班子 and 值班 in ordinary copy do not wake the slow pattern."""


def _students(norm: str) -> Iterator[tuple[int, int, str]]:
    """Pupils' names in folded text: span and masked form (context and surname, never the given name)."""
    for match in _STUDENT.finditer(norm):
        start, end = match.span("name")
        yield match.start(), end, norm[match.start():start + 1] + "*" * (end - start - 1)
    for word in _CALLING.finditer(norm):
        for start in range(max(word.start() - 4, 0), word.start() - 1):
            if _CALLED.fullmatch(norm, start, word.start()):
                yield start, word.start(), norm[start] + "*" * (word.start() - start - 1)
                break


def find_personal_data(text: str) -> list[Finding]:
    """Every ID number, phone number, e-mail address, street address or pupil's name in a text, at the offsets
    of the original text."""
    norm, offsets = normalise(text)
    found: list[Finding] = []
    starts: list[int] = []  # the spans taken so far, sorted and never overlapping
    ends: list[int] = []

    def add(kind: str, start: int, end: int, masked: str) -> None:
        at = bisect_right(starts, start)
        if (at and ends[at - 1] > start) or (at < len(starts) and starts[at] < end):
            return  # a span taken first (an ID, a mobile) is never reported again as something else
        starts.insert(at, start)
        ends.insert(at, end)
        found.append(Finding(kind, offsets[start], offsets[end - 1] + 1, masked))

    urls = _url_spans(text, norm, offsets) if "://" in norm else []

    def in_url(start: int, end: int) -> bool:
        return any(a <= start and end <= b for a, b in urls)

    if _DIGIT.search(norm) is not None:
        # IDs and mobiles first: a span they take is never read again as a landline, which could be allowed.
        for kind, start, end, masked, groups in _numbers(norm):
            if in_url(start, end) and (kind == "手机号" or groups > 1):
                continue  # long numbers in a web address are page numbers, not phones
            add(kind, start, end, masked)
        for match in _LANDLINE.finditer(norm):
            if not in_url(*match.span()):
                add("固定电话", *match.span(), mask(re.sub(r"[^0-9]", "", match.group(0)), 4, 2))
    if "@" in norm or "at" in norm or "AT" in norm or "#" in norm:
        for match in _EMAIL.finditer(norm):
            if not in_url(*match.span()):
                add("电子邮箱", *match.span(), _mask_email(match.group(0)))
    if _ADDRESS_HINT.search(norm):
        for match in _ADDRESS.finditer(norm):
            add("详细地址", *match.span(), _mask_address(match.group(0).strip()))
    if _STUDENT_HINT.search(norm):
        for start, end, masked in _students(norm):
            add(STUDENT_NAME, start, end, masked)
    return sorted(found, key=lambda f: f.start)


def _url_spans(text: str, norm: str, offsets: Sequence[int]) -> list[tuple[int, int]]:
    """Where the web addresses are in the folded text, found in the text as written."""
    if isinstance(offsets, range):
        return [m.span() for m in _URL.finditer(text)]
    return [(bisect_left(offsets, m.start()), bisect_left(offsets, m.end())) for m in _URL.finditer(text)]


def _numbers(norm: str) -> Iterator[tuple[str, int, int, str, int]]:
    """IDs and mobile numbers however their digits are grouped: kind, span, masked value, groups joined.

    Every run of consecutive digit groups in a chain is tried, so a number is found whether it is written in one
    piece, grouped 3-4-4, 4-4-4-4-2 or 6-4-4-4, wrapped over two lines, or written right after another number.
    """
    for chain in _CHAIN.finditer(norm):
        groups = [(g.start(), g.end(), g.group()) for g in _GROUP.finditer(norm, chain.start(), chain.end())]
        candidates: list[tuple[int, int, str, int, int, str, int]] = []
        for i, (start, _, _) in enumerate(groups):
            digits = ""
            for j in range(i, len(groups)):
                if digits[-1:] in ("X", "x"):
                    break  # an X ends an ID: nothing comes after it in the same number
                digits += groups[j][2]
                if len(digits) > 18:
                    break
                end = groups[j][1]
                if len(digits) == 18 and _ID18.fullmatch(digits):
                    rank, kind, masked = 0, "身份证号", mask(digits.upper())
                elif len(digits) == 15 and _ID15.fullmatch(digits):
                    rank, kind, masked = 1, "身份证号（15位）", mask(digits)
                elif len(digits) >= 11 and _MOBILE.fullmatch(digits):
                    rank, kind, masked = 2, "手机号", mask(digits[-11:], 3, 4)
                else:
                    continue
                candidates.append((rank, start, start - end, kind, end, masked, j - i + 1))
        for _, start, _, kind, end, masked, joined in sorted(candidates):
            yield kind, start, end, masked, joined


_ADVICE = {
    "身份证号": "网站不得公开身份证号；请删掉。",
    "身份证号（15位）": "这串数字像旧式15位身份证号；网站不得公开，请删掉。",
    "手机号": "网站不得公开个人手机号；请删掉，如需联系方式请写单位对外公开的固定电话。",
    "固定电话": f"如果这是单位对外公开的电话（如总机），在同一行末尾加注释 `# {ALLOW_MARK}`；否则请删掉。",
    "电子邮箱": "如果这是单位对外公开的邮箱，在同一行末尾加注释 `# fivestar: 公开邮箱`；否则请删掉。",
    "详细地址": "网站不公开门牌地址（尤其是个人住址），请只写学校名称；"
                "如果这是单位对外公开的地址，在同一行末尾加注释 `# fivestar: 公开地址`。",
    STUDENT_NAME: "网站不得公开学生姓名；请改写成“一名学生”“学生代表”“三年级学生”等，不写姓名。"
                  "如果这其实是老师，请写明“老师”“教师”。",
}


def _markdown_advice(kind: str) -> str:
    """The same advice with the allow comment in its Markdown form."""
    return re.sub(r"`# (fivestar: [^`]+)`", r"`<!-- \1 -->`", _ADVICE[kind])


def _problem(name: str, line: int, column: int, finding: Finding, allowed: bool, advice: str) -> Problem:
    if allowed:
        return Problem(name, line, column, f"{ALLOWED_PREFIX}{finding.kind} {finding.masked}（本行有公开标记）。",
                       "请再核对一次：这确实是单位对外公开的信息，而不是个人信息。", Severity.WARNING)
    return Problem(name, line, column, f"发现不能公开的个人信息：{finding.kind} {finding.masked}。", advice)


def _walk(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Every scalar that will be published as text: strings, and numbers (YAML reads 13812345678 as one)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, (*loc, i))
    elif isinstance(value, str):
        yield loc, value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield loc, str(value)


def _collect_texts(value: Any, texts: list[str]) -> None:
    """The scalars `_walk` yields, without their locations (the quick pass over a whole file)."""
    if isinstance(value, str):
        texts.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect_texts(item, texts)
    elif isinstance(value, list):
        for item in value:
            _collect_texts(item, texts)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        texts.append(str(value))


def _yaml_allowed(lines: list[str], line: int, value_line: int, value: str) -> bool:
    """An allow comment on the finding's line, or on the line where a multi-line value starts (after `|`).

    The comment must be a real YAML comment: if the value's own text holds the marker, it would be published,
    so it does not count.
    """
    if _ALLOW_YAML.search(value):
        return False
    candidates = {line, value_line}
    return any(0 < n <= len(lines) and _ALLOW_YAML.search(lines[n - 1]) for n in candidates)


VALUE_BOUNDARY = "\n§\n"
"""Between the values of one file in the quick pass of `scan_source`."""


def scan_source(source: YamlFile) -> Iterator[Problem]:
    """Personal data in every text value of one record file, at the line where it is written."""
    texts: list[str] = []
    _collect_texts(source.data, texts)
    # One pass over all the values finds something whenever some value holds something, so most files need no
    # value-by-value scan at all. The values are kept apart by a line holding only “§”, which no pattern reads
    # through and folding keeps (a control character would be dropped as invisible): digit groups joined over a
    # line break (a number wrapped in a `|` block) stop there, and each value starts and ends a line as it does
    # when scanned alone.
    if not find_personal_data(VALUE_BOUNDARY.join(texts)):
        return
    lines: list[str] | None = None
    for loc, value in _walk(source.data, ()):
        findings = find_personal_data(value)
        if not findings:
            continue
        if lines is None:  # only files with a finding need their lines read the scanner's way
            lines = [normalise(line)[0] for line in source.text.splitlines()]
        value_line, value_column = source.where(loc)
        seen: dict[str, int] = {}
        for finding in findings:
            piece = normalise(value[finding.start:finding.end])[0]
            nth = seen[piece] = seen.get(piece, -1) + 1
            guess = value_line + value.count("\n", 0, finding.start)
            line, column = locate_text(lines, value_line, piece, nth, (guess, value_column))
            allowed = finding.kind not in NEVER_ALLOWED and _yaml_allowed(lines, line, value_line, value)
            yield _problem(source.name, line, column, finding, allowed, _ADVICE[finding.kind])


def _front_matter_end(lines: list[str]) -> int:
    """The number of the line closing a `---` front matter block, or 0 when there is none."""
    if not lines or lines[0].strip() != "---":
        return 0
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in {"---", "..."}:
            return number
    return 0


def _read_text(path: Path) -> str:
    """A text file as UTF-8 (with or without BOM), else GB18030, else UTF-8 with replacements: never skipped."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")  # pragma: no cover - gb18030 decodes almost anything


def scan_markdown(path: Path, name: str) -> Iterator[Problem]:
    """Personal data in a hand-written page (Markdown, HTML or another text file published as it is)."""
    try:
        text = _read_text(path)
    except OSError as error:
        yield Problem(name, 0, 0, f"无法读取文件（{error.strerror or error}），因此无法检查其中的个人信息。",
                      "检查文件是否存在、是否被其他程序占用；修好后重新运行。")
        return
    lines = text.splitlines()
    front_end = _front_matter_end(lines)
    for finding in find_personal_data(text):
        line = text.count("\n", 0, finding.start) + 1
        column = finding.start - (text.rfind("\n", 0, finding.start) + 1) + 1
        allowed = False
        if finding.kind not in NEVER_ALLOWED and 0 < line <= len(lines):
            pattern = _ALLOW_YAML if line < front_end else _ALLOW_HTML
            allowed = bool(pattern.search(lines[line - 1]))
        advice = _ADVICE[finding.kind] if line < front_end else _markdown_advice(finding.kind)
        yield _problem(name, line, column, finding, allowed, advice)


DEFAULT_ADULT_ROLES: tuple[str, ...] = (
    "教师", "老师", "班主任", "校长", "副校长", "执行校长", "书记", "副书记", "党支部书记", "党总支书记", "党委书记",
    "主任", "副主任", "辅导员", "大队辅导员", "中队辅导员", "教练", "教练员", "职工", "教职工", "园长", "副园长",
    "保育员", "教研员", "干部", "党员", "党员教师", "年级组长", "教研组长", "备课组长", "支部委员", "宣传委员",
    "组织委员", "纪检委员", "工会主席", "校医", "督学",
)
"""Roles whose holders are adults, so their names may be published; site.yaml `adult_roles` adds more."""

_PUPIL_WORD = re.compile(
    r"学生(?!处|科|工作|发展中心|管理|资助|事务|服务中心)|同学|少先队员|队员|红领巾(?!辅导员)|幼儿(?!园|教师|教育)"
    r"|儿童|少年(?!宫)|小朋友|孩子|子女|儿子|女儿|宝宝|萌娃|学子|学员|未成年|新生|毕业生|班长|队长|课代表|班干部"
    r"|三好|美德少年|好少年|小(?:小)?[\u4e00-\u9fff]{0,3}?"
    r"(?:标兵|卫士|能手|达人|明星|博士|作家|画家|书法家|歌手|主持人|天使|主人|公民|雷锋|志愿者|讲解员|记者|院士"
    r"|发明家|科学家|状元|健将|模范|榜样)"
)
"""Words that name a pupil, read after `fold_words`: in a role, a title of a list or an official's title."""
_GRADE_OR_CLASS = re.compile(rf"{_GRADE}|{_CLASS}")
"""A grade or a class (三年级, 初二(3)班, 高一年级): pupils are named by it."""


def is_adult_role(role: str, extra: Iterable[str] = ()) -> bool:
    """A role on the allow-list of adult roles (default and site.yaml's), and naming no pupil."""
    folded = fold_words(role)
    if _PUPIL_WORD.search(folded):
        return False
    return any(fold_words(word) in folded for word in (*DEFAULT_ADULT_ROLES, *extra) if word.strip())


def names_pupils(title: str) -> bool:
    """A title (of an honour list, of a person) that names pupils, after folding: 优秀少先队员, 三好學生."""
    return _PUPIL_WORD.search(fold_words(title)) is not None


def _student_problems(dataset: Dataset) -> Iterator[Problem]:
    """Students' names are never published: only adults with a role on the allow-list are named in a list, a
    list for pupils names schools only, and an event person is never a pupil."""
    extra = tuple(dataset.site.adult_roles or ())
    listed = "教师、班主任、校长、书记、主任、辅导员"
    for honour in dataset.honours:
        source = dataset.source(f"honours:{honour.id}") or YamlFile(f"honours/{honour.id}")
        for_pupils = names_pupils(honour.title)
        for i, recipient in enumerate(honour.recipients):
            if not recipient.person:
                continue
            if for_pupils:
                yield source.problem(
                    ("recipients", i, "person"),
                    f"{quoted(honour.title)}是学生的荣誉，名单里不能写个人姓名（person: {recipient.person}）。",
                    "学生荣誉的名单只写学校（支部编号），删掉 person 和 role 两行；网站不得公开学生姓名。")
            elif not recipient.role:
                yield source.problem(
                    ("recipients", i, "person"),
                    f"名单里的 {recipient.person} 没有写身份（role），无法确认不是学生，不能公开姓名。",
                    f"在下一行写明身份，如 role: 教师（可用的身份：{listed}等）；如果是学生，删掉姓名，只写学校。")
            elif names_pupils(recipient.person) or not is_adult_role(recipient.role, extra):
                yield source.problem(
                    ("recipients", i, "role"),
                    f"身份{quoted(recipient.role)}不是可以公开姓名的成年人身份（如 {listed}），"
                    "网站不得公开学生姓名。",
                    "写明身份，如 教师、班主任；学生不写姓名，只写学校。"
                    "如果这确实是成年人的身份，请在 site.yaml 的 adult_roles 里加上它。")
    for event in dataset.events:
        source = dataset.source(f"events:{event.id}") or YamlFile(f"events/{event.id}")
        for i, person in enumerate(event.people):
            folded = fold_words(person.title or "")
            by_title = _PUPIL_WORD.search(folded) is not None or (
                _GRADE_OR_CLASS.search(folded) is not None and not is_adult_role(folded, extra))
            if not by_title and not names_pupils(person.name):
                continue
            field, value = ("title", person.title) if by_title else ("name", person.name)
            yield source.problem(("people", i, field), f"出席人员里有学生（{field}: {value}），网站不得公开学生姓名。",
                                     "出席人员只写领导和老师；学生参加活动请在正文里写“学生代表”等，不写姓名。")


def scan_dataset(dataset: Dataset) -> list[Problem]:
    """Personal data anywhere in the records, and students' names."""
    problems: list[Problem] = []
    for source in dataset.sources.values():
        problems.extend(scan_source(source))
    problems.extend(_student_problems(dataset))
    return problems


def allowed_summary(problems: Iterable[Problem]) -> str:
    """One line for the end of a report: how many values were published under an allow comment, or ''."""
    allowed = [p for p in problems if p.message.startswith(ALLOWED_PREFIX)]
    if not allowed:
        return ""
    places = "、".join(f"{p.file}:{p.line}" for p in sorted(allowed, key=lambda p: (p.file, p.line)))
    return f"已按标记允许公开 {len(allowed)} 处号码、邮箱或地址（{places}），请确认它们确实是单位对外公开的信息。"

"""Personal data that must never be published: detection, masking, and the allow-list comment."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.dataset import Dataset
from generator.problems import Problem, Severity
from generator.sanitize import INVISIBLE
from generator.yamlfile import Loc, YamlFile

ALLOW_MARK = "fivestar: 公开号码"
"""The comment that allows one known public number (a switchboard) on its line.

In YAML write it as a comment at the end of the line: `contact: 0379-6123 4567  # fivestar: 公开号码`;
in Markdown as `<!-- fivestar: 公开号码 -->` on the same line. `公开邮箱` and `公开地址` work too, and so does a
full-width colon. ID-card and mobile numbers are never allowed. Every allowed value is listed in the report.
"""

ALLOWED_PREFIX = "已按标记允许公开："
"""Every problem that reports an allowed value starts its message with this."""

_ALLOW_YAML = re.compile(r"#\s*fivestar\s*[:：]\s*公开")
_ALLOW_HTML = re.compile(r"<!--\s*fivestar\s*[:：]\s*公开.*?-->")
NEVER_ALLOWED = frozenset({"身份证号", "身份证号（15位）", "手机号"})

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_ID18 = re.compile(rf"(?<![0-9])([1-9][0-9]{{5}})[ -]?((?:18|19|20)[0-9]{{2}}{_DATE})[ -]?([0-9]{{3}}[0-9Xx])"
                   r"(?![0-9])")
_ID15 = re.compile(rf"(?<![0-9])[1-9][0-9]{{5}}[0-9]{{2}}{_DATE}[0-9]{{3}}(?![0-9Xx])")
_MOBILE = re.compile(r"(?<![0-9])(?:(?:(?:\+|00) ?86|\(\+?86\)|86)[ .-]?)?"
                     r"(1[3-9][0-9])[ .-]?([0-9]{4})[ .-]?([0-9]{4})(?![0-9])")
_AREA = r"(?:10|2[0-9]|[3-9][0-9]{2})"
_LANDLINE = re.compile(rf"(?<![0-9])(?:(?:\+|00) ?86[ -]?\(?0?{_AREA}\)?[ -]?|\(0{_AREA}\) ?|0{_AREA}[ -]?)"
                       r"[2-9][0-9]{2,3}[ -]?[0-9]{4}(?: ?(?:转|-|ext\.?) ?[0-9]{1,5})?(?![0-9])")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}(?:@| ?[\[(]at[\])] ?)"
                    r"[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z0-9-])")
_ROAD = r"(?:路|街|大道|大街|巷|胡同)"
_HOUSE = r"[0-9]{1,4} ?(?:号楼|栋|幢)"
_ADDRESS = re.compile(
    rf"[\u4e00-\u9fff]{{0,6}}{_ROAD} ?[0-9]{{1,5}}(?:-[0-9]{{1,5}})? ?号(?:院|楼)?"
    rf"|[\u4e00-\u9fff]{{1,6}}(?:小区|花园|公寓|家园|新村|社区) ?(?:[0-9]{{1,4}} ?号院 ?)?{_HOUSE}"
    r"(?: ?[0-9]{1,3} ?单元)?(?: ?[0-9]{1,5} ?(?:室|号|户)?)?"
    rf"|{_HOUSE} ?[0-9]{{1,3}} ?单元(?: ?[0-9]{{1,5}} ?(?:室|号|户)?)?"
    rf"|{_HOUSE} ?[0-9]{{1,5}} ?(?:室|户)"
    r"|[\u4e00-\u9fff]{1,6}村 ?[0-9]{1,3} ?组"
)
_ADDRESS_HINT = re.compile(r"(?:路|街|大道|巷|胡同|村) ?[0-9]|[0-9] ?(?:号楼|栋|幢)")
"""What every address form above must hold: a cheap search before the slow pattern."""
_MOBILE_HINT = re.compile(r"1[3-9][0-9][ .-]?[0-9]{4}[ .-]?[0-9]{4}")
"""What every mobile number must hold, without the optional country prefix that makes `_MOBILE` slow."""
_STUDENT_ROLE = re.compile(r"学生|幼儿|儿童|少年|学员|少先队员|未成年")
_DIGIT = re.compile(r"[0-9]")
_URL = re.compile(r"(?i)\b(?:https?|ftp)://[^\s<>\"'）)\]]+")

# Characters a reader cannot see are ignored when scanning, exactly as generator.sanitize drops them before
# publishing: otherwise 139\u200b0000\u200b0000 would pass the scan and be published as 13900000000.
_IGNORED = re.compile(f"{INVISIBLE.pattern}|\r")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u30fc"), "-")
_SPACES = dict.fromkeys(map(ord, "\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                                 "\u202f\u205f\u3000"), " ")


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
    """One character as the scanner reads it: full-width forms, other digits and odd spaces made plain."""
    if ch.isascii():
        return ch
    if ch.isdecimal():
        return str(unicodedata.decimal(ch))
    if "\uff01" <= ch <= "\uff5e":
        return chr(ord(ch) - 0xFEE0)
    return ch.translate(_DASHES).translate(_SPACES)


_FOLD_TABLE = _FoldTable()
_FOLDED = re.compile("[\uff01-\uff5e" + "".join(re.escape(chr(c)) for c in {**_DASHES, **_SPACES} if c > 0x7F)
                     + "]|(?![0-9])\\d")
"""A character `_fold_char` changes: a full-width form, a dash, an odd space, a digit other than 0-9."""


def normalise(text: str) -> tuple[str, Sequence[int]]:
    """The text as the scanner reads it, and for each of its characters the offset in the original text.

    Full-width digits and letters become ASCII, Unicode dashes become `-`, odd spaces a plain space, and
    invisible characters (zero-width spaces, direction marks) vanish, so that `１３８​１２３４​５６７８`
    is read as the mobile number it is. The returned map has one extra entry: the original length.
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


def _mask_address(text: str) -> str:
    return re.sub(r"[0-9]", "*", text)


def _mask_email(text: str) -> str:
    local, _, domain = re.sub(r" ?[\[(]at[\])] ?", "@", text).partition("@")
    return local[:1] + "***@" + domain


def find_personal_data(text: str) -> list[Finding]:
    """Every ID number, phone number, e-mail address or street address in a text, with original offsets."""
    norm, offsets = normalise(text)
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, match: re.Match[str], masked: str) -> None:
        start, end = match.span()
        if any(a < end and start < b for a, b in taken):
            return
        taken.append((start, end))
        found.append(Finding(kind, offsets[start], offsets[end - 1] + 1, masked))

    has_digit = _DIGIT.search(norm) is not None
    urls = [m.span() for m in _URL.finditer(norm)] if "://" in norm else []

    def in_url(match: re.Match[str]) -> bool:
        return any(a <= match.start() and match.end() <= b for a, b in urls)

    if has_digit:
        for match in _ID18.finditer(norm):
            number = "".join(match.groups())
            if is_id_number(number):
                add("身份证号", match, mask(number))
        for match in _ID15.finditer(norm):
            add("身份证号（15位）", match, mask(match.group(0)))
        for match in _MOBILE.finditer(norm) if _MOBILE_HINT.search(norm) else ():
            if not in_url(match):  # long numbers in a web address are page numbers, not phones
                add("手机号", match, mask("".join(match.groups()), 3, 4))
        for match in _LANDLINE.finditer(norm):
            if not in_url(match):
                add("固定电话", match, mask(re.sub(r"[^0-9]", "", match.group(0)), 4, 2))
    if "@" in norm or "at" in norm:
        for match in _EMAIL.finditer(norm):
            add("电子邮箱", match, _mask_email(match.group(0)))
    if has_digit and _ADDRESS_HINT.search(norm):
        for match in _ADDRESS.finditer(norm):
            add("详细地址", match, _mask_address(match.group(0).strip()))
    return sorted(found, key=lambda f: f.start)


_ADVICE = {
    "身份证号": "网站不得公开身份证号；请删掉。",
    "身份证号（15位）": "这串数字像旧式15位身份证号；网站不得公开，请删掉。",
    "手机号": "网站不得公开个人手机号；请删掉，如需联系方式请写单位对外公开的固定电话。",
    "固定电话": f"如果这是单位对外公开的电话（如总机），在同一行末尾加注释 `# {ALLOW_MARK}`；否则请删掉。",
    "电子邮箱": "如果这是单位对外公开的邮箱，在同一行末尾加注释 `# fivestar: 公开邮箱`；否则请删掉。",
    "详细地址": "网站不公开门牌地址（尤其是个人住址），请只写学校名称；"
                "如果这是单位对外公开的地址，在同一行末尾加注释 `# fivestar: 公开地址`。",
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


def _locate(lines: list[str], first_line: int, needle: str, nth: int,
            fallback: tuple[int, int]) -> tuple[int, int]:
    """Line and column of the `nth` (0-based) appearance of `needle` in the file from the value's first line.

    Works for every YAML style: plain, quoted, literal `|` and folded `>` values; a value folded across two
    lines is found by its first characters.
    """
    for probe in dict.fromkeys(p.strip() for p in (needle, needle[:8], needle[:4])):
        if not probe:
            continue
        seen = 0
        for number in range(max(first_line, 1), len(lines) + 1):
            column = lines[number - 1].find(probe)
            while column >= 0:
                if seen == nth:
                    return number, column + 1
                seen += 1
                column = lines[number - 1].find(probe, column + 1)
    return fallback


def _yaml_allowed(lines: list[str], line: int, value_line: int, value: str) -> bool:
    """An allow comment on the finding's line, or on the line where a multi-line value starts (after `|`).

    The comment must be a real YAML comment: if the value's own text holds the marker, it would be published,
    so it does not count.
    """
    if _ALLOW_YAML.search(value):
        return False
    candidates = {line, value_line}
    return any(0 < n <= len(lines) and _ALLOW_YAML.search(lines[n - 1]) for n in candidates)


def scan_source(source: YamlFile) -> Iterator[Problem]:
    """Personal data in every text value of one record file, at the line where it is written."""
    texts: list[str] = []
    _collect_texts(source.data, texts)
    # No pattern can match across a line break, so one pass over all the values joined by line breaks finds
    # something exactly when some value holds something: most files need no value-by-value scan at all.
    if not find_personal_data("\n".join(texts)):
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
            line, column = _locate(lines, value_line, piece, nth, (guess, value_column))
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


def _student_problems(dataset: Dataset) -> Iterator[Problem]:
    """Students' names are never published: an individual honour or an event person marked as a student."""
    hint = "网站只公开教师、校长等成年人的姓名和学校；学生获奖请只写学校，不写学生姓名。"
    for honour in dataset.honours:
        source = dataset.source(f"honours:{honour.id}") or YamlFile(f"honours/{honour.id}")
        for i, recipient in enumerate(honour.recipients):
            if recipient.person and recipient.role and _STUDENT_ROLE.search(recipient.role):
                yield source.problem(("recipients", i, "role"),
                                     f"名单里有学生姓名（role: {recipient.role}），网站不得公开学生姓名。", hint)
    for event in dataset.events:
        source = dataset.source(f"events:{event.id}") or YamlFile(f"events/{event.id}")
        for i, person in enumerate(event.people):
            if person.title and _STUDENT_ROLE.search(person.title):
                yield source.problem(("people", i, "title"),
                                     f"出席人员里有学生（title: {person.title}），网站不得公开学生姓名。", hint)


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

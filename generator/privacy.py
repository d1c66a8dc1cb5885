"""Personal data that must never be published: detection, masking, and the allow-list comment."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.dataset import Dataset
from generator.problems import Problem, Severity
from generator.yamlfile import Loc, YamlFile

ALLOW_MARK = "fivestar: 公开号码"
"""A YAML or Markdown comment on the same line that allows a known public number (a switchboard)."""

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_ID18 = re.compile(rf"(?<![0-9])([1-9][0-9]{{5}}(?:18|19|20)[0-9]{{2}}{_DATE}[0-9]{{3}}[0-9Xx])(?![0-9A-Za-z])")
_ID15 = re.compile(rf"(?<![0-9])([1-9][0-9]{{5}}[0-9]{{2}}{_DATE}[0-9]{{3}})(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(?:(?:\+|00)?86[\s-]?)?(1[3-9][0-9](?:[\s-]?[0-9]{4}){2})(?![0-9])")
_AREA = r"(?:\(0[1-9][0-9]{1,2}\)|（0[1-9][0-9]{1,2}）|0[1-9][0-9]{1,2}[\s-])"
_LANDLINE = re.compile(rf"(?<![0-9]){_AREA}\s?[2-9][0-9]{{2,3}}[\s-]?[0-9]{{4}}(?![0-9])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_ADDRESS = re.compile(r"[\u4e00-\u9fff]{2,12}(?:路|街|大道|巷|胡同)[0-9０-９]+号(?:院|楼|[0-9０-９]+[号室单元栋])?")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data in a text: what it is and how to show it masked."""

    kind: str
    start: int
    end: int
    masked: str


def is_id_number(value: str) -> bool:
    """An 18-digit mainland ID number whose check digit is right."""
    if len(value) != 18:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def mask(value: str, keep_head: int = 6, keep_tail: int = 4) -> str:
    """110105********1234: enough to find the value, not enough to publish it."""
    digits = value.strip()
    if len(digits) <= keep_head + keep_tail:
        return digits[:2] + "*" * max(len(digits) - 2, 0)
    return digits[:keep_head] + "*" * (len(digits) - keep_head - keep_tail) + digits[-keep_tail:]


def find_personal_data(text: str) -> list[Finding]:
    """Every ID number, phone number, e-mail address or street address in a text."""
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, match: re.Match[str], masked: str) -> None:
        span = match.span()
        if any(a < span[1] and span[0] < b for a, b in taken):
            return
        taken.append(span)
        found.append(Finding(kind, span[0], span[1], masked))

    for match in _ID18.finditer(text):
        if is_id_number(match.group(1)):
            add("身份证号", match, mask(match.group(1)))
    for match in _ID15.finditer(text):
        add("身份证号（15位）", match, mask(match.group(1)))
    for match in _MOBILE.finditer(text):
        add("手机号", match, mask(re.sub(r"\D", "", match.group(1)), 3, 4))
    for match in _LANDLINE.finditer(text):
        add("固定电话", match, mask(re.sub(r"\D", "", match.group(0)), 4, 2))
    for match in _EMAIL.finditer(text):
        local, _, domain = match.group(0).partition("@")
        add("电子邮箱", match, local[:1] + "***@" + domain)
    for match in _ADDRESS.finditer(text):
        add("详细地址", match, match.group(0)[:4] + "…")
    return sorted(found, key=lambda f: f.start)


_ADVICE = {
    "身份证号": "网站不得公开身份证号；请删掉。",
    "身份证号（15位）": "这串数字像旧式15位身份证号；网站不得公开，请删掉。",
    "手机号": "网站不得公开个人手机号；请删掉，如需联系方式请写单位公开电话。",
    "固定电话": f"如果这是单位对外公开的电话（如总机），在同一行末尾加注释 `# {ALLOW_MARK}`；否则请删掉。",
    "电子邮箱": f"如果这是单位对外公开的邮箱，在同一行末尾加注释 `# {ALLOW_MARK}`；否则请删掉。",
    "详细地址": "网站不公开门牌地址（尤其是个人住址）；请只写学校名称。",
}


def _allowed(lines: list[str], line: int, kind: str) -> bool:
    """A public number is allowed by a marker comment on its line (never an ID or mobile number)."""
    if kind.startswith(("身份证号", "手机号")):
        return False
    return 0 < line <= len(lines) and ALLOW_MARK in lines[line - 1]


def _walk(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, (*loc, i))
    elif isinstance(value, str):
        yield loc, value


def scan_source(source: YamlFile) -> Iterator[Problem]:
    """Personal data in every text value of one record file."""
    lines = source.text.splitlines()
    for loc, value in _walk(source.data, ()):
        if not any(ch.isdigit() for ch in value) and "@" not in value and "号" not in value:
            continue
        for finding in find_personal_data(value):
            line, column = source.where(loc)
            line += value.count("\n", 0, finding.start)
            if _allowed(lines, line, finding.kind):
                yield Problem(source.name, line, column, f"已按标记允许公开：{finding.kind} {finding.masked}。",
                              "", Severity.WARNING)
                continue
            yield Problem(source.name, line, column, f"发现不能公开的个人信息：{finding.kind} {finding.masked}。",
                          _ADVICE[finding.kind])


def scan_markdown(path: Path, name: str) -> Iterator[Problem]:
    """Personal data in a hand-written Markdown page."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    lines = text.splitlines()
    for finding in find_personal_data(text):
        line = text.count("\n", 0, finding.start) + 1
        column = finding.start - (text.rfind("\n", 0, finding.start) + 1) + 1
        if _allowed(lines, line, finding.kind):
            yield Problem(name, line, column, f"已按标记允许公开：{finding.kind} {finding.masked}。", "",
                          Severity.WARNING)
            continue
        yield Problem(name, line, column, f"发现不能公开的个人信息：{finding.kind} {finding.masked}。",
                      _ADVICE[finding.kind].replace("# ", "<!-- ").replace("`；", " -->`；"))


def scan_dataset(dataset: Dataset) -> list[Problem]:
    """Personal data anywhere in the records."""
    problems: list[Problem] = []
    for source in dataset.sources.values():
        problems.extend(scan_source(source))
    return problems

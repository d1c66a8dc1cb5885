"""Problems found in the records: where they are, what is wrong, how to fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How serious a problem is: errors stop a build, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one place, told in Chinese for the staff member who fixes it."""

    file: str
    line: int
    column: int
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        """Render as `file:line:column: 错误：message` plus an indented hint."""
        label = "错误" if self.is_error else "提醒"
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        text = f"{where}: {label}：{self.message}"
        if self.hint:
            text += f"\n    怎么改：{self.hint}"
        return text


def shorten(value: object, limit: int = 40) -> str:
    """A value as quoted in a message: its start only when it is long, so a pasted page never floods the report."""
    text = str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（共 {len(text)} 个字符）"


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Order problems by file, line and column, dropping exact duplicates."""
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.message))


WARNINGS_HEADING = "—— 以下是提醒：不影响检查结果，建议处理 ——"


def format_report(problems: Iterable[Problem]) -> str:
    """All problems, errors first then warnings (under a heading when both occur), each group sorted by place."""
    problems = sort_problems(problems)
    errors = [p.format() for p in problems if p.is_error]
    warnings = [p.format() for p in problems if not p.is_error]
    if errors and warnings:
        return "\n".join([*errors, "", WARNINGS_HEADING, *warnings])
    return "\n".join(errors or warnings)


class DataError(Exception):
    """Raised by front ends (CLI, plugin) when the records have errors; carries the problems."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sort_problems(problems)
        errors = sum(1 for p in self.problems if p.is_error)
        super().__init__(f"数据有 {errors} 处错误")

    def report(self) -> str:
        errors = sum(1 for p in self.problems if p.is_error)
        return format_report(self.problems) + f"\n共 {errors} 处错误，请按提示修改后重试。"

"""`fivestar import --confirm` (staff/confirm.py): the pending items of an import, asked about one by one."""

from __future__ import annotations

import builtins
import io
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import run_cli as run
from test_importer import SHARED_BRANCHES, SHARED_SITE, city_args, city_table

from generator.records.load import load_dataset
from generator.staff.confirm import confirm_pending

ROOT = Path(__file__).resolve().parent.parent
HONOUR = Path("data/honours/2024/pingan-2024.yaml")
# 区一实小 and 实验小学 exactly; 育才初级中学 and 育才高级中学 only like 育才中学; 第十一实验小学 like nothing left.
NAMES = ["示例市第一实验小学", "示例区育才初级中学", "示例市实验小学", "示例区育才高级中学"]


@pytest.fixture
def imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """A region whose list was just imported with two pending items (rows 3 and 5, both like 育才中学)."""
    data = tmp_path / "data"
    (data / "branches").mkdir(parents=True)
    (data / "site.yaml").write_text(SHARED_SITE, encoding="utf-8")
    for branch_id, text in SHARED_BRANCHES.items():
        (data / "branches" / f"{branch_id}.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    monkeypatch.chdir(tmp_path)
    table = city_table(tmp_path / "名单.csv", ["序号", "学校名称", "等次"], [(n, "5A") for n in NAMES])
    code, out, err = run(capsys, *city_args(table))
    assert code == 0 and "2 项是近似匹配" in out, out + err
    return tmp_path


class Answers:
    """What a person types, one answer per question; the questions asked are kept."""

    def __init__(self, *answers: str) -> None:
        self.answers: Iterator[str] = iter(answers)
        self.asked: list[str] = []
        self.said: list[str] = []

    def ask(self, question: str) -> str:
        self.asked.append(question)
        return next(self.answers)

    def say(self, line: str) -> None:
        self.said.append(line)

    @property
    def text(self) -> str:
        return "\n".join(self.said)


def confirm(answers: Answers, only: Path | None = None) -> bool:
    return confirm_pending(Path("data"), only, answers.ask, answers.say, interactive=True)


def recipients(project: Path) -> list[tuple[str, str | None]]:
    result = load_dataset(project / "data")
    assert result.ok, [p.format() for p in result.errors]
    return [(r.branch, r.grade) for r in result.dataset.honour_by_id["pingan-2024"].recipients]


def check(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code, _out, err = run(capsys, "check")
    return code, err


def test_yes_confirms_and_no_removes_and_then_check_passes(imported: Path, capsys) -> None:
    assert check(capsys)[0] == 1
    answers = Answers("y", "n")
    assert confirm(answers) is True
    assert "表中写作“示例区育才初级中学”" in answers.text
    assert "1) 育才中学（shili-yucai，相似度 80%）  ← 现在写的" in answers.text
    assert "已保存 data/honours/2024/pingan-2024.yaml：确认 1 项，改选 0 项，删去 1 项。" in answers.text
    assert "全部确认完毕" in answers.text
    text = HONOUR.read_text(encoding="utf-8")
    assert "  - {branch: shili-yucai, grade: 5A}  # 育才中学（表中写作“示例区育才初级中学”）\n" in text
    assert "待确认" not in text and "其他相近的学校" not in text
    assert "  # 表中写作“示例区育才高级中学”的一项不是育才中学，已删去（fivestar import --confirm）\n" in text
    assert check(capsys)[0] == 0
    assert recipients(imported) == [("shili-diyi-shixiao", "5A"), ("shili-yucai", "5A"), ("shili-shixiao", "5A")]


def test_a_school_already_in_the_list_cannot_be_chosen_again(imported: Path, capsys) -> None:
    answers = Answers("y", "y", "n")
    assert confirm(answers) is True
    assert "育才中学已经在这份名单里了（同一等次），不能再写一次" in answers.text
    assert len(answers.asked) == 3
    assert check(capsys)[0] == 0


def test_a_wrong_answer_is_asked_again_and_a_skipped_item_stays_pending(imported: Path, capsys) -> None:
    answers = Answers("9", "n", "")
    assert confirm(answers) is False
    assert "没听懂“9”" in answers.text
    code, err = check(capsys)
    assert code == 1 and err.count("还没有人确认") == 1 and "表中第 5 行写作“示例区育才高级中学”" in err
    answers = Answers("1")
    assert confirm(answers, Path("data/honours/2024/pingan-2024.yaml")) is True
    assert recipients(imported) == [("shili-diyi-shixiao", "5A"), ("shili-shixiao", "5A"), ("shili-yucai", "5A")]


def test_choosing_another_candidate(imported: Path, capsys) -> None:
    table = city_table(imported / "另一份.csv", ["序号", "学校名称"], [("示例市第十一实验小学",), ("红星小学",)])
    code, out, err = run(capsys, *city_args(table, "--force"))
    assert code == 0, out + err
    answers = Answers("2")
    assert confirm(answers) is True
    assert "2) 实验小学（shili-shixiao，相似度 77%）" in answers.text and "改选 1 项" in answers.text
    assert "  - shili-shixiao  # 实验小学（表中写作“示例市第十一实验小学”）\n" in HONOUR.read_text(encoding="utf-8")
    assert recipients(imported) == [("shili-shixiao", None), ("shili-hongxing", None)]


def test_skipping_and_stopping_keep_what_was_answered(imported: Path, capsys) -> None:
    answers = Answers("", "q")
    assert confirm(answers) is False
    assert "还有 2 项待确认" in answers.text and "已保存" not in answers.text
    assert check(capsys)[1].count("还没有人确认") == 2


def _then_the_input_ends(*typed: str) -> Iterator[str]:
    yield from typed
    raise EOFError


def test_an_input_that_ends_stops_like_q(imported: Path, capsys) -> None:
    answers = Answers()
    answers.answers = _then_the_input_ends("n")
    assert confirm(answers) is False
    assert "删去 1 项" in answers.text and "还有 1 项待确认" in answers.text
    assert check(capsys)[1].count("还没有人确认") == 1


def test_an_older_imports_mark_is_asked_about_and_removed(imported: Path, capsys) -> None:
    HONOUR.write_text("title: 平安校园\nlevel: 市级\nyear: 2024\nrecipients:\n  - shili-shixiao  # 实验小学\n"
                      "  - shili-yucai  # 育才中学（表中写作“示例区育才初级中学”，近似匹配，请核对）\n",
                      encoding="utf-8")
    code, err = check(capsys)
    assert code == 1 and "旧版 fivestar import 留下的“近似匹配，请核对”：表中写作“示例区育才初级中学”" in err
    assert "data/honours/2024/pingan-2024.yaml:6:" in err
    answers = Answers("y")
    assert confirm(answers) is True
    assert HONOUR.read_text(encoding="utf-8").endswith(
        "  - shili-yucai  # 育才中学（表中写作“示例区育才初级中学”）\n")
    assert check(capsys)[0] == 0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_command_in_a_terminal_and_without_one(imported: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    before = HONOUR.read_bytes()
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\ny\n"))
    code, out, err = run(capsys, "import", "--confirm")
    assert code == 1 and "现在的输入不是终端，没有改动任何文件。共有 2 项待确认" in out
    assert "data/honours/2024/pingan-2024.yaml:" in out and "表中写作“示例区育才初级中学”" in out
    assert "删掉“待确认: …”那一行" in out
    assert HONOUR.read_bytes() == before
    monkeypatch.setattr(sys, "stdin", _Terminal())
    typed = iter(["n", "n"])
    monkeypatch.setattr(builtins, "input", lambda _prompt="": next(typed))
    code, out, err = run(capsys, "import", "--confirm", str(HONOUR))
    assert code == 0, out + err
    assert "删去 2 项" in out
    code, out, _err = run(capsys, "import", "--confirm")
    assert code == 0 and "没有待确认的项" in out


def test_confirm_names_a_file_it_cannot_use(imported: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal())
    code, out, _err = run(capsys, "import", "--confirm", "data/honours/2024/no-such-list.yaml")
    assert code == 1 and "找不到名单文件" in out
    code, out, _err = run(capsys, "import", "--confirm", "data/site.yaml")
    assert code == 1 and "不是荣誉名单" in out
    HONOUR.write_text(HONOUR.read_text(encoding="utf-8") + "titel: x\n", encoding="utf-8")
    code, out, _err = run(capsys, "import", "--confirm", str(HONOUR))
    assert code == 1 and "现在有错误，读不出来" in out and "titel" in out


def test_import_without_a_title_is_told_in_chinese(imported: Path, capsys) -> None:
    code, _out, err = run(capsys, "import", "名单.csv", "--level", "市级")
    assert code == 2 and "缺少必需的参数：--title" in err and "usage" not in err
    code, _out, err = run(capsys, "import")
    assert code == 2 and "表格文件、--title、--level" in err


def test_an_item_rewritten_by_hand_is_still_asked_about(imported: Path, capsys) -> None:
    HONOUR.write_text("title: 平安校园\nlevel: 市级\nyear: 2024\nrecipients:\n"
                      "  - {branch: shili-yucai, 待确认: 表中第 3 行写作“示例区育才初级中学”，可能是 育才中学}\n"
                      "  - branch: shili-hongxing\n    note: 两个校区\n    待确认: 表中第 4 行写作“示例区红星中学”\n"
                      "    brand: shili-hongxing\n",
                      encoding="utf-8")
    answers = Answers("y")
    assert confirm(answers) is False
    assert "第 2 项的写法与导入时不同" in answers.text and "请直接编辑文件" in answers.text
    assert "还有 1 项待确认" in answers.text
    text = HONOUR.read_text(encoding="utf-8")
    assert "  - shili-yucai  # 育才中学（表中写作“示例区育才初级中学”）\n  - branch: shili-hongxing\n" in text
    code, err = check(capsys)
    assert code == 1 and err.count("还没有人确认") == 1 and "表中第 4 行写作“示例区红星中学”" in err

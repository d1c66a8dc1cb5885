"""No doubled quotes: every value a message (or a page) puts in “…” goes through quotes.quoted, once, nested."""

from __future__ import annotations

import ast
import html
import re
import shutil
from pathlib import Path

import pytest
from helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.quotes import is_quoted, nest, quoted, unquoted
from generator.records.load import load_dataset

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "generator"
BUREAU = Path(__file__).resolve().parent / "fixtures" / "bureau" / "data"
PAIRS = {"“": "”", "‘": "’"}
CLOSERS = {close: open_ for open_, close in PAIRS.items()}


def well_nested(text: str) -> bool:
    """Quotes pair up, and a pair never opens directly inside a pair of the same kind (no ““…”…”, no “…“…”…”)."""
    stack: list[str] = []
    for char in text:
        if char in PAIRS:
            if stack and stack[-1] == char:
                return False
            stack.append(char)
        elif char in CLOSERS:
            if not stack or stack[-1] != CLOSERS[char]:
                return False
            stack.pop()
    return not stack


# -- the helper ------------------------------------------------------------------------------------------------

plain = st.text(st.sampled_from("红育党建示例小学双创 5A-"), min_size=1, max_size=6)


@st.composite
def names(draw: st.DrawFn, depth: int = 0) -> str:
    """A name as staff write it: plain text with “…” anywhere, quotes inside quotes alternating (“…‘…’…”)."""
    parts = draw(st.lists(st.one_of(plain, st.just("Q")) if depth < 2 else plain, min_size=1, max_size=4))
    out = ""
    for part in parts:
        if part == "Q":
            inner = draw(names(depth + 1))
            out += f"“{nest(inner)}”"  # a name quoted inside a name: its own quotes alternate
        else:
            out += part
    return out


@settings(max_examples=300, deadline=None)
@given(names())
def test_quoted_never_doubles_and_keeps_the_name(name: str) -> None:
    assert well_nested(name)
    shown = quoted(name)
    assert well_nested(shown), shown
    assert is_quoted(shown)
    assert quoted(shown) == shown  # quoting twice changes nothing
    assert shown == name if is_quoted(name) else nest(shown[1:-1]) == name
    assert well_nested(f"党建品牌{shown}没有标识图片"), shown


def test_the_issue_cases() -> None:
    assert quoted("红育党建") == "“红育党建”"
    assert quoted("“红育”") == "“红育”"
    assert quoted("“红育”党建") == "“‘红育’党建”"
    assert quoted("党建“双创”工作培育创建单位") == "“党建‘双创’工作培育创建单位”"
    assert quoted("“甲”和“乙”") == "“‘甲’和‘乙’”"
    assert f"党建品牌{quoted('“红育”党建')}没有标识图片" == "党建品牌“‘红育’党建”没有标识图片"
    assert [unquoted(t) for t in ("“市级”", "'市级'", '"市级"', "“红育”党建", "市级")] == [
        "市级", "市级", "市级", "“红育”党建", "市级"]


# -- every site goes through the helper --------------------------------------------------------------------------

def _operands(node: ast.expr) -> list[ast.expr]:
    """The pieces of `a + b + c`, left to right."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [*_operands(node.left), *_operands(node.right)]
    return [node]


def _wrapped_values(tree: ast.AST) -> list[int]:
    """Lines where an f-string or a `+` puts a value between a literal “ and a literal ”."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            pieces = node.values
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            pieces = _operands(node)
        else:
            continue
        for before, value, after in zip(pieces, pieces[1:], pieces[2:], strict=False):
            if (isinstance(before, ast.Constant) and str(before.value).endswith("“")
                    and not isinstance(value, ast.Constant)
                    and isinstance(after, ast.Constant) and str(after.value).startswith("”")):
                lines.append(node.lineno)
    return sorted(set(lines))


def test_no_message_wraps_a_value_in_quotes_by_hand() -> None:
    """Route every “{value}” through quotes.quoted: grep-proof, so a new message cannot double quotes again."""
    found = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        if lines := _wrapped_values(ast.parse(path.read_text(encoding="utf-8"))):
            found[path.relative_to(ROOT).as_posix()] = lines
    assert found == {}, "wrap values with generator.quotes.quoted(...), not “{...}”"


def test_the_guard_sees_both_forms() -> None:
    assert _wrapped_values(ast.parse('f"找不到“{name}”。"')) == [1]
    assert _wrapped_values(ast.parse('"在“" + label + "”下面"')) == [1]
    assert _wrapped_values(ast.parse('f"找不到{quoted(name)}，不是“：”。"')) == []


def test_no_template_wraps_a_value_in_quotes() -> None:
    templates = sorted((GENERATOR / "site" / "templates").rglob("*.j2"))
    assert templates
    found = [p.name for p in templates if re.search(r"“\{\{[^}]*\}\}”", p.read_text(encoding="utf-8"))]
    assert found == [], "give the view a field made with press.quote instead"


# -- messages and pages over data whose names carry quotes --------------------------------------------------------

def _quoted_bureau(tmp_path: Path) -> Path:
    """The bureau fixture with Chinese quotes in its names, and mistakes that make messages naming them."""
    data = tmp_path / "data"
    shutil.copytree(BUREAU, data)
    for path in data.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("'\"红育\"党建'", "“红育”党建").replace('"双创"', "“双创”"), encoding="utf-8")
    (data / "branches" / "shili-qi.yaml").write_text(
        "name: “示例”七小\naliases:\n  - 示例一小\nbrand:\n  name: “七彩”党建\nstars:\n  - period: 2024\n"
        "    count: 1\n    earned: [“先锋”星]\n", encoding="utf-8")
    honours = data / "honours" / "2024"
    (honours / "qi-shiji-2024.yaml").write_text(
        "title: 市级“双创”示范校\nlevel: “市级”\nyear: 2024\nrecipients:\n  - shili-qi\n  - shili-qi\n"
        "  - hongyu-dangjian\n", encoding="utf-8")
    (honours / "qi-ming-2024.yaml").write_text("title: 示范校\nlevel: 市级\nrecipients:\n  - “红育”\n",
                                               encoding="utf-8")
    (honours / "qi-jiaoshi-2024.yaml").write_text(
        "title: “最美”教师\nlevel: 市级\nrecipients:\n  - {person: 张三, branch: shili-qi, role: “学生”代表}\n",
        encoding="utf-8")
    return data


def test_check_messages_name_quoted_values_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _quoted_bureau(tmp_path)
    result = load_dataset(data)
    texts = [f"{p.message} {p.hint}" for p in result.problems]
    assert len(texts) >= 4
    assert [t for t in texts if not well_nested(t)] == []
    joined = "\n".join(texts)
    assert "““" not in joined and "””" not in joined
    assert "党建品牌“‘七彩’党建”没有标识图片" in joined and "“‘示例’七小”在名单里出现了两次" in joined
    assert "去掉两边的引号，写成 市级" in joined  # a value wholly in quotes is shown as is: the hint names them
    code, _out, err = run_cli(capsys, "check", "--data", str(data))
    assert code == 1
    assert [line for line in err.splitlines() if not well_nested(line)] == []


def test_press_and_import_messages_name_quoted_values_once(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(BUREAU, data)
    code, _out, err = run_cli(capsys, "press", "--data", str(data), "--title", "“没有”这项")
    assert code == 1 and "“‘没有’这项”" in err and well_nested(err), err
    table = tmp_path / "名单.csv"
    table.write_text("序号,“学校”名称\n1,“不存在”的学校\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "import", str(table), "--data", str(data), "--title", "平安校园",
                             "--level", "市级", "--year", "2024", "--column", "“学校”名称")
    assert "““" not in out + err
    assert [line for line in (out + err).splitlines() if not well_nested(line)] == []


def test_pages_name_quoted_titles_once(tmp_path: Path) -> None:
    from generator.site.pages import render_pages

    data = tmp_path / "data"
    shutil.copytree(BUREAU, data)
    for path in data.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("'\"红育\"党建'", "“红育”党建").replace('"双创"', "“双创”"), encoding="utf-8")
    result = load_dataset(data)
    assert result.ok, [p.format() for p in result.errors]
    bad = {}
    for page in render_pages(result.dataset):
        text = html.unescape(re.sub(r"<[^>]+>", "", page.body))
        if lines := [line for line in text.splitlines() if not well_nested(line)]:
            bad[page.src_uri] = lines[:3]
    assert bad == {}


def test_press_quotes_titles_by_the_same_helper() -> None:
    from generator.site import press

    assert press.quote('党建"双创"工作培育创建单位') == "“党建‘双创’工作培育创建单位”"
    assert press.quote("“红旗”") == "“红旗”"  # one quoted span already: not quoted again
    assert press.quote("文明校园") == "“文明校园”"


@pytest.mark.parametrize("guide", ["EDITING.md", "README.md", "CONTRIBUTING.md"])
def test_the_guides_do_not_double_quotes_either(guide: str) -> None:
    lines = (ROOT / guide).read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if not well_nested(line)] == []

"""`fivestar diff`: what changed since the main branch, told in Chinese for the reviewer."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import run_cli as run

ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {"GIT_AUTHOR_NAME": "示例", "GIT_AUTHOR_EMAIL": "shili@example.invalid",
           "GIT_COMMITTER_NAME": "示例", "GIT_COMMITTER_EMAIL": "shili@example.invalid",
           "GIT_AUTHOR_DATE": "2024-01-02T03:04:05+08:00", "GIT_COMMITTER_DATE": "2024-01-02T03:04:05+08:00"}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding a copy of the bundled data, committed on main."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "data")
    git(tmp_path, "commit", "-q", "-m", "bundled data")
    monkeypatch.chdir(tmp_path)
    return tmp_path




def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def make_changes(repo: Path) -> None:
    data = repo / "data"
    (data / "honours/2024").mkdir()
    (data / "honours/2024/pingan-xiaoyuan-shiji-2024.yaml").write_text(
        "title: 平安校园\nlevel: 市级\nyear: 2024\nrecipients:\n  - xiangshan-xiaoxue\n  - weilai-xiaoxue\n"
        "total: 5\n", encoding="utf-8")
    (data / "honours/2023/qinglian-shifan-shiji-2023.yaml").unlink()
    edit(data / "honours/wenming-xiaoyuan-shengji.yaml", "recipients:\n", "recipients:\n  - zhanghengjie-xiaoxue\n")
    edit(data / "honours/wenming-xiaoyuan-shiji.yaml", "total: 27", "total: 28")
    edit(data / "branches/weilai-xiaoxue.yaml", "name: 未来小学", "name: 示例未来小学\nstars:\n  - period: 2024Q1\n"
         "    count: 4")
    edit(data / "branches/qu-yishixiao.yaml", "  name: 红·星闪闪", "  name: 红·星闪闪\n  slogan: 示例口号")
    (data / "branches/shili-xiaoxue.yaml").write_text("name: 示例小学\nkind: 小学\nbrand:\n  name: 示例品牌\n",
                                                       encoding="utf-8")
    (data / "events/2024-03-01-shili-peixun.yaml").write_text(
        "date: 2024-03-01\ntitle: 示例培训\nvenue: shili-xiaoxue\nbranches:\n  - xiangshan-xiaoxue\n",
        encoding="utf-8")


def test_no_change_says_so(repo: Path, capsys) -> None:
    code, out, _err = run(capsys, "diff")
    assert code == 0
    assert out.startswith("数据变化：main（") and "2024-01-02） → 当前工作区" in out
    assert "数据没有变化。" in out


def test_text_report_names_every_change_a_reviewer_needs(repo: Path, capsys) -> None:
    make_changes(repo)
    code, out, err = run(capsys, "diff")
    assert code == 0, err
    lines = [line.strip() for line in out.splitlines()]
    section = {name: out.index(f"【{name}】") for name in ("荣誉名单", "支部", "党建品牌", "活动")}
    assert section["荣誉名单"] < section["支部"] < section["党建品牌"] < section["活动"]
    assert ("+ 新增名单 2024年市级平安校园（data/honours/2024/pingan-xiaoyuan-shiji-2024.yaml），"
            "共 5 所，名单列出 2 所") in lines
    assert "名单：香山小学、示例未来小学" in lines
    assert "- 删除名单 2023年市级清廉示范学校（data/honours/2023/qinglian-shifan-shiji-2023.yaml），共 1 所" in lines
    assert "原名单：洛一高附属初级中学" in lines
    assert "~ 修改名单 省级文明校园（累计）（data/honours/wenming-xiaoyuan-shengji.yaml）" in lines
    assert "名单增加：张衡街小学" in lines
    assert "总数：27 → 28" in lines
    assert "+ 新增支部 示例小学（data/branches/shili-xiaoxue.yaml）" in lines
    assert "类型：小学" in lines
    assert "~ 支部改名 未来小学 → 示例未来小学（data/branches/weilai-xiaoxue.yaml）" in lines
    assert "~ 星级变化 示例未来小学：无 → 四星（2024Q1）" in lines
    assert "+ 新增品牌 “示例品牌”（示例小学）" in lines
    assert "~ 修改品牌 “红·星闪闪”（区一实小）" in lines and "口号：（空） → 示例口号" in lines
    assert "+ 新增活动 2024-03-01 示例培训（data/events/2024-03-01-shili-peixun.yaml）" in lines
    assert "地点：示例小学" in lines and "参加：香山小学" in lines
    assert "共 10 处变化：新增 4，修改 5，删除 1。" in lines
    assert "Traceback" not in out + err


def test_markdown_report_for_a_review_request(repo: Path, capsys) -> None:
    make_changes(repo)
    code, out, _err = run(capsys, "diff", "--format", "markdown")
    assert code == 0
    assert out.startswith("## 数据变化：main（")
    assert "### 荣誉名单\n\n- **新增名单** 2024年市级平安校园" in out
    assert "    - 名单：香山小学、示例未来小学\n" in out
    assert "- **删除名单** 2023年市级清廉示范学校" in out
    assert "- **支部改名** 未来小学 → 示例未来小学" in out
    assert "- **修改品牌** “红·星闪闪”（区一实小）\n    - 口号：（空） → 示例口号\n" in out
    assert "请逐条核对后再发布（三审）" in out


def test_a_branch_name_with_markdown_is_escaped_in_markdown(repo: Path, capsys) -> None:
    edit(repo / "data/branches/weilai-xiaoxue.yaml", "name: 未来小学", "name: '*示例* <b>小学</b>'")
    out = run(capsys, "diff", "--format", "markdown")[1]
    assert "\\*示例\\* &lt;b&gt;小学&lt;/b&gt;" in out and "<b>" not in out


def test_default_is_main_even_on_another_branch_and_a_revision_can_be_named(repo: Path, capsys) -> None:
    git(repo, "checkout", "-q", "-b", "shili-xiugai")
    edit(repo / "data/honours/wenming-xiaoyuan-shiji.yaml", "total: 27", "total: 28")
    git(repo, "commit", "-q", "-am", "edit")
    out = run(capsys, "diff")[1]
    assert out.startswith("数据变化：main（") and "总数：27 → 28" in out
    out = run(capsys, "diff", "HEAD")[1]
    assert out.startswith("数据变化：HEAD（") and "数据没有变化。" in out
    code, _out, err = run(capsys, "diff", "no-such-branch")
    assert code == 2 and "找不到版本“no-such-branch”" in err


def test_an_invalid_old_revision_is_compared_as_far_as_it_loads(repo: Path, capsys) -> None:
    broken = repo / "data/branches/weilai-xiaoxue.yaml"
    broken.write_text("name：未来小学\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "broken")
    broken.write_text("name: 未来小学\n", encoding="utf-8")
    code, out, _err = run(capsys, "diff")
    assert code == 0
    assert "注意：main（" in out and "有 1 个文件读不出来，没有参与比较：data/branches/weilai-xiaoxue.yaml" in out
    assert "+ 新增支部 未来小学" in out
    assert "修改名单" not in out


def test_data_added_after_the_revision_is_all_new(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    (tmp_path / "README.txt").write_text("示例\n", encoding="utf-8")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "README.txt")
    git(tmp_path, "commit", "-q", "-m", "start")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    out = run(capsys, "diff")[1]
    assert out.count("+ 新增支部") == 21 and out.count("+ 新增名单") == 13 and out.count("+ 新增活动") == 3


def test_outside_a_repository_the_message_is_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, _out, err = run(capsys, "diff")
    assert code == 2 and "不在 git 仓库里" in err

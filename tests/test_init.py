"""`fivestar init` (staff/init_project.py): a new region's project that checks, builds and publishes clean of any other
region; it never writes into a folder with something in it."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from helpers import run_cli as run

from generator.records.kinds import all_kinds
from generator.records.load import load_dataset
from generator.records.model import Site
from generator.staff import init_project
from generator.staff.init_project import SITE_EXAMPLES, InitError, ask_values, fivestar_requirement

ROOT = Path(__file__).resolve().parent.parent
FOREIGN = re.compile("洛龙|洛阳")
"""The bundled district's names: nothing of it may reach a new region's project or site."""
VALUES = ["--region", "示例区", "--owner", "示例区教育局党组", "--title", "示例区中小学校党建工作展示"]
PUBLIC_URL = "https://jyj.example.gov.cn/dangjian/"


def init(capsys: pytest.CaptureFixture[str], root: Path, url: str = PUBLIC_URL, *extra: str) -> tuple[int, str, str]:
    return run(capsys, "init", str(root), *VALUES, "--site-url", url, *extra)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "shili"
    code, _out, err = init(capsys, root)
    assert code == 0, err
    monkeypatch.chdir(root)
    return root


def texts_of(folder: Path) -> dict[str, str]:
    """Every file under `folder` as text, the members of zipped downloads (XLSX) and gzipped files included."""
    found: dict[str, str] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name, raw = path.relative_to(folder).as_posix(), path.read_bytes()
        if raw.startswith(b"PK\x03\x04"):
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                for member in archive.namelist():
                    found[f"{name}!{member}"] = archive.read(member).decode("utf-8", "replace")
            continue
        if raw.startswith(b"\x1f\x8b"):
            raw = gzip.decompress(raw)
        found[name] = raw.decode("utf-8", "replace")
    return found


def foreign_names(folder: Path) -> list[str]:
    return [name for name, text in texts_of(folder).items() if FOREIGN.search(text) or FOREIGN.search(name)]


# -- a new region from start to published site ------------------------------------------------------------------------

def test_a_new_region_builds_a_site_with_nothing_of_the_bundled_district(tmp_path: Path, capsys,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "x"
    code, out, err = init(capsys, root, "http://127.0.0.1:8000/")
    assert code == 0, err
    assert "已在" in out and "没有任何学校、名单、活动和新闻稿" in out
    assert "提醒：site_url“http://127.0.0.1:8000/”是本机地址" in out  # a trial address is fine, and said
    assert foreign_names(root) == []
    monkeypatch.chdir(root)
    code, out, err = run(capsys, "check")
    assert code == 0, err
    assert out.startswith("检查通过：0 个支部，0 份荣誉名单，0 项活动，0 个品牌。") and err == ""

    for argv in (["branch", "shili-xiaoxue-001", "--name", "示例小学001"],
                 ["honour", "pingan-xiaoyuan-shiji-2024", "--title", "平安校园", "--level", "市级", "--year", "2024",
                  "--recipients", "示例小学001"],
                 ["event", "2024-05-10-guanmo-tuijinhui", "--title", "示例区观摩推进会",
                  "--recipients", "示例小学001"]):
        code, _out, err = run(capsys, "new", *argv)
        assert code == 0, err
    code, out, err = run(capsys, "check")
    assert code == 0, err
    assert "检查通过：1 个支部，1 份荣誉名单，1 项活动" in out

    code, out, err = run(capsys, "build")
    assert code == 0, err
    assert "提醒：mkdocs.yml:6：site_url“http://127.0.0.1:8000/”是本机地址" in err  # warned, not refused
    site = root / "site"
    assert (site / "index.html").is_file() and any(site.rglob("*.xlsx")) and any(site.rglob("*.csv"))
    texts = texts_of(site)
    assert any("示例小学001" in text for text in texts.values())
    assert foreign_names(site) == []
    assert run(capsys, "check", "--publish")[0] == 1


def test_a_fresh_project_holds_what_a_region_needs_and_passes_every_check(project: Path, capsys) -> None:
    for name in ("mkdocs.yml", "data/site.yaml", "README.md", "EDITING.md", "requirements.txt", ".gitignore",
                 ".github/workflows/publish.yml", ".gitlab-ci.yml", ".vscode/settings.json", "theme/main.html",
                 "data/images/README.md", *(f"schema/{k}.schema.json" for k in ("site", "branch", "honour", "event"))):
        assert (project / name).is_file(), name
    for kind in all_kinds():
        assert (project / "data" / kind.folder / "README.md").is_file()
    assert (project / "content").is_dir() and not (project / "content/news").exists()
    assert [p.name for p in (project / "content").iterdir()] == [".gitkeep"]
    result = load_dataset(project / "data")
    assert result.ok and result.problems == ()
    site = result.dataset.site
    assert (site.region, site.owner, site.title) == ("示例区", "示例区教育局党组", "示例区中小学校党建工作展示")
    assert run(capsys, "check", "--publish")[0] == 0


def test_the_folder_readme_examples_are_what_fivestar_new_writes(project: Path, capsys) -> None:
    """The example beside each folder is the template itself, so the two never drift; it is never read as a record."""
    commands = {"branch": ["shili-xiaoxue-001", "--name", "示例小学001"],
                "event": ["2024-05-10-guanmo-tuijinhui", "--title", "示例区观摩推进会", "--recipients", "示例小学001",
                          "--venue", "示例小学001"],
                "honour": ["pingan-xiaoyuan-shiji-2024", "--title", "平安校园", "--level", "市级", "--year", "2024",
                           "--recipients", "示例小学001、示例小学002"]}
    assert run(capsys, "new", "branch", "shili-xiaoxue-002", "--name", "示例小学002")[0] == 0
    for kind in all_kinds():
        readme = (project / "data" / kind.folder / "README.md").read_text(encoding="utf-8")
        example = re.search(r"```yaml\n(.*?)```", readme, re.DOTALL)
        assert example is not None
        code, out, err = run(capsys, "new", kind.name, *commands[kind.name])
        assert code == 0, err
        written = project / out.split()[1]
        assert written.read_text(encoding="utf-8") == example[1], kind.name
        assert f"fivestar new {kind.name} {' '.join(commands[kind.name])}" in readme
    assert run(capsys, "check")[0] == 0


def test_site_yaml_shows_every_key_and_its_examples_are_valid(project: Path) -> None:
    text = (project / "data/site.yaml").read_text(encoding="utf-8")
    for key in Site.model_fields:
        if key != "id":
            assert re.search(rf"(?m)^(# )?{key}:", text), key
    uncommented = text + "".join(line[2:] + "\n" if line.startswith("# ") else "\n"
                                 for lines in SITE_EXAMPLES.values() for line in lines)
    (project / "data/site.yaml").write_text(uncommented, encoding="utf-8")
    result = load_dataset(project / "data")
    assert result.ok, result.problems
    assert result.dataset.site.stars and result.dataset.site.footer is not None


def test_a_key_the_site_model_gains_is_shown_commented_out(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    monkeypatch.delitem(SITE_EXAMPLES, "source")
    text = init_project.site_text(init_project.ProjectValues("示例区", "示例区教育局党组", "示例", PUBLIC_URL,
                                                             dt.date(2024, 6, 30)))
    assert "# 数据来源说明，如所依据的报道或文件\n# source: \n" in text


def test_the_project_shares_the_repositorys_settings_theme_and_editor_setup(project: Path) -> None:
    ours = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    theirs = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    assert theirs.pop("site_url") == PUBLIC_URL and theirs.pop("site_name") == "示例区中小学校党建工作展示"
    ours.pop("site_url"), ours.pop("site_name")
    assert theirs == ours
    for name in (".vscode/settings.json", ".vscode/extensions.json", "EDITING.md"):
        assert (project / name).read_bytes() == (ROOT / name).read_bytes(), name
    theme = sorted(p.relative_to(ROOT / "theme") for p in (ROOT / "theme").rglob("*") if p.is_file())
    assert theme == sorted(p.relative_to(project / "theme") for p in (project / "theme").rglob("*") if p.is_file())
    settings = json.loads((project / ".vscode/settings.json").read_text(encoding="utf-8"))
    assert all((project / schema).is_file() for schema in settings["yaml.schemas"])


# -- what it refuses --------------------------------------------------------------------------------------------------

def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_a_folder_with_anything_in_it_is_refused_and_nothing_is_written(tmp_path: Path, capsys) -> None:
    root = tmp_path / "old"
    (root / "data").mkdir(parents=True)
    (root / "笔记.txt").write_text("示例\n", encoding="utf-8")
    before = listing(tmp_path)
    code, out, err = init(capsys, root)
    assert code == 2 and out == ""
    assert "不是空的" in err and "笔记.txt" in err and "没有写入任何文件" in err and "Traceback" not in err
    assert listing(tmp_path) == before


def test_a_file_is_refused_and_a_clone_of_an_empty_repository_is_used(tmp_path: Path, capsys) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    code, _out, err = init(capsys, tmp_path / "file")
    assert code == 2 and "是一个文件" in err
    clone = tmp_path / "clone"
    (clone / ".git").mkdir(parents=True)
    (clone / ".git/HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    code, _out, err = init(capsys, clone)
    assert code == 0, err
    assert (clone / "data/site.yaml").is_file() and (clone / ".git/HEAD").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging folder left


def test_without_a_terminal_missing_values_are_listed_and_nothing_is_written(tmp_path: Path, capsys) -> None:
    code, out, err = run(capsys, "init", str(tmp_path / "new"), "--region", "示例区")
    assert code == 2 and out == ""
    assert "缺少建立网站所需的信息：发布单位、网站标题、网站地址" in err
    assert "--owner … --title … --site-url …" in err and "fivestar init 文件夹 --region 示例区" in err
    code, _out, err = init(capsys, tmp_path / "new", "jyj.example.gov.cn")
    assert code == 2 and "网站地址“jyj.example.gov.cn”不是网址" in err
    assert listing(tmp_path) == []


def test_in_a_terminal_missing_or_unusable_values_are_asked_again() -> None:
    answers = iter(["示例区教育局党组", "", "示例区展示", "jyj.example.gov.cn", "https://jyj.example.gov.cn/x"])
    asked: list[str] = []
    said: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    values = ask_values({"region": "示例区", "owner": None, "title": None, "site_url": None}, interactive=True,
                        ask=ask, say=said.append)
    assert values == {"region": "示例区", "owner": "示例区教育局党组", "title": "示例区展示",
                      "site_url": "https://jyj.example.gov.cn/x/"}
    assert asked[0].startswith("发布单位的全称") and len(asked) == 5
    assert said == ["建立新网站还需要以下信息，请逐项输入后按回车：", "网站标题（--title）不能为空。",
                    "网站地址“jyj.example.gov.cn”不是网址：写完整的地址，以 https:// 开头，如 https://jyj.example.gov.cn/dangjian/。"]
    with pytest.raises(InitError, match="缺少建立网站所需的信息：网站标题"):
        ask_values({"region": "示例区", "owner": "示例", "title": "  ", "site_url": PUBLIC_URL}, interactive=False)


# -- publishing a new region ------------------------------------------------------------------------------------------

def test_the_projects_recipes_check_for_publishing_before_they_publish(project: Path) -> None:
    workflow = yaml.safe_load((project / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    install = next(i for i, r in enumerate(runs) if "pip install -r requirements.txt" in r)
    publish = next(i for i, r in enumerate(runs) if r.strip() == "fivestar check --publish")
    build = next(i for i, r in enumerate(runs) if r.strip() == "fivestar build")
    upload = next(i for i, s in enumerate(steps) if "upload-pages-artifact" in s.get("uses", ""))
    assert install < publish < build < upload
    assert steps[publish]["if"] == "github.event_name != 'pull_request' && github.ref == 'refs/heads/main'"
    for step in steps[publish + 1:]:  # whatever publishes runs only where the check ran (and after it)
        if "upload" in step.get("uses", "") or "fivestar publish" in step.get("run", ""):
            assert step["if"].removeprefix("always() && ").startswith(steps[publish]["if"]), step["name"]
    assert "pip install -e ." not in "\n".join(runs)  # a region's project is not the tool's source
    gitlab = yaml.safe_load((project / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    pages = [line for line in gitlab["pages"]["script"] if isinstance(line, str)]
    assert pages.index("fivestar check --publish") < pages.index("fivestar build --site-dir public")
    assert "fivestar check --publish" not in gitlab["check"]["script"]
    for forge in ("gitea", "forgejo"):
        job = yaml.safe_load((project / f".{forge}/workflows/publish.yml").read_text(encoding="utf-8"))["jobs"]
        forge_runs = [step["run"].strip() for step in job["publish"]["steps"]]
        checked = forge_runs.index("fivestar check --publish")
        assert checked < forge_runs.index("fivestar build") < \
            next(i for i, r in enumerate(forge_runs) if "fivestar publish" in r)


def run_bash(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PATH": path}, check=False)


def test_the_install_step_stops_until_requirements_name_fivestars_source(project: Path) -> None:
    workflow = yaml.safe_load((project / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    install = next(s["run"] for s in workflow["jobs"]["build"]["steps"] if "requirements.txt" in s.get("run", ""))
    guard = install.split("pip install")[0]
    done = run_bash(guard, project)
    assert done.returncode == 1 and "requirements.txt 里还没有写安装 fivestar 的来源" in done.stdout
    requirements = project / "requirements.txt"
    requirements.write_text(requirements.read_text(encoding="utf-8")
                            + "fivestar @ git+https://git.example.gov.cn/fivestar.git@v0.1.0\n", encoding="utf-8")
    assert run_bash(guard, project).returncode == 0


def test_fivestar_is_installed_from_where_it_came_never_from_the_unrelated_package(
        monkeypatch: pytest.MonkeyPatch) -> None:
    class Installed:
        def __init__(self, origin: dict[str, object] | None) -> None:
            self.origin = origin

        def read_text(self, name: str) -> str | None:
            return json.dumps(self.origin) if self.origin is not None else None

    from importlib import metadata

    commit = "0123456789abcdef0123456789abcdef01234567"
    for origin, expected in (
            ({"url": "https://git.example.gov.cn/fivestar.git", "vcs_info": {"vcs": "git", "commit_id": commit}},
             f"fivestar @ git+https://git.example.gov.cn/fivestar.git@{commit}"),
            ({"url": "file:///work/fivestar", "dir_info": {"editable": True}}, None),
            (None, None)):
        monkeypatch.setattr(metadata, "distribution", lambda _name, o=origin: Installed(o))
        line = fivestar_requirement()
        if expected:
            assert line == expected
        else:
            assert line.startswith("# ") and "fivestar @ git+https://" in line


def test_a_new_project_has_the_form_editors_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main

    code, _out, err = init(capsys, tmp_path / "new")
    assert code == 0, err
    assert (tmp_path / "new" / "admin" / "config.yml").is_file()
    assert main(["cms", "--data", str(tmp_path / "new" / "data"), "--check"]) == 0

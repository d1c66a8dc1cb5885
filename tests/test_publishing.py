"""Publishing recipes: CI files parse and their commands succeed here; the pre-commit hook blocks bad data."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
import yaml

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {"GIT_AUTHOR_NAME": "示例", "GIT_AUTHOR_EMAIL": "shili@example.invalid",
           "GIT_COMMITTER_NAME": "示例", "GIT_COMMITTER_EMAIL": "shili@example.invalid",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
SITE_FILES = ("data", "schema", "mkdocs.yml", "content", "theme")


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=check)


def load_yaml(name: str) -> object:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


PUBLIC_URL = "https://jyj.example.gov.cn/dangjian/"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """What a publishing run checks out: the data, the schema and the site settings, with the site's public address
    in mkdocs.yml (the bundled one is the preview's, which `fivestar check --publish` refuses)."""
    for name in SITE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, tmp_path / name)
    config = tmp_path / "mkdocs.yml"
    config.write_text(re.sub(r"(?m)^site_url: .*$", f"site_url: {PUBLIC_URL}", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    return tmp_path


def build_available() -> bool:
    return (ROOT / "generator/engine/build.py").is_file() and (ROOT / "mkdocs.yml").is_file()


def run_shell(script: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a CI step's script with bash, as the runner would (minus installing what is installed here)."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV, "PATH": path, **(env or {})}, check=False)


def fivestar_lines(script: str) -> list[str]:
    return [line for line in script.splitlines() if line.strip().startswith("fivestar ")]


# -- the files parse and say what they must ------------------------------------------------------


def test_every_publishing_file_parses() -> None:
    for name in (".github/workflows/publish.yml", ".gitlab-ci.yml", ".pre-commit-hooks.yaml"):
        assert load_yaml(name), name
    for name in (".vscode/settings.json", ".vscode/extensions.json"):
        assert json.loads((ROOT / name).read_text(encoding="utf-8")), name


def test_github_workflow_checks_builds_and_deploys_with_the_official_actions() -> None:
    workflow = load_yaml(".github/workflows/publish.yml")
    assert isinstance(workflow, dict)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"] and "pull_request" in triggers
    steps = workflow["jobs"]["build"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert "actions/checkout@v4" in uses and "actions/upload-pages-artifact@v3" in uses
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"
    runs = [s.get("run", "") for s in steps]
    order = [next(i for i, r in enumerate(runs) if r.startswith(cmd))
             for cmd in ("pip install -e .", "fivestar check", "fivestar check --publish", "fivestar build")]
    assert order == sorted(order)
    publishing = "github.event_name != 'pull_request' && github.ref == 'refs/heads/main'"
    assert steps[order[2]]["if"] == publishing  # what publishes is checked for publishing first
    assert steps[order[1]]["if"] != publishing
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][0]["uses"] == "actions/deploy-pages@v4"
    assert "pull_request" in deploy["if"]


def test_gitlab_pages_job_publishes_public_from_the_default_branch() -> None:
    config = load_yaml(".gitlab-ci.yml")
    assert isinstance(config, dict)
    assert config["image"].startswith("python:3.11")
    pages = config["pages"]
    assert pages["artifacts"]["paths"] == ["public"]
    assert pages["script"] == ["pip install -e .", "fivestar check --publish", "fivestar build --site-dir public"]
    assert config["check"]["script"] == ["pip install -e .", "fivestar check", "fivestar build --site-dir public"]
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]


def test_pre_commit_hook_definition() -> None:
    hooks = load_yaml(".pre-commit-hooks.yaml")
    assert isinstance(hooks, list)
    hook = next(h for h in hooks if h["id"] == "fivestar-check")
    assert hook["entry"] == "fivestar check" and hook["pass_filenames"] is False
    assert hook["language"] == "python"
    pattern = re.compile(hook["files"])
    assert pattern.search("data/branches/qu-yishixiao.yaml") and not pattern.search("generator/cli.py")
    assert not pattern.search("docs/data/x.yaml")
    # the entry point it names is the one pip installs
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'fivestar = "generator.cli:run"' in pyproject


def test_vscode_maps_every_data_file_to_exactly_one_existing_schema() -> None:
    settings = json.loads((ROOT / ".vscode/settings.json").read_text(encoding="utf-8"))
    mapping: dict[str, list[str]] = settings["yaml.schemas"]
    for schema in mapping:
        assert (ROOT / schema).is_file(), schema
    assert settings["files.encoding"] == "utf8"
    assert settings["[yaml]"]["editor.insertSpaces"] is True and settings["[yaml]"]["editor.tabSize"] == 2
    files = [p.relative_to(ROOT).as_posix() for p in (ROOT / "data").rglob("*.yaml")]
    assert len(files) > 30
    for name in files:
        path = PurePosixPath(name)
        owners = [schema for schema, globs in mapping.items()
                  if any(path.match(g) and len(PurePosixPath(g).parts) == len(path.parts) for g in globs)]
        assert len(owners) == 1, (name, owners)
        kind = {"branches": "branch", "honours": "honour", "events": "event"}.get(path.parts[1], "site")
        assert owners[0] == f"./schema/{kind}.schema.json"
    recommended = json.loads((ROOT / ".vscode/extensions.json").read_text(encoding="utf-8"))["recommendations"]
    assert "redhat.vscode-yaml" in recommended


# -- the commands the workflows run succeed here --------------------------------------------------


def test_github_workflow_commands_succeed_locally(project: Path) -> None:
    if not build_available():
        pytest.skip("fivestar build 还没有实现（generator/engine/build.py 或 mkdocs.yml 不存在）")
    workflow = load_yaml(".github/workflows/publish.yml")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "data")
    git(project, "commit", "-q", "-m", "data")
    git(project, "update-ref", "refs/remotes/origin/main", "HEAD")
    summary = project / "summary.md"
    ran = []
    for step in workflow["jobs"]["build"]["steps"]:
        for line in fivestar_lines(step.get("run", "")):
            line = line.replace("${{ github.base_ref }}", "main")
            done = run_shell(line, project, {"GITHUB_STEP_SUMMARY": str(summary)})
            assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
            ran.append(line)
    assert [" ".join(line.split()[1:3]) for line in ran] == ["check", "check --publish", 'diff "origin/main"', "build"]
    assert "数据没有变化" in summary.read_text(encoding="utf-8")
    upload = next(s for s in workflow["jobs"]["build"]["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    site = project / upload["with"]["path"]
    assert (site / "index.html").is_file() and (site / "honours").is_dir()


def test_gitlab_commands_succeed_locally(project: Path) -> None:
    if not build_available():
        pytest.skip("fivestar build 还没有实现（generator/engine/build.py 或 mkdocs.yml 不存在）")
    config = load_yaml(".gitlab-ci.yml")
    assert isinstance(config, dict)
    for line in config["pages"]["script"]:
        if line.startswith("pip "):
            continue  # installed already; installing again would change the test environment
        done = run_shell(line, project)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
    public = project / config["pages"]["artifacts"]["paths"][0]
    assert (public / "index.html").is_file()
    assert "洛龙区" in (public / "index.html").read_text(encoding="utf-8")


def test_the_bundled_preview_address_is_refused_for_publishing(project: Path) -> None:
    """The repository's mkdocs.yml keeps the preview's address: publishing it as it is would point every canonical link
    and the feed at the reader's own computer, so the publishing step stops with the file and line."""
    shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    done = run_shell("fivestar check --publish", project)
    assert done.returncode == 1
    assert re.search(r"mkdocs\.yml:\d+:1: 错误：site_url“http://127\.0\.0\.1:8000/”是本机地址", done.stderr)


def test_pre_commit_entry_succeeds_on_the_bundled_data(project: Path) -> None:
    hooks = load_yaml(".pre-commit-hooks.yaml")
    assert isinstance(hooks, list)
    done = run_shell(hooks[0]["entry"], project)
    assert done.returncode == 0, done.stderr
    assert "检查通过" in done.stdout


# -- fivestar install-hook ------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "data")
    git(tmp_path, "commit", "-q", "-m", "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def commit_count(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD").stdout)


def test_installed_hook_blocks_a_commit_with_bad_data(repo: Path, capsys) -> None:
    assert main(["install-hook"]) == 0
    out = capsys.readouterr().out
    hook = repo / ".git/hooks/pre-commit"
    assert f"已安装提交前检查：{hook}" in out
    assert os.access(hook, os.X_OK)
    assert hook.read_text(encoding="utf-8").startswith("#!/bin/sh\n# fivestar-hook")

    good = repo / "data/honours/wenming-xiaoyuan-shiji.yaml"
    good.write_text(good.read_text(encoding="utf-8").replace("total: 27", "total: 28"), encoding="utf-8")
    git(repo, "add", "-A")
    done = git(repo, "commit", "-m", "good edit", check=False)
    assert done.returncode == 0, done.stderr
    assert commit_count(repo) == 2

    bad = repo / "data/branches/weilai-xiaoxue.yaml"
    bad.write_text("name：未来小学\n", encoding="utf-8")
    git(repo, "add", "-A")
    done = git(repo, "commit", "-m", "bad edit", check=False)
    assert done.returncode != 0
    assert "data/branches/weilai-xiaoxue.yaml:1" in done.stderr
    assert "中文冒号" in done.stderr
    assert "提交已取消：数据检查未通过" in done.stderr
    assert commit_count(repo) == 2

    # the hook checks what is staged: a fix only in the editor does not let the bad version through
    bad.write_text("name: 未来小学\n", encoding="utf-8")
    assert git(repo, "commit", "-m", "still bad", check=False).returncode != 0
    git(repo, "add", "-A")
    done = git(repo, "commit", "-m", "fixed", check=False)
    assert done.returncode == 0, done.stderr
    assert commit_count(repo) == 3


def test_a_commit_without_data_changes_is_not_checked(repo: Path, capsys) -> None:
    assert main(["install-hook"]) == 0
    (repo / "data/branches/weilai-xiaoxue.yaml").write_text("name：未来小学\n", encoding="utf-8")
    (repo / "README.md").write_text("示例\n", encoding="utf-8")
    git(repo, "add", "README.md")
    done = git(repo, "commit", "-m", "readme", check=False)
    assert done.returncode == 0, done.stderr


def test_a_foreign_hook_is_kept_unless_forced(repo: Path, capsys) -> None:
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 别人的钩子\n", encoding="utf-8")
    assert main(["install-hook"]) == 2
    err = capsys.readouterr().err
    assert "不会覆盖它" in err and "--force" in err
    assert hook.read_text(encoding="utf-8") == "#!/bin/sh\necho 别人的钩子\n"
    assert main(["install-hook", "--force"]) == 0
    out = capsys.readouterr().out
    assert "原来的钩子已备份为" in out
    assert (repo / ".git/hooks/pre-commit.bak").read_text(encoding="utf-8") == "#!/bin/sh\necho 别人的钩子\n"
    assert main(["install-hook"]) == 0  # our own hook is simply updated
    assert "已更新提交前检查" in capsys.readouterr().out


def test_install_hook_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert main(["install-hook"]) == 2
    assert "不在 git 仓库里" in capsys.readouterr().err


def test_hook_script_quotes_paths_with_spaces() -> None:
    from generator.staff.hooks import hook_script

    script = hook_script("my data", "/opt/py 3/bin/python")
    assert f"DATA={shlex.quote('my data')}" in script and f"PY={shlex.quote('/opt/py 3/bin/python')}" in script

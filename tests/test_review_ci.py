"""The review step of a new project's CI (GitLab merge requests; Gitea and Forgejo pull requests): run for real on a
throwaway repository, as the runner would run it, with curl replaced by a stub that records what would be sent."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.staff.init_project import PROJECT_FILES

ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {"GIT_AUTHOR_NAME": "示例", "GIT_AUTHOR_EMAIL": "shili@example.invalid",
           "GIT_COMMITTER_NAME": "示例", "GIT_COMMITTER_EMAIL": "shili@example.invalid",
           "GIT_AUTHOR_DATE": "2024-01-02T03:04:05+08:00", "GIT_COMMITTER_DATE": "2024-01-02T03:04:05+08:00",
           "GIT_CONFIG_NOSYSTEM": "1"}
HONOUR = "data/honours/2023/pingan-xiaoyuan-shiji-2023.yaml"
MR_BRANCH = "cms/honours/pingan-xiaoyuan-shiji-2023"
MARKER = "<!-- fivestar diff -->"
# GitLab's own rule for `artifacts:expose_as` (lib/gitlab/ci/config/entry/artifacts.rb): Ruby's \w is ASCII only.
EXPOSE_AS = re.compile(r"\A[A-Za-z0-9_][-A-Za-z0-9_ ]*\Z")
ACTIONS_FILES = {"gitea": "gitea-review.yml", "forgejo": "forgejo-review.yml"}

CURL_STUB = """#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["CURL_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(args, ensure_ascii=False) + "\\n")
if "--request" not in args:
    sys.stdout.write(os.environ.get("CURL_REPLY", "[]"))
sys.exit(int(os.environ.get("CURL_EXIT", "0")))
"""
FIVESTAR_SHIM = """#!/bin/sh
PYTHONPATH={root} exec {python} -m generator "$@"
"""


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True).stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def commit(repo: Path, message: str) -> None:
    git(repo, "commit", "-q", "-am", message)


@pytest.fixture
def server(tmp_path: Path) -> Path:
    """The bureau's repository as the Git server holds it (bare, at <server>/shili/site.git): main with the bundled
    data; a merge-request branch, three commits long, adding one school to one honour list; and, after the branch
    was made, three more commits on main that change another list (a review against main's tip would show them
    undone). The pull request's head is also kept where Gitea keeps it, refs/pull/5/head."""
    work = tmp_path / "author"
    work.mkdir()
    (work / "data").mkdir()
    subprocess.run(["cp", "-r", str(ROOT / "data"), str(work)], check=True)
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "data")
    git(work, "commit", "-q", "-m", "bundled data")
    git(work, "checkout", "-q", "-b", MR_BRANCH)
    edit(work / HONOUR, "  - luoyigao-fuxiao\n", "  - luoyigao-fuxiao\n  - xiangshan-xiaoxue\n")
    commit(work, "名单增加香山小学")
    edit(work / HONOUR, "待核实。", "待核实（见编辑部记录）。")
    commit(work, "备注")
    edit(work / HONOUR, "total: 6", "total: 7")
    commit(work, "总数")
    git(work, "checkout", "-q", "main")
    for total in (28, 29, 30):
        edit(work / "data/honours/wenming-xiaoyuan-shiji.yaml", f"total: {total - 1}", f"total: {total}")
        commit(work, f"文明校园 {total}")
    bare = tmp_path / "server" / "shili" / "site.git"
    bare.parent.mkdir(parents=True)
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    git(bare, "update-ref", "refs/pull/5/head", f"refs/heads/{MR_BRANCH}")
    return bare


@pytest.fixture
def tools(tmp_path: Path) -> Path:
    """A folder put first on PATH: curl is a stub recording its arguments; fivestar is this checkout's."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, text in (("curl", CURL_STUB.format(python=sys.executable)),
                       ("fivestar", FIVESTAR_SHIM.format(root=ROOT, python=sys.executable))):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return folder


def run_script(script: str, cwd: Path, tools: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A job's script with bash, as the runners run it (-e, pipefail), a private git config for `--global`."""
    full = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": str(cwd.parent / "gitconfig"),
            "CURL_LOG": str(cwd.parent / "curl.log"), "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", **env}
    return subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=cwd, capture_output=True, text=True,
                          env=full, check=False)


def curl_calls(cwd: Path) -> list[list[str]]:
    log = cwd.parent / "curl.log"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def option(args: list[str], name: str) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args) if arg == name]


# -- GitLab --------------------------------------------------------------------------------------------------------


def gitlab_config() -> dict:
    config = yaml.safe_load((PROJECT_FILES / "gitlab-ci.yml").read_text(encoding="utf-8"))
    assert isinstance(config, dict)
    return config


def flatten(items: list) -> list[str]:
    """GitLab flattens the nested lists an anchor (`- *install`) makes."""
    return [line for item in items for line in (flatten(item) if isinstance(item, list) else [item])]


def review_script() -> str:
    """The review job's own lines: its script minus the shared install lines."""
    config = gitlab_config()
    install = flatten(config[".install"])
    lines = [line for line in flatten(config["review"]["script"]) if line not in install]
    assert lines and all("pip install" not in line for line in lines)
    return "\n".join(lines)


def gitlab_checkout(server: Path, tmp_path: Path, depth: int) -> Path:
    """What the runner leaves for a merge-request pipeline: a shallow clone of the merge request's head, detached."""
    work = tmp_path / "gitlab" / "build"
    work.parent.mkdir()
    git(tmp_path, "clone", "-q", f"--depth={depth}", "--branch", MR_BRANCH, server.as_uri(), str(work))
    git(work, "checkout", "-q", "--detach")
    assert git(work, "rev-parse", "--is-shallow-repository").strip() == "true"
    return work


def gitlab_env(**more: str) -> dict[str, str]:
    return {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_PIPELINE_SOURCE": "merge_request_event",
            "CI_API_V4_URL": "https://git.example.cn/api/v4", "CI_PROJECT_ID": "7", "CI_MERGE_REQUEST_IID": "5",
            "GIT_DEPTH": "2", **more}


def fork_point(server: Path) -> str:
    return git(server, "merge-base", "main", MR_BRANCH).strip()


def assert_review_of_the_merge_request(report: str, server: Path) -> None:
    """The report tells the merge request's own change against the version it branched from, nothing else."""
    short = git(server, "rev-parse", "--short", fork_point(server)).strip()
    assert report.startswith(MARKER + "\n")
    assert f"## 数据变化：main（{short}，2024-01-02） → 当前工作区" in report
    assert "- **修改名单** 2023年市级平安校园（data/honours/2023/pingan-xiaoyuan-shiji-2023.yaml）" in report
    assert "    - 名单增加：香山小学" in report
    assert "    - 总数：6 → 7" in report
    assert "文明校园" not in report  # main's later commits are not the merge request's
    assert "共 1 处变化：新增 0，修改 1，删除 0。" in report
    assert report.rstrip().endswith(
        "比较的是合并请求的最新提交与它从 main 分出时的那一版：只列这个合并请求带来的变化。")


def test_the_gitlab_review_job_is_a_merge_request_job_gitlab_accepts() -> None:
    config = gitlab_config()
    job = config["review"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert "slim" not in job["image"] and job["image"].startswith("python:3.11")  # git and curl are in the image
    artifacts = job["artifacts"]
    assert artifacts["paths"] == ["数据变化.md"] and "*" not in artifacts["paths"][0]
    assert EXPOSE_AS.match(artifacts["expose_as"]) and len(artifacts["expose_as"]) <= 100
    assert artifacts["when"] == "always"
    assert job["allow_failure"] == {"exit_codes": 3}
    assert job["stage"] in config["stages"]
    assert "fivestar diff" in review_script() and "--format markdown" in review_script()


def test_the_gitlab_review_job_reports_the_merge_requests_change_on_a_shallow_clone_and_comments(
        server: Path, tools: Path, tmp_path: Path) -> None:
    work = gitlab_checkout(server, tmp_path, depth=2)
    done = run_script(review_script(), work, tools, gitlab_env(FIVESTAR_REVIEW_TOKEN="glpat-shili"))
    assert done.returncode == 0, done.stdout + done.stderr
    report = (work / "数据变化.md").read_text(encoding="utf-8")
    assert_review_of_the_merge_request(report, server)
    assert report in done.stdout  # in the job log too
    assert "已把数据变化发到合并请求的评论里" in done.stdout
    assert "glpat-shili" not in done.stdout + done.stderr  # the token never reaches the job log
    notes = "https://git.example.cn/api/v4/projects/7/merge_requests/5/notes"
    listing, posting = curl_calls(work)
    assert option(listing, "--header") == ["PRIVATE-TOKEN: glpat-shili"] and "--request" not in listing
    assert listing[-1] == f"{notes}?per_page=100&sort=desc&order_by=updated_at"
    assert option(posting, "--request") == ["POST"] and posting[-1] == notes
    assert option(posting, "--header") == ["PRIVATE-TOKEN: glpat-shili"]
    assert option(posting, "--data-urlencode") == ["body@数据变化.md"]
    assert "--fail" in posting  # an HTTP error is an error
    assert git(work, "rev-parse", "main").strip() == fork_point(server)


def test_the_gitlab_review_job_updates_its_own_comment_rather_than_adding_one_per_push(
        server: Path, tools: Path, tmp_path: Path) -> None:
    work = gitlab_checkout(server, tmp_path, depth=2)
    earlier = [{"id": 41, "body": "请核对香山小学的文号。"}, {"id": 42, "body": f"{MARKER}\n## 数据变化：旧的"}]
    done = run_script(review_script(), work, tools,
                      gitlab_env(FIVESTAR_REVIEW_TOKEN="glpat-shili", CURL_REPLY=json.dumps(earlier)))
    assert done.returncode == 0, done.stdout + done.stderr
    _listing, updating = curl_calls(work)
    assert option(updating, "--request") == ["PUT"]
    assert updating[-1] == "https://git.example.cn/api/v4/projects/7/merge_requests/5/notes/42"


def test_without_the_token_the_gitlab_job_reports_and_sends_nothing(
        server: Path, tools: Path, tmp_path: Path) -> None:
    work = gitlab_checkout(server, tmp_path, depth=1)
    done = run_script(review_script(), work, tools, gitlab_env(GIT_DEPTH="1"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert_review_of_the_merge_request((work / "数据变化.md").read_text(encoding="utf-8"), server)
    assert curl_calls(work) == []
    assert "没有设置变量 FIVESTAR_REVIEW_TOKEN，不发评论" in done.stdout


def test_a_refused_comment_marks_the_gitlab_job_as_a_warning_and_keeps_the_report(
        server: Path, tools: Path, tmp_path: Path) -> None:
    work = gitlab_checkout(server, tmp_path, depth=2)
    done = run_script(review_script(), work, tools, gitlab_env(FIVESTAR_REVIEW_TOKEN="glpat-old", CURL_EXIT="22"))
    assert done.returncode == 3  # allow_failure: exit_codes: 3 → a warning, the merge is not blocked
    assert "请检查变量 FIVESTAR_REVIEW_TOKEN 的令牌" in done.stdout
    assert_review_of_the_merge_request((work / "数据变化.md").read_text(encoding="utf-8"), server)


def test_a_full_clone_needs_no_deepening(server: Path, tools: Path, tmp_path: Path) -> None:
    work = tmp_path / "gitlab" / "build"
    work.parent.mkdir()
    git(tmp_path, "clone", "-q", "--branch", MR_BRANCH, server.as_uri(), str(work))
    git(work, "checkout", "-q", "--detach")
    done = run_script(review_script(), work, tools, gitlab_env(GIT_DEPTH="0"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert_review_of_the_merge_request((work / "数据变化.md").read_text(encoding="utf-8"), server)


def test_with_no_common_history_the_gitlab_job_compares_with_the_targets_tip_and_says_so(
        server: Path, tools: Path, tmp_path: Path) -> None:
    """A target branch that shares no commit with the merge request (a repository started over): the report is
    still written, against the target's newest version, and the note says so."""
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(server), str(other))
    git(other, "checkout", "-q", "--orphan", "restart")
    git(other, "commit", "-q", "-m", "started over")
    git(other, "push", "-q", "origin", "restart")
    work = gitlab_checkout(server, tmp_path, depth=2)
    done = run_script(review_script(), work, tools, gitlab_env(CI_MERGE_REQUEST_TARGET_BRANCH_NAME="restart"))
    assert done.returncode == 0, done.stdout + done.stderr
    report = (work / "数据变化.md").read_text(encoding="utf-8")
    assert "## 数据变化：restart（" in report
    assert report.rstrip().endswith("比较的是 restart 的最新版；restart 后来合入的改动也会列出来。")


# -- Gitea and Forgejo Actions ---------------------------------------------------------------------------------------


def actions_workflow(name: str) -> dict:
    workflow = yaml.safe_load((PROJECT_FILES / ACTIONS_FILES[name]).read_text(encoding="utf-8"))
    assert isinstance(workflow, dict)
    return workflow


def test_the_gitea_and_forgejo_workflows_differ_only_in_the_runner_label_and_fetch_no_action() -> None:
    gitea, forgejo = (actions_workflow(name) for name in ("gitea", "forgejo"))
    assert gitea["jobs"]["review"].pop("runs-on") == "ubuntu-latest"
    assert forgejo["jobs"]["review"].pop("runs-on") == "docker"
    assert gitea == forgejo
    triggers = gitea.get("on", gitea.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"pull_request"}
    job = gitea["jobs"]["review"]
    assert job["container"]["image"].startswith("python:3.11") and "slim" not in job["container"]["image"]
    assert all("uses" not in step for step in job["steps"])  # nothing to download from github.com on an intranet
    assert job["env"]["FIVESTAR_REVIEW_TOKEN"] == "${{ secrets.FIVESTAR_REVIEW_TOKEN }}"
    for step in job["steps"]:
        assert "${{" not in step["run"]  # event values reach the scripts through env, never pasted into them


def test_every_template_finds_the_fork_point_and_writes_the_report_the_same_way() -> None:
    """The fetching and comparing lines are one text in the three templates, so a fix reaches all of them."""
    def block(script: str) -> str:
        start = script.index("fetch_target() {")
        end = script.index("cat 数据变化.md")
        return "\n".join(line.strip() for line in script[start:end].splitlines())

    gitlab = block(review_script())
    for name in ACTIONS_FILES:
        steps = actions_workflow(name)["jobs"]["review"]["steps"]
        assert block(next(s["run"] for s in steps if "fivestar diff" in s["run"])) == gitlab


@pytest.mark.parametrize("name", sorted(ACTIONS_FILES))
def test_the_actions_review_checks_out_the_pull_request_reports_and_comments(
        name: str, server: Path, tools: Path, tmp_path: Path) -> None:
    job = actions_workflow(name)["jobs"]["review"]
    work = tmp_path / name / "workspace"
    work.mkdir(parents=True)
    server_url = (tmp_path / "server").as_uri()
    env = {**{key: str(value) for key, value in job["env"].items() if "${{" not in str(value)},
           "SERVER_URL": server_url, "REPOSITORY": "shili/site", "PR_NUMBER": "5", "TARGET_BRANCH": "main",
           "JOB_TOKEN": "job-token", "FIVESTAR_REVIEW_TOKEN": "gitea-shili", "GIT_DEPTH": "2"}
    ran = []
    for step in job["steps"]:
        if "pip install" in step["run"]:
            continue  # installed already
        done = run_script(step["run"], work, tools, env)
        assert done.returncode == 0, f"{step['name']}\n{done.stdout}\n{done.stderr}"
        ran.append(step["name"])
    assert len(ran) == len(job["steps"]) - 1
    assert git(work, "rev-parse", "HEAD").strip() == git(server, "rev-parse", MR_BRANCH).strip()
    report = (work / "数据变化.md").read_text(encoding="utf-8")
    assert_review_of_the_merge_request(report, server)
    api = f"{server_url}/api/v1/repos/shili/site/issues"
    listing, posting = curl_calls(work)
    assert listing[-1] == f"{api}/5/comments" and option(listing, "--header") == ["Authorization: token gitea-shili"]
    assert option(posting, "--request") == ["POST"] and posting[-1] == f"{api}/5/comments"
    assert option(posting, "--header") == ["Authorization: token gitea-shili", "Content-Type: application/json"]
    assert option(posting, "--data-binary") == ["@评论.json"]
    assert json.loads((work / "评论.json").read_text(encoding="utf-8")) == {"body": report}

    (work.parent / "curl.log").unlink()
    comment_step = job["steps"][-1]["run"]
    earlier = json.dumps([{"id": 8, "body": "好的"}, {"id": 9, "body": f"{MARKER}\n旧的"}])
    done = run_script(comment_step, work, tools, {**env, "CURL_REPLY": earlier})
    assert done.returncode == 0, done.stdout + done.stderr
    _listing, updating = curl_calls(work)
    assert option(updating, "--request") == ["PATCH"] and updating[-1] == f"{api}/comments/9"

    done = run_script(comment_step, work, tools, {**env, "FIVESTAR_REVIEW_TOKEN": ""})
    assert done.returncode == 0 and "没有设置密钥 FIVESTAR_REVIEW_TOKEN，不发评论" in done.stdout


def test_fivestar_init_writes_the_review_workflows(tmp_path: Path) -> None:
    import datetime as dt

    from generator.staff.init_project import ProjectValues, write_project

    root = tmp_path / "shili"
    write_project(root, ProjectValues("示例区", "示例区教育局党组", "示例区展示", "https://jyj.example.gov.cn/x/",
                                      dt.date(2024, 1, 2)))
    for target, source in ((".gitea/workflows/review.yml", "gitea-review.yml"),
                           (".forgejo/workflows/review.yml", "forgejo-review.yml"),
                           (".gitlab-ci.yml", "gitlab-ci.yml")):
        assert (root / target).read_text(encoding="utf-8") == (PROJECT_FILES / source).read_text(encoding="utf-8")

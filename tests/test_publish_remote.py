"""`fivestar publish REMOTE` (engine/publish.py) against real servers: rclone's own `serve webdav` (no checksums:
fivestar's manifest stands in) and `serve sftp` (MD5 from the server), on 127.0.0.1, each serving a temporary folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.engine import publish as publishing
from generator.engine.publish import MANIFEST_NAME, changed_urls

ROOT = Path(__file__).resolve().parent.parent
SITE_URL = "https://jyj.example.gov.cn/wuxing/"
BRANCHES = 4
ENGLISH = re.compile(r"connection refused|dial tcp|Failed|ERROR|NOTICE|error|couldn't")


# -- three builds of a small demo: v1, v2 (one record changed), v3 (v2 with an event moved to another date) ----------

def write_project(root: Path) -> Path:
    """mkdocs.yml (with a public https address), the theme and an empty content/ in `root`; returns the config."""
    shutil.copytree(ROOT / "theme", root / "theme")
    (root / "content").mkdir()
    config = root / "mkdocs.yml"
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^site_url: .*$", f"site_url: {SITE_URL}", text), encoding="utf-8")
    return config


def change_one_branch(data: Path) -> None:
    branch = sorted((data / "branches").glob("*.yaml"))[0]
    text = branch.read_text(encoding="utf-8")
    changed = text.replace("intro: |\n", "intro: |\n  本学期新增一项示例活动。\n", 1)
    assert changed != text
    branch.write_text(changed, encoding="utf-8")


def move_one_event(data: Path) -> tuple[str, str]:
    """The first event moved to another day (so another id): its old page goes, a new one comes."""
    event = sorted((data / "events").glob("*.yaml"))[0]
    text = event.read_text(encoding="utf-8")
    old_date = re.search(r"(?m)^date: (\S+)$", text)[1]
    new_id = event.stem.replace(old_date, "2023-05-20")
    assert new_id != event.stem
    (event.parent / f"{new_id}.yaml").write_text(text.replace(f"date: {old_date}", "date: 2023-05-20"),
                                                 encoding="utf-8")
    event.unlink()
    return event.stem, new_id


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from generator.engine.build import build_site
    from generator.staff.demo import write_demo

    root = tmp_path_factory.mktemp("publish-builds")
    config = write_project(root)
    data = root / "v1" / "data"
    write_demo(data, BRANCHES)
    shutil.copytree(data, root / "v2" / "data")
    change_one_branch(root / "v2" / "data")
    shutil.copytree(root / "v2" / "data", root / "v3" / "data")
    moved = move_one_event(root / "v3" / "data")
    sites = {name: build_site(root / name / "data", config, root / name / "site").site_dir
             for name in ("v1", "v2", "v3")}
    return {"config": config, "data": data, "moved": moved, **sites}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != MANIFEST_NAME}


def differing(old: dict[str, bytes], new: dict[str, bytes]) -> set[str]:
    return {path for path, body in new.items() if old.get(path) != body}


# -- servers ---------------------------------------------------------------------------------------------------------

class Server:
    """`rclone serve webdav|sftp FOLDER` on 127.0.0.1 at a port rclone chooses, as the rclone remote `shili:`."""

    def __init__(self, kind: str, folder: Path, env: dict[str, str], *extra: str) -> None:
        self.kind, self.folder, self.env, self.extra = kind, folder, env, extra
        self.process: subprocess.Popen[str] | None = None
        self.start()

    def start(self) -> None:
        auth = ["--no-auth"] if self.kind == "sftp" else []
        self.process = subprocess.Popen(
            ["rclone", "serve", self.kind, str(self.folder), "--addr", "127.0.0.1:0", *auth, *self.extra],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env={**os.environ, **self.env})
        assert self.process.stderr is not None
        for line in self.process.stderr:
            if found := re.search(r"started on (http://\S+?)/?$|listening on 127\.0\.0\.1:(\d+)", line.strip()):
                break
        else:
            raise AssertionError(f"rclone serve {self.kind} did not start")
        prefix = "RCLONE_CONFIG_SHILI_"
        if self.kind == "webdav":
            self.env.update({f"{prefix}TYPE": "webdav", f"{prefix}URL": found[1] + "/", f"{prefix}VENDOR": "other"})
        else:
            obscured = subprocess.run(["rclone", "obscure", "shili"], capture_output=True, text=True, check=True)
            self.env.update({f"{prefix}TYPE": "sftp", f"{prefix}HOST": "127.0.0.1", f"{prefix}PORT": found[2],
                             f"{prefix}USER": "shili", f"{prefix}PASS": obscured.stdout.strip()})
        os.environ.update(self.env)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def rclone_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No rclone settings from this computer; one quick retry, so a stopped server fails the run at once."""
    env = {"RCLONE_CONFIG": str(tmp_path / "rclone.conf"), "RCLONE_CACHE_DIR": str(tmp_path / "rclone-cache"),
           "RCLONE_RETRIES": "1", "RCLONE_LOW_LEVEL_RETRIES": "1"}
    (tmp_path / "rclone.conf").write_text("", encoding="utf-8")
    for name in [n for n in os.environ if n.startswith("RCLONE_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def serve(rclone_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(kind: str, folder: Path, *extra: str) -> Server:
        folder.mkdir(parents=True, exist_ok=True)
        server = Server(kind, folder, dict(rclone_env), *extra)
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


# -- publishing through the command ----------------------------------------------------------------------------------

class Project:
    """A project folder whose site/ is one of the builds, published with `fivestar publish`."""

    def __init__(self, root: Path, builds: dict[str, Any]) -> None:
        self.root, self.builds = root, builds
        self.site = root / "site"

    def use(self, version: str) -> dict[str, bytes]:
        shutil.rmtree(self.site, ignore_errors=True)
        shutil.copytree(self.builds[version], self.site)
        return tree(self.site)

    def publish(self, capsys: pytest.CaptureFixture[str], remote: str, *extra: str) -> tuple[int, str, str]:
        code = main(["publish", remote, "--data", str(self.builds["data"]), "--config", str(self.builds["config"]),
                     "--site-dir", str(self.site), *extra])
        out, err = capsys.readouterr()
        return code, out, err

    def rclone_log(self, message: str) -> list[str]:
        """The objects rclone's own JSON log (publish-log.txt) names with this message, the manifest aside."""
        found = []
        for line in (self.root / "publish-log.txt").read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("msg", "").startswith(message) and entry.get("object") != MANIFEST_NAME:
                    found.append(entry["object"])
        return found

    def urls(self) -> list[str]:
        return (self.root / "publish-changed-urls.txt").read_text(encoding="utf-8").splitlines()


@pytest.fixture
def project(tmp_path: Path, builds: dict[str, Any]) -> Project:
    return Project(tmp_path / "project", builds)


def test_first_publish_uploads_everything_and_the_next_only_what_changed(
        project: Project, serve: Callable[..., Server], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The first publish over SFTP (the server gives MD5), the next ones over WebDAV (no checksums: fivestar's
    manifest, left by the first, says what is there) to the same folder."""
    remote = tmp_path / "remote"
    sftp = serve("sftp", remote)
    v1 = project.use("v1")
    code, out, err = project.publish(capsys, "shili:")
    assert code == 0, err
    assert sorted(project.rclone_log("Copied")) == sorted(v1)
    assert f"上传 {len(v1)} 个文件，删除 0 个，未变 0 个" in out
    assert tree(remote) == v1
    assert f"{SITE_URL}branches/" in project.urls() and f"{SITE_URL}index.html" in project.urls()
    sftp.stop()

    serve("webdav", remote)
    code, out, _err = project.publish(capsys, "shili:")  # nothing changed: nothing is uploaded
    assert code == 0 and project.rclone_log("Copied") == []
    assert f"上传 0 个文件，删除 0 个，未变 {len(v1)} 个" in out and project.urls() == []

    v2 = project.use("v2")  # one record changed: only the files whose bytes differ go up (WebDAV gives no hashes)
    changed = differing(v1, v2)
    assert 0 < len(changed) < 5
    code, out, _err = project.publish(capsys, "shili:")
    assert code == 0
    assert sorted(project.rclone_log("Copied")) == sorted(changed)
    assert f"上传 {len(changed)} 个文件，删除 0 个，未变 {len(v1) - len(changed)} 个" in out
    assert tree(remote) == v2
    page = next(iter(changed))
    assert page.endswith("/index.html")
    assert project.urls() == [SITE_URL + page.removesuffix("index.html"), SITE_URL + page]

    v3 = project.use("v3")  # an event moved: its new page goes up, then the old one is deleted with its folder
    old_id, new_id = project.builds["moved"]
    code, out, _err = project.publish(capsys, "shili:")
    assert code == 0
    gone = sorted(set(v2) - set(v3))
    assert f"events/{old_id}/index.html" in gone and f"events/{new_id}/index.html" in v3
    assert sorted(project.rclone_log("Copied")) == sorted(differing(v2, v3))
    assert sorted(project.rclone_log("Deleted")) == gone
    assert tree(remote) == v3
    assert not (remote / "events" / old_id).exists()
    assert f"{SITE_URL}events/{old_id}/" in project.urls() and f"{SITE_URL}events/{new_id}/" in project.urls()


def test_a_failed_upload_deletes_nothing_and_leaves_every_old_file_as_it_was(
        project: Project, serve: Callable[..., Server], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    remote = tmp_path / "webdav"
    v1 = project.use("v1")
    assert project.publish(capsys, str(remote))[0] == 0  # the first publish, straight into the server's folder
    server = serve("webdav", remote)
    v3 = project.use("v3")
    new = set(v3) - set(v1)
    assert new and differing(v1, v3) - new and set(v1) - set(v3)

    run = publishing.Rclone.run
    copies: list[tuple[str, ...]] = []

    def stop_after_new_files(self: publishing.Rclone, *args: str, **options: Any) -> publishing.RcloneRun:
        done = run(self, *args, **options)
        if args[0] == "copy":
            copies.append(args)
            server.stop()  # the server goes away once the new files are up, before any old file is replaced
        return done

    monkeypatch.setattr(publishing.Rclone, "run", stop_after_new_files)
    code, out, err = project.publish(capsys, "shili:")
    assert code == publishing.EXIT_REMOTE and len(copies) == 2
    assert "没有发布完成：上传有变化的图片、样式等文件失败：连不上远程存储“shili:”" in err
    assert "网站上原有的文件都没有改动" not in err and "没有删除任何文件" in err
    assert not ENGLISH.search(err), err
    assert "发布完成" not in out
    after = tree(remote)
    assert set(after) == set(v1) | new  # nothing deleted; the new files are up
    assert {path: after[path] for path in v1} == v1  # every old file as it was
    assert sorted(project.rclone_log("Copied")) == sorted(new)
    assert {url.removeprefix(SITE_URL) for url in project.urls()} >= new  # what did change, for the CDN

    monkeypatch.setattr(publishing.Rclone, "run", run)
    server.start()  # back again (another port): the same command finishes the job
    code, out, err = project.publish(capsys, "shili:")
    assert code == 0, err
    assert tree(remote) == v3
    assert sorted(project.rclone_log("Deleted")) == sorted(set(v1) - set(v3))


def test_a_failure_while_new_files_go_up_changes_no_old_file(
        project: Project, serve: Callable[..., Server], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A server that refuses every write (read-only): nothing on it changes, and staff read why in Chinese."""
    remote = tmp_path / "webdav"
    v1 = project.use("v1")
    assert project.publish(capsys, str(remote))[0] == 0
    manifest = (remote / MANIFEST_NAME).read_bytes()
    serve("webdav", remote, "--read-only")
    project.use("v3")
    code, _out, err = project.publish(capsys, "shili:")
    assert code == publishing.EXIT_REMOTE
    assert "没有发布完成：写入发布记录失败：远程存储“shili:”拒绝写入" in err and "没有上传或删除任何网站文件" in err
    assert not ENGLISH.search(err), err
    assert "publish-log.txt" in err
    assert tree(remote) == v1 and (remote / MANIFEST_NAME).read_bytes() == manifest


def test_sftp_compares_by_the_servers_md5_not_by_size(
        project: Project, serve: Callable[..., Server], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    remote = tmp_path / "sftp"
    v1 = project.use("v1")
    assert project.publish(capsys, str(remote))[0] == 0
    (remote / MANIFEST_NAME).unlink()  # no record of fivestar's: only the server's checksums say what is there
    tampered = remote / "about" / "index.html"
    body = tampered.read_bytes()
    tampered.write_bytes(body.replace("示例".encode(), "样例".encode(), 1))  # same size, other bytes
    assert len(tampered.read_bytes()) == len(body) and tampered.read_bytes() != body
    serve("sftp", remote)
    code, _out, err = project.publish(capsys, "shili:")
    assert code == 0, err
    assert project.rclone_log("Copied") == ["about/index.html"]
    assert tree(remote) == v1 and (remote / MANIFEST_NAME).is_file()


# -- refusals --------------------------------------------------------------------------------------------------------

def test_refusals_are_told_in_chinese_and_change_nothing(
        project: Project, rclone_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    remote = tmp_path / "remote"
    code, _out, err = project.publish(capsys, str(remote))
    assert code == 1 and "找不到网站文件夹" in err and "fivestar build" in err

    project.site.mkdir(parents=True)
    (project.site / "index.html").write_text("<p>别的网站</p>", encoding="utf-8")
    code, _out, err = project.publish(capsys, str(remote))
    assert code == 1 and "不是 fivestar build 生成的网站" in err

    project.use("v1")
    code, _out, err = project.publish(capsys, "meiyou:wuxing")
    assert code == 2 and "rclone 里没有名为“meiyou”的远程存储" in err and "RCLONE_CONFIG_MEIYOU_TYPE" in err

    for inside in (project.site / "copy", project.root, project.builds["data"]):
        code, _out, err = project.publish(capsys, str(inside))
        assert code == 2 and ("网站文件夹" in err or "数据文件夹" in err), inside
    assert not list(project.site.glob("copy"))

    remote.mkdir()
    (remote / "old.html").write_text("以前手工上传的网页", encoding="utf-8")
    code, _out, err = project.publish(capsys, str(remote))
    assert code == 2 and "old.html" in err and "--force" in err
    assert [p.name for p in remote.iterdir()] == ["old.html"]
    assert project.publish(capsys, str(remote), "--dry-run")[0] == 2
    code, out, _err = project.publish(capsys, str(remote), "--force")
    assert code == 0 and "删除 1 个" in out and not (remote / "old.html").exists()
    v1 = tree(remote)
    project.use("v2")
    code, out, _err = project.publish(capsys, str(remote), "--dry-run")
    assert code == 0 and "试运行" in out and "1 个有变化的文件" in out
    assert tree(remote) == v1
    project.use("v1")

    config = tmp_path / "elsewhere.yml"
    config.write_text(project.builds["config"].read_text(encoding="utf-8").replace(SITE_URL, "https://other.example.cn/"),
                      encoding="utf-8")
    code = main(["publish", str(remote), "--data", str(project.builds["data"]), "--config", str(config),
                 "--site-dir", str(project.site)])
    assert code == 1 and "是按网址“https://jyj.example.gov.cn/wuxing/”生成的" in capsys.readouterr().err

    local = config.read_text(encoding="utf-8").replace("https://other.example.cn/", "http://127.0.0.1:8000/")
    config.write_text(local, encoding="utf-8")
    code = main(["publish", str(remote), "--data", str(project.builds["data"]), "--config", str(config),
                 "--site-dir", str(project.site)])
    assert code == 1 and "是本机地址" in capsys.readouterr().err  # what check --publish refuses, publish refuses

    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    code, _out, err = project.publish(capsys, str(remote))
    assert code == 2 and "没有安装 rclone" in err and "apt-get install rclone" in err


# -- changed URLs ------------------------------------------------------------------------------------------------------

def test_changed_urls_give_a_pages_folder_address_too() -> None:
    assert changed_urls(["index.html", "branches/shili-00001/index.html", "images/qr/示例.svg"], SITE_URL) == [
        SITE_URL + "branches/shili-00001/", SITE_URL + "branches/shili-00001/index.html",
        SITE_URL + "images/qr/%E7%A4%BA%E4%BE%8B.svg", SITE_URL, SITE_URL + "index.html"]
    assert changed_urls(["about/index.html", "feed.xml"], None) == ["/about/", "/about/index.html", "/feed.xml"]
    assert changed_urls(["a.html"], "https://example.cn/site") == ["https://example.cn/site/a.html"]


# -- the CI recipe `fivestar init` writes ------------------------------------------------------------------------------

def test_the_gitlab_recipe_publishes_with_rclone_when_a_remote_is_set(
        project: Project, rclone_env: dict[str, str], tmp_path: Path) -> None:
    import yaml

    from generator.engine.publish import CHANGED_URLS_NAME, LOG_NAME

    config = yaml.safe_load((ROOT / "generator/staff/project_files/gitlab-ci.yml").read_text(encoding="utf-8"))
    job = config["publish"]
    assert job["stage"] in config["stages"] and job["artifacts"]["when"] == "always"
    assert job["artifacts"]["paths"] == [CHANGED_URLS_NAME, LOG_NAME]
    assert job["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $FIVESTAR_REMOTE"}]
    assert config["pages"]["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $FIVESTAR_REMOTE == null"}]
    lines = [line for line in job["script"] if isinstance(line, str)]
    assert "apt-get install -y -qq rclone" in lines[0] and lines[1:] == ["fivestar build",
                                                                          'fivestar publish "$FIVESTAR_REMOTE"']
    # the publish line as the runner runs it, in a project whose site is built
    project.use("v1")
    shutil.copytree(project.builds["data"], project.root / "data")
    shutil.copy2(project.builds["config"], project.root / "mkdocs.yml")
    (project.root / "content").mkdir()
    remote = tmp_path / "bucket"
    env = {**os.environ, "FIVESTAR_REMOTE": str(remote), "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
           f"{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", lines[2]], cwd=project.root, env=env, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "发布完成" in done.stdout and tree(remote) == tree(project.site)
    assert (project.root / CHANGED_URLS_NAME).read_text(encoding="utf-8").startswith(SITE_URL)


def _workflow(name: str) -> dict[str, Any]:
    import yaml

    return yaml.safe_load((ROOT / "generator/staff/project_files" / name).read_text(encoding="utf-8"))


def _run_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A step's script as the runners run it (bash -e, pipefail), with this checkout's fivestar first on PATH."""
    full = {**os.environ, "GIT_CONFIG_GLOBAL": str(cwd.parent / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", **env}
    return subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=cwd, env=full, capture_output=True,
                          text=True, check=False)


def test_the_github_recipe_publishes_with_rclone_instead_of_pages_when_a_remote_is_set(
        project: Project, rclone_env: dict[str, str], tmp_path: Path) -> None:
    workflow = _workflow("publish.yml")
    steps = workflow["jobs"]["build"]["steps"]
    remote_steps = [s for s in steps if "vars.FIVESTAR_REMOTE != ''" in str(s.get("if", ""))]
    pages_steps = [s for s in steps if "upload-pages-artifact" in s.get("uses", "")]
    assert [s.get("uses", "run") .split("@")[0] for s in remote_steps] == ["run", "run", "actions/upload-artifact"]
    assert all("vars.FIVESTAR_REMOTE == ''" in s["if"] for s in pages_steps) and pages_steps
    assert "vars.FIVESTAR_REMOTE == ''" in workflow["jobs"]["deploy"]["if"]
    install, publish, keep = remote_steps
    assert "apt-get install -y -qq rclone" in install["run"] and "${{" not in publish["run"]
    assert set(keep["with"]["path"].split()) == {"publish-changed-urls.txt", "publish-log.txt"}
    assert steps.index(install) > next(i for i, s in enumerate(steps) if s.get("run") == "fivestar build")
    # the publish step as the runner runs it: the secret rclone.conf names the remote, the variable the place
    project.use("v1")
    shutil.copytree(project.builds["data"], project.root / "data")
    shutil.copy2(project.builds["config"], project.root / "mkdocs.yml")
    (project.root / "content").mkdir()
    (tmp_path / "runner-temp").mkdir()
    bucket = tmp_path / "bucket"
    done = _run_step(publish["run"], project.root, {
        "FIVESTAR_REMOTE": f"dest:{bucket}", "RCLONE_CONF_TEXT": "[dest]\ntype = local",
        "RUNNER_TEMP": str(tmp_path / "runner-temp")})
    assert done.returncode == 0, done.stderr
    assert "发布完成" in done.stdout and tree(bucket) == tree(project.site)
    assert (tmp_path / "runner-temp" / "rclone.conf").read_text(encoding="utf-8") == "[dest]\ntype = local\n"


def test_the_gitea_and_forgejo_publish_workflows_differ_only_in_the_runner_label_and_fetch_no_action() -> None:
    gitea, forgejo = _workflow("gitea-publish.yml"), _workflow("forgejo-publish.yml")
    assert gitea["jobs"]["publish"].pop("runs-on") == "ubuntu-latest"
    assert forgejo["jobs"]["publish"].pop("runs-on") == "docker"
    assert gitea == forgejo
    triggers = gitea.get("on", gitea.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"] == {"branches": ["main"]}
    job = gitea["jobs"]["publish"]
    assert all("uses" not in step for step in job["steps"])  # nothing to download from github.com on an intranet
    assert all("${{" not in step["run"] for step in job["steps"])  # values reach the scripts through env only
    assert job["env"]["FIVESTAR_REMOTE"] == "${{ vars.FIVESTAR_REMOTE }}"
    assert job["env"]["RCLONE_CONF_TEXT"] == "${{ secrets.FIVESTAR_RCLONE_CONF }}"


def test_the_gitea_publish_workflow_checks_out_main_builds_and_publishes_only_with_a_remote(
        builds: dict[str, Any], rclone_env: dict[str, str], tmp_path: Path) -> None:
    """Every step but the two installs, run in order in an empty workspace against a bare repository standing in
    for the Gitea server; then the publish step again with no remote set."""
    author = tmp_path / "author"
    write_project(author)
    shutil.copytree(builds["data"], author / "data")
    (author / "content" / ".gitkeep").write_text("", encoding="utf-8")
    (author / "requirements.txt").write_text("fivestar\n", encoding="utf-8")
    git = ["git", "-c", "user.name=示例", "-c", "user.email=shili@example.invalid"]
    git_env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "项目"]):
        subprocess.run([*git, *args], cwd=author, env=git_env, check=True, capture_output=True)
    bare = tmp_path / "server" / "shili" / "site.git"
    subprocess.run([*git, "clone", "-q", "--bare", str(author), str(bare)], env=git_env, check=True)

    job = _workflow("gitea-publish.yml")["jobs"]["publish"]
    work = tmp_path / "runner" / "workspace"
    work.mkdir(parents=True)
    bucket = tmp_path / "bucket"
    env = {**{k: str(v) for k, v in job["env"].items() if "${{" not in str(v)},
           "SERVER_URL": (tmp_path / "server").as_uri(), "REPOSITORY": "shili/site", "BRANCH": "main",
           "JOB_TOKEN": "job-token", "FIVESTAR_REMOTE": f"dest:{bucket}", "RCLONE_CONF_TEXT": "[dest]\ntype = local"}
    ran = []
    for step in job["steps"]:
        if "pip install" in step["run"] or "apt-get" in step["run"]:
            continue  # installed already
        done = _run_step(step["run"], work, env)
        assert done.returncode == 0, f"{step['name']}\n{done.stdout}\n{done.stderr}"
        ran.append(step["name"])
    assert len(ran) == len(job["steps"]) - 2
    assert (work / "data" / "site.yaml").is_file() and tree(bucket) == tree(work / "site")
    assert tree(bucket)  # something was published
    publish = next(s["run"] for s in job["steps"] if "fivestar publish" in s["run"])
    done = _run_step(publish, work, {**env, "FIVESTAR_REMOTE": "", "RCLONE_CONF_TEXT": ""})
    assert done.returncode == 0 and "没有设置变量 FIVESTAR_REMOTE" in done.stdout

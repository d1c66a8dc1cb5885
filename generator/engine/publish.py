"""`fivestar publish REMOTE`: the built site copied to an rclone remote by checksum, deletions last, URLs listed.

How it goes (every step through the `rclone` command; no cloud SDK is imported):

1. What the remote holds: `rclone lsjson -R` (with MD5 where the backend gives hashes: S3/OSS/COS, SFTP with a
   shell, local folders) and fivestar's own manifest on the remote (`.fivestar-publish.txt`: MD5 and size of every
   file the last publish left there), which stands in for hashes where the backend has none (most WebDAV servers).
   A file counts as unchanged only when its MD5 is known and equal (from the remote, else from the manifest with
   the remote's size agreeing); anything unknown is uploaded again. Never size or time alone.
2. The manifest is first rewritten without the files about to be uploaded, so a run that fails half way leaves a
   manifest that never vouches for a file it did not finish.
3. Files new to the remote are uploaded, then changed files that are not pages, then changed pages.
4. Only when every upload succeeded: files that left the site are deleted (and the folders they leave empty),
   and the manifest is written for the new site.

What a failed run leaves (the guarantee `tests/test_publish_remote.py` tests): nothing is ever deleted; if it fails
while new files go up, every file that was on the remote is as it was (the new files are not linked from any old
page); if it fails while changed files go up, some of them may already be the new version. Running the same
publish again completes it, and the changed-URL file always lists what did change on the remote.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urljoin

from generator.engine.build import BuildFailed, folder_lock
from generator.quotes import quoted

EXIT_DATA, EXIT_USAGE, EXIT_REMOTE = 1, 2, 5
MANIFEST_NAME = ".fivestar-publish.txt"
MANIFEST_HEADER = "# fivestar publish: md5  size  path (what the last publish left here)"
CHANGED_URLS_NAME = "publish-changed-urls.txt"
LOG_NAME = "publish-log.txt"
SHOWN_PATHS = 5
INSTALL_HINT = ("请让技术人员安装 rclone：Debian/Ubuntu 运行 sudo apt-get install rclone，"
                "Windows 和苹果电脑见 https://rclone.org/downloads/ 。")

Say = Callable[[str], None]


class PublishFailed(BuildFailed):
    """Publishing that could not be done or finished, told in Chinese; carries the exit status (default: the remote
    failed)."""

    def __init__(self, message: str, exit_code: int = EXIT_REMOTE) -> None:
        super().__init__(message, exit_code)


@dataclass(frozen=True)
class FileState:
    """One file as fivestar knows it: its size and its MD5 (None when the remote does not say)."""

    size: int
    md5: str | None


@dataclass(frozen=True)
class Plan:
    """What a publish does: files to upload (new to the remote, or changed), to delete, and how many stay."""

    new: tuple[str, ...]
    changed: tuple[str, ...]
    deleted: tuple[str, ...]
    unchanged: tuple[str, ...]
    first: bool
    """True when the remote holds no manifest: fivestar never published there."""

    @property
    def uploads(self) -> tuple[str, ...]:
        return (*self.new, *self.changed)


@dataclass
class Outcome:
    """What a publish did, counted from rclone's own log."""

    plan: Plan
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    urls_file: Path | None = None
    urls: int = 0
    warnings: list[str] = field(default_factory=list)


# -- the remote ------------------------------------------------------------------------------------------------------

REMOTE_NAME = re.compile(r"^(?P<name>[\w.+@][\w.+@ -]*):")


def remote_name(remote: str) -> str | None:
    """The configured remote a REMOTE argument names (`oss` for `oss:bucket/path`); None for a local folder or an
    on-the-fly `:backend:` string."""
    match = REMOTE_NAME.match(remote)
    if match is None or (len(match["name"]) == 1 and os.name == "nt"):  # C:\… is a drive on Windows
        return None
    return match["name"]


def is_local(remote: str) -> bool:
    return remote_name(remote) is None and not remote.startswith(":")


def remote_join(remote: str, path: str) -> str:
    """A path inside the remote: `oss:bucket/site` + `a/b.html`, `dav:` + `a/b.html`."""
    return remote + path if remote.endswith((":", "/")) else f"{remote}/{path}"


def refuse_local_folder(remote: str, site_dir: Path, data_dir: Path) -> None:
    """A local target must be a folder of its own: never site/ itself, inside it, or a folder holding the project
    (publishing deletes whatever in the target is not in site/)."""
    target = Path(remote).expanduser().resolve()
    site, data = site_dir.resolve(), data_dir.resolve()
    if target == site or site in target.parents:
        raise PublishFailed(f"发布的目标{quoted(remote)}就是网站文件夹 {site_dir.as_posix()}/ 或在它里面。"
                            "请写另一个文件夹或远程存储，如 oss:存储桶名/路径。", EXIT_USAGE)
    if target in site.parents or target == data or target in data.parents:
        raise PublishFailed(f"发布的目标{quoted(remote)}包含网站文件夹或数据文件夹：发布会删除目标里网站以外的"
                            "所有文件。请写一个只放网站的空文件夹。", EXIT_USAGE)


# -- the built site --------------------------------------------------------------------------------------------------

CANONICAL = re.compile(r'<link rel="canonical" href="([^"]*)"')


def check_site(site_dir: Path, site_url: str | None) -> None:
    """Refuse a site folder fivestar did not build (or built for another address)."""
    shown = site_dir.as_posix()
    if not site_dir.is_dir():
        raise PublishFailed(f"找不到网站文件夹 {shown}/：先运行 fivestar build 生成网站，再发布。", EXIT_DATA)
    index = site_dir / "index.html"
    if not index.is_file() or not (site_dir / "feed.xml").is_file() or not (site_dir / "sitemap.xml").is_file():
        raise PublishFailed(f"文件夹 {shown}/ 不是 fivestar build 生成的网站（缺少首页、订阅源或站点地图），"
                            "不能发布。请运行 fivestar build 重新生成，或用 --site-dir 指定生成的网站文件夹。",
                            EXIT_DATA)
    match = CANONICAL.search(index.read_text(encoding="utf-8", errors="replace"))
    built_for = match[1] if match else None
    if site_url and built_for != site_url.rstrip("/") + "/":
        raise PublishFailed(f"{shown}/ 是按网址{quoted(built_for or '（无）')}生成的，而 mkdocs.yml 的 site_url 现在是"
                            f"{quoted(site_url)}：网页里的链接会指错地方。请先运行 fivestar build 重新生成，再发布。",
                            EXIT_DATA)


def local_files(site_dir: Path) -> dict[str, FileState]:
    """Every file of the built site (relative POSIX path), with its size and MD5."""
    found = {}
    for path in sorted(site_dir.rglob("*")):
        if path.is_file() and not path.is_symlink():
            digest = hashlib.md5(usedforsecurity=False)
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            found[path.relative_to(site_dir).as_posix()] = FileState(path.stat().st_size, digest.hexdigest())
    return found


# -- running rclone --------------------------------------------------------------------------------------------------

@dataclass
class RcloneRun:
    """One rclone command's result: exit status, standard output, and its log (JSON lines and plain lines)."""

    code: int
    out: str
    log: str

    def objects(self, message_start: str) -> list[str]:
        """The objects of the log's INFO lines whose message starts so (`Copied`, `Deleted`)."""
        found = []
        for line in self.log.splitlines():
            if line.startswith("{"):
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if str(entry.get("msg", "")).startswith(message_start) and entry.get("object"):
                    found.append(str(entry["object"]))
        return found


class Rclone:
    """The `rclone` binary, run as a child process, its English written to the log file only."""

    def __init__(self, log_path: Path | None) -> None:
        binary = shutil.which("rclone")
        if binary is None:
            raise PublishFailed("这台电脑没有安装 rclone（发布网站要用它上传文件）。" + INSTALL_HINT, EXIT_USAGE)
        self.binary = binary
        self.log_path = log_path
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_path.write_text("", encoding="utf-8")

    def run(self, *args: str, log_level: str = "-v") -> RcloneRun:
        command = [self.binary, *args, "--use-json-log", log_level]
        done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace",
                              check=False, stdin=subprocess.DEVNULL)
        if self.log_path is not None:
            with self.log_path.open("a", encoding="utf-8") as log:
                log.write(f"$ rclone {' '.join(args)}\n{done.stderr}(exit {done.returncode})\n\n")
        return RcloneRun(done.returncode, done.stdout, done.stderr)


AUTH = re.compile(r"\b(401|403)\b|AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|Unauthorized|Forbidden|"
                  r"unable to authenticate|permission denied|auth(entication)? failed|NoSuchBucket", re.IGNORECASE)
NETWORK = re.compile(r"connection refused|no such host|i/o timeout|network is unreachable|dial tcp|"
                     r"TLS handshake|connection reset|EOF|timeout awaiting|context deadline", re.IGNORECASE)

REFUSED = re.compile(r"\b(404|405|409|413|507)\b|Insufficient Storage|QuotaExceeded|no space left|read-only",
                     re.IGNORECASE)


def explain(run: RcloneRun, remote: str, doing: str, log_path: Path | None) -> str:
    """A failed rclone command in Chinese: what went wrong (configuration, authorisation, network) and what to do."""
    name = remote_name(remote)
    log = run.log
    where = f"（rclone 的详细记录在 {log_path.as_posix()}，可发给技术人员。）" if log_path is not None else ""
    if "didn't find section in config file" in log:
        return (f"{doing}失败：rclone 里没有名为{quoted(name or remote)}的远程存储。请用 rclone config 建好它，"
                f"或在持续集成里设置环境变量 RCLONE_CONFIG_{(name or 'NAME').upper()}_TYPE 等（见 EDITING.md"
                f"“发布到服务器”）。{where}")
    if AUTH.search(log):
        return (f"{doing}失败：远程存储{quoted(remote)}拒绝了访问（账号、密码或密钥不对，或没有写入权限，"
                f"或存储桶不存在）。请核对 rclone 的设置里的 AccessKey/SecretKey、用户名密码和存储桶名。{where}")
    if NETWORK.search(log):
        return (f"{doing}失败：连不上远程存储{quoted(remote)}（网络不通、地址写错或服务器没有运行）。"
                f"请检查网络和 rclone 设置里的地址（endpoint、url、host），稍后重试。{where}")
    if REFUSED.search(log):
        return (f"{doing}失败：远程存储{quoted(remote)}拒绝写入（路径不存在、只读或空间已满）。"
                f"请核对 rclone 设置里的路径、写入权限和剩余空间。{where}")
    if run.code == 3:
        return f"{doing}失败：远程存储里找不到路径{quoted(remote)}。请核对存储桶名和路径。{where}"
    return f"{doing}失败（rclone 退出码 {run.code}）。{where}"


# -- what the remote holds -------------------------------------------------------------------------------------------

def remote_hashes(rclone: Rclone, remote: str, log_path: Path | None) -> bool:
    """Whether the remote's backend gives MD5 hashes (`rclone backend features`)."""
    run = rclone.run("backend", "features", remote)
    if run.code != 0:
        raise PublishFailed(explain(run, remote, "连接远程存储", log_path), exit_code_of(run))
    try:
        return "md5" in json.loads(run.out).get("Hashes", [])
    except ValueError:
        return False


def exit_code_of(run: RcloneRun) -> int:
    return EXIT_USAGE if "didn't find section in config file" in run.log else EXIT_REMOTE


def remote_files(rclone: Rclone, remote: str, log_path: Path | None) -> dict[str, FileState]:
    """Every file on the remote with its size and MD5 (None where the remote gives none); {} for a new folder."""
    args = ["lsjson", "-R", "--files-only", "--no-mimetype", "--no-modtime", remote]
    if remote_hashes(rclone, remote, log_path):
        args[1:1] = ["--hash-type", "MD5"]
    run = rclone.run(*args)
    if run.code == 3:  # directory not found: nothing published there yet
        return {}
    if run.code != 0:
        raise PublishFailed(explain(run, remote, "读取远程存储的文件列表", log_path), exit_code_of(run))
    found = {}
    for entry in json.loads(run.out or "[]"):
        md5 = (entry.get("Hashes") or {}).get("md5") or None
        found[entry["Path"]] = FileState(int(entry.get("Size", -1)), md5.lower() if md5 else None)
    return found


def read_manifest(rclone: Rclone, remote: str, log_path: Path | None) -> dict[str, FileState]:
    run = rclone.run("cat", remote_join(remote, MANIFEST_NAME))
    if run.code != 0:
        raise PublishFailed(explain(run, remote, "读取上次发布的记录", log_path), exit_code_of(run))
    return parse_manifest(run.out)


def parse_manifest(text: str) -> dict[str, FileState]:
    found = {}
    for line in text.splitlines():
        parts = line.split("  ", 2)
        if line.startswith("#") or len(parts) != 3 or not parts[1].isdigit():
            continue
        found[parts[2]] = FileState(int(parts[1]), parts[0])
    return found


def manifest_text(files: dict[str, FileState]) -> str:
    return "".join([MANIFEST_HEADER + "\n", *(f"{state.md5}  {state.size}  {path}\n"
                                               for path, state in sorted(files.items()))])


def make_plan(local: dict[str, FileState], remote: dict[str, FileState],
              manifest: dict[str, FileState] | None) -> Plan:
    """Compare by MD5: the remote's own, else the manifest's when the remote's size agrees; unknown means changed."""
    known = manifest or {}
    new, changed, unchanged = [], [], []
    for path, mine in local.items():
        theirs = remote.get(path)
        if theirs is None:
            new.append(path)
            continue
        md5 = theirs.md5
        if md5 is None and path in known and known[path].size == theirs.size:
            md5 = known[path].md5
        (unchanged if md5 == mine.md5 and theirs.size == mine.size else changed).append(path)
    deleted = [path for path in remote if path not in local and path != MANIFEST_NAME]
    return Plan(tuple(new), tuple(changed), tuple(sorted(deleted)), tuple(unchanged), manifest is None)


# -- changed URLs ----------------------------------------------------------------------------------------------------

def changed_urls(paths: Iterable[str], site_url: str | None) -> list[str]:
    """The addresses of changed files for a CDN refresh, under site_url (else /path); a page's folder address too."""
    base = (site_url.rstrip("/") + "/") if site_url else "/"
    urls: dict[str, None] = {}
    for path in sorted(paths):
        quoted_path = quote(path, safe="/")
        if PurePosixPath(path).name == "index.html":
            urls[urljoin(base, quoted_path[: -len("index.html")])] = None
        urls[urljoin(base, quoted_path)] = None
    return list(urls)


def write_urls(path: Path, urls: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(url + "\n" for url in urls), encoding="utf-8")


# -- publishing ------------------------------------------------------------------------------------------------------

def upload_groups(plan: Plan) -> list[tuple[str, list[str]]]:
    """The uploads in their order: new files, then changed files that are not pages, then changed pages."""
    pages = [p for p in plan.changed if p.endswith(".html")]
    others = [p for p in plan.changed if not p.endswith(".html")]
    groups = [("新文件", list(plan.new)), ("有变化的图片、样式等文件", others), ("有变化的网页", pages)]
    return [(label, paths) for label, paths in groups if paths]


def vanished_folders(deleted: Iterable[str], local: Iterable[str]) -> list[str]:
    """The topmost folders the deleted files leave that the new site does not have (removed when empty)."""
    kept = {str(parent) for path in local for parent in PurePosixPath(path).parents}
    found = set()
    for path in deleted:
        parents = [str(p) for p in PurePosixPath(path).parents if str(p) != "."]
        gone = [p for p in parents if p not in kept]
        if gone:
            found.add(gone[-1])
    return sorted(found)


def shown_paths(paths: Sequence[str]) -> str:
    more = f" 等 {len(paths)} 个" if len(paths) > SHOWN_PATHS else ""
    return "、".join(paths[:SHOWN_PATHS]) + more


def publish(site_dir: Path, remote: str, *, site_url: str | None, urls_path: Path, log_path: Path | None,
            dry_run: bool = False, force: bool = False, say: Say = print) -> Outcome:
    """Publish a checked, built site to an rclone remote (see the module docstring). Raises PublishFailed."""
    rclone = Rclone(log_path)
    try:
        with folder_lock(site_dir.resolve(), on_wait=say):  # no build swaps site/ while it is being uploaded
            return _publish(rclone, site_dir, remote, site_url=site_url, urls_path=urls_path, log_path=log_path,
                            dry_run=dry_run, force=force, say=say)
    except PublishFailed:
        raise
    except BuildFailed as error:  # another build held site/ too long
        raise PublishFailed(str(error), error.exit_code) from None


def _publish(rclone: Rclone, site_dir: Path, remote: str, *, site_url: str | None, urls_path: Path,
             log_path: Path | None, dry_run: bool, force: bool, say: Say) -> Outcome:
    say(f"正在比较 {site_dir.as_posix()}/ 和{quoted(remote)}上的文件……")
    local = local_files(site_dir)
    remote_state = remote_files(rclone, remote, log_path)
    manifest = read_manifest(rclone, remote, log_path) if MANIFEST_NAME in remote_state else None
    plan = make_plan(local, remote_state, manifest)
    outcome = Outcome(plan)
    if plan.first and plan.deleted and not force:
        raise PublishFailed(f"{quoted(remote)}里已有 {len(plan.deleted)} 个不属于这个网站的文件（如 "
                            f"{shown_paths(plan.deleted)}），而这里以前没有用 fivestar publish 发布过：发布会删除它们。"
                            "如果这个位置只用来放本网站，加 --force 重新运行；否则换一个空的文件夹或存储桶路径。",
                            EXIT_USAGE)
    if dry_run:
        return outcome
    if plan.uploads or plan.deleted or manifest != local:
        try:
            _transfer(rclone, site_dir, remote, plan, local, outcome, log_path, say)
        except PublishFailed:
            _write_changed(outcome, urls_path, site_url)
            raise
    _write_changed(outcome, urls_path, site_url)
    return outcome


def _write_changed(outcome: Outcome, urls_path: Path, site_url: str | None) -> None:
    urls = changed_urls([*outcome.uploaded, *outcome.deleted], site_url)
    write_urls(urls_path, urls)
    outcome.urls_file, outcome.urls = urls_path, len(urls)


def _transfer(rclone: Rclone, site_dir: Path, remote: str, plan: Plan, local: dict[str, FileState], outcome: Outcome,
              log_path: Path | None, say: Say) -> None:
    with tempfile.TemporaryDirectory(prefix="fivestar-publish-") as work:
        lists = Path(work)
        if plan.uploads:  # first: the manifest no longer vouches for what is about to change
            _put_manifest(rclone, remote, {p: local[p] for p in plan.unchanged}, lists, log_path)
        for number, (label, paths) in enumerate(upload_groups(plan)):
            say(f"正在上传{label} {len(paths)} 个……")
            listing = lists / f"upload-{number}.txt"
            listing.write_text("".join(p + "\n" for p in paths), encoding="utf-8")
            run = rclone.run("copy", str(site_dir), remote, "--files-from-raw", str(listing), "--no-traverse",
                             "--no-check-dest", "--stats", "0")
            outcome.uploaded += run.objects("Copied")
            if run.code != 0:
                raise PublishFailed(_failed_upload(run, remote, outcome, label, number, log_path))
        if plan.deleted:
            say(f"正在删除网站上已经没有的文件 {len(plan.deleted)} 个……")
            listing = lists / "delete.txt"
            listing.write_text("".join(p + "\n" for p in plan.deleted), encoding="utf-8")
            run = rclone.run("delete", remote, "--files-from-raw", str(listing), "--stats", "0")
            outcome.deleted += run.objects("Deleted")
            if run.code != 0:
                raise PublishFailed(explain(run, remote, "新文件已全部上传，但删除旧文件", log_path)
                                    + "网站已是新版本，只是还留着一些旧文件；重新运行 fivestar publish 会删掉它们。")
            for folder in vanished_folders(plan.deleted, local):
                rclone.run("rmdirs", remote_join(remote, folder), "--stats", "0")  # empty folders: harmless if left
        try:
            _put_manifest(rclone, remote, local, lists, log_path)
        except PublishFailed:
            outcome.warnings.append("网站已发布，但没能写入发布记录；下次发布会把这次上传的文件再传一遍。")


def _put_manifest(rclone: Rclone, remote: str, files: dict[str, FileState], work: Path,
                  log_path: Path | None) -> None:
    path = work / MANIFEST_NAME
    path.write_text(manifest_text(files), encoding="utf-8")
    run = rclone.run("copyto", str(path), remote_join(remote, MANIFEST_NAME), "--no-check-dest", "--stats", "0")
    if run.code != 0:
        raise PublishFailed(explain(run, remote, "写入发布记录", log_path) + "没有上传或删除任何网站文件。")


def _failed_upload(run: RcloneRun, remote: str, outcome: Outcome, label: str, number: int,
                   log_path: Path | None) -> str:
    what = explain(run, remote, f"上传{label}", log_path)
    done = len(outcome.uploaded)
    if number == 0 and outcome.plan.new:
        kept = "网站上原有的文件都没有改动，也没有删除任何文件"
    else:
        kept = "没有删除任何文件；部分有变化的文件已是新版本"
    return (f"{what}\n已上传 {done} 个文件；{kept}。网站仍可访问。网络或设置恢复后，重新运行同一条 fivestar publish "
            "命令即可接着完成。")


def summary(outcome: Outcome) -> str:
    """上传 N 个文件，删除 M 个，未变 K 个；变化的网址写在 FILE."""
    plan = outcome.plan
    line = (f"发布完成：上传 {len(outcome.uploaded)} 个文件，删除 {len(outcome.deleted)} 个，"
            f"未变 {len(plan.unchanged)} 个")
    if outcome.urls_file is not None:
        line += f"；变化的网址（{outcome.urls} 个）写在 {outcome.urls_file.as_posix()}，可用于刷新 CDN 缓存"
    return line + "。"


def dry_run_lines(plan: Plan) -> list[str]:
    lines = [f"试运行（没有上传或删除任何文件）：要上传 {len(plan.new)} 个新文件、{len(plan.changed)} 个有变化的文件，"
             f"删除 {len(plan.deleted)} 个，未变 {len(plan.unchanged)} 个。"]
    for label, paths in (("新文件", plan.new), ("有变化", plan.changed), ("删除", plan.deleted)):
        if paths:
            lines.append(f"  {label}：{shown_paths(list(paths))}")
    return lines


def default_paths(site_dir: Path) -> tuple[Path, Path]:
    """The changed-URL file and the log, beside the site folder (the project folder)."""
    return site_dir.parent / CHANGED_URLS_NAME, site_dir.parent / LOG_NAME

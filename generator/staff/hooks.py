"""A git pre-commit hook that runs `fivestar check` on the data being committed."""

from __future__ import annotations

import os
import shlex
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.quotes import quoted
from generator.staff.diff import DiffError, repo_root, run_git

MARKER = "# fivestar-hook"

HOOK_TEMPLATE = """#!/bin/sh
{marker}: 提交前检查 {data}/ 里的数据（由 fivestar install-hook 写入，可重复运行该命令更新）。
# 检查的是这次要提交的内容（git add 之后的版本），不是编辑器里尚未 add 的修改。
# 紧急情况下跳过检查：git commit --no-verify（不建议：有错的数据会让网站无法发布）。
DATA={data_q}
PY={python_q}

if git diff --cached --quiet -- "$DATA"; then
  exit 0
fi

if [ -x "$PY" ]; then
  check() {{ "$PY" -m generator check --data "$1"; }}
elif command -v fivestar >/dev/null 2>&1; then
  check() {{ fivestar check --data "$1"; }}
else
  echo "提交已取消：找不到 fivestar 程序，无法检查数据。" >&2
  echo "请在项目文件夹里运行 pip install -e . 安装后，再运行 fivestar install-hook。" >&2
  exit 1
fi

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t fivestar)
trap 'rm -rf "$tmp"' EXIT
trap 'rm -rf "$tmp"; exit 1' INT TERM
git ls-files -z -- "$DATA" | git checkout-index -z --stdin --prefix="$tmp/"

if ! check "$tmp/$DATA"; then
  echo "" >&2
  echo "提交已取消：数据检查未通过。请按上面的提示修改，保存后重新 git add，再提交。" >&2
  exit 1
fi
"""


class HookError(Exception):
    """The hook cannot be installed as asked; carries a Chinese message."""


@dataclass(frozen=True)
class Installed:
    path: Path
    message: str
    backup: Path | None = None


def hooks_dir(root: Path) -> Path:
    """Where git looks for hooks (respects core.hooksPath and worktrees)."""
    out = run_git(["rev-parse", "--git-path", "hooks"], root).decode().strip()
    path = Path(out)
    return path if path.is_absolute() else (root / path)


def hook_script(data_rel: str, python: str) -> str:
    return HOOK_TEMPLATE.format(marker=MARKER, data=data_rel, data_q=shlex.quote(data_rel),
                                python_q=shlex.quote(Path(python).as_posix()))


def is_ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def install_hook(data_dir: Path, force: bool = False, python: str | None = None) -> Installed:
    """Write `.git/hooks/pre-commit`; refuse to replace someone else's hook unless forced (then keep a backup)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise HookError(f"找不到数据文件夹{quoted(data_dir)}。请在网站项目文件夹里运行，或用 --data 指定。")
    try:
        root = repo_root(data_dir.resolve())
        folder = hooks_dir(root)
    except DiffError as error:
        raise HookError(str(error)) from None
    data_rel = data_dir.resolve().relative_to(root.resolve()).as_posix()
    path = folder / "pre-commit"
    backup: Path | None = None
    updated = path.exists() and is_ours(path)
    if path.exists() and not updated:
        if not force:
            raise HookError(f"{path} 已经有别的提交前检查（pre-commit 钩子），不会覆盖它。"
                            "如果使用 pre-commit 工具，请在 .pre-commit-config.yaml 里加上 fivestar-check；"
                            "确定要替换，加 --force（原文件会备份为 pre-commit.bak）。")
        backup = folder / "pre-commit.bak"
        n = 1
        while backup.exists():
            n += 1
            backup = folder / f"pre-commit.bak{n}"
        os.replace(path, backup)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(hook_script(data_rel, python or sys.executable), encoding="utf-8", newline="\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    action = "已更新" if updated else "已安装"
    message = (f"{action}提交前检查：{path}。以后每次 git commit 时，如果 {data_rel}/ 有改动，"
               "会先运行 fivestar check；数据有错误时提交会被取消，并显示要修改的地方。")
    if backup is not None:
        message += f"\n原来的钩子已备份为 {backup}。"
    return Installed(path, message, backup)

"""`fivestar serve` as staff use it: a preview that follows edits, and a slip told in Chinese while it waits."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BRANCH = "data/branches/weilai-xiaoxue.yaml"
CJK = re.compile(r"[\u4e00-\u9fff]")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(f"waited {seconds:.0f} s for {what}")


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[Path, str, Path]]:
    """A running `fivestar serve` on a copy of the bundled data: (data folder, base URL, its output file)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    port = free_port()
    output = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("FIVESTAR_DATA", None)
    with output.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--data", str(data),
                                    "--port", str(port)], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: fetch(base) is not None or process.poll() is not None, 180, "the first preview build")
        assert process.poll() is None, output.read_text(encoding="utf-8")
        yield data, base, output
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl+C, as staff stop it
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    said = output.read_text(encoding="utf-8")
    assert "Traceback" not in said, said


def test_a_slip_pauses_the_preview_in_chinese_and_the_fix_resumes_it(preview: tuple[Path, str, Path]) -> None:
    data, base, output = preview
    record = data / "branches" / "weilai-xiaoxue.yaml"
    original = record.read_text(encoding="utf-8")
    assert "\nname: 未来小学\n" in original
    record.write_text(original.replace("\nname: 未来小学\n", "\nname：未来小学\n"), encoding="utf-8")
    wait_for(lambda: "预览暂停更新" in output.read_text(encoding="utf-8"), 120, "the paused preview")

    said = output.read_text(encoding="utf-8")
    assert f"{BRANCH}:" in said and "键名“name”后面用了中文冒号“：”" in said, said
    lines = [line for line in said.splitlines() if line.strip()]
    assert [line for line in lines if not CJK.search(line)] == [], said  # no English line from MkDocs either

    record.write_text(original.replace("\nname: 未来小学\n", "\nname: 未来小学（改名）\n"), encoding="utf-8")
    wait_for(lambda: "未来小学（改名）" in (fetch(base + "branches/weilai-xiaoxue/") or ""), 120, "the renamed page")
    assert "未来小学（改名）" in (fetch(base + "branches/") or "")

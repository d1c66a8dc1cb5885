"""`fivestar check` and `fivestar build` agree on every broken input: what the build refuses, check refused first.

Each case of tests/broken/ (generated ones too, and content/ folders when a case has one) is laid out as a real
project (mkdocs.yml with data/ and content/ beside it) in a temporary folder; check runs on it, then the build,
in this process, once. Check exits 1 exactly when the build refuses, and the build refuses only as a data
problem (exit 1) told in Chinese with a file name, never as an internal error.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from test_cli_check import CASES, CORPUS, case_folder, set_case_environment

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
_CJK = re.compile(r"[\u4e00-\u9fff]")
_FILE = re.compile(r"data/\S+\.ya?ml|content/\S+|SOURCE_DATE_EPOCH")


def lay_out_project(case: str, data: Path, root: Path) -> Path:
    """mkdocs.yml, data/ and content/ side by side, as staff have them; returns the project folder."""
    project = root / "project"
    project.mkdir()
    shutil.copytree(data, project / "data", symlinks=True)
    content = CORPUS / case / "content"
    shutil.copytree(content if content.is_dir() else ROOT / "content", project / "content", symlinks=True)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(config.replace("custom_dir: theme", f"custom_dir: {ROOT / 'theme'}"),
                                        encoding="utf-8")
    return project


@pytest.mark.parametrize("name", CASES)
def test_check_and_build_agree(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    data, expect = case_folder(name, tmp_path / "case")
    set_case_environment(expect, monkeypatch)
    project = lay_out_project(name, data, tmp_path)
    monkeypatch.chdir(project)

    checked = main(["check", "--data", str(project / "data")])
    check_err = capsys.readouterr().err
    assert checked in (0, 1), check_err

    # The build as staff run it: `fivestar build` (the command checks first, then builds through build_site).
    built = main(["build", "--data", str(project / "data"), "--config", str(project / "mkdocs.yml"),
                  "--site-dir", str(tmp_path / "site")])
    build_err = capsys.readouterr().err
    assert built in (0, 1), f"the build stopped as an internal error (exit {built}):\n{build_err}"
    refusal = build_err if built else ""

    if checked == 0:
        assert not refusal, f"check passed but the build refused:\n{refusal}"
        assert (tmp_path / "site" / "index.html").is_file()
    else:
        assert refusal, f"check refused but the build went ahead:\n{check_err}"
        assert _CJK.search(refusal) and _FILE.search(refusal), refusal
        assert "Traceback" not in refusal

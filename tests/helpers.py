"""Small helpers shared by the tests (not fixtures): running the CLI in-process."""

from __future__ import annotations

import pytest

from generator.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `fivestar ARGV` in this process; return its exit status, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err

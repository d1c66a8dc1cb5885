"""Which MkDocs runs: FIVESTAR_ENGINE, read in one place (generator/engine/mkdocs/__init__.py), really takes effect.

The expectations below read the environment variable themselves, and look at what actually ran (the module behind
`import mkdocs`, the generator meta tag the engine writes into every page), so a switch that silently does
nothing fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mkdocs.yml"
ASKED = os.environ.get("FIVESTAR_ENGINE", "").strip().lower()
"""The engine this session was asked to run on ("" when FIVESTAR_ENGINE is not set: MkDocs)."""
MKDOCS_TAG, PROPERDOCS_TAG = "mkdocs-1.6.1, mkdocs-material-9.8.2", "mkdocs-ProperDocs 1.6.7, mkdocs-material-9.8.2"


def generator_tag(site: Path) -> str:
    """What `<meta name="generator">` of the site's home page says built it."""
    found = re.search(r'<meta name="generator" content="([^"]*)"', (site / "index.html").read_text(encoding="utf-8"))
    assert found, "the home page has no generator meta tag"
    return found.group(1)


def without_engine_choice() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "FIVESTAR_ENGINE"}


def test_the_session_runs_on_the_engine_it_was_asked_for(built_site: Path) -> None:
    """conftest chose the engine before any test imported MkDocs: `import mkdocs` gives it, and it built the site."""
    import mkdocs
    import mkdocs.commands.build

    assert ASKED in ("", "mkdocs", "properdocs"), "conftest should have stopped the session"
    if ASKED == "properdocs":
        import properdocs

        assert sys.modules["mkdocs"] is properdocs and mkdocs is properdocs
        assert mkdocs.commands.build.__name__ == "properdocs.commands.build"
        assert generator_tag(built_site) == PROPERDOCS_TAG
    else:
        assert mkdocs.__name__ == "mkdocs" and Path(mkdocs.__file__).parent.name == "mkdocs"
        assert mkdocs.commands.build.__name__ == "mkdocs.commands.build"
        assert generator_tag(built_site) == MKDOCS_TAG


def run_build(data: Path, site: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "build", "--data", str(data), "--config", str(CONFIG),
                           "--site-dir", str(site)], cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.parametrize(("asked", "tag"), [(None, MKDOCS_TAG), ("properdocs", PROPERDOCS_TAG)])
def test_fivestar_build_runs_on_the_engine_asked_for(asked: str | None, tag: str, sample_data: Path,
                                                      tmp_path: Path) -> None:
    """Whatever this session runs on: `fivestar build` with FIVESTAR_ENGINE unset builds with MkDocs, and with
    `properdocs` with ProperDocs."""
    env = without_engine_choice() if asked is None else {**os.environ, "FIVESTAR_ENGINE": asked}
    done = run_build(sample_data, tmp_path / "site", env)
    assert done.returncode == 0, done.stderr
    assert generator_tag(tmp_path / "site") == tag


def test_an_unknown_engine_stops_fivestar_build_in_chinese(sample_data: Path, tmp_path: Path) -> None:
    done = run_build(sample_data, tmp_path / "site", {**os.environ, "FIVESTAR_ENGINE": "mkdocs2"})
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "环境变量 FIVESTAR_ENGINE='mkdocs2' 不是可用的生成引擎；可用的有 mkdocs、properdocs" in done.stderr
    assert "网站没有生成" in done.stderr
    assert not (tmp_path / "site").exists()


def test_properdocs_chosen_but_missing_is_said_in_chinese(sample_data: Path, tmp_path: Path) -> None:
    """ProperDocs is a test extra: chosen where it is not installed, `fivestar build` says which engine is missing
    and what installs it, as for a missing MkDocs."""
    from test_engine_boundary import BLOCKER

    code = BLOCKER + textwrap.dedent(f"""
        from generator.cli import main
        raise SystemExit(main(["build", "--data", {str(sample_data)!r}, "--config", {str(CONFIG)!r},
                               "--site-dir", {str(tmp_path / "site")!r}]))
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "FIVESTAR_ENGINE": "properdocs", "PYTHONPATH": str(ROOT)}, check=False)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert "没有安装生成网站所需的 ProperDocs" in done.stderr and "pip install -e '.[test]'" in done.stderr
    assert not (tmp_path / "site").exists()


def test_an_unknown_engine_stops_the_test_session_in_chinese(tmp_path: Path) -> None:
    env = {**os.environ, "FIVESTAR_ENGINE": "hugo", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q",
                           str(ROOT / "tests" / "test_sanitize.py")], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert "环境变量 FIVESTAR_ENGINE='hugo' 不是可用的生成引擎" in output
    assert "Traceback" not in output and "test_sanitize.py::" not in output


@pytest.mark.parametrize(("value", "name"), [(None, "mkdocs"), ("", "mkdocs"), ("mkdocs", "mkdocs"),
                                             ("properdocs", "properdocs"), (" ProperDocs\n", "properdocs")])
def test_the_values_read(value: str | None, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.engine.mkdocs import requested_engine

    if value is None:
        monkeypatch.delenv("FIVESTAR_ENGINE", raising=False)
    else:
        monkeypatch.setenv("FIVESTAR_ENGINE", value)
    assert requested_engine().name == name


def test_one_process_runs_one_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asking for the other engine once MkDocs is loaded is refused, and changes nothing."""
    import mkdocs

    from generator.engine.mkdocs import EngineChoiceFailed, choose_engine, engine_in_effect

    running = engine_in_effect()
    assert running is not None
    other = "mkdocs" if running.name == "properdocs" else "properdocs"
    monkeypatch.setenv("FIVESTAR_ENGINE", other)
    with pytest.raises(EngineChoiceFailed, match="生成引擎要在载入 MkDocs 之前选定"):
        choose_engine()
    assert sys.modules["mkdocs"] is mkdocs and engine_in_effect() == running
    monkeypatch.setenv("FIVESTAR_ENGINE", running.name)
    assert choose_engine() == running  # asking again for the one running is harmless

"""The ProperDocs run's selection (tests/engine_selection.py): a test that reaches the engine is marked `engine`
whatever way it gets there, without anyone marking it; one that does not is left to the MkDocs run; a test the rule
misses fails on either run instead of being skipped on ProperDocs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from engine_selection import engine_argv

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

# A module of fake tests, collected with the real fixtures and helpers (imported from conftest and helpers, as a
# test module of the suite has them) and `-p engine_selection`. Names say whether each must be marked.
FAKE_TESTS = '''
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typing import Any

import pytest
from conftest import DATA, CONFIG, built_site, sample_data, site_builder, build_into  # noqa: F401
from helpers import run_cli

from generator.cli import main
from generator.records.load import load_dataset
from generator.site import press


def build_twice(into: Path) -> None:
    build_into(into / "a")


def helper_of_a_helper(into: Path) -> None:
    build_twice(into)


@pytest.fixture(scope="module")
def module_site(tmp_path_factory: pytest.TempPathFactory, site_builder) -> Path:
    return site_builder(tmp_path_factory.mktemp("s") / "site", DATA)


@pytest.fixture
def on_top_of_module_site(module_site: Path) -> Path:
    return module_site / "index.html"


def test_engine_session_fixture(site_builder: Any) -> None:
    pass


def test_static_the_bundled_sites_files(built_site: Path) -> None:
    """Reads the built files only: marked, but left out of the ProperDocs run (the builds are the same bytes)."""


def test_engine_fixture_of_a_fixture(on_top_of_module_site: Path) -> None:
    pass


def test_engine_helper_two_calls_deep(tmp_path: Path) -> None:
    helper_of_a_helper(tmp_path)


def test_engine_build_site_imported_in_the_test(tmp_path: Path) -> None:
    from generator.engine.build import build_site

    build_site(DATA, CONFIG, tmp_path / "site")


def test_engine_cli_build(tmp_path: Path) -> None:
    main(["build", "--data", str(DATA), "--site-dir", str(tmp_path / "site")])


def test_engine_cli_serve_through_a_helper(capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "serve", "--port", "0")


def test_engine_build_in_a_child_process(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "generator", "build", "--site-dir", str(tmp_path)], check=False)


def test_engine_its_command(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "properdocs", "--version"], check=False)


def test_engine_the_plugin() -> None:
    from generator.engine.mkdocs.plugin import FivestarPlugin

    FivestarPlugin()


def test_engine_code_run_in_python_c() -> None:
    code = "from generator.engine.mkdocs import runner"
    subprocess.run([sys.executable, "-c", code], check=False)


@pytest.mark.parametrize("command", ["check", "build"])
def test_command(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    main([command, "--data", str(DATA)])


def test_plain_check(capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "check", "--data", str(DATA))


def test_plain_press_on_the_sample(sample_data: Path) -> None:
    dataset = load_dataset(sample_data).dataset
    assert dataset is not None and press.branch_count(dataset)


def test_plain_names_the_build_folder(tmp_path: Path) -> None:
    """A build folder named in a docstring or a path is no build: `fivestar build` is not run here."""
    assert not (tmp_path / "build").exists()
'''

EXPECTED_ENGINE = {
    "test_engine_session_fixture", "test_engine_fixture_of_a_fixture", "test_engine_helper_two_calls_deep",
    "test_engine_build_site_imported_in_the_test", "test_engine_cli_build", "test_engine_cli_serve_through_a_helper",
    "test_engine_build_in_a_child_process", "test_engine_its_command", "test_engine_the_plugin",
    "test_engine_code_run_in_python_c", "test_command[build]",
}
EXPECTED_PLAIN = {"test_command[check]", "test_plain_check", "test_plain_press_on_the_sample",
                  "test_plain_names_the_build_folder"}
EXPECTED_STATIC = {"test_static_the_bundled_sites_files"}
"""Marked engine (they run on MkDocs with the mark), but left out of the ProperDocs run: see STATIC_FIXTURES."""


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in a child process on `folder`, with the suite's helpers importable and the selection plugin on."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "engine_selection", "-p", "no:cacheprovider",
                           "--rootdir", str(folder), "-c", os.devnull, *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def collected(out: str, prefix: str = "") -> set[str]:
    return {line.split("::", 1)[1] for line in out.splitlines() if "::" in line and line.startswith(prefix)}


REPORT_DESELECTED = """
def pytest_deselected(items):
    for item in items:
        print("deselected", item.nodeid)
"""


def test_every_way_of_reaching_the_engine_is_marked_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "test_fake.py").write_text(FAKE_TESTS, encoding="utf-8")
    (tmp_path / "report_deselected.py").write_text(REPORT_DESELECTED, encoding="utf-8")
    done = run_pytest(tmp_path, "--collect-only", "-q", "--only-engine", "-p", "report_deselected")
    assert collected(done.stdout, "test_fake.py") == EXPECTED_ENGINE, done.stdout + done.stderr
    assert collected(done.stdout, "deselected ") == EXPECTED_PLAIN | EXPECTED_STATIC, done.stdout + done.stderr
    marked = run_pytest(tmp_path, "--collect-only", "-q", "-m", "engine")
    assert collected(marked.stdout, "test_fake.py") == EXPECTED_ENGINE | EXPECTED_STATIC, marked.stdout


def test_a_test_that_reaches_the_engine_unmarked_fails_saying_so(tmp_path: Path) -> None:
    # Names built at run time hide the engine from the reading: the guard sees the child process start.
    (tmp_path / "test_hidden.py").write_text(textwrap.dedent('''
        import subprocess
        import sys

        def test_hidden() -> None:
            subprocess.run([sys.executable, "-m", "proper" + "docs", "--version"], check=False, capture_output=True)
    '''), encoding="utf-8")
    done = run_pytest(tmp_path, "-q", "-p", "no:randomly")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "reached the engine" in done.stdout and "test_hidden" in done.stdout, done.stdout


def test_the_suite_marks_every_test_that_uses_a_built_site(request: pytest.FixtureRequest) -> None:
    # Over the collected suite: any test asking for a built site (directly or through its fixtures) is marked.
    builders = {"built_site", "site_url", "site_builder"}
    for item in request.session.items:
        if builders & set(getattr(item, "fixturenames", ())):
            assert item.get_closest_marker("engine"), item.nodeid


@pytest.mark.parametrize(("argv", "engine"), [
    (["python", "-m", "generator", "build", "--data", "x"], True), (["python", "-m", "mkdocs", "build"], True),
    (["/usr/bin/properdocs", "build"], True), (["fivestar", "serve"], True),
    (["bash", "-c", "fivestar build --site-dir public"], True),
    (["python", "-c", "import generator.engine.mkdocs"], True),
    (["git", "checkout", "-b", "build"], False), (["python", "-m", "generator", "check"], False),
    (["node", "worker.js", "build"], False), (["python", "-m", "pytest", "-p", "engine_selection"], False),
])
def test_the_guard_knows_an_engine_command_from_a_word(argv: list[str], engine: bool) -> None:
    assert engine_argv(argv) is engine

"""The engine boundary: the core builds its data, sentences and downloads with no MkDocs or Material at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

NAMED_CORE = ("model", "load", "dataset", "validate", "privacy", "press", "exports", "pages", "search", "images",
                "content", "markup", "diff", "scaffold", "importer", "demo", "schema", "problems", "yamlfile",
                "sanitize", "cli", "build", "preview", "background", "hooks")
"""The core modules the issue names; every module not in ENGINE_MODULES is core (`core_modules`)."""

ENGINE_MODULES = ("plugin", "engine_mkdocs")
"""The engine adapter: the only modules that import MkDocs (they move to engine/mkdocs/ later)."""



def core_modules() -> list[str]:
    """Everything above the engine: none of these may need mkdocs, material or properdocs to import or run."""
    found = {p.stem for p in (ROOT / "generator").glob("*.py")} - {"__init__", "__main__"}
    return sorted(found - set(ENGINE_MODULES))


BLOCKER = textwrap.dedent("""
    import importlib.abc, sys

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("mkdocs", "material", "properdocs"):
                raise ImportError(f"blocked for the engine-boundary test: {name}")
            return None

    sys.meta_path.insert(0, Refuse())
""")


def run_blocked(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run Python code in a fresh interpreter in which importing mkdocs, material or properdocs fails."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, "-c", BLOCKER + textwrap.dedent(code)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_blocker_blocks(tmp_path: Path) -> None:
    """Without this, every test below could pass because nothing was blocked."""
    done = run_blocked("""
        for name in ("mkdocs", "material", "properdocs", "mkdocs.commands.build"):
            try:
                __import__(name)
            except ImportError:
                continue
            raise SystemExit(f"{name} imported")
        import generator.plugin
    """, tmp_path)
    assert done.returncode != 0
    assert "blocked for the engine-boundary test: mkdocs" in done.stderr
    assert "imported" not in done.stderr.splitlines()[-1]


def test_core_modules_import_without_mkdocs(tmp_path: Path) -> None:
    names = json.dumps([f"generator.{name}" for name in core_modules()])
    done = run_blocked(f"""
        import importlib, json, sys
        for name in {names}:
            importlib.import_module(name)
        leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("mkdocs", "material", "properdocs"))
        print(json.dumps(leaked))
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_every_module_but_the_engine_is_core() -> None:
    """A module added later is core unless it is listed as engine: the import test covers it too."""
    found = {p.stem for p in (ROOT / "generator").glob("*.py")} - {"__init__", "__main__"}
    assert set(NAMED_CORE) <= found
    assert set(ENGINE_MODULES) <= found
    assert set(core_modules()) == found - set(ENGINE_MODULES)


def test_check_press_and_export_run_without_mkdocs(tmp_path: Path) -> None:
    out = tmp_path / "export"
    done = run_blocked(f"""
        import sys
        from generator.cli import main
        data = {str(DATA)!r}
        for argv in (["check", "--data", data], ["press", "--data", data],
                     ["export", "--data", data, "--out", {str(out)!r}]):
            code = main(argv)
            if code != 0:
                raise SystemExit(f"{{argv[0]}} exited {{code}}")
            print("done", argv[0], file=sys.stderr)
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("done ")] == \
        ["done check", "done press", "done export"]
    assert "。" in done.stdout  # press wrote sentences
    assert (out / "feed.xml").is_file()
    assert any((out / "downloads").iterdir())


def test_build_without_mkdocs_says_so_in_chinese(tmp_path: Path) -> None:
    """`fivestar build` with no engine installed: a Chinese message and a non-zero exit, never a traceback."""
    done = run_blocked(f"""
        from generator.cli import main
        raise SystemExit(main(["build", "--data", {str(DATA)!r}, "--config", {str(ROOT / "mkdocs.yml")!r},
                               "--site-dir", {str(tmp_path / "site")!r}]))
    """, tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "MkDocs" in done.stderr and "pip install" in done.stderr
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("name", ENGINE_MODULES)
def test_engine_modules_need_mkdocs(name: str, tmp_path: Path) -> None:
    """The other half of the boundary: the adapter really is where MkDocs is imported."""
    done = run_blocked(f"import generator.{name}", tmp_path)
    assert done.returncode != 0
    assert "blocked for the engine-boundary test" in done.stderr

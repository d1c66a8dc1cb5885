"""The engine boundary: the core builds its data, sentences and downloads with no MkDocs or Material at all."""

from __future__ import annotations

import inspect
import json
import logging
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

NAMED_CORE = ("records.model", "records.load", "dataset", "checks.validate", "checks.privacy", "site.press",
              "site.exports", "site.pages", "site.search", "site.images", "checks.content", "checks.markup",
              "staff.diff", "staff.scaffold", "staff.importer", "staff.demo", "staff.schema", "records.problems",
              "records.yamlfile", "sanitize", "cli", "engine.build", "engine.preview", "engine.background",
              "staff.hooks")
"""The core modules the issue names (under generator.); every module outside ENGINE_PACKAGE is core."""

ENGINE_PACKAGE = "engine.mkdocs"
"""The engine adapter package: the only modules that import MkDocs (`generator/engine/mkdocs/`)."""

ENGINE_MODULES = ("engine.mkdocs.plugin", "engine.mkdocs.runner", "engine.mkdocs.incremental",
                  "engine.mkdocs.theme_text")
"""The engine adapter's modules."""

NEEDS_MKDOCS = ("engine.mkdocs.plugin", "engine.mkdocs.runner", "engine.mkdocs.incremental")
"""The adapter's modules that import MkDocs (theme_text only knows what MkDocs' theme does with text)."""


def all_modules() -> set[str]:
    """Every module of the generator package, dotted below `generator.` (a package by its own name)."""
    found = set()
    for path in (ROOT / "generator").rglob("*.py"):
        parts = path.relative_to(ROOT / "generator").with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts and parts != ("__main__",):
            found.add(".".join(parts))
    return found


def is_engine(name: str) -> bool:
    """`engine.mkdocs` and everything in it; `engine.build` is not (it runs the engine it is given)."""
    return name == ENGINE_PACKAGE or name.startswith(ENGINE_PACKAGE + ".")


def core_modules() -> list[str]:
    """Everything above the engine: none of these may need mkdocs, material or properdocs to import or run."""
    return sorted(name for name in all_modules() if not is_engine(name))


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
        import generator.engine.mkdocs.plugin
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
    found = all_modules()
    assert set(NAMED_CORE) <= found
    assert set(ENGINE_MODULES) <= found
    assert {name for name in found if is_engine(name)} == {ENGINE_PACKAGE, *ENGINE_MODULES}
    assert set(core_modules()) == found - {ENGINE_PACKAGE, *ENGINE_MODULES}
    assert not any(is_engine(name) for name in NAMED_CORE)


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
    """`fivestar build` with no engine installed: a Chinese message naming the engine the session runs on
    (FIVESTAR_ENGINE) and a non-zero exit, never a traceback."""
    from generator.engine.mkdocs import requested_engine

    done = run_blocked(f"""
        from generator.cli import main
        raise SystemExit(main(["build", "--data", {str(DATA)!r}, "--config", {str(ROOT / "mkdocs.yml")!r},
                               "--site-dir", {str(tmp_path / "site")!r}]))
    """, tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert requested_engine().label in done.stderr and "pip install" in done.stderr
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("name", NEEDS_MKDOCS)
def test_engine_modules_need_mkdocs(name: str, tmp_path: Path) -> None:
    """The other half of the boundary: the adapter really is where MkDocs is imported."""
    done = run_blocked(f"import generator.{name}", tmp_path)
    assert done.returncode != 0
    assert "blocked for the engine-boundary test" in done.stderr


# -- contracts: every MkDocs or Material internal the engine touches, checked against the installed version ------

def _source(module_name: str) -> str:
    import importlib
    import inspect

    return inspect.getsource(importlib.import_module(module_name))


def _abort() -> None:
    import mkdocs.commands.build as mkdocs_build
    from mkdocs.exceptions import Abort

    from generator.engine.mkdocs import runner

    assert mkdocs_build.Abort is Abort and issubclass(Abort, SystemExit)
    source = _source("mkdocs.commands.build")
    assert "raise Abort('Aborted with a BuildError!')" in source, "build() no longer raises this Abort by name"
    with runner.no_english_abort():
        assert str(mkdocs_build.Abort("Aborted with a BuildError!")) == ""
        assert isinstance(mkdocs_build.Abort("x"), Abort)
    assert mkdocs_build.Abort is Abort


def _text_in(module_name: str, text: str) -> Callable[[], None]:
    def check() -> None:
        assert text in _source(module_name), f"{module_name} no longer says {text!r}"
    return check


def _dirty_build() -> None:
    source = _source("mkdocs.commands.build")
    assert source.count("if dirty and not page.file.is_modified():\n            return") == 2, \
        "a dirty build no longer skips reading and rendering an unmodified page"
    assert source.index("if dirty and not page.file.is_modified()") < source.index("config.plugins.on_pre_page("), \
        "an unmodified page is no longer skipped before its page events"
    assert "if not dirty:" in source and "utils.clean_directory(config.site_dir)" in source
    assert "files.copy_static_files(dirty=dirty" in source


def _anchor_ids() -> None:
    from mkdocs.structure.pages import Page as EnginePage

    validate = inspect.getsource(EnginePage.validate_anchor_links)
    uses = re.findall(r".*present_anchor_ids.*", validate)
    assert [u.strip() for u in uses] == ["if page.present_anchor_ids is None:  # Page was somehow not rendered.",
                                         "if anchor in page.present_anchor_ids:"], \
        "a link's target page's ids are no longer only looked into"
    build = _source("mkdocs.commands.build")
    assert build.index("_build_page(") < build.index("file.page.validate_anchor_links("), \
        "links to anchors are no longer checked after every page is rendered"


def _plugin_cache() -> None:
    from mkdocs.config import load_config

    first = load_config(str(ROOT / "mkdocs.yml")).plugins["fivestar"]
    second = load_config(str(ROOT / "mkdocs.yml")).plugins["fivestar"]
    assert first is second, "a plugin with on_startup is no longer kept between loads of the settings"


def _material_search_index() -> None:
    from material.plugins.search.plugin import SearchIndex, SearchPlugin

    assert "search_index_prev" in _source("material.plugins.search.plugin")
    assert hasattr(SearchPlugin(), "search_index_prev") or "self.search_index_prev = None" in \
        _source("material.plugins.search.plugin")
    index = SearchIndex(lang=["zh"], separator="x", pipeline=[], fields={})
    index.entries.append({"location": "a/", "title": "t", "text": "x"})
    written = json.loads(index.generate_search_index(None))
    assert written["docs"] == [{"location": "a/", "title": "t", "text": "x"}], "the index no longer holds `docs`"
    assert written["config"]["separator"] == "x" and "fields" in written["config"], \
        "the index's `config` no longer holds the separator and fields the light index cuts by"


def _material_search_fields() -> None:
    from material.plugins.search.config import SearchConfig
    from material.plugins.search.plugin import SearchIndex
    from material_search import worker_script

    from generator.engine.mkdocs.runner import MATERIAL_READ
    from generator.site import search

    assert "fields" in dict(SearchConfig._schema), "the search plugin has no `fields` option"
    source = _source("material.plugins.search.plugin")
    assert 'if "tags" not in self.config.fields:' in source, \
        "the search plugin no longer merges its own fields with the configured ones"
    assert "self.search_index = SearchIndex(**self.config)" in source, \
        "the search index no longer keeps the plugin's own `fields` dict"
    index = SearchIndex(lang=["zh"], separator="x", pipeline=[], fields={search.NAMES_FIELD: {"boost": 1.0}})
    assert '"fields":{"names":{"boost":1.0}}' in index.generate_search_index(None)
    worker = worker_script().read_text(encoding="utf-8")
    assert "of Object.entries(e.fields))this.field(" in worker, \
        f"the search worker (read from {MATERIAL_READ}) no longer makes a field of each configured one"


def _engine_logger() -> None:
    import mkdocs.commands.build as mkdocs_build

    from generator.engine.mkdocs import runner

    assert runner.ENGINE_LOGGER in ("mkdocs", "properdocs")
    assert mkdocs_build.log.name == f"{runner.ENGINE_LOGGER}.commands.build", "the build logs under another name"
    source = _source("mkdocs.commands.build")
    assert f"logging.getLogger('{runner.ENGINE_LOGGER}').addHandler(warning_counter)" in source, \
        "--strict no longer counts the warnings on the engine's logger"
    theme = logging.getLogger("mkdocs.material.search")
    engine = runner.engine_logger()
    assert engine.name == runner.ENGINE_LOGGER
    while theme is not None and theme is not engine:
        theme = theme.parent
    assert theme is engine, "Material's lines (mkdocs.material.…) do not reach the engine's logger"


def _livereload_server() -> None:
    from mkdocs.livereload import LiveReloadServer

    assert callable(LiveReloadServer.get_app) and callable(LiveReloadServer.set_app)
    assert "self.builder = builder" in _source("mkdocs.livereload")


CONTRACTS: dict[str, Callable[[], None]] = {
    "abort": _abort,
    "rebuild_error_text": _text_in("mkdocs.livereload", "An error happened during the rebuild"),
    "dirty_notice_text": _text_in("mkdocs.commands.build", "A 'dirty' build is being performed"),
    "dirty_build": _dirty_build,
    "anchor_ids": _anchor_ids,
    "strict_text": _text_in("mkdocs.commands.build", "raise Abort(f'Aborted with {msg} in strict mode!')"),
    "plugin_cache": _plugin_cache,
    "material_search_index": _material_search_index,
    "material_search_fields": _material_search_fields,
    "engine_logger": _engine_logger,
    "livereload_server": _livereload_server,
}


def test_every_internal_has_a_contract_and_the_engine_uses_its_texts() -> None:
    from generator.engine.mkdocs import runner

    assert [i.key for i in runner.INTERNALS] == list(CONTRACTS)
    assert "An error happened during the rebuild".startswith(runner.REBUILD_ERROR_TEXT)
    assert runner.DIRTY_NOTICE_TEXT in "A 'dirty' build is being performed"
    assert runner.STRICT_TEXT in "Aborted with 1 warnings in strict mode!"


@pytest.mark.parametrize("key", list(CONTRACTS))
def test_internal_still_as_read(key: str) -> None:
    """Fails with the internal's name, the version it was read from and the installed one when MkDocs or
    Material changes it: read the new version, adapt the engine, and update the version in runner."""
    from importlib.metadata import version

    import mkdocs

    from generator.engine.mkdocs import engine_in_effect, runner

    internal = next(i for i in runner.INTERNALS if i.key == key)
    engine = engine_in_effect()
    assert engine is not None
    installed = f"running {engine.label} {mkdocs.__version__}, mkdocs-material {version('mkdocs-material')}"
    try:
        CONTRACTS[key]()
    except (AssertionError, ImportError, AttributeError, TypeError) as error:
        pytest.fail(f"{internal.name} (read from {internal.version}; installed: {installed}) changed: {error}. "
                    f"Used by {internal.used_for}.")


def test_installed_versions_are_the_ones_read() -> None:
    from importlib.metadata import version

    import mkdocs

    from generator.engine.mkdocs import engine_in_effect, runner

    assert version("mkdocs") == runner.MKDOCS_READ
    assert version("properdocs") == runner.PROPERDOCS_READ
    assert version("mkdocs-material") == runner.MATERIAL_READ
    running = engine_in_effect()
    assert running is not None
    assert mkdocs.__version__ == {"mkdocs": runner.MKDOCS_READ, "properdocs": runner.PROPERDOCS_READ}[running.name]


def test_the_engine_is_pinned_to_the_versions_read() -> None:
    import tomllib
    from importlib.metadata import version

    from generator.engine.mkdocs import runner

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert f"mkdocs=={runner.MKDOCS_READ}" in project["dependencies"]
    assert f"mkdocs-material=={runner.MATERIAL_READ}" in project["dependencies"]
    assert f"properdocs=={runner.PROPERDOCS_READ}" in project["optional-dependencies"]["test"]
    assert version("properdocs") == runner.PROPERDOCS_READ


def test_importing_the_engine_changes_no_logging(tmp_path: Path) -> None:
    """No module-level side effects: the plugin's log filter is added when a build starts, not on import (on the
    engine the session runs on)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = textwrap.dedent("""
        import logging
        from generator.engine.mkdocs import choose_engine
        engine = choose_engine().name
        import generator.engine.mkdocs.runner, generator.engine.mkdocs.plugin
        names = [f"{root}{name}" for root in sorted({"mkdocs", engine})
                 for name in ("", ".commands.build", ".plugins.generator.engine.mkdocs.plugin")]
        print(logging.getLogger("mkdocs").parent is logging.root, end=" ")
        print(sum(len(logging.getLogger(n).filters) for n in names))
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True 0"


SEGMENT = st.text(alphabet=st.sampled_from("abz09-_.~ %#?&学习区·（）"), min_size=1, max_size=8).filter(
    lambda part: part not in (".", "..") and not part.startswith("."))
SOURCE = st.builds(lambda parts, stem: "/".join([*parts, f"{stem}.md"]), st.lists(SEGMENT, max_size=3),
                   st.one_of(SEGMENT, st.sampled_from(["index", "README"])))


@settings(max_examples=300, deadline=None)
@given(src_uri=SOURCE, use_directory_urls=st.booleans())
def test_page_urls_are_the_ones_mkdocs_gives(src_uri: str, use_directory_urls: bool) -> None:
    """urls.url_of knows the site's URLs without MkDocs (search entries, exports, links in raw HTML); this
    keeps it equal to what MkDocs computes for any page name (its "./" for the home page is our "")."""
    from mkdocs.structure.files import File

    from generator.site.urls import url_of

    theirs = File(src_uri, "/docs", "/site", use_directory_urls).url
    assert url_of(src_uri, use_directory_urls) == ("" if theirs == "./" else theirs)

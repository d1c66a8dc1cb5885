"""Which tests reach the engine (the `engine` mark, the ProperDocs run's selection), decided from what each test uses.

`bash scripts/test` runs every test on MkDocs, then again on ProperDocs only the tests that can behave differently on
the other engine: those that build, serve or otherwise reach `generator/engine/mkdocs/` (the adapter, runner,
plugin and, through them, the theme). Nobody marks them by hand: at collection this plugin reads each test's
function, the fixtures it requests and every helper they call (test modules and `generator/` alike, through imports
and names, recursively) and marks `engine` a test in which any of them
- imports or names `mkdocs`, `material`, `properdocs` or `generator.engine.mkdocs` (or a function reaching them:
  `build_site`, `serve_site`, `build_into`, the `built_site` fixture…);
- runs the `build` or `serve` command (`main(["build", …])`, `run_cli(capsys, "build")`, `[…, "-m", "generator",
  "build", …]`, a parameter "build"), or a `mkdocs`/`properdocs` command, or code or a script doing so.
A guard checks the rule at run time on every run: a test that reaches the engine (a build, the plugin, the
runner, an engine command in a child process) without the mark fails, saying so (`tests/test_engine_selection.py`
checks both on a module of fake tests). `--only-engine` keeps the marked tests only (the ProperDocs run).
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import itertools
import os
import re
import subprocess
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
ENGINE_MODULES = ("mkdocs", "material", "properdocs", "generator.engine.mkdocs")
"""Modules that are the engine: importing or naming anything in them reaches it."""
ENGINE_COMMANDS = frozenset({"build", "serve"})
"""`fivestar` commands that run the engine (the other commands never load it)."""
ENGINE_WORDS = frozenset({"mkdocs", "properdocs"})
"""A string that is exactly one of these is an engine command (`python -m mkdocs`, `shutil.which("properdocs")`)."""
ENGINE_CODE = re.compile(r"""
    \bengine\.mkdocs\b | \b(?:build_site|serve_site|build_into)\b
    | \b(?:import|from|-m)\s+(?:mkdocs|material|properdocs)\b
    | \b(?:fivestar|generator|mkdocs|properdocs)\s+(?:build|serve)\b | main\(\[\s*["'](?:build|serve)["']
""", re.VERBOSE)
"""Code or a shell script inside a string (run with `python -c`, `bash -c` or written to a file) reaching the engine."""
MARK = "engine"


def in_engine(module: str | None) -> bool:
    """Whether a module name is the engine or inside it."""
    return bool(module) and any(module == name or module.startswith(name + ".") for name in ENGINE_MODULES)


class Reach:
    """Whether functions, classes and fixtures reach the engine, remembered per object (cycles count as no)."""

    def __init__(self, test_folders: tuple[Path, ...] = (TESTS,)) -> None:
        self.known: dict[Any, str] = {}
        self.test_folders = tuple(folder.resolve() for folder in test_folders)

    def ours(self, path: str | None) -> bool:
        """Whether a source file is the project's (tests or generator/), so its functions are read too."""
        return bool(path) and (self.in_tests(path) or resolved(path).is_relative_to(ROOT / "generator"))

    def in_tests(self, path: str | None) -> bool:
        """Whether a source file is a test's (its texts and commands count; generator/'s messages do not)."""
        if not path or resolved(path).is_relative_to(ROOT / "generator"):
            return False
        return any(resolved(path).is_relative_to(folder) for folder in self.test_folders)

    def of_object(self, obj: Any) -> str:
        """A name's value (a module, function, class or method): why it reaches the engine, or "" if it does not."""
        if isinstance(obj, types.ModuleType):
            return obj.__name__ if in_engine(obj.__name__) else ""
        if isinstance(obj, functools.partial):
            return self.of_object(obj.func)
        obj = getattr(obj, "__func__", obj)  # bound and class methods
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            return ""
        name = f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', '?')}"
        if in_engine(getattr(obj, "__module__", None)):
            return name
        try:
            key = obj if inspect.isclass(obj) else obj.__code__
        except AttributeError:
            return ""
        if key in self.known:
            return self.known[key]
        self.known[key] = ""  # a cycle (recursion, mutual calls) adds nothing
        why = self._read(obj)
        self.known[key] = f"{name} > {why}" if why else ""
        return self.known[key]

    def _read(self, obj: Any) -> str:
        if inspect.isclass(obj):
            return next((why for member in vars(obj).values()
                         if inspect.isfunction(getattr(member, "__func__", member))
                         and (why := self.of_object(member))), "")
        obj = inner_function(obj)
        try:
            path = inspect.getsourcefile(obj)
        except TypeError:
            return ""
        node = definitions(path).get(obj.__code__.co_firstlineno) if path and self.ours(path) else None
        return self.of_tree(node, obj) if node is not None else ""

    def of_tree(self, tree: ast.FunctionDef | ast.AsyncFunctionDef, function: Any) -> str:
        """Whether a function's syntax tree reaches the engine; names are looked up in its globals and closure."""
        names = dict(function.__globals__)
        closure = inspect.getclosurevars(function).nonlocals if function.__closure__ else {}
        names.update(closure)
        texts = self.in_tests(inspect.getsourcefile(function))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        # Parameters are read from the item (a parametrized test runs once per value), not from the decorators.
        for node in (n for root in [*tree.body, tree.args] for n in ast.walk(root)):
            why = ""
            if id(node) in docstrings:
                continue
            if isinstance(node, ast.Import):
                why = next((f"import {alias.name}" for alias in node.names if in_engine(alias.name)), "")
            elif isinstance(node, ast.ImportFrom):
                why = self.imports_engine(node, function)
            elif texts and isinstance(node, ast.Constant) and isinstance(node.value, str) and engine_text(node.value):
                why = f"the text {node.value[:60]!r}"
            elif texts and isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Call):
                elements = node.elts if not isinstance(node, ast.Call) else node.args
                why = next((f"the command {e.value!r}" for e in elements if command_constant(e)), "")
            elif isinstance(node, ast.Name) and node.id in names:
                why = self.of_object(names[node.id])
            elif isinstance(node, ast.Attribute):
                value = resolve_attribute(node, names)
                why = self.of_object(value) if value is not None else ""
            if why:
                return f"line {getattr(node, 'lineno', 0)}: {why}"
        return ""

    def imports_engine(self, node: ast.ImportFrom, function: Any) -> str:
        module = node.module or ""
        if node.level:  # a relative import inside generator/
            package = function.__module__.rsplit(".", node.level)[0]
            module = f"{package}.{module}" if module else package
        if in_engine(module):
            return f"from {module} import"
        try:
            imported = importlib.import_module(module)
        except ImportError:
            return ""
        return next((why for alias in node.names if (why := self.of_object(getattr(imported, alias.name, None)))), "")

    def of_item(self, item: pytest.Item, skip: frozenset[str] = frozenset()) -> str:
        """A collected test (its function, parameters and every fixture it requests, at any depth): why it reaches
        the engine, or "" if it does not. Fixtures named in `skip` are not followed."""
        params = getattr(getattr(item, "callspec", None), "params", {})
        why = next((f"the parameter {name}={value!r}" for name, value in params.items() if engine_value(value)), "")
        function = getattr(item, "obj", None)
        if not why and function is not None:
            why = self.of_object(function)
        definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
        for name in [name for name in getattr(item, "fixturenames", ()) if name not in skip] if not why else ():
            why = next((f"fixture {name}: {w}" for d in definitions.get(name, ()) if (w := self.of_object(d.func))), "")
            if why:
                break
        return why


@functools.cache
def resolved(path: str) -> Path:
    return Path(path).resolve()


@functools.cache
def definitions(path: str) -> dict[int, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every function defined in a source file (at any depth), by the line its code starts on (its first
    decorator's, as `co_firstlineno`): each file is read and parsed once."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return {}
    return {min([node.lineno, *(d.lineno for d in node.decorator_list)]): node for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def inner_function(function: Any) -> Any:
    """The test's own function under hypothesis' `@given` (and any functools.wraps)."""
    inner = getattr(getattr(function, "hypothesis", None), "inner_test", None)
    return inspect.unwrap(inner or function)


def resolve_attribute(node: ast.Attribute, names: dict[str, Any]) -> Any:
    """`a.b.c` where `a` is a module or class in `names`: the object, or None."""
    path: list[str] = []
    current: ast.expr = node
    while isinstance(current, ast.Attribute):
        path.append(current.attr)
        current = current.value
    if not isinstance(current, ast.Name) or current.id not in names:
        return None
    value = names[current.id]
    if not isinstance(value, types.ModuleType | type):
        return None
    for attribute in reversed(path):
        try:
            value = inspect.getattr_static(value, attribute)
        except AttributeError:
            return None
    return value


def command_constant(node: ast.expr) -> bool:
    """`"build"` or `"serve"` as an argument or in a list: the command being run."""
    return isinstance(node, ast.Constant) and node.value in ENGINE_COMMANDS


def engine_text(text: str) -> bool:
    return text in ENGINE_WORDS or bool(ENGINE_CODE.search(text))


def engine_value(value: Any) -> bool:
    """A test parameter that is an engine command (or a list holding one)."""
    if isinstance(value, str):
        return value in ENGINE_COMMANDS or engine_text(value)
    if isinstance(value, list | tuple):
        return any(engine_value(v) for v in value)
    return False


def engine_argv(argv: Any) -> bool:
    """A child process running the engine: `mkdocs`/`properdocs` (as a program or `-m`), `fivestar build|serve`
    (or `-m generator build|serve`), or `-c` code or a script reaching it; `git checkout build` is none of these."""
    if isinstance(argv, str | bytes | os.PathLike):
        argv = [argv]
    words = [os.fsdecode(a) for a in argv]
    programs = {Path(words[0]).name} if words else set()
    programs |= {after for before, after in itertools.pairwise(words) if before == "-m"}
    if programs & ENGINE_WORDS:
        return True
    if programs & {"fivestar", "generator"} and ENGINE_COMMANDS & set(words):
        return True
    return any(ENGINE_CODE.search(w) for w in words)


# The guard: what reached the engine while the current test was set up and run.
reached: list[str] = []


def _noting(what: str, function: Any) -> Any:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        reached.append(what)
        return function(*args, **kwargs)

    wrapper.engine_guard = True  # type: ignore[attr-defined]
    return wrapper


GUARDED = {
    "generator.engine.mkdocs": ("choose_engine",),  # every build and preview (engine/build.py's _engine) calls it
    "generator.engine.mkdocs.runner": ("open_site", "plugins_with_data", "serve_site"),
    "generator.engine.mkdocs.plugin": ("FivestarPlugin.on_startup", "FivestarPlugin.on_config"),
}


def install_guard() -> None:
    """Wrap the engine's entry points (each module once it is imported) and `subprocess.Popen`."""
    import sys

    for module_name, attributes in GUARDED.items():
        module = sys.modules.get(module_name)
        if module is None:
            continue
        for dotted in attributes:
            owner: Any = module
            *parents, name = dotted.split(".")
            for parent in parents:
                owner = getattr(owner, parent)
            current = inspect.getattr_static(owner, name)
            if not getattr(current, "engine_guard", False):
                setattr(owner, name, _noting(f"{module_name}.{dotted}", current))
    if not getattr(subprocess.Popen.__init__, "engine_guard", False):
        popen_init = subprocess.Popen.__init__

        @functools.wraps(popen_init)
        def init(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
            if engine_argv(args):
                reached.append(f"child process {args!r}"[:200])
            popen_init(self, args, *rest, **kwargs)

        init.engine_guard = True  # type: ignore[attr-defined]
        subprocess.Popen.__init__ = init  # type: ignore[method-assign]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--only-engine", action="store_true", default=False,
                     help="run only the tests marked engine (those reaching generator/engine/mkdocs/): the ProperDocs "
                          "run of scripts/test")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARK}: builds, serves or otherwise reaches the engine (applied by "
                                       "tests/engine_selection.py from what the test uses; never by hand)")


STATIC_FIXTURES = frozenset({"built_site", "demo_site", "dense_site", "bureau_url", "big_site", "province_pages"})
"""Fixtures that hand a test only a built site's files: the bundled district, a demo region (plain or dense), a
bureau's lists, a province. tests/test_properdocs.py proves the ProperDocs build of each such kind of site the
same, byte for byte, as the MkDocs build (but for the generator tag), so a test that reaches the engine only
through these reads the same bytes on either engine: it runs on MkDocs and is left out of the ProperDocs run."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reach = Reach((TESTS, config.rootpath))
    for item in items:
        why = reach.of_item(item)
        if why:
            item.add_marker(pytest.mark.engine(why=why))
    if config.getoption("only_engine"):
        kept = [item for item in items if item.get_closest_marker(MARK) and reach.of_item(item, STATIC_FIXTURES)]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    install_guard()
    reached.clear()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    install_guard()  # the engine's modules may have been imported by this test
    if reached and not item.get_closest_marker(MARK):
        pytest.fail(f"{item.nodeid} reached the engine ({reached[0]}) but tests/engine_selection.py did not "
                          "mark it `engine`, so the ProperDocs run would skip it: teach the rule what this test uses",
                          pytrace=False)
    return result

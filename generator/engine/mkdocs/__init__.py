"""The MkDocs engine: the only package that imports MkDocs or Material (the plugin and the runner).

Which MkDocs runs is chosen here and only here, by `choose_engine()`: MkDocs 1.6 itself (the default) or
ProperDocs, the maintained MkDocs 1.x fork, for engineers and CI (`FIVESTAR_ENGINE=properdocs`). ProperDocs'
`properdocs.replacement` makes every later `import mkdocs…` load `properdocs…`, so the plugin, the runner and
Material run on it unchanged; it must come before anything imports MkDocs. Staff never set it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

ENGINE_ENV = "FIVESTAR_ENGINE"
DEFAULT_ENGINE = "mkdocs"


@dataclass(frozen=True)
class Engine:
    """One MkDocs the site can be built with."""

    name: str
    """The value of FIVESTAR_ENGINE, the package that really runs, and the module of its command (`python -m`)."""
    label: str
    """How its generator meta tag and its messages name it."""
    install: str
    """What installs it (ProperDocs is a test extra)."""


ENGINES = {"mkdocs": Engine("mkdocs", "MkDocs", "pip install -e ."),
           "properdocs": Engine("properdocs", "ProperDocs", "pip install -e '.[test]'")}


class EngineChoiceFailed(Exception):
    """FIVESTAR_ENGINE names no engine, or cannot take effect in this process; explained in Chinese."""


def requested_engine() -> Engine:
    """The engine FIVESTAR_ENGINE asks for (unset or empty: MkDocs); EngineChoiceFailed for any other value."""
    value = os.environ.get(ENGINE_ENV, "").strip()
    engine = ENGINES.get(value.lower() or DEFAULT_ENGINE)
    if engine is None:
        known = "、".join(ENGINES)
        raise EngineChoiceFailed(f"环境变量 {ENGINE_ENV}={value!r} 不是可用的生成引擎；可用的有 {known}"
                                 f"（不设置即为 {DEFAULT_ENGINE}）。请改正或删除这个环境变量后重试。")
    return engine


def engine_in_effect() -> Engine | None:
    """The MkDocs this process has imported (`import mkdocs` gives ProperDocs once its replacement is active);
    None while nothing has imported MkDocs."""
    module = sys.modules.get("mkdocs")
    if module is None:
        return None
    return ENGINES["properdocs" if module.__name__ == "properdocs" else "mkdocs"]


def choose_engine() -> Engine:
    """Make FIVESTAR_ENGINE's engine the one `import mkdocs` gives in this process, and return it.

    Call it before anything imports MkDocs: `engine/build.py` does before it loads the runner, and the test
    session at its start. The `mkdocs` and `properdocs` commands choose for themselves (the plugin they load
    never calls this). Calling it again is harmless. EngineChoiceFailed (Chinese) for an unknown value or a process
    that has already imported the other engine (one process runs one engine); ImportError if ProperDocs is chosen
    but not installed, as when MkDocs is missing.
    """
    engine = requested_engine()
    current = engine_in_effect()
    if current is not None and current != engine:
        raise EngineChoiceFailed(f"这个进程已经载入了 {current.label}，不能再换成 {engine.label}"
                                 f"（{ENGINE_ENV}={engine.name}）：生成引擎要在载入 MkDocs 之前选定。"
                                 "请在新的进程里运行。")
    if engine.name == "properdocs" and current is None:
        import properdocs.replacement  # noqa: F401 - from now on `import mkdocs…` loads `properdocs…`
    return engine

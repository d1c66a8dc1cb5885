"""The form editor at /admin/ of `fivestar serve`, and in a published site built `--with-editor`.

The editor's own files are served as they are (generator/staff/admin/); its configuration is built afresh from
the records' models and this region's site.yaml, so the preview never offers a stale form; `status.json` says
what the preview's last rebuild found wrong, which the editor shows at its foot.
"""

from __future__ import annotations

import json
import mimetypes
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from generator.records.model import Site
from generator.records.yamlfile import read_yaml
from generator.staff.cms import CONFIG_PATH, EDITOR_DIR, Backend, config_text, editor_config, read_backend

PREFIX = "/admin"
Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
TYPES = {".mjs": "text/javascript", ".js": "text/javascript", ".yml": "text/yaml; charset=utf-8",
         ".json": "application/json", ".woff2": "font/woff2", ".html": "text/html; charset=utf-8"}


def read_site(data_dir: Path) -> Site | None:
    """site.yaml as the model reads it; None when it cannot be read (the forms then offer the defaults)."""
    for name in ("site.yaml", "site.yml"):
        path = data_dir / name
        if path.is_file():
            parsed, problems = read_yaml(path, name)
            if any(problem.is_error for problem in problems) or not isinstance(parsed.data, dict):
                return None
            try:
                return Site.model_validate(parsed.data)
            except ValueError:
                return None
    return None


def project_of(data_dir: Path) -> Path:
    """The folder holding data/ and content/: the root the editor's paths start from."""
    return data_dir.resolve().parent


def current_config(data_dir: Path, backend: Backend | None = None, *, keep_server: bool = True) -> str:
    """The configuration text for this data folder: its region's choices, and `backend`, else (`keep_server`) the
    Git server its committed configuration names."""
    if backend is None and keep_server:
        backend = read_backend(project_of(data_dir) / CONFIG_PATH)
    return config_text(editor_config(read_site(data_dir), backend))


def editor_file(path: str) -> Path | None:
    """The editor's own file a request path names; None outside the editor's folder."""
    relative = path[len(PREFIX):].lstrip("/") or "index.html"
    target = (EDITOR_DIR / relative).resolve()
    if not target.is_relative_to(EDITOR_DIR.resolve()) or not target.is_file():
        return None
    return target


def with_editor(app: Wsgi, data_dir: Path, problems: Callable[[], str | None]) -> Wsgi:
    """A WSGI app serving `app`, and the editor under /admin/."""

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            return app(environ, start_response)
        if path == PREFIX:
            start_response("301 Moved Permanently", [("Location", PREFIX + "/")])
            return [b""]
        if path == f"{PREFIX}/config.yml":
            return _send(start_response, current_config(data_dir).encode("utf-8"), TYPES[".yml"])
        if path == f"{PREFIX}/status.json":
            body = json.dumps({"problems": problems()}, ensure_ascii=False).encode("utf-8")
            return _send(start_response, body, TYPES[".json"])
        target = editor_file(path)
        if target is None:
            return _send(start_response, "没有这个文件。".encode(), "text/plain; charset=utf-8", "404 Not Found")
        kind = TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return _send(start_response, target.read_bytes(), kind)

    return serve


def _send(start_response: Callable[..., Any], body: bytes, kind: str, status: str = "200 OK") -> list[bytes]:
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store")])
    return [body]


def copy_editor(site_dir: Path, data_dir: Path) -> Path:
    """The editor into a built site (`fivestar build --with-editor`): its files and a configuration built now,
    with the Git server the committed admin/config.yml names (so a stale committed file is never published)."""
    target = site_dir / "admin"
    shutil.copytree(EDITOR_DIR, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("MANIFEST", "*.schema.json", "__pycache__"))
    (target / "config.yml").write_text(current_config(data_dir), encoding="utf-8")
    return target

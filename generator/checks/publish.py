"""What must be settled before a site goes public: its address, and no page naming another region."""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from generator.checks import places
from generator.quotes import quoted
from generator.records.problems import Problem, Severity, shorten

"""What `fivestar import` writes beside a school it matched only loosely; a person removes it once checked."""

OTHER_REGION_MARK = re.compile(r"(?:<!--|#)\s*fivestar\s*[:：]\s*其他地区")
"""The comment that says a line names another region on purpose (结对帮扶, 外出观摩): `<!-- fivestar: 其他地区 -->`
at the end of the line in a page, `# fivestar: 其他地区` in its front matter."""

TEXT_SUFFIXES = frozenset({".md", ".txt", ".csv", ".tsv", ".json"})
"""Files under content/ whose text is read for place names (the ones published as text)."""

SITE_URL_EXAMPLE = "https://jyj.example.gov.cn/wuxing/"


# -- site_url ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SiteUrl:
    """`site_url` as mkdocs.yml gives it: the value (None when absent) and the line it is on (0 when absent)."""

    value: str | None
    line: int


class _AnyTagLoader(yaml.SafeLoader):
    """Reads mkdocs.yml's node tree whatever tags it carries (!ENV, !!python/name:…)."""


def read_site_url(config_path: Path) -> SiteUrl:
    """`site_url` from mkdocs.yml (an `!ENV` value resolved as MkDocs resolves it); OSError or YAMLError when the
    file cannot be read."""
    text = config_path.read_text(encoding="utf-8-sig")
    root = yaml.compose(text, Loader=_AnyTagLoader)
    if not isinstance(root, yaml.MappingNode):
        return SiteUrl(None, 0)
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "site_url":
            return SiteUrl(_node_text(value), value.start_mark.line + 1)
    return SiteUrl(None, 0)


def _node_text(node: yaml.Node) -> str | None:
    if node.tag == "!ENV":  # !ENV NAME, or !ENV [NAME, OTHER, default]: the first variable set, else the default
        items = [node] if isinstance(node, yaml.ScalarNode) else list(node.value)
        names = [item.value for item in items if isinstance(item, yaml.ScalarNode)]
        for name in names[:-1] if len(names) > 1 else names:
            if os.environ.get(name):
                return os.environ[name]
        return names[-1] if len(names) > 1 and names[-1] not in ("", "null", "~") else None
    if isinstance(node, yaml.ScalarNode) and node.value not in ("", "null", "~", "Null", "NULL"):
        return node.value
    return None


def _host_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host name written as numbers means to a browser (127.1, 0x7f.1 and 2130706433 included)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
        if re.fullmatch(r"[0-9a-fx.]+", host):
            try:
                address = ipaddress.IPv4Address(socket.inet_aton(host))
            except OSError:
                return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_local_host(host: str) -> bool:
    """Whether a host is this computer (or no computer at all): localhost, 127.0.0.0/8, ::1, 0.0.0.0, ::."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = _host_address(host)
    return address is not None and (address.is_loopback or address.is_unspecified)


def site_url_refusal(url: str | None) -> tuple[str, str] | None:
    """Why a site address cannot be published (message, hint), or None when it can: it must be an https address
    of another computer than the one building."""
    hint = f"在 mkdocs.yml 里把 site_url 改成网站的正式地址，如 site_url: {SITE_URL_EXAMPLE}"
    if not url or not url.strip():
        return ("mkdocs.yml 没有写 site_url（网站的正式地址）；网页的规范链接、订阅源和站点地图都要用它。", hint)
    shown = shorten(url.strip(), 60)
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return (f"site_url{quoted(shown)}不是一个网址。", hint)
    if parts.scheme.lower() not in ("http", "https") or not host:
        return (f"site_url{quoted(shown)}不是一个网址（应当以 https:// 开头）。", hint)
    if is_local_host(host):
        return (f"site_url{quoted(shown)}是本机地址：发布后，网页的规范链接和订阅源会指向读者自己的电脑。", hint)
    if parts.scheme.lower() != "https":
        return (f"site_url{quoted(shown)}以 http: 开头，不加密：读者看到的网页和订阅源可能被途中篡改。",
                "改成 https:// 开头的正式地址（请网站服务器的管理员开通 HTTPS）。")
    return None


def site_url_problem(config_path: Path, *, severity: Severity = Severity.ERROR) -> Problem | None:
    """A Problem naming mkdocs.yml and the line of `site_url` when the address cannot be published."""
    shown = shown_path(config_path)
    try:
        site_url = read_site_url(config_path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return Problem(shown, 0, 0, "无法读取 mkdocs.yml，因此不知道网站的正式地址（site_url）。",
                       "用 VS Code 打开 mkdocs.yml 检查格式；它应当是 UTF-8 编码的 YAML 文件。", severity)
    refusal = site_url_refusal(site_url.value)
    if refusal is None:
        return None
    return Problem(shown, site_url.line, 1 if site_url.line else 0, *refusal, severity)


def shown_path(path: Path) -> str:
    """A file as reports name it: relative to the current folder when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


# -- pages that name another region ------------------------------------------------------------------------------------

def _text_files(content_dir: Path) -> Iterator[tuple[Path, str]]:
    """Every text file under content/ that is published, with its name as reports give it (content/news/x.md)."""
    from generator.checks.content import content_files

    root_name = content_dir.name or "content"
    for path, rel in content_files(content_dir):
        if rel.suffix.lower() in TEXT_SUFFIXES:
            yield path, f"{root_name}/{rel.as_posix()}"


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_bytes().decode("utf-8-sig", errors="replace").splitlines()
    except OSError:
        return []  # the content scan says why the file cannot be read


def region_problems(content_dir: Path | str, region: str, *own_texts: str | None) -> list[Problem]:
    """Warnings for lines of content/ that name a region other than the site's (`region`, and every place named in
    `own_texts`: site.yaml's owner, title, description), one per line, naming the places found."""
    content_dir = Path(content_dir)
    if not content_dir.is_dir():
        return []
    own = places.own_places(region, *own_texts)
    files = [(name, _read_lines(path)) for path, name in _text_files(content_dir)]
    own = (*own, *_parents(own, (line for _name, lines in files for line in lines)))
    problems = []
    for name, lines in files:
        for number, line in enumerate(lines, 1):
            if OTHER_REGION_MARK.search(line):
                continue
            found = places.find_places(line, own)
            if not found:
                continue
            names = "、".join(f"{quoted(n)}" for n in dict.fromkeys(place.name for place in found))
            problems.append(Problem(
                name, number, found[0].start + 1,
                f"这一行提到了别的地区：{names}，而本网站的地区（site.yaml 的 region）是{quoted(region)}。"
                "这可能是其他地区的稿件或示例内容留在了 content/ 里。",
                "删掉或改写这篇文章；如果确实要提到别的地区（如结对帮扶、外出观摩），在这一行末尾加上 "
                "<!-- fivestar: 其他地区 -->。如果这是本地区所在的市，把它写进 site.yaml 的 owner（发布单位的全称，"
                "如 示例市示例区教育局党组）。", Severity.WARNING))
    return problems


def _parents(own: tuple[str, ...], lines: Iterable[str]) -> tuple[str, ...]:
    """Places written just before the region's own name (某某市 in 某某市示例区): its city, so its own too."""
    found: dict[str, None] = {}
    for line in lines:
        if not any(name in line for name in own):
            continue
        for place in places.find_places(line, context=False):
            end = place.start + len(place.name)
            if place.name not in own and any(line.startswith(name, end) for name in own):
                found[place.name] = None
    return tuple(found)


# -- together ----------------------------------------------------------------------------------------------------------

def publish_warnings(data_dir: Path | str, region: str | None, *own_texts: str | None) -> list[Problem]:
    """What plain `fivestar check` says about publishing: pages naming another region. (A 请核对 or 待确认 mark left
    by import is refused by plain check already: checks/pending.py.)"""
    data_dir = Path(data_dir)
    return region_problems(data_dir.parent / "content", region, *own_texts) if region else []


def publish_problems(data_dir: Path | str, config_path: Path | None, region: str | None,
                     *own_texts: str | None) -> list[Problem]:
    """What `fivestar check --publish` refuses: the warnings above as errors, and an address not fit to publish."""
    found = [replace(p, severity=Severity.ERROR) for p in publish_warnings(data_dir, region, *own_texts)]
    if config_path is None:
        found.append(Problem("mkdocs.yml", 0, 0,
                             "找不到网站设置文件 mkdocs.yml，因此不知道网站的正式地址（site_url）。",
                             "在项目根目录（data 文件夹所在的文件夹）下运行，或用 --config 指定 mkdocs.yml。"))
    else:
        problem = site_url_problem(config_path)
        if problem is not None:
            found.append(problem)
    return found

"""`fivestar init`: a new region's project, clean of any other region's records, pages and wording."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.quotes import quoted
from generator.records.kinds import SITE_SCHEMA, RecordKind, all_kinds
from generator.records.model import DEFAULT_LEVELS, Site
from generator.staff.scaffold import (
    Item,
    branch_text,
    comment_text,
    event_text,
    honour_text,
    record_text,
    yaml_scalar,
)

PROJECT_FILES = Path(__file__).with_name("project_files")
"""Templates of the files a new project gets from this package (mkdocs.yml, the CI recipes, its README)."""

TOOL_ROOT = Path(__file__).resolve().parents[2]
"""The fivestar source folder: the theme, the VS Code settings and the staff guide are copied from it."""

COPIED_FROM_TOOL = ("theme", ".vscode/settings.json", ".vscode/extensions.json", "EDITING.md")
"""What a project shares with this repository as it is (the theme, the editor's settings, the staff guide)."""

ALLOWED_LEFTOVERS = frozenset({".git"})
"""What a folder may already hold and still count as empty: a clone of an empty repository has only .git."""

FIELDS = ("region", "owner", "title", "site_url")
"""What `fivestar init` asks for, in the order it asks."""

LABELS = {
    "region": ("--region", "地区", "网站覆盖的地区，如 示例区"),
    "owner": ("--owner", "发布单位", "发布单位的全称，如 示例市示例区教育局党组"),
    "title": ("--title", "网站标题", "网站标题，如 示例区中小学校党建工作展示"),
    "site_url": ("--site-url", "网站地址", "网站的正式地址，如 https://jyj.example.gov.cn/dangjian/"),
}
"""Each value's option, its Chinese name and a prompt with a fictional example."""

SITE_EXAMPLES: dict[str, list[str]] = {
    "branch_count": ["# branch_count: 30"],
    "stars": ["# stars:", "#   - 示例星一", "#   - 示例星二", "#   - 示例星三", "#   - 示例星四", "#   - 示例星五"],
    "levels": ["# levels:", *(f"#   - {level}" for level in DEFAULT_LEVELS)],
    "description": ["# description: 汇集示例区中小学校党支部的学校、荣誉名单和活动。"],
    "about": ["# about: |", "#   本网站由示例区教育局党组主办。", "#", "#   第二段：网站的内容和更新方式。"],
    "source": ["# source: 示例区教育局党组公布的名单和新闻报道"],
    "footer": ["# footer:", "#   icp: 示例ICP备00000000号", "#   police: 示例公网安备00000000000000号",
               "#   contact: 示例区教育局办公室"],
    "adult_roles": ["# adult_roles:", "#   - 校医"],
    "stale_after_days": ["# stale_after_days: 180"],
    "column_stale_days": ["# column_stale_days:", "#   events: 90", "#   honours: 365", "#   teachers: 365"],
    "wording": ["# wording:", "#   - wrong: 示例县", "#     right: 示例区", "#     note: 本地区的正式名称"],
}
"""Commented examples for site.yaml's optional keys (fictional 示例 values); a key the model gains later that is not
here is written commented out with its description, so a new project always shows every key."""

SITE_NOTES = {
    "as_of": "每次核对、更新数据后改成当天",
    "levels": "不写就用默认的 " + "、".join(DEFAULT_LEVELS),
}


class InitError(Exception):
    """A project cannot be written as asked; carries a Chinese message saying what to do."""


@dataclass(frozen=True)
class ProjectValues:
    """What a new project is made from: the four values staff give, and the date the data is current to."""

    region: str
    owner: str
    title: str
    site_url: str
    as_of: dt.date


@dataclass(frozen=True)
class Created:
    """A project written: where, what it holds, and warnings worth saying (an address not fit to publish)."""

    root: Path
    files: tuple[Path, ...]
    warnings: tuple[str, ...]


# -- the values --------------------------------------------------------------------------------------------------------

def clean_value(field: str, raw: str | None) -> tuple[str | None, str]:
    """One value as given (command line or prompt): the value to write, or None and why it cannot be used."""
    text = " ".join((raw or "").split())
    option, label, _prompt = LABELS[field]
    if not text:
        return None, f"{label}（{option}）不能为空。"
    if field == "site_url":
        return normalise_site_url(text)
    if field == "region" and any(char in text for char in "/\\:#"):
        return None, f"地区{quoted(text)}里有不该出现的符号；只写地区名称，如 示例区。"
    return text, ""


def normalise_site_url(text: str) -> tuple[str | None, str]:
    """An http(s) address with a host, ending in “/” (MkDocs joins page paths to it)."""
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        host, parts = None, None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host or " " in text:
        return None, (f"网站地址{quoted(text)}不是网址：写完整的地址，以 https:// 开头，"
                      "如 https://jyj.example.gov.cn/dangjian/。")
    if parts.query or parts.fragment:
        return None, f"网站地址{quoted(text)}里不能有“?”或“#”后面的部分；只写网站首页的地址。"
    return text if text.endswith("/") else text + "/", ""


def ask_values(given: dict[str, str | None], *, interactive: bool,
               ask: Callable[[str], str] = input, say: Callable[[str], None] = print) -> dict[str, str]:
    """The four values: as given; the missing or unusable ones asked in a terminal (again until usable); without a
    terminal, InitError listing what to pass."""
    values: dict[str, str] = {}
    wrong: list[str] = []
    missing: list[str] = []
    for field in FIELDS:
        raw = given.get(field)
        if raw is None:
            missing.append(field)
            continue
        value, why = clean_value(field, raw)
        if value is None:
            wrong.append(why)
            missing.append(field)
        else:
            values[field] = value
    if not missing:
        return values
    if not interactive:
        needed = " ".join(f"{LABELS[f][0]} …" for f in missing)
        lines = [*wrong, "缺少建立网站所需的信息：" + "、".join(LABELS[f][1] for f in missing) + "。",
                 f"请在命令后面写上：{needed}，例如：",
                 "  fivestar init 文件夹 --region 示例区 --owner 示例区教育局党组 "
                 "--title 示例区中小学校党建工作展示 --site-url https://jyj.example.gov.cn/dangjian/"]
        raise InitError("\n".join(lines))
    for why in wrong:
        say(why)
    say("建立新网站还需要以下信息，请逐项输入后按回车：")
    for field in missing:
        while True:
            value, why = clean_value(field, ask(f"{LABELS[field][2]}：").strip())
            if value is not None:
                values[field] = value
                break
            say(why)
    return values


def address_warning(site_url: str) -> str:
    """What to say when the address given cannot be published yet (a trial address is fine for a start)."""
    from generator.checks.publish import site_url_refusal

    refusal = site_url_refusal(site_url)
    if refusal is None:
        return ""
    return f"提醒：{refusal[0]}预览和试生成不受影响；发布前要在 mkdocs.yml 里改成 https:// 开头的正式地址。"


# -- the folder --------------------------------------------------------------------------------------------------------

def refuse_unless_empty(root: Path) -> None:
    """InitError unless `root` is missing or empty (nothing but .git): a project is never written over files."""
    if root.exists() and not root.is_dir():
        raise InitError(f"{quoted(str(root))}是一个文件，不是文件夹。"
                        "请换一个新的文件夹名，如 fivestar init shili-wangzhan。")
    if not root.is_dir():
        return
    try:
        entries = sorted(entry.name for entry in root.iterdir() if entry.name not in ALLOWED_LEFTOVERS)
    except OSError as error:
        raise InitError(f"无法读取文件夹{quoted(root)}（{error.strerror or error}）。") from None
    if entries:
        shown = "、".join(entries[:5]) + (" 等" if len(entries) > 5 else "")
        raise InitError(f"文件夹{quoted(root)}不是空的（里面有 {shown}），没有写入任何文件。"
                        "请换一个新的（或空的）文件夹，如 fivestar init shili-wangzhan。")


def write_project(root: Path, values: ProjectValues) -> Created:
    """Write the project into `root` (missing or empty): every file is made in a folder beside it first, and moved in
    only when all are written, so a failure leaves nothing behind."""
    refuse_unless_empty(root)
    missing = [name for name in COPIED_FROM_TOOL if not (TOOL_ROOT / name).exists()]
    if missing:
        raise InitError("本工具的安装不完整，找不到 " + "、".join(missing) + "，没有写入任何文件。"
                        "请让技术人员在 fivestar 的源代码文件夹里运行 pip install -e . 后重试。")
    root = root.absolute()
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}-init-", dir=root.parent))
    try:
        files = _write_all(staging, values)
        if root.is_dir():
            refuse_unless_empty(root)  # nothing came in meanwhile
            for entry in sorted(staging.iterdir()):
                entry.rename(root / entry.name)
            staging.rmdir()
        else:
            staging.rename(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    warning = address_warning(values.site_url)
    return Created(root, tuple(root / f.relative_to(staging) for f in files), (warning,) if warning else ())


def _write_all(base: Path, values: ProjectValues) -> list[Path]:
    from generator.staff.cms import CONFIG_PATH
    from generator.staff.editor import current_config
    from generator.staff.schema import write_schemas

    written: list[Path] = []

    def put(relative: str, text: str) -> None:
        path = base / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)

    substitutions = {"__SITE_URL__": values.site_url, "__SITE_NAME__": yaml_scalar(values.title),
                     "__TITLE__": values.title, "__REGION__": values.region,
                     "__FIVESTAR_REQUIREMENT__": fivestar_requirement()}
    for target, source in (("mkdocs.yml", "mkdocs.yml"), ("README.md", "README.md"),
                           ("requirements.txt", "requirements.txt"), (".gitignore", "gitignore"),
                           (".github/workflows/publish.yml", "publish.yml"), (".gitlab-ci.yml", "gitlab-ci.yml"),
                           (".gitea/workflows/review.yml", "gitea-review.yml"),
                           (".forgejo/workflows/review.yml", "forgejo-review.yml"),
                           (".gitea/workflows/publish.yml", "gitea-publish.yml"),
                           (".forgejo/workflows/publish.yml", "forgejo-publish.yml")):
        text = (PROJECT_FILES / source).read_text(encoding="utf-8")
        for token, value in substitutions.items():
            text = text.replace(token, value)
        put(target, text)
    put("data/site.yaml", site_text(values))
    put(CONFIG_PATH, current_config(base / "data"))  # the form editor's settings (fivestar serve → /admin/)
    for kind in all_kinds():
        put(f"data/{kind.folder}/README.md", kind_readme(kind))
    put("data/images/README.md", IMAGES_README)
    for folder in ("data/images/logos", "data/images/photos", "content"):
        put(f"{folder}/.gitkeep", "")
    for name in COPIED_FROM_TOOL:
        source = TOOL_ROOT / name
        if source.is_dir():
            shutil.copytree(source, base / name, ignore=shutil.ignore_patterns("__pycache__", ".*"))
            written += sorted(p for p in (base / name).rglob("*") if p.is_file())
        else:
            (base / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, base / name)
            written.append(base / name)
    written += write_schemas(base / "schema")
    return written


def fivestar_requirement() -> str:
    """How the project's CI installs this tool: the repository and commit it was installed from, when pip recorded
    one; otherwise a line for a person to fill in (never the unrelated `fivestar` package on PyPI)."""
    try:
        raw = metadata.distribution("fivestar").read_text("direct_url.json")
        origin: dict[str, Any] = json.loads(raw) if raw else {}
    except (metadata.PackageNotFoundError, ValueError):
        origin = {}
    vcs = origin.get("vcs_info")
    url = origin.get("url", "")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and url.startswith("https://") and vcs.get("commit_id"):
        return f"fivestar @ git+{url}@{vcs['commit_id']}"
    return "# fivestar @ git+https://（本工具的仓库地址）@（版本）   ← 删掉行首的“# ”，写上真实的地址和版本"


# -- data/ -------------------------------------------------------------------------------------------------------------

def site_text(values: ProjectValues) -> str:
    """data/site.yaml: the four values and today's date written, every other key of the model commented out with its
    description and a fictional example."""
    written = {"title": values.title, "owner": values.owner, "region": values.region,
               "as_of": values.as_of.isoformat()}
    lines = [f"# yaml-language-server: $schema=../schema/{SITE_SCHEMA}.schema.json",
             "# 网站设置（只有这一个文件）。以“# ”开头的行是说明或备用项：要填写某一项时，删掉那几行开头的“# ”",
             "# 再改写后面的内容；缩进用两个半角空格，冒号用英文“:”并在后面加一个空格。改完运行 fivestar check 检查。",
             ""]
    for key, info in Site.model_fields.items():
        if key == "id":
            continue
        description = comment_text(info.description or key)
        note = SITE_NOTES.get(key)
        lines.append(f"# {description}" + (f"（{note}）" if note else ""))
        if key in written:
            lines.append(f"{key}: {written[key] if key == 'as_of' else yaml_scalar(written[key])}")
        else:
            lines += SITE_EXAMPLES.get(key, [f"# {key}: "])
    return "\n".join(lines) + "\n"


IMAGES_README = """# 图片

- 品牌标识放在 `logos/` 里，照片（品牌照片、活动照片）放在 `photos/` 里。
- 文件名只用小写英文字母、数字和“-”，如 `shili-xiaoxue-001.png`、`2024-05-10-guanmo.jpg`。
- 在记录里写图片路径时从 `images/` 写起，如 `logo: images/logos/shili-xiaoxue-001.png`、
  `file: images/photos/2024-05-10-guanmo.jpg`，不写 `data/`，也不写 `C:\\…` 这样的完整路径。
- 只支持 .jpg、.png、.webp、.gif，单张不超过 20 MB。网站生成时会自动压缩图片，并去掉拍摄地点等隐藏信息。
- 有学生正脸的照片，需要取得监护人同意后才能使用。
"""


def kind_readme(kind: RecordKind) -> str:
    """A record folder's README.md: what goes in it, and one commented example (fictional), the same text
    `fivestar new` writes. The loader never reads a README.md, so the example is never taken for a record."""
    example_id, example = _example(kind)
    where = f"data/{kind.folder}/" + ("<年份>/" if kind.year_folders else "") + "<编号>.yaml"
    lines = [
        f"# {kind.label}",
        "",
        kind.description,
        "",
        f"每条{kind.label}记录是这个文件夹里的一个 `.yaml` 文件（`{where}`），文件名就是编号："
        "只用小写英文字母、数字和“-”。这个 README.md 只是说明，不会被当作记录读取。",
        "",
        f"新建一条：`fivestar new {kind.name} {example_id}{_example_options(kind)}`，"
        "它会写出下面这样一个带中文说明的文件（例子里的名称都是虚构的，请换成真实内容）：",
        "",
        "```yaml",
        example.rstrip("\n"),
        "```",
        "",
        "改完运行 `fivestar check` 检查。每一项怎么写、检查提示是什么意思，见项目里的 EDITING.md。",
    ]
    return "\n".join(lines) + "\n"


def _example(kind: RecordKind) -> tuple[str, str]:
    """A fictional example of one record of `kind`, from the templates `fivestar new` uses."""
    modeline = f"# yaml-language-server: $schema=../{'../' if kind.year_folders else ''}../schema/" \
               f"{kind.schema_name}.schema.json"
    if kind.name == "branch":
        return "shili-xiaoxue-001", branch_text(modeline, "shili-xiaoxue-001", "示例小学001")
    if kind.name == "honour":
        return "pingan-xiaoyuan-shiji-2024", honour_text(
            modeline, "pingan-xiaoyuan-shiji-2024", "平安校园", "市级", 2024,
            [Item("shili-xiaoxue-001", "示例小学001"), Item("shili-xiaoxue-002", "示例小学002")])
    if kind.name == "event":
        return "2024-05-10-guanmo-tuijinhui", event_text(
            modeline, "2024-05-10-guanmo-tuijinhui", dt.date(2024, 5, 10), "示例区观摩推进会",
            [("shili-xiaoxue-001", "示例小学001")], ("shili-xiaoxue-001", "示例小学001"))
    return kind.example_id, record_text(kind, modeline, kind.example_id, None)


def _example_options(kind: RecordKind) -> str:
    return {
        "branch": " --name 示例小学001",
        "honour": " --title 平安校园 --level 市级 --year 2024 --recipients 示例小学001、示例小学002",
        "event": " --title 示例区观摩推进会 --recipients 示例小学001 --venue 示例小学001",
    }.get(kind.name, "")


def shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return path.as_posix()


def next_steps(created: Created) -> list[str]:
    """What to tell staff after `fivestar init`: where the project is and what to do next, in order."""
    where = shown(created.root)
    return [
        f"已在 {where} 建好新网站的项目（{len(created.files)} 个文件），里面没有任何学校、名单、活动和新闻稿。",
        *created.warnings,
        "下一步：",
        f"  1. cd {where}",
        "  2. 新建学校：fivestar new branch 编号 --name 学校简称（每个记录文件夹里的 README.md 有可以照抄的例子）",
        "  3. 每次改完运行 fivestar check；用 fivestar serve 在本机预览。",
        "  4. 发布前：在 requirements.txt 里写好 fivestar 的来源，确认 mkdocs.yml 的 site_url 是正式地址，"
        "再运行 fivestar check --publish。详见项目里的 README.md。",
    ]

"""The form editor's configuration (Sveltia CMS), built from the record models: one source of truth with the schemas.

`fivestar cms` writes it to `admin/config.yml` beside data/; `fivestar serve` serves the editor at /admin/ with a
configuration built afresh; `fivestar build --with-editor` adds it to the public site. Every field of every model
becomes a form field (tests/test_cms.py fails on one that does not): the JSON Schema pydantic gives each model says
the field's type, bounds, pattern and choices; its description is the hint, and its label is the description's
first phrase (or the field's own `title` where that phrase would not do). What the forms cannot hold as the files
do (a bare branch id as a recipient, `stars` as a number or names, comments) is translated by the editor's file
format, `admin/fivestar-format.mjs`, in both directions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.records.kinds import SITE_SCHEMA, all_kinds, record_models
from generator.records.model import (
    DEFAULT_LEVELS,
    EVENT_KINDS,
    ID_PATTERN,
    MARKDOWN_FIELDS,
    MAX_STARS,
    PARTIAL_DATE_PATTERN,
    PERIOD_PATTERN,
    REF_PATTERN,
    Site,
)
from generator.staff.schema import without_null  # one rule for `X | None`, shared with the JSON Schemas

EDITOR_DIR = Path(__file__).parent / "admin"
"""The editor's own files (page, file format, vendored Sveltia CMS), served at /admin/ as they are."""
CONFIG_PATH = "admin/config.yml"
"""Where `fivestar cms` writes the configuration, relative to the project (the folder holding data/)."""
NEWS_FOLDER = "content/news"
BRANCHES = "branches"

HINT_LIMIT = 200
LABEL_STOPS = re.compile(r"[：，；（(]")
DATE_PATTERN = r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"

IMAGE_FOLDERS: Mapping[tuple[str, str], str] = {
    ("Photo", "file"): "photos",
    ("Brand", "logo"): "logos",
    ("Footer", "conac_image"): "logos",
}
"""Fields holding an image path: the folder under data/images/ an upload goes to."""

MULTILINE: frozenset[str] = MARKDOWN_FIELDS | {"note", "slogan", "source"}
"""Fields staff may write at length: a text box, not a one-line input. Markdown fields stay plain text boxes: the
rich editor would rewrite Markdown it did not write (escapes, list markers), which `fivestar diff` would show."""

VIRTUAL: Mapping[tuple[str, str], tuple[str, ...]] = {
    (SITE_SCHEMA, "stars"): ("stars_count", "stars_names"),
}
"""A model field the forms show as several (the file format joins them back): `stars` is a number or the names."""

ERRORS = {
    "id": "只用小写字母、数字和“-”，如 shiyan-xiaoxue（学校名称的拼音）",
    "period": "写年份 2023、季度 2023Q2 或月份 2023-06",
    "partial_date": "写 2023-06-02；原文只写到月或年时写 2023-06 或 2023",
    "date": "写 年-月-日，如 2024-01-01",
}


@dataclass(frozen=True)
class Backend:
    """Where the forms save when not on this computer: the bureau's GitLab or Gitea/Forgejo."""

    name: str
    """`gitlab` or `gitea` (Forgejo speaks Gitea's API)."""
    url: str
    """The server's address, https://git.example.cn (no trailing slash)."""
    repo: str
    """group/project on that server."""
    app_id: str | None = None
    """The OAuth application's id; without one, staff sign in with a personal access token."""
    branch: str | None = None

    def section(self) -> dict[str, Any]:
        url = self.url.rstrip("/")
        section: dict[str, Any] = {"name": self.name, "repo": self.repo,
                                   "api_root": f"{url}/api/v4" if self.name == "gitlab" else f"{url}/api/v1",
                                   "base_url": url}
        if self.name == "gitlab" and self.app_id:
            section["auth_type"] = "pkce"
        if self.app_id:
            section["app_id"] = self.app_id
        if self.branch:
            section["branch"] = self.branch
        return section


LOCAL_BACKEND = {"name": "gitlab", "repo": "local/fivestar", "api_root": "http://127.0.0.1/api/v4"}
"""The configuration needs a Git backend; on this computer staff choose 使用本地仓库 and it is never contacted
(a self-hosted address also keeps the editor from asking gitlab.com for its status)."""


# -- labels and hints ----------------------------------------------------------------------------------------------


def has_han(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def label_of(prop: Mapping[str, Any], name: str) -> str:
    """A field's label: its own Chinese title, else the first phrase of its description."""
    title = prop.get("title", "")
    if isinstance(title, str) and has_han(title):
        return title
    description = prop.get("description", "")
    head = LABEL_STOPS.split(description, maxsplit=1)[0].strip()
    return head or name


def hint_of(prop: Mapping[str, Any]) -> str:
    description = str(prop.get("description", ""))
    return description[:HINT_LIMIT]


# -- one field -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """What the region's site.yaml lets a field hold: levels, event kinds, star names and how many stars."""

    levels: tuple[str, ...] = DEFAULT_LEVELS
    event_kinds: tuple[str, ...] = EVENT_KINDS
    star_names: tuple[str, ...] = ()
    star_max: int = MAX_STARS

    @classmethod
    def of(cls, site: Site | None) -> Choices:
        if site is None:
            return cls()
        return cls(tuple(site.levels), site.kinds_of_event, tuple(site.star_names), site.star_max or MAX_STARS)


def _options(owner: str, name: str, choices: Choices) -> list[str] | None:
    """Choices that come from the region's data, not from the model."""
    if (owner, name) == ("HonourList", "level"):
        return list(choices.levels)
    if (owner, name) == ("Event", "kind"):
        return list(choices.event_kinds)
    if (owner, name) == ("StarRating", "earned") and choices.star_names:
        return list(choices.star_names)
    return None


def _ref_name(prop: Mapping[str, Any]) -> str | None:
    ref = prop.get("$ref") or next((item.get("$ref") for item in prop.get("allOf", ()) if "$ref" in item), None)
    return ref.rsplit("/", 1)[-1] if ref else None


def _relation(*, multiple: bool) -> dict[str, Any]:
    field: dict[str, Any] = {
        "widget": "relation", "collection": BRANCHES, "value_field": "{{slug}}",
        "search_fields": ["name", "full_name", "aliases"],
        "display_fields": ["{{name}}（{{slug}}）"],
        "dropdown_threshold": 0,
    }
    if multiple:
        field["multiple"] = True
    return field


def form_field(owner: str, name: str, prop: Mapping[str, Any], required: bool,
               definitions: Mapping[str, Any], choices: Choices) -> list[dict[str, Any]]:
    """The form field(s) for one model field (several where VIRTUAL says so)."""
    prop = without_null(prop)
    label, hint = label_of(prop, name), hint_of(prop)
    base: dict[str, Any] = {"name": name, "label": label}
    if hint and hint != label:
        base["hint"] = hint
    if not required:
        base["required"] = False

    if (owner, name) == ("Site", "stars"):
        return [
            {**base, "name": "stars_count", "label": "星的个数", "widget": "number", "value_type": "int",
             "min": 1, "max": MAX_STARS, "required": False,
             "hint": "本地区评星级、星没有名称时写星的个数，如 5；和下面的“各颗星的名称”只写一个，不评星级就都不写"},
            {**base, "name": "stars_names", "label": "各颗星的名称", "widget": "list", "required": False,
             "max": MAX_STARS, "hint": "星有名称时按顺序写出，如 政治引领星；写了名称就不写“星的个数”"},
        ]
    if (owner, name) == ("Recipient", "brand"):
        return [{**base, "label": "授予党建品牌", "widget": "boolean", "default": False, "required": False,
                 "hint": "荣誉授予上面这个支部的党建品牌（项目）时勾选"}]
    if (owner, name) == ("Recipient", "branch"):
        return [{**base, **_relation(multiple=False), "label": "获奖支部（学校）",
                 "hint": "输入学校简称、全称或其他叫法查找；个人荣誉也选他所在的学校"}]
    if (owner, name) in IMAGE_FOLDERS:
        folder = IMAGE_FOLDERS[owner, name]
        return [{**base, "widget": "image", "media_folder": f"/data/images/{folder}",
                 "public_folder": f"images/{folder}", "choose_url": False}]

    kind = _ref_name(prop)
    if kind is not None:
        definition = definitions[kind]
        return [{**base, "widget": "object", "collapsed": "auto",
                 "fields": object_fields(kind, definition, definitions, choices)}]

    options = _options(owner, name, choices)
    value_type = prop.get("type")
    if value_type == "array":
        items = without_null(prop.get("items", {}))
        limits = {cms: prop[key] for key, cms in (("minItems", "min"), ("maxItems", "max")) if key in prop}
        item_kind = _ref_name(items)
        if item_kind is not None:
            subfields = object_fields(item_kind, definitions[item_kind], definitions, choices)
            summary = _summary(item_kind, subfields)
            return [{**base, "widget": "list", "collapsed": "auto", "fields": subfields, **limits,
                     **({"summary": summary} if summary else {})}]
        if items.get("pattern") in BRANCH_REFS:
            return [{**base, **_relation(multiple=True), **limits}]
        if options is not None:
            return [{**base, "widget": "select", "multiple": True, "options": options, **limits}]
        return [{**base, "widget": "list", **limits}]
    if "enum" in prop or options is not None:
        field = {**base, "widget": "select", "options": options or list(prop["enum"])}
        if "default" in prop and prop["default"] is not None:
            field["default"] = prop["default"]
        return [field]
    if value_type == "boolean":
        return [{**base, "widget": "boolean", "default": bool(prop.get("default", False)), "required": False}]
    if value_type == "integer":
        field = {**base, "widget": "number", "value_type": "int"}
        if (owner, name) == ("StarRating", "count"):
            field["max"] = choices.star_max
        for key, cms in (("minimum", "min"), ("maximum", "max"), ("exclusiveMinimum", "min")):
            if key in prop and cms not in field:
                field[cms] = prop[key] + (1 if key == "exclusiveMinimum" else 0)
        return [field]
    if (owner, name) == ("Member", "id"):
        return [{**base, "widget": "string", "pattern": [ID_PATTERN, ERRORS["id"]]}]
    if prop.get("pattern") in BRANCH_REFS or (value_type == "string" and name in {"parent", "venue"}):
        return [{**base, **_relation(multiple=False)}]
    if "anyOf" in prop:
        return [{**base, "widget": "string", **_union_pattern(prop)}]
    if prop.get("format") == "date":
        return [{**base, "widget": "string", "pattern": [DATE_PATTERN, ERRORS["date"]]}]
    field = {**base, "widget": "text" if name in MULTILINE and owner != "SectionTitles" else "string"}
    if prop.get("pattern"):
        field["pattern"] = [prop["pattern"], ERRORS["period"] if prop["pattern"] == PERIOD_PATTERN
                            else "格式不对：" + hint]
    return [field]


def _union_pattern(prop: Mapping[str, Any]) -> dict[str, Any]:
    """A date as precise as its source (year, month or day) or a rating period: one text input with a pattern."""
    patterns = {option.get("pattern") for option in prop["anyOf"]}
    if PERIOD_PATTERN in patterns:
        return {"pattern": [PERIOD_PATTERN, ERRORS["period"]]}
    return {"pattern": [PARTIAL_DATE_PATTERN, ERRORS["partial_date"]]}


SUMMARIES = {
    "Recipient": ["branch", "person", "grade"],
    "Photo": ["caption"],
    "StarRating": ["period", "count"],
    "Person": ["name", "title"],
    "WordingEntry": ["wrong", "right"],
}


def _summary(kind: str, fields: list[dict[str, Any]]) -> str:
    names = {field["name"] for field in fields}
    return " ".join(f"{{{{fields.{name}}}}}" for name in SUMMARIES.get(kind, ()) if name in names)


def object_fields(owner: str, schema: Mapping[str, Any], definitions: Mapping[str, Any],
                  choices: Choices) -> list[dict[str, Any]]:
    """The form fields of one model, in the model's order (which is the order a new file's keys are written in)."""
    required = set(schema.get("required", ()))
    fields: list[dict[str, Any]] = []
    for name, prop in schema.get("properties", {}).items():
        if name == "id" and owner != "Member":
            continue  # a record's file name is its id: the entry's slug (a member region's id is a key)
        if (owner, name) == ("StarRating", "earned") and not choices.star_names:
            continue  # a scheme without names has nothing to pick (check refuses names then)
        fields.extend(form_field(owner, name, prop, name in required, definitions, choices))
    return fields


def model_fields(kind: str, choices: Choices) -> list[dict[str, Any]]:
    model = record_models()[kind]
    schema = model.model_json_schema(mode="validation")
    definitions = schema.get("$defs", {})
    return object_fields(model.__name__, schema, definitions, choices)


# -- collections ---------------------------------------------------------------------------------------------------

BRANCH_REFS = (ID_PATTERN, REF_PATTERN)
"""A field naming a branch: a relation to the branches collection (a city's lists may also name a member's school
as `luolong/qu-yishixiao`, which the relation cannot offer: those are written in the file; EDITING.md says so)."""

SLUG_HINT = "文件名，也是网址和编号：只用小写字母、数字和“-”，如 {example}。保存后不要再改。"


def _slug(example: str) -> dict[str, Any]:
    return {"template": "{{slug}}", "editable": True, "pattern": [ID_PATTERN, ERRORS["id"]],
            "hint": SLUG_HINT.format(example=example)}


COLLECTION_LOOKS: Mapping[str, dict[str, Any]] = {
    "branch": {"identifier_field": "name", "summary": "{{name}}（{{slug}}）", "sortable_fields": ["name"]},
    "honour": {"identifier_field": "title", "summary": "{{fields.title}}（{{fields.level}}）",
               "sortable_fields": ["year", "title", "level"], "path": "{{fields.year}}/{{slug}}"},
    "event": {"identifier_field": "title", "summary": "{{fields.date}} {{fields.title}}",
              "sortable_fields": ["date", "title"]},
}


def _without_year(collection: dict[str, Any]) -> dict[str, Any]:
    """Records kept in year folders are one collection per place: those of a year (`<folder>/<year>/<id>.yaml`,
    where a new one is saved in its year's folder, so the year is required there) and those without one, such as
    a running roll (`<folder>/<id>.yaml`). The editor lists a folder's files at one depth per collection."""
    for field in collection["fields"]:
        if field["name"] == "year":
            field.pop("required", None)
            field["hint"] = ("年度：名单保存在这一年的文件夹里。"
                             "“累计共有”的名单没有年度，在“荣誉名单（累计，无年度）”里写")
    root = {key: value for key, value in collection.items() if key != "path"}
    root.update(name=f"{collection['name']}-cumulative", label=f"{collection['label']}（累计，无年度）",
                label_singular=collection["label"], format=f"{collection['format']}-root",
                description="不分年度的名单，如“目前共有”的累计名单：文件直接放在文件夹里，不放年份文件夹。")
    root["fields"] = [dict(field, required=False, hint="累计名单不填年度") if field["name"] == "year" else field
                      for field in collection["fields"]]
    return root


def news_fields() -> list[dict[str, Any]]:
    """A news post: the front matter pages.read_news reads (title, date, summary) and the page's text."""
    return [
        {"name": "title", "label": "标题", "widget": "string"},
        {"name": "date", "label": "发布日期", "widget": "string", "pattern": [DATE_PATTERN, ERRORS["date"]],
         "hint": "年-月-日，如 2024-01-01；没有日期的网页不列入动态"},
        {"name": "summary", "label": "摘要", "widget": "text", "required": False,
         "hint": "一两句话，列表和分享时显示"},
        {"name": "body", "label": "正文", "widget": "text",
         "hint": "用自己的话写；段落之间空一行。标题写成“# 标题”"},
    ]


def collections(choices: Choices) -> list[dict[str, Any]]:
    made: list[dict[str, Any]] = [{
        "name": "settings", "label": "网站设置", "icon": "settings",
        "files": [{"name": "site", "label": "网站设置（site.yaml）", "file": "data/site.yaml",
                   "format": "fivestar-site", "fields": model_fields(SITE_SCHEMA, choices)}],
    }]
    for kind in all_kinds():
        collection = {
            "name": kind.folder, "label": kind.label, "label_singular": kind.label,
            "description": kind.description, "folder": f"data/{kind.folder}", "extension": "yaml",
            "format": f"fivestar-{kind.name}", "create": True, "duplicate": False,
            "slug": _slug(kind.example_id), **COLLECTION_LOOKS.get(kind.name, {}),
            "fields": model_fields(kind.name, choices),
        }
        made.append(collection)
        if kind.year_folders:
            made.append(_without_year(collection))
    made.append({
        "name": "news", "label": "动态文章", "label_singular": "文章", "folder": NEWS_FOLDER, "extension": "md",
        "format": "fivestar-page-frontmatter", "create": True, "duplicate": False, "identifier_field": "title",
        "summary": "{{fields.date}} {{fields.title}}", "sortable_fields": ["date", "title"],
        "slug": _slug("2024-01-01-dangjian-huodong"), "fields": news_fields(),
        "media_folder": "/content/news/img", "public_folder": "img",
    })
    return made


def editor_config(site: Site | None, backend: Backend | None = None) -> dict[str, Any]:
    """The whole configuration, for this region's choices and (optionally) its Git server."""
    config: dict[str, Any] = {
        "backend": backend.section() if backend else dict(LOCAL_BACKEND),
        "media_folder": "data/images/photos",
        "public_folder": "images/photos",
        "output": {"omit_empty_optional_fields": True},
        "slug": {"encoding": "ascii", "clean_accents": True, "lowercase": True},
        "collections": collections(Choices.of(site)),
    }
    if backend is not None and backend.name == "gitlab":
        config["publish_mode"] = "editorial_workflow"
    return config


HEADER = ("# 表单编辑器（Sveltia CMS）的设置：由 fivestar cms 按数据的格式生成，不要手改；\n"
          "# 数据格式或 site.yaml 的级别、活动类型、星级改了以后，重新运行 fivestar cms。\n")


def config_text(config: Mapping[str, Any]) -> str:
    return HEADER + yaml.safe_dump(dict(config), allow_unicode=True, sort_keys=False, width=1000)


def read_backend(path: Path) -> Backend | None:
    """The Git server an existing configuration names (kept when `fivestar cms` runs again without options)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    section = data.get("backend") if isinstance(data, dict) else None
    if not isinstance(section, dict) or section.get("name") not in {"gitlab", "gitea"}:
        return None
    if section.get("repo") == LOCAL_BACKEND["repo"] or not section.get("base_url"):
        return None
    return Backend(section["name"], str(section["base_url"]), str(section["repo"]),
                   section.get("app_id"), section.get("branch"))


def iter_fields(fields: list[dict[str, Any]], path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict]]:
    """Every form field with the path of names that leads to it (for tests and for the file format)."""
    for field in fields:
        here = (*path, field["name"])
        yield here, field
        yield from iter_fields(field.get("fields", []), here)


__all__ = ["CONFIG_PATH", "EDITOR_DIR", "Backend", "Choices", "config_text", "editor_config",
           "iter_fields", "read_backend"]

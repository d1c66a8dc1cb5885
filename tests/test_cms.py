"""The form editor's configuration and file formats (generator/staff/cms.py, generator/staff/admin/).

- Every field of every record model has a form field (a new model field without one fails here).
- The configuration is what Sveltia CMS accepts (its own JSON Schema), for this computer and for a Git server.
- Labels are short Chinese words; hints are the models' descriptions.
- The committed admin/config.yml is the one `fivestar cms` writes now.
- The file formats, run in Node: every record file and news page read and written back unchanged, byte for byte,
  with what the editor adds to a form (empty inputs, unticked boxes); an edit changes only its own lines; a new file
  passes `fivestar check`'s reading of records.
- The vendored files are the ones MANIFEST names.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.records.kinds import SITE_SCHEMA, all_kinds, record_models
from generator.records.model import Site
from generator.staff.cms import (
    CONFIG_PATH,
    EDITOR_DIR,
    VIRTUAL,
    Backend,
    Choices,
    config_text,
    editor_config,
    iter_fields,
    label_of,
)
from generator.staff.editor import current_config, read_site
from tests.conftest import DATA, ROOT

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed (scripts/test installs it with npm)")
CHOICES = Choices(star_names=("政治引领星", "组织建设星", "队伍建设星", "作用发挥星", "品牌创建星"), star_max=5)
FORMAT_OF = {"branches": "fivestar-branch", "honours": "fivestar-honour", "events": "fivestar-event"}
PAGE = "fivestar-page-frontmatter"


# -- the configuration ---------------------------------------------------------------------------------------------


def _collection_fields(config: dict[str, Any], name: str) -> list[dict[str, Any]]:
    collection = next(c for c in config["collections"] if c["name"] == name)
    return collection["files"][0]["fields"] if "files" in collection else collection["fields"]


def _model_paths(model: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every field of a model and of the models inside it, by the path of keys a file writes."""
    from typing import get_args

    paths = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        paths.append(((*prefix, key), info))
        inner = [arg for arg in get_args(info.annotation) or (info.annotation,)]
        for arg in inner:
            for candidate in (arg, *get_args(arg)):
                if isinstance(candidate, type) and hasattr(candidate, "model_fields"):
                    paths.extend(_model_paths(candidate, (*prefix, key)))
    return paths


@pytest.mark.parametrize("kind", list(record_models()))
def test_every_model_field_has_a_form_field(kind: str) -> None:
    config = editor_config(None)
    config["collections"] = __import__("generator.staff.cms", fromlist=["collections"]).collections(CHOICES)
    collection = "settings" if kind == SITE_SCHEMA else next(k.folder for k in all_kinds() if k.name == kind)
    form = {path for path, _field in iter_fields(_collection_fields(config, collection))}
    missing = []
    for path, _info in _model_paths(record_models()[kind]):
        if path == ("id",):
            continue  # the file name: the entry's slug (see test_the_file_name_is_the_slug)
        owner = kind if len(path) == 1 else None
        virtual = VIRTUAL.get((owner, path[-1])) if owner else None
        wanted = [(*path[:-1], name) for name in virtual] if virtual else [path]
        missing += [".".join(p) for p in wanted if p not in form]
    assert missing == [], f"model fields with no form field in {collection}: {missing}"


def test_the_file_name_is_the_slug() -> None:
    from generator.records.model import ID_PATTERN

    for collection in editor_config(None)["collections"]:
        if "folder" in collection:
            assert collection["slug"]["editable"] is True
            assert collection["slug"]["pattern"][0] == ID_PATTERN
            assert "id" not in {field["name"] for field in collection["fields"]}


def test_choices_come_from_the_regions_site_yaml() -> None:
    site = Site.model_validate({"title": "示例", "owner": "示例区教育局", "region": "示例区", "as_of": "2024-06-30",
                                "levels": ["省级", "市级", "县级"], "event_kinds": ["现场会", "示例活动"],
                                "stars": ["一星名", "二星名", "三星名"]})
    config = editor_config(site)
    fields = dict(iter_fields(_collection_fields(config, "honours")))
    assert fields[("level",)]["options"] == ["省级", "市级", "县级"]
    events = dict(iter_fields(_collection_fields(config, "events")))
    assert events[("kind",)]["options"] == ["现场会", "示例活动"]
    branches = dict(iter_fields(_collection_fields(config, "branches")))
    assert branches[("stars", "earned")]["options"] == ["一星名", "二星名", "三星名"]
    assert branches[("stars", "count")]["max"] == 3


def test_branch_references_are_searched_by_every_name_and_store_the_id() -> None:
    config = editor_config(read_site(DATA))
    relations = [(collection["name"], path, field) for collection in config["collections"]
                 for path, field in iter_fields(collection.get("fields", []))
                 if field.get("widget") == "relation"]
    assert {(name, ".".join(path)) for name, path, _ in relations} == {
        ("branches", "parent"), ("honours", "recipients.branch"), ("honours-cumulative", "recipients.branch"),
        ("events", "venue"), ("events", "branches")}
    for _name, _path, field in relations:
        assert field["collection"] == "branches" and field["value_field"] == "{{slug}}"
        assert set(field["search_fields"]) == {"name", "full_name", "aliases"}


def test_images_go_to_their_folders_with_a_caption() -> None:
    config = editor_config(read_site(DATA))
    images = {(collection["name"], ".".join(path)): field for collection in config["collections"]
              for path, field in iter_fields(collection.get("fields") or collection["files"][0]["fields"])
              if field.get("widget") == "image"}
    assert {key: field["media_folder"] for key, field in images.items()} == {
        ("settings", "footer.conac_image"): "/data/images/logos",
        ("branches", "brand.logo"): "/data/images/logos",
        ("branches", "brand.photos.file"): "/data/images/photos",
        ("events", "photos.file"): "/data/images/photos",
    }
    for collection in ("branches", "events"):
        fields = dict(iter_fields(_collection_fields(config, collection)))
        photos = [path for path in fields if path[-1] == "caption"]
        assert photos and all(fields[path].get("required", True) for path in photos)


def test_labels_are_short_chinese_words() -> None:
    for collection in editor_config(None)["collections"]:
        for path, field in iter_fields(collection.get("fields") or collection["files"][0]["fields"]):
            label = field["label"]
            assert any("\u4e00" <= char <= "\u9fff" for char in label), (path, label)
            assert len(label) <= 16 and "true" not in label and "：" not in label, (path, label)


def test_label_is_the_first_phrase_of_the_description_unless_titled() -> None:
    assert label_of({"description": "发文单位"}, "issuer") == "发文单位"
    assert label_of({"description": "文号，如 教安全〔2023〕200号"}, "document") == "文号"
    assert label_of({"title": "累计总名单", "description": "true：这是……"}, "cumulative") == "累计总名单"
    assert label_of({"title": "Full Name", "description": "正式全称，只在确知时填写"}, "full_name") == "正式全称"


def _sveltia_schema() -> dict[str, Any]:
    return json.loads((EDITOR_DIR / "vendor" / "sveltia-cms.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("backend", [None, Backend("gitlab", "https://git.example.cn", "jyj/site", "abc123"),
                                     Backend("gitea", "https://git.example.cn/", "jyj/site", None, "bianji")])
def test_the_configuration_is_what_sveltia_accepts(backend: Backend | None) -> None:
    import jsonschema

    config = editor_config(read_site(DATA), backend)
    validator = jsonschema.Draft7Validator(_sveltia_schema())
    errors = sorted(validator.iter_errors(config), key=lambda error: list(error.path))
    assert errors == [], [f"{list(error.path)}: {error.message[:200]}" for error in errors[:5]]
    if backend is None:
        assert "publish_mode" not in config
    elif backend.name == "gitlab":
        assert config["publish_mode"] == "editorial_workflow"  # Sveltia's review flow: GitHub and GitLab only
        assert config["backend"]["api_root"] == "https://git.example.cn/api/v4"
        assert config["backend"]["auth_type"] == "pkce"
    else:
        assert "publish_mode" not in config
        assert config["backend"] == {"name": "gitea", "repo": "jyj/site", "api_root": "https://git.example.cn/api/v1",
                                     "base_url": "https://git.example.cn", "branch": "bianji"}


def test_the_committed_configuration_is_current() -> None:
    committed = (ROOT / CONFIG_PATH).read_text(encoding="utf-8")
    assert committed == current_config(DATA), "run `fivestar cms` and commit admin/config.yml"
    assert yaml.safe_load(committed) == json.loads(json.dumps(editor_config(read_site(DATA))))


def test_fivestar_cms_writes_checks_and_keeps_the_server(tmp_path: Path) -> None:
    from generator.cli import main

    shutil.copytree(DATA, tmp_path / "data")
    data = str(tmp_path / "data")
    assert main(["cms", "--data", data, "--check"]) == 1  # nothing written yet
    assert main(["cms", "--data", data, "--gitea", "https://git.example.cn", "--repo", "jyj/site"]) == 0
    assert main(["cms", "--data", data, "--check"]) == 0
    assert main(["cms", "--data", data]) == 0  # again without options: the server stays
    written = yaml.safe_load((tmp_path / CONFIG_PATH).read_text(encoding="utf-8"))
    assert written["backend"]["name"] == "gitea" and written["backend"]["repo"] == "jyj/site"
    assert main(["cms", "--data", data, "--local"]) == 0
    assert yaml.safe_load((tmp_path / CONFIG_PATH).read_text(encoding="utf-8"))["backend"]["repo"] == "local/fivestar"
    assert main(["cms", "--data", data, "--repo", "jyj/site"]) == 2
    assert main(["cms", "--data", data, "--gitlab", "git.example.cn", "--repo", "jyj/site"]) == 2
    assert main(["cms", "--data", data, "--gitlab", "https://git.example.cn"]) == 2


def test_config_text_says_it_is_generated() -> None:
    text = config_text(editor_config(None))
    assert text.startswith("# 表单编辑器") and "fivestar cms" in text.splitlines()[0]


# -- the editor in the preview and in a built site -----------------------------------------------------------------


def _get(app: Any, path: str) -> tuple[str, dict[str, str], bytes]:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(app({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, start_response))
    return answer["status"], answer["headers"], body


def test_the_preview_serves_the_editor_and_leaves_the_site_alone() -> None:
    from generator.staff.editor import with_editor

    def site(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"site"]

    problems = {"text": None}
    app = with_editor(site, DATA, lambda: problems["text"])
    assert _get(app, "/")[2] == b"site" and _get(app, "/administration/")[2] == b"site"
    assert _get(app, "/admin")[0].startswith("301")
    status, headers, body = _get(app, "/admin/")
    assert status == "200 OK" and b"vendor/sveltia-cms.js" in body and headers["Content-Type"].startswith("text/html")
    assert _get(app, "/admin/config.yml")[2].decode("utf-8") == current_config(DATA)
    assert _get(app, "/admin/fivestar-format.mjs")[1]["Content-Type"] == "text/javascript"
    for outside in ("/admin/../cms.py", "/admin/%2e%2e/cms.py", "/admin/../../records/model.py", "/admin/nothing"):
        assert _get(app, outside)[0].startswith("404"), outside
    assert json.loads(_get(app, "/admin/status.json")[2]) == {"problems": None}
    problems["text"] = "data/branches/x.yaml:2: 错误：……"
    assert json.loads(_get(app, "/admin/status.json")[2]) == {"problems": "data/branches/x.yaml:2: 错误：……"}


def test_a_build_has_the_editor_only_when_asked(tmp_path: Path) -> None:
    from tests.conftest import build_into

    plain = build_into(tmp_path / "plain")
    assert not (plain / "admin").exists()
    with_editor = build_into(tmp_path / "with", with_editor=True)
    assert (with_editor / "admin" / "index.html").is_file()
    assert (with_editor / "admin" / "config.yml").read_text(encoding="utf-8") == \
        (ROOT / CONFIG_PATH).read_text(encoding="utf-8")


def test_the_vendored_files_are_the_ones_the_manifest_names() -> None:
    vendor = EDITOR_DIR / "vendor"
    listed = {}
    for line in (vendor / "MANIFEST").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "  ./" not in line:
            continue
        digest, name = line.split("  ./", 1)
        listed[name] = digest
    present = {path.relative_to(vendor).as_posix() for path in vendor.rglob("*") if path.is_file()} - {"MANIFEST"}
    assert set(listed) == present
    for name, digest in listed.items():
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name
    script = (vendor / "sveltia-cms.js").read_text(encoding="utf-8")
    assert "https://unpkg.com/" not in script and "cdn.jsdelivr.net" not in script


# -- the file formats, in Node -------------------------------------------------------------------------------------


def _run_formats(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The file formats run in Node as the editor runs them, with the bundled region's configuration."""
    stdin = json.dumps({"config": editor_config(read_site(DATA)), "jobs": jobs}, ensure_ascii=False)
    done = subprocess.run([NODE, str(ROOT / "tests" / "cms_format.mjs")], input=stdin,
                          capture_output=True, text=True, check=True, encoding="utf-8")
    return json.loads(done.stdout)


def _format_of(path: Path) -> str:
    if path.suffix == ".md":
        return PAGE
    if path.name in {"site.yaml", "site.yml"}:
        return "fivestar-site"
    folder = next(part for part in reversed(path.parts) if part in FORMAT_OF)
    if folder == "honours" and path.parent.name == "honours":
        return "fivestar-honour-root"  # a list without a year, beside the year folders
    return FORMAT_OF[folder]


def _record_files(*roots: Path) -> list[Path]:
    files = []
    for root in roots:
        files += [path for path in sorted(root.rglob("*.yaml"))
                  if path.name.startswith("site.") or any(part in FORMAT_OF for part in path.parts)]
        files += sorted((root.parent / "content" / "news").glob("*.md")) if (root.parent / "content").is_dir() else []
    return files


BLANKS = ["full_name", "note", "issuer", "document", "source", "batch", "campaign", "intro", "secretary"]


@needs_node
def test_every_file_reads_and_writes_back_unchanged(sample_data: Path, city_data: Path, tmp_path: Path) -> None:
    from generator.staff.demo import write_demo

    demo = tmp_path / "demo" / "data"
    write_demo(demo, 40, seed=3, dense=True)
    files = _record_files(DATA, sample_data, demo, city_data, *sorted((ROOT / "tests" / "fixtures").glob("*/data")))
    assert len(files) > 100
    jobs = [{"format": _format_of(path), "text": path.read_text(encoding="utf-8"), "blank": BLANKS,
             "unticked": ["cumulative", "ipv6"]} for path in files]
    changed = []
    for path, job, result in zip(files, jobs, _run_formats(jobs), strict=True):
        if result.get("text") != job["text"]:
            diff = "".join(difflib.unified_diff(job["text"].splitlines(True),
                                                (result.get("text") or "").splitlines(True)))
            changed.append(f"{path}: {result.get('error') or diff[:400]}")
    assert changed == [], "\n".join(changed[:5])


@pytest.fixture(scope="module")
def city_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo city of two districts: its own lists name member schools as `qu-01/shili-00002`."""
    from generator.staff.demo import make_city, write_city

    out = tmp_path_factory.mktemp("city") / "data"
    write_city(make_city(2, 12, seed=5), out)
    return out


def _changed_lines(old: str, new: str) -> list[str]:
    return [line for line in difflib.ndiff(old.splitlines(), new.splitlines()) if line[:2] in {"- ", "+ "}]


NOTES = st.text(st.characters(codec="utf-8", categories=("Lo", "Nd", "Zs", "Po", "Ll")), min_size=1, max_size=40)


@needs_node
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=NOTES.filter(lambda text: text.strip() and text == text.strip()))
def test_an_edit_changes_only_its_own_lines(city_data: Path, note: str) -> None:
    from generator.records.yamlfile import parse_text

    files = [path for path in _record_files(DATA, city_data) if path.suffix == ".yaml"]
    jobs = [{"format": _format_of(path), "text": path.read_text(encoding="utf-8"), "edit": {"note": note},
             "blank": BLANKS} for path in files]
    for path, job, result in zip(files, jobs, _run_formats(jobs), strict=True):
        assert "error" not in result, (path, result)
        old, new = job["text"], result["text"]
        _parsed, problems = parse_text(new, path.name)
        assert not [p for p in problems if p.is_error], (path, new)
        # Read as `fivestar check` reads YAML (1.1: yes/no, 0123, 1:30 are not text there): the note, as typed.
        assert yaml.safe_load(new) == {**yaml.safe_load(old), "note": note}, (path, new)
        kept = [line for line in old.splitlines() if not line.startswith("note:")]
        assert [line for line in new.splitlines() if not line.startswith("note:")] == kept, (path, new)


@needs_node
def test_a_cleared_field_is_gone_and_a_new_file_is_house_style() -> None:
    text = (DATA / "branches" / "qu-yishixiao.yaml").read_text(encoding="utf-8")
    cleared, fresh_branch, fresh_honour, fresh_page = _run_formats([
        {"format": "fivestar-branch", "text": text, "edit": {"aliases": []}},
        {"format": "fivestar-branch", "value": {"name": "示例小学", "full_name": "", "aliases": [], "kind": "小学",
                                                 "brand": {"name": "示例品牌", "photos": [
                                                     {"file": "/images/photos/a.jpg", "caption": "示例"}]}}},
        {"format": "fivestar-honour", "value": {"title": "示例荣誉", "level": "区级", "year": 2024,
                                                 "recipients": [{"branch": "shili-xiaoxue", "brand": False},
                                                                {"branch": "qu-yishixiao", "brand": True,
                                                                 "grade": "一等奖"}],
                                                 "cumulative": False, "date": "2024-06"}},
        {"format": PAGE, "value": {"title": "示例动态", "date": "2024-01-01", "summary": "",
                                   "body": "# 示例动态\n\n正文。"}},
    ])
    assert "aliases" not in cleared["text"] and "故不填 full_name" in cleared["text"]  # the comment above stays
    assert _changed_lines(text, cleared["text"]) == ["- aliases:", "-   - 一实小"]
    assert fresh_branch["text"] == ("# yaml-language-server: $schema=../../schema/branch.schema.json\n"
                                    "name: 示例小学\nkind: 小学\nbrand:\n  name: 示例品牌\n  photos:\n"
                                    "    - file: images/photos/a.jpg\n      caption: 示例\n")
    assert fresh_honour["text"] == ("# yaml-language-server: $schema=../../../schema/honour.schema.json\n"
                                    "title: 示例荣誉\nlevel: 区级\nyear: 2024\nrecipients:\n  - shili-xiaoxue\n"
                                    "  - brand: qu-yishixiao\n    grade: 一等奖\ndate: 2024-06\n")
    assert fresh_page["text"] == "---\ntitle: 示例动态\ndate: 2024-01-01\n---\n\n# 示例动态\n\n正文。\n"


@needs_node
def test_the_forms_see_recipients_and_stars_as_fields() -> None:
    honour = ("title: 示例\nlevel: 区级\nrecipients:\n  - shili-xiaoxue\n  - {brand: qu-yishixiao, grade: 5A}\n"
              "  - {person: 张三, branch: shili-xiaoxue, role: 教师}\n")
    site_count = "title: 示例\nstars: 5\n"
    site_names = "title: 示例\nstars:\n  - 一星\n  - 二星\n"
    results = _run_formats([{"format": "fivestar-honour", "text": honour},
                            {"format": "fivestar-site", "text": site_count},
                            {"format": "fivestar-site", "text": site_names}])
    assert results[0]["form"]["recipients"] == [
        {"branch": "shili-xiaoxue"}, {"branch": "qu-yishixiao", "grade": "5A", "brand": True},
        {"person": "张三", "branch": "shili-xiaoxue", "role": "教师"}]
    assert results[1]["form"]["stars_count"] == 5 and "stars" not in results[1]["form"]
    assert results[2]["form"]["stars_names"] == ["一星", "二星"]
    assert [result["text"] for result in results] == [honour, site_count, site_names]


def test_a_file_name_the_editor_made_up_is_warned_about_with_a_better_one(tmp_path: Path) -> None:
    from generator.records.load import load_dataset

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "branches" / "d8237211d592.yaml").write_text("name: 示例小学\n", encoding="utf-8")
    (data / "branches" / "deadbeefcafe.yaml").write_text("name: 示例中学\n", encoding="utf-8")  # no digit: a word
    result = load_dataset(data)
    assert result.ok
    made_up = [p for p in result.problems if "自动起的" in p.message]
    assert len(made_up) == 1 and made_up[0].file.endswith("branches/d8237211d592.yaml") and not made_up[0].is_error
    assert "改成 shili-xiaoxue" in made_up[0].hint


BRANCH_IDS = sorted(path.stem for path in (DATA / "branches").glob("*.yaml"))
GRADES = st.one_of(st.none(), st.text(st.characters(codec="utf-8", categories=("Lo", "Nd", "Lu", "Po")),
                                      min_size=1, max_size=8).filter(lambda text: text == text.strip()))


@needs_node
@settings(max_examples=25, deadline=None)
@given(picked=st.lists(st.tuples(st.sampled_from(BRANCH_IDS), GRADES, st.booleans()), min_size=1, max_size=6,
                       unique_by=lambda item: item[0]))
def test_a_changed_list_of_recipients_changes_only_that_list(picked: list[tuple[str, str | None, bool]]) -> None:
    """Any new recipients (bare, graded, or to a brand) written into every honour file: the list reads back as
    the form meant it, and every other key keeps its exact text."""
    form = [{"branch": branch, **({"grade": grade} if grade else {}), "brand": brand}
            for branch, grade, brand in picked]
    meant = [({"brand": branch} if brand else {"branch": branch}) | ({"grade": grade} if grade else {})
             if grade or brand else branch for branch, grade, brand in picked]
    files = sorted((DATA / "honours").rglob("*.yaml"))
    jobs = [{"format": _format_of(path), "text": path.read_text(encoding="utf-8"), "edit": {"recipients": form}}
            for path in files]
    for path, job, result in zip(files, jobs, _run_formats(jobs), strict=True):
        assert "error" not in result, (path, result)
        old, new = yaml.safe_load(job["text"]), yaml.safe_load(result["text"])
        assert new == {**old, "recipients": meant}, (path, result["text"])
        head = job["text"].split("\nrecipients:", 1)[0]
        assert result["text"].startswith(head + "\nrecipients:"), (path, result["text"])
        tail = job["text"].split("\nrecipients:", 1)[1].split("\n")
        rest = "\n".join(line for line in tail if line and not line.startswith(" "))
        assert rest in result["text"], (path, result["text"])

"""`fivestar new`: commented templates that pass `fivestar check` as written, and never overwrite."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from helpers import run_cli as run
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.records.load import load_dataset
from generator.records.model import Branch, Brand, Event, HonourList, Photo, Recipient, StarRating
from generator.staff.scaffold import (
    Item,
    branch_text,
    event_text,
    honour_text,
    recipient_lines,
    suggest_honour_id,
    yaml_scalar,
)

ROOT = Path(__file__).resolve().parent.parent
KEY_LINE = re.compile(r"^#?\s*(?:-\s+)?([a-z_]+):(?:\s|$)")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled data and schema; the working directory is its root."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    monkeypatch.chdir(tmp_path)
    return tmp_path




def check_passes(capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run(capsys, "check")
    assert code == 0, err
    return out


def test_new_branch_writes_a_checked_file_with_modeline_and_next_step(project: Path, capsys) -> None:
    code, out, err = run(capsys, "new", "branch", "shili-xiaoxue-001", "--name", "示例小学001")
    assert code == 0, err
    path = project / "data/branches/shili-xiaoxue-001.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../schema/branch.schema.json"
    assert (path.parent / "../../schema/branch.schema.json").resolve().is_file()
    assert "name: 示例小学001" in text
    assert "已新建 data/branches/shili-xiaoxue-001.yaml" in out
    assert "下一步" in out and "fivestar check" in out
    assert "检查通过：22 个支部" in check_passes(capsys)
    branch = load_dataset(project / "data").dataset.branch_by_id["shili-xiaoxue-001"]
    assert branch.name == "示例小学001" and branch.brand is None


def test_new_branch_without_name_gets_a_unique_placeholder(project: Path, capsys) -> None:
    assert run(capsys, "new", "支部", "shili-a")[0] == 0
    assert run(capsys, "new", "branch", "shili-b")[0] == 0
    check_passes(capsys)
    dataset = load_dataset(project / "data").dataset
    assert "请改为学校简称" in dataset.branch_by_id["shili-a"].name
    assert dataset.branch_by_id["shili-a"].name != dataset.branch_by_id["shili-b"].name


def test_new_refuses_to_overwrite(project: Path, capsys) -> None:
    path = project / "data/branches/qu-yishixiao.yaml"
    before = path.read_bytes()
    code, out, err = run(capsys, "new", "branch", "qu-yishixiao", "--name", "示例小学")
    assert code == 2 and out == ""
    assert "已经有 data/branches/qu-yishixiao.yaml，不会覆盖它" in err
    assert path.read_bytes() == before
    # an honour id is unique across year folders too
    code, _out, err = run(capsys, "new", "honour", "pingan-xiaoyuan-shiji-2023", "--title", "平安校园",
                          "--level", "市级", "--year", "2024", "--recipients", "区一实小")
    assert code == 2 and "honours/2023/pingan-xiaoyuan-shiji-2023.yaml" in err
    assert not (project / "data/honours/2024").exists()


def test_new_refuses_a_bad_id_and_a_duplicate_name(project: Path, capsys) -> None:
    code, _out, err = run(capsys, "new", "branch", "Shili_Xiaoxue", "--name", "示例小学")
    assert code == 2 and "只能用小写英文字母、数字和连字符" in err
    code, _out, err = run(capsys, "new", "branch", "shili-dup", "--name", "区一实小")
    assert code == 2
    assert "没有写入" in err and "名称“区一实小”与" in err
    assert not (project / "data/branches/shili-dup.yaml").exists()


def test_new_honour_resolves_names_in_order_into_the_year_folder(project: Path, capsys) -> None:
    code, _out, err = run(capsys, "new", "honour", "pingan-xiaoyuan-shiji-2024", "--title", "平安校园",
                         "--level", "市级", "--year", "2024", "--recipients", "香山小学、洛阳市实验小学，一实小",
                         "--total", "5")
    assert code == 0, err
    path = project / "data/honours/2024/pingan-xiaoyuan-shiji-2024.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../schema/honour.schema.json\n")
    assert (path.parent / "../../../schema/honour.schema.json").resolve().is_file()
    assert ("  - xiangshan-xiaoxue  # 香山小学\n  - shi-shiyan-xiaoxue  # 市实验小学\n"
            "  - qu-yishixiao  # 区一实小\n") in text
    check_passes(capsys)
    honour = load_dataset(project / "data").dataset.honour_by_id["pingan-xiaoyuan-shiji-2024"]
    assert [r.branch for r in honour.recipients] == ["xiangshan-xiaoxue", "shi-shiyan-xiaoxue", "qu-yishixiao"]
    assert (honour.title, honour.level, honour.year, honour.total) == ("平安校园", "市级", 2024, 5)


def test_new_honour_needs_title_level_and_known_recipients(project: Path, capsys) -> None:
    code, _out, err = run(capsys, "new", "honour", "x-2024", "--title", "平安校园", "--level", "市级")
    assert code == 2 and "--recipients" in err and "fivestar import" in err
    code, _out, err = run(capsys, "new", "honour", "x-2024", "--level", "市级", "--recipients", "区一实小")
    assert code == 2 and "--title" in err
    code, _out, err = run(capsys, "new", "honour", "x-2024", "--title", "平安校园", "--level", "市级",
                          "--recipients", "龙城小学")
    assert code == 2
    assert "找不到支部“龙城小学”" in err and "龙城双语小学（longcheng-shuangyu-xiaoxue）" in err
    assert not list((project / "data/honours").glob("x-2024.yaml"))


def test_new_honour_with_an_unknown_level_is_not_kept(project: Path, capsys) -> None:
    code, _out, err = run(capsys, "new", "honour", "x-2024", "--title", "平安校园", "--level", "县级",
                          "--recipients", "区一实小")
    assert code == 2 and "级别“县级”不在可选范围内" in err
    assert not (project / "data/honours/x-2024.yaml").exists()


def test_new_event_takes_its_date_from_the_id(project: Path, capsys) -> None:
    code, out, err = run(capsys, "new", "event", "2023-07-01-shili-peixun", "--title", "示例培训",
                         "--venue", "区一实小", "--branches", "香山小学、未来小学")
    assert code == 0, err
    assert "已新建 data/events/2023-07-01-shili-peixun.yaml" in out
    text = (project / "data/events/2023-07-01-shili-peixun.yaml").read_text(encoding="utf-8")
    assert "date: 2023-07-01\n" in text and "venue: qu-yishixiao  # 区一实小" in text
    check_passes(capsys)
    event = load_dataset(project / "data").dataset.event_by_id["2023-07-01-shili-peixun"]
    assert event.branches == ["xiangshan-xiaoxue", "weilai-xiaoxue"] and event.title == "示例培训"
    code, _out, err = run(capsys, "new", "event", "shili-huiyi", "--title", "示例会议")
    assert code == 2 and "--date" in err


@pytest.mark.parametrize("argv", [
    ("new", "branch", "shili-xiaoxue-9", "--name", "示例小学九"),
    ("new", "honour", "shili-mingdan-2023", "--title", "示例荣誉", "--level", "区级", "--year", "2023",
     "--recipients", "区一实小、香山小学"),
    ("new", "event", "2023-07-01-shili-peixun", "--title", "示例培训", "--venue", "区一实小",
     "--branches", "香山小学、未来小学"),
])
def test_new_reads_the_data_folder_twice_at_most(project: Path, capsys, monkeypatch: pytest.MonkeyPatch,
                                                 argv: tuple[str, ...]) -> None:
    """Once before writing (names resolved and the errors already there), once after: not once per step."""
    import generator.records.load as load

    reads: list[Path] = []
    real = load._read_data

    def counted(data_dir: Path, limits: load.Limits, shown: str | None = None) -> load.DataRead:
        reads.append(data_dir)
        return real(data_dir, limits, shown)

    monkeypatch.setattr(load, "_read_data", counted)
    code, _out, err = run(capsys, *argv)
    assert code == 0, err
    assert len(reads) == 2


def _documented(lines: list[str], index: int, key: str) -> bool:
    """A key is documented by the comment line above it, or named in a comment just above its block."""
    above = lines[index - 1].lstrip("# ").strip() if index else ""
    if lines[index - 1].lstrip().startswith("#") and re.search(r"[\u4e00-\u9fff]", above) and \
            not KEY_LINE.match(lines[index - 1].replace("#", "", 1).lstrip()):
        return True
    return any(key in line and re.search(r"[\u4e00-\u9fff]", line) for line in lines[max(0, index - 4):index])


@pytest.mark.parametrize("kind", ["branch", "honour", "event"])
def test_every_key_in_a_template_has_a_chinese_comment(kind: str) -> None:
    text = {
        "branch": branch_text("# m", "x", "示例小学"),
        "honour": honour_text("# m", "x", "示例荣誉", "市级", 2023, [("x", "示例小学")]),
        "event": event_text("# m", "x", __import__("datetime").date(2023, 1, 2), "示例活动", [("x", "示例")]),
    }[kind]
    lines = text.splitlines()
    keys = []
    for i, line in enumerate(lines):
        match = KEY_LINE.match(line.replace("#", "", 1).strip() if line.startswith("#") else line.strip())
        if match and match.group(1) != "yaml":
            keys.append(match.group(1))
            assert _documented(lines, i, match.group(1)), f"no Chinese comment for {match.group(1)!r}: {line}"
    model = {"branch": Branch, "honour": HonourList, "event": Event}[kind]
    expected = set(model.model_fields) - {"id"}
    if kind == "branch":
        expected |= set(Brand.model_fields) | set(StarRating.model_fields) | set(Photo.model_fields)
    if kind == "event":
        expected |= set(Photo.model_fields)
    assert expected <= set(keys), f"template misses {expected - set(keys)}"


def test_uncommenting_the_branch_template_gives_a_readable_record() -> None:
    """What a staff member does: drop the `# ` before the keys (and the lines of their blocks)."""
    text = branch_text("# m", "x", "示例小学")
    uncommented = "\n".join(line[2:] if (line.startswith("# ") and KEY_LINE.match(line[2:])) or line.startswith("#  ")
                            else line for line in text.splitlines())
    data = yaml.safe_load(uncommented)
    assert set(data) == set(Branch.model_fields) - {"id"}
    assert data["brand"]["photos"][0]["caption"] == "照片说明"
    assert data["stars"][0] == {"period": "2023Q2", "count": 3}


def test_suggested_honour_ids_follow_the_bundled_convention() -> None:
    assert suggest_honour_id("平安校园", "市级", 2023) == "pingan-xiaoyuan-shiji-2023"
    assert suggest_honour_id("依法治校示范校", "省级", 2023) == "yifa-zhixiao-sfx-shengji-2023"  # ≤ 30 (ids.py)
    assert suggest_honour_id("文明校园", "国家级", None) == "wenming-xiaoyuan-guojiaji"


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40).filter(lambda s: s.split()))
def test_yaml_scalar_reads_back_as_the_same_text(value: str) -> None:
    written = yaml_scalar(value)
    assert "\n" not in written
    assert yaml.safe_load(f"key: {written}\n")["key"] == " ".join(value.split())


def test_new_honour_takes_status_batch_and_official(project: Path, capsys) -> None:
    code, _out, err = run(capsys, "new", "honour", "pingan-xiaoyuan-shiji-2024", "--title", "平安校园",
                          "--level", "市级", "--year", "2024", "--recipients", "香山小学", "--status", "公示",
                          "--batch", "第二批", "--official", "示例市平安校园")
    assert code == 0, err
    text = (project / "data/honours/2024/pingan-xiaoyuan-shiji-2024.yaml").read_text(encoding="utf-8")
    assert all(f"\n{line}\n" in text for line in ("status: 公示", "batch: 第二批", "official: 示例市平安校园"))
    assert "# scope: 全市\n# scope_total: 98\n" in text and "# cumulative: true\n" in text
    check_passes(capsys)
    honour = load_dataset(project / "data").dataset.honour_by_id["pingan-xiaoyuan-shiji-2024"]
    assert (honour.status, honour.batch, honour.official, honour.scope) == ("公示", "第二批", "示例市平安校园", None)
    with pytest.raises(SystemExit):
        run(capsys, "new", "honour", "x-2024", "--title", "平安校园", "--level", "市级", "--recipients", "香山小学",
            "--status", "拟命名")
    assert "--status：不能写“拟命名”。可选：命名、公示、候选、撤销" in capsys.readouterr().err


def test_the_template_examples_for_grades_and_brands_read_as_recipients() -> None:
    """Uncommenting the grade and brand examples of the template gives items the model reads."""
    text = honour_text("# m", "x", "示例荣誉", "市级", 2023, [("x", "示例小学")])
    examples = [line[2:] for line in text.splitlines() if line.startswith("#   - {")]
    assert len(examples) == 2
    data = yaml.safe_load("recipients:\n" + "\n".join(examples))
    items = [Recipient.model_validate(item) for item in data["recipients"]]
    assert (items[0].grade, items[1].is_brand) == ("5A", True)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=30).filter(lambda s: s.split()),
       st.one_of(st.none(), st.text(min_size=1, max_size=30).filter(lambda s: s.split())))
def test_a_recipient_with_grade_and_note_reads_back(grade: str, note: str | None) -> None:
    lines = recipient_lines([Item("shili-xiaoxue", "示例小学 # 表中写作“示例小学”", grade, note)])
    data = yaml.safe_load("recipients:\n" + "\n".join(lines))
    item = data["recipients"][0]
    assert item["branch"] == "shili-xiaoxue" and item["grade"] == " ".join(grade.split())
    assert item.get("note") == (" ".join(note.split()) if note else None)


# -- one rule for where images go: logos in images/logos/, every photo in images/photos/ ---------------------------

IMAGE_PATH = re.compile(r"images/([a-z]+)/")
LOGO_OR_PHOTO = re.compile(r"(logo|file)\s*:\s*['\"]?images/([a-z]+)/")


def image_folders(text: str) -> tuple[set[str], set[tuple[str, str]]]:
    """The folders under images/ a text names, and each (field, folder) pair of `logo:` and `file:` paths."""
    return set(IMAGE_PATH.findall(text)), set(LOGO_OR_PHOTO.findall(text))


def test_templates_guides_schemas_new_projects_and_the_demo_put_images_in_the_same_folders(tmp_path: Path) -> None:
    import datetime as dt

    from generator.records.kinds import all_kinds
    from generator.staff.demo import write_demo
    from generator.staff.init_project import IMAGES_README, kind_readme

    modeline = "# yaml-language-server: $schema=../../schema/branch.schema.json"
    texts = {
        "branch template": branch_text(modeline, "shili-xiaoxue-001", "示例小学001"),
        "event template": event_text(modeline, "2024-05-10-guanmo", dt.date(2024, 5, 10), "示例"),
        "EDITING.md": (ROOT / "EDITING.md").read_text(encoding="utf-8"),
        "images README": IMAGES_README,
        **{f"{kind.folder} README": kind_readme(kind) for kind in all_kinds()},
        **{f"schema {p.name}": p.read_text(encoding="utf-8") for p in (ROOT / "schema").glob("*.json")},
    }
    write_demo(tmp_path / "demo", 5, dense=True)
    texts |= {f"demo {p.name}": p.read_text(encoding="utf-8") for p in (tmp_path / "demo").rglob("*.yaml")}
    images = tmp_path / "demo/images"
    demo_folders = {p.relative_to(images).parts[0] for p in images.rglob("*") if p.is_file()}
    assert demo_folders == {"logos", "photos"}
    for name, text in texts.items():
        folders, fields = image_folders(text)
        assert folders <= {"logos", "photos"}, (name, folders)
        assert fields <= {("logo", "logos"), ("file", "photos")}, (name, fields)

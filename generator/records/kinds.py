"""The one registry of record kinds: each folder of records under data/, its model, Chinese label and layout."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generator.records.model import Branch, Event, HonourList, Record, Site

SITE_SCHEMA = "site"
"""The schema name of data/site.yaml, the one settings file (not a kind: there is exactly one)."""


@dataclass(frozen=True)
class RecordKind:
    """One kind of record: files `data/<folder>/<id>.yaml` (or `<folder>/<year>/<id>.yaml`) read as `model`."""

    name: str
    """English word on the command line (`fivestar new branch`) and the schema file name (`branch.schema.json`)."""
    folder: str
    """The folder under data/ holding these records; also the prefix of their source keys (`branches:<id>`)."""
    model: type[Record]
    label: str
    """What staff call one such record, in Chinese (支部, 荣誉名单, 活动)."""
    description: str
    """One Chinese sentence on what one record is, shown by editors from the schema."""
    example_id: str
    """A well-formed id, suggested when a file name cannot be an id."""
    year_folders: bool = False
    """Records may also sit one level down in a four-digit year folder (`honours/2023/`)."""
    aliases: tuple[str, ...] = ()
    """Other words staff may type for this kind on the command line (学校, 名单)."""
    file_label: str = ""
    """How the schema names the file, when not `<label>记录`."""

    @property
    def words(self) -> tuple[str, ...]:
        """Every word that names this kind on the command line."""
        return tuple(dict.fromkeys((self.name, self.label, *self.aliases)))

    @property
    def schema_name(self) -> str:
        """`branch`: the schema is written to `schema/branch.schema.json`."""
        return self.name

    @property
    def schema_title(self) -> str:
        where = f"data/{self.folder}/" + ("[<年份>/]" if self.year_folders else "") + "<编号>.yaml"
        return f"{self.file_label or self.label + '记录'} {where}"

    def key(self, record_id: str) -> str:
        """The key of a record's source in a Dataset (`branches:<id>`)."""
        return f"{self.folder}:{record_id}"


KINDS: tuple[RecordKind, ...] = (
    RecordKind("branch", "branches", Branch, "支部",
               "一个党支部（一所学校，或一个校区、分校）。文件名就是支部编号，只用小写字母、数字和“-”。",
               "shiyan-xiaoxue", aliases=("学校",)),
    RecordKind("honour", "honours", HonourList, "荣誉名单",
               "一份荣誉名单：一种荣誉在一个级别的一次公布。文件名就是名单编号。",
               "pingan-xiaoyuan-shiji-2023", year_folders=True, aliases=("荣誉", "名单", "honor"),
               file_label="荣誉名单"),
    RecordKind("event", "events", Event, "活动",
               "一次活动，如观摩推进会、现场会。文件名就是活动编号。",
               "2023-06-02-guanmo-tuijinhui"),
)
"""Every kind of record, in the order they are read and listed. Adding a kind is one entry here (plus its model,
its page template and its tests): loading, checking unknown folders, diff, `fivestar new` paths and schemas follow.
Read it through the functions below, at call time, so that tests may extend it."""


def all_kinds() -> tuple[RecordKind, ...]:
    return KINDS


def kind_of_folder(folder: str) -> RecordKind | None:
    """The kind whose records live in `folder`, or None for a folder the registry does not know."""
    return next((kind for kind in KINDS if kind.folder == folder), None)


def kind_named(word: str) -> RecordKind | None:
    """The kind a command-line word names (`branch`, `支部`, `学校`), or None."""
    return next((kind for kind in KINDS if word in kind.words), None)


def folder_names() -> tuple[str, ...]:
    return tuple(kind.folder for kind in KINDS)


def folders_text() -> str:
    """`branches/、honours/、events/`: the folders, as a message lists them."""
    return "、".join(f"{kind.folder}/" for kind in KINDS)


def record_models() -> Mapping[str, type[Record]]:
    """Each schema name and its model: site.yaml's, then one per kind."""
    return {SITE_SCHEMA: Site, **{kind.schema_name: kind.model for kind in KINDS}}

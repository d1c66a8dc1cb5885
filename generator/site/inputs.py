"""What each page and download of a city's (or province's) site is made from: digests of the records and facts a
member region's pages read, and of what an honour title's page reads. The page cache (`Renderer.render_keyed`) and
the downloads' kept parts (`exports.KeptParts`) key by them, so both are made again exactly when their inputs change."""

from __future__ import annotations

from dataclasses import dataclass

from generator.dataset import Dataset, HonourTitle, all_members, ancestors, region_part, within
from generator.site.render import digest_of


@dataclass(frozen=True)
class InputKeys:
    """The digests of one dataset, made once a build (`input_keys`): per member region at any depth (by its
    prefix) and per honour title (by its slug). Empty for a district's own site."""

    regions: dict[str, str]
    titles: dict[str, str]
    title_pages: dict[tuple[str, str], str]
    """Per (title slug, region): the inputs of that region's page of the title (`title_inputs`)."""
    title_lists: dict[tuple[str, str], str]
    """Per (title slug, region holding lists of it): the inputs of the region's own lists of the title, for their
    share of the title's downloads (`exports.title_parts`)."""


NO_KEYS = InputKeys({}, {}, {}, {})
"""Nothing known by its inputs: every part is made."""


def input_keys(dataset: Dataset) -> InputKeys:
    """Every member region's key (`region_keys`) and every honour title's (`title_inputs`); none for a district."""
    if not dataset.members:
        return NO_KEYS
    titles, pages, lists = {}, {}, {}
    around = _TitleSurroundings.of(dataset)
    for title in dataset.titles:
        titles[title.slug], found, own = title_inputs(title, dataset, around)
        pages.update(((title.slug, region), key) for region, key in found.items())
        lists.update(((title.slug, region), key) for region, key in own.items())
    return InputKeys(region_keys(dataset), titles, pages, lists)


def source_region(key: str) -> str:
    """The region (qualified id, "" for the site's own) whose data holds the file of a Dataset.sources key:
    `site` is the site's own, `site:luolong` a member's site.yaml, `branches:luolong/x` a member's record."""
    kind, colon, record_id = key.partition(":")
    if not colon:
        return ""
    return record_id if kind == "site" else region_part(record_id)


def region_keys(dataset: Dataset) -> dict[str, str]:
    """In a city's (or province's) site, per member region at any depth: a digest of everything the pages of that
    region (its own page, its branches', brands' and events') read, for `Renderer.render_keyed`.

    That is: every file of the member's data as loaded (its inner members' too), every ancestor's *own* files
    (the city's site.yaml, its own lists and events can name the member's schools), and the facts from outside it
    that its views read: which of its school names another member region shares (`Dataset.branch_name`), and the
    URL slug of every honour title its pages link to (slugs are told apart over the whole site). Empty for a
    district's own site: its pages keep the digests of their views."""
    if not dataset.members:
        return {}
    own: dict[str, list[tuple[str, str]]] = {}
    for key, source in dataset.sources.items():
        own.setdefault(source_region(key), []).append((key, source.text))
    own_digest = {region: digest_of(*(f"{k}\0{text}" for k, text in sorted(files))) for region, files in own.items()}
    lists_by_region: dict[str, list[str]] = {}
    for honour in dataset.honours:
        lists_by_region.setdefault(region_part(honour.id), []).append(honour.title)
    slugs = {title.title: title.slug for title in dataset.titles}
    shared = dataset.shared_names
    keys: dict[str, str] = {}
    for member in all_members(dataset.members):
        prefix = member.prefix
        inside = sorted((region, digest) for region, digest in own_digest.items() if within(region, prefix))
        parts = prefix.split("/")
        ancestors = ["", *("/".join(parts[:i]) for i in range(1, len(parts)))]
        branches, _lists, _events = dataset.under_member.get(prefix, ((), (), ()))
        names = sorted({b.name for b in branches if b.name in shared})
        titles = {t for region, found in lists_by_region.items()
                  if region in ancestors or within(region, prefix) for t in found}
        keys[prefix] = digest_of(repr(inside), repr([own_digest.get(a, "") for a in ancestors]), repr(names),
                                 repr(sorted((t, slugs.get(t, "")) for t in titles)))
    return keys


def title_inputs(title: HonourTitle, dataset: Dataset, around: _TitleSurroundings | None = None,
                 ) -> tuple[str, dict[str, str], dict[str, str]]:
    """In a city's site, a digest of everything an honour title's downloads read (`exports.title_parts`), per
    region with a page of the title (`Dataset.title_regions`) a digest of everything that page reads
    (`views.title_view`), and per region holding lists of the title a digest of what those lists' rows read (the
    lists, the schools they name, site.yaml), for the kept parts and `Renderer.render_keyed`.

    Each region's own lists are digested once: their files, the region, and each school named on them as pages
    name it (a shared name with its region, its brand). A region's page reads its own lists in full and, for the
    figures, the running total and the table of its members, the lists of every region inside it; besides those,
    site.yaml (levels, the site's region) and the names of the member regions. The downloads read every list.
    A title's lists are a sliver of the data: its pages are not made again when another title's lists change, nor
    a region's page when a list outside it changes."""
    around = around or _TitleSurroundings.of(dataset)
    site, names = around.site, around.names
    own: dict[str, list[str]] = {}
    for honour in title.lists:
        source = dataset.sources.get(f"honours:{honour.id}")
        texts = own.setdefault(region_part(honour.id), [])
        texts.append(f"{honour.id}\0{source.text if source is not None else repr(honour)}\0"
                     f"{dataset.region_of(honour.id)}")
        texts.extend(around.school(branch_id) for branch_id in dict.fromkeys(r.branch for r in honour.recipients))
    digests = {region: digest_of(*texts) for region, texts in own.items()}
    inside: dict[str, list[str]] = {}  # per region, the digests of the regions within it, in order
    for region, digest in sorted(digests.items()):
        for holder in {*ancestors(region), region}:
            inside.setdefault(holder, []).append(f"{region}\0{digest}")
    pages = {region: digest_of(site, names, region, *inside.get(region, ()))
             for region in dataset.title_regions(title)}
    own_lists = {region: digest_of(site, region, digest) for region, digest in digests.items()}
    return digest_of(site, *inside.get("", ())), pages, own_lists


@dataclass
class _TitleSurroundings:
    """What every title's inputs read besides its lists, made once for all titles: site.yaml, the member regions'
    names, and each school as the lists name it (`title_inputs`)."""

    dataset: Dataset
    site: str
    names: str
    schools: dict[str, str]

    @classmethod
    def of(cls, dataset: Dataset) -> _TitleSurroundings:
        site = dataset.sources["site"].text if "site" in dataset.sources else repr(dataset.site)
        return cls(dataset, site, repr([(m.prefix, m.name) for m in all_members(dataset.members)]), {})

    def school(self, branch_id: str) -> str:
        """A school named on a list, as its pages name it: whether it is known, its name (a shared one with its
        region), its brand."""
        known = self.schools.get(branch_id)
        if known is None:
            branch = self.dataset.branch_by_id.get(branch_id)
            brand = branch.brand.name if branch is not None and branch.brand is not None else None
            known = self.schools[branch_id] = \
                f"{branch_id}\0{branch is not None}\0{self.dataset.branch_name(branch_id)}\0{brand}"
        return known

"""What each page and download of a city's (or province's) site is made from: digests of the records and facts a
member region's pages read, and of what an honour title's page reads. The page cache (`Renderer.render_keyed`) and
the downloads' kept parts (`exports.KeptParts`) key by them, so both are made again exactly when their inputs change."""

from __future__ import annotations

from dataclasses import dataclass

from generator.dataset import Dataset, HonourTitle, all_members
from generator.site.render import digest_of


@dataclass(frozen=True)
class InputKeys:
    """The digests of one dataset, made once a build (`input_keys`): per member region at any depth (by its
    prefix) and per honour title (by its slug). Empty for a district's own site."""

    regions: dict[str, str]
    titles: dict[str, str]


NO_KEYS = InputKeys({}, {})
"""Nothing known by its inputs: every part is made."""


def input_keys(dataset: Dataset) -> InputKeys:
    """Every member region's key (`region_keys`) and every honour title's (`title_inputs`); none for a district."""
    if not dataset.members:
        return NO_KEYS
    return InputKeys(region_keys(dataset), {title.slug: title_inputs(title, dataset) for title in dataset.titles})


def source_region(key: str) -> str:
    """The region (qualified id, "" for the site's own) whose data holds the file of a Dataset.sources key:
    `site` is the site's own, `site:luolong` a member's site.yaml, `branches:luolong/x` a member's record."""
    kind, colon, record_id = key.partition(":")
    if not colon:
        return ""
    return record_id if kind == "site" else region_part(record_id)


def region_part(record_id: str) -> str:
    """The member region a qualified id names (`luolong` of `luolong/qu-yishixiao`; "" for the site's own)."""
    return record_id.rpartition("/")[0]


def within(region: str, prefix: str) -> bool:
    """`region` is the member region `prefix` or one inside it."""
    return region == prefix or region.startswith(prefix + "/")


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


def title_inputs(title: HonourTitle, dataset: Dataset) -> str:
    """In a city's site, a digest of everything an honour title's page reads, for `Renderer.render_keyed`: site.yaml
    (levels, the region that is the subject of its sentences), the files of its lists (any region's), the region
    each list belongs to, and each school named on them as the page names it (a shared name with its region, its
    brand). A title's lists are a sliver of the data: its page is not made again when another title's changes."""
    texts = [dataset.sources["site"].text if "site" in dataset.sources else repr(dataset.site)]
    schools = set()
    for honour in title.lists:
        source = dataset.sources.get(f"honours:{honour.id}")
        texts.append(f"{honour.id}\0{source.text if source is not None else repr(honour)}\0"
                     f"{dataset.region_of(honour.id)}")
        schools.update(r.branch for r in honour.recipients)
    for branch_id in sorted(schools):
        branch = dataset.branch_by_id.get(branch_id)
        brand = branch.brand.name if branch is not None and branch.brand is not None else None
        texts.append(f"{branch_id}\0{branch is not None}\0{dataset.branch_name(branch_id)}\0{brand}")
    return digest_of(*texts)

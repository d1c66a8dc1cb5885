"""Record text in the theme's own templates, which MkDocs renders without autoescaping: titles, site name, footer."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from generator.dataset import Dataset
from generator.sanitize import clean
from generator.site.views import SectionEntry, format_date


class TitleText(str):
    """A page title that stays text in every place the theme prints it.

    A title is HTML text (record text arrives entity-encoded, 〈 as &#60;). The theme prints it as it is in the
    header and the nav, which is right, but passes it through `striptags` inside <title>, and `striptags`
    unescapes once: a school named `</title><script>…` would end the title and run. Jinja's filters read
    `__html__` first, so they get a copy escaped once more, and what comes out of `striptags` is still text.
    """

    __slots__ = ()

    def __html__(self) -> str:
        return html.escape(str(self), quote=True)


def guard_title(page: Any) -> None:
    """Make a page's title safe for the theme: a front-matter title (generated pages give theirs as plain text,
    hand-written pages as they like) is escaped once, and every title gets TitleText's second escape."""
    meta = getattr(page, "meta", None)
    if isinstance(meta, dict) and isinstance(meta.get("title"), str) and not isinstance(meta["title"], TitleText):
        meta["title"] = TitleText(html.escape(clean(meta["title"]), quote=True))
    title = page.title
    if isinstance(title, str) and not isinstance(title, TitleText):
        page.title = TitleText(title)


def theme_text(text: str) -> str:
    """Record text for the theme's own templates (site name, description), which MkDocs does not escape."""
    return html.escape(clean(text), quote=True)


def section_nav(sections: Sequence[SectionEntry]) -> list[dict[str, str]]:
    """MkDocs' `nav` setting made from the sections present (pages.site_sections): one tab each, in order."""
    return [{title: src_uri} for _key, src_uri, title in sections]


def footer_context(dataset: Dataset) -> dict[str, Any]:
    """What the theme's footer shows: owner, data date, and the filings and contact when given."""
    site = dataset.site
    footer = site.footer
    return {
        "owner": site.owner,
        "region": site.region,
        "as_of": format_date(site.as_of),
        "as_of_iso": site.as_of.isoformat(),
        "icp": footer.icp if footer else None,
        "police": footer.police if footer else None,
        "contact": footer.contact if footer else None,
    }

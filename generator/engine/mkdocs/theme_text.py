"""Record text in the theme's own templates, which MkDocs renders without autoescaping: titles, site name, footer."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

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


POLICE_RECORD_URL = "https://beian.mps.gov.cn/#/query/webSearch?code="
"""The public record page of a 公安备案 number: the national security filing site, queried by the number's digits."""
ICP_URL = "https://beian.miit.gov.cn/"


def police_link(number: str | None) -> str | None:
    """The record page of a 公安备案 number (豫公网安备41030202000123号 → …code=41030202000123), or None."""
    digits = re.search(r"[0-9]{8,}", number or "")
    return POLICE_RECORD_URL + digits.group(0) if digits else None


def footer_context(dataset: Dataset, site_url: str | None = None) -> dict[str, Any]:
    """What the theme's footer and every page's head show: owner, data date, site identity and filings when given.

    Site identity (政府网站网页设计规范): SiteName, SiteDomain (the host of site_url), SiteIDCode (网站标识码)."""
    site = dataset.site
    footer = site.footer
    return {
        "owner": site.owner,
        "region": site.region,
        "site_name": site.title,
        "domain": urlsplit(site_url or "").hostname or "",
        "as_of": format_date(site.as_of),
        "as_of_iso": site.as_of.isoformat(),
        "site_code": footer.site_code if footer else None,
        "conac_url": footer.conac_url if footer else None,
        "conac_image": None,  # its published URL, once the images are planned (plugin.on_files)
        "icp": footer.icp if footer else None,
        "icp_url": ICP_URL,
        "police": footer.police if footer else None,
        "police_url": police_link(footer.police) if footer else None,
        "report_url": footer.report_url if footer else None,
        "ipv6": bool(footer and footer.ipv6),
        "contact": footer.contact if footer else None,
    }

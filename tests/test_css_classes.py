"""Every CSS class our theme, templates and Python put on a page is defined: in our stylesheets or in the CSS that
mkdocs-material bundles (a class used but defined nowhere, like md-visually-hidden once was, shows its text as is);
and the classes for visually hidden text hide it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.engine import preview
from generator.records.model import STATUSES

ROOT = Path(__file__).resolve().parent.parent
OURS = ROOT / "theme" / "assets" / "stylesheets"
TEMPLATES = ROOT / "generator" / "site" / "templates"
# Our sources that write class attributes: the theme's overrides, the page templates, and Python that makes HTML.
SOURCES = sorted([*(ROOT / "theme").rglob("*.html"), *TEMPLATES.glob("*.j2"),
                  *(ROOT / "theme" / "assets" / "javascripts").glob("*.js"), *(ROOT / "generator").rglob("*.py")])
CLASS_ATTRIBUTE = re.compile(r"""\bclass=(?:"([^"]*)"|'([^']*)')""")
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
# Classes that only name a part, for the reader's own style sheet, print.css's selectors by parent, or a test to
# find it; they have no look of their own. A new class needs a rule, or a line here saying why it has none.
NAME_ONLY = {
    "fs-brand__school": "the brand's school line, styled as the facts paragraph it is in",
    "fs-downloads": "the downloads page's list of files, a plain list",
    "fs-figures--levels": "the home page's figures by level (tests read them), styled as fs-figures",
    "fs-file-links": "the links to a list's files on an honour page, a plain paragraph",
    "fs-footer__asof": "a footer line, styled by .md-copyright.fs-footer p",
    "fs-footer__code": "a footer line, styled by .md-copyright.fs-footer p",
    "fs-footer__conac": "a footer line, styled by .md-copyright.fs-footer p",
    "fs-footer__contact": "a footer line, styled by .md-copyright.fs-footer p",
    "fs-footer__filings": "a footer line, styled by .md-copyright.fs-footer p",
    "fs-footer__more": "a footer line, styled by .md-copyright.fs-footer p",
    "fs-footer__owner": "a footer line, styled by .md-copyright.fs-footer p",
    "fs-logo": "the logo macro's default class, every caller passes its own (fs-card__logo, fs-brand__logo)",
    "fs-logo--image": "the default class's modifier, see fs-logo",
    "fs-logo--placeholder": "the default class's modifier, see fs-logo",
    "fs-published": "the 发布机构/发布日期 line, a plain paragraph",
    "fs-share__hint": "the 扫码分享 panel's hint, a plain paragraph styled by .fs-share__text p",
    "fs-stars": "the stars paragraph; its parts are styled",
    "fs-stars__label": "the star words, <strong> as written",
    **{f"fs-status--{status}": "a list's status, for the reader's own style sheet; fs-status is styled"
       for status in STATUSES},
    **{f"fs-badge--{status}": "a status badge; fs-badge is styled, and fs-badge--撤销 differs"
       for status in STATUSES if status != "撤销"},
}
# What a Jinja expression in a class attribute stands for.
EXPANSIONS = {
    "{{ class }}": ("fs-logo", "fs-card__logo", "fs-brand__logo"),
    "{{ h.status }}": STATUSES,
    "{{ p.status }}": STATUSES,
}
VISUALLY_HIDDEN = ("md-visually-hidden", "fs-visually-hidden", "fs-access__status")


def material_stylesheets() -> list[Path]:
    material = pytest.importorskip("material")
    folder = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
    return sorted(folder.glob("*.css"))


def defined_classes(css: str) -> set[str]:
    """The class names a stylesheet's selectors name (declarations, comments and attribute values left out)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    previous = None
    while previous != css:
        previous, css = css, re.sub(r"\{[^{}]*\}", "{}", css)
    css = re.sub(r"\[[^\]]*\]", "", css)
    css = re.sub(r"""(["']).*?\1""", "", css)
    return set(re.findall(r"\.(-?[_a-zA-Z\u0080-\uffff][\w\u0080-\uffff-]*)", css))


def all_defined() -> set[str]:
    found: set[str] = set()
    for sheet in [*material_stylesheets(), *OURS.glob("*.css")]:
        found |= defined_classes(sheet.read_text(encoding="utf-8"))
    found |= defined_classes(preview._BANNER_CSS.replace(f"#{preview.BANNER_ID}", ""))  # the preview's own
    return found


def expand(token: str) -> list[str]:
    """A class as written in a template, with its Jinja expression replaced by every value it takes."""
    for expression, values in EXPANSIONS.items():
        if expression in token:
            return [token.replace(expression, value) for value in values]
    assert not JINJA.search(token) and "{" not in token and "}" not in token, \
        f"a class made by an expression this test does not know: {token}"
    return [token]


def used_classes() -> dict[str, str]:
    """Every class written in a class attribute in our sources, with where it was first seen."""
    used: dict[str, str] = {}
    for source in SOURCES:
        text = source.read_text(encoding="utf-8")
        if source.suffix == ".py":
            text = text.replace('{attribute(css_class)}', "")  # images.py passes on what a template gives it
        for match in CLASS_ATTRIBUTE.finditer(text):
            value = match.group(1) if match.group(1) is not None else match.group(2)
            value = re.sub(r"\{\{\s*(\w+(?:\.\w+)?)\s*\}\}", lambda m: "{{ " + m.group(1) + " }}", value)
            tokens = re.findall(r"(?:[^\s{]|\{\{.*?\}\})+", value)
            for token in tokens:
                for name in expand(token):
                    used.setdefault(name, f"{source.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}")
    return used


def test_defined_classes_reads_selectors_not_declarations() -> None:
    css = """/* .not-this */ .a, .b:hover > .c-d__e { width: .5rem; background: url(x.png) }
             @media (max-width: 44.9375em) { .f[data-x=".g"] .h { margin: 0 } }
             .fs-badge--撤销 { color: red }"""
    assert defined_classes(css) == {"a", "b", "c-d__e", "f", "h", "fs-badge--撤销"}


def test_the_sources_are_read() -> None:
    used = used_classes()
    assert {"md-visually-hidden", "fs-card__logo--placeholder", "fs-badge--公示", "fs-logo__text"} <= set(used)
    assert len(used) > 60


def test_every_class_we_use_is_defined() -> None:
    defined = all_defined()
    undefined = {name: where for name, where in used_classes().items()
                 if name not in defined and name not in NAME_ONLY}
    assert undefined == {}, "\n".join(f"{where}: class {name} is defined in no stylesheet" for name, where in
                                      sorted(undefined.items()))


def test_name_only_classes_are_still_used_and_still_unstyled() -> None:
    used, defined = used_classes(), all_defined()
    assert sorted(set(NAME_ONLY) - set(used)) == []  # a stale entry goes
    assert sorted(set(NAME_ONLY) & defined) == []  # a class that got a rule leaves the list


def test_every_class_on_the_built_pages_is_defined(built_site: Path) -> None:
    """What the templates and Python really wrote, theme and mkdocs-material's own templates included."""
    defined = all_defined()
    undefined: dict[str, str] = {}
    for page in sorted(built_site.rglob("*.html")):
        for match in CLASS_ATTRIBUTE.finditer(page.read_text(encoding="utf-8")):
            for name in (match.group(1) or match.group(2) or "").split():
                if name not in defined and name not in NAME_ONLY:
                    undefined.setdefault(name, str(page.relative_to(built_site)))
    assert undefined == {}


@pytest.mark.parametrize("name", VISUALLY_HIDDEN)
def test_visually_hidden_classes_hide_their_text(name: str) -> None:
    """Each is defined once with the whole pattern: taken out of the flow, 1 px, clipped, no overflow."""
    rules = []
    for sheet in OURS.glob("*.css"):
        css = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.DOTALL)
        rules += [body for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)
                  if re.search(rf"\.{re.escape(name)}(?![\w-])", selectors)]
    declarations = " ".join(rules).replace("!important", "")
    for needed in ("position: absolute", "width: 1px", "height: 1px", "overflow: hidden", "clip: rect(0 0 0 0)",
                   "white-space: nowrap"):
        assert needed in " ".join(declarations.split()), f".{name} lacks {needed}"

"""Image attributes escaped, Markdown fields neutralised, rendered HTML cleaned, invisible characters dropped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.sanitize import clean, clean_html, markdown_block

EXTENSIONS = [
    "abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc", "smarty",
    "pymdownx.betterem", "pymdownx.caret", "pymdownx.critic", "pymdownx.details", "pymdownx.emoji",
    "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.keys", "pymdownx.magiclink", "pymdownx.mark",
    "pymdownx.smartsymbols", "pymdownx.superfences", "pymdownx.tasklist", "pymdownx.tilde",
]
"""Every extension mkdocs-material documents: record text must stay inert whichever the site enables."""


def render(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS)


class Tree(HTMLParser):
    """Tags, attributes and visible text of an HTML fragment."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.text = ""
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, name, value) for name, value in attrs]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text += data


def dangerous(fragment: str) -> list[str]:
    """Everything in an HTML fragment that could run code or load something."""
    tree = Tree(fragment)
    found = [t for t in tree.tags if t in {"script", "iframe", "object", "embed", "base", "meta", "style", "form",
                                            "input", "link", "frame", "frameset", "applet", "math"}]
    for _tag, name, value in tree.attrs:
        if name.startswith("on") or name in {"formaction", "srcdoc"}:
            found.append(f"{name}=")
        if name == "style" and not re.fullmatch(r"\s*text-align:\s*\w+\s*;?\s*", value or ""):
            found.append(f"style={value}")
        if name in {"href", "src", "srcset", "action", "xlink:href", "background", "poster"} and value:
            scheme = url_scheme(value)
            if scheme is not None and scheme not in {"http", "https", "mailto"}:
                found.append(f"{name}={value}")
    return found


def url_scheme(url: str) -> str | None:
    """The scheme a browser reads in a URL: ends stripped of controls and spaces, tabs and newlines removed."""
    squeezed = re.sub(r"[\t\n\r]", "", url.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r"
                                                     "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a"
                                                     "\x1b\x1c\x1d\x1e\x1f "))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", squeezed)
    return match.group(1).lower() if match else None


PAYLOADS = [
    "<script>alert(1)</script>", '" onmouseover="alert(1)', "' onfocus='alert(1)' autofocus '",
    "<svg onload=alert(1)>", "<img src=x onerror=alert(1)>", "<iframe src=https://example.com></iframe>",
    "[点我](javascript:alert(1))", "[点我](JaVaScRiPt:alert(1))", "<javascript:alert(1)>",
    "[x](&#106;avascript:alert(1))", "[x][r]\n\n[r]: javascript:alert(1)", "![x](data:image/svg+xml,<svg onload=1>)",
    "{: onclick=\"alert(1)\" }", "区一实小{: .x onclick=alert(1) }", "</script><script>alert(1)</script>",
    "<style>body{display:none}</style>", "<base href=https://example.com/>", "<meta http-equiv=refresh content=0>",
    "<form action=https://example.com><button>x</button></form>", "x:expression(alert(1))",
    "{{ 7*7 }} {% raw %}x{% endraw %}", "**粗** _斜_ `码` ~~删~~ ==标== ^上^ ~下~ ++键++", "1. 列表", "- 列表",
    "# 标题", "> 引用", "| a | b |", ":smile: (c) 1/2 --> ... -- ''", "https://example.com www.example.com",
    "a\\b", "&lt;script&gt; &amp; &#60;", "区一\u202e小实\u202c", "区一\u200b实小", "a\x00b\x07c", "名" * 10_000,
    "{++加++}{--删--}", "*[HTML]: 缩写", "[^1]\n\n[^1]: 脚注", "Term\n: 定义", "- [ ] 任务",
]


# -- image attributes: a caption never leaves its alt -------------------------------------------------------------

def picture(alt: str, url: str = "images/a b.png") -> str:
    from generator.site.images import Rendition, ResponsiveImage, image_html

    fallback = Rendition(url, 300, 200, "png")
    image = ResponsiveImage("images/a.png", "photo", "0" * 16, 300, 200,
                            (Rendition("images/a-300.webp", 300, 200, "webp"),), fallback)
    return image_html(image, alt, url=lambda u: "../../" + u)


@pytest.mark.parametrize("text", PAYLOADS)
def test_a_caption_stays_inside_its_alt(text: str) -> None:
    tree = Tree(picture(text))
    assert [(t, n) for t, n, _ in tree.attrs] == [("source", "type"), ("source", "srcset"), ("source", "sizes"),
                                                   ("img", "src"), ("img", "alt"), ("img", "width"),
                                                   ("img", "height"), ("img", "loading"), ("img", "decoding")]
    assert dict((n, v) for t, n, v in tree.attrs if t == "img")["alt"] == clean(text)


@given(st.text(max_size=80), st.text(max_size=20))
@settings(max_examples=200, deadline=None)
def test_image_attributes_never_break_out(text: str, name: str) -> None:
    tree = Tree(picture(text, f"images/{name}.png"))
    img = {n: v for t, n, v in tree.attrs if t == "img"}
    assert img["alt"] == clean(text) and img["src"] == "../../images/" + clean(name) + ".png"
    assert [t for t, _n, _v in tree.attrs] == ["source"] * 3 + ["img"] * 6


# -- clean: what a reader cannot see ------------------------------------------------------------------------

def test_clean_drops_direction_overrides_zero_width_and_control_characters() -> None:
    assert clean("区一\u202e小实\u202c") == "区一小实"
    assert clean("区\u200b一\u200d实\ufeff小\u2066\u2069") == "区一实小"
    assert clean("a\x00b\x1bc\u00add") == "abcd"
    assert clean("第一行\r\n第二行\u2028第三行") == "第一行\n第二行\n第三行"


# -- markdown_block: Markdown yes, HTML and script links no ---------------------------------------------------

def test_markdown_fields_keep_ordinary_markdown() -> None:
    text = "第一段，**重点**和*强调*。\n\n- 一\n- 二\n\n> 引用\n\n[教育局](https://example.gov.cn/a_(b)) 和 <https://example.com>"
    html = render(markdown_block(text))
    tree = Tree(html)
    for tag in ("strong", "em", "ul", "li", "blockquote", "a"):
        assert tag in tree.tags, (tag, html)
    hrefs = [v for t, n, v in tree.attrs if n == "href"]
    assert hrefs == ["https://example.gov.cn/a_(b)", "https://example.com"]


@pytest.mark.parametrize("text", [
    "[x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))", "[x]( javascript:alert(1))", "[x](<javascript:alert(1)>)",
    "[x](javascript&#58;alert(1))", "[x](&#106;avascript:alert(1))", "[x](java&#x73;cript:alert(1))",
    "[x](jav\u200bascript:alert(1))", "[x](vbscript:msgbox(1))", "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](data:image/svg+xml;base64,PHN2Zz4=)", "[x](file:///etc/passwd)", "[x] (javascript:alert(1))",
    "[x][r]\n\n[r]: javascript:alert(1)", "[x][r]\n\n[r]: <javascript:alert(1)>", "[x]\n\n[x]: data:text/html,1",
    "<javascript:alert(1)>", "<a href=\"javascript:alert(1)\">x</a>", "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>", "<iframe src=\"https://example.com\"></iframe>", "<script>alert(1)</script>",
    "段落\n{: onclick=\"alert(1)\" }", "[x](https://example.com){: onmouseover=alert(1) }",
    "<div markdown=\"1\" onclick=\"alert(1)\">x</div>", "<!-- <script>alert(1)</script> -->",
    "<style>*{display:none}</style>", "<base href=\"https://example.com/\">",
    "<meta http-equiv=\"refresh\" content=\"0\">",
    "<form action=\"https://example.com\"><input></form>", "<object data=\"x\"></object>", "<embed src=\"x\">",
    "&lt;script&gt;alert(1)&lt;/script&gt;", "\x00<script>alert(1)</script>",
])
def test_markdown_fields_let_no_script_handler_or_frame_through(text: str) -> None:
    html = render(markdown_block(text))
    assert dangerous(html) == [], html
    assert dangerous(clean_html(html)) == []


def test_markdown_fields_show_html_as_text_rather_than_dropping_it() -> None:
    html = render(markdown_block("请看 <b>加粗</b> 和 <script>x()</script>"))
    assert "<b>加粗</b>" in Tree(html).text
    assert "<script>x()</script>" in Tree(html).text


def test_markdown_fields_keep_the_word_javascript_harmless_in_plain_text() -> None:
    html = render(markdown_block("课程包括 JavaScript: 入门"))
    assert Tree(html).text == "课程包括 JavaScript: 入门"


# -- clean_html: the second fence ------------------------------------------------------------------------

THEME_MARKUP = "\n".join([
    '<h2 id="x">标题<a class="headerlink" href="#x" title="Permanent link">&para;</a></h2>',
    '<div class="admonition note"><p class="admonition-title">编者说明</p><p>文字</p></div>',
    '<details class="note"><summary>更多</summary><p>内容</p></details>',
    '<table><thead><tr><th style="text-align: center;">名称</th></tr></thead><tbody><tr><td>区一实小</td>'
    "</tr></tbody></table>",
    '<div class="highlight"><pre><span></span><code><span class="n">x</span></code></pre></div>',
    '<div class="fs-copy"><p class="fs-copy__text" id="copy-1">名单</p>'
    '<button type="button" class="md-button fs-copy__button" data-copy="copy-1">复制名单</button>'
    '<span class="fs-copy__status" role="status" aria-live="polite"></span></div>',
    '<p class="fs-asof">数据截至 <time datetime="2023-07-21">2023年7月21日</time></p>',
    '<picture><source type="image/webp" srcset="a-320.webp 320w, a-640.webp 640w" sizes="100vw">'
    '<img src="a.jpg" alt="照片" width="640" height="480" loading="lazy" decoding="async"></picture>',
    '<span class="twemoji"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
    '<path d="M12 2 2 7l10 5"></path></svg></span>',
    '<a class="md-button" href="../branches/qu-yishixiao/">区一实小</a>',
    '<div class="fs-gallery" role="list">'
    '<a class="fs-card" role="listitem" data-kind="小学" href="x/">卡片</a></div>',
    '<ol start="3"><li>三</li></ol>',
])


def test_clean_html_keeps_what_markdown_the_theme_and_our_templates_produce() -> None:
    cleaned = clean_html(THEME_MARKUP)
    before, after = Tree(THEME_MARKUP), Tree(cleaned)
    assert after.tags == before.tags
    def tidy(attrs: list[tuple[str, str, str | None]]) -> list[tuple[str, str, str | None]]:
        return sorted((t, n, re.sub(r"[\s;]", "", v or "") if n == "style" else v) for t, n, v in attrs)

    assert tidy(after.attrs) == tidy(before.attrs)
    assert after.text == before.text


@pytest.mark.parametrize(("fragment", "gone"), [
    ("<script>alert(1)</script>", "alert"), ("<p onclick=\"x\">t</p>", "onclick"),
    ("<a href=\"javascript:alert(1)\">t</a>", "javascript"), ("<a href=\"JaVa&#x09;script:alert(1)\">t</a>", "script:"),
    ("<img src=\"data:image/png;base64,AAAA\">", "data:"), ("<iframe src=\"https://example.com\"></iframe>", "iframe"),
    ("<object data=\"x\"></object>", "object"), ("<embed src=\"x\">", "embed"), ("<base href=\"/\">", "base"),
    ("<meta http-equiv=\"refresh\" content=\"0\">", "meta"), ("<style>p{}</style>", "style"),
    ("<form action=\"x\"><input name=\"a\"></form>", "form"), ("<svg onload=\"x\"><path d=\"M0\"/></svg>", "onload"),
    ("<svg><foreignObject><p>t</p></foreignObject></svg>", "foreignObject"), ("<svg><use href=\"#a\"/></svg>", "use"),
    ("<p style=\"background:url(javascript:alert(1))\">t</p>", "style"),
    ("<td style=\"text-align:left;position:fixed\">t</td>", "position"), ("<!-- comment -->", "comment"),
    ("<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>", "javascript"),
    ("<link rel=stylesheet href=x>", "link"),
])
def test_clean_html_removes_everything_that_runs_loads_or_restyles(fragment: str, gone: str) -> None:
    cleaned = clean_html(f"<table><tr>{fragment}</tr></table>" if fragment.startswith("<td") else fragment)
    assert gone not in cleaned
    assert dangerous(cleaned) == []

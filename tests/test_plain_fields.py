"""A staff-written Markdown field that is plain prose skips Markdown and still gets exactly Markdown's HTML."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.sanitize import clean_html, markdown_block
from generator.site.render import _field_converter, field_html, plain_paragraphs

PROSE = st.text(alphabet=st.sampled_from(list("中文段落第一二。，、“”：ab XY 12\n\n\t\u200b*#-_[]()<>&`.!|{}:\\=+>")),
                max_size=60)


def markdown_html(text: str) -> str:
    md, _links = _field_converter()
    return clean_html(md.reset().convert(markdown_block(text)))


@settings(max_examples=400, deadline=None)
@given(PROSE)
@example("第一段。\n第二行\n\n第二段 abc 123")
@example("中文\n\n\n\n下一段")
@example("1\n2")
def test_the_prose_fast_path_gives_markdowns_html_or_steps_aside(text: str) -> None:
    fast = plain_paragraphs(text)
    if fast is not None:
        assert fast == markdown_html(text)
        assert str(field_html(text, "branches/a.md")) == fast


def test_prose_takes_the_fast_path_and_markup_does_not() -> None:
    assert plain_paragraphs("学校坚持党建引领。\n\n第二段 2024 年") is not None
    for marked in ("**强调**", "1. 列表", "- 列表", "# 标题", "[链接](https://example.cn)", "    缩进", "行尾  \n换行",
                   "a & b", "<b>", "标题\n===", "javascript:alert(1)"):
        assert plain_paragraphs(marked) is None, marked

"""Chinese quotation marks around a value in a message: once, never doubled, nested as GB/T 15834—2011 says."""

from __future__ import annotations

OPEN, CLOSE = "“", "”"
INNER_OPEN, INNER_CLOSE = "‘", "’"
_SWAP = str.maketrans({OPEN: INNER_OPEN, CLOSE: INNER_CLOSE, INNER_OPEN: OPEN, INNER_CLOSE: CLOSE})


def is_quoted(text: str) -> bool:
    """True when the whole text is one pair of “…”: “红育” is, “红育”党建 and “甲”和“乙” are not."""
    if len(text) < 2 or not text.startswith(OPEN) or not text.endswith(CLOSE):
        return False
    depth = 0
    for i, char in enumerate(text):
        if char == OPEN:
            depth += 1
        elif char == CLOSE:
            depth -= 1
            if depth == 0:
                return i == len(text) - 1
    return False


def nest(text: str) -> str:
    """The text as it stands inside an outer “…”: its “…” become ‘…’, its ‘…’ become “…” (党建“双创” → 党建‘双创’)."""
    return text.translate(_SWAP)


def unquoted(text: str) -> str:
    """The text without the pair of quotes around all of it (“市级” → 市级); other text as it is."""
    return text[1:-1] if is_quoted(text) or (len(text) > 1 and text[0] + text[-1] in ('""', "''", "‘’")) else text


def quoted(value: object) -> str:
    """A value named in a message, in “…” once.

    A value that is already one quoted span is shown as it is (“红育”, not ““红育””); any other value is wrapped,
    its own quotes nested: “红育”党建 → “‘红育’党建”, so no pair of “ ever opens inside another.
    """
    text = str(value)
    if is_quoted(text):
        return text
    return f"{OPEN}{nest(text)}{CLOSE}"

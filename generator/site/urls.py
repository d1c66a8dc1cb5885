"""Where each generated page lives: its source path (the engine turns it into a URL)."""

from __future__ import annotations


def branch_uri(branch_id: str) -> str:
    return f"branches/{branch_id}.md"


def brand_uri(branch_id: str) -> str:
    return f"brands/{branch_id}.md"


def honour_uri(slug: str) -> str:
    return f"honours/{slug}.md"


def event_uri(event_id: str) -> str:
    return f"events/{event_id}.md"

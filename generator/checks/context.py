"""What a rule across records knows beyond the Dataset (its own module, so that rule modules import it freely)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

ANY_RECORD = "*"
"""In `Context.unreadable`: a folder of records could not be read at all (a link that cannot be followed)."""


@dataclass(frozen=True)
class Context:
    """What the loader knows beyond the Dataset: record files that exist but could not be read, and today."""

    unreadable: Mapping[str, frozenset[str]] = field(default_factory=dict)
    today: dt.date | None = None

    def broken(self, folder: str, record_id: str) -> bool:
        ids = self.unreadable.get(folder, frozenset())
        return record_id in ids or ANY_RECORD in ids

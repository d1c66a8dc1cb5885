"""What a rule across records knows beyond the Dataset (its own module, so that rule modules import it freely)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

ANY_RECORD = "*"
"""In `Context.unreadable`: a folder of records could not be read at all (a link that cannot be followed)."""
MEMBERS = "members"
"""In `Context.unreadable`: the member regions whose data could not be checked (site.yaml `members`)."""


@dataclass(frozen=True)
class Context:
    """What the loader knows beyond the Dataset: record files that exist but could not be read, and today."""

    unreadable: Mapping[str, frozenset[str]] = field(default_factory=dict)
    today: dt.date | None = None

    def broken(self, folder: str, record_id: str) -> bool:
        """Whether a record may exist but could not be read: its own file, its folder, or its member region's data
        (`luolong/…` when luolong's data has errors of its own: site.yaml `members`, records/members.py)."""
        ids = self.unreadable.get(folder, frozenset())
        if record_id in ids or ANY_RECORD in ids:
            return True
        failed = self.unreadable.get(MEMBERS, frozenset())
        return bool(failed) and record_id.partition("/")[0] in failed

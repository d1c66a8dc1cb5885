"""fivestar: records of a district's “五星” party branches, validated and rendered into a showcase site."""

from __future__ import annotations

__version__ = "0.1.0"

"""Whether to colour a stream: one rule for every command (lint, show, exec).

Colour only on a terminal, not on TERM=dumb, and not when NO_COLOR is set to a non-empty value:
https://no-color.org says "when present and not an empty string", so `NO_COLOR=` keeps colour.
"""

from __future__ import annotations

import os


def wanted(stream) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())

""""Did you mean …?": the known word a mistyped one most likely is, for every message that offers one."""

from __future__ import annotations


def closest(word: str, choices, cutoff: float = 0.6) -> str | None:
    """The choice closest to `word` (difflib's ratio at least `cutoff`), or None."""
    import difflib  # only when something is mistyped: a clean run never needs it

    matches = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=cutoff)
    return matches[0] if matches else None

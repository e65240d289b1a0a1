"""JSON pointers (RFC 6901): how findings, schema errors and the model name a place in a document.

`/steps/0/run` is the `run` of the first step; `~` and `/` inside a key are written `~0` and `~1`.
"""

from __future__ import annotations

from collections.abc import Iterable


def escape(token) -> str:
    """One key or index as a pointer token."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join(tokens: Iterable) -> str:
    """`("steps", 0, "run")` -> `/steps/0/run`; no tokens is the whole document, ``."""
    return "".join("/" + escape(token) for token in tokens)


def child(pointer: str, token) -> str:
    """The pointer of one key or index under `pointer`."""
    return f"{pointer}/{escape(token)}"


def split(pointer: str) -> list[str]:
    """`/steps/0/run` -> `["steps", "0", "run"]` (indexes stay text, as in the pointer)."""
    if not pointer:
        return []
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def within(pointer: str, ancestor: str) -> bool:
    """True when `pointer` is `ancestor` itself or lies under it (`/steps/1/id` is within `/steps/1`)."""
    return pointer == ancestor or pointer.startswith(ancestor + "/") or ancestor == ""

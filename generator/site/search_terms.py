"""Extra words for the search index, so that what people type finds the page.

The search separator keeps `pg_terminate_backend` and `PaymentServiceDown` whole (exact queries rank the
page first); these helpers add the split forms beside them: alert names as words (`Payment Service
Down`) and as their shorter camel-case runs (`ServiceDown`), and commands' snake_case words split on `_`
(`pg terminate backend`). Templates put them in a hidden paragraph of the section they belong to
(`rb-search-terms`), which the search index reads and the page, the print and screen readers do not show.
"""

from __future__ import annotations

import re

# Camel-case parts: "RabbitMQQueueBacklog" -> Rabbit, MQ, Queue, Backlog; "KubePodOOMKilled" -> Kube, Pod, OOM, Killed.
_CAMEL_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_SNAKE_WORD = re.compile(r"\b[A-Za-z0-9]*[a-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")


def alert_terms(name: str) -> list[str]:
    """The alert name in words, then every shorter run of two or more of its parts, joined."""
    parts = _CAMEL_PART.findall(name)
    if len(parts) < 2:
        return []
    runs = ["".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 2, len(parts) + 1)
            if (i, j) != (0, len(parts))]
    return [" ".join(parts), *runs]


def command_terms(command: str | None) -> list[str]:
    """snake_case words of a command (`pg_terminate_backend`, not the variables' `DB_HOST`) split on `_`."""
    seen: dict[str, None] = {}
    for word in _SNAKE_WORD.findall(command or ""):
        seen.setdefault(word.replace("_", " "), None)
    return list(seen)


def hidden(*terms) -> str:
    """The hidden paragraph holding the terms (strings or lists of them, HTML-escaped), or nothing."""
    import html

    flat = [t for term in terms for t in ([term] if isinstance(term, str) else term)]
    words = " ".join(t for t in flat if t)
    return f'<p class="rb-search-terms" aria-hidden="true">{html.escape(words)}</p>' if words else ""

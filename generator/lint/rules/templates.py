"""RB6xx: message templates: every `{{NAME}}` declared, every declared placeholder used."""

from __future__ import annotations

import re

from ...findings import register
from ...model import Templates

UNDECLARED = register("RB601", "undeclared-placeholder", "error", "A template body uses a `{{NAME}}` that `placeholders` does not declare.",
                      "Each `{{NAME}}` in a template body is declared under `placeholders` with a line saying what to write there; the site and the executor show it. Declare it or fix the name.")
UNUSED = register("RB602", "unused-placeholder", "warning", "A declared placeholder does not appear in the template body.",
                  "A placeholder under `placeholders` that the body never uses as `{{NAME}}` is a leftover or a typo. Remove it or use it.")

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def check(ctx):
    for document in ctx.documents:
        if not isinstance(document, Templates):
            continue
        for template in document.templates:
            declared = dict(template.placeholders)
            used: set[str] = set()
            for match in _PLACEHOLDER.finditer(template.body):
                name = match.group(1)
                if name not in declared and name not in used:
                    yield ctx.finding(UNDECLARED, document, template.pointer + "/body",
                                      f"template {template.id!r} uses {{{{{name}}}}} but does not declare it under `placeholders`", offset=match.start())
                used.add(name)
            for name in declared:
                if name not in used:
                    yield ctx.finding(UNUSED, document, f"{template.pointer}/placeholders/{name}",
                                      f"placeholder {name} of template {template.id!r} is not used in its body", key=True)

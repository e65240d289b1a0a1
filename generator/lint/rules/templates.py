"""RB6xx: message templates: every `{{NAME}}` declared, every declared placeholder used."""

from __future__ import annotations

import re

from ...codes import RULES
from ...model import Templates

UNDECLARED = RULES["RB601"]
UNUSED = RULES["RB602"]

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
                if name not in declared and name not in used and not ctx.replaced(document, f"{template.pointer}/placeholders/{name}"):
                    yield ctx.finding(UNDECLARED, document, template.pointer + "/body",
                                      f"template {template.id!r} uses {{{{{name}}}}} but does not declare it under `placeholders`", offset=match.start())
                used.add(name)
            if ctx.replaced(document, template.pointer + "/body"):
                continue  # the body was repaired: which placeholders it uses is not known
            for name in declared:
                if name not in used:
                    yield ctx.finding(UNUSED, document, f"{template.pointer}/placeholders/{name}",
                                      f"placeholder {name} of template {template.id!r} is not used in its body", key=True)

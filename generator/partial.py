"""An invalid document's valid parts, so that lint checks them: one error never hides the others.

The site and the executor only use documents that passed the loader and the schema. Lint also builds a
*partial* document from one that failed: every node a loader or schema finding points at is repaired
(an unknown key is removed, a missing required key is filled in, a value of the wrong type or form is
replaced by a neutral one such as `""`), the result is turned into the usual model objects, and the
repaired places are kept as `Damage`. Rules then run on everything, and what depends on a repaired node
is skipped: findings that point into a repaired value are dropped by the engine, and the few rules that
draw a conclusion from another node (an undeclared variable, an unused one, an unmarked destructive
command) ask the context whether that node is intact.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from . import pointers
from .model import Document, build_document
from .schema import closest_key, is_key_error, load_schema


@dataclass(frozen=True)
class Damage:
    """Where a partial document differs from what the author wrote."""

    # Pointers whose value is not the author's: removed, filled in or replaced by a neutral value, or
    # the key an unknown key misspells (its value is not where it belongs).
    replaced: frozenset[str]
    # Pointers of nodes kept as written that break a rule about their whole (a step with neither `run`,
    # `checklist` nor `template`; a runbook with both `steps` and `phases`): their parts are checked, a
    # conclusion about all of them (a variable no command uses) is not drawn.
    incomplete: frozenset[str] = frozenset()

    def replaced_at(self, pointer: str) -> bool:
        """The value at `pointer` (or a node around it) is not the author's."""
        return any(pointers.within(pointer, place) for place in self.replaced)

    def touches(self, pointer: str) -> bool:
        """Something at, around or inside `pointer` is repaired or incomplete."""
        return any(pointers.within(pointer, place) or pointers.within(place, pointer)
                   for place in self.replaced | self.incomplete)


@dataclass(frozen=True)
class PartialDocument:
    document: Document
    damage: Damage


def partial_document(data: dict, path: str, sha256: str, schema_errors: list, loader_pointers: list[str]) -> PartialDocument | None:
    """The model object of an invalid document's valid parts, or None when nothing sound can be built
    (the top-level mapping itself is broken)."""
    kind = data.get("kind")
    root_schema = load_schema(kind)
    repaired = copy.deepcopy(data)
    replaced: set[str] = set(loader_pointers)
    incomplete: set[str] = set()
    fills: list[tuple[list, Any]] = []  # (path, neutral value), applied shortest path first
    for error in schema_errors:
        where = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = error.schema.get("properties", {})
            for key in error.instance:
                if key not in allowed:
                    fills.append((where + [key], _REMOVE))
                    # A misspelt key (`rsik:`) means its value is missing from where it belongs: the
                    # author's `risk` is not known, so nothing is concluded from its absence either.
                    meant = closest_key(str(key), allowed)
                    if meant is not None and meant not in error.instance:
                        replaced.add(pointers.join(where + [meant]))
        elif is_key_error(error):
            fills.append((where + [error.instance], _REMOVE))  # a key can only be removed, not repaired
        elif error.validator == "required" and isinstance(error.instance, dict):
            properties = error.schema.get("properties", {})
            fills += [(where + [key], _neutral(properties.get(key, {}), root_schema))
                      for key in error.validator_value if key not in error.instance]
        elif error.validator in ("oneOf", "anyOf") and isinstance(error.instance, dict):
            incomplete.add(pointers.join(where))  # a rule about which keys are present, not about a value
            alternatives = [alt.get("required", []) for alt in error.validator_value if alt.get("required")]
            if alternatives and not any(all(key in error.instance for key in keys) for keys in alternatives):
                # None of the alternatives is there (no `steps` nor `phases`): the first one's keys are
                # filled in so that the rest of the document can still be built and checked.
                properties = error.schema.get("properties", {})
                fills += [(where + [key], _neutral(properties.get(key, {}), root_schema))
                          for key in alternatives[0] if key not in error.instance]
        else:
            fills.append((where, _neutral(error.schema, root_schema)))
    if "" in replaced:
        return None  # the loader could not build the top-level mapping as written
    # The loader's findings (a duplicate key, an unquoted `yes`) keep a best-effort value (the first of
    # the two keys, the text): it stays, marked as not the author's; the schema repairs it if it must.
    done: list[str] = []
    for where, value in sorted(fills, key=lambda fill: len(fill[0])):
        pointer = pointers.join(where)
        if not where:
            return None
        if any(pointers.within(pointer, place) for place in done):
            continue  # inside a node already repaired
        done.append(pointer)
        replaced.add(pointer)
        _put(repaired, where, value)
    try:
        document = build_document(repaired, path, sha256)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        # The model needs something the repair could not give (a case the schema allows only in a form
        # the neutral value misses); the schema findings still stand, the rules skip this file.
        return None
    return PartialDocument(document, Damage(frozenset(replaced), frozenset(incomplete)))


_REMOVE = object()


def _put(data, where: list, value) -> None:
    """Set (or remove) the value at a path; a path through a node that is no longer there is ignored."""
    node = data
    for token in where[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and isinstance(token, int) and token < len(node):
            node = node[token]
        elif isinstance(node, list) and isinstance(token, str) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return
    last = where[-1]
    if isinstance(node, dict):
        if value is _REMOVE:
            node.pop(last, None)
        else:
            node[last] = value
    elif isinstance(node, list):
        index = int(last)
        if index < len(node):
            # A list item is replaced, never removed: the indexes of the others (and their pointers) stay.
            node[index] = None if value is _REMOVE else value


def _resolve(schema: dict, root: dict) -> dict:
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/"):
        target = root
        for token in pointers.split(schema["$ref"][1:]):
            target = target[token]
        schema = target
    return schema if isinstance(schema, dict) else {}


def _neutral(schema: dict, root: dict):
    """A value of the schema's type that says nothing: `""`, `[]`, an object with its required keys."""
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = kind[0] if kind else None
    if kind == "object":
        properties = schema.get("properties", {})
        return {key: _neutral(properties.get(key, {}), root) for key in schema.get("required", ())}
    return {"array": [], "string": "", "integer": 0, "number": 0, "boolean": False}.get(kind)

"""Schema validation: which schema a document follows, and schema errors as findings with lines.

jsonschema-rs answers "valid?" in microseconds; only for an invalid document does the pure-Python
validator run, because its `best_match` gives the clearest message for a person.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jsonschema_rs

from . import pointers
from .codes import RULES
from .findings import Finding
from .suggest import closest
from .loading import Source

SCHEMA_FILES = {
    "runbook": "runbook.schema.json",
    "severity-levels": "severity-levels.schema.json",
    "escalation-policy": "escalation-policy.schema.json",
    "templates": "templates.schema.json",
    "reference": "reference.schema.json",
    "runbook-test": "runbook-test.schema.json",
}

SCHEMA = RULES["RB100"]
KIND = RULES["RB101"]


def schema_dir() -> Path:
    """The schemas: inside the installed package (wheel), else at the checkout's top level."""
    packaged = Path(__file__).parent / "schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "schemas"


@lru_cache(maxsize=None)
def load_schema(kind: str) -> dict:
    return json.loads((schema_dir() / SCHEMA_FILES[kind]).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _fast_validator(kind: str):
    return jsonschema_rs.Draft202012Validator(load_schema(kind), validate_formats=True)


@lru_cache(maxsize=None)
def _python_validator(kind: str):
    import jsonschema  # only for invalid documents: keeps `runbook lint` of valid files from importing it

    cls = jsonschema.Draft202012Validator
    return cls(load_schema(kind), format_checker=cls.FORMAT_CHECKER)


@dataclass
class Validation:
    findings: list[Finding]  # one per place, the clearest message for a person
    errors: list = field(default_factory=list)  # every jsonschema error, for partial.py to repair the document
    kind_known: bool = True


def validate(source: Source) -> list[Finding]:
    """Schema findings for a loaded source (empty when it is valid)."""
    return check(source).findings


def check(source: Source) -> Validation:
    """Schema findings for a loaded source, and the errors behind them."""
    data = source.data
    kind = data.get("kind") if isinstance(data, dict) else None
    if not isinstance(kind, str) or kind not in SCHEMA_FILES:  # `kind: [runbook]` is not a kind either
        line, column = source.locate("/kind") if "kind" in data else (1, 1)
        got = f"`kind: {kind}` is not a known kind" if kind is not None else "missing `kind`"
        return Validation([source.finding(KIND, f"{got}; use one of: {', '.join(SCHEMA_FILES)}", line, column, "/kind")], kind_known=False)
    if _fast_validator(kind).is_valid(data):
        return Validation([])
    import jsonschema

    # One finding per place: a value that breaks two keywords (a bad date fails `pattern` and `format`)
    # gets the best-matching message only. Each missing or unknown key stays a finding of its own.
    errors = list(_python_validator(kind).iter_errors(data))
    groups: dict[tuple, list] = {}
    for error in errors:
        separate = error.validator in ("required", "additionalProperties")
        groups.setdefault((tuple(error.absolute_path), error.message if separate else ""), []).append(error)
    best = [jsonschema.exceptions.best_match(group) for group in groups.values()]
    best.sort(key=lambda e: [str(p) for p in e.absolute_path])
    return Validation([finding for error in best for finding in _to_findings(source, error)], errors)


# JSON Schema's words for types, in the words of a YAML author.
_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "text", "integer": "a whole number",
               "number": "a number", "boolean": "true or false", "null": "empty"}


def _type_names(types) -> str:
    types = [types] if isinstance(types, str) else list(types)
    return " or ".join(_TYPE_NAMES.get(t, t) for t in types)


def _shown(value) -> str:
    # The value as the author wrote it in YAML (`true`, `null`), not as Python prints it (`True`, `None`).
    text = {True: "true", False: "false", None: "null"}.get(value, None) if isinstance(value, (bool, type(None))) \
        else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def is_key_error(error) -> bool:
    """A `propertyNames` error: about a key of the mapping at the error's path (the key is its instance)."""
    return "propertyNames" in error.absolute_schema_path and isinstance(error.instance, str)


def _to_findings(source: Source, error) -> list[Finding]:
    """A finding per unknown key of a mapping (`result:` and `expected:` misspelt in one scenario are two
    mistakes, each with its line and its "did you mean"), else one finding for the error."""
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extras = [k for k in error.instance if k not in allowed]
        if len(extras) > 1:
            return [_to_finding(source, error, extra) for extra in extras]
    return [_to_finding(source, error)]


def _to_finding(source: Source, error, extra: str | None = None) -> Finding:
    pointer = pointers.join(error.absolute_path)
    message = error.message
    key = False
    if is_key_error(error):
        # The error is about a key (a lower-case variable name): point at that key, not at its mapping.
        pointer = pointers.child(pointer, error.instance)
        key = True
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extras = [extra] if extra is not None else [k for k in error.instance if k not in allowed]
        if extras:
            pointer = pointers.child(pointer, extras[0])
            key = True
            hint = closest_key(extras[0], allowed)
            message = f"unknown property {extras[0]!r}" + (f"; did you mean {hint!r}?" if hint else f"; allowed: {', '.join(sorted(allowed))}")
    elif error.validator == "required":
        key = True
        message = f"missing required property {message.split(' is a required')[0]}"
    elif error.validator == "dependentRequired" and isinstance(error.instance, dict):
        # "'run' is a dependency of 'retry'" reads backwards: say what the property needs.
        field = next((k for k, needs in error.validator_value.items() if k in error.instance
                      and any(n not in error.instance for n in needs)), None)
        if field:
            pointer, key = f"{pointer}/{field}", True
            message = f"`{field}` needs `{'`, `'.join(error.validator_value[field])}` in the same step"
    elif error.validator == "type":
        message = f"{_shown(error.instance)} is not {_type_names(error.validator_value)}"
        wanted = [error.validator_value] if isinstance(error.validator_value, str) else list(error.validator_value)
        if wanted == ["string"] and isinstance(error.instance, (bool, int, float)):
            message += f"; quote it if text is meant (\"{_shown(error.instance)}\")"
    elif error.validator in ("maxLength", "minLength") and isinstance(error.instance, str):
        # The value itself may be a paragraph: say its length, not the whole of it.
        limit = error.validator_value
        message = (f"{len(error.instance)} characters, at most {limit} allowed" if error.validator == "maxLength"
                   else f"empty text; write at least {limit} character{'s' if limit != 1 else ''}")
    elif error.validator == "minItems" and isinstance(error.instance, list):
        message = f"an empty list; give at least {error.validator_value} item{'s' if error.validator_value != 1 else ''}"
    elif error.validator == "enum":
        message = f"{_shown(error.instance)} is not one of {list(error.validator_value)!r}"
    elif error.validator in ("oneOf", "anyOf") and error.context and all(e.validator == "type" and not e.relative_path for e in error.context):
        # Every alternative failed on its type (an exit code given as text): name the types that would do.
        message = f"{_shown(error.instance)} is not {_type_names([e.validator_value for e in error.context])}"
    elif error.validator == "format" and error.validator_value == "date":
        message = f"{_shown(error.instance)} is not a valid date (YYYY-MM-DD)"
    elif error.validator == "pattern" and isinstance(error.instance, str) and pointer.endswith("/uses"):
        # The `uses` description is a paragraph about calls; say the form, and the id it most likely means.
        lower = error.instance.strip().lower().rstrip("#")
        hint = f"; did you mean {lower!r}?" if lower != error.instance and re.fullmatch(error.validator_value, lower) \
            else ""
        message = (f"{error.instance!r} is not a runbook id or RUNBOOK#STEP (lower-case letters, digits and single "
                   f"hyphens, for example `application-rollback` or `kubernetes-workloads#pod-logs`){hint}")
    elif error.validator == "pattern" and isinstance(error.instance, str):
        description = error.schema.get("description", "")
        message = f"{error.instance!r} does not match the expected form" + (f": {description}" if description else f" {error.schema['pattern']}")
    if error.validator == "oneOf" and error.schema_path and list(error.schema_path) == ["oneOf"]:
        both = isinstance(error.instance, dict) and {"steps", "phases"} <= set(error.instance)
        message = "a runbook has `steps` or `phases`, not both" if both else "missing required property 'steps' (or 'phases')"
    if error.validator == "anyOf" and set(error.schema.get("anyOf", [{}])[0].get("required", [])) & {"run"}:
        message = "a step needs `run`, `checklist` or `template`"
    where = f" at {pointer}" if pointer else ""
    line, column = source.locate(pointer, key=key)
    return source.finding(SCHEMA, f"{message}{where}", line, column, pointer)


def closest_key(word: str, choices) -> str | None:
    """The allowed key an unknown one most likely misspells (`rnu` -> `run`), or None."""
    return closest(word, choices)

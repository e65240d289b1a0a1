"""Variable inference: placeholders (`<pod>`, `[host]`, `{{ ns }}`, `YOUR_TOKEN_HERE`), `$VARS` and literal
namespaces become declared upper-case variables.

Commands read variables from the environment, quoted (`"$POD_NAME"`), so the rewrite tracks the shell's
quoting: unquoted `<pod-name>` -> `"$POD_NAME"`, inside double quotes -> `$POD_NAME`, inside single quotes
the quote is closed and reopened around `"$POD_NAME"`; comments are left alone.

Choices (documented in the report of each import):
- `<host>`, `<port>`, `<user>`, `<password>`, `<database>` get the program's prefix (`psql` -> `PG_HOST`,
  `redis-cli` -> `REDIS_HOST`), so the Postgres host and the Redis host of one page are two variables.
- `-n NAME` / `--namespace NAME` in kubectl and helm commands become `"$NAMESPACE"` with default NAME when
  the whole file uses one namespace; with several, they stay literal and a finding says so.
- Lower-case `$vars` that the command does not set itself are renamed upper case; variables the shell or
  the environment provides (`$HOME`, `$PATH`, `$KUBECONFIG`...) and ones the command assigns are untouched.
- Names that look secret (TOKEN, PASSWORD, SECRET, API_KEY, CREDENTIAL) get `secret: true`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..shell import (ANSI, DOUBLE, LITERAL, SINGLE, UNQUOTED, Placeholder, assigned, is_standard, placeholders,
                     quoting_at, splits_words, uses, variable_name)

_NAMESPACE = re.compile(r"(?<=\s)(-n|--namespace)(\s+|=)([a-z0-9][a-z0-9-]*)(?=\s|$|;|\|)")
_SECRET = re.compile(r"TOKEN|PASSWORD|PASSWD|SECRET|API_KEY|APIKEY|CREDENTIAL|PRIVATE_KEY")
GENERIC = frozenset({"HOST", "HOSTNAME", "PORT", "USER", "USERNAME", "PASSWORD", "DATABASE", "DB", "DBNAME", "DB_NAME"})
PROGRAM_PREFIX = {"psql": "PG", "pg_restore": "PG", "pg_dump": "PG", "pg_isready": "PG", "mysql": "MYSQL",
                  "mysqldump": "MYSQL", "redis-cli": "REDIS", "mongo": "MONGO", "mongosh": "MONGO",
                  "rabbitmqctl": "RABBITMQ", "cqlsh": "CASSANDRA"}


@dataclass
class Inferred:
    variables: dict[str, dict] = field(default_factory=dict)
    notes: list[tuple[int, str, str]] = field(default_factory=list)  # (line, kind: variable|review, message)


@dataclass
class CommandRef:
    """A command to rewrite in place: `text` is replaced by the rewritten command."""

    text: str
    line: int
    title: str


def infer(commands: list[CommandRef]) -> Inferred:
    result = Inferred()
    namespaces = sorted({m.group(3) for c in commands if _uses_namespace_flag(c.text) for m in _NAMESPACE.finditer(c.text)
                         if m.group(3)})
    namespace = namespaces[0] if len(namespaces) == 1 else None
    if len(namespaces) > 1:
        first = next(c for c in commands if _uses_namespace_flag(c.text) and _NAMESPACE.search(c.text))
        result.notes.append((first.line, "review", f"commands use several namespaces ({', '.join(namespaces)}); "
                                                   "they stay literal; declare NAMESPACE yourself if one is meant"))
    for command in commands:
        command.text = _rewrite(command, namespace, result)
    return result


def _uses_namespace_flag(text: str) -> bool:
    return bool(re.search(r"\b(kubectl|helm|oc|stern|istioctl)\b", text))


def _program(text: str) -> str:
    for word in text.split():
        if word == "sudo" or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", word):
            continue
        return word.rsplit("/", 1)[-1]
    return ""


def _reference(name: str, quoting: str, following: str) -> str:
    ref = f"${{{name}}}" if following[:1].isalnum() or following[:1] == "_" else f"${name}"
    if quoting == DOUBLE:
        return ref
    if quoting == SINGLE:  # close the quote, expand, reopen
        return f"'\"{ref}\"'"
    if quoting == ANSI:  # the rest of $'...' keeps its escapes only if reopened as $'
        return f"'\"{ref}\"$'"
    return f'"{ref}"'


def _rewrite(command: CommandRef, namespace: str | None, result: Inferred) -> str:
    text = command.text
    program = _program(text)
    if namespace and _uses_namespace_flag(text):
        original = text

        def namespace_sub(match: re.Match) -> str:
            if quoting_at(original, match.start()) != UNQUOTED or match.group(3) != namespace:
                return match.group(0)
            _declare(result, "NAMESPACE", command, f"Kubernetes namespace (the Markdown used `{match.group(0).strip()}`)",
                     default=namespace, origin=f"the literal `{match.group(0).strip()}`")
            return f'{match.group(1)}{match.group(2)}"$NAMESPACE"'

        text = _NAMESPACE.sub(namespace_sub, text)

    own = assigned(text)
    out: list[str] = []
    last = 0
    for start, end, found in _in_order(text):
        following = text[end:end + 1]
        if isinstance(found, Placeholder):
            words = found.name
            if found.quoting == LITERAL:  # a quoted here document expands nothing: a person must rewrite it
                result.notes.append((command.line, "review", f"placeholder {found.written} in a here document with a "
                                                             "quoted delimiter (<<'EOF') cannot become a variable; edit it"))
                continue
            name = variable_name(words)
            if name in GENERIC and program in PROGRAM_PREFIX:
                name = f"{PROGRAM_PREFIX[program]}_{name}"
            elif is_standard(name):
                name = f"TARGET_{name}"
            description = words.replace("-", " ").replace("_", " ").replace(".", " ")
            if description.isupper():  # `YOUR_API_TOKEN_HERE` -> "Api token"
                description = description.lower()
            description = description[:1].upper() + description[1:]
            if program in PROGRAM_PREFIX:
                description += f" for {program}"
            _declare(result, name, command, description, origin=f"`{found.written}`")
            replacement = _reference(name, found.quoting, following)
            if found.quoting == SINGLE and following == "'":  # `'Bearer <token>'` -> `'Bearer '"$TOKEN"`, not `...''`
                replacement, end = replacement[:-1], end + 1
        else:
            name = found.name
            if is_standard(name) or own.get(name, end) < found.offset:
                continue
            upper = name.upper()
            default = found.argument if found.operator in (":-", "-") else None
            description = upper.replace("_", " ").lower()
            written = text[start:end]
            nested = [u for u in uses(found.argument or "") if not is_standard(u.name) and own.get(u.name, end) >= found.offset]
            if nested or (default is not None and "$" in default):
                # `${STS:-${STS_DEFAULT:-mongodb}}`: the fallback is another variable, declared too; an expansion is
                # no default value (it would be a literal `${...}` in the form and the environment)
                default = None
            _declare(result, upper, command, description[:1].upper() + description[1:],
                     default=default, origin=f"`{written}`")
            for inner in nested:
                _declare(result, inner.name.upper(), command, inner.name.replace("_", " ").lower().capitalize(),
                         origin=f"`{written}`")
                written = written.replace(inner.name, inner.name.upper())
            if found.quoting == UNQUOTED and splits_words(text, found.offset):
                # `for pod in $pods`, `(${list})`: the words are meant to split; only the case changes
                replacement = written.replace(name, upper, 1)
            elif found.braced:  # ${NAME...}: keep its operator, only fix the case and the quoting
                inner = written.replace(name, upper, 1)
                replacement = inner if found.quoting == DOUBLE else f'"{inner}"'
            else:
                replacement = _reference(upper, found.quoting, following)
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


def _in_order(text: str) -> list[tuple[int, int, object]]:
    """Placeholders and variable uses by position; one inside another (`${A:-$B}`) is left to the outer one."""
    found = [(p.offset, p.end, p) for p in placeholders(text, every_style=True)] + [(u.offset, u.end, u) for u in uses(text)]
    found.sort(key=lambda item: item[0])
    kept: list[tuple[int, int, object]] = []
    for item in found:
        if kept and item[0] < kept[-1][1]:
            continue
        kept.append(item)
    return kept


def _declare(result: Inferred, name: str, command: CommandRef, description: str, default: str | None = None,
             origin: str = "") -> None:
    variable = result.variables.get(name)
    if variable is None:
        where = f" (first used in: {command.title})" if command.title else ""
        variable = {"description": (description + where)[:200]}
        if _SECRET.search(name):
            variable["secret"] = True
        result.variables[name] = variable
        secret = "; marked secret" if variable.get("secret") else ""
        result.notes.append((command.line, "variable", f"variable {name} inferred from {origin}{secret}; check its description"
                             + (f" and default {default!r}" if default else "")))
    if default is not None and "default" not in variable:
        variable["default"] = default

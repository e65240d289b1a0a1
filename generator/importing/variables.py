"""Variable inference: `<placeholders>`, `$VARS` and literal namespaces become declared upper-case variables.

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

# `<pod-name>`, `<db.host>` and, as wiki pages write them, `<redis host>` (words joined by single spaces)
_PLACEHOLDER = re.compile(r"<([A-Za-z][A-Za-z0-9]*(?:[-_. ][A-Za-z0-9]+)*)>")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_NAMESPACE = re.compile(r"(?<=\s)(-n|--namespace)(\s+|=)([a-z0-9][a-z0-9-]*)(?=\s|$|;|\|)")
_SECRET = re.compile(r"TOKEN|PASSWORD|PASSWD|SECRET|API_KEY|APIKEY|CREDENTIAL|PRIVATE_KEY")
_ASSIGNED = re.compile(r"(?:^|[\s;&|(])(?:export\s+|local\s+|readonly\s+)?([A-Za-z_][A-Za-z0-9_]*)=|\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b"
                       r"|\bread\s+(?:-[a-z]+\s+)*([A-Za-z_][A-Za-z0-9_]*)")

ENVIRONMENT = frozenset("""HOME PATH PWD OLDPWD USER LOGNAME SHELL HOSTNAME RANDOM LINENO SECONDS IFS TMPDIR TERM LANG
    EDITOR PAGER UID EUID PPID BASH_SOURCE FUNCNAME OSTYPE KUBECONFIG REPLY PIPESTATUS BASHPID""".split())
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


def quote_states(text: str) -> list[str]:
    """For each character: n (unquoted), s (single quotes), d (double quotes) or c (comment)."""
    states: list[str] = []
    state, escape = "n", False
    for i, ch in enumerate(text):
        if escape:
            states.append(state)
            escape = False
        elif state == "c":
            states.append("c")
            if ch == "\n":
                state = "n"
        elif state == "s":
            states.append("s")
            if ch == "'":
                state = "n"
        elif ch == "\\":
            states.append(state)
            escape = True
        elif state == "d":
            states.append("d")
            if ch == '"':
                state = "n"
        elif ch == "'":
            states.append("s")
            state = "s"
        elif ch == '"':
            states.append("d")
            state = "d"
        elif ch == "#" and (i == 0 or text[i - 1] in " \t\n;|&("):
            states.append("c")
            state = "c"
        else:
            states.append("n")
    _mark_heredocs(text, states)
    return states


_HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")


def _mark_heredocs(text: str, states: list[str]) -> None:
    """A here document's body expands `$X` without word splitting (like double quotes), unless its
    delimiter is quoted (`<<'EOF'`): then nothing expands, so nothing may be rewritten (marked c)."""
    for match in _HEREDOC.finditer(text):
        if states[match.start()] != "n":
            continue
        body_start = text.find("\n", match.end())
        if body_start < 0:
            continue
        end = re.search(rf"^\s*{re.escape(match.group(2))}\s*$", text[body_start + 1:], re.MULTILINE)
        stop = body_start + 1 + end.start() if end else len(text)
        for i in range(body_start + 1, stop):
            states[i] = "c" if match.group(1) else "d"


def _reference(name: str, state: str, following: str) -> str:
    ref = f"${{{name}}}" if following[:1].isalnum() or following[:1] == "_" else f"${name}"
    if state == "d":
        return ref
    if state == "s":
        return f"'\"{ref}\"'"
    return f'"{ref}"'


def _rewrite(command: CommandRef, namespace: str | None, result: Inferred) -> str:
    text = command.text
    program = _program(text)
    if namespace and _uses_namespace_flag(text):
        states = quote_states(text)

        def namespace_sub(match: re.Match) -> str:
            if states[match.start()] != "n" or match.group(3) != namespace:
                return match.group(0)
            _declare(result, "NAMESPACE", command, f"Kubernetes namespace (the Markdown used `{match.group(0).strip()}`)",
                     default=namespace, origin=f"the literal `{match.group(0).strip()}`")
            return f'{match.group(1)}{match.group(2)}"$NAMESPACE"'

        text = _NAMESPACE.sub(namespace_sub, text)

    states = quote_states(text)
    assigned = {m.group(1) or m.group(2) or m.group(3) for m in _ASSIGNED.finditer(text)}
    out: list[str] = []
    last = 0
    for match in _merged_matches(text):
        start, end = match.span()
        state = states[start]
        if state == "c":
            continue
        following = text[end:end + 1]
        if match.re is _PLACEHOLDER:
            words = match.group(1)
            name = re.sub(r"[^A-Za-z0-9]+", "_", words).upper()
            if name in GENERIC and program in PROGRAM_PREFIX:
                name = f"{PROGRAM_PREFIX[program]}_{name}"
            elif name in ENVIRONMENT:
                name = f"TARGET_{name}"
            description = words.replace("-", " ").replace("_", " ").replace(".", " ")
            description = description[:1].upper() + description[1:]
            if program in PROGRAM_PREFIX:
                description += f" for {program}"
            _declare(result, name, command, description, origin=f"`<{words}>`")
            replacement = _reference(name, state, following)
        else:
            name = match.group(1) or match.group(4)
            if name in ENVIRONMENT or name in assigned or state == "s":
                continue
            upper = name.upper()
            default = match.group(3) if match.group(2) in (":-", "-") else None
            description = upper.replace("_", " ").lower()
            _declare(result, upper, command, description[:1].upper() + description[1:],
                     default=default, origin=f"`{match.group(0)}`")
            if match.group(1):  # ${NAME...}: keep its operator, only fix the case and the quoting
                inner = match.group(0).replace(name, upper, 1)
                replacement = inner if state == "d" else f'"{inner}"'
            else:
                replacement = _reference(upper, state, following)
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


def _merged_matches(text: str) -> list[re.Match]:
    matches = list(_PLACEHOLDER.finditer(text)) + list(_VAR.finditer(text))
    matches.sort(key=lambda m: m.start())
    kept: list[re.Match] = []
    for match in matches:
        if kept and match.start() < kept[-1].end():
            continue
        kept.append(match)
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

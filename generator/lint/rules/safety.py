"""RB4xx: safety of commands: destructive steps, shell syntax, pasted secrets, invisible characters."""

from __future__ import annotations

import base64
import re
import unicodedata

from ... import pointers
from ...codes import RULES
from ...model import Runbook
from ...shell import find_destructive, syntax_errors

UNMARKED_DESTRUCTIVE = RULES["RB401"]
NO_CONFIRM = RULES["RB402"]
TODO_CONFIRM = RULES["RB403"]
SHELL_SYNTAX = RULES["RB404"]
SECRET = RULES["RB405"]
INVISIBLE = RULES["RB406"]

# Secrets anywhere (text or commands): strong shapes only, so prose never trips them.
_TOKENS = (
    ("a JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("an AWS access key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})\b")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Stripe live key", re.compile(r"\b[sr]k_live_[A-Za-z0-9]{16,}")),
    # The header alone is prose about a key ("the block started with -----BEGIN PRIVATE KEY-----"): the key
    # material must follow (after PEM headers such as Proc-Type; lines broken by newlines or JSON's \\n).
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:\s|\\n)+(?:[A-Za-z-]+:[^\n]*(?:\s|\\n)+)*"
                                 r"[A-Za-z0-9+/]{40,}")),
    # A word is no credential: `Basic Troubleshooting`, `Bearer authentication-flow` are prose.
    ("a bearer token", re.compile(r"\bBearer\s+(?![$<{])(?![A-Z]?[a-z]+\b)[A-Za-z0-9._~+/-]{16,}=*")),
    ("a Basic auth credential", re.compile(r"\bBasic\s+(?![$<{])([A-Za-z0-9+/]{12,}={0,2})")),  # see _is_credential
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("an npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("a Slack webhook URL", re.compile(r"hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}")),
    ("a password in a URL", re.compile(r"""(?i)\b[a-z][a-z0-9+.-]*://[^\s:/@$'"]*:(?![$<{])[^\s@/$'"]{3,}@""")),  # scheme://user:pass@host
)
# In commands: a password given literally (a `$VAR`, `<placeholder>` or `{{X}}` is not a secret).
_COMMAND_SECRETS = (
    # NAME=value where the name ends in a secret word: password=x, PGPASSWORD=x, AWS_SECRET_ACCESS_KEY=x.
    ("a password", re.compile(r"""(?i)\b\w*(?:password|passwd|pass|pwd|secret|token|api[_-]?key|access[_-]?key)\s*=\s*["']?"""
                              r"""(?![$<{"'\s])(?!(?:true|false|yes|no|none|null)\b)[^\s"'&;|)]{3,}""")),
    ("a password", re.compile(r"""(?i)(?:--password|--passwd|--token|--api-key|--secret)(?:\s+|=)["']?(?![$<{"'\s-])[^\s"'&;|)]{3,}""")),
    ("a password", re.compile(r"""\bcurl\b[^\n|;&]*\s(?:-u|--user)[\s=]*["']?(?![$<{])[^\s:"'$]*:(?![$<{"'])[^\s"'&;|)]{3,}""")),  # user:pass
    ("a password", re.compile(r"""\bmysql\w*\b[^\n|;&]*\s-p(?![$<{"'\s])[^\s"'&;|)]{3,}""")),  # mysql -pPASS
    ("a password", re.compile(r"""\bredis-cli\b[^\n|;&]*\s-a\s+["']?(?![$<{"'\s-])[^\s"'&;|)]{3,}""")),  # redis-cli -a PASS
)
# Plain substring tests decide whether a text needs the detailed patterns at all (most text has none of
# these words); `in` is much faster than a regex alternation over a whole file.
_TOKEN_WORDS = ("eyJ", "AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "k_live_", "PRIVATE KEY", "Bearer",
                "Basic", "AIza", "npm_", "hooks.slack.com")
_COMMAND_WORDS = ("pass", "pwd", "secret", "token", "api_key", "api-key", "apikey", "access_key", "access-key",
                  "mysql", "--user")
_OPTION_WORDS = (" -u", " -a")  # curl -u user:pass, redis-cli -a PASS; case matters (`psql -U` is everywhere)


_PLACEHOLDER_RUN = re.compile(r"([A-Za-z0-9])\1{7,}")  # XXXXXXXX, 00000000: documentation's stand-ins


def _is_credential(label: str, match: re.Match) -> bool:
    """Whether a match is a pasted secret rather than an example or a word: a run of one character
    (Slack's documented `T00000000/B00000000/XXXXXXXX...`) stands in for a secret, and HTTP Basic carries
    base64 of `user:password` ("Basic Troubleshooting" is a heading)."""
    if _PLACEHOLDER_RUN.search(match.group(0)):
        return False
    if label == "a Basic auth credential":
        try:
            return b":" in base64.b64decode(match.group(1), validate=True)
        except ValueError:
            return False
    return True


def _first_secret(patterns, text: str) -> tuple[int, str] | None:
    """(offset, label) of the first secret in the text, whichever pattern finds it."""
    found = [(match.start(), label) for label, regex in patterns for match in regex.finditer(text)
             if _is_credential(label, match)]
    return min(found) if found else None


def _has_tokens(text: str) -> bool:
    # "@" alone would do for a password in a URL, but every such URL also has "://".
    return any(word in text for word in _TOKEN_WORDS) or ("@" in text and "://" in text)


def _has_command_words(text: str) -> bool:
    lower = text.lower()
    return any(word in lower for word in _COMMAND_WORDS) or any(word in text for word in _OPTION_WORDS)
_ALWAYS_FLAGGED = {0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
                   0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF}


def check(ctx):
    patterns = tuple(ctx.config.destructive_patterns)
    commands: list[tuple[Runbook, str, str]] = []
    for runbook in ctx.runbooks:
        for probe in runbook.target:  # shell-checked like `run`
            commands.append((runbook, f"{probe.pointer}/run", probe.run))
        for step in runbook.steps:
            if step.when:
                commands.append((runbook, f"{step.pointer}/when", step.when))
            if step.run:
                commands.append((runbook, f"{step.pointer}/run", step.run))
                if not step.destructive and not ctx.replaced(runbook, step.pointer + "/risk"):
                    label = find_destructive(step.run, patterns)
                    if label:
                        yield ctx.finding(UNMARKED_DESTRUCTIVE, runbook, step.pointer + "/run",
                                          f"step {step.id!r} looks destructive ({label}) but is not marked `risk: destructive`; mark it and add `confirm`")
            if step.rollback:
                commands.append((runbook, f"{step.pointer}/rollback", step.rollback))
            # A `uses` step asks nothing itself (each called destructive step has its own `confirm`); a `risk`
            # written on it is RB436's finding.
            if step.destructive and not step.confirm and step.uses is None and \
                    not ctx.replaced(runbook, step.pointer + "/confirm"):
                yield ctx.finding(NO_CONFIRM, runbook, step.pointer + "/risk", f"destructive step {step.id!r} has no `confirm`; say what it breaks and why it is right")
            if step.confirm and step.confirm.lstrip().upper().startswith("TODO"):
                yield ctx.finding(TODO_CONFIRM, runbook, step.pointer + "/confirm", f"`confirm` of step {step.id!r} is still a TODO; state what the step breaks")
    for runbook, pointer, command in commands:
        yield from _invisible(ctx, runbook, pointer, command)
    for index, (message, line) in syntax_errors([command for _, _, command in commands]):
        runbook, pointer, command = commands[index]
        yield ctx.finding(SHELL_SYNTAX, runbook, pointer, f"bash: {message}", offset=_line_offset(command, line))
    for document in ctx.documents:
        yield from _secrets(ctx, document)


def _line_offset(command: str, line: int) -> int:
    offset = 0
    for _ in range(max(line - 1, 0)):
        nxt = command.find("\n", offset)
        if nxt < 0:
            break
        offset = nxt + 1
    return offset


def _invisible(ctx, runbook, pointer, command):
    if command.isascii():
        return
    for offset, char in enumerate(command):
        if ord(char) < 128:
            continue
        category = unicodedata.category(char)
        if ord(char) in _ALWAYS_FLAGGED or category == "Cf":
            name = unicodedata.name(char, "format character")
            yield ctx.finding(INVISIBLE, runbook, pointer, f"invisible character U+{ord(char):04X} ({name}) in the command; retype it", offset=offset)
            return
        if category == "Zs":  # a no-break space looks like a space, but bash does not split words on it
            name = unicodedata.name(char, "space")
            yield ctx.finding(INVISIBLE, runbook, pointer, f"look-alike space U+{ord(char):04X} ({name}) in the command; bash reads it as part of a word; retype it as a plain space", offset=offset)
            return


def _strings(value, pointer=""):
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, pointers.child(pointer, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{pointer}/{index}")


def _secrets(ctx, document):
    source = ctx.sources[document.path]
    if not (_has_tokens(source.text) or _has_command_words(source.text)):
        return  # the whole file has none of the words any secret pattern needs
    for pointer, text in _strings(source.data):
        is_command = pointer.endswith(("/run", "/rollback", "/when"))
        patterns = _TOKENS if _has_tokens(text) else ()
        if is_command and _has_command_words(text):
            patterns += _COMMAND_SECRETS
        # The first secret in the text (not the first pattern that matches) is the one the line points at.
        found = _first_secret(patterns, text)
        if found:
            offset, label = found
            yield ctx.finding(SECRET, document, pointer,
                              f"{label} appears to be pasted here; read it from a variable marked `secret: true` and rotate it", offset=offset)

"""Shell code blocks and inline code -> commands, one per step, each with a title and a kind.

A shell block is split into commands: a `# comment` line titles the command below it, a blank line ends a
group, and a command continues over a trailing backslash, a trailing pipe or `&&`, an open quote, a here
document or an if/for/while/case block. Lines that are not shell (SQL, chat slash commands) come back
with their own kind so they are never run.

Terminal sessions: in a block with `$ ` prompts the prompted lines are the commands and the lines after
each one its output; a ```console block without any prompt is one command followed by its output.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from ..shell import needs_more

SHELL_LANGUAGES = frozenset({"bash", "sh", "shell", "console", "zsh", "ksh", "shell-session", "shellsession", "terminal"})
PROMPT_LANGUAGES = frozenset({"console", "shell-session", "shellsession", "terminal"})

# First words that make an unlabelled block or an inline code span "clearly a command".
KNOWN_PROGRAMS = frozenset("""
    kubectl helm curl wget psql pg_dump pg_restore pg_isready mysql mysqladmin mongo mongosh redis-cli rabbitmqctl
    rabbitmq-diagnostics docker podman crictl systemctl journalctl service aws gcloud az gsutil terraform ansible
    ansible-playbook git ssh scp rsync npm npx yarn pnpm make python python3 pip go java cat less tail head grep egrep
    awk sed jq yq ls find du df free top htop ps pgrep kill ping dig nslookup host traceroute mtr nc netstat ss lsof
    ip iptables openssl echo export sudo watch tar cp mv mkdir chmod chown ln touch date uptime vmstat iostat dmesg
    promtool amtool etcdctl vault consul nomad istioctl linkerd argocd flux kubectx kubens oc kustomize stern
    nodetool cqlsh kafka-topics kafka-consumer-groups zkcli sqlite3 influx
""".split())

SQL_START = re.compile(r"^(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|TRUNCATE|BEGIN|COMMIT|ROLLBACK|GRANT|"
                       r"REVOKE|EXPLAIN|VACUUM|ANALYZE|REINDEX|SHOW|SET|LOCK)\b")
SLASH_COMMAND = re.compile(r"^/[a-z][a-z0-9_-]*(\s|$)")  # Slack and Teams: `/invite @x`; `/usr/bin/x` has more slashes

# Heuristic verbs that change state (risk `mutating`); destructive commands come from lint's shared list instead.
_MUTATING = re.compile(
    r"\bkubectl\b[^|;&\n]*\s(apply|patch|scale|edit|set|label|annotate|cordon|uncordon|create|replace|expose|taint)\b"
    r"|\brollout\s+(restart|pause|resume)\b|\bhelm\s+(upgrade|install)\b|\bsystemctl\s+(start|restart|reload|enable)\b"
    r"|\bcurl\b[^|;&\n]*(-X\s*(POST|PUT|PATCH|DELETE)|\s(-d|--data\S*)\s)|\bnpm\s+run\s+\S*migrat"
    r"|\b(INSERT|UPDATE)\b\s|\bdocker\s+(restart|start|run)\b|\bservice\s+\S+\s+(start|restart|reload)\b",
    re.IGNORECASE)

_PROMPTED = re.compile(r"^(sudo\s+)?[a-z./~][A-Za-z0-9._/~-]*(\s|$)")  # `$ sudo gitlab-ctl status`, not `$ 5.00`


@dataclass
class Command:
    text: str  # the command (may span lines)
    line: int  # 1-based line in the Markdown file
    title: str  # from the comment above, or "" when there was none
    group_title: str  # the comment that titled an earlier command of the same group, for follow-ups
    note: str  # further comment lines above the command
    kind: str  # "shell", "sql" or "slash"
    output: str = ""  # console blocks: the output printed after the command


def is_shell_block(info: str, content: str) -> tuple[bool, bool]:
    """(is shell, was guessed): labelled blocks by their language, unlabelled ones by their first words."""
    if info in SHELL_LANGUAGES:
        return True, False
    if info:
        return False, False
    words = [line.strip() for line in content.splitlines() if line.strip() and not line.strip().startswith("#")]
    if not words:
        return False, True
    prompts = [w for w in words if w.startswith("$ ")]
    if prompts:  # a terminal session pasted as is: the `$ ` lines are the commands, the rest their output
        return len(prompts) * 2 >= len(words) or any(_PROMPTED.match(w[2:]) for w in prompts), True
    shellish = sum(1 for w in words if _starts_like_command(w))
    return shellish * 2 > len(words), True


def _starts_like_command(text: str) -> bool:
    words = text.split()
    if words[:1] == ["sudo"]:
        words = words[1:]
    first = words[0] if words else ""
    return first in KNOWN_PROGRAMS or first.startswith(("./", "~/")) or bool(re.match(r"^[A-Z_][A-Z0-9_]*=\S", text))


def is_inline_command(code: str) -> bool:
    """An inline code span that is clearly a command: a known program and at least one argument."""
    words = code.strip().removeprefix("$ ").split()
    if len(words) < 2:
        return False
    if words[0] == "sudo":  # `sudo gitlab-ctl stop sentinel`: nobody writes sudo in prose
        return re.match(r"^[a-z][a-z0-9._-]*$", words[1]) is not None
    return words[0] in KNOWN_PROGRAMS


def split_block(content: str, first_line: int, info: str) -> list[Command]:
    """The commands of a shell block. `first_line` is the Markdown line of the block's first code line."""
    lines = content.rstrip("\n").split("\n")
    prompt = any(line.strip().startswith("$ ") for line in lines)
    # A console block without any `$ ` prompt shows one command and what it printed: the first command
    # is the command, every line after it is output.
    output_after_first = info in PROMPT_LANGUAGES and not prompt
    commands: list[Command] = []
    comments: list[str] = []
    group_title = ""
    i = 0
    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        if not stripped:
            comments, group_title = [], ""
            i += 1
            continue
        if (prompt and not stripped.startswith("$ ") and not stripped.startswith("#")) or (output_after_first and commands):
            if commands:  # console output belongs to the command above it
                commands[-1].output += raw + "\n"
            i += 1
            continue
        if stripped.startswith("#") and not stripped.startswith("#!"):
            comments.append(stripped.lstrip("#").strip())
            i += 1
            continue
        start = i
        body = [stripped.removeprefix("$ ") if prompt else raw]
        i += 1
        while i < len(lines) and needs_more("\n".join(body)):
            nxt = lines[i]
            body.append(nxt.removeprefix("> ") if prompt else nxt)
            i += 1
        text = _dedent("\n".join(body))
        kind = "sql" if SQL_START.match(text) else "slash" if SLASH_COMMAND.match(text) else "shell"
        title = comments[0] if comments else ""
        note = " ".join(comments[1:])
        commands.append(Command(text, first_line + start, title, group_title, note, kind))
        if title:
            group_title = title
        comments = []
    return commands


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).strip()


def derive_title(command: str) -> str:
    """A title from the command itself: the program and its first plain words, without options, their
    values or placeholders (`redis-cli -h <host> -p <port> info` -> `Run redis-cli info`)."""
    words: list[str] = []
    first = command.split("\n")[0]
    try:  # quoted arguments (SQL, messages) are one token each, and never title words
        tokens = shlex.split(first, comments=True)
    except ValueError:
        tokens = first.split()
    skip_value = False
    for token in tokens:
        if token in ("|", "&&", "||", ";", "\\") or token.endswith(";"):
            break
        if skip_value:
            skip_value = False
            continue
        if token.startswith("-"):
            skip_value = len(token) == 2  # `-n value`; `--tail=100` and `-it` carry their own value
            continue
        if any(ch in token for ch in "<>$={}\"' |&;()*"):
            continue
        words.append(token)
        if len(words) == 4:
            break
    # a command of nothing but options, quotes or placeholders (`"$EDITOR" <file>`): its first word, as written
    short = " ".join(words) or (tokens[0] if tokens else "") or " ".join(command.split()[:1]) or "the command"
    return f"Run {short}"[:120]


def title_from_prose(text: str, code: str) -> str:
    """`Check pod events via `kubectl ...`` -> `Check pod events`."""
    plain = text.replace(f"`{code}`", " ").strip()
    plain = re.sub(r"\s+", " ", plain).strip(" :.-")
    plain = re.sub(r"\s*(\b(via|with|using|by running|run|running|by|:)\b|:)\s*$", "", plain, flags=re.IGNORECASE)
    plain = re.sub(r"[*_]{1,2}([^*_]+)[*_]{1,2}", r"\1", plain).strip(" :.-")
    return plain[:1].upper() + plain[1:] if plain else ""


def is_mutating(command: str) -> bool:
    return bool(_MUTATING.search(command))

"""Shell code blocks and inline code -> commands, one per step, each with a title and a kind.

Whether a block is shell at all is `classify_block`'s question: the label is a hint, the content decides
(languages.py). A shell block is split into commands: a `# comment` line titles the command below it, a
blank line ends a group, and a command continues over a trailing backslash, a trailing pipe or `&&`, an
open quote, a here document or an if/for/while/case block; a block that starts with `#!` is one script.
Lines that are not shell come back with their own kind so they are never run: SQL and chat slash commands
become manual steps, other languages, output and text bash rejects stay text ("text").

Terminal sessions: in a block with shell prompts (`$ `, `user@host:~$ `) the prompted lines are the
commands and the lines after each one its output; a ```console block without any prompt is one command
followed by its output.
"""

from __future__ import annotations

import copy
import re
import shlex
from dataclasses import dataclass
from functools import lru_cache

from ..shell import needs_more, placeholders
from .text import plain_markup
from .languages import (PROMPT_LABELS, OTHER_PROMPT, REPL_LABELS, block_language, is_command_word,
                        label_is_shell, label_language, line_language, output_line, parses, repl_language)

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

SLASH_COMMAND = re.compile(r"^/[a-z][a-z0-9_-]*(\s|$)")  # Slack and Teams: `/invite @x`; `/usr/bin/x` has more slashes

# Heuristic verbs that change state (risk `mutating`); destructive commands come from lint's shared list instead.
_MUTATING = re.compile(
    r"\bkubectl\b[^|;&\n]*\s(apply|patch|scale|edit|set|label|annotate|cordon|uncordon|create|replace|expose|taint)\b"
    r"|\brollout\s+(restart|pause|resume)\b|\bhelm\s+(upgrade|install)\b|\bsystemctl\s+(start|restart|reload|enable)\b"
    r"|\bcurl\b[^|;&\n]*(-X\s*(POST|PUT|PATCH|DELETE)|\s(-d|--data\S*)\s)|\bnpm\s+run\s+\S*migrat"
    r"|\b(INSERT|UPDATE)\b\s|\bdocker\s+(restart|start|run)\b|\bservice\s+\S+\s+(start|restart|reload)\b",
    re.IGNORECASE)

_PROMPTED = re.compile(r"^(sudo\s+)?[a-z./~][A-Za-z0-9._/~-]*(\s|$)")  # `$ sudo gitlab-ctl status`, not `$ 5.00`


# A shell prompt pasted with the command: `$ `, `$> `, `user@host:~$ `, `[user@host dir]# `, `sh-4.4# `, zsh
# themes' `╰─$ ` and `❯ `, and GOV.UK's `I have no name!@postgres-jumpbox:/$` (a prompt alone, with no command).
SHELL_PROMPT = re.compile(r"^(\$>?|[^\s$#@]?[^$#@]{0,40}@[\w.-]+(:[^\s$#]*)?\s?[$#%]|\[[^\]\s]+@[^\]]+\]\s?[$#]|"
                          r"(ba|z)?sh-\d[\d.]*[$#]|[\w.-]+:[~/][^\s$#]*\s?[$#]|"
                          # zsh themes: oh-my-zsh's two-line `╰─$`, pure and starship's `❯`, robbyrussell's `➜`
                          r"[╰└]─+[$#%]|❯|➜)(\s+|$)")


@dataclass
class Command:
    text: str  # the command (may span lines)
    line: int  # 1-based line in the Markdown file
    title: str  # from the comment above, or "" when there was none
    group_title: str  # the comment that titled an earlier command of the same group, for follow-ups
    note: str  # further comment lines above the command
    kind: str  # "shell", "sql", "slash", or "text": not shell, kept in the description (never run)
    output: str = ""  # console blocks: the output printed after the command
    language: str = ""  # text: the fence label it is written with (`promql`, `ruby`, `text`...)
    reason: str = ""  # text: what it was recognised as, for the finding
    cleaned: str = ""  # invisible characters removed from the command (a wiki's copy-paste), for the finding
    after: str = ""  # comment lines after the command that title nothing (`# kubectl ...` left commented out), as written


@dataclass(frozen=True)
class BlockKind:
    shell: bool
    guessed: bool  # decided by content alone (no label, or a label that names nothing known)
    language: str = ""  # not shell: the fence label to keep it under
    reason: str = ""  # not shell although the label said shell: what the content is


@lru_cache(maxsize=2048)  # layout asks before the walker does: each block is judged once
def classify_block(info: str, content: str) -> BlockKind:
    """Shell or not: a label of another language is trusted; a shell label (or a host, user or program as label)
    is checked against the content; without a known label the content decides alone."""
    if info in REPL_LABELS:  # ```psql: SQL typed at its prompt, or shell commands that start psql
        language = repl_language(info, content)
        if language is not None:
            return BlockKind(False, False, language)
        return BlockKind(True, False) if block_language(content) is None else BlockKind(False, False, "text")
    named = label_language(info)
    if named is not None:
        return BlockKind(False, False, info if info else named)
    labelled = label_is_shell(info)
    other = block_language(content)
    if other is not None:
        return BlockKind(False, not labelled, other[0], other[1] if labelled else "")
    if labelled:
        return BlockKind(True, False)
    return BlockKind(_looks_like_shell(content), True, "text")


def is_shell_block(info: str, content: str) -> tuple[bool, bool]:
    """(is shell, was guessed), for callers that need no more than that."""
    kind = classify_block(info, content)
    return kind.shell, kind.guessed


def _looks_like_shell(content: str) -> bool:
    """An unlabelled block is shell when most of its lines start like commands (or are prompted commands)."""
    words = [line.strip() for line in content.splitlines() if line.strip() and not line.strip().startswith("#")]
    if not words:
        return False
    prompted = [_after_prompt(w) for w in words]
    prompts = [p for p in prompted if p is not None]
    if prompts:  # a terminal session pasted as is: the prompted lines are the commands, the rest their output
        return len(prompts) * 2 >= len(words) or any(_PROMPTED.match(p) for p in prompts)
    shellish = sum(1 for w in words if _starts_like_command(w))
    return shellish * 2 > len(words)


def _after_prompt(line: str) -> str | None:
    """The command after a shell prompt (`""` for a prompt alone), or None when the line has no prompt."""
    match = SHELL_PROMPT.match(line.strip())
    return line.strip()[match.end():] if match else None


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
        return re.match(r"^[a-z][a-z0-9._-]*$", words[1]) is not None and parses(code.strip().removeprefix("$ "))
    return words[0] in KNOWN_PROGRAMS and parses(code.strip().removeprefix("$ "))


def split_block(content: str, first_line: int, info: str) -> list[Command]:
    """The commands of a shell block (copies: the walker adds titles to them), split once per block."""
    return [copy.copy(command) for command in _split(content, first_line, info)]


@lru_cache(maxsize=2048)
def _split(content: str, first_line: int, info: str) -> tuple[Command, ...]:
    """The commands of a shell block. `first_line` is the Markdown line of the block's first code line.

    Lines after a shell prompt are commands, the other lines their output; in a block without prompts a
    line that is output (a log line, a table header) makes the lines after it output too, up to a blank
    line. A command that is another language, or that bash does not accept, comes back as kind "text"."""
    lines = content.rstrip("\n").split("\n")
    prompt = any(_after_prompt(line) is not None for line in lines)
    filled = [line.strip() for line in lines if line.strip()]
    if not prompt and filled and filled[0].startswith("> ") and not all(line.startswith(">") for line in filled):
        # `> gpg --card-edit` or `> LATENCY DOCTOR` over what the program printed: a session whose prompt is
        # `>` (in a block that opens with a command, never a continuation line); read as the `$ ` it stands for
        lines = ["$ " + line.strip()[2:] if line.strip().startswith("> ") else line for line in lines]
        prompt = True
    # A console block without any prompt shows one command and what it printed: the first command
    # is the command, every line after it is output.
    output_after_first = info in PROMPT_LABELS and not prompt
    if lines[0].startswith("#!"):  # a script (`#!/bin/bash`, then `set -e` ...): one command, run as a whole
        if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
            return ()  # a shebang and comments: nothing to run
        text, cleaned = visible(_dedent(content))
        heading = next((line.strip() for line in lines[1:] if line.strip()), "")  # `# Install the plugin` titles it
        title = heading.lstrip("#").strip() if heading.startswith("#") else ""
        command = Command(text, first_line, title, "", "", "shell", cleaned=cleaned)
        _judge(command)
        return (command,)
    commands: list[Command] = []
    comments: list[str] = []
    comment_lines: list[str] = []  # the same, as written

    def keep_comments() -> None:
        # Comments no command follows (a group's closing remark, commands left commented out) are kept with
        # the command above them: in a terminal session as what it showed (`# lsof -n` typed at a root prompt
        # after `oc debug node/x`), else as text after it. Before the first command they wait for it.
        if not comments or not commands:
            return
        if prompt:
            commands[-1].output += "\n".join(comment_lines) + "\n"
        else:
            commands[-1].after += ("\n" if commands[-1].after else "") + "\n".join(comment_lines)
        comments.clear()
        comment_lines.clear()

    group_title = ""
    in_output = False
    i = 0
    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        if not stripped:
            keep_comments()
            group_title, in_output = "", False
            i += 1
            continue
        after = _after_prompt(stripped) if prompt else None
        if (prompt and after is None and not stripped.startswith("#")) or (output_after_first and commands) or in_output:
            if commands:  # console output belongs to the command above it
                commands[-1].output += raw + "\n"
            i += 1
            continue
        if after == "":  # a prompt alone (`root@host:/#`): where the next commands are typed, not a command
            i += 1
            continue
        if prompt and after is None and commands and stripped.startswith("#") and lines[i - 1].strip() and \
                not _titles_next_prompt(lines, i):
            commands[-1].output += raw + "\n"  # what the session showed (`# Replication` from redis, a root prompt)
            i += 1
            continue
        if stripped.startswith("#") and not stripped.startswith("#!") and after is None:
            comments.append(stripped.lstrip("#").strip())
            comment_lines.append(_dedent(raw))
            i += 1
            continue
        if after is None and not prompt and commands and output_line(stripped) and not comments:
            commands[-1].output += raw + "\n"  # what the command above printed, pasted without a prompt
            in_output = True
            i += 1
            continue
        start = i
        body = [after if after is not None else raw]
        i += 1
        while i < len(lines) and needs_more("\n".join(body)) and not (prompt and _ends_session_line(body, lines[i])):
            nxt = lines[i]
            body.append(nxt.removeprefix("> ") if prompt else nxt)
            i += 1
        text, cleaned = visible(_dedent("\n".join(body)))
        title = comments[0] if comments else ""
        note = " ".join(comments[1:])
        command = Command(text, first_line + start, title, group_title, note, "shell", cleaned=cleaned)
        _judge(command)
        commands.append(command)
        if title:
            group_title = title
        comments.clear()
        comment_lines.clear()
    keep_comments()
    return tuple(commands)


def _titles_next_prompt(lines: list[str], index: int) -> bool:
    """In a terminal session, is the `#` line at `index` a comment over the next prompted command (only
    comment lines between them)?"""
    for line in lines[index + 1:]:
        if not line.strip():
            return False
        if _after_prompt(line.strip()) is not None:
            return True
        if not line.strip().startswith("#"):
            return False
    return False


def _ends_session_line(body: list[str], following: str) -> bool:
    """In a pasted terminal session a command goes on to the next line only as a shell shows it: after a
    trailing `\\`, `|`, `&&`, `||`, an open quote or block, on a `> ` line or an indented one. A prompt, or
    output flush left (`-----BEGIN PGP MESSAGE-----` after a dangling `>`), starts something else."""
    if _after_prompt(following) is not None:
        return True
    if following.startswith(("> ", " ", "\t")) or following.strip() in ("", ">"):
        return False
    last = body[-1].rstrip()
    return not last.endswith(("\\", "|", "&&", "||", "(", "{", "do", "then", "else", "in")) and \
        last.count("'") % 2 == 0 and last.count('"') % 2 == 0


def visible(text: str) -> tuple[str, str]:
    """(the command with look-alike spaces made plain and invisible format characters removed, what was changed).
    Wikis and chat tools insert them (a no-break space, a zero-width space after a hyphen); bash would read
    them as part of a word, and lint rejects them (RB406)."""
    if text.isascii():
        return text, ""
    import unicodedata

    out, changed = [], []
    for char in text:
        category = unicodedata.category(char) if ord(char) > 127 else ""
        if category == "Zs":
            out.append(" ")
        elif category == "Cf":
            pass
        else:
            out.append(char)
            continue
        changed.append(f"U+{ord(char):04X}")
    return "".join(out), ", ".join(dict.fromkeys(changed))


def _judge(command: Command) -> None:
    """Sets the command's kind: SQL and chat commands become manual steps; other languages, output, and
    text bash does not accept stay text; the rest is shell."""
    text = command.text
    if SLASH_COMMAND.match(text):
        command.kind = "slash"
        return
    other = line_language(text)
    if other is not None:
        command.kind = "sql" if other[0] == "sql" and not OTHER_PROMPT.match(text) else "text"
        command.language, command.reason = other
        return
    if not is_command_word(text):
        command.kind, command.language, command.reason = "text", "text", "output (not a command)"
        return
    if not parses(text):
        command.kind, command.language, command.reason = "text", "text", "not valid bash"


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).strip()


def derive_title(command: str) -> str:
    """A title from the command itself: the program and its first plain words, without options, their
    values or placeholders (`redis-cli -h <host> -p <port> info` -> `Run redis-cli info`)."""
    words: list[str] = []
    # the first line that is not a comment: a script starts with `#!/bin/bash` and a `# what it does` line
    first = next((line for line in command.split("\n") if line.strip() and not line.lstrip().startswith("#")), "")
    for found in reversed(placeholders(first, every_style=True)):  # `{{ namespace }}` is no title word
        first = first[:found.offset] + " " + first[found.end:]
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
        if any(ch in token for ch in "<>$={}[]\"' |&;()*") or re.fullmatch(r"(YOUR|MY)_[A-Z0-9_]+|[A-Z0-9_]+_HERE", token):
            continue
        words.append(token)
        if len(words) == 4:
            break
    # a command of nothing but options, quotes or placeholders (`"$EDITOR" <file>`, `$(cat cmd)`): its first
    # word without the quoting around it
    bare = re.sub(r"^(\$\(|`)+|[)`]+$", "", tokens[0] if tokens else "").strip("'\"")
    short = " ".join(words) or bare or (tokens[0] if tokens else "") or "the command"
    return f"Run {short}"[:120]


def title_from_prose(text: str, code: str) -> str:
    """`Check pod events via `kubectl ...`` -> `Check pod events`."""
    plain = text.replace(f"`{code}`", " ").strip()
    plain = re.sub(r"\s+", " ", plain).strip(" :.-")
    plain = re.sub(r"\s*(\b(via|with|using|by running|run|running|by|:)\b|:)\s*$", "", plain, flags=re.IGNORECASE)
    plain = plain_markup(plain).strip(" :.-")
    return plain[:1].upper() + plain[1:] if plain else ""


def is_mutating(command: str) -> bool:
    return bool(_MUTATING.search(command))

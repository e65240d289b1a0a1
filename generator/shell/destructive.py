"""What a destructive-looking command is: one list of patterns, shared by lint (RB401) and `runbook import` (RB703).

Each pattern is a compiled regex with a short label. `find_destructive` returns the label of the first
pattern that matches, so a finding (or an importer) can say *why* a command looks destructive.
Patterns are case-insensitive because SQL and redis-cli commands are written in either case.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .parse import without_comments

# (label, regex). Word boundaries keep `kubectl deleted-pods` or `dropdown` from matching.
DEFAULT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("kubectl delete", r"\bkubectl\b[^|;&\n]*\s(delete)\b"),
    ("kubectl drain", r"\bkubectl\b[^|;&\n]*\sdrain\b"),
    ("rollout undo", r"\brollout\s+undo\b"),
    ("scale to zero", r"\bscale\b[^|;&\n]*--replicas[= ]0\b"),
    ("FLUSHALL", r"\bFLUSHALL\b"),
    ("FLUSHDB", r"\bFLUSHDB\b"),
    ("DROP", r"\bDROP\s+(TABLE|DATABASE|SCHEMA|INDEX|VIEW|USER|ROLE)\b"),
    ("TRUNCATE", r"\bTRUNCATE\s+(TABLE\s+)?[\"\w]"),
    ("DELETE without WHERE", r"\bDELETE\s+FROM\s+[\w.\"]+\s*(;|\"|'|$)(?![^;]*\bWHERE\b)"),
    ("pg_terminate_backend", r"\bpg_terminate_backend\b"),
    ("pg_restore", r"\bpg_restore\b(?![^|;&\n]*\s(--list|-l)\b)"),
    ("dropdb", r"\bdropdb\b"),
    # Removing one path under /tmp or $TMPDIR (a scratch copy the step made itself) is housekeeping.
    ("rm -rf", r"\brm\s+(-[a-zA-Z]*r[a-zA-Z]*f[a-zA-Z]*|-[a-zA-Z]*f[a-zA-Z]*r[a-zA-Z]*|-r\s+-f|-f\s+-r|--recursive\s+--force|--force\s+--recursive)\b"
               r"(?!\s+[\"']?(/tmp/\w|\$\{?TMPDIR\b)(?![^\s;&|]*\.\.)[^\s;&|]*\s*($|[;&|)'\n]))"),
    ("terraform destroy", r"\bterraform\s+(\S+\s+)*destroy\b"),
    ("terraform apply -auto-approve", r"\bterraform\s+apply\b[^|;&\n]*-auto-approve\b"),
    ("helm uninstall", r"\bhelm\s+(uninstall|delete|del)\b"),
    ("helm rollback", r"\bhelm\s+rollback\b"),
    ("docker system prune", r"\bdocker\s+(system|volume|image|container)\s+prune\b"),
    ("docker rm", r"\bdocker\s+(rm|rmi)\b"),
    ("dd to a device", r"\bdd\b[^|;&\n]*\bof=/dev/"),
    ("mkfs", r"\bmkfs(\.\w+)?\b"),
    ("git push --force", r"\bgit\s+push\b[^|;&\n]*(--force\b|\s-f\b)"),
    ("git reset --hard", r"\bgit\s+reset\s+--hard\b"),
    ("shutdown", r"\b(shutdown|reboot|poweroff|halt)\b(\s|$)"),
    ("kill -9", r"\b(kill\s+-9|kill\s+-KILL|killall|pkill)\b"),
    ("systemctl stop", r"\bsystemctl\s+(stop|disable|mask)\b"),
    ("aws delete", r"\baws\s+\S+\s+(delete-\S+|terminate-instances|rb)\b"),
    ("aws s3 rm", r"\baws\s+s3\s+rm\b"),
    ("gcloud delete", r"\bgcloud\b[^|;&\n]*\sdelete\b"),
    ("redis DEL", r"\bredis-cli\b[^|;&\n]*\s(DEL|UNLINK)\s"),
)


# A cheap first pass: each default pattern needs a word (lower case) that a plain `in` test finds, so a
# command is only searched with the few patterns whose word it contains.
_NEEDS = {
    "kubectl delete": "delete", "kubectl drain": "drain", "rollout undo": "undo", "scale to zero": "replicas",
    "FLUSHALL": "flushall", "FLUSHDB": "flushdb", "DROP": "drop", "TRUNCATE": "truncate", "DELETE without WHERE": "delete",
    "pg_terminate_backend": "pg_terminate_backend", "pg_restore": "pg_restore", "dropdb": "dropdb", "rm -rf": "rm",
    "terraform destroy": "destroy", "terraform apply -auto-approve": "auto-approve", "helm uninstall": "helm",
    "helm rollback": "helm", "docker system prune": "prune", "docker rm": "docker", "dd to a device": "of=/dev/",
    "mkfs": "mkfs", "git push --force": "push", "git reset --hard": "--hard", "shutdown": "", "kill -9": "kill",
    "systemctl stop": "systemctl", "aws delete": "aws", "aws s3 rm": "aws", "gcloud delete": "gcloud", "redis DEL": "redis-cli",
}


@lru_cache(maxsize=64)
def _compiled(extra_patterns: tuple[str, ...]) :
    defaults = tuple((label, re.compile(pattern, re.IGNORECASE | re.MULTILINE), _NEEDS.get(label, ""))
                     for label, pattern in DEFAULT_PATTERNS)
    extras = tuple((pattern, re.compile(pattern, re.IGNORECASE | re.MULTILINE)) for pattern in extra_patterns)
    return defaults, extras


def check_patterns(patterns: tuple[str, ...]) -> str | None:
    """The first configured pattern that is not a valid regex, with the reason, or None."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except (re.error, OverflowError, RecursionError) as exc:  # `a{99999999999}` overflows instead
            return f"{pattern!r}: {exc}"
    return None


@lru_cache(maxsize=4096)  # runbooks repeat commands; the answer depends on nothing else
def find_destructive(command: str, extra_patterns: tuple[str, ...] = ()) -> str | None:
    """A short label of what makes `command` look destructive, or None.

    `extra_patterns` are regexes from `destructive-patterns` in `[tool.runbook.lint]`; their label is
    the pattern itself. Comments are skipped: `# never run kubectl delete here` changes nothing.
    """
    text = without_comments(command)
    defaults, extras = _compiled(extra_patterns)
    lower = text.lower()
    for label, regex, needs in defaults:
        if needs in lower and regex.search(text):
            return label
    for label, regex in extras:
        if regex.search(text):
            return label
    return None

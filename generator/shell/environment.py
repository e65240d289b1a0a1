"""The one list of standard environment variables: names a command may use without declaring them.

They come from bash itself (RANDOM, PIPESTATUS, BASH_*), the login session (HOME, PATH, USER, LANG, LC_*)
or the operator's tool set-up that `runbook exec` passes through unchanged (KUBECONFIG). Lint does not ask
for them to be declared (RB301), the importer leaves them as written, and a `<hostname>` placeholder that
would collide with one becomes TARGET_HOSTNAME instead.
"""

from __future__ import annotations

STANDARD = frozenset({
    "HOME", "PATH", "USER", "LOGNAME", "PWD", "OLDPWD", "SHELL", "TERM", "HOSTNAME", "HOSTTYPE", "OSTYPE", "MACHTYPE",
    "LANG", "LANGUAGE", "TZ", "TMPDIR", "RANDOM", "SECONDS", "LINENO", "UID", "EUID", "GROUPS", "PPID", "BASHPID", "IFS",
    "OPTARG", "OPTIND", "OPTERR", "REPLY", "PIPESTATUS", "FUNCNAME", "SHLVL", "EPOCHSECONDS", "EPOCHREALTIME", "SRANDOM",
    "COLUMNS", "LINES", "EDITOR", "VISUAL", "PAGER", "DISPLAY", "MAIL", "PS1", "PS2", "PS4", "HISTFILE", "CDPATH",
    "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "SSH_AUTH_SOCK", "COLORTERM", "NO_COLOR",
    "KUBECONFIG",
})
STANDARD_PREFIXES = ("BASH_", "BASH", "LC_", "COMP_")


def is_standard(name: str) -> bool:
    return name in STANDARD or name.startswith(STANDARD_PREFIXES)

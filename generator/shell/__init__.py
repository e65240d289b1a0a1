"""The one reading of bash that lint, `runbook import` and `runbook exec` share.

    parse.py         tree-sitter-bash: variable uses and assignments (with offsets), quoting at an offset,
                     comments, quoted here documents; cached by command text
    continuation.py  whether a command goes on to the next line (the importer splits shell blocks with it)
    placeholders.py  `<pod-name>` leftovers, judged by the quoting the parse found
    environment.py   the one list of standard environment variables (HOME, PATH, KUBECONFIG...)
    destructive.py   what a destructive-looking command is (lint RB401, import RB703)
    syntax.py        bash's own verdict (`bash -n`, batched) on whether a command parses

Everything here answers questions about one command's text; nothing runs it.
"""

from .continuation import needs_more
from .destructive import check_patterns, find_destructive
from .environment import STANDARD, is_standard
from .parse import (ANSI, COMMENT, DOUBLE, LITERAL, SINGLE, UNQUOTED, Use, assigned, quoting_at, splits_words,
                    used_names, uses, without_comments)
from .placeholders import Placeholder, placeholders, variable_hint, variable_name
from .syntax import syntax_errors

__all__ = ["ANSI", "COMMENT", "DOUBLE", "LITERAL", "SINGLE", "UNQUOTED", "STANDARD", "Placeholder", "Use", "assigned",
           "check_patterns", "find_destructive", "is_standard", "needs_more", "placeholders", "quoting_at", "splits_words", "syntax_errors",
           "used_names", "uses", "variable_hint", "variable_name", "without_comments"]

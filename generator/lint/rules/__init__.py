"""Semantic rules, one module per family. Each module has `check(ctx)` yielding findings.

The codes themselves are listed in generator/codes.py.
"""

from __future__ import annotations

from . import calls, content, execution, ids, safety, templates, variables

FAMILIES = (ids, variables, safety, content, templates, execution, calls)

"""Semantic rules, one module per family. Each module has `check(ctx)` yielding findings.

The codes themselves are listed in generator/codes.py.
"""

from __future__ import annotations

from . import calls, content, execution, freshness, ids, safety, scenarios, templates, variables

FAMILIES = (ids, variables, safety, content, freshness, templates, execution, calls, scenarios)

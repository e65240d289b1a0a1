"""Semantic rules, one module per family. Each module has `check(ctx)` yielding findings.

Importing this package registers every rule code (so `--explain`, `--rules` and SARIF know them).
"""

from __future__ import annotations

from . import content, execution, ids, safety, templates, variables

FAMILIES = (ids, variables, safety, content, templates, execution)

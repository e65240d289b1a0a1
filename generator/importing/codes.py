"""Finding codes of `runbook import` (RB7xx): what the importer guessed or left for a person.

Warnings need a person before the runbook is trusted; infos say what was guessed so a reviewer can check it.
"""

from __future__ import annotations

from ..codes import RULES

NEEDS_REVIEW = RULES["RB701"]
PLACEHOLDER_METADATA = RULES["RB702"]
DESTRUCTIVE = RULES["RB703"]
NOT_SHELL = RULES["RB704"]
VARIABLE = RULES["RB705"]
TEXT_ONLY = RULES["RB706"]
RAW_HTML = RULES["RB707"]
GUESSED = RULES["RB708"]
NO_STEPS = RULES["RB709"]
EMPTY = RULES["RB710"]
FRONT_MATTER = RULES["RB711"]
IMPORT_FAILED = RULES["RB712"]
ID_RENAMED = RULES["RB713"]
NOT_UTF8 = RULES["RB714"]

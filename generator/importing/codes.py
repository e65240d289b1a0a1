"""Finding codes of `runbook import` (RB7xx): what the importer guessed or left for a person.

Warnings need a person before the runbook is trusted; infos say what was guessed so a reviewer can check it.
"""

from __future__ import annotations

from ..findings import register

NEEDS_REVIEW = register(
    "RB701", "import-needs-review", "warning", "The importer could not decide something; a person must.",
    "The Markdown did not say enough for the importer to decide (for example which of several namespaces a "
    "command means). The message says what was chosen; check it in the imported YAML.")
PLACEHOLDER_METADATA = register(
    "RB702", "import-placeholder-metadata", "warning", "Required metadata was missing and got a placeholder.",
    "A runbook needs `summary` and `owner`. When the Markdown (or its front matter) has none, the importer writes "
    "a `TODO` placeholder (owner `todo-owner`). Replace it with the real team and a sentence that says when to "
    "use the runbook.")
DESTRUCTIVE = register(
    "RB703", "import-destructive", "warning", "A command looks destructive; its confirm text is a TODO.",
    "Commands that match the destructive patterns (the same list `runbook lint` uses) are imported with "
    "`risk: destructive` and a `confirm` that starts with `TODO:`. Lint keeps flagging it until a person writes "
    "what the step breaks and why it is still the right move.")
NOT_SHELL = register(
    "RB704", "import-not-shell", "warning", "A line in a shell block is not a shell command.",
    "SQL statements and chat slash commands (`/invite @oncall`) written inside a shell block would fail or do "
    "harm in bash. They are imported as manual steps (a checklist with the text in the description), never as "
    "`run`. Wrap SQL in `psql -c` yourself if it should run.")
VARIABLE = register(
    "RB705", "import-variable", "info", "A variable was inferred from the Markdown.",
    "`<placeholders>`, `$VARS` and literal namespaces (`-n production`) become declared upper-case variables, "
    "quoted in the command. The description is guessed from the placeholder's words and the step; check it, "
    "and add a default, pattern or `secret: true` where it fits.")
TEXT_ONLY = register(
    "RB706", "import-text-only", "info", "A section had no commands or task lists and became description text.",
    "Prose, tables, plain lists and non-shell code blocks (JSON, SQL, YAML, message templates) are kept as "
    "Markdown in a description and never run. If the section describes actions, turn them into steps or a "
    "checklist.")
RAW_HTML = register(
    "RB707", "import-raw-html", "warning", "Raw HTML was kept as a fenced block.",
    "HTML blocks are not part of the runbook format; the importer keeps them as an ```html fenced block in a "
    "description so nothing is lost; inline HTML (`<br>`, `<kbd>`) is kept as written and reported too (lint flags it "
    "as RB502). Rewrite it as Markdown or delete it. HTML comments are dropped.")
GUESSED = register(
    "RB708", "import-guessed", "info", "The importer made a guess (shell or not, a title, a risk level).",
    "Unlabelled code blocks are judged shell or text by their first words; titles come from the comment above a "
    "command or from the command itself; risk `mutating` is guessed from verbs such as `apply`, `scale` and "
    "`restart`. Check the guess.")
NO_STEPS = register(
    "RB709", "import-no-steps", "warning", "The Markdown had no commands or task lists; a placeholder step was written.",
    "A runbook needs at least one step. The text was kept as the description and one manual step asks a person "
    "to write the real steps.")
EMPTY = register(
    "RB710", "import-empty", "error", "The Markdown file is empty; nothing was imported.",
    "There is nothing to turn into a runbook. Delete the file or write the runbook first.")
FRONT_MATTER = register(
    "RB711", "import-front-matter", "warning", "A front matter field could not be used.",
    "YAML front matter (`---` at the top of the file) fills title, summary, owner, service, severity, tags, "
    "alerts and related. A field that is not valid YAML, not one of those, or not in the format's form (for "
    "example an owner that is not kebab-case) is reported and left out.")

"""Every finding code in one static table: loader, schema, lint rules, import and suppressions.

Modules take their codes from here (`RULES["RB301"]`), so `runbook lint --rules`, `--explain`, SARIF's rule
list and the configuration check know every code without importing the modules that report them.
A new code is added here, in its family's block, before any module reports it.
"""

from __future__ import annotations

import re

from .findings import Rule

_TABLE = (
    # The loader (generator/loading.py, yaml_nodes.py, yaml_data.py): the file and its YAML.
    Rule("RB001", "yaml-syntax", "error",
         "The file is not valid YAML.",
         "The YAML parser stopped at this position. Fix the syntax (indentation, quotes, colons) at the line shown."),
    Rule("RB002", "yaml-tab", "error",
         "A tab is used for indentation.",
         "YAML indents with spaces only. Replace the tab at the start of the line with spaces."),
    Rule("RB003", "yaml-duplicate-key", "error",
         "A mapping has the same key twice.",
         "YAML parsers silently keep the last of two equal keys, so half of what the author wrote is lost. Remove "
         "or rename one of them."),
    Rule("RB004", "yaml-aliases", "error",
         "Too many or recursive aliases.",
         "Anchors and aliases (`&a`, `*a`) are allowed up to 20 uses per file and never recursively: an alias bomb "
         '("billion laughs") would otherwise expand to gigabytes. Write the values out.'),
    Rule("RB005", "yaml-tag", "error",
         "A custom or unsafe YAML tag, or a merge key.",
         "Runbooks are plain data: tags such as `!!python/object`, `!custom`, `!!binary` and merge keys (`<<`) are "
         "refused. Remove the tag and write the value plainly."),
    Rule("RB006", "yaml-1.1-boolean", "error",
         "An unquoted yes/no/on/off.",
         "YAML 1.1 reads unquoted `yes`, `no`, `on`, `off`, `y` and `n` as booleans while YAML 1.2 reads them as "
         "text, so tools disagree. Write `true`/`false`, or quote the word if text is meant."),
    Rule("RB007", "yaml-1.1-number", "error",
         "An octal-looking or sexagesimal number.",
         "YAML 1.1 reads `0777` as octal 511 and `1:30` as 90. Quote the value if it is text (a mode, a time, a "
         "version), or write the plain decimal number."),
    Rule("RB008", "yaml-bare-date", "warning",
         "An unquoted date or timestamp in a text field.",
         "An unquoted `2024-01-01` is a date to YAML, not text. Quote it where text is meant; only date fields such"
         " as `last_reviewed` take a bare date."),
    Rule("RB009", "empty-file", "error",
         "The file is empty.",
         "A runbook file must hold one YAML mapping with at least `kind` and `id`. Delete the file or fill it in."),
    Rule("RB010", "multiple-documents", "error",
         "The file holds several YAML documents.",
         "Each document lives in its own file, named after its id. Split the file at the `---` line shown."),
    Rule("RB011", "top-level-not-mapping", "error",
         "The top level is not a mapping.",
         "A document is a mapping of keys (`kind:`, `id:`, ...), not a list or a single value."),
    Rule("RB012", "encoding", "error",
         "The file is not UTF-8.",
         "Runbooks are UTF-8 text. Re-save the file as UTF-8."),
    Rule("RB013", "nul-byte", "error",
         "The file contains a NUL byte.",
         "A NUL byte means the file is binary or corrupt. Remove it."),
    Rule("RB014", "file-too-large", "error",
         "The file is over the size limit.",
         "Runbooks are small documents; a file over the limit (`max-file-size` in `[tool.runbook.lint]`) is refused"
         " before parsing so that lint stays fast. Split the file or raise the limit."),
    Rule("RB015", "unreadable", "error",
         "The path cannot be read as a file.",
         "The path does not exist, is a directory named like a file, or cannot be read (permissions). Fix the path."),
    Rule("RB016", "yaml-too-deep", "error",
         "The YAML is nested too deeply.",
         "Runbooks never nest more than a few levels; more than 64 levels is refused."),

    # The schema check (generator/schema.py).
    Rule("RB100", "schema", "error",
         "The document does not follow its JSON Schema.",
         "Every document is checked against the schema of its `kind` (see the format reference). The message names "
         "the property and what the schema expects; unknown keys are errors so that typos such as `rnu:` for `run:`"
         " are caught."),
    Rule("RB101", "unknown-kind", "error",
         "The document has no known `kind`.",
         "Every document starts with `kind:` naming its schema: runbook, severity-levels, escalation-policy, "
         "templates, reference."),

    # Lint: ids and references between documents (generator/lint/rules/ids.py).
    Rule("RB201", "duplicate-id", "error",
         "Two documents have the same id.",
         "Ids name documents in links, `runbook exec ID` and references, so each must be unique across the project."
         " Rename one of the two files and its `id`."),
    Rule("RB202", "id-not-file-name", "error",
         "The id differs from the file name.",
         "A document's `id` equals its file name without `.yaml`, so people find a runbook from its id and the "
         "other way round. Rename the file or change the id."),
    Rule("RB203", "duplicate-step-id", "error",
         "Two steps of a runbook have the same id.",
         "Step ids are deep links (`#step-ID`), `--from ID` targets and transcript keys, so they must be unique in "
         "the runbook."),
    Rule("RB204", "duplicate-phase-id", "error",
         "Two phases of a runbook have the same id.",
         "Phase ids are anchors (`#phase-ID`) and must be unique in the runbook."),
    Rule("RB205", "unknown-related", "error",
         "`related` names a runbook that does not exist.",
         "Every id in `related` must be the id of a runbook in the project (the linted paths plus the configured "
         "runbooks folder). Fix the id or remove it."),
    Rule("RB206", "unknown-severity", "error",
         "`severity` names a level that no severity-levels catalog defines.",
         "`severity` is the id of a level in a severity-levels catalog (for example `sev1`). References are checked"
         " against the linted paths plus the configured runbooks folder."),
    Rule("RB207", "unknown-escalation", "error",
         "`escalation` names an unknown escalation policy.",
         "`escalation` is the id of an escalation-policy document. References are checked against the linted paths "
         "plus the configured runbooks folder."),
    Rule("RB208", "unknown-template", "error",
         "A step's `template` names an unknown template.",
         "A step's `template` is the id of a template in a templates catalog. References are checked against the "
         "linted paths plus the configured runbooks folder."),
    Rule("RB209", "duplicate-catalog-id", "error",
         "Two templates or severity levels have the same id.",
         "Template ids are unique across all templates catalogs and level ids within a severity-levels catalog, "
         "because runbooks refer to them by id alone."),

    # Lint: variables in commands (generator/lint/rules/variables.py).
    Rule("RB301", "undefined-variable", "error",
         "A command uses a variable that is never set.",
         "Commands read their values from the environment. A `$NAME` (or `${NAME}`, `${NAME:-x}`) must be declared "
         "under `variables`, set earlier in the same command (`NAME=...`, `export`, `local`, `read`, `for NAME "
         "in`), captured by an earlier step (`capture: NAME`), or be a standard variable such as HOME or PATH. "
         'Otherwise it expands to nothing when the command runs. Text in single quotes and `\\$` is not expanded and'
         " not checked."),
    Rule("RB302", "unused-variable", "warning",
         "A declared variable is used by no command.",
         "Every variable under `variables` is asked for (or shown in the site's export block), so one that no `run`,"
         " `rollback`, `when` or `target` probe reads is noise. Remove it or use it."),
    Rule("RB303", "leftover-placeholder", "error",
         "A command still contains a `<placeholder>`.",
         "Text such as `<pod-name>` in a command is a placeholder to edit by hand; bash reads it as a redirection "
         'from a file named `pod-name`. Declare a variable and use it: `<pod-name>` becomes `"$POD_NAME"`, declared'
         " under `variables` with a description."),

    # Lint: safety of commands (generator/lint/rules/safety.py).
    Rule("RB401", "destructive-not-marked", "error",
         "A destructive-looking command in a step not marked `risk: destructive`.",
         "Commands such as `kubectl delete`, `rollout undo`, `scale --replicas=0`, `FLUSHALL`, `DROP TABLE`, "
         "`DELETE` without `WHERE`, `pg_terminate_backend`, `rm -rf` or `terraform destroy` can break things or "
         "lose data. Mark the step `risk: destructive` and add a `confirm` text, so that the executor asks before "
         "running it and the site shows a badge. More patterns can be added with `destructive-patterns` in "
         "`[tool.runbook.lint]`; if the command is safe, suppress the finding with a reason."),
    Rule("RB402", "destructive-without-confirm", "error",
         "A destructive step has no `confirm` text.",
         "A step marked `risk: destructive` says what it breaks and why it is still the right move in `confirm`; "
         "the executor shows it before the operator types the service name."),
    Rule("RB403", "confirm-placeholder", "error",
         "A `confirm` text is still a TODO placeholder.",
         "`runbook import` writes `confirm: TODO ...` on purpose so that a person states the impact of each "
         "destructive step. Replace it with what the step breaks and why it is right."),
    Rule("RB404", "shell-syntax", "error",
         "A command is not valid bash.",
         "Every `run`, `rollback`, `when` and `target` probe is parsed with `bash -n` (which never executes anything). Fix the syntax at "
         "the line shown: unbalanced quotes, a missing `fi`/`done`, a stray `)`."),
    Rule("RB405", "pasted-secret", "error",
         "A secret appears to be pasted into the document.",
         "Tokens, keys and passwords must never be written into a runbook: it is published and kept in git history."
         ' Read them from a variable marked `secret: true` (`"$API_TOKEN"`) instead, and rotate the leaked secret. '
         "Detected: bearer tokens with a literal value, JWTs, AWS access keys, GitHub and Slack tokens, Stripe live"
         " keys, private key blocks, and `password=...`/`--password VALUE` with a literal value in commands."),
    Rule("RB406", "invisible-character", "error",
         "A command contains an invisible or bidirectional control character.",
         "Zero-width and bidirectional control characters (U+200B-U+200F, U+202A-U+202E, U+2066-U+2069, U+FEFF and "
         "other format characters) and look-alike spaces (U+00A0 no-break space and the other Unicode spaces, which"
         " bash does not split words on) make a command run differently from how it reads (a copy-paste attack, "
         '"Trojan Source"). Retype the command.'),

    # Lint: how a step runs under `runbook exec` (generator/lint/rules/execution.py).
    Rule("RB420", "interactive-with-output", "error", "An `interactive` step also has `capture` or `expect.output`.",
    "An interactive step (`interactive: true`) hands the terminal to its command (an editor, `psql`, `kubectl exec -it`): "
    "what it prints goes straight to the operator's screen and is neither captured nor recorded. A `capture` would "
    "always be empty and an `expect.output` could never match. Remove them, or make the step non-interactive (for "
    "example `psql -Atc 'select ...'` instead of an open `psql` prompt)."),
    Rule("RB421", "wait-without-limit", "info", "A step waits without a `timeout` or `retry`.",
    "A command that waits for something (`kubectl rollout status`, `kubectl wait`, a `sleep` inside a `while` or "
    "`until` loop) can hang the session for as long as the thing never happens. Give the step a `timeout` (seconds), "
    "or replace the loop with a single check and `retry: {attempts: N, interval: SECONDS}`, which shows each attempt "
    "and lets the operator stop waiting with Ctrl-C."),
    Rule("RB422", "interactive-in-unattended-runbook", "info", "An `interactive` step in a runbook that otherwise runs under `--yes`.",
    "`runbook exec --yes` runs a runbook unattended and stops before any step that needs the operator. In a runbook "
    "whose other steps are all commands that are not destructive, the interactive step is the one thing that stops an "
    "unattended run half-way. If the runbook is meant for `--yes` (a scheduled check, an alert's first response), "
    "replace the interactive command with a non-interactive one; otherwise suppress this finding."),

    # Lint: content (generator/lint/rules/content.py).
    Rule("RB501", "stale-review", "warning",
         "The runbook was last reviewed longer ago than its review interval.",
         "A runbook nobody has read for months is likely to be wrong in the middle of an incident. The owner "
         "reviews it and updates `last_reviewed`. The interval is the runbook's `review_interval`, else "
         "`review-interval` in `[tool.runbook.lint]` (180d by default). `runbook lint --today YYYY-MM-DD` makes "
         "runs reproducible."),
    Rule("RB502", "raw-html", "warning",
         "A Markdown field contains raw HTML.",
         "Markdown fields (summary, description, confirm, checklist items, Markdown templates) are rendered on the "
         "site and in the terminal; raw HTML is dropped in the terminal, can break the page layout and may carry "
         "script. Write Markdown instead; put `<placeholders>` in backticks."),

    # Lint: message templates (generator/lint/rules/templates.py).
    Rule("RB601", "undeclared-placeholder", "error",
         "A template body uses a `{{NAME}}` that `placeholders` does not declare.",
         "Each `{{NAME}}` in a template body is declared under `placeholders` with a line saying what to write "
         "there; the site and the executor show it. Declare it or fix the name."),
    Rule("RB602", "unused-placeholder", "warning",
         "A declared placeholder does not appear in the template body.",
         "A placeholder under `placeholders` that the body never uses as `{{NAME}}` is a leftover or a typo. Remove"
         " it or use it."),

    # `runbook import` (generator/importing/): what the importer guessed or left for a person.
    Rule("RB701", "import-needs-review", "warning",
         "The importer could not decide something; a person must.",
         "The Markdown did not say enough for the importer to decide (for example which of several namespaces a "
         "command means). The message says what was chosen; check it in the imported YAML."),
    Rule("RB702", "import-placeholder-metadata", "warning",
         "Required metadata was missing and got a placeholder.",
         "A runbook needs `summary` and `owner`. When the Markdown (or its front matter) has none, the importer "
         "writes a `TODO` placeholder (owner `todo-owner`). Replace it with the real team and a sentence that says "
         "when to use the runbook."),
    Rule("RB703", "import-destructive", "warning",
         "A command looks destructive; its confirm text is a TODO.",
         "Commands that match the destructive patterns (the same list `runbook lint` uses) are imported with `risk:"
         " destructive` and a `confirm` that starts with `TODO:`. Lint keeps flagging it until a person writes what"
         " the step breaks and why it is still the right move."),
    Rule("RB704", "import-not-shell", "warning",
         "A line in a shell block is not a shell command.",
         "SQL statements and chat slash commands (`/invite @oncall`) written inside a shell block would fail or do "
         "harm in bash. They are imported as manual steps (a checklist with the text in the description), never as "
         "`run`. Wrap SQL in `psql -c` yourself if it should run."),
    Rule("RB705", "import-variable", "info",
         "A variable was inferred from the Markdown.",
         "`<placeholders>`, `$VARS` and literal namespaces (`-n production`) become declared upper-case variables, "
         "quoted in the command. The description is guessed from the placeholder's words and the step; check it, "
         "and add a default, pattern or `secret: true` where it fits."),
    Rule("RB706", "import-text-only", "info",
         "A section had no commands or task lists and became description text.",
         "Prose, tables, plain lists and non-shell code blocks (JSON, SQL, YAML, message templates) are kept as "
         "Markdown in a description and never run. If the section describes actions, turn them into steps or a "
         "checklist."),
    Rule("RB707", "import-raw-html", "warning",
         "Raw HTML was kept as a fenced block.",
         "HTML blocks are not part of the runbook format; the importer keeps them as an ```html fenced block in a "
         "description so nothing is lost; inline HTML (`<br>`, `<kbd>`) is kept as written and reported too (lint "
         "flags it as RB502). Rewrite it as Markdown or delete it. HTML comments are dropped."),
    Rule("RB708", "import-guessed", "info",
         "The importer made a guess (shell or not, a title, a risk level).",
         "Unlabelled code blocks are judged shell or text by their first words; titles come from the comment above "
         "a command or from the command itself; risk `mutating` is guessed from verbs such as `apply`, `scale` and "
         "`restart`. Check the guess."),
    Rule("RB709", "import-no-steps", "warning",
         "The Markdown had no commands or task lists; a placeholder step was written.",
         "A runbook needs at least one step. The text was kept as the description and one manual step asks a person"
         " to write the real steps."),
    Rule("RB710", "import-empty", "error",
         "The Markdown file is empty; nothing was imported.",
         "There is nothing to turn into a runbook. Delete the file or write the runbook first."),
    Rule("RB711", "import-front-matter", "warning",
         "A front matter field could not be used.",
         "YAML front matter (`---` at the top of the file) fills title, summary, owner, service, severity, tags, "
         "alerts and related. A field that is not valid YAML, not one of those, or not in the format's form (for "
         "example an owner that is not kebab-case) is reported and left out."),
    Rule("RB712", "import-failed", "error",
         "The importer failed on this file; nothing was written for it.",
         "Something in the Markdown at the line shown made the importer fail (a bug in `runbook import`, never a "
         "problem of the other files: they are imported). The message names what failed; please report it with "
         "the file, and meanwhile write this runbook by hand or simplify the block at that line."),
    Rule("RB714", "import-not-utf8", "warning",
         "The Markdown file is not UTF-8; it was read as Windows-1252.",
         "Wikis exported on Windows often write Windows-1252 (or Latin-1): `café` as the single byte 0xE9, which is "
         "not UTF-8. The importer reads such a file as Windows-1252 rather than refusing it, and writes the runbook as"
         " UTF-8. Check the accented characters and quotes in the imported YAML, and re-save the Markdown as UTF-8."),
    Rule("RB713", "import-id-renamed", "info",
         "Two imported files would have had the same id; the id takes its folder's name in front.",
         "Ids are unique across a project (`RB201`), but a folder of Markdown often has the same file name in "
         "several places (`alerts/a/TargetDown.md`, `alerts/b/TargetDown.md`, or a folder's `README.md` next to a "
         "file named like the folder). Each of those files gets its parent folders' names in front of its id "
         "(`a-targetdown`, `b-targetdown`) until the ids differ. Rename the files if other ids are wanted."),

    # Prometheus alert rule files against the runbooks (generator/alerting/).
    Rule("RB801", "alert-rules-file", "error", "An alert rule file is not shaped like a Prometheus rule file.",
    "Files named by `alert-rules` in `[tool.runbook]` or `runbook lint --alert-rules` are Prometheus rule files "
    "(`groups:` of `{name, rules: [{alert, expr, labels, annotations}]}`) or Kubernetes `PrometheusRule` objects "
    "(the same under `spec.groups`; several YAML documents per file are fine, other kinds are skipped). "
    "Every alerting rule has an `alert` name that is a valid metric name, an `expr`, and text labels and annotations."),
    Rule("RB802", "alert-without-runbook-url", "error", "An alerting rule has no `runbook_url` annotation.",
    "Whoever is paged by an alert needs the procedure one click away: give every alerting rule an annotation "
    "`runbook_url` that points at its runbook on the site (`runbook alerts --annotate` prints it, `--write` adds it). "
    "The severity follows the rule's `severity` label: critical is an error, warning a warning, anything else info; "
    "`runbook-url-severity` in `[tool.runbook.lint]` changes that (`{critical = \"error\", info = \"off\", \"*\" = \"info\"}`)."),
    Rule("RB803", "runbook-url-broken", "error", "A `runbook_url` under the site resolves to no page.",
    "The link points under `site-url` (from `[tool.runbook]`, or `site_url` in mkdocs.yml) but names no page the site "
    "generates: a runbook id, an alert page (`alerts/<alert>/`, one for each alert a runbook lists), a `#step-<id>` that "
    "the runbook does not have, or a `?var.NAME` the runbook does not declare. The on-call engineer would land on a 404."),
    Rule("RB804", "runbook-url-alert-not-listed", "error", "An alert's `runbook_url` leads to a runbook that does not list the alert.",
    "The link works, but the runbook it leads to does not name the alert in `alerts`, so the site's alert page, "
    "`runbook exec ALERTNAME` and the search do not know them as a pair. Add the alert to the runbook's `alerts`, "
    "or point the link at the runbook that handles the alert."),
    Rule("RB805", "alert-without-rule", "warning", "A runbook lists an alert that no alert rule defines.",
    "When alert rule files are configured (`alert-rules` in `[tool.runbook]` or `--alert-rules`), every name in a "
    "runbook's `alerts` should be an alerting rule in them: a renamed or deleted alert leaves the runbook unreachable "
    "from the pager. Fix the name (near names are suggested) or remove it."),

    # Inline suppressions (generator/lint/suppressions.py).
    Rule("RB901", "unused-suppression", "warning",
         "A suppression comment suppresses nothing.",
         "A `# runbook: disable...` comment whose code has no finding on its line (or, for disable-file, in its "
         "file) is stale. Remove it."),
    Rule("RB902", "unknown-suppression-code", "error",
         "A suppression names an unknown rule code, or none.",
         "Suppressions name the codes they hide: `# runbook: disable=RB401 -- reason`. `runbook lint --rules` lists"
         " the codes. A suppression without a code is refused."),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _TABLE}
assert len(RULES) == len(_TABLE), "a code is listed twice"


SHELLCHECK_CODE = re.compile(r"SC[0-9]{4}")
SHELLCHECK_WIKI = "https://www.shellcheck.net/wiki/{code}"


def shellcheck_explanation(code: str, message: str = "") -> str:
    seen = f"ShellCheck says: {message}\n" if message else ""
    return (f"{seen}Every `run`, `rollback`, `when` and target command is checked by ShellCheck with the runbook's "
            f"variables declared. Its wiki explains {code}, with examples of the problem and the fix: "
            f"{SHELLCHECK_WIKI.format(code=code)}\n"
            f"Suppress one finding with a reason: `# runbook: disable={code} -- reason` (or `disable-next-line` inside a "
            "block); turn the family off with `ignore = [\"SC\"]` in [tool.runbook.lint].")


def lookup(code: str, severity: str = "warning", message: str = "") -> Rule | None:
    """The rule of a code: one of the table's, or ShellCheck's SCnnnn (its codes are ShellCheck's own
    list, not ours, so they are described as they are met)."""
    rule = RULES.get(code)
    if rule is None and SHELLCHECK_CODE.fullmatch(code):
        rule = Rule(code, f"shellcheck-{code.lower()}", severity,
                    f"ShellCheck {code}" + (f": {message}" if message else ""), shellcheck_explanation(code, message))
    return rule


def normalise(text: str) -> str:
    """What a person typed (`rb301`, ` RB301 `) as a code."""
    return text.strip().upper()


def closest(text: str) -> str | None:
    """The known code a mistyped one most likely means (`RB310` -> `RB301`), or None."""
    import difflib  # only for a mistyped code: `runbook lint` itself never needs it

    typed = normalise(text)
    matches = difflib.get_close_matches(typed, RULES, n=5, cutoff=0.6)
    if not matches:
        return None
    # Equally close codes (RB310 is as close to RB301 as to RB710 and RB303): the family a person typed
    # (the leading characters) is what they meant, and two swapped digits are the likeliest slip.
    def shared_start(code: str) -> int:
        return next((i for i, (a, b) in enumerate(zip(code, typed)) if a != b), min(len(code), len(typed)))

    # A letter typed for the digit it looks like (`RB7O3`) means exactly that code, whatever else is as close.
    digits = typed[:2] + typed[2:].translate(str.maketrans("OILS", "0115"))
    return max(matches, key=lambda code: (code == digits, difflib.SequenceMatcher(None, typed, code).ratio(),
                                          shared_start(code), sorted(code) == sorted(typed)))


def did_you_mean(text: str) -> str:
    """`did you mean RB301? ` for a mistyped code (with its trailing space), or nothing."""
    guess = closest(text)
    return f"did you mean {guess}? " if guess else ""


def explanation(rule: Rule) -> str:
    """`runbook lint --explain CODE`: the code, its name and severity, the summary and the explanation."""
    return f"{rule.code} {rule.name} [{rule.severity}]\n{rule.summary}\n\n{rule.explanation}"


def table() -> list[str]:
    """`runbook lint --rules`: one line per code, in code order."""
    own = [f"{rule.code}  {rule.name:<30} {rule.severity:<8} {rule.summary}" for _, rule in sorted(RULES.items())]
    return own + [f"{'SCxxxx':<6}  {'shellcheck':<30} {'varies':<8} ShellCheck's findings on commands (--explain SC2086)"]

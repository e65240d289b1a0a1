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
         "templates, reference, runbook-test."),

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

    # Lint: runbooks that call runbooks, `uses` and `with` (generator/lint/rules/calls.py).
    Rule("RB430", "unknown-called-runbook", "error", "A `uses` step names a runbook that does not exist.",
    "`uses: RUNBOOK` runs the steps of the runbook with that id in place of the step (`uses: RUNBOOK#STEP` runs one "
    "of them). The id must be a runbook of the catalog: fix the spelling (the message suggests the closest id), or "
    "add the runbook."),
    Rule("RB431", "unknown-called-step", "error", "A `uses: RUNBOOK#STEP` names a step the runbook does not have.",
    "After `#` comes the id of one step of the called runbook. Fix the spelling (the message suggests the closest "
    "step id), or drop `#STEP` to call the whole runbook."),
    Rule("RB432", "call-cycle", "error", "Runbooks call each other in a cycle.",
    "A runbook that calls a runbook that calls the first one back (directly or through others) would never end. "
    "The cycle is reported once, at one of its `uses` steps, with its whole path; break it by writing the shared "
    "steps in a runbook of their own that both call."),
    Rule("RB433", "unknown-with-variable", "error", "`with` gives a variable the called runbook does not declare.",
    "`with` passes values to the called runbook's declared variables only; any other name would be set in the "
    "environment of commands that never read it. Fix the name (the message suggests the closest declared one), or "
    "declare the variable in the called runbook."),
    Rule("RB434", "undeclared-with-reference", "error", "A `$NAME` in `with` is not a variable of the calling runbook.",
    "`with: {SERVICE: \"$SERVICE\"}` passes the calling runbook's own variable (or an earlier step's `capture`) "
    "to the called runbook. A name the caller does not declare has no value to pass: declare it under `variables`, "
    "fix the spelling, or write the literal text."),
    Rule("RB435", "called-variable-not-given", "info", "A required variable of the called runbook is not given in `with`.",
    "The called steps read a variable that is required and has no default, and this call does not pass it. "
    "`runbook exec` will take it from the environment or ask for it during the call (and an unattended `--yes` run "
    "stops at the start without it). Pass it with `with` if the caller knows the value."),
    Rule("RB436", "uses-with-own-command", "error", "A `uses` step also has a command, checklist or other step fields.",
    "A step with `uses` runs the called steps and nothing else: its `run`, `checklist`, `template`, `rollback`, "
    "`capture`, `expect`, `timeout`, `retry`, `interactive`, `on_failure` and `confirm` would be ignored. Move the "
    "command to a step of its own, or set those fields on the called steps. Its risk is the highest risk of the "
    "called steps: a `risk` that says so may stay, one that says otherwise is reported."),
    Rule("RB437", "with-value-refused", "error", "A literal `with` value is not allowed by the called variable.",
    "The called runbook's variable has `choices` or a `pattern`, and the text `with` passes does not fit it: "
    "`runbook exec` would stop at the call. Fix the value, or pass a variable of the caller (`$NAME`) instead."),
    Rule("RB438", "with-text-names-a-variable", "warning", "A `with` value is text that contains `$NAME`.",
    "A `with` value is either exactly `$NAME` (or `${NAME}`), which passes the caller's variable, or text, which is "
    "passed as it is: `bad release $VERSION` reaches the called runbook with the dollar sign and the name, not the "
    "version. Pass the variable on its own (`REASON: \"$VERSION\"`), or write the text without `$`."),
    Rule("RB439", "same-name-not-passed", "warning",
         "A variable both runbooks declare is not passed to the call, which uses its own default.",
    "The called steps read a variable that the calling runbook declares too, and `with` does not pass it. Each "
    "runbook has its own values: the call takes the name from its own default (or the environment), not from the "
    "caller, so an operator who set it for the caller (`--var NAMESPACE=staging`) gets the called runbook's default "
    "(`production`) inside the call, without a question. Pass it (`with: {NAMESPACE: \"$NAMESPACE\"}`), or give the "
    "literal value the call needs."),

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

    # Lint: freshness from real runs (generator/lint/rules/freshness.py).
    Rule("RB503", "drill-overdue", "warning",
         "No successful run or drill of the runbook within the drill interval.",
         "A runbook that has not run for months may no longer work: a command moved, a name changed, a "
         "permission went. The runs and drills recorded in the transcripts folder (`transcripts` in "
         "`[tool.runbook]`) count when they completed with no step failing; `runbook history RUNBOOK` lists them. "
         "Rehearse it against staging with `runbook exec RUNBOOK --drill`. The check is off until "
         "`drill-interval` is set in `[tool.runbook.lint]` (for example \"90d\"); `runbook lint --today "
         "YYYY-MM-DD` makes runs reproducible."),

    # Lint: message templates (generator/lint/rules/templates.py).
    Rule("RB601", "undeclared-placeholder", "error",
         "A template body uses a `{{NAME}}` that `placeholders` does not declare.",
         "Each `{{NAME}}` in a template body is declared under `placeholders` with a line saying what to write "
         "there; the site and the executor show it. Declare it or fix the name."),
    Rule("RB602", "unused-placeholder", "warning",
         "A declared placeholder does not appear in the template body.",
         "A placeholder under `placeholders` that the body never uses as `{{NAME}}` is a leftover or a typo. Remove"
         " it or use it."),

    # Scenario files, `kind: runbook-test` (generator/lint/rules/scenarios.py), run by `runbook test`.
    Rule("RB650", "scenario-unknown-runbook", "error", "A scenario file names a runbook that does not exist.",
         "`runbook:` of a `kind: runbook-test` file is the id of the runbook its scenarios rehearse; a renamed or "
         "deleted runbook leaves the scenarios testing nothing. Fix the id (near ids are suggested) or delete the file."),
    Rule("RB651", "scenario-unknown-step", "error", "A scenario names a step the runbook does not have.",
         "Keys of `results`, `rollbacks`, `conditions`, `answers` and `target_changes`, and the steps in `expect` "
         "(`ran`, `skipped`, `attempts`, `stopped_at`), are step keys of the runbook as the session names them: a "
         "step's id, or `caller-step/called-step` for a step run through `uses`. A misspelt key would be silently "
         "ignored and the scenario would test something else. Fix the key (near keys are suggested)."),
    Rule("RB652", "scenario-result-without-run", "error", "A scenario gives a result for a step that has no `run`.",
         "`results.STEP` is what the step's `run` command prints and exits with. A manual step (a checklist or "
         "template only) runs no command, so its result would never be used: remove it, or answer the step in "
         "`answers` instead. A step that `uses` another runbook has no `run` either: give the results to the "
         "steps it calls (`caller-step/called-step`)."),
    Rule("RB653", "scenario-rollback-without-rollback", "error",
         "A scenario gives a rollback result for a step that has no `rollback`.",
         "`rollbacks.STEP` is what the step's `rollback` command prints and exits with when the operator runs it "
         "after the step failed. The step has no `rollback`, so the result would never be used."),
    Rule("RB654", "scenario-too-many-results", "error", "A scenario gives more results than the step can run.",
         "A list under `results.STEP` gives one result per attempt; a step runs at most `retry.attempts` times "
         "(once without `retry`), plus one more round each time the operator answers `yes` (retry) after a "
         "failure in `answers.STEP`. The extra results would never be used, which usually means the scenario "
         "expects a retry the runbook does not make."),
    Rule("RB655", "scenario-condition-without-when", "error", "A scenario decides a condition for a step without `when`.",
         "`conditions.STEP: true|false` decides the step's `when` test. The step has none, so the value would "
         "never be used: remove it, or add the `when` to the runbook."),
    Rule("RB656", "scenario-unknown-probe", "error", "A scenario names a target probe the runbook does not have.",
         "Keys of `target` and of each `target_changes.STEP` are the `name`s of the runbook's `target` probes "
         "(`kube context`, `namespace`); `target` may also name the probes of a runbook called whole, and "
         "`target_changes.STEP` names those re-checked before the step: its own runbook's, the started runbook's and "
         "those of the runbooks called whole around it. Fix the name (near names are suggested)."),
    Rule("RB657", "scenario-target-change-unseen", "warning",
         "A scenario changes the target before a step that is not destructive.",
         "The session probes the target again only before a destructive step, so a change given in "
         "`target_changes` for another step is not seen there (it shows at the next destructive step). Move it to "
         "the destructive step it is meant to stop. A destructive step run through a call of one step "
         "(`uses: RUNBOOK#STEP`) is not checked against its runbook's target either: the call takes no baseline."),
    Rule("RB658", "scenario-unknown-variable", "error",
         "A scenario sets or expects a variable the runbook neither declares nor captures.",
         "`variables` sets the runbook's declared variables, and those of the runbooks it calls (what a called "
         "runbook finds in the environment when `with` does not give it); `expect.variables` may also name a "
         "step's `capture` (the runbook's own: a called runbook's captures stay inside its call). Any other name "
         "would be ignored. Fix the name (near names are suggested)."),
    Rule("RB659", "scenario-duplicate-name", "error", "Two scenarios of a file have the same name.",
         "Reports and JUnit name a scenario by its file and name, so each name must be unique in its file."),
    Rule("RB660", "scenario-invalid-value", "error", "A scenario gives a variable a value the runbook refuses.",
         "The value does not match the variable's `pattern` or is not one of its `choices`; `runbook exec` would "
         "refuse it, so the scenario rehearses a session that cannot happen. Give a value the runbook accepts."),
    Rule("RB661", "scenario-answer-at-a-call", "error", "A scenario answers a step that `uses` another runbook.",
         "The session asks nothing at a `uses` step: it runs the called steps in place and asks at each of them. "
         "An answer for the calling step would be ignored (`skip` would not skip the call). Answer the called "
         "steps (`caller-step/called-step`), or decide the call's `when` in `conditions`."),
    Rule("RB662", "scenario-ran-without-run", "warning", "`expect.ran` names a step that runs no command.",
         "`expect.ran` lists the steps whose command ran. A manual step (a checklist or template only) runs no "
         "command, and a step that `uses` another runbook has none of its own (its called steps, "
         "`caller-step/called-step`, are listed instead), so the step can never be in `ran` and the scenario "
         "always fails. Remove it (a checklist done is not a command), or list the called steps."),

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
    "Every alerting rule has an `alert` name (any text, as Prometheus allows), an `expr`, and labels and annotations "
    "that map valid label names to single values. Rule files are read as Prometheus reads them: merge keys "
    "(`<<: *defaults`) are merged and numbers are text; `promtool check rules` accepts what lint accepts."),
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
    Rule("RB806", "import-alert-link-unresolved", "warning",
         "An alert's runbook link points into the imported runbooks' site or repository but at none of the imported files.",
         "`runbook import --alert-rules` links every alerting rule whose runbook link (`runbook-url-annotations`) names "
         "an imported file: by repository path, repository blob address, published page or alert name. This link "
         "leads to the same site or repository as links that did resolve, yet names no imported file (a page that was "
         "not imported, a renamed file) or several. Import the missing page, or add the alert to a runbook's `alerts`."),
    Rule("RB807", "import-alert-not-listable", "warning",
         "An alert that links an imported file has a name a runbook's `alerts` cannot hold.",
         "Prometheus allows any label value as an alert name; a runbook's `alerts` takes any text on one line, up to 200 "
         "characters, without spaces at either end. The import leaves this alert out; rename the alert or link it by "
         "hand."),

    Rule("RB808", "alert-rules-template", "warning",
         "An alert rule file is a Helm or Go template, not YAML yet; its rules were not read.",
         "A chart's `templates/prometheusrules.yaml` holds `{{ if .Values... }}` around the rules: neither Prometheus "
         "nor lint can read it before it is rendered. Render the chart (`helm template . > rendered.yaml`) and point "
         "`alert-rules` or `--alert-rules` at the output, or leave the templates folder out."),

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
    # Every code at least that close, not the first few: with many codes as close as the right one, a short
    # list could leave it out before the tie-break below.
    matches = difflib.get_close_matches(typed, RULES, n=len(RULES), cutoff=0.6)
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

"""The executor: `runbook exec`, `runbook show` and `runbook transcript`.

One module per job: resolve (which runbook), variables, prompts (the operator's terminal), terminal
(Markdown as plain text), redact (secrets out of every byte shown or stored), runner (one bash
process group), transcript (JSON Lines on disk), session (the step loop), timeline (a transcript as a
post-mortem table), show and commands (what the CLI calls).
"""

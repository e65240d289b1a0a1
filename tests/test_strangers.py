"""Runbooks with calls and scenario files written the way someone who only read issues 18 and 19 writes them:
flow style, anchors, numbers and booleans where text is meant, calls three deep, called steps addressed
`call/step`, and the mistakes such a person makes. Each test is a class of failure found that way."""

from __future__ import annotations

import textwrap

from generator.loading import load_text

SCALE = """\
    kind: runbook
    id: scale-it
    title: Scale it
    summary: Scale a deployment.
    owner: team-a
    variables:
      REPLICAS: {description: Replica count, pattern: "^[0-9]+$"}
      FORCE: {description: Force it, default: "false", choices: ["true", "false"]}
      RATIO: {description: Ratio, default: "1.0"}
    steps:
      - {id: scale, title: Scale, run: 'echo "$REPLICAS" "$FORCE" "$RATIO"', risk: mutating, capture: SAID}
"""

CALLER = """\
    kind: runbook
    id: caller
    title: Caller
    summary: Calls scale-it with numbers.
    owner: team-a
    variables:
      VERSION: {description: Version, default: "3.10"}
    steps:
      - id: scale
        title: Scale through the call
        uses: scale-it
        with: {REPLICAS: 3, FORCE: true, RATIO: 1.50}
      - {id: version, title: Version, run: 'echo "$VERSION"', capture: GOT}
"""


def test_numbers_and_booleans_where_text_is_meant_keep_their_text(project):
    """`with: {REPLICAS: 3}` and a scenario's `output: 3.10` are text the shell sees: kept as written (3.10,
    not 3.1; true, not True), never a schema error."""
    source = load_text(textwrap.dedent(CALLER))
    assert source.data["steps"][0]["with"] == {"REPLICAS": "3", "FORCE": "true", "RATIO": "1.50"}
    assert not source.findings
    project.runbook(SCALE)
    project.runbook(CALLER)
    (project.root / "runbooks" / "caller.test.yaml").write_text(textwrap.dedent("""\
        kind: runbook-test
        runbook: caller
        scenarios:
          - name: versions are text
            variables: {VERSION: 3.10}
            results:
              scale/scale: {output: 3 true 1.50}
              version: {output: 3.10}
            expect:
              outcome: completed
              variables: {GOT: 3.10, VERSION: "3.10"}
        """), encoding="utf-8")
    lint = project.run("lint")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    run = project.run("test")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    # Numbers keep their meaning where a number is meant.
    data = load_text("kind: runbook-test\nrunbook: x\nscenarios:\n  - {name: n, results: {a: {exit: 3}}, "
                     "expect: {attempts: {a: 2}}}\n").data
    assert data["scenarios"][0]["results"]["a"]["exit"] == 3
    assert data["scenarios"][0]["expect"]["attempts"]["a"] == 2

"""Lint of the executor fields: `when` and `target` probes checked like `run` (bash syntax, declared
variables), waits without a limit, interactive steps (RB420-RB422), and schema errors for the new fields."""

from __future__ import annotations

import json


def _lint(project, text: str) -> list[dict]:
    project.runbook(text)
    result = project.run("lint", "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return [(f["code"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]]


HEAD = """
    kind: runbook
    id: exec-fields
    title: Exec fields
    summary: Uses the executor's fields.
    owner: platform-team
"""


def test_when_and_target_are_shell_checked_and_their_variables_must_be_declared(project):
    findings = _lint(project, HEAD + """
    variables:
      NAMESPACE: {description: Namespace, default: production}
    target:
      - {name: context, run: kubectl config current-context --kubeconfig "$KUBECONFIG_FILE"}
      - {name: namespace, run: echo "$NAMESPACE"}
      - {name: broken, run: "echo ("}
    steps:
      - {id: record, title: Record, run: echo v1, capture: PREVIOUS}
      - {id: restore, title: Restore, run: echo "$PREVIOUS", when: '[ -n "$PREVIOUS" ]'}
      - {id: typo, title: Typo, run: echo ok, when: '[ -n "$PREVIUOS" ]'}
      - {id: unbalanced, title: Unbalanced, run: echo ok, when: '[ -n "$PREVIOUS" ] && ('}
    """)
    codes = [(code, line) for code, line, _ in findings]
    assert ("RB301", 11) in codes  # $KUBECONFIG_FILE in a probe
    assert ("RB404", 13) in codes  # a probe that is not bash
    assert ("RB301", 17) in codes  # $PREVIUOS in a when
    assert ("RB404", 18) in codes  # a when that is not bash
    messages = " ".join(message for *_, message in findings)
    assert "did you mean 'PREVIOUS'?" in messages
    assert "target probes run before any step" in messages
    assert not any(code == "RB302" for code, *_ in findings)  # NAMESPACE is used by a probe


def test_a_capture_is_not_available_to_a_target_probe(project):
    findings = _lint(project, HEAD + """
    target:
      - {name: version, run: echo "$PREVIOUS"}
    steps:
      - {id: record, title: Record, run: echo v1, capture: PREVIOUS}
    """)
    assert [code for code, *_ in findings] == ["RB301"]


def test_waits_without_timeout_or_retry_get_a_hint(project):
    findings = _lint(project, HEAD + """
    steps:
      - {id: rollout, title: Rollout, run: kubectl rollout status deployment/api}
      - {id: rollout-limited, title: Rollout, run: kubectl rollout status deployment/api, timeout: 300}
      - id: loop
        title: Loop
        run: |
          until curl -fs http://localhost/health; do
            sleep 5
          done
      - {id: retried, title: Retried, run: curl -fs http://localhost/health, retry: {attempts: 10, interval: 5}}
      - {id: one-sleep, title: One sleep, run: sleep 5}
    """)
    assert [(code, line) for code, line, _ in findings] == [("RB421", 9), ("RB421", 13)]


def test_interactive_steps(project):
    findings = _lint(project, HEAD + """
    steps:
      - {id: look, title: Look, run: kubectl get pods}
      - {id: shell, title: Shell, run: psql, interactive: true, capture: OUT}
      - {id: edit, title: Edit, run: kubectl edit deployment/api, interactive: true, expect: {output: edited}}
    """)
    codes = [(code, line) for code, line, _ in findings]
    assert ("RB420", 10) in codes and ("RB420", 11) in codes
    assert ("RB422", 10) in codes and ("RB422", 11) in codes  # every other step runs under --yes
    findings = _lint(project, HEAD + """
    steps:
      - {id: shell, title: Shell, run: psql, interactive: true}
      - {id: decide, title: Decide, checklist: [Decided]}
    """)
    assert findings == []  # a runbook with manual steps is not run under --yes anyway


def test_schema_errors_for_the_new_fields(project):
    findings = _lint(project, HEAD + """
    requires: [kubectl, "bin/psql"]
    target:
      - {name: context}
    steps:
      - {id: manual, title: Manual, checklist: [x], retry: {attempts: 3}}
      - {id: once, title: Once, run: "true", retry: {attempts: 1, interval: 5}}
    """)
    messages = [(code, line, message) for code, line, message in findings]
    assert ("RB100", 8) in [(c, l) for c, l, _ in messages]  # a program name with a slash
    assert any("missing required property 'run' at /target/0" in m for *_, m in messages)
    assert any("`retry` needs `run` in the same step" in m for *_, m in messages)
    assert any("1 is less than the minimum of 2" in m for *_, m in messages)


def test_explain_knows_the_new_codes(project):
    for code in ("RB420", "RB421", "RB422"):
        result = project.run("lint", "--explain", code)
        assert result.returncode == 0 and code in result.stdout

"""`runbook exec` from an alert: by alert name, and `--alert FILE|-` with an Alertmanager payload (real pty)."""

from __future__ import annotations

import json

import pytest

RUNBOOK = """\
kind: runbook
id: pods
title: Pods
summary: Use when a pod crash loops.
owner: team-a
service: pods
alerts: [KubePodCrashLooping, KubePodNotReady]
variables:
  NAMESPACE:
    description: Namespace
    label: namespace
    default: prod
    pattern: "^[a-z0-9-]+$"
  POD:
    description: Pod name
    label: pod
  CONTEXT:
    description: Cluster context
    label: cluster
    choices: [eu, us]
    default: eu
steps:
  - id: show
    title: Show the values
    run: printf 'ns=%s pod=%s ctx=%s\\n' "$NAMESPACE" "$POD" "$CONTEXT"
"""


def payload(**labels) -> dict:
    return {"version": "4", "status": "firing", "receiver": "oncall", "groupLabels": {"alertname": "KubePodCrashLooping"},
            "commonLabels": {"alertname": "KubePodCrashLooping"}, "externalURL": "http://alertmanager:9093",
            "alerts": [
                {"status": "resolved", "labels": {"alertname": "KubePodCrashLooping", "namespace": "old", "pod": "gone"},
                 "startsAt": "2026-12-01T20:00:00Z", "endsAt": "2026-12-01T21:00:00Z"},
                {"status": "firing", "labels": {"alertname": "KubePodCrashLooping", **labels},
                 "annotations": {"summary": "crash looping"}, "startsAt": "2026-12-02T01:30:00.123456789Z",
                 "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus/graph", "fingerprint": "abc"}]}


@pytest.fixture
def pods(project):
    project.runbook(RUNBOOK)
    return project


def test_payload_fills_label_variables_and_the_transcript_records_the_alert(pods, tmp_path):
    alert = tmp_path / "alert.json"
    alert.write_text(json.dumps(payload(namespace="shop", pod="web-1", cluster="us", severity="warning")))
    transcript = pods.root / "t.jsonl"
    child = pods.spawn("exec", "--alert", str(alert), "--transcript", str(transcript))
    child.expect("Alert: KubePodCrashLooping \\(firing\\) since 2026-12-02T01:30:00.123Z")
    child.expect("labels: cluster=us, namespace=shop, pod=web-1, severity=warning")
    child.expect("the payload holds 1 more alert")
    child.expect("NAMESPACE = shop")
    child.expect("Run this step\\?")
    child.sendline("y")
    child.expect("ns=shop pod=web-1 ctx=us")
    pods.finish(child, 0)
    start = pods.events(transcript)[0]
    assert start["alert"] == {"name": "KubePodCrashLooping", "status": "firing", "startsAt": "2026-12-02T01:30:00.123Z",
                              "labels": {"alertname": "KubePodCrashLooping", "namespace": "shop", "pod": "web-1",
                                         "cluster": "us", "severity": "warning"}}
    timeline = pods.run("transcript", str(transcript))
    rows = [line for line in timeline.stdout.splitlines() if line.startswith("| ") and not line.startswith("| Time")]
    assert rows[0] == "| 01:30:00 |  | Alert KubePodCrashLooping fired (cluster=us, namespace=shop, pod=web-1, severity=warning) | firing |"
    assert "Session started by" in rows[1]
    as_json = json.loads(pods.run("transcript", str(transcript), "--format", "json").stdout)
    assert as_json["rows"][0]["action"].startswith("Alert KubePodCrashLooping fired")


def test_single_alert_on_standard_input_and_var_wins(pods):
    alert = {"labels": {"alertname": "KubePodNotReady", "namespace": "shop", "pod": "web-2"}, "startsAt": "2026-12-02T01:00:00Z"}
    result = pods.run("exec", "--alert", "-", "--yes", "--var", "POD=web-3", input=json.dumps(alert))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Alert: KubePodNotReady since 2026-12-02T01:00:00.000Z" in result.stdout
    assert "ns=shop pod=web-3 ctx=eu" in result.stdout


def test_label_values_are_checked_and_never_pasted(pods, tmp_path):
    alert = tmp_path / "alert.json"
    alert.write_text(json.dumps(payload(namespace="shop; touch pwned", pod="web-1")))
    result = pods.run("exec", "--alert", str(alert), "--yes")
    assert result.returncode == 2
    assert result.stderr == ("runbook: NAMESPACE from the alert's label namespace='shop; touch pwned' must match "
                             "the pattern ^[a-z0-9-]+$\n")
    alert.write_text(json.dumps(payload(namespace="shop", pod="web-1", cluster="asia")))
    result = pods.run("exec", "--alert", str(alert), "--yes")
    assert result.returncode == 2 and "CONTEXT from the alert's label cluster='asia' must be one of: eu, us" in result.stderr
    # A variable without a pattern takes any text, and it reaches bash as data in the environment.
    alert.write_text(json.dumps(payload(namespace="shop", pod='$(touch pwned)";touch pwned;"')))
    result = pods.run("exec", "--alert", str(alert), "--yes")
    assert result.returncode == 0, result.stderr
    assert 'pod=$(touch pwned)";touch pwned;"' in result.stdout
    assert not (pods.root / "pwned").exists()


def test_exec_by_alert_name(pods):
    result = pods.run("exec", "KubePodNotReady", "--dry-run")
    assert result.returncode == 0 and result.stdout.startswith("Pods\n")
    result = pods.run("exec", "kubepodnotready", "--dry-run")  # alert names ignoring case, when unambiguous
    assert result.returncode == 0
    pods.runbook(RUNBOOK.replace("id: pods", "id: pods-two").replace("service: pods", "service: other"))
    result = pods.run("exec", "KubePodNotReady", "--dry-run")
    assert result.returncode == 2
    assert result.stderr == "runbook: alert KubePodNotReady is listed by several runbooks: pods, pods-two; name one by its id\n"


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("not json", "--alert {f}: not JSON (", id="not-json"),
    pytest.param("[1, 2]", "neither an Alertmanager webhook payload (`alerts`) nor an alert (`labels`)", id="a-list"),
    pytest.param('{"alerts": []}', "`alerts` holds no alert", id="no-alerts"),
    pytest.param('{"labels": {"namespace": "x"}}', "the alert has no `alertname` label", id="no-alertname"),
    pytest.param('{"labels": {"alertname": "KubePodNotReady", "replicas": 3}}', "the alert's `labels` must map names to text", id="number"),
    pytest.param('{"labels": {"alertname": "DiskFull"}}', "no runbook lists alert DiskFull in `alerts`", id="unknown-alert"),
])
def test_bad_payloads_are_one_line_exit_2(pods, tmp_path, text, message):
    alert = tmp_path / "alert.json"
    alert.write_text(text)
    result = pods.run("exec", "--alert", str(alert), "--yes")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("runbook: "), result.stderr
    assert message.format(f=alert) in result.stderr


def test_missing_payload_file_and_no_runbook(pods):
    result = pods.run("exec", "--alert", "nowhere.json")
    assert result.returncode == 2 and result.stderr == "runbook: --alert nowhere.json: no such file\n"
    result = pods.run("exec")
    assert result.returncode == 2 and "name a runbook (id, service, alert or path), or pass --alert FILE" in result.stderr

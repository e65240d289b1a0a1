"""`runbook exec --drill` on a real pseudo-terminal: the header and every prompt say DRILL, the commands run for
real, the transcript records the drill, its timeline is titled as one, and a resumed drill stays a drill."""

from __future__ import annotations

import json
import re

import pytest

pexpect = pytest.importorskip("pexpect")

DRILL = """
    kind: runbook
    id: drillbox
    title: Drill box
    summary: A runbook to rehearse.
    service: drillbox
    owner: platform-team
    requires: [no-such-program-for-the-drill]
    variables:
      API_TOKEN: {description: API token, secret: true, required: true}
      MARK_DIR: {description: Where the marks go, required: true}
    steps:
      - {id: check, title: Check the token, run: 'echo "token=$API_TOKEN"'}
      - {id: write, title: Write a mark, risk: mutating, run: 'touch "$MARK_DIR/written"'}
      - {id: flaky, title: Fails, run: exit 3}
      - id: wipe
        title: Wipe the mark
        risk: destructive
        confirm: Removes the mark.
        run: 'rm "$MARK_DIR/written" && touch "$MARK_DIR/wiped"'
      - {id: confirm, title: Confirm, checklist: [Marks gone]}
    """

# Every question the session asked in this drill, as the operator read it: each must carry the label.
# (A variable's question follows a line that names and describes it: `API_TOKEN: API token`.)
QUESTIONS = [r"Go on anyway\?", r"API_TOKEN: (?!API token)", r"Run this step\? \[Y/s/e/q/\?\]",
             r"Run this step\? \[y/s/e/q/\?\]", r"MARK_DIR: (?!Where)", r"Retry, skip or quit\? \[r/s/q\]", r"Type drillbox to run this destructive step",
             r"\[ \] Marks gone  done\? \[y/n/s/q\]"]


def test_a_drill_says_drill_in_the_header_and_every_prompt_and_is_recorded_as_one(project, tmp_path):
    project.runbook(DRILL)
    marks = tmp_path / "marks"
    marks.mkdir()
    child = project.spawn("exec", "drillbox", "--drill")
    child.expect("DRILL: a rehearsal that runs every command for real")
    child.expect(r"\[DRILL\] Go on anyway\?")
    child.sendline("y")
    child.expect(r"\[1/5\]")
    child.expect(r"\[DRILL\] Run this step\? \[Y/s/e/q/\?\] ")
    child.sendline("y")
    child.expect(r"\[DRILL\] API_TOKEN: ")  # asked without echo when the command first needs it
    child.sendline("s3cr3t-drill-token")
    child.expect(r"token=\*\*\*")
    child.expect(r"\[DRILL\] Run this step\? \[y/s/e/q/\?\] ")
    child.sendline("y")
    child.expect(r"\[DRILL\] MARK_DIR: ")
    child.sendline(str(marks))
    child.expect(r"\[DRILL\] Run this step\? ")
    child.sendline("y")
    child.expect(r"\[DRILL\] Retry, skip or quit\? \[r/s/q\] ")
    child.sendline("s")
    child.expect(r"\[DRILL\] Type drillbox to run this destructive step")
    child.sendline("drillbox")
    child.expect(r"\[DRILL\] \[ \] Marks gone  done\? \[y/n/s/q\] ")
    child.sendline("y")
    child.expect("Drill completed.")
    type(project).finish(child, 0)
    screen = child.logfile_read.text
    for question in QUESTIONS:
        shown = [m.start() for m in re.finditer(question, screen)]
        assert shown, question
        for start in shown:
            assert screen[max(0, start - 8):start] == "[DRILL] ", (question, screen[max(0, start - 40):start + 40])
    assert screen.index("DRILL: a rehearsal") < screen.index("Drill box")  # first thing in the header
    assert "s3cr3t-drill-token" not in screen
    # The commands ran for real.
    assert (marks / "wiped").exists() and not (marks / "written").exists()

    transcript = next((project.root / "transcripts").glob("*-drillbox.jsonl"))
    events = project.events(transcript)
    assert events[0]["event"] == "session-start" and events[0]["drill"] is True
    assert "s3cr3t-drill-token" not in transcript.read_text()
    timeline = project.run("transcript", str(transcript))
    assert timeline.returncode == 0
    assert timeline.stdout.startswith("## Drill timeline\n\nDrill of runbook `drillbox` (Drill box), ")
    assert "drill completed." in timeline.stdout.splitlines()[2]
    assert "| Drill started by " in timeline.stdout
    assert json.loads(project.run("transcript", str(transcript), "--format", "json").stdout)["kind"] == "drill"
    history = json.loads(project.run("history", "drillbox", "--format", "json").stdout)["runs"]
    assert [(r["kind"], r["outcome"], r["failed_steps"]) for r in history] == [("drill", "completed", ["flaky"])]


def test_a_plain_run_is_no_drill(project):
    project.runbook("""
        kind: runbook
        id: plain
        title: Plain
        summary: Not a drill.
        owner: platform-team
        steps:
          - {id: one, title: One, run: "true"}
        """)
    child = project.spawn("exec", "plain")
    child.expect(r"Run this step\? ")
    assert "DRILL" not in child.logfile_read.text
    child.sendline("y")
    type(project).finish(child, 0)
    assert "DRILL" not in child.logfile_read.text and "Session completed." in child.logfile_read.text
    transcript = next((project.root / "transcripts").glob("*-plain.jsonl"))
    assert project.events(transcript)[0]["drill"] is False
    timeline = project.run("transcript", str(transcript)).stdout
    assert timeline.startswith("## Timeline\n") and "Drill" not in timeline


STOPPING = """
    kind: runbook
    id: stopper
    title: Stopper
    summary: Stops at the destructive step under --yes.
    owner: platform-team
    steps:
      - {id: first, title: First, run: echo first}
      - {id: danger, title: Danger, risk: destructive, confirm: Breaks things., run: echo danger}
    """


def test_a_resumed_drill_stays_a_drill(project, tmp_path):
    project.runbook(STOPPING)
    first = project.run("exec", "stopper", "--drill", "--yes")
    assert first.returncode == 1 and "Drill aborted: destructive step danger needs confirmation." in first.stdout
    transcript = next((project.root / "transcripts").glob("*-stopper.jsonl"))
    child = project.spawn("exec", "stopper", "--resume", str(transcript))  # no --drill: the transcript says so
    child.expect("DRILL: a rehearsal")
    child.expect(r"\[DRILL\] Type stopper to run this destructive step")
    child.sendline("stopper")
    child.expect("Drill completed.")
    type(project).finish(child, 0)
    events = project.events(transcript)
    assert [e["drill"] for e in events if e["event"] in ("session-start", "session-resume")] == [True, True]
    runs = json.loads(project.run("history", "--format", "json").stdout)["runs"]
    assert [(r["kind"], r["outcome"]) for r in runs] == [("drill", "completed")]


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(("--drill", "--dry-run"), "--drill runs the commands for real and records the drill; --dry-run runs "
                 "nothing", id="dry-run"),
    pytest.param(("--drill", "--resume", "REAL"), "records a real run, not a drill; resume it without --drill",
                 id="resume-a-real-run-as-a-drill"),
])
def test_drill_usage_mistakes_are_one_line_and_exit_2(project, tmp_path, args, message):
    project.runbook(STOPPING)
    real = tmp_path / "real.jsonl"
    assert project.run("exec", "stopper", "--yes", "--transcript", str(real)).returncode == 1
    result = project.run("exec", "stopper", *(str(real) if a == "REAL" else a for a in args))
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_the_monthly_incident_response_simulation_is_a_drill_command_that_runs(project, tmp_path):
    """The training catalog's monthly simulation names a command; it starts a drill of the shipped runbook."""
    import shlex
    from pathlib import Path

    import yaml

    repo = Path(__file__).resolve().parent.parent
    catalog = yaml.safe_load((repo / "runbooks" / "catalogs" / "training-and-preparedness.yaml").read_text())
    item = next(i for s in catalog["sections"] for i in s["items"] if i["name"] == "Incident response simulation")
    assert item["target"] == "Monthly"
    command = re.search(r"`(runbook exec [^`]+)`", item["description"]).group(1)
    assert command in (repo / "README.md").read_text()
    transcript = tmp_path / "simulation.jsonl"
    child = project.spawn(*shlex.split(command)[1:], "--transcript", str(transcript), cwd=repo)
    child.expect("DRILL: a rehearsal")
    child.expect("== Phase: Detection and alerting ==")
    child.expect(r"\[DRILL\] \[ \] Monitoring systems: Prometheus, Grafana, DataDog  done\? \[y/n/s/q\] ")
    child.sendline("y")
    child.expect(r"\[DRILL\] \[ \] Health checks: service health endpoints  done\? ")
    child.sendline("q")
    child.expect("Drill aborted: the operator quit at step automated-detection.")
    type(project).finish(child, 1)
    start = project.events(transcript)[0]
    assert start["drill"] is True and start["runbook"] == "incident-response"
    assert start["variables"]["NAMESPACE"] == "staging"

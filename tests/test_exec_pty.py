"""`runbook exec` on a real pseudo-terminal: the operator's answers, destructive confirmation,
Ctrl-C, kill -9 and --resume, secrets, variables prompts, checklists and failures."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

import pytest

pexpect = pytest.importorskip("pexpect")

PROMPT = r"Run this step\? \[(Y|y)/s/e/q/\?\] "


def test_answers_y_s_e_q(project, tmp_path):
    project.runbook("""
        kind: runbook
        id: answers
        title: Answers
        summary: Four steps, four answers.
        owner: platform-team
        steps:
          - {id: one, title: Step one, run: echo out-one}
          - {id: two, title: Step two, run: touch two-ran}
          - {id: three, title: Step three, run: echo original-three, risk: mutating}
          - {id: four, title: Step four, run: touch four-ran}
        """)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "answers", "--transcript", str(transcript))
    child.expect(r"\[1/4\] Step one")
    child.expect(r"Run this step\? \[Y/s/e/q/\?\] ")  # read-only: y is the default
    child.sendline("")
    child.expect("out-one")
    child.expect(PROMPT)
    child.sendline("s")
    child.expect(r"\[3/4\] Step three")
    child.expect(r"Run this step\? \[y/s/e/q/\?\] ")  # mutating: no default
    child.sendline("")
    child.expect(r"\[y/s/e/q/\?\] ")  # an empty answer runs nothing and asks again
    child.sendline("?")
    child.expect("skip this step")
    child.sendline("e")
    child.expect("New command")
    child.sendline("echo edited-three")
    child.expect("echo edited-three")
    child.sendline("y")
    child.expect("edited-three")
    child.expect(PROMPT)
    child.sendline("q")
    project.finish(child, 1)
    ends = project.ends(transcript)
    assert ends["one"]["status"] == "succeeded" and ends["one"]["output"] == "out-one\n"
    assert ends["two"]["status"] == "skipped"
    assert ends["three"]["command"] == "echo edited-three" and ends["three"]["edited"] is True
    assert ends["three"]["output"] == "edited-three\n"
    assert "four" not in ends
    assert not (project.root / "two-ran").exists() and not (project.root / "four-ran").exists()
    last = project.events(transcript)[-1]
    assert last["event"] == "session-end" and last["status"] == "aborted"


DESTRUCTIVE = """
    kind: runbook
    id: wipe
    title: Wipe
    summary: One destructive step.
    owner: platform-team
    service: cache-svc
    steps:
      - id: wipe
        title: Wipe the cache
        risk: destructive
        confirm: Deletes everything in the cache.
        rollback: echo restore
        run: touch wiped
    """


def test_destructive_step_runs_only_with_the_exact_service_name(project, tmp_path):
    project.runbook(DESTRUCTIVE)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "wipe", "--transcript", str(transcript))
    child.expect("Deletes everything in the cache.")
    child.expect("echo restore")
    child.expect(r"Type cache-svc to run this destructive step, or \[s/e/q/\?\]: ")
    child.sendline("y")
    child.expect("did not run")
    child.sendline("cache-sv")
    child.expect("That is not cache-svc; the step did not run.")
    child.sendline("CACHE-SVC")
    child.expect("the step did not run")
    assert not (project.root / "wiped").exists()
    child.sendline("cache-svc")
    child.expect("succeeded")
    project.finish(child, 0)
    assert (project.root / "wiped").exists()
    assert project.ends(transcript)["wipe"]["decision"] == "confirmed"


def test_wrong_name_then_skip_never_runs_the_destructive_step(project, tmp_path):
    project.runbook(DESTRUCTIVE)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "wipe", "--transcript", str(transcript))
    child.expect("Type cache-svc to run")
    child.sendline("wipe")
    child.expect("That is not cache-svc")
    child.sendline("s")
    project.finish(child, 0)
    assert not (project.root / "wiped").exists()
    assert project.ends(transcript)["wipe"]["status"] == "skipped"


def _survivors(marker: str) -> list[str]:
    found = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True)
    return found.stdout.split()


def test_ctrl_c_interrupts_the_command_not_the_session(project, tmp_path):
    marker = f"{os.getpid() % 1000 + 4000}.5"  # a sleep duration nobody else uses
    project.runbook(f"""
        kind: runbook
        id: slow
        title: Slow
        summary: A step that sleeps.
        owner: platform-team
        steps:
          - {{id: nap, title: Sleep, run: "echo napping; sleep {marker}; touch woke"}}
          - {{id: after, title: After, run: echo after-ran}}
        """)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "slow", "--transcript", str(transcript))
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("napping")
    child.sendintr()
    child.expect(r"Interrupted. Retry, skip or quit\? \[r/s/q\] ")
    assert _survivors(f"sleep {marker}") == []
    child.sendline("s")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("after-ran")
    project.finish(child, 0)
    ends = project.ends(transcript)
    assert ends["nap"]["status"] == "interrupted" and "napping" in ends["nap"]["output"]
    assert ends["after"]["status"] == "succeeded"
    assert not (project.root / "woke").exists()


def test_ctrl_c_at_a_prompt_ends_the_session_with_130_and_keeps_the_transcript(project, tmp_path):
    project.runbook("""
        kind: runbook
        id: two
        title: Two
        summary: Two steps.
        owner: platform-team
        steps:
          - {id: a, title: A, run: echo a}
          - {id: b, title: B, run: echo b}
        """)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "two", "--transcript", str(transcript))
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(PROMPT)
    child.sendintr()
    project.finish(child, 130)
    events = project.events(transcript)
    assert events[-1]["event"] == "session-end" and events[-1]["status"] == "aborted"
    assert project.ends(transcript)["a"]["status"] == "succeeded"


def test_kill_9_then_resume_continues_after_the_last_finished_step(project, tmp_path):
    marker = f"{os.getpid() % 1000 + 5000}.25"
    path = project.runbook(f"""
        kind: runbook
        id: crash
        title: Crash
        summary: Killed in the middle.
        owner: platform-team
        variables:
          REGION: {{description: Region, choices: [eu, us]}}
        steps:
          - {{id: first, title: First, run: echo "first in $REGION"}}
          - {{id: second, title: Second, run: "echo sleeping; sleep {marker}"}}
          - {{id: third, title: Third, run: echo "third in $REGION"}}
        """)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "crash", "--transcript", str(transcript))
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(r"REGION \(eu/us\): ")  # asked when the first command needs it
    child.sendline("mars")
    child.expect("must be one of: eu, us")  # choices are enforced: asked again
    child.sendline("eu")
    child.expect("first in eu")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("sleeping")
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    # The killed session's command lives on in its own process group; end it (it is ours).
    for pid in _survivors(f"sleep {marker}"):
        os.kill(int(pid), signal.SIGKILL)
    # A crash mid-write leaves half a line; the reader tolerates it and --resume cuts it off.
    with open(transcript, "a", encoding="utf-8") as handle:
        handle.write('{"event": "step-e')
    path.write_text(path.read_text() + "# edited after the crash\n")
    child = project.spawn("exec", "crash", "--resume", str(transcript))
    child.expect("changed since this session started")
    child.expect(r"Starting at step 2/3: second")
    child.expect(r"\[2/3\] Second")
    child.expect(PROMPT)
    child.sendline("s")
    child.expect(r"\[3/3\] Third")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("third in eu")  # the variable carried over from the first session
    project.finish(child, 0)
    events = project.events(transcript)  # every line parses: the half line is gone
    kinds = [e["event"] for e in events]
    assert kinds.count("session-start") == 1 and kinds.count("session-resume") == 1
    assert events[kinds.index("session-resume")]["runbook_changed"] is True
    ends = [e["step"] for e in events if e["event"] == "step-end"]
    assert ends == ["first", "second", "third"]
    assert events[-1]["status"] == "completed"
    rendered = project.run("transcript", str(transcript))
    assert rendered.returncode == 0
    assert "step started; no result recorded" in rendered.stdout


def test_secrets_never_leak_to_screen_transcript_or_timeline(project, tmp_path):
    secret = "hunter2-SECRET-value"
    project.runbook("""
        kind: runbook
        id: secretive
        title: Secretive
        summary: Commands that print a secret.
        owner: platform-team
        variables:
          API_TOKEN: {description: API token, secret: true}
        steps:
          - id: print
            title: Print the token, split across reads
            run: |-
              printf '%s' "${API_TOKEN:0:6}"; sleep 0.3; printf '%s\\n' "${API_TOKEN:6}"
              echo "stderr: $API_TOKEN" >&2
              echo "$API_TOKEN"
          - id: fail
            title: Fail with the token
            run: echo "bad token $API_TOKEN"; exit 3
            on_failure: continue
        """)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "secretive", "--transcript", str(transcript))
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("API_TOKEN: ")  # asked when the first command needs it
    child.sendline(secret)  # read without echo
    child.expect(PROMPT)
    child.sendline("y")
    project.finish(child, 0)
    screen = child.logfile_read.text
    assert "***" in screen
    text = transcript.read_text()
    for part in (secret, secret[:6] + secret[6:]):
        assert part not in screen
        assert part not in text
    assert "hunter2" not in screen and "hunter2" not in text
    for fmt in ("markdown", "json"):
        rendered = project.run("transcript", str(transcript), "--format", fmt)
        assert rendered.returncode == 0 and "hunter2" not in rendered.stdout
    assert project.ends(transcript)["print"]["output"].count("***") == 3


def test_manual_checklist_records_each_item_and_note(project, tmp_path):
    project.runbook("""
        kind: runbook
        id: manual
        title: Manual
        summary: A checklist.
        owner: platform-team
        steps:
          - id: verify
            title: Verify
            checklist: [Error rates at baseline, No alerts firing]
        """)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "manual", "--transcript", str(transcript))
    child.expect(r"Error rates at baseline  done\? \[y/n/s/q\] ")
    child.sendline("maybe")
    child.expect("Answer y or n")
    child.sendline("y")
    child.expect(r"No alerts firing  done\? ")
    child.sendline("n PagerDuty still firing")
    project.finish(child, 0)
    end = project.ends(transcript)["verify"]
    assert end["checklist"] == [
        {"item": "Error rates at baseline", "done": True, "note": None},
        {"item": "No alerts firing", "done": False, "note": "PagerDuty still firing"},
    ]
    rendered = project.run("transcript", str(transcript))
    assert "checklist 1/2 done (No alerts firing: PagerDuty still firing)" in rendered.stdout


def test_failure_offers_rollback_and_capture_feeds_later_steps(project, tmp_path):
    project.runbook("""
        kind: runbook
        id: failing
        title: Failing
        summary: Capture, a failed expectation, a rollback.
        owner: platform-team
        steps:
          - {id: count, title: Count, run: echo 7, capture: COUNT}
          - id: change
            title: Change
            risk: mutating
            run: echo "count was $COUNT"; echo nope
            expect: {output: "^yes$"}
            rollback: echo "rolling back to $COUNT" > rolled-back
        """)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "failing", "--transcript", str(transcript))
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("count was 7")
    child.expect("FAILED: the output does not match")
    child.expect(r"Retry, skip, run the rollback or quit\? \[r/s/b/q\] ")
    child.sendline("r")
    child.expect(r"\[r/s/b/q\] ")
    child.sendline("b")
    child.expect("rollback succeeded")
    child.expect(r"Retry, skip or quit\? \[r/s/q\] ")
    child.sendline("q")
    project.finish(child, 1)
    assert (project.root / "rolled-back").read_text() == "rolling back to 7\n"
    events = project.events(transcript)
    kinds = [e["event"] for e in events]
    assert kinds.count("step-attempt") == 1 and "rollback" in kinds
    assert project.ends(transcript)["count"]["captured"] == {"COUNT": "7"}
    assert events[-1]["status"] == "failed"


def test_colour_only_on_a_tty_without_no_color(project, tmp_path):
    project.runbook("""
        kind: runbook
        id: colours
        title: Colours
        summary: One step.
        owner: platform-team
        steps:
          - {id: a, title: A, run: echo a}
        """)
    child = project.spawn("exec", "colours", "--yes", "--transcript", str(tmp_path / "t.jsonl"), env={"NO_COLOR": ""})
    project.finish(child, 0)
    assert "\x1b[" in child.logfile_read.text
    child = project.spawn("exec", "colours", "--yes", "--transcript", str(tmp_path / "t2.jsonl"))
    project.finish(child, 0)
    assert "\x1b[" not in child.logfile_read.text
    piped = project.run("exec", "colours", "--yes", "--transcript", str(tmp_path / "t3.jsonl"), env={"NO_COLOR": ""})
    assert piped.returncode == 0 and "\x1b[" not in piped.stdout


def test_variables_are_asked_just_before_the_first_command_that_uses_them(project, tmp_path):
    """An incident runbook needs a pod name at step 10, not during detection: a command's variables are
    asked when it is about to run (a skipped step asks nothing); the rest are asked at the start.
    Values given this way are recorded, shown in the timeline and reused by --resume."""
    project.runbook("""
        kind: runbook
        id: later
        title: Later
        summary: Variables needed at different steps.
        owner: platform-team
        phases:
          - id: detect
            title: Detect
            steps:
              - {id: look, title: Look around, checklist: [Alert seen]}
          - id: investigate
            title: Investigate
            steps:
              - {id: skipped, title: Skipped step, run: echo "never $TOKEN"}
              - {id: pod, title: Describe the pod, run: echo "pod is $POD in $NS"}
              - {id: again, title: Again, run: echo "still $POD"}
              - {id: token, title: Use the token, run: echo "token $TOKEN"}
        variables:
          TICKET: {description: Ticket number, default: INC-1}
          POD: {description: Name of the pod}
          NS: {description: Namespace, default: production}
          TOKEN: {description: API token, secret: true}
        """)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "later", "--transcript", str(transcript))
    child.expect(r"TICKET \[INC-1\]: ")  # used by no command: asked at the start
    child.sendline("")
    child.expect(r"POD += \(asked when a step needs it\)")
    child.expect(r"\[1/5\] Look around  \(read-only, step look, phase detect\)")
    child.expect(r"done\? \[y/n/s/q\] ")
    child.sendline("y")
    child.expect(r"\[2/5\] Skipped step  \(read-only, step skipped, phase investigate\)")
    child.expect(PROMPT)
    child.sendline("s")  # skipping asks for nothing
    child.expect(r"\[3/5\] Describe the pod")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(r"POD: ")
    child.sendline("web-1")
    child.expect(r"NS \[production\]: ")
    child.sendline("")
    child.expect("pod is web-1 in production")
    child.expect(r"\[4/5\] Again")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("still web-1")  # asked once
    child.expect(PROMPT)
    child.sendline("q")
    project.finish(child, 1)
    assert "Continue later with: runbook exec later --resume" in child.logfile_read.text
    given = [e for e in project.events(transcript) if e["event"] == "variables"]
    assert given == [{"event": "variables", "time": given[0]["time"], "step": "pod",
                      "variables": {"POD": "web-1", "NS": "production"}}]
    timeline = project.run("transcript", str(transcript)).stdout
    assert "| pod | variables given: POD=web-1, NS=production |" in timeline

    child = project.spawn("exec", "later", "--resume", str(transcript))
    child.expect(r"POD += web-1")
    child.expect(r"\[5/5\] Use the token")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("TOKEN: ")
    child.sendline("tok-s3cret-99")
    child.expect(r"token \*\*\*")
    project.finish(child, 0)
    assert "tok-s3cret-99" not in child.logfile_read.text and "tok-s3cret-99" not in transcript.read_text()
    assert [e["variables"] for e in project.events(transcript) if e["event"] == "variables"][-1] == {"TOKEN": "***"}


TEMPLATES = """
    kind: templates
    id: messages
    title: Messages
    templates:
      - id: alert
        title: Alert
        description: The first message.
        format: text
        placeholders:
          SEVERITY: Severity level
          TITLE: What is broken
        body: |
          INCIDENT - SEV {{SEVERITY}}

            Title: {{TITLE}}
          Status: INVESTIGATING
    """


def test_checklist_items_are_shown_once_and_template_bodies_copy_exactly(project, tmp_path):
    """Interactive exec asks each checklist item once (no list before the prompts); a template's body is
    printed between two rules from column 0, so a terminal copy gives the exact text, placeholders included."""
    project.runbook(TEMPLATES)
    project.runbook("""
        kind: runbook
        id: manual-once
        title: Manual once
        summary: Checklists and a template.
        owner: platform-team
        steps:
          - id: open
            title: Open the incident
            template: alert
            checklist: [Incident created, Manager engaged]
          - id: both
            title: Command and checklist
            run: echo ran-it
            checklist: [Dashboard green]
        """)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "manual-once", "--transcript", str(transcript))
    child.expect(r"Incident created  done\? \[y/n/s/q\] ")
    child.sendline("y")
    child.expect(r"Manager engaged  done\? ")
    child.sendline("y")
    child.expect(r"Message from template alert sent  done\? ")
    child.sendline("y")
    child.expect("ticked off one by one after the command")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("ran-it")
    child.expect(r"Dashboard green  done\? ")
    child.sendline("n")
    project.finish(child, 0)
    screen = child.logfile_read.text.replace("\r\n", "\n")
    for item in ("Incident created", "Manager engaged", "Dashboard green"):
        assert screen.count(item) == 1, screen
    lines = screen.split("\n")
    rules = [i for i, line in enumerate(lines) if re.fullmatch(r"-{20,}", line)]
    assert len(rules) == 2, screen
    copied = "\n".join(lines[rules[0] + 1:rules[1]]) + "\n"
    assert copied == "INCIDENT - SEV {{SEVERITY}}\n\n  Title: {{TITLE}}\nStatus: INVESTIGATING\n"
    assert [e["checklist"] for e in project.events(transcript) if e["event"] == "step-end"][1] == [
        {"item": "Dashboard green", "done": False, "note": None}]
    # where nothing is asked (--dry-run), the items are listed
    dry = project.run("exec", "manual-once", "--dry-run")
    assert dry.returncode == 0 and "[ ] Incident created" in dry.stdout and "[ ] Dashboard green" in dry.stdout


def test_template_placeholders_are_highlighted_in_colour(project, tmp_path):
    project.runbook(TEMPLATES)
    project.runbook("""
        kind: runbook
        id: colour-template
        title: Colour template
        summary: A template.
        owner: platform-team
        steps:
          - {id: open, title: Open, template: alert}
        """)
    child = project.spawn("exec", "colour-template", "--yes", "--transcript", str(tmp_path / "t.jsonl"),
                          env={"NO_COLOR": ""})
    project.finish(child, 0)
    assert re.search(r"\x1b\[[0-9;]+m\{\{SEVERITY\}\}\x1b\[0m", child.logfile_read.text)


def test_empty_answer_at_the_destructive_prompt_says_what_is_expected(project, tmp_path):
    project.runbook(DESTRUCTIVE)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "wipe", "--transcript", str(transcript))
    child.expect("Type cache-svc to run")
    child.sendline("")
    child.expect("Nothing typed: type cache-svc exactly to run this step, s to skip it, e to edit the command, "
                 "q to quit, \\? for help.")
    child.expect("Type cache-svc to run")
    child.sendline("q")
    project.finish(child, 1)
    assert not (project.root / "wiped").exists()


@pytest.mark.parametrize("first,second", [("", " >&2"), (" >&2", "")], ids=["stdout-then-stderr", "stderr-then-stdout"])
def test_a_secret_split_between_stdout_and_stderr_is_masked_on_screen(project, tmp_path, first, second):
    """Half of the secret on one stream, the rest on the other: both go through one redactor in the order
    they arrive (the order the screen shows), so the screen never shows it, whole or in pieces."""
    secret = "hunter2-SECRET-value"
    project.runbook(f"""
        kind: runbook
        id: split-secret
        title: Split secret
        summary: A secret in two streams.
        owner: platform-team
        variables:
          API_TOKEN: {{description: API token, secret: true}}
        steps:
          - id: print
            title: Print the token in two halves
            run: printf '%s' "${{API_TOKEN:0:7}}"{first}; sleep 0.3; printf '%s\\n' "${{API_TOKEN:7}}"{second}; echo done
        """)
    transcript = tmp_path / "t.jsonl"
    child = project.spawn("exec", "split-secret", "--yes", "--transcript", str(transcript), env={"API_TOKEN": secret})
    project.finish(child, 0)
    screen = child.logfile_read.text
    assert "| ***" in screen and "done" in screen
    for piece in (secret[:7], secret[7:], "SECRET"):
        assert piece not in screen, screen
    assert "SECRET" not in transcript.read_text()

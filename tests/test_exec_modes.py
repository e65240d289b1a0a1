"""`runbook exec` without a terminal: --yes, --dry-run, --from, timeouts, and every usage mistake
(one line, the right exit code, never a traceback)."""

from __future__ import annotations

import os
import subprocess

import pytest

MODES = """
    kind: runbook
    id: modes
    title: Modes
    summary: Read-only, mutating and destructive steps.
    owner: platform-team
    service: modes-svc
    variables:
      TARGET: {description: Where to write, default: out}
    steps:
      - {id: look, title: Look, run: echo looking}
      - {id: change, title: Change, risk: mutating, run: touch "$TARGET-changed"}
      - id: destroy
        title: Destroy
        risk: destructive
        confirm: Removes the changed file.
        run: touch "$TARGET-destroyed"
      - {id: after, title: After, run: echo after}
    """


def test_yes_runs_read_only_and_mutating_and_stops_before_destructive(project, tmp_path):
    project.runbook(MODES)
    transcript = tmp_path / "t.jsonl"
    result = project.run("exec", "modes", "--yes", "--transcript", str(transcript))
    assert result.returncode == 1
    assert "Stopped before destructive step destroy" in result.stdout and "--allow-destructive" in result.stdout
    assert (project.root / "out-changed").exists() and not (project.root / "out-destroyed").exists()
    events = project.events(transcript)
    assert events[-1]["status"] == "aborted"
    assert "destroy" not in project.ends(transcript)  # left unfinished: --resume continues there


def test_yes_with_allow_destructive_runs_everything(project, tmp_path):
    project.runbook(MODES)
    transcript = tmp_path / "t.jsonl"
    result = project.run("exec", "modes", "--yes", "--allow-destructive", "--transcript", str(transcript))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project.root / "out-destroyed").exists()
    assert [e["status"] for e in project.ends(transcript).values()] == ["succeeded"] * 4


def test_dry_run_shows_every_command_and_runs_nothing(project):
    project.runbook(MODES)
    result = project.run("exec", "modes", "--dry-run")
    assert result.returncode == 0, result.stderr
    for text in ("[1/4] Look", "echo looking", 'touch "$TARGET-changed"', "[3/4] Destroy", "Removes the changed file.",
                 "nothing was run"):
        assert text in result.stdout
    assert not list(project.root.glob("out-*"))
    assert not (project.root / "transcripts").exists()


def test_default_transcript_is_timestamped_under_the_transcripts_folder(project):
    project.runbook(MODES)
    result = project.run("exec", "modes", "--yes", "--from", "after")
    assert result.returncode == 0
    files = list((project.root / "transcripts").glob("*-modes.jsonl"))
    assert len(files) == 1
    assert result.stdout.count(f"Transcript: {files[0]}") == 2  # at start and at end
    assert list(project.ends(files[0])) == ["after"]


def test_timeout_ends_the_whole_process_group(project, tmp_path):
    marker = f"{os.getpid() % 1000 + 6000}.75"
    project.runbook(f"""
        kind: runbook
        id: hang
        title: Hang
        summary: A command that would hang.
        owner: platform-team
        steps:
          - id: hang
            title: Hang
            run: "echo started; sleep {marker} & sleep {marker}; echo never"
            timeout: 1
        """)
    transcript = tmp_path / "t.jsonl"
    result = project.run("exec", "hang", "--yes", "--transcript", str(transcript))
    assert result.returncode == 1
    assert "TIMED-OUT" in result.stdout
    left = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True)
    assert left.stdout.split() == []
    end = project.ends(transcript)["hang"]
    assert end["status"] == "timed-out" and end["output"] == "started\n"
    assert project.events(transcript)[-1]["status"] == "failed"


def test_on_failure_continue_and_stop(project, tmp_path):
    project.runbook("""
        kind: runbook
        id: policies
        title: Policies
        summary: Failure policies.
        owner: platform-team
        steps:
          - {id: soft, title: Soft, run: exit 4, on_failure: continue}
          - {id: ok, title: Ok, run: echo ok, expect: {exit_code: [0, 1], output: ok}}
          - {id: hard, title: Hard, run: exit 5, on_failure: stop}
          - {id: never, title: Never, run: touch never}
        """)
    transcript = tmp_path / "t.jsonl"
    result = project.run("exec", "policies", "--yes", "--transcript", str(transcript))
    assert result.returncode == 1
    ends = project.ends(transcript)
    assert ends["soft"]["status"] == "failed" and ends["soft"]["exit_code"] == 4
    assert ends["ok"]["status"] == "succeeded"
    assert ends["hard"]["status"] == "failed" and "never" not in ends
    assert not (project.root / "never").exists()


def test_output_is_capped_and_marked(project, tmp_path):
    project.runbook("""
        kind: runbook
        id: loud
        title: Loud
        summary: Lots of output.
        owner: platform-team
        steps:
          - {id: loud, title: Loud, run: "seq 1 40000; echo last-line"}
        """)
    transcript = tmp_path / "t.jsonl"
    assert project.run("exec", "loud", "--yes", "--transcript", str(transcript)).returncode == 0
    end = project.ends(transcript)["loud"]
    assert end["output_cut"] is True and "characters cut" in end["output"]
    assert end["output"].startswith("1\n2\n") and end["output"].endswith("last-line\n")


def test_values_reach_bash_through_the_environment_only(project, tmp_path):
    project.runbook("""
        kind: runbook
        id: inject
        title: Inject
        summary: A value that looks like shell code.
        owner: platform-team
        variables:
          NAME: {description: A name}
        steps:
          - {id: greet, title: Greet, run: echo "hello $NAME"}
        """)
    transcript = tmp_path / "t.jsonl"
    result = project.run("exec", "inject", "--yes", "--var", "NAME=x; touch pwned", "--transcript", str(transcript))
    assert result.returncode == 0
    assert not (project.root / "pwned").exists()
    assert project.ends(transcript)["greet"]["output"] == "hello x; touch pwned\n"
    assert project.ends(transcript)["greet"]["command"] == 'echo "hello $NAME"'


def test_environment_supplies_variables(project, tmp_path):
    project.runbook("""
        kind: runbook
        id: fromenv
        title: From env
        summary: A variable from the environment.
        owner: platform-team
        variables:
          REGION: {description: Region, pattern: "[a-z]+-[0-9]"}
        steps:
          - {id: show, title: Show, run: echo "region $REGION"}
        """)
    transcript = tmp_path / "t.jsonl"
    result = project.run("exec", "fromenv", "--yes", "--transcript", str(transcript), env={"REGION": "eu-1"})
    assert result.returncode == 0 and "region eu-1" in result.stdout
    bad = project.run("exec", "fromenv", "--yes", env={"REGION": "EU"})
    assert bad.returncode == 2
    assert bad.stderr.strip() == "runbook: REGION from the environment must match the pattern [a-z]+-[0-9]"


USAGE = """
    kind: runbook
    id: usage
    title: Usage
    summary: Variables for usage errors.
    owner: platform-team
    service: shared-svc
    variables:
      HOST: {description: Host}
      PORT: {description: Port, pattern: "[0-9]+"}
      MODE: {description: Mode, default: fast}
    steps:
      - {id: a, title: A, run: echo a}
      - {id: b, title: B, run: echo b}
    """


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["usage"], "runbook: missing required variable(s): HOST, PORT; give them with --var NAME=VALUE "
                            "or in the environment", id="missing-without-tty"),
    pytest.param(["usage", "--var", "HOST"], "runbook: --var 'HOST': expected NAME=VALUE with an upper-case NAME",
                 id="var-syntax"),
    pytest.param(["usage", "--var", "NOPE=1"], "runbook: --var NOPE: runbook usage has no variable NOPE "
                                               "(its variables: HOST, PORT, MODE)", id="unknown-var"),
    pytest.param(["usage", "--var", "HOST=h", "--var", "PORT=x"], "runbook: PORT from --var must match the pattern [0-9]+",
                 id="bad-value"),
    pytest.param(["usage", "--var", "HOST=h", "--var", "PORT=1", "--from", "zz"],
                 "runbook: --from zz: no such step in usage; its steps: a, b", id="unknown-step"),
    pytest.param(["usage", "--allow-destructive"], "runbook: --allow-destructive only applies with --yes",
                 id="allow-destructive-without-yes"),
    pytest.param(["nothing-like-this"], "runbook: no runbook named 'nothing-like-this'", id="unknown-runbook"),
    pytest.param(["shared-svc"], "runbook: 'shared-svc' is served by several runbooks: usage, usage-two; name one by its id",
                 id="ambiguous"),
])
def test_usage_mistakes_are_one_line_and_exit_2(project, args, message):
    project.runbook(USAGE)
    project.runbook(USAGE.replace("id: usage", "id: usage-two"))
    result = project.run("exec", *args)
    assert result.returncode == 2
    assert result.stderr.startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stdout + result.stderr


def test_an_invalid_runbook_is_refused_with_its_findings(project):
    path = project.runbook("""
        kind: runbook
        id: broken
        title: Broken
        summary: A step with an unknown key.
        owner: platform-team
        steps:
          - {id: a, title: A, run: touch ran, colour: red}
        """)
    for name in ("broken", str(path)):
        result = project.run("exec", name, "--yes")
        assert result.returncode == 1
        assert "broken.yaml:8:" in result.stderr and "RB1" in result.stderr
        assert "is not a valid runbook" in result.stderr
    assert not (project.root / "ran").exists()


def test_an_existing_transcript_is_not_overwritten(project, tmp_path):
    project.runbook(MODES)
    transcript = tmp_path / "t.jsonl"
    transcript.write_text("keep me\n")
    result = project.run("exec", "modes", "--yes", "--transcript", str(transcript))
    assert result.returncode == 2 and "already exists" in result.stderr
    assert transcript.read_text() == "keep me\n"


def test_resume_of_a_completed_session_or_a_bad_file_is_refused(project, tmp_path):
    project.runbook(MODES)
    transcript = tmp_path / "t.jsonl"
    assert project.run("exec", "modes", "--yes", "--allow-destructive", "--transcript", str(transcript)).returncode == 0
    again = project.run("exec", "modes", "--resume", str(transcript))
    assert again.returncode == 2 and "already completed" in again.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n{}\n")
    result = project.run("exec", "modes", "--resume", str(bad))
    assert result.returncode == 2 and result.stderr.startswith(f"{bad}:1: not a transcript line")


def test_resume_after_a_yes_run_stopped_at_a_destructive_step(project, tmp_path):
    project.runbook(MODES)
    transcript = tmp_path / "t.jsonl"
    assert project.run("exec", "modes", "--yes", "--transcript", str(transcript)).returncode == 1
    result = project.run("exec", "modes", "--resume", str(transcript), "--yes", "--allow-destructive")
    assert result.returncode == 0
    assert "Starting at step 3/4: destroy" in result.stdout
    assert (project.root / "out-destroyed").exists()
    ends = [e["step"] for e in project.events(transcript) if e["event"] == "step-end"]
    assert ends == ["look", "change", "destroy", "after"]


def test_a_secret_given_with_var_is_used_but_warned_about(project, tmp_path):
    """--var puts the value in the runbook process's own argv (ps, shell history): say so, once, without the value."""
    project.runbook("""
        kind: runbook
        id: argv
        title: Argv
        summary: A secret from --var.
        owner: platform-team
        variables:
          API_TOKEN: {description: API token, secret: true}
        steps:
          - {id: use, title: Use, run: echo "token $API_TOKEN"}
        """)
    result = project.run("exec", "argv", "--yes", "--var", "API_TOKEN=pw-from-argv", "--transcript", str(tmp_path / "t.jsonl"))
    assert result.returncode == 0
    assert "Warning: --var API_TOKEN puts a secret on the command line" in result.stdout
    assert "token ***" in result.stdout and "pw-from-argv" not in result.stdout

"""`runbook transcript FILE`: a recorded session as a post-mortem timeline (Markdown or JSON)."""

from __future__ import annotations

import json
import re

import pytest

from generator.execute.redact import Redactor
import threading

from generator.execute.transcript import TranscriptError, TranscriptWriter, read_events

RUNBOOK = """
    kind: runbook
    id: timeline
    title: Timeline
    summary: Steps for a timeline.
    owner: platform-team
    steps:
      - {id: check, title: Check, run: "echo 'a|b'"}
      - {id: broken, title: Broken, run: exit 2, on_failure: continue}
      - {id: later, title: Later, checklist: [Done]}
    """


@pytest.fixture
def recorded(project, tmp_path):
    project.runbook(RUNBOOK)
    transcript = tmp_path / "t.jsonl"
    assert project.run("exec", "timeline", "--yes", "--transcript", str(transcript)).returncode == 0
    return transcript


def test_every_line_has_event_and_utc_time(project, recorded):
    events = project.events(recorded)
    assert all(e["time"].endswith("Z") and "T" in e["time"] for e in events)
    start = events[0]
    assert start["event"] == "session-start" and start["runbook"] == "timeline" and len(start["sha256"]) == 64
    assert {"user", "host", "variables"} <= set(start)
    assert all("step" in e for e in events if e["event"].startswith("step"))
    assert events[-1]["event"] == "session-end"


def test_markdown_timeline_matches_the_post_mortem_columns(project, recorded):
    result = project.run("transcript", str(recorded))
    assert result.returncode == 0
    out = result.stdout
    assert out.startswith("## Timeline\n")
    assert "| Time | Step | Action | Result |" in out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "Time" not in line]
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 5 for line in rows)  # a pipe in a command is escaped
    assert any("echo 'a\\|b'" in r for r in rows)
    broken = next(r for r in rows if "| broken |" in r)
    # one result text, the exit code said once (it was "failed (exit 2, 0.0s, exit code 2, expected 0)")
    assert re.search(r"\| failed: exit code 2, expected 0 \(\d+\.\ds\) \|$", broken), broken
    assert "**Totals**: duration" in out and "2 step(s) run, 1 skipped, 1 failed." in out


def test_json_timeline(project, recorded):
    result = project.run("transcript", str(recorded), "--format", "json")
    data = json.loads(result.stdout)
    assert data["runbook"] == "timeline" and data["status"] == "completed"
    assert data["totals"]["steps_run"] == 2 and data["totals"]["steps_skipped"] == 1 and data["totals"]["steps_failed"] == 1
    assert [r["step"] for r in data["rows"] if r["step"]] == ["check", "broken", "later"]


def test_a_truncated_last_line_is_tolerated(project, recorded):
    with open(recorded, "a", encoding="utf-8") as handle:
        handle.write('{"event": "step-st')
    result = project.run("transcript", str(recorded))
    assert result.returncode == 0 and "| Time |" in result.stdout


@pytest.mark.parametrize(("content", "message"), [
    pytest.param(None, "no such file", id="missing"),
    pytest.param("garbage\n", ":1: not a transcript line", id="not-json"),
    pytest.param('{"event": "step-end", "time": "x"}\n', "does not start with a session-start", id="no-session"),
    pytest.param('{"a": 1}\n{"event": "session-start", "time": "2026-01-01T00:00:00Z"}\n', ":1: not a transcript line",
                 id="not-an-event"),
    pytest.param("", "does not start with a session-start", id="empty"),
])
def test_bad_files_are_one_line_and_exit_2(project, tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    if content is not None:
        path.write_text(content)
    result = project.run("transcript", str(path))
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_reader_raises_for_corruption_in_the_middle(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"event": "session-start", "time": "t"}\n{"event": \n{"event": "session-end", "time": "t"}\n')
    with pytest.raises(TranscriptError) as caught:
        read_events(path)
    assert caught.value.for_user().startswith(f"{path}:2: not a transcript line")


@pytest.mark.parametrize("split", range(1, 12))
def test_redactor_masks_a_secret_split_anywhere(split):
    text = "before s3cr3t-tok after s3cr3t-tok"
    redactor = Redactor(["s3cr3t-tok"])
    out = ""
    for i in range(0, len(text), split):
        out += redactor.feed(text[i:i + split])
    out += redactor.flush()
    assert out == "before *** after ***"


def test_redactor_releases_a_partial_match_that_is_not_a_secret():
    redactor = Redactor(["secret"])
    assert redactor.feed("a sec") == "a "
    assert redactor.feed("ond") == "second"
    assert redactor.flush() == ""


def test_writer_lines_are_in_the_file_at_once_and_durable_returns_after_the_sync(tmp_path):
    """Lines reach the file before write() returns (a kill -9 keeps them); fdatasync runs on a syncer
    thread that close() waits for and ends, so no line is left unsynced and no thread outlives the writer."""
    path = tmp_path / "t.jsonl"
    writer = TranscriptWriter(path, Redactor(["hunter2"]))
    writer.write("session-start", runbook="r", variables={"PASSWORD": "hunter2"})
    assert path.read_text().count("\n") == 1  # visible to another process now, before any sync
    for n in range(50):
        writer.write("step-end", step=f"s{n}", output="x" * n)
    writer.durable()
    assert writer._synced == writer._written == 51
    writer.close()
    assert not any(t.name == "transcript-sync" for t in threading.enumerate())
    events, partial = read_events(path)
    assert len(events) == 51 and not partial
    assert "hunter2" not in path.read_text()


def test_markdown_timeline_is_a_table_a_markdown_renderer_reads_back(project, tmp_path):
    """Pasted into the post-mortem, each row must stay four cells and each command one code span, even
    with backticks, pipes and notes with pipes or newlines in them."""
    from markdown_it import MarkdownIt

    command = "echo `date +%Y` | tr 0-9 x"
    lines = [
        {"event": "session-start", "time": "2026-01-02T03:04:05.000Z", "runbook": "odd", "title": "Odd", "user": "u",
         "host": "h"},
        {"event": "step-end", "time": "2026-01-02T03:04:06.000Z", "step": "tick", "status": "succeeded",
         "decision": "run", "command": command, "exit_code": 0, "duration": 0.1},
        {"event": "step-end", "time": "2026-01-02T03:04:07.000Z", "step": "manual", "status": "succeeded",
         "decision": "checked", "checklist": [{"item": "DBA paged", "done": False, "note": "waiting | on\ncall"}]},
        {"event": "session-end", "time": "2026-01-02T03:04:08.000Z", "status": "completed"},
    ]
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    out = project.run("transcript", str(path)).stdout
    tokens = MarkdownIt("commonmark").enable("table").parse(out)
    rows, row = [], None
    for token in tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token)
        elif token.type == "tr_close":
            rows.append(row)
            row = None
    assert len(rows) == 1 + 4 and all(len(r) == 4 for r in rows)
    spans = [c.content for r in rows for cell in r for c in cell.children or () if c.type == "code_inline"]
    assert spans == [command]
    assert any("waiting | on call" in cell.content for r in rows for cell in r)

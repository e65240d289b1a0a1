"""Run history (generator/history.py) and what reads it: `runbook history`, lint's drill interval (RB503) and the
site's "Runs and drills" panel (with scenario coverage given through the renderer's hook).

Transcripts are written by the real writer (dates set through RUNBOOK_CLOCK) or by real `runbook exec` runs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from generator.execute.redact import Redactor
from generator.execute.transcript import TranscriptWriter
from generator.history import read_history, read_run
from generator.project import load_catalog
from generator.site.freshness import ScenarioCoverage
from generator.site.pages import SiteRenderer

GOOD = """
    kind: runbook
    id: tick
    title: Tick
    summary: A runbook that works.
    service: clock
    owner: platform-team
    alerts: [TickMissing]
    last_reviewed: "2026-11-01"
    steps:
      - {id: look, title: Look, run: "echo fine"}
      - {id: note, title: Note, run: "true"}
    """

BROKEN = """
    kind: runbook
    id: tock
    title: Tock
    summary: A runbook whose second step fails.
    owner: platform-team
    last_reviewed: "2026-11-01"
    steps:
      - {id: look, title: Look, run: "echo fine"}
      - {id: fails, title: Fails, run: "exit 4", on_failure: continue}
    """


def record(folder: Path, monkeypatch, when: str, runbook: str = "tick", steps: dict[str, str] | None = None,
           end: str | None = "completed", drill: bool = False, name: str | None = None, user: str = "ana",
           host: str = "box") -> Path:
    """A transcript written by the executor's own writer, at the instant `when` (the tool's clock)."""
    monkeypatch.setenv("RUNBOOK_CLOCK", when)
    path = folder / (name or f"{when.replace(':', '')}-{runbook}.jsonl")
    writer = TranscriptWriter(path, Redactor([]))
    writer.write("session-start", runbook=runbook, sha256="0" * 64, user=user, host=host, variables={}, drill=drill,
                 title=runbook.title(), steps=len(steps or {}))
    for step, status in (steps or {}).items():
        writer.write("step-start", step=step, index=1, total=2, title=step, risk="read-only", phase=None)
        writer.write("step-end", step=step, status=status, output="x" * 100)
    if end:
        writer.write("session-end", status=end, reason=None)
    writer.close()
    return path


# ---- reading ------------------------------------------------------------------------------------------------

def test_runs_and_drills_newest_first_with_outcome_and_failed_steps(tmp_path, monkeypatch):
    record(tmp_path, monkeypatch, "2026-11-01T10:00:00Z", steps={"look": "succeeded", "note": "succeeded"})
    record(tmp_path, monkeypatch, "2026-11-20T10:00:00Z", steps={"look": "failed", "note": "timed-out"}, end="failed",
           drill=True)
    record(tmp_path, monkeypatch, "2026-11-10T10:00:00Z", runbook="tock", steps={"look": "skipped"}, end="aborted")
    history = read_history(tmp_path)
    assert [(r.runbook, r.kind, r.outcome) for r in history.runs] == [
        ("tick", "drill", "failed"), ("tock", "run", "aborted"), ("tick", "run", "completed")]
    drill = history.runs[0]
    assert drill.failed_steps == ("look", "note") and drill.who == "ana@box" and not drill.succeeded
    assert history.last("tick", "run").started.date().isoformat() == "2026-11-01"
    assert history.last_success("tick") is history.runs[2]
    assert history.last_success("tock") is None and history.of("nothing") == []
    assert history.unreadable == []


def test_a_step_retried_after_a_resume_counts_by_its_last_result(tmp_path, monkeypatch):
    path = record(tmp_path, monkeypatch, "2026-11-01T10:00:00Z", steps={"look": "failed"}, end="aborted")
    monkeypatch.setenv("RUNBOOK_CLOCK", "2026-11-01T11:00:00Z")
    writer = TranscriptWriter(path, Redactor([]))
    writer.write("session-resume", runbook="tick", user="bo", host="box", next_step="look")
    writer.write("step-end", step="look", status="succeeded")
    writer.write("step-end", step="note", status="succeeded")
    writer.write("session-end", status="completed")
    writer.close()
    run = read_run(path)
    assert run.outcome == "completed" and run.failed_steps == () and run.succeeded
    assert run.user == "ana"  # who started it
    # The tool's clock starts at RUNBOOK_CLOCK and then runs: the end is at 11:00 or a little later.
    assert dt.datetime(2026, 11, 1, 11, 0, tzinfo=dt.timezone.utc) <= run.ended < dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc)


def test_a_session_without_an_end_is_unfinished_and_a_cut_last_line_is_tolerated(tmp_path, monkeypatch):
    path = record(tmp_path, monkeypatch, "2026-11-01T10:00:00Z", steps={"look": "failed"}, end=None)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"event": "step-end", "time": "2026-11-01T10:00:05Z", "step": "no')  # a kill -9 mid-line
    run = read_run(path)
    assert run.outcome == "unfinished" and run.failed_steps == ("look",)
    # A session that ended and was resumed, with no end after the resume, is unfinished as well.
    resumed = record(tmp_path, monkeypatch, "2026-11-02T10:00:00Z", end="aborted", name="resumed.jsonl")
    with open(resumed, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"event": "session-resume", "time": "2026-11-02T11:00:00Z"}) + "\n")
    assert read_run(resumed).outcome == "unfinished"


def test_broken_files_are_one_line_each_and_hide_nothing(tmp_path, monkeypatch):
    record(tmp_path, monkeypatch, "2026-11-01T10:00:00Z", steps={"look": "succeeded"})
    (tmp_path / "garbage.jsonl").write_text("garbage\n")
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "no-start.jsonl").write_text('{"event": "step-end", "time": "2026-11-01T10:00:00Z"}\n')
    middle = record(tmp_path, monkeypatch, "2026-11-03T10:00:00Z", steps={"look": "failed"}, name="middle.jsonl")
    lines = middle.read_text().splitlines()
    lines[2] = '{"event": "step-end", "time": '  # corrupt, and not the last line
    middle.write_text("\n".join(lines) + "\n")
    (tmp_path / "first-cut.jsonl").write_text('{"event": "session-start", "time": "2026-11-0')
    (tmp_path / "notes.txt").write_text("not a transcript, not read")
    history = read_history(tmp_path)
    assert len(history.runs) == 1
    problems = {p.path.name: (p.line, p.message) for p in history.unreadable}
    assert set(problems) == {"garbage.jsonl", "empty.jsonl", "no-start.jsonl", "middle.jsonl", "first-cut.jsonl"}
    assert problems["middle.jsonl"][0] == 3 and "not a transcript line" in problems["middle.jsonl"][1]
    assert "does not start with a session-start" in problems["garbage.jsonl"][1]
    assert "cut short" in problems["first-cut.jsonl"][1]


def test_a_missing_folder_is_an_empty_history(tmp_path):
    history = read_history(tmp_path / "nowhere")
    assert history.runs == [] and history.unreadable == []


def test_history_skips_the_output_of_events_it_does_not_need(tmp_path, monkeypatch):
    """Only session-start/resume/end and step-end are parsed: a corrupt step-start is not history's business,
    while the same damage in a step-end is reported."""
    path = record(tmp_path, monkeypatch, "2026-11-01T10:00:00Z", steps={"look": "succeeded"})
    lines = path.read_text().splitlines()
    assert lines[1].startswith('{"event": "step-start"')
    lines[1] = lines[1][:-5]  # no longer JSON
    path.write_text("\n".join(lines) + "\n")
    assert read_run(path).outcome == "completed"


# ---- runbook history ----------------------------------------------------------------------------------------

@pytest.fixture
def recorded(project):
    """A project with two runbooks, a real run of each (one fails a step) and a real drill, on three days."""
    project.runbook(GOOD)
    project.runbook(BROKEN)
    for when, args in (("2026-11-01T09:00:00Z", ("tick",)), ("2026-11-15T09:30:00Z", ("tock",)),
                       ("2026-11-20T08:00:00Z", ("tick", "--drill"))):
        result = project.run("exec", *args, "--yes", env={"RUNBOOK_CLOCK": when})
        assert result.returncode == 0, result.stdout + result.stderr
    return project


def test_history_text_lists_when_who_kind_outcome_and_failed_steps(recorded):
    result = recorded.run("history")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["WHEN", "(UTC)", "RUNBOOK", "KIND", "OUTCOME", "WHO", "FAILED", "STEPS", "TRANSCRIPT"]
    rows = [line.split() for line in lines[1:4]]
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        ("2026-11-20", "08:00", "tick", "drill", "completed"),
        ("2026-11-15", "09:30", "tock", "run", "completed"),
        ("2026-11-01", "09:00", "tick", "run", "completed")]
    assert all("@" in r[5] for r in rows)
    assert rows[1][6] == "fails" and rows[0][6] == "-"
    assert rows[0][7].startswith("transcripts/") and rows[0][7].endswith("-tick.jsonl")
    assert lines[-1] == "2 run(s), 1 drill(s)."


def test_history_of_one_runbook_by_id_service_or_alert_and_json(recorded):
    by_id = json.loads(recorded.run("history", "tick", "--format", "json").stdout)
    assert [(r["kind"], r["started"][:10]) for r in by_id["runs"]] == [("drill", "2026-11-20"), ("run", "2026-11-01")]
    assert by_id["unreadable"] == []
    run = by_id["runs"][1]
    assert set(run) == {"runbook", "kind", "started", "ended", "user", "host", "outcome", "reason", "failed_steps",
                        "transcript"}
    assert run["outcome"] == "completed" and run["failed_steps"] == [] and Path(run["transcript"]).is_file()
    for name in ("clock", "TickMissing", "runbooks/tick.yaml"):
        assert json.loads(recorded.run("history", name, "--format", "json").stdout) == by_id, name
    drills = json.loads(recorded.run("history", "--kind", "drill", "--format", "json").stdout)["runs"]
    assert [r["runbook"] for r in drills] == ["tick"]
    assert len(json.loads(recorded.run("history", "--limit", "1", "--format", "json").stdout)["runs"]) == 1


def test_history_keeps_runs_of_a_runbook_that_is_gone(recorded):
    (recorded.root / "runbooks" / "tock.yaml").unlink()
    result = recorded.run("history", "tock")
    assert result.returncode == 0 and "tock" in result.stdout and "fails" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(("nosuch",), "no runbook named 'nosuch'", id="unknown-runbook"),
    pytest.param(("missing.yaml",), "missing.yaml: no such runbook file", id="missing-file"),
    pytest.param(("--kind", "incident"), "Invalid value for '--kind'", id="bad-kind"),
    pytest.param(("--limit", "0"), "Invalid value for '--limit'", id="bad-limit"),
    pytest.param(("--format", "yaml"), "Invalid value for '--format'", id="bad-format"),
])
def test_history_usage_mistakes_are_one_line_and_exit_2(recorded, args, message):
    result = recorded.run("history", *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_history_names_each_broken_file_on_one_line_lists_the_rest_and_exits_1(recorded):
    folder = recorded.root / "transcripts"
    (folder / "zz-garbage.jsonl").write_text("garbage\n")
    (folder / "aa-half.jsonl").write_text('{"event": "session-start", "time": "2026-1')
    result = recorded.run("history")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "runbook: transcripts/aa-half.jsonl: its first event is cut short (the session stopped while writing it); "
        "nothing was recorded; not counted in the history",
        "runbook: transcripts/zz-garbage.jsonl: not a runbook transcript (it does not start with a session-start "
        "event); not counted in the history"]
    assert result.stdout.splitlines()[-1] == "2 run(s), 1 drill(s)."
    data = json.loads(recorded.run("history", "--format", "json").stdout)
    assert len(data["runs"]) == 3 and [Path(u["path"]).name for u in data["unreadable"]] == ["aa-half.jsonl", "zz-garbage.jsonl"]


def test_empty_history_says_where_runs_are_recorded(project):
    project.runbook(GOOD)
    result = project.run("history")
    assert result.returncode == 0
    assert result.stdout.strip() == ("No runs or drills recorded in transcripts (`runbook exec` records runs there, "
                                     "`runbook exec RUNBOOK --drill` drills).")
    assert "No drills of tick recorded" in project.run("history", "tick", "--kind", "drill").stdout


def test_history_reads_the_configured_transcripts_folder(project, monkeypatch):
    project.runbook(GOOD)
    (project.root / "pyproject.toml").write_text('[tool.runbook]\ntranscripts = "records/sessions"\n')
    record(project.root / "records" / "sessions", monkeypatch, "2026-11-01T10:00:00Z", steps={"look": "succeeded"})
    result = project.run("history", "--format", "json")
    assert [r["runbook"] for r in json.loads(result.stdout)["runs"]] == ["tick"]


# ---- lint: drill-interval (RB503) ----------------------------------------------------------------------------

def _rb503(project, day: str, *args) -> list[str]:
    result = project.run("lint", "--format", "json", *args, env={"RUNBOOK_CLOCK": f"{day}T12:00:00Z"})
    assert result.returncode in (0, 1), result.stderr
    return [f"{Path(f['path']).stem}: {f['message']}" for f in json.loads(result.stdout)["findings"] if f["code"] == "RB503"]


def test_drill_interval_warns_until_a_successful_run_or_drill_and_again_once_it_is_too_old(project):
    project.runbook(GOOD)
    project.runbook(BROKEN)
    (project.root / "pyproject.toml").write_text('[tool.runbook.lint]\ndrill-interval = "30d"\n')
    assert _rb503(project, "2026-11-01") == [
        "tick: no successful run or drill recorded (drill interval 30d); rehearse it against staging: "
        "runbook exec tick --drill",
        "tock: no successful run or drill recorded (drill interval 30d); rehearse it against staging: "
        "runbook exec tock --drill"]
    assert project.run("exec", "tick", "--yes", env={"RUNBOOK_CLOCK": "2026-11-01T09:00:00Z"}).returncode == 0
    assert project.run("exec", "tock", "--yes", "--drill", env={"RUNBOOK_CLOCK": "2026-11-02T09:00:00Z"}).returncode == 0
    # Same day, same files: the lint cache must not answer from the run before the transcripts were written.
    tock = ("tock: no successful run or drill recorded (drill interval 30d); the last one, a drill on 2026-11-02, "
            "completed (failed: fails); rehearse it against staging: runbook exec tock --drill")
    assert _rb503(project, "2026-11-01") == [tock]
    assert _rb503(project, "2026-12-01") == [tock]  # 30 days after the run: still within
    assert _rb503(project, "2026-12-02") == [
        "tick: last successful run on 2026-11-01, 31 days ago, over the drill interval of 30d; rehearse it against "
        "staging: runbook exec tick --drill", tock]
    # A drill counts as a run does.
    assert project.run("exec", "tick", "--yes", "--drill", env={"RUNBOOK_CLOCK": "2026-12-02T09:00:00Z"}).returncode == 0
    assert _rb503(project, "2026-12-02") == [tock]
    # The finding is at the runbook's id, a warning: --fail-on warning fails.
    result = project.run("lint", "--fail-on", "warning", env={"RUNBOOK_CLOCK": "2027-06-01T00:00:00Z"})
    assert result.returncode == 1
    assert "runbooks/tick.yaml:3:1: RB503 [warning] last successful drill on 2026-12-02, 181 days ago" in result.stdout


def test_drill_interval_is_off_when_unset_and_lint_today_sets_the_day(project):
    project.runbook(GOOD)
    assert _rb503(project, "2026-11-01") == []
    (project.root / "pyproject.toml").write_text('[tool.runbook.lint]\ndrill-interval = "2w"\n')
    assert project.run("exec", "tick", "--yes", env={"RUNBOOK_CLOCK": "2026-11-01T09:00:00Z"}).returncode == 0
    assert _rb503(project, "2030-01-01", "--today", "2026-11-10") == []
    assert len(_rb503(project, "2026-11-01", "--today", "2026-11-16")) == 1


def test_unreadable_transcripts_are_noted_by_lint(project):
    project.runbook(GOOD)
    (project.root / "pyproject.toml").write_text('[tool.runbook.lint]\ndrill-interval = "30d"\n')
    (project.root / "transcripts").mkdir()
    (project.root / "transcripts" / "bad.jsonl").write_text("garbage\n")
    result = project.run("lint")
    assert "1 file(s) in the transcripts folder could not be read" in result.stderr
    assert "RB503" in result.stdout


@pytest.mark.parametrize("value", ['"90"', '"3m"', "90", '""'])
def test_a_bad_drill_interval_is_one_line_and_exit_2(project, value):
    project.runbook(GOOD)
    (project.root / "pyproject.toml").write_text(f"[tool.runbook.lint]\ndrill-interval = {value}\n")
    result = project.run("lint")
    assert result.returncode == 2
    assert "[tool.runbook] lint.drill-interval must be a number of days or weeks such as" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_exec_never_refuses_a_runbook_for_an_overdue_drill(project):
    """RB503 raised to an error must not stop the drill that would clear it."""
    project.runbook(GOOD)
    (project.root / "pyproject.toml").write_text(
        '[tool.runbook.lint]\ndrill-interval = "30d"\nseverity = { RB503 = "error" }\n')
    assert project.run("lint").returncode == 1
    result = project.run("exec", "tick", "--yes", "--drill")
    assert result.returncode == 0, result.stdout + result.stderr


# ---- the site's panel ----------------------------------------------------------------------------------------

def _page(folder: Path, history=None, coverage=None) -> str:
    catalog = load_catalog([folder])
    renderer = SiteRenderer(catalog, folder, history=history, scenario_coverage=coverage or {})
    return renderer.document_page(catalog.by_id("tick")).markdown


def _panel(markdown: str) -> str:
    start = markdown.index('<div class="admonition info rb-freshness"')
    end = markdown.index("</div>", start)
    panel = markdown[start:end]
    assert "\n\n" not in panel  # one raw HTML block
    return panel


def test_panel_shows_last_run_last_drill_and_recent_failed_steps(project, tmp_path, monkeypatch):
    project.runbook(GOOD)
    folder = tmp_path / "t"
    folder.mkdir()
    record(folder, monkeypatch, "2026-10-01T10:00:00Z", steps={"look": "failed"}, end="failed")  # 6th most recent: not counted
    record(folder, monkeypatch, "2026-11-01T10:00:00Z", steps={"look": "failed", "gone": "failed"}, end="failed")
    record(folder, monkeypatch, "2026-11-05T10:00:00Z", steps={"look": "succeeded"}, drill=True)
    record(folder, monkeypatch, "2026-11-09T10:00:00Z", steps={"look": "failed"}, end="completed", drill=True)
    record(folder, monkeypatch, "2026-11-10T10:00:00Z", steps={"look": "succeeded"})
    record(folder, monkeypatch, "2026-11-12T10:00:00Z", steps={"note": "interrupted"}, end="aborted")
    record(folder, monkeypatch, "2026-11-30T10:00:00Z", runbook="other", steps={"look": "failed"}, end="failed")
    panel = _panel(_page(project.root / "runbooks", read_history(folder)))
    assert '<strong>Last run:</strong> 2026-11-12 <span class="rb-badge rb-badge--stale">aborted</span>' in panel
    assert ('<strong>Last drill:</strong> 2026-11-09 <span class="rb-badge rb-badge--stale">completed with failed '
            'steps</span>') in panel
    assert ('<strong>Failed in the last 5 run(s) and drill(s):</strong> <a href="#step-look"><code>look</code></a> '
            '(2×, last on 2026-11-09), <code>gone</code> (1×, last on 2026-11-01, no longer a step), '
            '<a href="#step-note"><code>note</code></a> (1×, last on 2026-11-12)') in panel
    assert "<code>runbook exec tick --drill</code>" in panel and "Scenarios" not in panel


def test_panel_without_runs_says_so_and_a_clean_history_says_no_failures(project, tmp_path, monkeypatch):
    project.runbook(GOOD)
    folder = tmp_path / "t"
    panel = _panel(_page(project.root / "runbooks", read_history(folder)))
    assert "<strong>Last run:</strong> none recorded" in panel and "<strong>Last drill:</strong> none recorded" in panel
    assert "Failed" not in panel
    record(folder, monkeypatch, "2026-11-10T10:00:00Z", steps={"look": "succeeded"}, drill=True)
    panel = _panel(_page(project.root / "runbooks", read_history(folder)))
    assert '<strong>Last drill:</strong> 2026-11-10 <span class="rb-badge rb-badge--fresh">completed</span>' in panel
    assert "<strong>Failed steps:</strong> none in the last 1 run(s) and drill(s)" in panel


def test_scenario_coverage_hook(project, tmp_path):
    """The lead wires `runbook test --coverage` into `scenario_coverage`; here the numbers are made up."""
    project.runbook(GOOD)
    runbooks = project.root / "runbooks"
    with_history = _panel(_page(runbooks, read_history(tmp_path / "none"), {"tick": ScenarioCoverage(3, 1, 2)}))
    assert ("<strong>Scenarios:</strong> 3 scenario(s) run 1 of 2 steps (50%): <code>runbook test tick</code>"
            in with_history)
    # Coverage alone (no history read): the panel has the scenario line and says nothing about runs.
    alone = _panel(_page(runbooks, None, {"tick": ScenarioCoverage(1, 2, 2)}))
    assert "<strong>Scenarios:</strong> 1 scenario(s) run 2 of 2 steps (100%)" in alone and "Last run" not in alone
    # Neither: no panel at all; another runbook's numbers are not this one's.
    assert "rb-freshness" not in _page(runbooks, None, {"other": ScenarioCoverage(1, 1, 1)})


def test_panel_escapes_what_a_transcript_says(project, tmp_path, monkeypatch):
    project.runbook(GOOD)
    folder = tmp_path / "t"
    record(folder, monkeypatch, "2026-11-10T10:00:00Z", steps={"<script>x</script>": "failed"}, end="failed")
    panel = _panel(_page(project.root / "runbooks", read_history(folder)))
    assert "<script>" not in panel and "<code>&lt;script&gt;x&lt;/script&gt;</code>" in panel


def test_runbook_pages_change_under_serve_when_a_run_is_recorded(project, tmp_path, monkeypatch):
    """`runbook serve` re-renders only pages whose inputs changed: a new transcript is one of them."""
    from generator.site.live import LiveSite

    project.runbook(GOOD)
    live = LiveSite()
    try:
        def page() -> str:
            source = live.load(project.root)
            renderer = SiteRenderer(source.catalog, source.folder, source.review_interval, history=source.history)
            return next(p.markdown for p in live.pages(renderer) if p.uri.endswith("tick.md"))

        assert "<strong>Last run:</strong> none recorded" in page()
        record(project.root / "transcripts", monkeypatch, "2026-11-10T10:00:00Z", steps={"look": "succeeded"})
        assert "<strong>Last run:</strong> 2026-11-10" in page()
    finally:
        live.close()

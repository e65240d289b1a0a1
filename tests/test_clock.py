"""The one clock (generator/clock.py): set by RUNBOOK_CLOCK, it starts there and runs at the real pace; review
staleness, new runbooks and transcripts all read it."""

from __future__ import annotations

import datetime as dt
import json
import time

from conftest import Project
from generator import clock


def test_the_clock_starts_where_it_is_set_and_runs(monkeypatch):
    monkeypatch.setenv("RUNBOOK_CLOCK", "2030-05-06T07:08:09Z")
    start = dt.datetime(2030, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)
    first = clock.now()
    # the clock has run since generator.clock was imported (earlier in this pytest process), not since this test began
    ran = dt.timedelta(seconds=time.monotonic() - clock._STARTED)
    assert start <= first <= start + ran
    time.sleep(0.02)
    assert clock.now() > first
    assert clock.today() == (start + ran).date()
    stamped = dt.datetime.fromisoformat(clock.stamp().replace("Z", "+00:00"))
    assert first <= stamped <= start + dt.timedelta(seconds=time.monotonic() - clock._STARTED)


def test_without_a_setting_the_clock_is_the_machines(monkeypatch):
    monkeypatch.delenv("RUNBOOK_CLOCK", raising=False)
    assert abs((clock.now() - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 5


RUNBOOK = """\
kind: runbook
id: tick
title: Tick
summary: Prints the date.
service: tick
owner: team
last_reviewed: 2026-11-01
steps:
  - {id: date, title: Print it, run: echo tick}
"""


def test_review_staleness_and_transcripts_follow_the_clock(project: Project):
    project.runbook(RUNBOOK)
    (project.root / "pyproject.toml").write_text('[tool.runbook.lint]\nreview-interval = "90d"\n')
    fresh = project.run("lint", "--fail-on", "warning", env={"RUNBOOK_CLOCK": "2026-12-01T00:00:00Z"})
    stale = project.run("lint", "--fail-on", "warning", env={"RUNBOOK_CLOCK": "2027-12-01T00:00:00Z"})
    assert fresh.returncode == 0, fresh.stdout
    assert stale.returncode == 1 and "RB501" in stale.stdout, stale.stdout
    ran = project.run("exec", "tick", "--yes", "--transcript", "t.jsonl", env={"RUNBOOK_CLOCK": "2031-01-02T03:04:05Z"})
    assert ran.returncode == 0, ran.stdout + ran.stderr
    events = [json.loads(line) for line in (project.root / "t.jsonl").read_text().splitlines()]
    assert all(e["time"].startswith("2031-01-02T03:04:") for e in events)
    timeline = project.run("transcript", "t.jsonl", env={"RUNBOOK_CLOCK": "2032-01-01T00:00:00Z"})
    assert "2031-01-02" in timeline.stdout

"""`runbook show RUNBOOK`: the runbook in the terminal."""

from __future__ import annotations

from pathlib import Path

from generator.execute.terminal import markdown_to_text

REPO = Path(__file__).resolve().parent.parent


def test_show_a_shipped_runbook_by_service(project):
    result = project.run("show", "redis", cwd=REPO)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for text in ("Redis cache", "id redis-cache, service redis", "Variables:", "REDIS_HOST", "read-only",
                 "destructive", 'redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" FLUSHALL', "DESTRUCTIVE:", "Checklist:"):
        assert text in out
    assert "\x1b[" not in out


def test_show_phases_and_markdown_as_plain_text(project):
    project.runbook("""
        kind: runbook
        id: phased
        title: Phased
        summary: Has **phases** and a [link](https://example.com).
        owner: platform-team
        phases:
          - id: first
            title: First phase
            steps:
              - {id: a, title: A, run: echo a, description: "Use `kubectl` here."}
          - id: second
            title: Second phase
            steps:
              - {id: b, title: B, checklist: [Done]}
        """)
    result = project.run("show", "phased")
    assert result.returncode == 0
    assert "== Phase: First phase ==" in result.stdout and "== Phase: Second phase ==" in result.stdout
    assert "Has phases and a link (https://example.com)." in result.stdout
    assert "Use kubectl here." in result.stdout


def test_show_unknown_and_invalid(project):
    project.runbook("""
        kind: runbook
        id: bad
        title: Bad
        summary: Missing steps.
        owner: platform-team
        """)
    unknown = project.run("show", "nope")
    assert unknown.returncode == 2 and unknown.stderr.startswith("runbook: no runbook named 'nope'")
    invalid = project.run("show", "bad")
    assert invalid.returncode == 1 and "bad.yaml:" in invalid.stderr and "is not a valid runbook" in invalid.stderr


def test_markdown_to_text():
    text = markdown_to_text("Intro with `code` and **bold**.\n\n1. first\n2. second\n\n```\nls -l\n```\n", width=80)
    assert text.splitlines() == ["Intro with code and bold.", "1. first", "2. second", "    ls -l"]


def test_descriptions_wrap_to_a_narrow_terminal(project):
    """At 60 columns, prose is wrapped at 60 rather than at 100 and then wrapped again by the terminal mid-word."""
    result = project.run("show", "incident-response", cwd=REPO, env={"COLUMNS": "60"})
    assert result.returncode == 0, result.stderr
    summary = result.stdout.splitlines()[2:7]
    assert summary[0].startswith("  Use for every incident")
    assert all(len(line) <= 60 for line in summary), summary

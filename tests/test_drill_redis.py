"""A drill of the shipped Redis runbook against the real redis-server the tests start; the drill then shows on the
runbook's page of the built site."""

from __future__ import annotations

import subprocess

import pytest

from test_drill_site import _build, _panel, _site_project

pexpect = pytest.importorskip("pexpect")

PROMPT = r"\[DRILL\] Run this step\? \[(Y|y)/s/e/q/\?\] "


def test_a_drill_against_a_real_redis_shows_on_the_built_page(project, tmp_path, redis_server):
    _site_project(project.root, shipped_runbooks=True)
    host, port = redis_server["host"], str(redis_server["port"])
    cli = ["redis-cli", "-h", host, "-p", port]
    subprocess.run([*cli, "SET", "drill:key", "1"], check=True, capture_output=True)
    child = project.spawn("exec", "redis-cache", "--drill", "--var", f"REDIS_HOST={host}", "--var", f"REDIS_PORT={port}")
    child.expect("DRILL: a rehearsal")
    child.expect(PROMPT)
    child.sendline("y")  # ping
    child.expect("PONG")
    child.expect(PROMPT)
    child.sendline("y")  # info
    child.expect(PROMPT)
    child.sendline("y")  # dbsize
    child.expect(r"\[DRILL\] Type redis to run this destructive step")
    child.sendline("redis")  # FLUSHALL, for real
    child.expect(r"\[DRILL\] Type redis to run")  # restart: kubectl, skipped
    child.sendline("s")
    child.expect(PROMPT)  # wait-for-restart: kubectl, skipped
    child.sendline("s")
    child.expect(PROMPT)  # verify
    child.sendline("y")
    for _ in range(3):
        child.expect(r"\[DRILL\] \[ \] .*done\? \[y/n/s/q\] ")
        child.sendline("y")
    child.expect("Drill completed.")
    type(project).finish(child, 0)
    assert subprocess.run([*cli, "DBSIZE"], capture_output=True, text=True).stdout.strip() == "0"

    site = tmp_path / "site"
    _build(project, site)
    panel = _panel(site / "runbooks" / "redis-cache" / "index.html")
    assert '<strong>Last drill:</strong> 2026-12-02 <span class="rb-badge rb-badge--fresh">completed</span>' in panel
    assert "<strong>Last run:</strong> none recorded" in panel
    assert "<strong>Failed steps:</strong> none in the last 1 run(s) and drill(s)" in panel
    # Another runbook's page knows nothing of it.
    assert "<strong>Last drill:</strong> none recorded" in _panel(site / "runbooks" / "postgresql" / "index.html")

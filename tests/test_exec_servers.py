"""The shipped Redis and PostgreSQL runbooks run for real against servers started on loopback.

The kubectl steps are skipped (answered `s`); every other command runs as shipped, with host and
port given by --var.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

REPO = Path(__file__).resolve().parent.parent
PROMPT = r"Run this step\? \[(Y|y)/s/e/q/\?\] "


def test_redis_cache_runbook_against_a_real_redis(project, tmp_path, redis_server):
    host, port = redis_server["host"], str(redis_server["port"])
    cli = ["redis-cli", "-h", host, "-p", port]
    subprocess.run([*cli, "SET", "session:1", "alive"], check=True, capture_output=True)
    transcript = tmp_path / "redis.jsonl"
    child = project.spawn("exec", "redis-cache", "--var", f"REDIS_HOST={host}", "--var", f"REDIS_PORT={port}",
                          "--transcript", str(transcript), cwd=REPO)
    child.expect(r"NAMESPACE += \(asked when a step needs it, default production\)")  # only the skipped kubectl steps use it
    child.expect(r"\[1/8\]")
    child.expect(PROMPT)
    child.sendline("y")  # ping
    child.expect("PONG")
    child.expect(PROMPT)
    child.sendline("y")  # info
    child.expect(PROMPT)
    child.sendline("y")  # dbsize
    child.expect("Type redis to run this destructive step")
    child.sendline("redis-cache")  # the id is not the service name: does not run
    child.expect("That is not redis")
    assert subprocess.run([*cli, "DBSIZE"], capture_output=True, text=True).stdout.strip() == "1"
    child.sendline("redis")  # FLUSHALL
    child.expect("succeeded")
    child.expect("Type redis to run")  # restart: kubectl, skipped
    child.sendline("s")
    child.expect(PROMPT)  # wait-for-restart: kubectl, skipped
    child.sendline("s")
    child.expect(PROMPT)  # verify
    child.sendline("y")
    for _ in range(3):
        child.expect(r"done\? \[y/n/s/q\] ")
        child.sendline("y")
    Project = type(project)
    Project.finish(child, 0)
    assert subprocess.run([*cli, "DBSIZE"], capture_output=True, text=True).stdout.strip() == "0"
    ends = project.ends(transcript)
    assert {k: v["status"] for k, v in ends.items()} == {
        "ping": "succeeded", "info": "succeeded", "key-count": "succeeded", "flush": "succeeded",
        "restart": "skipped", "wait-for-restart": "skipped", "verify": "succeeded", "verify-recovery": "succeeded"}
    assert ends["key-count"]["output"].strip() == "1"
    assert ends["flush"]["output"].strip() == "OK"


def test_postgresql_runbook_against_a_real_postgres(project, tmp_path, postgres_server):
    pg = postgres_server
    backup = tmp_path / "backup.dump"
    subprocess.run(["pg_dump", "-h", pg["host"], "-p", str(pg["port"]), "-U", pg["user"], "-d", pg["db"], "-Fc",
                    "-f", str(backup)], check=True, capture_output=True)
    pre_restore = tmp_path / "pre-restore.dump"
    transcript = tmp_path / "pg.jsonl"
    args = ["exec", "postgresql", "--transcript", str(transcript), "--var", f"DB_HOST={pg['host']}",
            "--var", f"DB_PORT={pg['port']}", "--var", f"DB_USER={pg['user']}", "--var", f"DB_NAME={pg['db']}",
            "--var", f"BACKUP_FILE={backup}", "--var", f"PRE_RESTORE_DUMP={pre_restore}", "--yes"]
    # --yes runs the read-only diagnostics and stops before the first destructive step.
    first = project.run(*args, cwd=REPO)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "Stopped before destructive step kill-long-running-queries" in first.stdout
    ends = project.ends(transcript)
    assert list(ends) == ["connections", "connections-by-state", "locks", "long-running-queries"]
    assert all(e["status"] == "succeeded" for e in ends.values())
    assert "count" in ends["connections"]["output"] and "(1 row)" in ends["connections"]["output"]
    # Resume interactively: confirm the destructive query kill, skip kubectl and the npm migration.
    child = project.spawn("exec", "postgresql", "--resume", str(transcript), cwd=REPO,
                          timeout=60)
    child.expect(r"Target:\s+database = postgres@127\.0\.0\.1:\d+/platform")  # the probe, run against the server
    child.expect(r"Starting at step 5/10: kill-long-running-queries")
    child.expect(r"Type postgresql to run this destructive step against database postgres@127\.0\.0\.1:\d+/platform")
    child.sendline("postgresql")
    child.expect("pg_terminate_backend")
    child.expect(PROMPT)  # verify-long-running-queries-gone: none left, succeeds at attempt 1
    child.sendline("y")
    child.expect(r"attempt 1/6: ok: succeeded")
    child.expect("Type postgresql to run")  # restart-pgbouncer (kubectl)
    child.sendline("s")
    child.expect(PROMPT)  # wait-for-pgbouncer (kubectl)
    child.sendline("s")
    # The rollback and restore are the database-rollback runbook's steps, called in place (`uses`) with the
    # session's database values, against the same server.
    child.expect(r"\[9/10\] Roll back the migration or restore a backup  \(destructive, step database-rollback\)")
    child.expect(r"Roll back the migration or restore a backup -> database-rollback, step 1/6")
    child.expect("Type postgresql to run")  # rollback-migration (npm)
    child.sendline("s")
    child.expect(r"\[9\.2/10\] Check the backup to restore")
    child.expect(PROMPT)  # inspect-backup
    child.sendline("y")
    child.expect("backup.dump")
    child.expect(PROMPT)  # dump-before-restore
    child.sendline("y")
    child.expect("Type postgresql to run this destructive step against database postgres@127")  # restore-backup
    child.sendline("s")
    child.expect(PROMPT)  # check-connections
    child.sendline("y")
    child.expect(r"\(\d+ rows?\)")
    for _ in range(6):  # the called runbook's checklist, then postgresql's own
        child.expect(r"done\? \[y/n/s/q\] ")
        child.sendline("y")
    type(project).finish(child, 0)
    ends = project.ends(transcript)
    assert ends["kill-long-running-queries"]["status"] == "succeeded"
    assert ends["verify-long-running-queries-gone"]["output"].strip() == "0"
    assert project.events(transcript)[0]["target"]["database"] == f"postgres@127.0.0.1:{pg['port']}/platform"
    assert ends["database-rollback/inspect-backup"]["status"] == "succeeded"
    assert ends["database-rollback/dump-before-restore"]["status"] == "succeeded" and pre_restore.stat().st_size > 0
    assert ends["database-rollback/restore-backup"]["status"] == "skipped"
    assert ends["database-rollback"]["status"] == "succeeded" and ends["database-rollback"]["uses"] == "database-rollback"
    call = next(e for e in project.events(transcript) if e["event"] == "call-start")
    assert call["variables"]["BACKUP_FILE"] == str(backup) and call["target"]["database"].endswith("/platform")
    assert project.events(transcript)[-1]["status"] == "completed"


def test_rabbitmq_runbook_read_only_steps_against_a_real_rabbitmq(project, tmp_path, rabbitmq_server):
    rmq = rabbitmq_server
    declared = subprocess.run(
        [rmq["ctl"], "eval", 'rabbit_amqqueue:declare(rabbit_misc:r(<<"/">>, queue, <<"orders">>), true, false, [], '
                             'none, <<"runbook-test">>).'], env=rmq["env"], capture_output=True, text=True, timeout=60)
    assert declared.returncode == 0, declared.stdout + declared.stderr
    transcript = tmp_path / "rabbitmq.jsonl"
    child = project.spawn("exec", "rabbitmq", "--transcript", str(transcript), cwd=REPO, timeout=90,
                          env={"RABBITMQ_NODENAME": rmq["node"]})
    child.expect(r"\[1/4\] Check message queues")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(r"orders\s+0")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(r"name\s+messages_ready\s+messages_unacknowledged\s+consumers")
    child.expect(r"orders\s+0\s+0\s+0")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("Listing connections")
    for _ in range(2):
        child.expect(r"done\? \[y/n/s/q\] ")
        child.sendline("y")
    type(project).finish(child, 0)
    ends = project.ends(transcript)
    assert {k: v["status"] for k, v in ends.items()} == {
        "list-queues": "succeeded", "queue-consumers": "succeeded", "list-connections": "succeeded",
        "next-steps": "succeeded"}
    assert "orders" in ends["queue-consumers"]["output"]

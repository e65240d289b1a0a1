"""Rule helpers tested directly: destructive patterns, the bash reader, placeholders, secrets, suppressions, bash -n batching."""

from __future__ import annotations

import pytest

from generator.shell import assigned, find_destructive, placeholders, syntax_errors, uses, variable_hint


@pytest.mark.parametrize("command, label", [
    ("kubectl delete pod web-1", "kubectl delete"),
    ("kubectl -n prod rollout undo deploy/x", "rollout undo"),
    ("kubectl scale deploy/x --replicas=0", "scale to zero"),
    ("redis-cli -h h flushall", "FLUSHALL"),
    ("redis-cli FLUSHDB", "FLUSHDB"),
    ('psql -c "DROP TABLE users;"', "DROP"),
    ('psql -c "TRUNCATE orders"', "TRUNCATE"),
    ('psql -c "DELETE FROM sessions;"', "DELETE without WHERE"),
    ('psql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"', "pg_terminate_backend"),
    ('pg_restore -d app "$BACKUP"', "pg_restore"),
    ("rm -rf /var/lib/x", "rm -rf"),
    ("rm -fr /var/lib/x", "rm -rf"),
    ("terraform destroy -auto-approve", "terraform destroy"),
    ("helm uninstall payments", "helm uninstall"),
    ("docker system prune -af", "docker system prune"),
    ("dd if=/dev/zero of=/dev/sda bs=1M", "dd to a device"),
    ("mkfs.ext4 /dev/sdb1", "mkfs"),
    ("kubectl drain node-1 --ignore-daemonsets", "kubectl drain"),
])
def test_destructive(command, label):
    assert find_destructive(command) == label


@pytest.mark.parametrize("command", [
    "kubectl get pods", "kubectl scale deploy/x --replicas=10", 'psql -c "DELETE FROM s WHERE id = 1;"',
    "pg_restore --list backup.dump", "rm -f one-file", "helm list", "# kubectl delete pod x\necho skipped",
    "kubectl rollout status deploy/x", "grep -r dropdown .",
    "kubectl get pods  # never kubectl delete pod here", 'rm -rf "$TMPDIR/scratch"', "trap 'rm -rf /tmp/runbook.x' EXIT",
])
def test_not_destructive(command):
    assert find_destructive(command) is None


@pytest.mark.parametrize("command", [
    'echo "# a hash in quotes" && kubectl delete pod x', 'rm -rf "$TMPDIR"/../etc', "rm -rf /tmp/x /var/lib/db", "rm -rf /tmp/",
])
def test_still_destructive(command):
    assert find_destructive(command)


@pytest.mark.parametrize("command, names", [
    pytest.param('read -rp "Go on? " ANSWER', {"ANSWER"}, id="quoted-prompt"),
    pytest.param("read -ra PODS <<< x", {"PODS"}, id="read-array"),
    pytest.param("read -r X\nread -ra PODS <<< x", {"X", "PODS"}, id="names-end-at-the-line"),
])
def test_read_assignments(command, names):
    assert set(assigned(command)) == names


def test_extra_patterns_name_themselves():
    assert find_destructive("nuke --all", (r"\bnuke\b",)) == r"\bnuke\b"


def test_scan_respects_quotes_escapes_comments_and_quoted_heredocs():
    command = "echo $A ${B:-x} \"$C\" '$D' \\$E ${#F} $1 # $G\ncat <<'EOF'\n$H\nEOF\necho \"it's $I\""
    assert [u.name for u in uses(command)] == ["A", "B", "C", "F", "I"]


def test_assignments():
    command = "X=1; export Y=2; local Z; read -r a b; for pod in x; do :; done; mapfile -t L < f; ${D:=3}"
    assert set(assigned(command)) == {"X", "Y", "Z", "a", "b", "pod", "L", "D"}


def test_placeholders_skip_redirections_and_heredocs():
    command = "kubectl logs <pod-name> < in.txt; cat <<EOF\nx\nEOF\ndiff <(ls) <(ls); grep '<title>' f; echo '<NODE>'"
    assert [p.name for p in placeholders(command)] == ["pod-name", "NODE"]
    assert variable_hint("pod-name") == '"$POD_NAME"'


def test_bash_n_batches_and_reports_each_failing_command():
    commands = [f"echo {i}" for i in range(100)] + ["if true; then", "echo ok", "if true; then"]
    errors = syntax_errors(commands)
    assert [index for index, _ in errors] == [100, 102]
    message, line = errors[0][1]
    assert "unexpected end of file" in message and line >= 1


def test_bash_n_never_executes(tmp_path):
    marker = tmp_path / "ran"
    assert syntax_errors([f"touch {marker}", f"$(touch {marker})"]) == []
    assert not marker.exists()


SCHEMA_BASE = """kind: runbook
id: x
title: T
summary: S
owner: team
last_reviewed: 2026-01-01
steps:
  - id: look
    title: Look
    run: echo hi
    timeout: 10
    expect: {exit_code: 0}
"""


@pytest.mark.parametrize("old, new, expected", [
    # A bad date fails both `pattern` and `format`: one finding, not two.
    pytest.param("2026-01-01", "2026-13-45", [(6, "'2026-13-45' is not a valid date (YYYY-MM-DD) at /last_reviewed")], id="bad-date-once"),
    pytest.param("timeout: 10", "timeout: soon", [(11, "'soon' is not a whole number at /steps/0/timeout")], id="type-in-yaml-words"),
    pytest.param("exit_code: 0", 'exit_code: "zero"', [(12, "'zero' is not a whole number or a list at /steps/0/expect/exit_code")], id="one-of-types"),
    pytest.param("timeout: 10", "rnu: x", [(11, "unknown property 'rnu'; did you mean 'run'? at /steps/0/rnu")], id="unknown-key-points-at-key"),
    pytest.param("owner: team\n", "", [(1, "missing required property 'owner'")], id="missing-key"),
    pytest.param("title: T\nsummary: S\nowner: team\n", "", [(1, "missing required property 'owner'"), (1, "missing required property 'summary'"),
                                                          (1, "missing required property 'title'")], id="each-missing-key-named"),
])
def test_schema_messages_are_one_per_place_in_yaml_words(old, new, expected):
    from generator.loading import load_text
    from generator.schema import validate

    source = load_text(SCHEMA_BASE.replace(old, new, 1), "x.yaml")
    assert sorted((f.line, f.message) for f in validate(source)) == expected

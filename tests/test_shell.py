"""generator/shell: the one reading of bash that lint, import and exec share (tree-sitter-bash)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.shell import (ANSI, COMMENT, DOUBLE, LITERAL, SINGLE, UNQUOTED, assigned, is_standard, needs_more,
                             placeholders, quoting_at, used_names, uses, without_comments)

REPO = Path(__file__).resolve().parent.parent


def test_ansi_c_quotes_do_not_hide_the_variable_after_them():
    """The importer's old quote walk ended `$'it\\'s'` at `\\'` and left `$target` alone; lint then said RB301."""
    command = "printf $'it\\'s %s\\n' $target"
    assert [(u.name, u.quoting) for u in uses(command)] == [("target", UNQUOTED)]
    assert quoting_at(command, command.index("%s")) == ANSI


def test_kubeconfig_is_one_standard_variable_for_everyone():
    assert is_standard("KUBECONFIG") and is_standard("HOME") and is_standard("LC_ALL") and not is_standard("POD")


@pytest.mark.parametrize("command, quoting", [
    ('echo "<x>"', DOUBLE), ("echo '<x>'", SINGLE), ("echo $'<x>'", ANSI), ("echo <x>", UNQUOTED),
    ("echo ok # <x>", COMMENT), ("cat <<'EOF'\n<x>\nEOF", LITERAL), ("cat <<EOF\n<x>\nEOF", DOUBLE),
    ('echo "$(echo <x>)"', UNQUOTED), ("echo ünï '<x>'", SINGLE),
])
def test_quoting_at_an_offset(command, quoting):
    assert quoting_at(command, command.index("<x>") + 1) == quoting


def test_uses_carry_offsets_quoting_and_operators_also_after_non_ascii_text():
    command = 'echo "ünï ${NS:-default}" $POD'
    first, second = uses(command)
    assert (first.name, first.offset, first.end, first.quoting, first.braced, first.operator, first.argument) == \
        ("NS", 10, 24, DOUBLE, True, ":-", "default")
    assert (second.name, command[second.offset:second.end], second.quoting) == ("POD", "$POD", UNQUOTED)


def test_special_parameters_are_not_variables():
    assert used_names('echo $1 $@ $? $# $_ $$ "${@}"') == ()


@pytest.mark.parametrize("command, names", [
    ("printf -v OUT '%s' x; echo $OUT", {"OUT"}),
    ("while getopts ab OPT; do :; done", {"OPT"}),
    ("for ((i = 0; i < 3; i++)); do echo $i; done", {"i"}),
    ("X=1 env | grep X", {"X"}),
    ("declare -A M=(); unset Q; readonly R=1", {"M", "Q", "R"}),
    ("mapfile -t -n 3 LINES < f", {"LINES"}),
])
def test_assignments_read_from_the_parse(command, names):
    assert set(assigned(command)) == names


def test_placeholders_by_quoting():
    command = "kubectl logs <pod-name> # <not-one>\ngrep '<title>' f; echo '<NODE>' \"<redis host>\""
    assert [(p.name, p.quoting) for p in placeholders(command)] == [
        ("pod-name", UNQUOTED), ("NODE", SINGLE), ("redis host", DOUBLE)]


def test_comments_are_the_parser_s():
    assert without_comments('echo "# not" $# x#y # gone') == 'echo "# not" $# x#y '
    assert without_comments("echo a#b") == "echo a#b"


def _commands() -> list[str]:
    """Every command of the repository's runbooks, the lint bench's and some written to be awkward."""
    import importlib.util

    found = []
    for path in sorted((REPO / "runbooks").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        steps = list(data.get("steps", [])) + [s for p in data.get("phases", []) for s in p.get("steps", [])]
        found += [s[key] for s in steps for key in ("run", "rollback") if isinstance(s.get(key), str)]
    spec = importlib.util.spec_from_file_location("lint_bench", REPO / "bench" / "lint_bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    found += bench.READ_ONLY + bench.MUTATING + bench.DESTRUCTIVE
    found += ['echo $A${B}c ${#C[@]} ${!D} "$(e $E)" `f $F` $"t $G" $((H + $I)) ${J:-${K}} x$L/y ${M[$N]}',
              'kubectl get "$POD" -o jsonpath="{.status}" | jq -r ".x" && echo "${NS:=default}"']
    return found


def test_the_text_shortcut_finds_exactly_what_the_parser_finds():
    """used_names skips the parser when nothing can hide a `$`; on those commands both must agree."""
    shortcut = [c for c in _commands() if "$" in c and not any(m in c for m in ("'", "\\", "#", "<<", "$$"))]
    assert len(shortcut) > 20
    for command in shortcut:
        assert used_names(command) == tuple((u.name, u.offset) for u in uses(command)), command


@pytest.mark.parametrize("text, more", [
    ('echo "abc', True), ("echo 'x", True), ("if true; then", True), ("for x in a b; do", True), ("echo $(date", True),
    ("kubectl get pods |", True), ("a &&", True), ("cmd \\", True), ("cat <<EOF\nbody", True), ("case $x in", True),
    ("cat <<EOF\nbody\nEOF", False), ("for x in a b; do echo $x; done", False), ("echo ok", False),
    ("pg_restore -h <host> -d <database> <backup-file>", False),  # placeholders are words to fill in
    ("kubectl logs <pod-name> < x", False), ("curl -d '{\"a\": 1}' http://x", False),
])
def test_needs_more_is_the_parse_ending_in_an_open_construct(text, more):
    assert needs_more(text) is more

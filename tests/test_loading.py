"""The strict loader: every YAML pitfall is one finding with a line, never a traceback."""

import pytest

from generator.loading import load_bytes, load_text


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        pytest.param("a: 1\nb: 2\na: 3\n", "RB003", 3, id="duplicate-key"),
        pytest.param("a:\n\tb: 1\n", "RB002", 2, id="tab"),
        pytest.param("a: 1\nb: yes\n", "RB006", 2, id="yaml11-bool"),
        pytest.param("mode: 0777\n", "RB007", 1, id="octal"),
        pytest.param("at: 1:30\n", "RB007", 1, id="sexagesimal"),
        pytest.param("title: 2024-01-01\n", "RB008", 1, id="bare-date"),
        pytest.param("a: 1\n---\nb: 2\n", "RB010", 2, id="multi-doc"),
        pytest.param("- a\n", "RB011", 1, id="list"),
        pytest.param("just text\n", "RB011", 1, id="scalar"),
        pytest.param("", "RB009", 1, id="empty"),
        pytest.param("a: !!python/object:os.system x\n", "RB005", 1, id="python-tag"),
        pytest.param("a: !custom 1\n", "RB005", 1, id="custom-tag"),
        pytest.param("x: &x {a: 1}\ny:\n  <<: *x\n", "RB005", 3, id="merge-key"),
        pytest.param("a: &a\n  - *a\n", "RB004", 1, id="recursive-alias"),
        pytest.param("a: [1, 2\nb: 3\n", "RB001", 2, id="syntax"),
    ],
)
def test_each_pitfall_is_one_finding_with_its_line(text, code, line):
    source = load_text(text, "f.yaml")
    assert [(f.code, f.line) for f in source.findings] == [(code, line)]


def test_duplicate_key_names_both_lines():
    (finding,) = load_text("a: 1\nb: 2\na: 3\n").findings
    assert finding.line == 3 and "line 1" in finding.message


def test_billion_laughs_is_refused():
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        levels.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 9) + "]")
    source = load_text("\n".join(levels) + "\n")
    assert source.data is None
    assert [f.code for f in source.findings] == ["RB004"]


def test_small_alias_reuse_is_allowed():
    source = load_text("a: &v hello\nb: *v\n")
    assert source.data == {"a": "hello", "b": "hello"} and not source.findings


def test_encoding_and_nul_bytes():
    assert [(f.code, f.line) for f in load_bytes(b"a: 1\nb: \xff\n", "f").findings] == [("RB012", 2)]
    assert [(f.code, f.line) for f in load_bytes(b"a: 1\nb: \x00\n", "f").findings] == [("RB013", 2)]


def test_date_fields_take_bare_dates_as_text():
    source = load_text("last_reviewed: 2026-11-01\n")
    assert source.data == {"last_reviewed": "2026-11-01"} and not source.findings


def test_locate_points_at_values_and_keys():
    source = load_text("kind: runbook\nsteps:\n  - id: a\n    rnu: x\n")
    assert source.locate("/steps/0/rnu", key=True) == (4, 5)
    assert source.locate("/steps/0/rnu") == (4, 10)
    assert source.locate("/kind") == (1, 7)

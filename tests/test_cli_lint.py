"""`runbook lint` through click's CliRunner: bad inputs, formats, exit codes, configuration, --explain and --rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = REPO.parent / "shared" / "data" / "sarif-schema-2.1.0.json"

GOOD = """kind: runbook
id: good
title: Good
summary: Fine.
owner: team-a
variables:
  NS: {description: Namespace, default: prod}
steps:
  - id: list
    title: List pods
    run: kubectl get pods -n "$NS"
"""

BAD = """kind: runbook
id: bad
title: Bad
summary: Uses an undefined variable.
owner: team-a
last_reviewed: 2020-01-01
steps:
  - id: delete
    title: Delete
    run: kubectl delete pod "$POD"
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project in tmp_path: its own pyproject.toml, cwd inside it."""
    (tmp_path / "pyproject.toml").write_text("[tool.runbook]\nrunbooks = \"runbooks\"\n", encoding="utf-8")
    (tmp_path / "runbooks").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def run(*args):
    result = CliRunner().invoke(main, ["lint", *args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


# Bad inputs of the issue that a text corpus cannot hold (the others live in tests/corpus/negative).
@pytest.mark.parametrize("name, content, code, line", [
    pytest.param("latin1.yaml", b"kind: runbook\nid: caf\xe9\n", "RB012", 2, id="non-utf8"),
    pytest.param("nul.yaml", b"kind: runbook\nid: x\x00\n", "RB013", 2, id="nul-byte"),
    pytest.param("deep.yaml", "a: " + "[" * 70 + "]" * 70 + "\n", "RB016", 1, id="too-deep"),
    pytest.param("unknown-kind.yaml", "kind: playbook\nid: unknown-kind\n", "RB101", 1, id="unknown-kind"),
    # libyaml's composer recursed in C until the process died (SIGSEGV) on these.
    pytest.param("flow-bomb.yaml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n", "RB016", 1, id="deep-flow-segfault"),
    pytest.param("map-bomb.yaml", "a: " + "{a: " * 100_000 + "}" * 100_000 + "\n", "RB016", 1, id="deep-flow-mapping-segfault"),
    pytest.param("block-bomb.yaml", "- " * 200_000 + "x\n", "RB016", 1, id="deep-block-segfault"),
])
def test_bad_bytes_give_one_finding_with_a_line(project, name, content, code, line):
    path = write(project / name, content)
    result = run("--format", "json", str(path))
    assert result.exit_code == 1
    findings = json.loads(result.output)["findings"]
    assert [(f["code"], f["line"]) for f in findings][:1] == [(code, line)]


def test_file_over_the_size_limit_20mb(project):
    path = project / "huge.yaml"
    with path.open("w") as handle:
        handle.write("kind: runbook\nid: huge\n")
        handle.write("# padding\n" * 2_100_000)
    assert path.stat().st_size > 20_000_000
    result = run(str(path))
    assert result.exit_code == 1
    assert "RB014" in result.output and "huge.yaml" in result.output


def test_size_limit_from_config(project):
    (project / "pyproject.toml").write_text("[tool.runbook.lint]\nmax-file-size = 100\n", encoding="utf-8")
    path = write(project / "good.yaml", GOOD)
    assert "RB014" in run(str(path)).output


# Tests run as root, so chmod 000 does not stop reading: a missing path and a dangling symlink stand in for
# unreadable paths.
def test_missing_path_and_dangling_symlink(project):
    link = project / "dangling.yaml"
    link.symlink_to(project / "nowhere.yaml")
    result = run("--format", "json", str(project / "missing.yaml"), str(link))
    assert result.exit_code == 1
    findings = json.loads(result.output)["findings"]
    assert [f["code"] for f in findings] == ["RB015", "RB015"]
    assert "broken symbolic link" in findings[0]["message"]


def test_fifo_named_like_a_yaml_file_does_not_hang(project):
    fifo = project / "runbooks" / "pipe.yaml"
    os.mkfifo(fifo)
    for args in ([str(fifo)], []):  # named, and found in the runbooks folder
        result = run("--format", "json", *args)
        assert result.exit_code == 1
        findings = json.loads(result.output)["findings"]
        assert [(f["code"], f["path"]) for f in findings] == [("RB015", "runbooks/pipe.yaml")]
        assert "not a regular file" in findings[0]["message"]


def test_directory_named_like_a_file(project):
    (project / "x.yaml").mkdir()
    result = run(str(project / "x.yaml"))
    assert result.exit_code == 1
    assert "RB015" in result.output and "directory" in result.output


def test_non_yaml_file_is_a_usage_error(project):
    path = write(project / "README.md", "# hi\n")
    result = run(str(path))
    assert result.exit_code == 2
    assert "not a YAML file" in result.output


def test_clean_file_exits_0(project):
    result = run("--format", "text", str(write(project / "runbooks" / "good.yaml", GOOD)))
    assert result.exit_code == 0
    assert result.output.strip() == "1 file(s) checked, no findings"


def test_default_path_is_the_configured_folder(project):
    write(project / "runbooks" / "bad.yaml", BAD)
    result = run("--format", "text")
    assert result.exit_code == 1
    assert "runbooks/bad.yaml:10:" in result.output


def test_text_output_is_sorted_with_summary(project):
    path = write(project / "bad.yaml", BAD)
    result = run("--format", "text", "--today", "2026-06-01", str(path))
    lines = result.output.strip().splitlines()
    assert lines[-1] == "1 file(s) checked, 3 finding(s): 2 error(s), 1 warning(s)"
    assert lines[:-1] == sorted(lines[:-1], key=lambda l: (int(l.split(":")[1]), int(l.split(":")[2])))
    assert lines[0] == "bad.yaml:6:16: RB501 [warning] last reviewed 2020-01-01, 2343 days ago, over the review interval of 180d; review it and update last_reviewed"
    assert "\033[" not in result.output  # not a terminal: no colour


def test_fail_on_and_today(project):
    path = write(project / "stale.yaml", GOOD.replace("id: good", "id: stale") + "last_reviewed: 2026-01-01\n")
    assert run("--today", "2026-03-01", str(path)).exit_code == 0
    assert run("--today", "2026-12-01", str(path)).exit_code == 0  # a warning is below the default fail-on
    assert run("--today", "2026-12-01", "--fail-on", "warning", str(path)).exit_code == 1


def test_json_output(project):
    path = write(project / "bad.yaml", BAD)
    result = run("--format", "json", "--today", "2026-06-01", str(path))
    report = json.loads(result.output)
    assert report["summary"] == {"files": 1, "findings": 3, "error": 2, "warning": 1, "info": 0}
    first = report["findings"][0]
    assert set(first) >= {"code", "severity", "path", "line", "column", "pointer", "message"}
    assert first["pointer"] == "/last_reviewed"


def test_github_output_escapes_like_the_actions_toolkit(project, monkeypatch):
    path = write(project / "a,b:c.yaml", "kind: runbook\nid: x\n---\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run(str(path))  # --format auto picks github
    assert result.output.splitlines()[0] == (
        "::error file=a%2Cb%3Ac.yaml,line=3,col=1,title=RB010::a second YAML document starts here; put each document in its own file")
    from generator.lint.reporters import escape_data, escape_property
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_sarif_validates_against_the_official_schema(project):
    write(project / "runbooks" / "bad.yaml", BAD)
    write(project / "runbooks" / "broken.yaml", "kind: runbook\n\tid: x\n")
    out = project / "report.sarif"
    result = run("--format", "sarif", "-o", str(out), "--today", "2026-06-01")
    assert result.exit_code == 1
    log = json.loads(out.read_text())
    run_ = log["runs"][0]
    rules = {rule["id"]: rule for rule in run_["tool"]["driver"]["rules"]}
    assert {"RB301", "RB401", "RB501", "RB002"} <= set(rules)
    assert set(rules["RB401"]) >= {"id", "name", "shortDescription", "fullDescription", "help", "defaultConfiguration"}
    result0 = run_["results"][0]
    location = result0["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "runbooks/bad.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] >= 1
    # Not GitHub's own primaryLocationLineHash, which upload-sarif computes and warns about when it differs.
    assert list(result0["partialFingerprints"]) == ["runbookLintFinding/v1"]
    assert run_["results"][0]["ruleId"] == run_["tool"]["driver"]["rules"][result0["ruleIndex"]]["id"]
    # Last, so the checks above run on a fresh clone too.
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the SARIF schema is not beside the repository (CI has it): {SARIF_SCHEMA} does not exist")
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(log)


def test_sarif_fingerprints_survive_lines_added_above(project):
    path = write(project / "runbooks" / "dup.yaml", "kind: runbook\nid: dup\nid: again\n")
    def duplicate_key_results():  # the missing title, summary and owner are reported too
        results = json.loads(run("--format", "sarif").output)["runs"][0]["results"]
        return [r for r in results if r["ruleId"] == "RB003"]

    before = duplicate_key_results()
    write(path, "# a comment\n# another\n" + path.read_text())
    after = duplicate_key_results()
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in before] == [3]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] == [5]
    assert "line 2" in before[0]["message"]["text"]  # the message names the first line; the fingerprint does not
    assert before[0]["partialFingerprints"] == after[0]["partialFingerprints"]


def test_colour_on_a_terminal_only_and_never_with_no_color(monkeypatch):
    from generator.findings import Finding
    from generator.lint.reporters import text, use_colour

    class Tty:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_colour(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(Tty())
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: only a non-empty value disables colour (as in exec)
    assert use_colour(Tty())
    monkeypatch.setenv("TERM", "dumb")
    assert not use_colour(Tty())
    coloured = text([Finding("a.yaml", 1, 1, "RB301", "error", "m")], 1, Path("."), colour=True)
    assert "\033[31m[error]" in coloured


def test_explain_and_rules():
    result = run("--explain", "rb401")
    assert result.exit_code == 0 and result.output.startswith("RB401 destructive-not-marked [error]")
    assert run("--explain", "RB999").exit_code == 2
    listing = run("--rules")
    assert listing.exit_code == 0
    for code in ("RB001", "RB100", "RB201", "RB301", "RB404", "RB502", "RB601", "RB902"):
        assert code in listing.output


def test_rules_and_explain_know_every_code_of_loader_schema_lint_and_import():
    from generator.codes import RULES

    listed = [line.split()[0] for line in run("--rules").output.splitlines()]
    assert listed == sorted(RULES) + ["SCxxxx"]  # ShellCheck's own codes, one line for the family
    assert {"RB001", "RB016", "RB100", "RB101", "RB703", "RB711", "RB901"} <= set(listed)
    for code in RULES:
        result = run("--explain", code.lower())
        assert result.exit_code == 0 and result.output.startswith(f"{code} {RULES[code].name} [{RULES[code].severity}]\n")
    # `runbook import` prints RB703 and says lint keeps flagging it: --explain tells what it is.
    assert "confirm" in run("--explain", "RB703").output


@pytest.mark.parametrize("typed, meant", [
    pytest.param("RB310", "RB301", id="swapped-digits"),
    pytest.param("rb7o3", "RB703", id="letter-o-for-zero"),
    pytest.param("RB3011", "RB301", id="one-digit-too-many"),
    pytest.param("301", "RB301", id="without-prefix"),
])
def test_explain_suggests_the_code_a_typo_meant(typed, meant):
    result = run("--explain", typed)
    assert result.exit_code == 2
    assert result.output.strip() == (f"runbook: unknown rule code {typed!r}; did you mean {meant}? "
                                     "`runbook lint --rules` lists them")


def test_explain_without_a_close_code_says_where_the_list_is():
    result = run("--explain", "XYZ")
    assert result.exit_code == 2
    assert result.output.strip() == "runbook: unknown rule code 'XYZ'; `runbook lint --rules` lists them"


def test_explanations_quote_the_limits_the_code_enforces():
    from generator.codes import RULES
    from generator.schema import SCHEMA_FILES
    from generator.yaml_data import ALIAS_BUDGET
    from generator.yaml_nodes import MAX_DEPTH

    assert f"up to {ALIAS_BUDGET} uses" in RULES["RB004"].explanation
    assert f"more than {MAX_DEPTH} levels" in RULES["RB016"].explanation
    assert ", ".join(SCHEMA_FILES) in RULES["RB101"].explanation


@pytest.mark.parametrize("setting, message", [
    pytest.param("typo = 1", "unknown setting 'typo'", id="unknown-key"),
    pytest.param('select = ["RBX"]', "not a known rule code", id="select-unknown"),
    pytest.param('ignore = ["RB777"]', "not a known rule code", id="ignore-unknown"),
    pytest.param('ignore = ["RB310"]', "'RB310' is not a known rule code or prefix; did you mean RB301?", id="ignore-typo"),
    pytest.param('severity = {RB301 = "fatal"}', "must be error, warning, info or off", id="severity-level"),
    pytest.param('destructive-patterns = ["("]', "destructive-patterns", id="bad-regex"),
    pytest.param('destructive-patterns = ["a{99999999999}"]', "repetition number is too large", id="regex-overflow"),
    pytest.param('review-interval = "soon"', "review-interval", id="review-interval"),
])
def test_config_mistakes_exit_2_with_one_line(project, setting, message):
    (project / "pyproject.toml").write_text(f"[tool.runbook.lint]\n{setting}\n", encoding="utf-8")
    result = run()
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_missing_runbooks_folder_is_a_config_error(project):
    (project / "pyproject.toml").write_text('[tool.runbook]\nrunbooks = "docs/runbooks"\n', encoding="utf-8")
    result = run()
    assert result.exit_code == 2
    assert "runbooks folder" in result.output and "does not exist" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("setting, expected", [
    pytest.param("", {"RB301", "RB401", "RB501"}, id="defaults"),
    pytest.param('select = ["RB3"]', {"RB301"}, id="select-prefix"),
    pytest.param('ignore = ["RB4", "RB501"]', {"RB301"}, id="ignore"),
    pytest.param('severity = {RB401 = "off", RB501 = "error"}', {"RB301", "RB501:error"}, id="severity"),
    pytest.param('per-file-ignores = {"runbooks/*.yaml" = ["RB301", "RB5"]}', {"RB401"}, id="per-file-ignores"),
    pytest.param('review-interval = "9999d"', {"RB301", "RB401"}, id="review-interval"),
])
def test_config_shapes_findings(project, setting, expected):
    (project / "pyproject.toml").write_text(f"[tool.runbook.lint]\n{setting}\n", encoding="utf-8")
    write(project / "runbooks" / "bad.yaml", BAD)
    report = json.loads(run("--format", "json", "--today", "2026-06-01").output)
    got = {f["code"] + (":error" if f["code"] == "RB501" and f["severity"] == "error" else "") for f in report["findings"]}
    assert got == expected


def test_destructive_patterns_from_config(project):
    (project / "pyproject.toml").write_text('[tool.runbook.lint]\ndestructive-patterns = ["\\\\bwipe-it\\\\b"]\n', encoding="utf-8")
    path = write(project / "good.yaml", GOOD.replace('kubectl get pods -n "$NS"', 'wipe-it -n "$NS"'))
    result = run(str(path))
    assert result.exit_code == 1 and "RB401" in result.output and "wipe-it" in result.output


def test_single_file_references_resolve_against_the_runbooks_folder(project):
    write(project / "runbooks" / "levels.yaml", """kind: severity-levels
id: levels
title: Levels
levels:
  - {id: sev1, name: Critical, definition: Outage, response_time: 15m, escalation: Page}
""")
    path = write(project / "elsewhere" / "good.yaml", GOOD.replace("owner: team-a", "owner: team-a\nseverity: sev1"))
    assert run(str(path)).exit_code == 0
    assert "RB206" in run(str(write(project / "elsewhere" / "good.yaml", GOOD.replace("owner: team-a", "owner: team-a\nseverity: sev7")))).output


def test_duplicate_ids_name_both_files(project):
    write(project / "runbooks" / "a" / "good.yaml", GOOD)
    write(project / "runbooks" / "b" / "good.yaml", GOOD)
    result = run()
    assert "runbooks/b/good.yaml:2:5: RB201" in result.output
    assert "also used by runbooks/a/good.yaml" in result.output


def test_shell_syntax_batches_and_pins_the_failing_commands(project):
    steps = "".join(f'  - {{id: s{i}, title: S, run: "echo {i}"}}\n' for i in range(40))
    steps += '  - {id: broken, title: B, run: "echo (oops"}\n  - {id: broken2, title: B, run: "done"}\n'
    path = write(project / "many.yaml", "kind: runbook\nid: many\ntitle: T\nsummary: S\nowner: o\nsteps:\n" + steps)
    result = run("--format", "json", str(path))
    findings = json.loads(result.output)["findings"]
    assert [(f["code"], f["pointer"]) for f in findings] == [("RB404", "/steps/40/run"), ("RB404", "/steps/41/run")]


def test_the_shipped_runbooks_lint_clean(monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    result = run("--format", "text")
    assert result.exit_code == 0, result.output


def test_lint_and_help_import_neither_mkdocs_nor_jinja2(tmp_path):
    write(tmp_path / "good.yaml", GOOD)
    code = ("import sys\nfrom generator.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'jinja2', 'material')))")
    for args in (["--help"], ["lint", str(tmp_path / "good.yaml")]):
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=tmp_path,
                             env={**os.environ, "PYTHONPATH": str(REPO)}, check=True).stdout
        assert out.strip().splitlines()[-1] == "[]", args



def test_lint_on_a_terminal_colours_with_empty_no_color_and_not_with_a_value(project):
    """The rule `runbook exec` follows too (tests/test_exec_pty.py): `NO_COLOR=` keeps colour, `NO_COLOR=1` drops it."""
    pexpect = pytest.importorskip("pexpect")
    write(project / "runbooks" / "bad.yaml", BAD)
    screens = {}
    for value in ("", "1"):
        env = {**os.environ, "TERM": "xterm", "NO_COLOR": value}
        env.pop("GITHUB_ACTIONS", None)
        child = pexpect.spawn(sys.executable, ["-c", "from generator.cli import main; main()", "lint"],
                              cwd=str(project), env=env, encoding="utf-8", timeout=30)
        screens[value] = child.read()
        child.close()
        assert child.exitstatus == 1, screens[value]
    assert "\x1b[31m[error]" in screens[""]
    assert "[error]" in screens["1"] and "\x1b[" not in screens["1"]


def test_a_suppression_with_a_mistyped_code_says_which_it_meant(project):
    text = GOOD.replace('run: kubectl get pods -n "$NS"', 'run: kubectl get pods -n "$NS"  # runbook: disable=RB310 -- typo')
    (project / "runbooks" / "good.yaml").write_text(text, encoding="utf-8")
    result = run("--format", "text")
    assert "RB902 [error] suppression names unknown rule code 'RB310'; did you mean RB301?" in result.output

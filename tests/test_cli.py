"""The command line as a whole: every command of the design's table is there, and `--help` stays light."""

import subprocess
import sys

from click.testing import CliRunner

from generator import __version__
from generator.cli import main

DESIGN_COMMANDS = ["lint", "list", "show", "build", "serve", "render", "exec", "transcript", "new"]


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert set(DESIGN_COMMANDS) <= listed


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(main, ["frobnicate"])
    assert result.exit_code == 2 and "No such command" in result.output


def test_help_imports_neither_mkdocs_nor_jinja2():
    code = ("import sys; from generator.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'jinja2', 'material')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_list_shows_documents_and_flags_files_it_could_not_load(tmp_path, monkeypatch):
    import json

    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.runbook]\nrunbooks = "rb"\n')
    (tmp_path / "rb").mkdir()
    (tmp_path / "rb" / "ok.yaml").write_text(
        "kind: runbook\nid: ok\ntitle: Ok\nsummary: s\nowner: team\nservice: web\nsteps:\n"
        "  - {id: a, title: A, run: 'true'}\n  - {id: b, title: B, checklist: [done]}\n")
    runner = CliRunner()
    clean = runner.invoke(main, ["list", "--format", "json"])
    assert clean.exit_code == 0
    assert json.loads(clean.output) == [{"id": "ok", "kind": "runbook", "title": "Ok", "service": "web", "owner": "team",
                                         "path": "rb/ok.yaml", "steps": 2}]
    (tmp_path / "rb" / "broken.yaml").write_text("kind: runbook\nid: broken\n")
    (tmp_path / "rb" / "bad-yaml.yaml").write_text("a: [1\n")
    broken = runner.invoke(main, ["list"])
    assert broken.exit_code == 1 and "2 file(s) could not be loaded" in broken.output
    assert "ok" in broken.output.splitlines()[1]

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

"""Count the `run` commands written verbatim in more than one runbook (issue 19: each procedure written once).

    python bench/repeated_commands.py [RUNBOOKS_DIR] [--list] [--before REV]

Reads the runbooks through the project's loader and model (no YAML parsing here). A command counts once per
runbook that writes it itself; a step that calls another runbook (`uses`) writes no command, so calls are
what bring the count down. Prints the number of distinct repeated commands and the number of steps holding
them; `--list` names each command and the runbooks that repeat it. `--before REV` prints the same count for the
runbooks/ folder as it was at a git revision (for example the commit before `uses` came), side by side.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def repeated(folder: Path) -> dict[str, list[str]]:
    """Command text (stripped) -> the ids of the runbooks that write it, for those written in two or more."""
    from generator.project import load_catalog

    writers: dict[str, dict[str, None]] = defaultdict(dict)
    for runbook in load_catalog([folder]).runbooks:
        for step in runbook.steps:
            if step.run:
                writers[step.run.strip()].setdefault(runbook.id)
    return {command: list(ids) for command, ids in writers.items() if len(ids) > 1}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "runbooks")
    parser.add_argument("--list", action="store_true", help="name each repeated command and its runbooks")
    parser.add_argument("--before", metavar="REV", help="also count runbooks/ as it was at this git revision")
    args = parser.parse_args()
    if args.before:
        with tempfile.TemporaryDirectory() as scratch:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before, "runbooks"], capture_output=True,
                                     check=True).stdout
            subprocess.run(["tar", "-x", "-C", scratch], input=archive, check=True)
            _report(repeated(Path(scratch) / "runbooks"), f"runbooks/ at {args.before}", False)
    _report(repeated(args.folder), str(args.folder), args.list)
    return 0


def _report(found: dict[str, list[str]], where: str, listing: bool) -> None:
    copies = sum(len(ids) for ids in found.values())
    print(f"{len(found)} command(s) written verbatim in more than one runbook, {copies} copies in all ({where})")
    if listing:
        for command, ids in sorted(found.items(), key=lambda item: (-len(item[1]), item[0])):
            print(f"  {len(ids)}x {command.splitlines()[0][:100]}  <- {', '.join(ids)}")


if __name__ == "__main__":
    sys.exit(main())

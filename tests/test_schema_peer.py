"""check-jsonschema, a peer implementation, agrees with our schema verdicts on both example corpora."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from generator.loading import load_file
from generator.schema import SCHEMA_FILES, schema_dir, validate

CORPUS = Path(__file__).parent / "corpus"


def corpus_files_by_kind() -> dict[str, list[Path]]:
    """Files our loader reads cleanly (YAML pitfalls are ours to judge, not the schema's), by kind."""
    by_kind: dict[str, list[Path]] = {}
    for path in sorted(CORPUS.glob("*/*.yaml")):
        source = load_file(path)
        kind = source.data.get("kind") if isinstance(source.data, dict) else None
        if source.findings or not isinstance(kind, str) or kind not in SCHEMA_FILES:
            continue
        by_kind.setdefault(source.data["kind"], []).append(path)
    return by_kind


def peer_invalid_files(schema: Path, files: list[Path]) -> set[Path]:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema), "-o", "JSON", *map(str, files)],
        capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert not report.get("parse_errors"), report["parse_errors"]
    return {Path(error["filename"]).resolve() for error in report["errors"]}


def test_check_jsonschema_agrees_with_our_verdicts():
    by_kind = corpus_files_by_kind()
    assert sum(map(len, by_kind.values())) >= 30 and "runbook" in by_kind
    disagreements = []
    checked_invalid = 0
    for kind, files in by_kind.items():
        peer_invalid = peer_invalid_files(schema_dir() / SCHEMA_FILES[kind], files)
        for path in files:
            ours_invalid = bool(validate(load_file(path)))
            checked_invalid += ours_invalid
            if ours_invalid != (path.resolve() in peer_invalid):
                disagreements.append(f"{path.name}: ours {'invalid' if ours_invalid else 'valid'}")
    assert not disagreements
    assert checked_invalid >= 5  # the comparison covers invalid documents, not only valid ones

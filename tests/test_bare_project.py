"""A project that is nothing but a runbooks/ folder: every command works there and in a sub-folder of it
(the project root is found upwards, as git and ruff find theirs). Real processes, real MkDocs builds."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import CLI, free_port

PAGE = Path("runbooks", "checkout-api", "index.html")


def runbook(*args: str, cwd: Path, code: int | None = 0) -> subprocess.CompletedProcess:
    result = subprocess.run([*CLI, *args], cwd=cwd, env={**os.environ, "NO_COLOR": "1"}, text=True, capture_output=True,
                            stdin=subprocess.DEVNULL, timeout=180)
    assert result.returncode == code or (code is None and result.returncode in (0, 1)), result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture
def demo(tmp_path) -> Path:
    """A folder with nothing but runbooks/ and the runbook `runbook new` wrote, and sub-folders to work from."""
    root = tmp_path / "demo"
    root.mkdir()
    runbook("new", "checkout-api", "--service", "checkout", "--owner", "shop-team", cwd=root)
    assert sorted(p.name for p in root.iterdir()) == ["runbooks", "schemas"]  # schemas/: the modeline's target
    (root / "notes" / "deeper").mkdir(parents=True)
    return root


def test_the_readme_command_line_builds_a_site(tmp_path):
    """Exactly what a newcomer types, with the installed `runbook` script on PATH."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    line = "mkdir demo && cd demo && runbook new checkout-api --service checkout --owner shop-team && runbook build"
    result = subprocess.run(["bash", "-c", line], cwd=tmp_path, env=env, text=True, capture_output=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    page = tmp_path / "demo" / "site" / PAGE
    assert "Checkout api" in page.read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == [".runbook", "runbooks", "schemas", "site"]


def test_build_from_a_sub_folder(demo):
    result = runbook("build", cwd=demo / "notes" / "deeper")
    assert "Checkout api" in (demo / "site" / PAGE).read_text(encoding="utf-8")
    assert not (demo / "notes" / "deeper" / "site").exists(), result.stdout


def test_render_from_a_sub_folder(demo, tmp_path):
    runbook("render", str(tmp_path / "out"), cwd=demo / "notes")
    assert "Checkout api" in (tmp_path / "out" / "docs" / "runbooks" / "checkout-api.md").read_text(encoding="utf-8")


def test_lint_list_and_show_from_a_sub_folder(demo):
    where = demo / "notes" / "deeper"
    assert "1 file(s) checked, no findings" in runbook("lint", cwd=where).stdout
    listed = runbook("list", "--format", "json", cwd=where).stdout
    assert '"id": "checkout-api"' in listed and "../../runbooks/checkout-api.yaml" in listed
    assert "Checkout api" in runbook("show", "checkout", cwd=where).stdout


def test_exec_from_a_sub_folder_writes_the_transcript_at_the_root(demo):
    where = demo / "notes"
    runbook("exec", "checkout-api", "--dry-run", cwd=where)
    runbook("exec", "checkout-api", "--yes", "--var", "NAMESPACE=default", cwd=where, code=None)  # 1 without kubectl
    transcripts = list((demo / "transcripts").glob("*-checkout-api.jsonl"))
    assert len(transcripts) == 1 and not (where / "transcripts").exists()


def test_serve_from_a_sub_folder(demo):
    port = free_port()
    server = subprocess.Popen([*CLI, "serve", "-a", f"127.0.0.1:{port}"], cwd=demo / "notes",
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        body = None
        for _ in range(600):
            if server.poll() is not None:
                pytest.fail(f"runbook serve exited with {server.returncode}: {server.stderr.read()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/runbooks/checkout-api/", timeout=5) as response:
                    body = response.read().decode("utf-8")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        assert body is not None and "Checkout api" in body
    finally:
        server.terminate()
        server.communicate(timeout=30)


IMPORTED = """\
# Restart the worker

Use when the queue grows.

```bash
kubectl rollout restart deployment/worker -n <namespace>
```
"""


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
                   capture_output=True, text=True, timeout=60)


def test_modelines_resolve_from_two_clones_at_different_paths(demo, tmp_path):
    """`runbook new` and `runbook import` in a project without the tool's schemas/: every modeline is a path
    relative to its file that, in each clone, names a schema inside that clone which the runbook passes."""
    import json

    import jsonschema

    from generator.loading import load_file

    (demo / "notes" / "restart-worker.md").write_text(IMPORTED, encoding="utf-8")
    runbook("import", "notes/restart-worker.md", "-o", "runbooks/imported/", cwd=demo)
    _git("init", "-q", cwd=demo)
    _git("add", "runbooks", "schemas", cwd=demo)
    _git("commit", "-qm", "runbooks", cwd=demo)
    clones = [tmp_path / "laptop" / "work", tmp_path / "ci" / "builds" / "a" / "b"]
    for clone in clones:
        clone.parent.mkdir(parents=True)
        _git("clone", "-q", str(demo), str(clone), cwd=tmp_path)
        files = sorted((clone / "runbooks").rglob("*.yaml"))
        assert [p.name for p in files] == ["checkout-api.yaml", "restart-worker.yaml"]
        for path in files:
            first = path.read_text(encoding="utf-8").splitlines()[0]
            reference = first.removeprefix("# yaml-language-server: $schema=")
            assert reference != first and "://" not in reference and not reference.startswith("/"), first
            schema_file = (path.parent / reference).resolve()
            assert schema_file.is_file() and clone.resolve() in schema_file.parents, (path, reference)
            schema = json.loads(schema_file.read_text(encoding="utf-8"))
            jsonschema.Draft202012Validator(schema).validate(load_file(path).data)  # read as the tool reads it
        assert "2 file(s) checked" in runbook("lint", cwd=clone, code=None).stdout

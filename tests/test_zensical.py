"""`runbook render`'s project is engine-neutral: Zensical (Material's successor) builds the same pages as MkDocs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from generator.cli import main; main()"]


def html_pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


@pytest.mark.skipif(shutil.which("zensical") is None, reason="zensical is in the test extra; not installed here")
def test_zensical_builds_the_rendered_project_like_mkdocs(tmp_path):
    out = tmp_path / "out"
    subprocess.run([*CLI, "render", str(out)], cwd=REPO, check=True, capture_output=True)
    mkdocs = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "mkdocs-site")],
                            cwd=out, capture_output=True, text=True)
    assert mkdocs.returncode == 0, mkdocs.stderr
    zensical = subprocess.run(["zensical", "build"], cwd=out, capture_output=True, text=True)
    assert zensical.returncode == 0, zensical.stdout + zensical.stderr
    assert "No issues found" in zensical.stdout + zensical.stderr
    assert html_pages(out / "site") == html_pages(tmp_path / "mkdocs-site")
    redis = (out / "site" / "runbooks" / "redis-cache" / "index.html").read_text()
    assert 'id="step-flush"' in redis and "runbooks.css" in redis and "FLUSHALL" in redis

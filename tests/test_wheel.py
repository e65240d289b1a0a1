"""Build a wheel, install it into a fresh venv (no downloads) and lint a file outside the repository with it.

This proves the schemas are found inside the installed package, not only in a checkout.
"""

from __future__ import annotations

import site
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_installs_and_lints_outside_the_repo(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)],
                   check=True, capture_output=True, text=True)
    wheel = next(dist.glob("*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # The dependencies come from the running environment: `--system-site-packages` would only show the base
    # interpreter's packages when the tests run in a venv, so the new venv gets this environment's site folders as
    # plain path lines (their own .pth files, such as an editable install of the checkout, are not processed).
    inner_site = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                check=True, capture_output=True, text=True).stdout.strip()
    Path(inner_site, "outer-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                   check=True, capture_output=True, text=True)
    work = tmp_path / "outside"
    work.mkdir()
    (work / "hello.yaml").write_text("""kind: runbook
id: hello
title: Hello
summary: Says hello.
owner: team-a
steps:
  - {id: hello, title: Say hello, run: echo hello}
""", encoding="utf-8")
    (work / "typo.yaml").write_text("kind: runbook\nid: typo\ntitle: T\nsummary: S\nowner: o\nsteps:\n  - {id: a, title: A, rnu: x}\n")
    runbook = venv / "bin" / "runbook"
    # Run from outside the checkout with the venv's own package (the checkout must not be importable here).
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import generator.schema as s; print(s.schema_dir())"],
                           cwd=work, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(venv)), where
    clean = subprocess.run([str(runbook), "lint", "hello.yaml"], cwd=work, env=env, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    typo = subprocess.run([str(runbook), "lint", "typo.yaml"], cwd=work, env=env, capture_output=True, text=True)
    assert typo.returncode == 1
    assert "typo.yaml:7:" in typo.stdout and "did you mean 'run'" in typo.stdout

"""Shared fixtures: a project folder with runbooks written by the test, the `runbook` CLI on a real
pseudo-terminal (pexpect) or without one (subprocess), and real Redis and PostgreSQL servers on
loopback for the shipped infrastructure runbooks."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from generator.cli import main; main()"]
# The tool's clock (generator/clock.py) for every test, in this process and in every command a test starts: no
# test depends on the day it runs. .ci/run also runs the suite with the machine's clock a year ahead (faketime).
CLOCK = "2026-12-02T02:00:00Z"


def pytest_configure(config):
    os.environ["RUNBOOK_CLOCK"] = CLOCK
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNBOOK_", "PYTEST_"))}
    env.update({"NO_COLOR": "1", "TERM": "xterm", "PYTHONUNBUFFERED": "1", "RUNBOOK_CLOCK": CLOCK})
    env.pop("EDITOR", None)
    env.pop("VISUAL", None)
    env.update(extra or {})
    return env


class Project:
    """A folder with runbooks/ (no pyproject: the defaults apply, transcripts/ beside it)."""

    def __init__(self, root: Path):
        self.root = root
        (root / "runbooks").mkdir(parents=True, exist_ok=True)

    def runbook(self, text: str, name: str | None = None) -> Path:
        text = textwrap.dedent(text)
        doc_id = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("id:"))
        path = self.root / "runbooks" / f"{name or doc_id}.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    def spawn(self, *args: str, env: dict | None = None, timeout: float = 30, cwd: Path | None = None):
        import pexpect

        child = pexpect.spawn(CLI[0], [*CLI[1:], *args], cwd=str(cwd or self.root), env=_env(env),
                              encoding="utf-8", timeout=timeout, dimensions=(60, 220))
        child.logfile_read = _Log()
        return child

    def run(self, *args: str, env: dict | None = None, input: str | None = None, cwd: Path | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([*CLI, *args], cwd=str(cwd or self.root), env=_env(env), text=True, capture_output=True,
                              input=input, stdin=None if input is not None else subprocess.DEVNULL, timeout=timeout)

    @staticmethod
    def finish(child, code: int | None = None) -> int:
        """Wait for the end of a spawned session and return its exit status."""
        import pexpect

        child.expect(pexpect.EOF)
        child.close()
        if code is not None:
            assert child.exitstatus == code, child.logfile_read.text
        return child.exitstatus

    def events(self, path: Path) -> list[dict]:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def ends(self, path: Path) -> dict[str, dict]:
        return {e["step"]: e for e in self.events(path) if e["event"] == "step-end"}


class _Log:
    """Everything the terminal showed, for assertions about what the operator saw."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def flush(self) -> None:
        pass

    @property
    def text(self) -> str:
        return "".join(self.parts)


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server():
    """A throwaway redis-server on a free loopback port, no persistence."""
    binary = shutil.which("redis-server")
    if binary is None or shutil.which("redis-cli") is None:
        pytest.skip("redis-server/redis-cli are not installed (CI installs the redis-server package)")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="runbook-redis-")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", workdir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            ping = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), "ping"], capture_output=True, text=True)
            if ping.stdout.strip() == "PONG":
                break
            time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        yield {"host": "127.0.0.1", "port": port}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    """PostgreSQL 15 on a free loopback port with trust authentication, run as the `postgres` user
    (the server refuses to run as root); data and socket live in a temporary folder it owns."""
    if not (PG_BIN / "postgres").exists():
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
        if not candidates:
            pytest.skip("PostgreSQL server binaries are not installed (CI installs the postgresql package)")
        bindir = candidates[-1].parent
    else:
        bindir = PG_BIN
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed (CI installs the postgresql package)")
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    workdir = Path(tempfile.mkdtemp(prefix="runbook-pg-"))
    os.chmod(workdir, 0o755)
    data, sockets, log = workdir / "data", workdir / "sock", workdir / "server.log"
    sockets.mkdir()
    if as_postgres:
        shutil.chown(workdir, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    subprocess.run([*as_postgres, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
                   check=True, capture_output=True)
    subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "start",
                    "-o", f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"], check=True, capture_output=True)
    try:
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres", "-c",
                        "CREATE DATABASE platform"], check=True, capture_output=True)
        yield {"host": "127.0.0.1", "port": port, "user": "postgres", "db": "platform"}
    finally:
        subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def rabbitmq_server():
    """A RabbitMQ node of its own on loopback: its own name, AMQP and distribution ports, data and logs in a
    temporary folder, no plugins. Debian's wrappers run the server and rabbitmqctl as the `rabbitmq` user
    (so both read that user's Erlang cookie); the node is found through RABBITMQ_NODENAME."""
    binary = shutil.which("rabbitmq-server") or ("/usr/sbin/rabbitmq-server" if os.path.exists("/usr/sbin/rabbitmq-server") else None)
    ctl = shutil.which("rabbitmqctl") or ("/usr/sbin/rabbitmqctl" if os.path.exists("/usr/sbin/rabbitmqctl") else None)
    if binary is None or ctl is None:
        pytest.skip("rabbitmq-server/rabbitmqctl are not installed (CI installs the rabbitmq-server package)")
    if os.geteuid() != 0:
        pytest.skip("Debian's rabbitmq-server wrapper runs only as root or the rabbitmq user")
    workdir = Path(tempfile.mkdtemp(prefix="runbook-rabbitmq-"))
    (workdir / "enabled_plugins").write_text("[].\n")
    shutil.chown(workdir, "rabbitmq")
    shutil.chown(workdir / "enabled_plugins", "rabbitmq")
    node = f"runbook-test-{os.getpid()}@localhost"
    env = {**os.environ, "RABBITMQ_NODENAME": node, "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
           "RABBITMQ_NODE_PORT": str(free_port()), "RABBITMQ_DIST_PORT": str(free_port()),
           "RABBITMQ_MNESIA_BASE": str(workdir / "mnesia"), "RABBITMQ_LOG_BASE": str(workdir / "log"),
           "RABBITMQ_ENABLED_PLUGINS_FILE": str(workdir / "enabled_plugins"),
           "RABBITMQ_PID_FILE": str(workdir / "rabbitmq.pid"), "ERL_EPMD_ADDRESS": "127.0.0.1"}
    epmd_before = subprocess.run(["pgrep", "-x", "epmd"], capture_output=True).returncode == 0
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # await_startup waits for a booting node, but fails at once while the node is not registered with
        # the Erlang port mapper yet: ask again until it answers, the server exits, or two minutes pass.
        deadline = time.monotonic() + 120
        while True:
            started = subprocess.run([ctl, "await_startup", "--timeout", "60"], env=env, capture_output=True,
                                     text=True, timeout=90)
            if started.returncode == 0:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"rabbitmq-server did not start: {started.stdout}{started.stderr}")
            time.sleep(1)
        yield {"node": node, "env": env, "ctl": ctl}
    finally:
        subprocess.run([ctl, "stop"], env=env, capture_output=True, timeout=120)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if not epmd_before:  # the Erlang port mapper the node started; it exits only when asked
            subprocess.run(["epmd", "-kill"], capture_output=True, timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def shipped_site_in_browser(tmp_path_factory):
    """The shipped runbooks' site, built once for the browser tests that only read it, served on loopback,
    and a headless Chromium context (clipboard allowed): (base URL, context)."""
    from site_browser import build_site, chromium, serve

    site = tmp_path_factory.mktemp("shipped") / "site"
    build_site(REPO, site)
    with serve(site) as base, chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      permissions=["clipboard-read", "clipboard-write"])
        yield base, context
        context.close()

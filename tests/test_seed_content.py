"""The seed's incident-response runbook lives, complete and faithful, in `runbooks/`.

The seed (`shared/seed/000_3eae7c220493b77f.txt`, beside the repository) is read with markdown-it-py; every shell
command of its ```bash blocks must be in some runbook step's `run`, every severity level, template, escalation
contact and KPI in a catalog. Commands are compared as token sequences after normalising: a seed `<placeholder>`
matches a declared variable (`"$POD"`), a seed literal matches a variable whose default or example it is
(`production` -> `$NAMESPACE`), a literal credential may have become a secret variable, quoting may differ, and a
few options a careful SRE adds (`curl -fsS --max-time 30`, `-n "$NAMESPACE"`, `psql -p "$DB_PORT"`) are allowed.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from markdown_it import MarkdownIt

REPO = Path(__file__).resolve().parents[1]
RUNBOOKS = REPO / "runbooks"
SCHEMAS = REPO / "schemas"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_3eae7c220493b77f.txt"

KIND_SCHEMAS = {
    "runbook": "runbook.schema.json",
    "severity-levels": "severity-levels.schema.json",
    "escalation-policy": "escalation-policy.schema.json",
    "templates": "templates.schema.json",
    "reference": "reference.schema.json",
}

VAR_RE = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)\}?")
SEED_PLACEHOLDER_RE = re.compile(r"<([a-z][a-z0-9-]*)>")
MARKER_RE = re.compile(r"<([A-Z][A-Z0-9_]*)>")

# Which variables a seed placeholder may have become ("secret" means: any secret variable).
PLACEHOLDER_VARIABLES = {
    "pod-name": {"POD"},
    "host": {"DB_HOST", "REDIS_HOST"},
    "port": {"REDIS_PORT", "DB_PORT"},
    "user": {"DB_USER"},
    "database": {"DB_NAME"},
    "service-name": {"SERVICE"},
    "backup-file": {"BACKUP_FILE"},
    "page-id": {"STATUSPAGE_PAGE_ID"},
    "token": "secret",
}

SLACK_COMMAND_RE = re.compile(r"^/(create|invite)\b")
SQL_RE = re.compile(r"^(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)

SEED_MISSING = f"the seed is not beside the repository (CI has it): {SEED} does not exist"


def seed_text() -> str:
    """The seed's text; tests that need it skip when it is missing (a fresh clone without ../shared)."""
    if not SEED.is_file():
        pytest.skip(SEED_MISSING)
    return SEED.read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------------------
# Loading


@dataclass(frozen=True)
class Doc:
    path: Path
    text: str
    data: dict


def _load_docs() -> list[Doc]:
    docs = []
    for path in sorted(RUNBOOKS.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=yaml.CSafeLoader)
        if data.get("kind") != "runbook-test":  # scenario files test the content (tests/test_rehearse.py)
            docs.append(Doc(path, text, data))
    return docs


DOCS = _load_docs()
RUNBOOK_DOCS = [d for d in DOCS if d.data.get("kind") == "runbook"]


def _doc_id(doc: Doc) -> str:
    return str(doc.path.relative_to(RUNBOOKS))


def _one(kind: str) -> dict:
    found = [d.data for d in DOCS if d.data.get("kind") == kind]
    assert len(found) == 1, f"expected one {kind} document, found {len(found)}"
    return found[0]


def _steps(runbook: dict) -> list[dict]:
    if "phases" in runbook:
        return [step for phase in runbook["phases"] for step in phase["steps"]]
    return list(runbook["steps"])


def _steps_with_calls(runbook: dict, depth: int = 0) -> list[dict]:
    """A runbook's steps with, in place of a `uses` step, the steps it calls (RUNBOOK or RUNBOOK#STEP)."""
    out = []
    for step in _steps(runbook):
        if "uses" not in step or depth > 5:
            out.append(step)
            continue
        callee_id, _, step_id = step["uses"].partition("#")
        callee = next(d.data for d in RUNBOOK_DOCS if d.data["id"] == callee_id)
        called = _steps_with_calls(callee, depth + 1)
        out.extend(s for s in called if not step_id or s["id"] == step_id)
    return out


def _all_steps() -> list[tuple[dict, dict]]:
    return [(d.data, step) for d in RUNBOOK_DOCS for step in _steps(d.data)]


# --------------------------------------------------------------------------------------------------------------
# Shell text -> logical lines -> segments -> tokens


def logical_lines(script: str) -> list[str]:
    """Lines of a shell script with backslash continuations joined, comment and blank lines dropped, and lines
    inside an open quote (a multi-line JSON body) kept together."""
    lines: list[str] = []
    buf = ""
    for raw in script.splitlines():
        if not buf:
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                continue
            buf = stripped
        else:
            buf += raw
        if buf.endswith("\\"):
            buf = buf[:-1].rstrip() + " "
            continue
        try:
            shlex.split(buf)
        except ValueError:  # an unclosed quote: the command goes on
            buf += "\n"
            continue
        lines.append(buf.strip())
        buf = ""
    assert not buf, f"unterminated command: {buf!r}"
    return lines


def shell_segments(line: str) -> list[list[str]]:
    """The simple commands of one logical line (split at `|`, `||`, `&&`, `;`), each as a list of words."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = ""
    segments: list[list[str]] = [[]]
    for word in lexer:
        if word and set(word) <= set(";&|"):
            segments.append([])
        else:
            segments[-1].append(word)
    return [s for s in segments if s]


def render(command: str, variables: dict) -> str:
    """Replace each `$VAR` by its default, or by a `<VAR>` marker when it has none."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        spec = variables.get(name) or {}
        return spec["default"] if "default" in spec else f"<{name}>"

    return VAR_RE.sub(value, command)


# --------------------------------------------------------------------------------------------------------------
# Matching a seed command against a runbook command


def _seed_regex(seed_token: str) -> re.Pattern:
    parts, last, index = [], 0, 0
    for match in SEED_PLACEHOLDER_RE.finditer(seed_token):
        parts.append(re.escape(seed_token[last : match.start()]))
        parts.append(f"(?P<p{index}_{match.group(1).replace('-', '_')}>.+)")
        last, index = match.end(), index + 1
    parts.append(re.escape(seed_token[last:]))
    return re.compile("".join(parts), re.DOTALL)


def _placeholder_ok(placeholder: str, value: str, variables: dict) -> bool:
    allowed = PLACEHOLDER_VARIABLES.get(placeholder)
    if allowed is None:
        return False
    if allowed == "secret":
        allowed = {name for name, spec in variables.items() if spec.get("secret")}
    marker = MARKER_RE.fullmatch(value)
    if marker:
        return marker.group(1) in allowed
    # A variable with a default was rendered to its default (for example SERVICE -> payment-service).
    return any(variables.get(name, {}).get("default") == value for name in allowed)


def _candidates(rb_token: str, variables: dict) -> list[str]:
    """The runbook token with each `<VAR>` marker left as is or replaced by the variable's example."""
    markers = MARKER_RE.findall(rb_token)
    options = []
    for name in markers:
        example = (variables.get(name) or {}).get("example")
        options.append([f"<{name}>"] + ([example] if example is not None else []))
    out = []
    for combo in itertools.product(*options):
        text = rb_token
        for name, chosen in zip(markers, combo):
            text = text.replace(f"<{name}>", chosen, 1)
        out.append(text)
    return out


def _json_equal(seed_value, rb_value, variables: dict) -> bool:
    if isinstance(seed_value, dict):
        return (
            isinstance(rb_value, dict)
            and seed_value.keys() == rb_value.keys()
            and all(_json_equal(seed_value[k], rb_value[k], variables) for k in seed_value)
        )
    if isinstance(seed_value, list):
        return (
            isinstance(rb_value, list)
            and len(seed_value) == len(rb_value)
            and all(_json_equal(a, b, variables) for a, b in zip(seed_value, rb_value))
        )
    if isinstance(seed_value, str) and isinstance(rb_value, str):
        return token_matches(seed_value, rb_value, variables)
    return seed_value == rb_value


def _as_json(text: str):
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def token_matches(seed_token: str, rb_token: str, variables: dict) -> bool:
    seed_json = _as_json(seed_token)
    if seed_json is not None:
        rb_json = _as_json(rb_token)
        return rb_json is not None and _json_equal(seed_json, rb_json, variables)
    marker = MARKER_RE.fullmatch(rb_token)
    if marker and (variables.get(marker.group(1)) or {}).get("secret") and not SEED_PLACEHOLDER_RE.search(seed_token):
        return True  # a literal credential of the seed became a secret variable
    regex = _seed_regex(seed_token)
    for candidate in _candidates(rb_token, variables):
        match = regex.fullmatch(candidate)
        if match and all(
            _placeholder_ok(name.split("_", 1)[1].replace("_", "-"), value, variables)
            for name, value in match.groupdict().items()
        ):
            return True
    return False


# Options a runbook may add to a seed command without changing its meaning: (program, regexes of the words).
ALLOWED_EXTRAS = {
    "curl": [
        (r"-[fsSL]+",),
        (r"--(fail|silent|show-error|location)",),
        (r"--max-time|--connect-timeout|-m", r"[0-9]+"),
        (r"-H", r"Content-Type: application/json"),
    ],
    "psql": [(r"-p", r"[0-9]+|<DB_PORT>")],
    # Restoring over a live database: drop each object first (else errors and duplicate rows), all or nothing.
    "pg_restore": [(r"-p", r"[0-9]+|<DB_PORT>"), (r"--clean",), (r"--if-exists",), (r"--single-transaction",)],
    "kubectl": [(r"-n|--namespace", r"production")],
}


# `@<(printf 'FORMAT' "ARG"...)`: curl reads a header (`-H @file`) or a body (`-d @file`) from a file, here a
# process substitution, so that a secret stays out of curl's argv (visible in `ps`). It stands for the word FORMAT
# with each `%s` replaced by its argument in order; nothing else is accepted (no other `%` conversion, no escape but
# a final `\n`, exactly one double-quoted argument per `%s`), so the rewrite proves the same header or body is sent.
PRINTF_FILE_RE = re.compile(r"""@<\(printf '([^']*)'((?:\s+"[^"$`\\]*")*)\s*\)""")


def unwrap_printf_files(line: str) -> str:
    def word(match: re.Match) -> str:
        fmt, args = match.group(1), re.findall(r'"([^"]*)"', match.group(2))
        if fmt.endswith("\\n"):
            fmt = fmt[: -len("\\n")]
        if "\\" in fmt or fmt.replace("%s", "").count("%") or fmt.count("%s") != len(args):
            return match.group(0)  # not a plain substitution: left as is, so it matches no seed word
        pieces = fmt.split("%s")
        text = pieces[0] + "".join(arg + piece for arg, piece in zip(args, pieces[1:]))
        return shlex.quote(text)

    return PRINTF_FILE_RE.sub(word, line)


def _extra_lengths(program: str, rb: list[str], j: int) -> list[int]:
    lengths = []
    for pattern in ALLOWED_EXTRAS.get(program, []):
        words = rb[j : j + len(pattern)]
        if len(words) == len(pattern) and all(re.fullmatch(p, w) for p, w in zip(pattern, words)):
            lengths.append(len(pattern))
    return lengths


def command_matches(seed: list[str], rb: list[str], variables: dict) -> bool:
    """Whether the runbook words are the seed words in order, plus allowed extra options only."""
    program = seed[0]

    def walk(i: int, j: int) -> bool:
        if i == len(seed) and j == len(rb):
            return True
        if j == len(rb):
            return False
        if i < len(seed) and token_matches(seed[i], rb[j], variables) and walk(i + 1, j + 1):
            return True
        return any(walk(i, j + n) for n in _extra_lengths(program, rb, j))

    return walk(0, 0)


# --------------------------------------------------------------------------------------------------------------
# The seed


@dataclass(frozen=True)
class SeedCommand:
    text: str  # as written in the seed (continuations joined)
    words: tuple[str, ...]  # what a runbook step must run


def seed_fences(info: str) -> list[str]:
    tokens = MarkdownIt().parse(seed_text())
    return [t.content for t in tokens if t.type == "fence" and t.info.strip() == info]


@functools.cache
def seed_commands() -> tuple[list[SeedCommand], list[str]]:
    """(shell commands, Slack slash commands) of the seed's bash blocks."""
    shell, slack = [], []
    for block in seed_fences("bash"):
        for line in logical_lines(block):
            if SLACK_COMMAND_RE.match(line):
                slack.append(line)
            elif SQL_RE.match(line):
                # A bare SQL line of the seed is run through psql against the database.
                words = ("psql", "-h", "<host>", "-U", "<user>", "-d", "<database>", "-c", line)
                shell.append(SeedCommand(line, words))
            else:
                shell.append(SeedCommand(line, tuple(shlex.split(line))))
    return shell, slack


def pytest_generate_tests(metafunc):
    """One test per seed command; read at collection only when the seed is there, one skipped case otherwise."""
    for name, index in (("seed_command", 0), ("slack_line", 1)):
        if name in metafunc.fixturenames:
            if SEED.is_file():
                values = seed_commands()[index]
                ids = [str(v.text if index == 0 else v)[:70] for v in values]
                metafunc.parametrize(name, values, ids=ids)
            else:
                metafunc.parametrize(name, [pytest.param(None, marks=pytest.mark.skip(reason=SEED_MISSING))],
                                     ids=["seed-missing"])


def find_command(seed: SeedCommand, docs: list[Doc]) -> list[str]:
    """Where (runbook id and step id) a seed command is run."""
    where = []
    for doc in docs:
        variables = doc.data.get("variables", {})
        for step in _steps(doc.data):
            if "run" not in step:
                continue
            for line in logical_lines(render(step["run"], variables)):
                line = unwrap_printf_files(line)
                if any(command_matches(list(seed.words), seg, variables) for seg in shell_segments(line)):
                    where.append(f"{doc.data['id']}#{step['id']}")
    return where


# --------------------------------------------------------------------------------------------------------------
# Tests: the seed's commands


def test_seed_has_the_expected_commands():
    SEED_SHELL, SEED_SLACK = seed_commands()
    assert len(SEED_SHELL) == 39, [c.text for c in SEED_SHELL]
    assert SEED_SLACK == ["/create #incident-2024-001", "/invite @oncall-engineer @team-lead @product-manager"]
    texts = [c.text for c in SEED_SHELL]
    assert "kubectl get pods -n production" in texts
    assert "SELECT * FROM pg_locks WHERE NOT granted;" in texts
    assert "npm run test:e2e:critical" in texts
    statuspage = [c for c in SEED_SHELL if "statuspage" in c.text]
    assert len(statuspage) == 1 and statuspage[0].words[-2] == "-d" and json.loads(statuspage[0].words[-1])


def test_every_seed_command_is_in_a_runbook_step(seed_command):
    assert find_command(seed_command, RUNBOOK_DOCS), f"no runbook step runs the seed's command: {seed_command.text}"


def test_slack_slash_commands_are_manual_steps(slack_line):
    line = slack_line
    texts = []
    for _, step in _all_steps():
        texts += step.get("checklist", []) + [step.get("description", "")]
        assert line not in step.get("run", ""), "a Slack slash command is not a shell command"
    assert any(line in text for text in texts), f"{line} is not in any step's checklist or description"


def test_matcher_finds_a_missing_step():
    """Deleting the step that runs a seed command makes that command missing (the test is not vacuous)."""
    flush = next(c for c in seed_commands()[0] if "FLUSHALL" in c.text)
    assert find_command(flush, RUNBOOK_DOCS)
    pruned = []
    for doc in RUNBOOK_DOCS:
        data = json.loads(json.dumps(doc.data))
        for container in data.get("phases", [data]):
            container["steps"] = [s for s in container["steps"] if "FLUSHALL" not in s.get("run", "")]
        pruned.append(Doc(doc.path, doc.text, data))
    assert find_command(flush, pruned) == []


@pytest.mark.parametrize(
    ("seed", "runbook", "variables", "expected"),
    [
        ("kubectl get pods -n production", 'kubectl get pods -n "$NAMESPACE"', {"NAMESPACE": {"default": "production"}}, True),
        ("kubectl get pods -n production", 'kubectl get pods -n "$NAMESPACE"', {"NAMESPACE": {"default": "staging"}}, False),
        ("kubectl get pods -n production", 'kubectl get pods -n "$NAMESPACE"', {"NAMESPACE": {}}, False),
        ("kubectl get pods -n production", 'kubectl get pods -A -n "$NAMESPACE"', {"NAMESPACE": {"default": "production"}}, False),
        ("redis-cli -h <host> -p <port> ping", 'redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping', {}, True),
        ("redis-cli -h <host> -p <port> ping", 'redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" info', {}, False),
        ("redis-cli -h <host> -p <port> ping", 'redis-cli -h "$POD" -p "$REDIS_PORT" ping', {}, False),
        ("redis-cli -h <host> -p <port> ping", "redis-cli -h localhost -p 6379 ping", {}, False),
        ("kubectl logs <pod-name> -n production --tail=100", 'kubectl logs "$POD" -n production', {}, False),
        ("curl http://x/health", 'curl -fsS --max-time 30 "$URL/health"', {"URL": {"default": "http://x"}}, True),
        ("curl http://x/health", 'curl -k "$URL/health"', {"URL": {"default": "http://x"}}, False),
        ("kubectl top nodes", "kubectl top nodes | sort", {}, True),
        pytest.param('curl -H "Authorization: Bearer <token>" http://x/cart',
                     '''curl -H @<(printf 'Authorization: Bearer %s\\n' "$T") "$URL/cart"''',
                     {"T": {"secret": True}, "URL": {"default": "http://x"}}, True, id="header-from-printf"),
        pytest.param('curl -H "Authorization: Bearer <token>" http://x/cart',
                     '''curl -H @<(printf 'Authorization: Basic %s\\n' "$T") "$URL/cart"''',
                     {"T": {"secret": True}, "URL": {"default": "http://x"}}, False, id="printf-other-header"),
        pytest.param('curl -H "Authorization: Bearer <token>" http://x/cart',
                     '''curl -H @<(printf 'Authorization: Bearer %s\\n' "$T") "$URL/cart"''',
                     {"T": {}, "URL": {"default": "http://x"}}, False, id="printf-not-a-secret"),
        pytest.param('curl -H "Authorization: Bearer <token>" http://x/cart',
                     '''curl -H @<(printf 'Authorization: Bearer %s %s\\n' "$T") "$URL/cart"''',
                     {"T": {"secret": True}, "URL": {"default": "http://x"}}, False, id="printf-arity"),
        pytest.param('curl -H "Authorization: Bearer <token>" http://x/cart',
                     '''curl -H @<(printf 'Authorization: Bearer %d\\n' "$T") "$URL/cart"''',
                     {"T": {"secret": True}, "URL": {"default": "http://x"}}, False, id="printf-other-conversion"),
        pytest.param('curl -H "Authorization: Bearer <token>" http://x/cart',
                     '''curl -H @<(cat token.txt) "$URL/cart"''',
                     {"URL": {"default": "http://x"}}, False, id="other-process-substitution"),
        pytest.param("""curl -X POST http://x/login -d '{"email":"a@b","password":"test"}'""",
                     """curl -X POST "$URL/login" -d @<(printf '{"email":"%s","password":"%s"}' "$E" "$P")""",
                     {"E": {"default": "a@b"}, "P": {"secret": True}, "URL": {"default": "http://x"}}, True,
                     id="body-from-printf"),
        pytest.param("""curl -X POST http://x/login -d '{"email":"a@b","password":"test"}'""",
                     """curl -X POST "$URL/login" -d @<(printf '{"email":"%s","password":"%s"}' "$P" "$E")""",
                     {"E": {"default": "a@b"}, "P": {"secret": True}, "URL": {"default": "http://x"}}, False,
                     id="body-from-printf-swapped"),
        ("kubectl top nodes", "echo kubectl top nodes", {}, False),
    ],
)
def test_matcher(seed, runbook, variables, expected):
    words = shlex.split(seed)
    rendered = render(runbook, variables)
    found = any(command_matches(words, seg, variables) for line in logical_lines(rendered)
                for seg in shell_segments(unwrap_printf_files(line)))
    assert found is expected


def test_literal_credentials_became_variables():
    login = next(c for c in seed_commands()[0] if "/login" in c.text)
    where = find_command(login, RUNBOOK_DOCS)
    assert where == ["auth-service#check-login"]
    auth = next(d.data for d in RUNBOOK_DOCS if d.data["id"] == "auth-service")
    assert auth["variables"]["TEST_USER_PASSWORD"].get("secret") is True
    assert auth["variables"]["TEST_USER_EMAIL"]["default"] == "test@example.com"
    for doc in DOCS:
        assert '"password":"test"' not in doc.text


# --------------------------------------------------------------------------------------------------------------
# Tests: catalogs


def test_severity_levels():
    catalog = _one("severity-levels")
    levels = {level["id"]: level for level in catalog["levels"]}
    assert list(levels) == ["sev1", "sev2", "sev3", "sev4"]
    assert {k: v["response_time"] for k, v in levels.items()} == {
        "sev1": "15m",
        "sev2": "30m",
        "sev3": "2h",
        "sev4": "next-business-day",
    }
    assert levels["sev1"]["definition"] == "Complete service outage or data loss"
    assert "Payment processing completely down" in levels["sev1"]["examples"]
    assert levels["sev1"]["escalation"] == "Immediate to on-call engineer and management"
    assert levels["sev4"]["escalation"] == "Standard ticket queue"
    assert sum(len(level["examples"]) for level in levels.values()) == 13


def test_escalation_policy():
    policy = _one("escalation-policy")
    tiers = {tier["id"]: tier for tier in policy["on_call"]}
    assert tiers["primary"]["role"] == "First responder"
    assert tiers["primary"]["escalate_after"] == {"sev1": "30m", "sev2": "60m"}
    assert tiers["secondary"]["role"] == "Backup support"
    assert tiers["secondary"]["respond_within"] == "15m"
    management = {(m["role"], m["severity"], m["after"]) for m in policy["management"]}
    assert management == {
        ("Engineering Manager", "sev1", "immediately"),
        ("VP Engineering", "sev1", "2h"),
        ("CTO", "sev1", "4h"),
    }
    external = {e["name"]: e for e in policy["external"]}
    assert set(external) == {"AWS Support", "Stripe", "SendGrid", "Twilio"}
    assert external["AWS Support"]["category"] == "cloud-provider"
    assert external["Stripe"]["when"] == "For payment processing issues"
    assert external["SendGrid"]["when"] == "For email delivery issues"
    assert external["Twilio"]["when"] == "For SMS delivery issues"


TEMPLATE_HEADS = {
    "incident-alert": "🚨 INCIDENT ALERT - SEV {{SEVERITY}}",
    "status-update": "📊 INCIDENT UPDATE - SEV {{SEVERITY}} - {{TIMESTAMP}}",
    "customer-communication": "We are currently experiencing issues with {{SERVICE_OR_FEATURE}}.",
    "incident-resolved": "🎉 INCIDENT RESOLVED - SEV {{SEVERITY}}",
    "status-page-update": "{",
    "post-mortem": "# Post-Mortem: {{INCIDENT_TITLE}}",
}


def test_templates():
    templates = {t["id"]: t for t in _one("templates")["templates"]}
    assert set(templates) == set(TEMPLATE_HEADS)
    for template_id, head in TEMPLATE_HEADS.items():
        template = templates[template_id]
        assert template["body"].splitlines()[0] == head
        used = set(re.findall(r"\{\{([A-Z][A-Z0-9_]*)\}\}", template["body"]))
        assert used == set(template.get("placeholders", {})), template_id
        assert not re.search(r"\[[^\]\n]+\]", template["body"]), f"{template_id}: a [placeholder] is left"
        assert not re.search(r"\{\{(?![A-Z][A-Z0-9_]*\}\})", template["body"]), f"{template_id}: malformed placeholder"
    assert templates["post-mortem"]["format"] == "markdown"
    assert json.loads(re.sub(r"\{\{[A-Z_]+\}\}", "x", templates["status-page-update"]["body"]))["incident"]
    for name in ("Timeline", "Root Cause", "Contributing Factors", "What Went Well", "What Could Be Improved",
                 "Action Items", "Lessons Learned"):
        assert f"## {name}\n" in templates["post-mortem"]["body"]


def test_seed_template_lines_are_kept():
    """Each template is the seed's, line for line: only the `[...]` placeholders became `{{NAME}}` and the
    double-encoded emoji were repaired."""
    templates = {t["id"]: t["body"] for t in _one("templates")["templates"]}
    blocks = seed_fences("") + seed_fences("markdown")
    assert len(blocks) == 5

    def neutral(text: str, placeholder: str) -> list[str]:
        return [re.sub(placeholder, "{}", line).rstrip() for line in text.splitlines()]

    for block, template_id in zip(blocks, ["incident-alert", "status-update", "customer-communication",
                                           "incident-resolved", "post-mortem"]):
        repaired = block.encode("cp1252").decode("utf-8")  # the seed's UTF-8 was read as cp1252 once
        assert neutral(templates[template_id], r"\{\{[A-Z0-9_]+\}\}") == neutral(repaired, r"\[[^\]]+\]"), template_id


def test_no_double_encoded_text():
    for doc in DOCS:
        assert not re.search("[ÃÂð][\u0080-\u00ff]", doc.text), f"{_doc_id(doc)}: double-encoded UTF-8"


REFERENCE_ITEMS = {
    "tools-and-resources": {
        "PagerDuty": None, "Slack": None, "Jira": None, "Confluence": None,
        "Grafana": None, "Kibana": None, "Jaeger": None, "DataDog": None,
        "VPN": None, "AWS Console": None, "Kubernetes": None, "Database": None,
    },
    "training-and-preparedness": {
        "Incident response simulation": "Monthly",
        "Disaster recovery test": "Quarterly",
        "Full system recovery test": "Annually",
        "New team members": "Within 30 days",
        "All engineers": "Annually",
        "On-call engineers": None,
        "Runbook review": "Monthly",
        "Post-incident update": "After each incident",
        "Full documentation review": "Quarterly",
    },
    "metrics-and-kpis": {
        "MTTA (Mean Time to Acknowledge)": "< 5 minutes",
        "MTTI (Mean Time to Investigate)": "< 15 minutes",
        "MTTR (Mean Time to Resolve)": "< 2 hours for Sev 1",
        "False Positive Rate": "< 10%",
        "Escalation Rate": "< 20%",
        "Customer Satisfaction": "> 90%",
        "Uptime": "> 99.9% for core services",
        "Error Rate": "< 0.1% for critical paths",
        "Response Time": "< 200ms for 95th percentile",
    },
}


@pytest.mark.parametrize("doc_id", sorted(REFERENCE_ITEMS))
def test_reference_catalogs(doc_id):
    doc = next(d.data for d in DOCS if d.data["id"] == doc_id)
    assert doc["kind"] == "reference"
    items = {item["name"]: item for section in doc["sections"] for item in section["items"]}
    assert set(items) == set(REFERENCE_ITEMS[doc_id])
    for name, target in REFERENCE_ITEMS[doc_id].items():
        if target is not None:
            assert items[name].get("target") == target, name


def test_kpi_targets_match_the_seed():
    seed = seed_text()
    for name, target in REFERENCE_ITEMS["metrics-and-kpis"].items():
        assert f"**{name}**: {target.replace(' ', '', 1)}" in seed, name


# --------------------------------------------------------------------------------------------------------------
# Tests: the incident process and the service runbooks


def _runbook(runbook_id: str) -> dict:
    return next(d.data for d in RUNBOOK_DOCS if d.data["id"] == runbook_id)


def test_incident_process_phases():
    process = _runbook("incident-response")
    assert [p["id"] for p in process["phases"]] == [
        "detection-and-alerting", "initial-response", "investigation", "mitigation", "communication",
        "resolution-and-recovery", "post-incident",
    ]
    steps = {s["id"]: s for s in _steps(process)}
    assert [s["id"] for s in process["phases"][1]["steps"]] == [
        "acknowledge-alert", "assess-severity", "create-incident", "notify-team", "begin-investigation",
    ]
    assert steps["notify-team"]["template"] == "incident-alert"
    assert steps["post-status-update"]["template"] == "status-update"
    assert steps["customer-communication"]["template"] == "customer-communication"
    assert steps["incident-closure"]["template"] == "incident-resolved"
    assert steps["post-mortem-document"]["template"] == "post-mortem"
    assert len(steps["investigation-checklist"]["checklist"]) == 6
    assert len(steps["verification-checklist"]["checklist"]) == 6
    assert steps["manual-verification"]["checklist"] == [
        "User registration and login", "Product search and purchase", "Ride booking flow", "Hotel booking flow",
        "Payment processing",
    ]
    assert len(steps["data-collection"]["checklist"]) == 5
    agenda = [s["title"] for s in process["phases"][-1]["steps"] if "meeting" in s["title"]]
    assert [re.search(r"\((\d+) minutes\)", t).group(1) for t in agenda] == ["15", "20", "15", "10"]
    assert process["variables"]["STATUSPAGE_TOKEN"]["secret"] is True


@pytest.mark.parametrize("service", ["auth-service", "payment-service", "ecommerce-service"])
def test_service_runbooks_are_complete(service):
    runbook = _runbook(service)
    assert runbook["service"] == service and runbook["primary"] is True
    assert runbook["variables"]["SERVICE"]["default"] == service
    url = {"auth-service": "AUTH_URL", "payment-service": "PAYMENT_URL", "ecommerce-service": "ECOMMERCE_URL"}
    assert runbook["variables"][url[service]]["default"] == f"http://{service}"
    # The service runbooks call the restart, the rollback and the workload diagnostics (`uses`): their commands count.
    runs = " ".join(s.get("run", "") for s in _steps_with_calls(runbook))
    assert any("uses" in s for s in _steps(runbook)), f"{service} repeats procedures other runbooks hold"
    for needed in ("rollout restart", "kubectl scale", "kubectl patch service", "kubectl apply -f", "rollout undo"):
        assert needed in runs, f"{service} lacks {needed}"
    tokens = [n for n, v in runbook["variables"].items() if n.endswith("_TOKEN")]
    assert tokens and all(runbook["variables"][n].get("secret") for n in tokens)


# --------------------------------------------------------------------------------------------------------------
# Tests: format rules


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_document_is_valid(doc):
    kind = doc.data["kind"]
    schema_file = KIND_SCHEMAS[kind]
    relative = os.path.relpath(SCHEMAS / schema_file, doc.path.parent)
    assert doc.text.splitlines()[0] == f"# yaml-language-server: $schema={relative}"
    assert doc.data["id"] == doc.path.stem
    schema = json.loads((SCHEMAS / schema_file).read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc.data)]
    assert errors == []


def test_ids_are_unique():
    ids = [d.data["id"] for d in DOCS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("doc", RUNBOOK_DOCS, ids=_doc_id)
def test_runbook_metadata_and_references(doc):
    data = doc.data
    ids = {d.data["id"] for d in RUNBOOK_DOCS}
    severities = {level["id"] for level in _one("severity-levels")["levels"]}
    templates = {t["id"] for t in _one("templates")["templates"]}
    for key in ("owner", "severity", "escalation", "tags", "alerts", "related", "last_reviewed", "summary"):
        assert data.get(key), f"missing {key}"
    assert data["severity"] in severities
    assert data["escalation"] == _one("escalation-policy")["id"]
    assert set(data["related"]) <= ids - {data["id"]}
    steps = _steps(data)
    assert len({s["id"] for s in steps}) == len(steps), "duplicate step id"
    for step in steps:
        if "template" in step:
            assert step["template"] in templates


@pytest.mark.parametrize("doc", RUNBOOK_DOCS, ids=_doc_id)
def test_variables_are_declared_and_used(doc):
    declared = doc.data.get("variables", {})
    available = set(declared)
    used = set()
    for step in _steps(doc.data):
        for field in ("run", "rollback"):
            names = set(VAR_RE.findall(step.get(field, "")))
            assert names <= available, f"{step['id']}.{field} uses undeclared {sorted(names - available)}"
            assert not re.search(r"\$[a-z_]", step.get(field, "")), f"{step['id']}.{field}: lower-case variable"
            used |= names
        if "capture" in step:
            available.add(step["capture"])
        for value in step.get("with", {}).values():  # passed on to a called runbook (`uses`)
            names = set(VAR_RE.findall(value))
            assert names <= available, f"{step['id']}.with passes undeclared {sorted(names - available)}"
            used |= names
    assert set(declared) <= used, f"declared but unused: {sorted(set(declared) - used)}"
    for name, spec in declared.items():
        if re.search(r"TOKEN|PASSWORD|SECRET", name):
            assert spec.get("secret") is True, name


@pytest.mark.parametrize("doc", RUNBOOK_DOCS, ids=_doc_id)
def test_commands_are_valid_bash_and_quote_variables(doc):
    for step in _steps(doc.data):
        for field in ("run", "rollback"):
            command = step.get(field)
            if command is None:
                continue
            result = subprocess.run(["bash", "-n", "-c", command], capture_output=True, text=True, check=False)
            assert result.returncode == 0, f"{step['id']}.{field}: {result.stderr}"
            assert not SEED_PLACEHOLDER_RE.search(command), f"{step['id']}.{field}: a <placeholder> is left"
            for line in command.splitlines():
                # Every $VAR outside single quotes is inside double quotes.
                outside = re.sub(r"'[^']*'", "", line)
                unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', "", outside)
                assert not VAR_RE.search(unquoted), f"{step['id']}.{field}: unquoted variable in {line!r}"


def _text_fields(data):
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("run", "rollback", "body"):
                continue
            yield from _text_fields(value)
    elif isinstance(data, list):
        for value in data:
            yield from _text_fields(value)
    elif isinstance(data, str):
        yield data


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_no_html_or_placeholders_in_text(doc):
    for text in _text_fields(doc.data):
        assert not re.search(r"<[A-Za-z/!][^>]*>", text), f"HTML or <placeholder> in {text!r}"


DESTRUCTIVE = [
    r"FLUSHALL", r"rollout\s+undo", r"pg_terminate_backend", r"\bpg_restore\b", r"db:migrate:rollback",
    r"kubectl\s+patch\s+service", r"kubectl\s+apply\s+-f", r"rollout\s+restart\s+deployment/(redis|pgbouncer)\b",
    r"--replicas=0\b",
]


def test_risk_is_marked_honestly():
    for runbook, step in _all_steps():
        run = step.get("run", "")
        where = f"{runbook['id']}#{step['id']}"
        risk = step.get("risk", "read-only")
        if any(re.search(p, run) for p in DESTRUCTIVE):
            assert risk == "destructive", where
        elif re.search(r"rollout\s+restart|kubectl\s+scale|-X\s+POST\s+\"\$PAYMENT_URL|statuspage", run):
            assert risk in ("mutating", "destructive"), where
        if risk == "destructive":
            assert len(step.get("confirm", "")) > 80, f"{where}: the confirm text must say what breaks and why"
        else:
            assert "confirm" not in step, where
    rollbacks = {
        f"{rb['id']}#{s['id']}": s.get("rollback", "")
        for rb, s in _all_steps()
        if s.get("risk") == "destructive"
    }
    assert 'kubectl delete -f "$MAINTENANCE_MANIFEST"' in rollbacks["payment-service#maintenance-mode"]
    assert "kubectl patch service" in rollbacks["payment-service#route-traffic-away"]
    assert "rollout undo" in rollbacks["application-rollback#undo-to-revision"]
    assert "db:migrate" in rollbacks["database-rollback#rollback-migration"]


def test_lint_library_agrees_with_risk():
    """Every command the project's destructive patterns flag is in a destructive step (when the module exists)."""
    from generator.shell import destructive

    for runbook, step in _all_steps():
        if "run" in step and destructive.find_destructive(step["run"]):
            assert step.get("risk") == "destructive", f"{runbook['id']}#{step['id']}"


# --------------------------------------------------------------------------------------------------------------
# Tests: the project's CLI sees the runbooks


def test_runbook_lint_is_clean(monkeypatch):
    from generator import cli
    from click.testing import CliRunner

    monkeypatch.chdir(REPO)
    # Review staleness depends on the calendar: judge it on the day of the latest review, not on today.
    today = max(d.data["last_reviewed"] for d in RUNBOOK_DOCS)
    result = CliRunner().invoke(cli.main, ["lint", "--fail-on", "info", "--format", "json", "--today", today, "runbooks"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    findings = report["findings"] if isinstance(report, dict) else report
    assert findings == []


def test_runbook_list_resolves_services(monkeypatch):
    from generator import cli
    from click.testing import CliRunner

    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(cli.main, ["list", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    rows = rows["documents"] if isinstance(rows, dict) else rows
    by_service = {row.get("service"): row for row in rows if row.get("service")}
    for service in ("payment-service", "auth-service", "ecommerce-service"):
        assert by_service[service]["id"] == service
    from generator import project
    catalog = project.load_catalog([RUNBOOKS])
    for service in ("payment-service", "auth-service", "ecommerce-service"):
        assert catalog.resolve(service).service == service


# --------------------------------------------------------------------------------------------------------------
# Tests: the Redis and PostgreSQL runbooks' commands work against real local servers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_steps(runbook: dict, env: dict, programs: tuple[str, ...]) -> list[str]:
    ran = []
    for step in _steps(runbook):
        run = step.get("run", "")
        if not run.startswith(programs):
            continue
        result = subprocess.run(["bash", "-c", run], env={**os.environ, **env}, capture_output=True, text=True,
                                timeout=step.get("timeout", 60), check=False)
        expect = step.get("expect", {})
        codes = expect.get("exit_code", 0)
        assert result.returncode in (codes if isinstance(codes, list) else [codes]), (step["id"], result.stderr)
        if "output" in expect:
            assert re.search(expect["output"], result.stdout), (step["id"], result.stdout)
        ran.append(step["id"])
    return ran


@pytest.mark.skipif(not shutil.which("redis-server") or not shutil.which("redis-cli"), reason="no redis-server")
def test_redis_cache_commands_against_a_local_server(tmp_path):
    port = _free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, check=False).returncode:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        subprocess.run(["redis-cli", "-p", str(port), "set", "session:1", "x"], capture_output=True, check=True)
        env = {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(port)}
        ran = _run_steps(_runbook("redis-cache"), env, ("redis-cli",))
        assert ran == ["ping", "info", "key-count", "flush", "verify"]
        keys = subprocess.run(["redis-cli", "-p", str(port), "dbsize"], capture_output=True, text=True, check=True)
        assert keys.stdout.strip() == "0"
        assert _run_steps(_runbook("incident-response"), env, ("redis-cli",)) == ["redis-ping", "redis-info"]
    finally:
        server.terminate()
        server.wait(timeout=10)


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.mark.skipif(not shutil.which("initdb") or not shutil.which("pg_ctl") or not shutil.which("psql"),
                    reason="no PostgreSQL server binaries")
def test_postgresql_commands_against_a_local_server():
    base = Path(tempfile.mkdtemp(prefix="seed-pg-"))
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        base.chmod(0o755)
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    ctl = shutil.which("pg_ctl")
    try:
        subprocess.run(_as_postgres([shutil.which("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]),
                       capture_output=True, check=True, timeout=120)
        subprocess.run(_as_postgres([ctl, "-D", str(data), "-l", str(base / "log"), "-w", "-o",
                                     f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1", "start"]),
                       capture_output=True, check=True, timeout=60)
        env = {"DB_HOST": "127.0.0.1", "DB_PORT": str(port), "DB_USER": "postgres", "DB_NAME": "postgres"}
        ran = _run_steps(_runbook("postgresql"), env, ("psql",))
        assert ran == ["connections", "connections-by-state", "locks", "long-running-queries",
                       "kill-long-running-queries", "verify-long-running-queries-gone"]
        assert _run_steps(_runbook("incident-response"), env, ("psql",)) == ["database-connections"]
        assert _run_steps(_runbook("database-rollback"), env, ("psql",)) == ["check-connections"]
    finally:
        subprocess.run(_as_postgres([ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True,
                       check=False, timeout=60)
        shutil.rmtree(base, ignore_errors=True)

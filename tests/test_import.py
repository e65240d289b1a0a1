"""`runbook import`: Markdown runbooks (the seed, prometheus-operator style pages, odd files) to YAML runbooks.

Every imported file is checked the way a user would: read back by the project's loader, validated by the
schema, linted by `runbook lint` (no loader or schema findings), and its commands parsed by real bash.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.importing import import_markdown
from generator.importing.writer import dump
from generator.loading import load_file, load_text
from generator.modeline import schema_reference
from generator.schema import validate

SEED = Path(__file__).resolve().parents[2] / "shared/seed/000_3eae7c220493b77f.txt"


def seed() -> Path:
    """The seed beside the repository; the test skips when it is missing (a fresh clone without ../shared)."""
    if not SEED.is_file():
        pytest.skip(f"the seed is not beside the repository (CI has it): {SEED} does not exist")
    return SEED
FIXTURES = Path(__file__).resolve().parent / "import_fixtures"
REPO = Path(__file__).resolve().parent.parent


def run(args, cwd: Path):
    import os

    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, ["import", *map(str, args)])
    finally:
        os.chdir(old)


def steps_of(data: dict) -> list[dict]:
    return data.get("steps", []) + [s for p in data.get("phases", []) for s in p["steps"]]


def imported(name: str, tmp_path: Path) -> dict:
    """Import a fixture through the CLI into tmp_path and load the written YAML with the project's loader."""
    result = run([FIXTURES / name, "-o", tmp_path], tmp_path)
    assert result.exit_code == 0, result.output
    target = tmp_path / (Path(name).stem + ".yaml")
    source = load_file(target)
    assert source.ok and validate(source) == [], source.findings
    return source.data


def assert_lint_has_no_format_errors(path: Path, cwd: Path) -> str:
    import os

    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["lint", str(path)])
    finally:
        os.chdir(old)
    codes = re.findall(r": (RB\d{3}) \[", result.output)
    assert not [c for c in codes if c < "RB200"], result.output  # loader RB0xx and schema RB1xx
    return result.output


def assert_bash_parses(command: str) -> None:
    done = subprocess.run(["bash", "-n", "-c", command], capture_output=True, text=True)
    assert done.returncode == 0, (command, done.stderr)


# ---- the seed ---------------------------------------------------------------------------------------


def seed_commands() -> list[str]:
    """Counted independently of the importer: in ```bash fences, every line that starts a command
    (flush left, not a comment); the seed indents its continuation lines."""
    commands, inside = [], False
    for line in seed().read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = line.strip() == "```bash" if not inside else False
            continue
        if inside and line.strip() and not line.startswith((" ", "#")):
            commands.append(line)
    return commands


def first_word(step: dict) -> str:
    if "run" in step:
        return step["run"].split()[0]
    if step["checklist"][0].startswith("In chat, send: "):
        return step["checklist"][0].removeprefix("In chat, send: ").split()[0]
    return step["description"].split("```sql\n")[1].split()[0]


def test_seed_every_command_of_its_bash_blocks_becomes_a_step(tmp_path):
    result = run([seed(), "-o", tmp_path / "incident-response.yaml"], tmp_path)
    assert result.exit_code == 0, result.output
    data = load_file(tmp_path / "incident-response.yaml").data
    steps = steps_of(data)
    commands = seed_commands()
    assert len(commands) == 41
    checklists = [s for s in steps if "run" not in s and "Run the SQL" not in s["checklist"][0]
                  and "In chat" not in s["checklist"][0]]
    assert [s["title"] for s in checklists] == ["Investigation Checklist", "Verification Checklist"]
    assert len(steps) == len(commands) + len(checklists)
    # the first word of every command is in a step, in the order of the seed
    firsts = [c.split()[0] for c in commands]
    step_firsts = [first_word(s) for s in steps if s not in checklists]
    assert step_firsts == firsts
    for step in steps:
        if "run" in step:
            assert_bash_parses(step["run"])
    titles = {s["title"] for s in steps}
    assert "Check service status" in titles and "Cache Issues: Clear Redis cache" in titles


def test_seed_placeholders_become_quoted_variables(tmp_path):
    data = import_markdown(seed().read_text(encoding="utf-8"), "seed.md", "incident-response").data
    runs = {s["title"]: s.get("run") for s in steps_of(data)}
    assert runs["Check service logs"] == 'kubectl logs "$POD_NAME" -n "$NAMESPACE" --tail=100'
    assert runs["Check database connections"] == \
        'psql -h "$PG_HOST" -U "$PG_USER" -d "$PG_DATABASE" -c "SELECT count(*) FROM pg_stat_activity;"'
    assert runs["Check Redis status"] == 'redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping'
    assert runs["Authentication Service: Check JWT token validation"] == \
        'curl -H "Authorization: Bearer $TOKEN" http://auth-service/verify-token'
    variables = data["variables"]
    assert variables["NAMESPACE"]["default"] == "production"
    assert variables["TOKEN"]["secret"] is True
    assert variables["POD_NAME"]["description"].startswith("Pod name")
    assert not any("<" in (s.get("run") or "") for s in steps_of(data))


def test_seed_destructive_sql_and_slack_lines(tmp_path):
    result = import_markdown(seed().read_text(encoding="utf-8"), "seed.md", "incident-response")
    steps = {s["title"]: s for s in steps_of(result.data)}
    flush = steps["Cache Issues: Clear Redis cache"]
    assert flush["risk"] == "destructive" and flush["confirm"].startswith("TODO")
    assert steps["Application Rollback: Rollback to previous version"]["risk"] == "destructive"
    # SQL written inside a bash block is never run: a manual step with the SQL in its description
    kill = steps["Database Issues: Kill long-running queries"]
    assert "run" not in kill and "pg_terminate_backend" in kill["description"] and kill["risk"] == "destructive"
    # Slack slash commands are manual steps
    invite = steps["Incident Channel Setup: Add key stakeholders"]
    assert "run" not in invite and invite["checklist"] == ["In chat, send: /invite @oncall-engineer @team-lead @product-manager"]
    codes = [f.code for f in result.findings]
    assert codes.count("RB703") == 5 and codes.count("RB704") == 4
    # the multi-line curl with its quoted JSON is one step, not six
    status = steps["Status Page Updates: Update status page"]["run"]
    assert status.count("\n") == 8 and '"$PAGE_ID"' in status and "OAuth $TOKEN" in status
    # message templates stay text
    assert all("INCIDENT ALERT" not in (s.get("run") or "") for s in steps.values())


def test_seed_output_passes_schema_and_lint_flags_only_the_todo_confirms(tmp_path):
    out = tmp_path / "runbooks"
    result = run([seed(), "-o", out], tmp_path)
    assert result.exit_code == 0, result.output
    written = out / "000-3eae7c220493b77f.yaml"
    text = written.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    report = assert_lint_has_no_format_errors(written, tmp_path)
    assert set(re.findall(r": (RB\d{3}) \[error\]", report)) == {"RB403"}, report
    # findings are printed like lint's, with the Markdown line
    assert re.search(r"000_3eae7c220493b77f\.txt:197:1: RB703 \[warning\] step 'Cache Issues: Clear Redis cache'", result.output)
    assert "4 phases, 43 steps" in result.output


# ---- prometheus-operator style pages -----------------------------------------------------------------


def test_prometheus_page_with_inline_commands_front_matter_and_task_list(tmp_path):
    data = imported("kube-pod-crash-looping.md", tmp_path)
    assert data["title"] == "Pod is crash looping"
    assert data["owner"] == "platform-team" and data["tags"] == ["kubernetes", "pods"]
    assert data["alerts"] == ["KubePodCrashLooping"]
    assert data["summary"].startswith("Pod is in CrashLoopBackOff state.")
    assert "**Impact**" in data["description"]
    assert [p["id"] for p in data["phases"]] == ["diagnosis", "mitigation"]
    diagnosis = data["phases"][0]["steps"]
    assert [(s["title"], s["run"]) for s in diagnosis[:3]] == [
        ("Check template", 'kubectl -n "$NAMESPACE" get pod "$POD"'),
        ("Check pod events", 'kubectl -n "$NAMESPACE" describe pod "$POD"'),
        ("Check pod logs", 'kubectl -n "$NAMESPACE" logs "$POD" -c "$CONTAINER"'),
    ]
    # a console block: the prompt is stripped and the output is kept as text, not run
    events = diagnosis[3]
    assert events["run"] == 'kubectl -n "$NAMESPACE" get events --field-selector involvedObject.name="$POD"'
    assert "BackOff" in events["description"] and "BackOff" not in events["run"]
    mitigation = data["phases"][1]["steps"]
    assert mitigation[0]["title"] == "Roll back to the previous working version"
    assert mitigation[0]["risk"] == "destructive" and mitigation[0]["confirm"].startswith("TODO")
    assert mitigation[1]["run"] == 'kubectl -n "$NAMESPACE" delete pod "$POD"' and mitigation[1]["risk"] == "destructive"
    assert mitigation[2]["checklist"] == ["Pods are Running and Ready", "The alert has resolved"]
    assert set(data["variables"]) == {"NAMESPACE", "POD", "CONTAINER", "DEPLOYMENT"}


def test_prometheus_page_json_and_yaml_blocks_stay_text(tmp_path):
    data = imported("target-down.md", tmp_path)
    steps = steps_of(data)
    assert [s["title"] for s in steps] == ["Which targets are down", "Is the endpoint listed", "Restart the target's pods"]
    assert "```json" in steps[1]["description"] and "```yaml" in steps[2]["description"]
    assert all("scrapeUrl\": \"http" not in s["run"] and "NetworkPolicy" not in s["run"] for s in steps)
    assert data["variables"]["NAMESPACE"]["default"] == "monitoring"
    assert steps[1]["run"] == 'kubectl get endpoints "$SERVICE_NAME" -n "$NAMESPACE"'


# ---- odd files ---------------------------------------------------------------------------------------


def test_code_blocks_in_other_languages_are_never_run(tmp_path):
    data = imported("database-checks.md", tmp_path)
    runs = [s["run"] for s in steps_of(data) if "run" in s]
    assert runs == ['psql -h "$DB_HOST" -c "SELECT count(*) FROM pg_stat_activity;"']
    text = data["description"] + "".join(s.get("description", "") for s in steps_of(data))
    for fence in ("```sql", "```yaml", "```python"):
        assert fence in text
    assert "DROP TABLE sessions" in text and 'os.system("rm -rf /")' in text
    # front matter: summary, owner, service and a date that stays a date
    assert (data["summary"], data["owner"], data["service"], data["last_reviewed"]) == \
        ("Use when queries are slow or connections pile up.", "data-team", "postgresql", "2026-01-15")


def test_file_without_headings(tmp_path):
    data = imported("restart-worker.md", tmp_path)
    assert data["title"] == "Restart worker"  # from the file name, reported
    assert data["summary"] == "Restart the worker when the queue backs up and jobs stop finishing."
    assert [s["run"] for s in data["steps"]] == ["systemctl status worker", "sudo systemctl restart worker",
                                                 'journalctl -u worker --since "-10 min"']
    assert data["steps"][1]["risk"] == "mutating"


def test_raw_html_is_kept_as_text_and_reported(tmp_path):
    result = run([FIXTURES / "disk-full.md", "-o", tmp_path], tmp_path)
    assert result.exit_code == 0
    data = load_file(tmp_path / "disk-full.yaml").data
    assert "```html\n<details>" in data["description"]
    assert "keep this comment out" not in (tmp_path / "disk-full.yaml").read_text(encoding="utf-8")
    assert "disk-full.md:3:1: RB707 [warning] HTML comment dropped" in result.output
    assert "disk-full.md:7:1: RB707 [warning] raw HTML kept" in result.output
    assert data["steps"][1]["run"] == "find /var/log -name '*.gz' -mtime +7 -delete"


def test_prose_only_file_gets_a_placeholder_step_and_findings(tmp_path):
    result = run([FIXTURES / "about-on-call.md", "-o", tmp_path], tmp_path)
    assert result.exit_code == 0
    assert "RB709 [warning]" in result.output and "RB702 [warning] no owner" in result.output
    data = load_file(tmp_path / "about-on-call.yaml").data
    assert data["owner"] == "todo-owner" and data["summary"].startswith("TODO")
    assert "**Handover**" in data["description"]


@pytest.mark.parametrize("name", ["empty.md", "blank-lines.md"])
def test_empty_file_is_not_imported(tmp_path, name):
    result = run([FIXTURES / name, "-o", tmp_path], tmp_path)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(f"{name}:1:1: RB710 [error] the file is empty; nothing to import")
    assert list(tmp_path.iterdir()) == []


def test_invalid_front_matter_is_reported_not_fatal(tmp_path):
    md = tmp_path / "broken.md"
    md.write_text("---\ntitle: [unclosed\n---\n# Broken\n\nUse it.\n\n```bash\nls\n```\n", encoding="utf-8")
    result = import_markdown(md.read_text(), "broken.md", "broken")
    assert result.data["title"] == "Broken"
    assert any(f.code == "RB711" and "not valid YAML" in f.message for f in result.findings)
    md.write_text("---\nowner: 42\nseverity: Sev 1!\n---\n# X\n\n- [ ] done\n", encoding="utf-8")
    result = import_markdown(md.read_text(), "broken.md", "broken")
    assert result.data["owner"] == "todo-owner" and result.data["severity"] == "sev-1"
    assert [f.line for f in result.findings if f.code == "RB711"] == [2]


# ---- folders, output, usage errors -------------------------------------------------------------------


def test_folder_imports_one_runbook_per_file_with_a_summary(tmp_path):
    out = tmp_path / "out"
    result = run([FIXTURES, "-o", out], tmp_path)
    assert result.exit_code == 0, result.output  # the two empty files are skipped with a warning
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*.yaml"))
    assert written == ["about-on-call.yaml", "database-checks.yaml", "disk-full.yaml", "gitlab-redis/gitlab-redis.yaml",
                       "gitlab-style.yaml", "govuk-prompts.yaml", "kube-pod-crash-looping.yaml", "kube-proxy-down.yaml",
                       "no-words.yaml", "not-shell-blocks.yaml", "placeholder-styles.yaml", "restart-worker.yaml",
                       "rotate-cert.yaml", "shell-quoting.yaml", "target-down.yaml"]
    assert "imported 15 of 15 file(s)" in result.output and "; 2 empty file(s) skipped" in result.output
    # An empty README whose id another file also wanted (RB713) is skipped all the same.
    (tmp_path / "src" / "a" / "git").mkdir(parents=True)
    (tmp_path / "src" / "a" / "git" / "README.md").write_text("\n", encoding="utf-8")
    (tmp_path / "src" / "a" / "git.md").write_text("# Git\n\n```bash\nuptime\n```\n", encoding="utf-8")
    both = run([tmp_path / "src", "-o", tmp_path / "out2"], tmp_path)
    assert both.exit_code == 0 and "imported 1 of 1 file(s), 1 steps in all; 1 empty file(s) skipped" in both.output, both.output
    assert "needs a person" in result.output and "not imported:" not in result.output
    assert re.search(r"empty\.md:1:1: RB710 \[warning\] the file is empty; nothing to import; skipped", result.output)
    for path in out.rglob("*.yaml"):
        assert_lint_has_no_format_errors(path, tmp_path)
        for step in steps_of(load_file(path).data):
            if "run" in step:
                assert_bash_parses(step["run"])


def test_existing_output_is_refused_without_force(tmp_path):
    first = run([FIXTURES / "target-down.md", "-o", tmp_path], tmp_path)
    assert first.exit_code == 0
    (tmp_path / "target-down.yaml").write_text("# mine\n", encoding="utf-8")
    again = run([FIXTURES / "target-down.md", "-o", tmp_path], tmp_path)
    assert again.exit_code == 2
    assert again.output.strip().splitlines()[-1].endswith("target-down.yaml already exists; pass --force to overwrite")
    assert (tmp_path / "target-down.yaml").read_text(encoding="utf-8") == "# mine\n"
    forced = run([FIXTURES / "target-down.md", "-o", tmp_path, "--force"], tmp_path)
    assert forced.exit_code == 0 and "kind: runbook" in (tmp_path / "target-down.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["missing.md"], "runbook: missing.md: no such file or folder"),
    (["notes.yaml"], "runbook: notes.yaml: not a Markdown file; pass a .md or .markdown file (or a folder of them)"),
    (["emptydir"], "runbook: emptydir: no Markdown files (.md, .markdown, .mdown, .mkd) in this folder"),
    (["docs", "-o", "-"], "runbook: -o - (standard output) takes one file, not a folder; pass -o FOLDER"),
], ids=["missing", "not-markdown", "no-markdown-in-folder", "stdout-for-folder"])
def test_usage_errors_are_one_line_and_exit_2(tmp_path, args, message):
    (tmp_path / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "emptydir").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n", encoding="utf-8")
    (tmp_path / "latin1.md").write_bytes("# Caf\xe9\n".encode("latin-1"))
    result = run(args, tmp_path)
    assert result.exit_code == 2
    assert result.output.strip() == message
    assert "Traceback" not in result.output


def test_a_file_that_is_not_utf8_is_read_as_windows_1252_with_a_warning(tmp_path):
    (tmp_path / "latin1.md").write_bytes("# Café\n\nUse it “now”.\n\n```bash\nuptime\n```\n".encode("cp1252"))
    result = run(["latin1.md", "-o", "-"], tmp_path)
    assert result.exit_code == 0, result.output
    assert "latin1.md:1:1: RB714 [warning] byte 0xe9 is not UTF-8: the file was read as Windows-1252" in result.stderr
    assert "title: Café" in result.stdout and "summary: Use it “now”." in result.stdout


def test_standard_output_and_default_location(tmp_path):
    result = CliRunner().invoke(main, ["import", str(FIXTURES / "restart-worker.md"), "-o", "-"])
    assert result.exit_code == 0
    assert result.stdout.startswith("# yaml-language-server: $schema=")
    assert "RB708" in result.stderr and "RB708" not in result.stdout
    source = load_text(result.stdout.split("\n", 1)[1], "stdout.yaml")
    assert validate(source) == []
    default = run([FIXTURES / "restart-worker.md"], tmp_path)
    assert default.exit_code == 0 and (tmp_path / "restart-worker.yaml").is_file()


# ---- the YAML itself ---------------------------------------------------------------------------------


def test_yaml_is_readable_block_scalars_schema_order_no_aliases_unicode(tmp_path):
    md = tmp_path / "caf.md"
    md.write_text("# Café ☕ outage\n\nUse when the café is down.\n\n## Fix\n\nIt is 🚨 urgent.\n\n"
                  "```bash\n# Restart\nkubectl rollout restart deployment/cafe -n prod && \\\n  kubectl rollout status deployment/cafe -n prod\n```\n",
                  encoding="utf-8")
    result = run([md, "-o", tmp_path / "out"], tmp_path)
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "caf.yaml").read_text(encoding="utf-8")
    assert "title: Café ☕ outage" in text and "It is 🚨 urgent." in text and "\\u" not in text
    assert "run: |-\n      kubectl rollout restart" in text or "run: |-\n    kubectl rollout restart" in text
    assert "&id" not in text and "*id" not in text
    keys = [line.split(":")[0] for line in text.splitlines() if re.match(r"^[a-z_]+:", line)]
    assert keys == ["kind", "id", "title", "summary", "owner", "variables", "steps"]
    step_keys = re.findall(r"^    (id|title|description|run|risk|confirm):", text.split("\nsteps:")[1], re.MULTILINE)
    assert step_keys[:4] == ["title", "description", "run", "risk"]


def test_shared_data_is_written_out_not_aliased(tmp_path):
    same = ["one", "two"]
    data = {"kind": "runbook", "id": "x", "title": "X", "summary": "S", "owner": "team",
            "steps": [{"id": "a", "title": "A", "checklist": same}, {"id": "b", "title": "B", "checklist": same}]}
    text = dump(data, tmp_path / "x.yaml", "x.yaml")
    assert "&" not in text and "*" not in text and text.count("- one") == 2


def test_writer_fails_loudly_on_a_schema_violation(tmp_path):
    from generator.importing.writer import InvalidImport

    with pytest.raises(InvalidImport, match="RB100"):
        dump({"kind": "runbook", "id": "Not Kebab", "title": "X", "summary": "S", "owner": "t",
              "steps": [{"id": "a", "title": "A", "run": "ls"}]}, tmp_path / "x.yaml", "x.yaml")


def test_modeline_is_relative_inside_this_checkout():
    assert schema_reference(REPO / "runbooks" / "services", REPO) == "../../schemas/runbook.schema.json"


def test_modeline_outside_a_checkout_points_at_a_copy_of_the_schema_in_the_project(tmp_path):
    import json

    from generator.schema import load_schema

    assert schema_reference(tmp_path / "runbooks" / "team", tmp_path) == "../../schemas/runbook.schema.json"
    copy = tmp_path / "schemas" / "runbook.schema.json"
    written = json.loads(copy.read_text(encoding="utf-8"))
    assert written.pop("$comment").startswith("Copied by runbook ") and written == load_schema("runbook")
    copy.write_text(copy.read_text(encoding="utf-8").replace('"Runbook"', '"Old runbook"'), encoding="utf-8")
    schema_reference(tmp_path / "runbooks", tmp_path)  # a copy the tool wrote is brought up to date
    assert json.loads(copy.read_text(encoding="utf-8"))["title"] == "Runbook"
    copy.write_text('{"title": "ours"}\n', encoding="utf-8")  # a schema of the project's own is never touched
    assert schema_reference(tmp_path / "runbooks", tmp_path) == "../schemas/runbook.schema.json"
    assert copy.read_text(encoding="utf-8") == '{"title": "ours"}\n'


def test_modeline_of_yaml_printed_to_standard_output_writes_no_file(tmp_path):
    assert schema_reference(tmp_path, tmp_path, write_copy=False) == "schemas/runbook.schema.json"
    assert not (tmp_path / "schemas").exists()


# ---- variables ---------------------------------------------------------------------------------------


def _rewritten(command: str) -> tuple[str, dict, list]:
    result = import_markdown(f"# T\n\nUse it.\n\n```bash\n{command}\n```\n", "t.md", "t")
    return steps_of(result.data)[0]["run"], result.data.get("variables", {}), result.findings


@pytest.mark.parametrize("command, expected", [
    ("echo <pod-name>", 'echo "$POD_NAME"'),
    ('echo "pod <pod-name> is down"', 'echo "pod $POD_NAME is down"'),
    ("curl -d '{\"id\": \"<order-id>\"}' http://x", "curl -d '{\"id\": \"'\"$ORDER_ID\"'\"}' http://x"),
    ("echo <name>suffix", 'echo "${NAME}"suffix'),
    ("kubectl logs $pod # not <this-one>", 'kubectl logs "$POD" # not <this-one>'),
    ("for f in a b; do echo \"$f\"; done", 'for f in a b; do echo "$f"; done'),
    ("awk '{print $name}' file", "awk '{print $name}' file"),
    ("echo $HOME ${REGION:-eu-west-1}", 'echo $HOME "${REGION:-eu-west-1}"'),
    ("cat <<EOF\nhello <name>\nEOF", "cat <<EOF\nhello $NAME\nEOF"),
    ("cat <<'EOF'\nhello <name>\nEOF", "cat <<'EOF'\nhello <name>\nEOF"),
], ids=["unquoted", "double-quoted", "single-quoted", "word-adjacent", "comment", "assigned", "awk", "env-and-default",
        "heredoc", "quoted-heredoc"])
def test_placeholders_and_variables_are_quoted_by_context(command, expected):
    run_text, variables, _ = _rewritten(command)
    assert run_text == expected
    assert_bash_parses(run_text)
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", name) for name in variables)


def test_default_from_parameter_expansion_and_several_namespaces():
    _, variables, _ = _rewritten("echo ${REGION:-eu-west-1}")
    assert variables["REGION"]["default"] == "eu-west-1"
    run_text, variables, findings = _rewritten("kubectl get pods -n prod\nkubectl get pods -n staging")
    assert "NAMESPACE" not in variables and run_text == "kubectl get pods -n prod"
    assert any(f.code == "RB701" and "prod, staging" in f.message for f in findings)


def test_an_imported_command_reads_values_from_the_environment_not_the_text(tmp_path):
    """The point of quoting: a hostile value stays one argument when the command runs in real bash."""
    run_text, variables, _ = _rewritten("printf '%s\\n' <pod-name>")
    marker = tmp_path / "pwned"
    done = subprocess.run(["bash", "-c", run_text], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "POD_NAME": f"api-1; touch {marker}"})
    assert done.stdout == f"api-1; touch {marker}\n" and not marker.exists()
    assert set(variables) == {"POD_NAME"}


def test_indented_code_block_stays_a_code_block_in_the_description():
    result = import_markdown("# T\n\nUse it.\n\n    SELECT 1;\n\n```bash\nls\n```\n", "t.md", "t")
    assert result.data["steps"][0]["description"] == "```sql\nSELECT 1;\n```"  # recognised, so highlighted as SQL


# ---- adversarial QA: pages as teams bring them ---------------------------------------------------------


def test_gitlab_readme_title_under_a_toc_and_no_text_lost_when_descending(tmp_path):
    """A GitLab service README: HTML comments and `[[_TOC_]]` above the H1, links in the H1's own text and in
    a section whose subsections hold the steps. The H1 is the title, the TOC marker is not the summary, and the
    links are in the description (they were dropped)."""
    result = run([FIXTURES / "gitlab-redis", "-o", tmp_path], tmp_path)
    assert result.exit_code == 0, result.output
    data = load_file(tmp_path / "gitlab-redis.yaml").data
    assert data["title"] == "Redis Service"
    assert "TOC" not in data["summary"] and "TOC" not in data.get("description", "")
    for text in ("Service Overview", "Redis logs", "**Troubleshooting Pointers**", "Redis Cluster"):
        assert text in data["description"], text
    assert "RB707" in result.output  # the HTML comments are reported, not dropped unseen


def test_console_block_without_language_and_sudo_inline_commands_become_steps(tmp_path):
    data = load_file(_import_to(tmp_path, FIXTURES / "gitlab-redis")).data
    runs = [s["run"] for s in steps_of(data) if "run" in s]
    assert "sudo gitlab-redis-cli info replication" in runs
    assert "sudo gitlab-ctl stop sentinel" in runs
    replication = next(s for s in steps_of(data) if s.get("run") == "sudo gitlab-redis-cli info replication")
    assert "role:slave" in replication["description"]  # the output is shown, never run


def _import_to(tmp_path: Path, source: Path) -> Path:
    result = run([source, "-o", tmp_path], tmp_path)
    assert result.exit_code == 0, result.output
    return next(tmp_path.rglob("*.yaml"))


def test_placeholders_with_spaces_become_variables_and_lint_is_clean(tmp_path):
    """`<redis host>` unquoted is a redirection in bash and `"<db user>"` a literal; both become variables.
    `<owner-team>` in prose or a checklist is hidden HTML on a page: it goes into a code span."""
    for source in (FIXTURES / "gitlab-redis", FIXTURES / "rotate-cert.md"):
        out = tmp_path / source.stem
        out.mkdir()
        path = _import_to(out, source)
        data = load_file(path).data
        for step in steps_of(data):
            if "run" in step:
                assert "<" not in step["run"].replace("</dev/null", ""), step["run"]
                assert_bash_parses(step["run"])
        output = assert_lint_has_no_format_errors(path, out)
        assert "RB502" not in output and "RB301" not in output and "RB303" not in output, output
    text = (tmp_path / "rotate-cert" / "rotate-cert.yaml").read_text(encoding="utf-8")
    assert 'psql -h "$DB_HOST" -U "$DB_USER"' in text
    assert "Tell `<owner-team>` that `<gateway-host>` was rotated" in text
    redis = (tmp_path / "gitlab-redis" / "gitlab-redis.yaml").read_text(encoding="utf-8")
    assert 'redis-cli -h "$REDIS_HOST"' in redis and "Tell `<owner-team>` in the channel" in redis


def test_headings_without_ascii_letters_give_kebab_phase_ids_and_quoted_text_stays_out_of_titles(tmp_path):
    data = load_file(_import_to(tmp_path, FIXTURES / "rotate-cert.md")).data
    assert [p["id"] for p in data["phases"]] == ["check", "phase", "phase-2"]
    assert [p["title"] for p in data["phases"]] == ["Check", "!!!", "Проверка"]
    titles = [s["title"] for s in steps_of(data)]
    assert "Run psql" in titles and "Run echo" in titles  # not `Run psql count(*) FROM certs`
    assert len({s["id"] for s in steps_of(data)}) == len(steps_of(data))
    assert data["summary"] not in data.get("description", "")  # the intro is the summary, said once


def test_unwritable_output_is_one_line_and_exit_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = run([FIXTURES / "restart-worker.md", "-o", blocker / "out.yaml"], tmp_path)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith("runbook: cannot write file/out.yaml: ")
    assert "Traceback" not in result.output
    folder = run([FIXTURES / "gitlab-redis", "-o", blocker], tmp_path)
    assert folder.exit_code == 2 and "is a file; a folder imports into a folder" in folder.output


FAILOVER = """# Payments DB failover

Fail the payments database over to the replica.

## Failover

### Check lag

```sh
psql "postgresql://$PGUSER@<primary-host>:5432/payments" -c 'SELECT now() - pg_last_xact_replay_timestamp() AS lag;'
awk '{print $1}' /var/log/app.log | sort | uniq -c | sort -rn | head
```

### Promote the replica

Run this<br>carefully. Press <kbd>Ctrl</kbd>+<kbd>C</kbd> to abort.

```bash
kubectl -n payments patch svc pg --type merge -p '{"spec":{"selector":{"role":"<new-primary>"}}}'
```

## Cleanup

```bash
kubectl -n payments delete pvc pg-old
```
"""


def test_a_heading_above_a_code_block_titles_its_commands(tmp_path):
    """`### Check lag` over a bare block is what the commands do; it was dropped and the titles were `Run psql`."""
    result = import_markdown(FAILOVER, "failover.md", "failover")
    titles = [s["title"] for s in steps_of(result.data)]
    assert titles == ["Check lag", "Check lag (awk /var/log/app.log)", "Promote the replica",
                      "Run kubectl delete pvc pg-old"]
    promote = steps_of(result.data)[2]
    assert promote["description"].startswith("Run this<br>carefully")  # the heading is the title, not repeated
    assert "Check lag" not in result.data.get("description", "")


def test_inline_html_is_reported_where_lint_will_flag_it(tmp_path):
    result = import_markdown(FAILOVER, "failover.md", "failover")
    html = [f for f in result.findings if f.code == "RB707"]
    assert [(f.line, f.severity) for f in html] == [(19, "warning")]  # the step's line: its command
    assert "'<br>'" in html[0].message and "Promote the replica" in html[0].message
    path = tmp_path / "failover.yaml"
    path.write_text(dump(result.data, path, "failover.yaml"), encoding="utf-8")
    output = assert_lint_has_no_format_errors(path, tmp_path)
    flagged = set(re.findall(r": (RB\d{3}) \[", output))
    assert flagged <= {"RB502", "RB403"}, output  # the reported HTML and the TODO confirm, nothing else


def test_an_export_line_sets_the_variable_default_instead_of_a_step_that_sets_nothing(tmp_path):
    """Each step is its own `bash -c`: `export target=replica-1` as a step would set nothing for the next one,
    which then read an empty `$TARGET`."""
    markdown = ("# Promote\n\nPromote a replica.\n\n## Promote\n\n```bash\nexport target=replica-1\n"
                "echo \"promoting $target\"\nTIMEOUT='30s'\npg_ctl promote -t \"$TIMEOUT\"\n"
                "POD=$(kubectl get pod -o name)\n```\n")
    result = import_markdown(markdown, "promote.md", "promote")
    runs = [s["run"] for s in steps_of(result.data)]
    assert runs == ['echo "promoting $TARGET"', 'pg_ctl promote -t "$TIMEOUT"', "POD=$(kubectl get pod -o name)"]
    assert result.data["variables"]["TARGET"]["default"] == "replica-1"
    assert result.data["variables"]["TIMEOUT"]["default"] == "30s"
    assert "POD" not in result.data["variables"]  # a command's output is not a constant: that line stays a step
    notes = [f.message for f in result.findings if f.code == "RB705" and "not a step" in f.message]
    assert len(notes) == 2
    env = {"PATH": "/usr/bin:/bin", "TARGET": result.data["variables"]["TARGET"]["default"]}
    done = subprocess.run(["bash", "-c", runs[0]], capture_output=True, text=True, env=env)
    assert done.stdout == "promoting replica-1\n"


def test_an_unreadable_file_in_a_folder_is_named_once(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "ok.md").write_text("# OK\n\nUse it.\n\n```bash\nls\n```\n", encoding="utf-8")
    (tmp_path / "docs" / "bin.md").write_bytes(b"\x7fELF\x00\x01")
    result = run(["docs", "-o", "out"], tmp_path)
    assert result.exit_code == 1 and (tmp_path / "out" / "ok.yaml").is_file()
    lines = result.output.splitlines()
    assert "docs/bin.md: contains NUL bytes; not a Markdown text file" in lines
    assert "  docs/bin.md: contains NUL bytes; not a Markdown text file" in lines  # the summary
    assert "Traceback" not in result.output


# ---- one file's failure, ids, .html.md, front matter (issue 16) ------------------------------------------


def test_one_files_failure_is_its_finding_and_the_other_files_import(tmp_path, monkeypatch):
    """Fault injection: whatever an importer bug raises on one file becomes `path:line: RB712`, never a
    traceback, and the folder's other files are still written (exit 1: one file was not imported)."""
    from generator.importing import commands

    source = tmp_path / "wiki"
    source.mkdir()
    (source / "good.md").write_text("# Good\n\nUse it.\n\n```bash\nuptime\n```\n", encoding="utf-8")
    (source / "bad.md").write_text("# Bad\n\nUse it.\n\nSome text.\n\n```bash\nexplode now\n```\n", encoding="utf-8")
    real = commands.derive_title

    def derive_title(command: str) -> str:
        if command.startswith("explode"):
            return [][0]  # the IndexError of issue 16 (a command with no words), on purpose
        return real(command)

    monkeypatch.setattr("generator.importing.steps.derive_title", derive_title)
    result = run([source, "-o", tmp_path / "out"], tmp_path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert re.search(r"bad\.md:7:1: RB712 \[error\] the importer failed on the block at this line: IndexError", result.output)
    assert (tmp_path / "out" / "good.yaml").is_file() and not (tmp_path / "out" / "bad.yaml").exists()
    assert "imported 1 of 2 file(s)" in result.output


def test_files_that_would_share_an_id_take_their_folders_names(tmp_path):
    source = tmp_path / "runbooks-wiki"
    for folder in ("alerts/etcd", "alerts/monitoring", "git"):
        (source / folder).mkdir(parents=True)
    page = "# T\n\nUse it.\n\n```bash\nuptime\n```\n"
    for name in ("alerts/etcd/TargetDown.md", "alerts/monitoring/TargetDown.md", "git/README.md", "git/git.md",
                 "rotate.html.md"):
        (source / name).write_text(page, encoding="utf-8")
    result = run([source, "-o", tmp_path / "out"], tmp_path)
    assert result.exit_code == 0, result.output
    written = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*.yaml"))
    assert written == ["alerts/etcd/etcd-targetdown.yaml", "alerts/monitoring/monitoring-targetdown.yaml",
                       "git/git-git.yaml", "git/git-readme.yaml", "rotate.yaml"]
    assert "RB713" in result.output and "id 'targetdown' is also another imported file's id" in result.output
    lint = CliRunner().invoke(main, ["lint", str(tmp_path / "out")])
    assert "RB201" not in lint.output and "RB202" not in lint.output


def test_a_second_source_whose_ids_the_project_already_has_takes_its_folders_name(tmp_path):
    """Importing a second repository into a project: `backups` exists already, so the new one is
    `manual-backups` (RB713 names the file that has the id); a re-import with --force keeps that id."""
    (tmp_path / "pyproject.toml").write_text('[tool.runbook]\nrunbooks = "runbooks"\n', encoding="utf-8")
    page = "# Backups\n\nUse it.\n\n```bash\nuptime\n```\n"
    first, second = tmp_path / "wiki", tmp_path / "manual"
    for source in (first, second):
        source.mkdir()
        (source / "backups.md").write_text(page, encoding="utf-8")
    (second / "rotate.md").write_text(page.replace("Backups", "Rotate"), encoding="utf-8")
    assert run([first, "-o", tmp_path / "runbooks" / "wiki"], tmp_path).exit_code == 0
    result = run([second, "-o", tmp_path / "runbooks" / "manual"], tmp_path)
    assert result.exit_code == 0, result.output
    assert (f"id 'backups' is also the id of {Path('runbooks/wiki/backups.yaml')} in this project; "
            "this runbook is 'manual-backups'") in result.output
    assert sorted(p.name for p in (tmp_path / "runbooks" / "manual").iterdir()) == ["manual-backups.yaml", "rotate.yaml"]
    again = run([second, "-o", tmp_path / "runbooks" / "manual", "--force"], tmp_path)
    assert again.exit_code == 0 and "this runbook is 'manual-backups'" in again.output, again.output
    assert sorted(p.name for p in (tmp_path / "runbooks" / "manual").iterdir()) == ["manual-backups.yaml", "rotate.yaml"]
    lint = CliRunner().invoke(main, ["lint", str(tmp_path / "runbooks")])
    assert "RB201" not in lint.output, lint.output


def test_a_govuk_html_md_page_is_markdown_and_its_front_matter_is_used(tmp_path):
    page = tmp_path / "rotate-rds.html.md"
    page.write_text('---\nowner_slack: "#govuk-platform-engineering"\ntitle: Rotate RDS credentials\nsection: Databases\n'
                    'layout: manual_layout\nparent: "/manual.html"\n---\n\nUse when a password leaks.\n\n'
                    "```sh\n$ kubectl -n apps get secrets\n```\n", encoding="utf-8")
    result = run([page, "-o", tmp_path / "out"], tmp_path)
    assert result.exit_code == 0, result.output
    data = load_file(tmp_path / "out" / "rotate-rds.yaml").data
    assert (data["id"], data["title"], data["owner"], data["tags"]) == (
        "rotate-rds", "Rotate RDS credentials", "govuk-platform-engineering", ["databases"])
    assert "RB711" not in result.output  # layout and parent belong to Middleman: notes (RB708), not warnings

"""Alert rules against the runbooks: `runbook lint` with rule files (RB80x), `runbook alerts [--annotate [--write]]`.

The shipped rule file (monitoring/alerts.yaml) is linted as it is, and broken copies of it in a
project folder built from the repository's runbooks.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, Project

SITE = "https://runbooks.example.com/"
PAYMENT_URL = 'runbook_url: "https://runbooks.example.com/runbooks/payment-service/?var.NAMESPACE={{ $labels.namespace }}"'


@pytest.fixture
def repo_copy(tmp_path) -> Project:
    """The repository's runbooks and rule file in a fresh project with alert-rules and site-url set."""
    shutil.copytree(REPO / "runbooks", tmp_path / "runbooks")
    shutil.copytree(REPO / "monitoring", tmp_path / "monitoring")
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(f"""\
        [tool.runbook]
        site-url = "{SITE}"
        alert-rules = ["monitoring/**/*.yaml"]
        """), encoding="utf-8")
    return Project(tmp_path)


def rules_file(project: Project) -> Path:
    return project.root / "monitoring" / "alerts.yaml"


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    hits = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    return hits[nth - 1]


def findings(project: Project, *args: str) -> list[dict]:
    result = project.run("lint", "--format", "json", *args)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def test_shipped_rule_file_is_lint_clean_and_configured():
    project = Project(REPO)
    result = project.run("lint", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no findings" in result.stdout
    explicit = project.run("lint", "--alert-rules", "monitoring/alerts.yaml", "--format", "json", cwd=REPO)
    assert json.loads(explicit.stdout)["findings"] == []
    # every alert a shipped runbook lists has a rule, and every rule a runbook
    listing = json.loads(project.run("alerts", "--format", "json", cwd=REPO).stdout)
    assert listing and all(row["rule"] and row["runbooks"] for row in listing)


def test_missing_runbook_url_severity_follows_the_label(repo_copy):
    path = rules_file(repo_copy)
    edit(path, "      - alert: PaymentServiceDown", "      - alert: PaymentServiceDown  # critical")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("          " + PAYMENT_URL + "\n", "", 3), encoding="utf-8")  # three payment alerts
    found = findings(repo_copy)
    no_url = [(f["line"], f["severity"]) for f in found if f["code"] == "RB802"]
    assert no_url == [(line_of(path, "alert: PaymentServiceDown"), "error"), (line_of(path, "alert: PaymentErrorRateHigh"), "error"),
                      (line_of(path, "alert: PaymentLatencyHigh"), "warning")]
    assert {f["code"] for f in found} == {"RB802"}
    message = next(f["message"] for f in found if f["code"] == "RB802")
    assert "runbook payment-service handles it" in message
    # configurable: warning-level alerts may go without a link
    with open(repo_copy.root / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write('[tool.runbook.lint]\nrunbook-url-severity = {warning = "off", critical = "warning"}\n')
    assert [(f["code"], f["severity"]) for f in findings(repo_copy)] == [("RB802", "warning"), ("RB802", "warning")]


@pytest.mark.parametrize(("old", "new", "expected"), [
    pytest.param("runbooks/payment-service/?var.NAMESPACE", "runbooks/paymnt-service/?var.NAMESPACE",
                 "runbooks/paymnt-service/ is no page of the site; did you mean https://runbooks.example.com/runbooks/payment-service/?",
                 id="runbook-typo"),
    pytest.param("payment-service/?var.NAMESPACE={{ $labels.namespace }}", "payment-service/#step-restart-pods",
                 "runbook payment-service has no step #step-restart-pods", id="missing-step"),
    pytest.param("?var.NAMESPACE=", "?var.NAMSPACE=", "var.NAMSPACE: runbook payment-service has no variable NAMSPACE", id="unknown-var"),
    pytest.param("runbooks.example.com/runbooks/payment-service/?var.NAMESPACE={{ $labels.namespace }}",
                 "runbooks.example.com/alerts/paymentservicedwn/", "alerts/paymentservicedwn/ is no page of the site; did you mean",
                 id="alert-page-typo"),
])
def test_broken_runbook_url(repo_copy, old, new, expected):
    path = rules_file(repo_copy)
    edit(path, old, new)
    found = findings(repo_copy)
    assert [f["code"] for f in found] == ["RB803"], found
    assert found[0]["line"] == line_of(path, "runbook_url:") and found[0]["column"] == 24
    assert expected in found[0]["message"]
    assert found[0]["message"].startswith("runbook_url of alert PaymentServiceDown: ")


def test_working_links_to_steps_alert_pages_and_other_sites_pass(repo_copy):
    path = rules_file(repo_copy)
    step = next(line.split("id: ", 1)[1] for line in (repo_copy.root / "runbooks/services/payment-service.yaml").read_text().splitlines()
                if line.startswith("  - id: ") or line.startswith("      - id: "))
    edit(path, "payment-service/?var.NAMESPACE={{ $labels.namespace }}", f"payment-service/#step-{step}")
    edit(path, "https://runbooks.example.com/runbooks/payment-service/?var.NAMESPACE={{ $labels.namespace }}",
         "https://runbooks.example.com/alerts/paymenterrorratehigh/index.html")
    edit(path, "https://runbooks.example.com/runbooks/payment-service/?var.NAMESPACE={{ $labels.namespace }}",
         "https://wiki.example.com/Payments")
    assert findings(repo_copy) == []


def test_link_to_a_runbook_that_does_not_list_the_alert(repo_copy):
    path = rules_file(repo_copy)
    edit(path, "runbooks/payment-service/?var.NAMESPACE={{ $labels.namespace }}", "runbooks/redis-cache/")
    found = findings(repo_copy)
    assert [f["code"] for f in found] == ["RB804"]
    assert found[0]["line"] == line_of(path, "runbooks/redis-cache/")
    assert "leads to redis-cache, which does not list PaymentServiceDown" in found[0]["message"]
    assert "runbook payment-service lists it" in found[0]["message"]


def test_alert_listed_by_a_runbook_but_defined_by_no_rule(repo_copy):
    path = rules_file(repo_copy)
    edit(path, "alert: RedisMemoryHigh", "alert: RedisMemoryHighUsage")
    found = findings(repo_copy)
    codes = sorted((f["code"], f["path"]) for f in found)
    runbook = str(Path("runbooks/infrastructure/redis-cache.yaml"))
    assert codes == [("RB804", str(Path("monitoring/alerts.yaml"))), ("RB805", runbook)]
    rb705 = next(f for f in found if f["code"] == "RB805")
    assert rb705["line"] == line_of(repo_copy.root / runbook, "alerts: [") and rb705["severity"] == "warning"
    assert "alert RedisMemoryHigh is defined by no rule" in rb705["message"] and "did you mean 'RedisMemoryHighUsage'?" in rb705["message"]
    # without rule files nothing is said about the runbook's alerts
    (repo_copy.root / "pyproject.toml").write_text("[tool.runbook]\n", encoding="utf-8")
    assert findings(repo_copy) == []


def test_kubernetes_prometheusrule_with_several_documents(repo_copy):
    (repo_copy.root / "monitoring" / "alerts.yaml").unlink()
    path = repo_copy.root / "monitoring" / "k8s.yaml"
    path.write_text(textwrap.dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: unrelated}
        data: {groups: "not rules"}
        ---
        apiVersion: monitoring.coreos.com/v1
        kind: PrometheusRule
        metadata:
          name: redis
        spec:
          groups:
            - name: redis
              rules:
                - record: redis:memory:ratio
                  expr: redis_memory_used_bytes / redis_memory_max_bytes
                - alert: RedisDown
                  expr: redis_up == 0
                  labels: {severity: critical}
                  annotations: {runbook_url: "https://runbooks.example.com/runbooks/redis-cach/"}
        """), encoding="utf-8")
    found = [f for f in findings(repo_copy) if f["path"].endswith("k8s.yaml")]
    assert [(f["code"], f["line"]) for f in found] == [("RB803", 19)]
    assert found[0]["pointer"] == "/spec/groups/0/rules/1/annotations/runbook_url"


@pytest.mark.parametrize(("text", "code", "line", "message"), [
    pytest.param("rules: []\n", "RB801", 1, "not a Prometheus rule file", id="not-rules"),
    pytest.param("groups:\n  - name: a\n    rules:\n      - expr: up == 0\n", "RB801", 4, "a rule is a mapping with `alert`", id="no-alert"),
    pytest.param("groups:\n  - name: a\n    rules:\n      - alert: [A, B]\n        expr: up\n", "RB801", 4, "an alert name is text", id="list-name"),
    pytest.param("groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        labels: {severity: [2]}\n", "RB801", 6,
                 "must be one value, not a list", id="list-label"),
    pytest.param("groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        labels: {team-name: x}\n", "RB801", 6,
                 "not a valid label name", id="bad-label-name"),
    pytest.param("groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        labels: [x]\n", "RB801", 6,
                 "must map names to values", id="labels-list"),
    pytest.param("groups:\n  - name: a\n    rules: [\n", "RB001", 4, "YAML syntax error", id="yaml-syntax"),
    pytest.param("groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        expr: down\n", "RB003", 6,
                 "duplicate key 'expr'", id="duplicate-key"),
    pytest.param("kind: PrometheusRule\nspec: {groups: some}\n", "RB801", 2, "needs `spec.groups`", id="prometheusrule-groups-not-a-list"),
])
def test_broken_rule_files(project, text, code, line, message):
    (project.root / "rules.yaml").write_text(text, encoding="utf-8")
    found = [f for f in findings(project, "--alert-rules", "rules.yaml") if f["path"] == "rules.yaml" and f["code"] != "RB802"]
    assert [(f["code"], f["line"]) for f in found] == [(code, line)], found
    assert message in found[0]["message"]


def test_alert_findings_in_github_and_sarif_output_and_suppressions(repo_copy):
    path = rules_file(repo_copy)
    edit(path, "runbooks/payment-service/?var.NAMESPACE={{ $labels.namespace }}", "runbooks/paymnt-service/")
    github = repo_copy.run("lint", "--format", "github")
    assert github.returncode == 1
    assert f"::error file=monitoring/alerts.yaml,line={line_of(path, 'paymnt')},col=24,title=RB803" in github.stdout
    sarif = json.loads(repo_copy.run("lint", "--format", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["RB803"]
    assert any(rule["id"] == "RB803" for rule in sarif["runs"][0]["tool"]["driver"]["rules"])
    edit(path, 'runbooks/paymnt-service/"', 'runbooks/paymnt-service/"  # runbook: disable=RB803 -- the page is published by hand')
    assert findings(repo_copy) == []


def test_configuration_mistakes_are_one_line_exit_2(repo_copy, tmp_path):
    with open(repo_copy.root / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write('\n[tool.runbook.lint]\nrunbook-url-severity = {critical = "loud"}\n')
    result = repo_copy.run("lint")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "runbook-url-severity.critical must be error, warning, info or off" in result.stderr
    (repo_copy.root / "pyproject.toml").write_text('[tool.runbook]\nalert-rules = ["prometheus/*.yml"]\n', encoding="utf-8")
    result = repo_copy.run("lint")
    assert result.returncode == 2 and "alert-rules: 'prometheus/*.yml' matches no rule file (*.yaml, *.yml, *.rules, *.alerts)" in result.stderr
    assert "Traceback" not in result.stderr
    (repo_copy.root / "pyproject.toml").write_text("[tool.runbook]\n", encoding="utf-8")
    result = repo_copy.run("lint", "--alert-rules", "nowhere.yaml")
    assert result.returncode == 2 and "--alert-rules nowhere.yaml: no such file or folder" in result.stderr


def test_site_url_from_mkdocs_yml(repo_copy):
    (repo_copy.root / "pyproject.toml").write_text('[tool.runbook]\nalert-rules = ["monitoring/*.yaml"]\n', encoding="utf-8")
    edit(rules_file(repo_copy), "runbooks/payment-service/?var", "runbooks/nope/?var")
    assert findings(repo_copy) == []  # no site address: links are not resolved
    (repo_copy.root / "mkdocs.yml").write_text("site_name: x\nsite_url: https://runbooks.example.com/\n"
                                               "extra:\n  token: !ENV TOKEN\n", encoding="utf-8")
    assert [f["code"] for f in findings(repo_copy)] == ["RB803"]


def test_explain_and_rules_know_the_alert_codes():
    project = Project(REPO)
    explained = project.run("lint", "--explain", "RB804", cwd=REPO)
    assert explained.returncode == 0 and "runbook-url-alert-not-listed" in explained.stdout
    listing = project.run("lint", "--rules", cwd=REPO).stdout
    assert all(code in listing for code in ("RB801", "RB802", "RB803", "RB804", "RB805"))


def test_alerts_lists_alert_runbook_and_rule_line(repo_copy):
    path = rules_file(repo_copy)
    edit(path, "alert: RedisMemoryHigh", "alert: RedisMemoryHighUsage")
    result = repo_copy.run("alerts")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ALERT", "RUNBOOK", "RULE"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows["PaymentServiceDown"] == ["payment-service", f"monitoring/alerts.yaml:{line_of(path, 'alert: PaymentServiceDown')}"]
    assert rows["RedisMemoryHighUsage"][0] == "-"  # a rule no runbook lists
    assert rows["RedisMemoryHigh"] == ["redis-cache", "(no", "rule)"]  # a runbook's alert no rule defines


ANNOTATED = '''\
# rules for redis (comments stay)
groups:
  - name: redis
    rules:
      - alert: RedisDown   # paged
        expr: redis_up == 0
        labels: {severity: critical}
        annotations:
          summary: Redis does not answer
      - alert: RedisMemoryHigh
        expr: |
          redis_memory_used_bytes
            / redis_memory_max_bytes > 0.9
      - alert: RedisRejectedConnections
        expr: up
        annotations: {summary: rejects}
      - alert: RedisTooManyConnections
        annotations:
        expr: up

      - alert: PostgresDown
        expr: pg_up == 0
        annotations:
          runbook_url: https://runbooks.example.com/runbooks/postgres/   # old address
      - alert: PaymentServiceDown
        expr: up == 0
        annotations:
          runbook_url: https://wiki.example.com/payments
      - alert: NobodysAlert
        expr: vector(1)'''


def test_annotate_prints_and_write_edits_in_place(repo_copy):
    path = rules_file(repo_copy)
    path.write_text(ANNOTATED, encoding="utf-8")
    shown = repo_copy.run("alerts", "--annotate")
    assert shown.returncode == 0, shown.stderr
    assert ('monitoring/alerts.yaml:5: RedisDown: runbook_url: "https://runbooks.example.com/runbooks/redis-cache/"  (missing)'
            in shown.stdout)
    assert ("monitoring/alerts.yaml:21: PostgresDown: runbook_url: \"https://runbooks.example.com/runbooks/postgresql/\"  "
            "(broken, was https://runbooks.example.com/runbooks/postgres/)") in shown.stdout
    assert "PaymentServiceDown: runbook_url: https://wiki.example.com/payments (links off the site; left as it is)" in shown.stdout
    assert "NobodysAlert: no runbook lists this alert" in shown.stdout
    assert path.read_text(encoding="utf-8") == ANNOTATED  # printing changes nothing
    written = repo_copy.run("alerts", "--annotate", "--write")
    assert written.returncode == 0 and "wrote 5 runbook_url annotation(s) in 1 file(s)" in written.stderr
    url = '"https://runbooks.example.com/runbooks/{}/"'
    assert path.read_text(encoding="utf-8") == f'''\
# rules for redis (comments stay)
groups:
  - name: redis
    rules:
      - alert: RedisDown   # paged
        expr: redis_up == 0
        labels: {{severity: critical}}
        annotations:
          summary: Redis does not answer
          runbook_url: {url.format("redis-cache")}
      - alert: RedisMemoryHigh
        expr: |
          redis_memory_used_bytes
            / redis_memory_max_bytes > 0.9
        annotations:
          runbook_url: {url.format("redis-cache")}
      - alert: RedisRejectedConnections
        expr: up
        annotations: {{summary: rejects, runbook_url: {url.format("redis-cache")}}}
      - alert: RedisTooManyConnections
        annotations:
          runbook_url: {url.format("redis-cache")}
        expr: up

      - alert: PostgresDown
        expr: pg_up == 0
        annotations:
          runbook_url: {url.format("postgresql")}   # old address
      - alert: PaymentServiceDown
        expr: up == 0
        annotations:
          runbook_url: https://wiki.example.com/payments
      - alert: NobodysAlert
        expr: vector(1)
'''
    again = repo_copy.run("alerts", "--annotate", "--write")
    assert "wrote 0 runbook_url annotation(s) in 0 file(s)" in again.stderr


def test_alerts_usage_mistakes(repo_copy):
    result = repo_copy.run("alerts", "--write")
    assert result.returncode == 2 and "--write applies the links --annotate prints; pass both" in result.stderr
    (repo_copy.root / "pyproject.toml").write_text("[tool.runbook]\n", encoding="utf-8")
    result = repo_copy.run("alerts", "--annotate")
    assert result.returncode == 2 and "no alert rule files: set alert-rules in [tool.runbook]" in result.stderr
    result = repo_copy.run("alerts", "--annotate", "--alert-rules", "monitoring")
    assert result.returncode == 2 and "--annotate needs the site's address: set site-url" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("url", "outcome"), [
    pytest.param("https://ops.example.com/runbooks/runbooks/redis-cache/", "runbooks/redis-cache/", id="under-a-sub-path"),
    pytest.param("http://OPS.example.com/runbooks/runbooks/redis-cache", "runbooks/redis-cache/", id="http-and-case"),
    pytest.param("https://ops.example.com/runbooks/runbooks/redis-cache/index.html#step-ping", "runbooks/redis-cache/", id="index-html"),
    pytest.param("https://ops.example.com/runbooks/writing-runbooks/", "writing-runbooks/", id="hand-written-page"),
    pytest.param("https://ops.example.com/runbooks/catalogs/severity-levels/#sev1", "catalogs/severity-levels/", id="catalog"),
    pytest.param("https://ops.example.com/runbooks/runbooks/%7B%7B%20$labels.runbook%20%7D%7D/", None, id="templated-path"),
    pytest.param("https://ops.example.com/wiki/redis", None, id="outside-the-site-path"),
    pytest.param("https://wiki.example.com/runbooks/runbooks/redis-cache/", None, id="another-host"),
    pytest.param("https://ops.example.com/runbooks/runbooks/redis-cache/#step-pong", "problem: runbook redis-cache has no step #step-pong",
                 id="missing-step"),
])
def test_runbook_url_resolution(url, outcome):
    from generator.alerting.links import Site, resolve
    from generator.project import load_catalog

    catalog = load_catalog([REPO / "runbooks"])
    assert any(step.id == "ping" for step in catalog.by_id("redis-cache").steps)
    resolution = resolve(Site("https://ops.example.com/runbooks/", catalog.documents, REPO / "docs"), url)
    if outcome is None:
        assert resolution is None
    elif outcome.startswith("problem: "):
        assert resolution.problem.startswith(outcome.removeprefix("problem: "))
    else:
        assert resolution.problem is None and resolution.target.path == outcome


def test_alerts_reports_broken_rule_files_and_lists_as_json(repo_copy):
    (repo_copy.root / "monitoring" / "broken.yaml").write_text("groups:\n  - name: x\n    rules:\n      - alert: {Bad: Name}\n        expr: up\n")
    result = repo_copy.run("alerts", "--format", "json")
    assert result.returncode == 1
    assert result.stderr == f"{Path('monitoring/broken.yaml')}:4:16: RB801 [error] an alert name is text, and not empty\n"
    rows = json.loads(result.stdout)
    redis = next(row for row in rows if row["alert"] == "RedisDown")
    assert redis["runbooks"] == ["redis-cache"] and redis["severity"] == "critical"
    assert redis["runbook_url"] == "https://runbooks.example.com/runbooks/redis-cache/"

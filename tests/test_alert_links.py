"""Alerts stay linked through a migration: `runbook import --alert-rules` links the alerts whose runbook links
name the imported files, `runbook alerts --annotate --write` moves those links to the new site, and an
Alertmanager payload then runs the imported runbook with its label variables filled.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import REPO, Project
from generator.alerting.import_links import AlertLinks, carried_labels, link_names_runbook, parse_link
from generator.alerting.rules import load_rule_files

SHARED = REPO.parent / "shared" / "data" / "real"

MARKDOWN = {
    "docs/patroni/README.md": "# Patroni\n\n## Check\n\n```bash\npatronictl -c \"$CONFIG\" list\n```\n",
    "alerts/cluster-etcd-operator/etcdNoLeader.md": "# etcdNoLeader\n\n## Diagnosis\n\n```bash\noc get pods -n \"$NAMESPACE\"\n```\n",
    "content/runbooks/kubernetes/KubePodCrashLooping.md": (
        "# KubePodCrashLooping\n\n## Diagnosis\n\n- Check pod logs via `kubectl -n $NAMESPACE logs $POD_NAME -c $CONTAINER`\n"
        "- Check the cluster via `kubectl --context $CLUSTER get nodes`\n- Check the tier via `echo $SEVERITY`\n"),
    "content/runbooks/kubernetes/_index.md": "# Kubernetes\n\nAn overview.\n",
    "runbooks/RedisDown.md": "# Redis down\n\n```bash\nredis-cli -h \"$REDIS_HOST\" ping\n```\n",
    "a/Same.md": "# Same in a\n\n```bash\necho a\n```\n",
    "b/Same.md": "# Same in b\n\n```bash\necho b\n```\n",
}

RULES = """\
# rules kept beside the services (comments stay)
groups:
  - name: migration
    rules:
      - alert: PatroniDown
        expr: pg_up == 0
        annotations:
          runbook: docs/patroni/README.md
      - alert: etcdNoLeader
        expr: etcd_server_has_leader == 0
        annotations:
          runbook_url: https://github.com/openshift/runbooks/blob/master/alerts/cluster-etcd-operator/etcdNoLeader.md
      - alert: KubePodCrashLooping
        expr: max by (namespace, pod, container) (kube_pod_container_status_waiting_reason) >= 1
        labels: {severity: warning}
        annotations:
          description: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} on {{ $labels.cluster }}'
          runbook_url: https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping
      - alert: KubeGone
        expr: vector(1)
        annotations:
          runbook_url: https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubegone
      - alert: RedisDown
        expr: redis_up == 0
      - alert: "Patroni is down "
        expr: pg_up == 0
        annotations:
          runbook: docs/patroni/README.md
      - alert: SameAnywhere
        expr: vector(1)
        annotations:
          runbook_url: https://pages.example.org/x/same
      - alert: SameInB
        expr: vector(1)
        annotations:
          runbook_url: https://pages.example.org/b/Same.html
      - alert: WikiOnly
        expr: vector(1)
        annotations:
          runbook_url: https://wiki.example.com/display/OPS/WikiOnly
      - alert: Elasticsearch ILM errors in production
        expr: vector(1)
        labels: {type: patroni}
        annotations:
          runbook: docs/{{ $labels.type }}/README.md
      - alert: ByType
        expr: sum by (type) (up) == 0
        annotations:
          runbook: docs/{{ $labels.type }}/README.md
"""


def write_sources(root: Path) -> Path:
    src = root / "src"
    for relative, text in MARKDOWN.items():
        path = src / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return src


@pytest.fixture
def links(tmp_path) -> AlertLinks:
    src = write_sources(tmp_path)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    loaded = load_rule_files([rules], url_annotations=("runbook_url", "runbook"))
    assert loaded.findings == []
    return AlertLinks(loaded.rules, sorted(p for p in src.rglob("*.md")))


def linked_names(links: AlertLinks) -> dict[str, tuple[str, str]]:
    return {rule.name: (path.name, how) for path, matched in links.by_file.items() for rule, how in matched}


def test_each_kind_of_link_finds_its_file(links):
    assert linked_names(links) == {
        "PatroniDown": ("README.md", "path"),
        "etcdNoLeader": ("etcdNoLeader.md", "blob"),
        "KubePodCrashLooping": ("KubePodCrashLooping.md", "page"),
        "RedisDown": ("RedisDown.md", "name"),
        "SameInB": ("Same.md", "page"),
        "Elasticsearch ILM errors in production": ("README.md", "path"),  # the rule's own label fills the template
    }
    same_in_b = next(path for path, matched in links.by_file.items() if matched[0][0].name == "SameInB")
    assert same_in_b.parent.name == "b"


def test_files_imported_away_from_the_links_layout_and_kebab_case_pages(tmp_path):
    flat = tmp_path / "flat"
    for name in ("etcdNoLeader.md", "KubePodCrashLooping.md", "README.md"):
        (flat / name).parent.mkdir(parents=True, exist_ok=True)
        (flat / name).write_text("# x\n", encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text(textwrap.dedent("""\
        groups:
          - name: g
            rules:
              - alert: EtcdNoLeader
                expr: vector(1)
                annotations:
                  runbook_url: https://github.com/openshift/runbooks/blob/master/alerts/cluster-etcd-operator/etcdNoLeader.md
              - alert: PodsCrash
                expr: vector(1)
                annotations:
                  runbook_url: https://docs.example.org/runbooks/kube-pod-crash-looping/
              - alert: SomeReadme
                expr: vector(1)
                annotations:
                  runbook_url: https://github.com/other/repo/blob/main/docs/README.md
        """), encoding="utf-8")
    links = AlertLinks(load_rule_files([rules]).rules, sorted(flat.glob("*.md")))
    assert linked_names(links) == {"EtcdNoLeader": ("etcdNoLeader.md", "blob"), "PodsCrash": ("KubePodCrashLooping.md", "page")}
    # a README names nothing by itself: the folder `docs` is not the folder `flat`
    assert links.elsewhere == {"github.com/other/repo": 1}


def test_links_that_resolve_to_no_file_are_reported_and_links_elsewhere_counted(links):
    messages = {f.code: [] for f in links.findings}
    for finding in links.findings:
        messages[finding.code].append((finding.line, finding.message))
    assert messages["RB806"] == [
        (22, "alert KubeGone: https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubegone names none of the imported files"),
        # pages.example.org resolved SameInB, so the ambiguous link into it is reported, not guessed
        (32, "alert SameAnywhere: https://pages.example.org/x/same fits 2 imported files (a/Same.md, b/Same.md)"),
    ]
    assert messages["RB807"] == [(28, "alert 'Patroni is down ' links README.md, but a runbook's `alerts` takes names of one "
                                      "line, up to 200 characters, without spaces at either end; link it by hand")]
    assert links.elsewhere == {"wiki.example.com": 1, "(templated)": 1}  # ByType: known only when it fires


def test_a_runbook_annotation_not_configured_still_links_and_the_import_says_so(tmp_path):
    src = write_sources(tmp_path)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    links = AlertLinks(load_rule_files([rules]).rules, sorted(src.rglob("*.md")))  # runbook_url only
    assert linked_names(links)["PatroniDown"] == ("README.md", "path")
    assert links.other_annotations == {"runbook"}
    from generator.alerting.import_links import summary
    assert any('annotation(s) "runbook": add them to runbook-url-annotations' in line for line in summary(links))


def test_a_linked_file_that_did_not_import_is_reported(links, tmp_path):
    from generator.alerting.import_links import report

    links.apply(tmp_path / "src" / "runbooks" / "RedisDown.md", {"id": "redisdown"})
    missed = [f.message for f in report(links) if "was not imported" in f.message]
    assert "alert RedisDown: RedisDown names RedisDown.md, which was not imported (see above); link it once the file imports" not in missed
    assert ("alert etcdNoLeader: https://github.com/openshift/runbooks/blob/master/alerts/cluster-etcd-operator/etcdNoLeader.md "
            "names etcdNoLeader.md, which was not imported (see above); link it once the file imports") in missed
    assert len(missed) == 5  # every linked rule but RedisDown's


def test_apply_adds_alerts_and_labels_to_the_variables_that_stand_for_them(links, tmp_path):
    markdown = tmp_path / "src" / "content" / "runbooks" / "kubernetes" / "KubePodCrashLooping.md"
    data = {"id": "kubepodcrashlooping", "alerts": ["Existing"], "variables": {
        "NAMESPACE": {"description": "n"}, "POD_NAME": {"description": "p"}, "CONTAINER": {"description": "c"},
        "CLUSTER": {"description": "from the annotation"}, "SEVERITY": {"description": "a routing label"},
        "TIER": {"description": "no such label", "label": "kept"}, "REGION": {"description": "no such label"}}}
    assert links.apply(markdown, data) == ["KubePodCrashLooping"]
    assert data["alerts"] == ["Existing", "KubePodCrashLooping"]
    labels = {name: v.get("label") for name, v in data["variables"].items()}
    assert labels == {"NAMESPACE": "namespace", "POD_NAME": "pod", "CONTAINER": "container", "CLUSTER": "cluster",
                      "SEVERITY": None, "TIER": "kept", "REGION": None}
    assert links.linked == {"KubePodCrashLooping": {"kubepodcrashlooping"}}
    assert links.apply(tmp_path / "src" / "a" / "Same.md", {"id": "same"}) == []


@pytest.mark.parametrize(("link", "kind", "parts", "page"), [
    pytest.param("docs/patroni/README.md", "path", ("docs", "patroni", "README.md"), "patroni", id="repository-path"),
    pytest.param("./docs/x.md#step", "path", ("docs", "x.md"), "x", id="dot-and-fragment"),
    pytest.param("https://gitlab.com/gitlab-com/runbooks/-/blob/master/docs/x/README.md", "blob", ("docs", "x", "README.md"), "x",
                 id="gitlab-blob"),
    pytest.param("https://raw.githubusercontent.com/o/r/main/alerts/A.md", "blob", ("alerts", "A.md"), "A", id="raw"),
    pytest.param("https://runbooks.example.dev/runbooks/node/NodeDown/", "page", ("runbooks", "node", "NodeDown"), "NodeDown",
                 id="page-slash"),
    pytest.param("https://docs.example.org/ops/index.html", "page", ("ops", "index.html"), "ops", id="index-page"),
    pytest.param('{{ if query "x" }}https://github.com/o/r/blob/m/a/B.md{{ end }}', "blob", ("a", "B.md"), "B", id="templated"),
])
def test_parse_link(link, kind, parts, page):
    parsed = parse_link(link)
    assert (parsed.kind, parsed.parts, parsed.page_name) == (kind, parts, page)


def test_the_names_the_import_lists_are_the_names_the_schema_takes():
    from generator.alerting.import_links import LISTABLE_PATTERN

    schema = json.loads((REPO / "schemas" / "runbook.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["alerts"]["items"]["pattern"] == LISTABLE_PATTERN


def test_links_that_name_no_file():
    assert parse_link("https://x.example/{{ $labels.runbook }}") is None
    assert parse_link("mailto:oncall@example.com") is None
    assert parse_link("") is None
    assert link_names_runbook("https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping",
                              "kube-pod-crash-looping")
    assert not link_names_runbook("https://wiki.example.com/payments", "payment-service")


def test_carried_labels_from_labels_by_and_annotations(tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text(textwrap.dedent("""\
        groups:
          - name: g
            rules:
              - alert: A
                expr: sum(rate(x[5m])) by (job, instance) > sum by(le) (y)
                labels: {severity: page, team: db}
                annotations: {summary: '{{$labels.namespace}} {{ .Labels.pod }}'}
        """), encoding="utf-8")
    rule = load_rule_files([rules]).rules[0]
    assert carried_labels(rule) == {"job", "instance", "le", "team", "namespace", "pod"}


def project_with_rules(tmp_path: Path, config: str = "") -> Project:
    project = Project(tmp_path / "project")
    write_sources(project.root)
    (project.root / "monitoring").mkdir()
    (project.root / "monitoring" / "rules.yaml").write_text(RULES, encoding="utf-8")
    (project.root / "pyproject.toml").write_text(
        '[tool.runbook]\nsite-url = "https://runbooks.example.com/"\n'
        'runbook-url-annotations = ["runbook_url", "runbook"]\n' + config, encoding="utf-8")
    return project


def test_import_links_the_alerts_and_reports(tmp_path):
    project = project_with_rules(tmp_path)
    result = project.run("import", "src", "-o", "runbooks", "--alert-rules", "monitoring/rules.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout + result.stderr
    assert "linked 6 alert(s) to 5 runbook(s) from 1 rule file(s)" in out
    assert "3 alert link(s) could not be resolved (RB806, RB807 above)" in out
    assert f"{Path('monitoring/rules.yaml')}:22:24: RB806 [warning] alert KubeGone: " in out
    assert "alerts linking elsewhere, left as they are: wiki.example.com (1), (templated) (1)" in out
    data = yaml.safe_load((project.root / "runbooks/content/runbooks/kubernetes/kubepodcrashlooping.yaml").read_text())
    assert data["alerts"] == ["KubePodCrashLooping"]
    assert {name: v.get("label") for name, v in data["variables"].items()} == {
        "NAMESPACE": "namespace", "POD_NAME": "pod", "CONTAINER": "container", "CLUSTER": "cluster", "SEVERITY": None}
    patroni = yaml.safe_load((project.root / "runbooks/docs/patroni/patroni.yaml").read_text())
    assert patroni["alerts"] == ["PatroniDown", "Elasticsearch ILM errors in production"]
    lint = project.run("lint", "--format", "json", "--alert-rules", "monitoring/rules.yaml")
    codes = {f["code"] for f in json.loads(lint.stdout)["findings"]}
    assert not codes & {"RB801", "RB804", "RB805"}, lint.stdout


def test_import_takes_alert_rules_from_the_configuration_and_mistakes_are_one_line(tmp_path):
    project = project_with_rules(tmp_path, 'alert-rules = ["monitoring/*.yaml"]\n')
    result = project.run("import", "src/runbooks/RedisDown.md", "-o", "runbooks/")
    assert result.returncode == 0, result.stderr
    assert "linked 1 alert(s) to 1 runbook(s) from 1 rule file(s)" in result.stdout + result.stderr
    assert yaml.safe_load((project.root / "runbooks" / "redisdown.yaml").read_text())["alerts"] == ["RedisDown"]
    missing = project.run("import", "src/a/Same.md", "-o", "runbooks/", "--alert-rules", "nowhere.yaml")
    assert missing.returncode == 2 and missing.stderr == "runbook: --alert-rules nowhere.yaml: no such file or folder\n"
    (project.root / "monitoring" / "rules.yaml").write_text("groups:\n  - name: a\n    rules: [\n", encoding="utf-8")
    broken = project.run("import", "src/a/Same.md", "-o", "runbooks/")
    assert broken.returncode == 0 and "Traceback" not in broken.stderr
    assert f"{Path('monitoring/rules.yaml')}:4:1: RB001 [error] YAML syntax error" in broken.stderr
    assert "linked 0 alert(s)" in broken.stdout + broken.stderr


@pytest.mark.parametrize(("setting", "message"), [
    pytest.param('runbook-url-annotations = "runbook"', "runbook-url-annotations must be a list of strings", id="not-a-list"),
    pytest.param("runbook-url-annotations = []", "runbook-url-annotations: is empty", id="empty"),
    pytest.param('runbook-url-annotations = ["runbook-url"]', "'runbook-url' is not an annotation name", id="bad-name"),
])
def test_runbook_url_annotations_setting_mistakes(tmp_path, setting, message):
    project = Project(tmp_path)
    (tmp_path / "pyproject.toml").write_text(f"[tool.runbook]\n{setting}\n", encoding="utf-8")
    result = project.run("lint")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and message in result.stderr, result.stderr


PROMETHEUS_RULE = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: kube
spec:
  groups:
    - name: kubernetes-apps
      rules:
        # pages the app team
        - alert: KubePodCrashLooping
          annotations:
            description: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }})'
            runbook_url: https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping   # upstream
            summary: Pod is crash looping.
          expr: max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1
          labels:
            severity: warning
        - alert: WikiOnly
          expr: vector(1)
          annotations: {runbook_url: https://wiki.example.com/display/OPS/WikiOnly}
"""

GITLAB_RULES = """\
groups:
  - name: patroni
    rules:
      - alert: PatroniDown
        expr: pg_up == 0
        annotations:
          title: Patroni is down
          runbook: docs/patroni/README.md  # GitLab style
      - alert: RedisDown
        expr: redis_up == 0
"""


def test_annotate_write_moves_the_old_links_to_the_new_site(tmp_path):
    project = project_with_rules(tmp_path, 'alert-rules = ["monitoring/*.yaml"]\n')
    (project.root / "monitoring" / "rules.yaml").unlink()
    (project.root / "monitoring" / "kube.yaml").write_text(PROMETHEUS_RULE, encoding="utf-8")
    (project.root / "monitoring" / "gitlab.yaml").write_text(GITLAB_RULES, encoding="utf-8")
    imported = project.run("import", "src", "-o", "runbooks")
    assert imported.returncode == 0, imported.stderr
    assert "linked 3 alert(s)" in imported.stdout + imported.stderr
    shown = project.run("alerts", "--annotate")
    assert ("KubePodCrashLooping: runbook_url: \"https://runbooks.example.com/runbooks/kubepodcrashlooping/"
            "?var.NAMESPACE={{ $labels.namespace }}&var.POD_NAME={{ $labels.pod }}&var.CONTAINER={{ $labels.container }}"
            "\"  (moved, was https://runbooks.prometheus-operator.dev/runbooks/kubernetes/"
            "kubepodcrashlooping)") in shown.stdout
    assert 'PatroniDown: runbook: "https://runbooks.example.com/runbooks/patroni/"  (moved, was docs/patroni/README.md)' in shown.stdout
    assert "WikiOnly: no runbook lists this alert" in shown.stdout
    written = project.run("alerts", "--annotate", "--write")
    assert written.returncode == 0 and "wrote 3 runbook_url annotation(s) in 2 file(s)" in written.stderr
    kube = (project.root / "monitoring" / "kube.yaml").read_text(encoding="utf-8")
    assert kube == PROMETHEUS_RULE.replace(
        "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping   # upstream",
        '"https://runbooks.example.com/runbooks/kubepodcrashlooping/?var.NAMESPACE={{ $labels.namespace }}'
        '&var.POD_NAME={{ $labels.pod }}&var.CONTAINER={{ $labels.container }}"   # upstream')
    assert (project.root / "monitoring" / "gitlab.yaml").read_text(encoding="utf-8") == GITLAB_RULES.replace(
        "runbook: docs/patroni/README.md  # GitLab style", 'runbook: "https://runbooks.example.com/runbooks/patroni/"  # GitLab style'
    ).replace("        expr: redis_up == 0\n", "        expr: redis_up == 0\n        annotations:\n"
              '          runbook_url: "https://runbooks.example.com/runbooks/redisdown/"\n')
    lint = project.run("lint", "--format", "json")
    codes = [f["code"] for f in json.loads(lint.stdout)["findings"] if f["code"].startswith("RB80")]
    assert codes == [], lint.stdout
    again = project.run("alerts", "--annotate", "--write")
    assert "wrote 0 runbook_url annotation(s)" in again.stderr


def test_lint_imports_neither_the_site_package_nor_mkdocs(tmp_path):
    shutil_copy = __import__("shutil").copytree
    shutil_copy(REPO / "runbooks", tmp_path / "runbooks")
    shutil_copy(REPO / "monitoring", tmp_path / "monitoring")
    (tmp_path / "pyproject.toml").write_text('[tool.runbook]\nsite-url = "https://runbooks.example.com/"\n'
                                             'alert-rules = ["monitoring/*.yaml"]\n', encoding="utf-8")
    probe = textwrap.dedent("""\
        import sys
        from generator.cli import main
        try:
            main(["lint", "--alert-rules", "monitoring/alerts.yaml"])
        except SystemExit as exit:
            loaded = sorted(m for m in sys.modules if m.startswith(("generator.site", "mkdocs", "material")))
            print(exit.code, loaded)
        """)
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "RUNBOOK_CLOCK": os.environ.get("RUNBOOK_CLOCK", "")})
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stdout + result.stderr


def kube_prometheus_payload() -> dict:
    """What Alertmanager posts for kube-prometheus' KubePodCrashLooping (webhook format 4)."""
    labels = {"alertname": "KubePodCrashLooping", "container": "api", "endpoint": "http", "job": "kube-state-metrics",
              "namespace": "shop", "pod": "api-7c9d-x2x", "prometheus": "monitoring/k8s", "reason": "CrashLoopBackOff",
              "service": "kube-state-metrics", "severity": "warning", "uid": "9b1f"}
    return {"version": "4", "status": "firing", "receiver": "oncall", "groupKey": "{}:{alertname=\"KubePodCrashLooping\"}",
            "groupLabels": {"alertname": "KubePodCrashLooping"}, "commonLabels": labels, "commonAnnotations": {},
            "externalURL": "http://alertmanager.monitoring:9093", "truncatedAlerts": 0,
            "alerts": [{"status": "firing", "labels": labels,
                        "annotations": {"description": "Pod shop/api-7c9d-x2x (api) is in waiting state (reason: \"CrashLoopBackOff\").",
                                        "runbook_url": "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping",
                                        "summary": "Pod is crash looping."},
                        "startsAt": "2026-12-02T01:30:00Z", "endsAt": "0001-01-01T00:00:00Z",
                        "generatorURL": "http://prometheus/graph", "fingerprint": "5a1c0e"}]}


def test_kube_prometheus_payload_runs_the_imported_prometheus_operator_runbook(tmp_path):
    markdown = SHARED / "markdown" / "prometheus-operator__runbooks"
    rules = SHARED / "alert-rules" / "prometheus-operator__kube-prometheus"
    if not markdown.is_dir() or not rules.is_dir():
        pytest.skip(f"{SHARED} is absent (a clone without ../shared)")
    project = Project(tmp_path)
    imported = project.run("import", str(markdown), "-o", "runbooks", "--alert-rules", str(rules))
    assert imported.returncode == 0, imported.stderr[-2000:]
    assert "linked 99 alert(s)" in imported.stdout + imported.stderr
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "kubectl").write_text('#!/bin/bash\necho "kubectl called with: $*"\n', encoding="utf-8")
    (fake / "kubectl").chmod(0o755)
    result = project.run("exec", "--alert", "-", "--yes", input=json.dumps(kube_prometheus_payload()),
                         env={"PATH": f"{fake}:{os.environ['PATH']}"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Alert: KubePodCrashLooping (firing)" in result.stdout
    for line in ("kubectl called with: -n shop get pod api-7c9d-x2x",
                 "kubectl called with: -n shop describe pod api-7c9d-x2x",
                 "kubectl called with: -n shop logs api-7c9d-x2x -c api"):
        assert line in result.stdout, result.stdout


def test_migration_figures_on_the_shared_corpus():
    if not (SHARED / "markdown").is_dir():
        pytest.skip(f"{SHARED} is absent (a clone without ../shared)")
    result = subprocess.run([sys.executable, str(REPO / "bench" / "migration_links.py"), "--json", "--shared", str(SHARED)],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    figures = {row["set"]: row for row in json.loads(result.stdout)}
    assert set(figures) == {"prometheus-operator/runbooks + kube-prometheus", "openshift/runbooks + OpenShift operators"}
    for row in figures.values():
        assert row["alerts_pointing_at_imported_pages"] >= 50, row
        assert row["share"] >= 0.95, row


def test_the_new_codes_are_explained(tmp_path):
    project = Project(tmp_path)
    for code, name in (("RB806", "import-alert-link-unresolved"), ("RB807", "import-alert-not-listable")):
        result = project.run("lint", "--explain", code)
        assert result.returncode == 0 and result.stdout.startswith(f"{code} {name} [warning]"), result.stdout
    assert "RB806" in project.run("lint", "--rules").stdout


def test_annotate_write_replaces_a_repository_path_whose_runbook_was_renamed_on_import(tmp_path):
    """GitLab's docs/git/README.md and docs/git/git.md both want the id `git`: the README becomes `git-readme`.
    The rule's old path names no file of the project (lint's RB803): --write points it at the new page."""
    project = Project(tmp_path / "project")
    for relative in ("docs/git/README.md", "docs/git/git.md"):
        path = project.root / "src" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# Git\n\nWhen git is down.\n\n```bash\nsystemctl status gitaly\n```\n", encoding="utf-8")
    (project.root / "monitoring").mkdir()
    rules = project.root / "monitoring" / "git.yml"
    rules.write_text("groups:\n- name: git\n  rules:\n  - alert: GitDown\n    expr: git_up == 0\n"
                     "    annotations:\n      runbook: docs/git/README.md\n", encoding="utf-8")
    (project.root / "pyproject.toml").write_text(
        '[tool.runbook]\nsite-url = "https://runbooks.example.com/"\nalert-rules = ["monitoring/*.yml"]\n'
        'runbook-url-annotations = ["runbook_url", "runbook"]\n', encoding="utf-8")
    imported = project.run("import", "src", "-o", "runbooks")
    assert imported.returncode == 0 and "linked 1 alert(s)" in imported.stdout + imported.stderr, imported.stderr
    assert "GitDown" in (project.root / "runbooks/docs/git/git-readme.yaml").read_text(encoding="utf-8")
    lint = project.run("lint", "--format", "json")
    assert [f["code"] for f in json.loads(lint.stdout)["findings"] if f["code"] == "RB803"] == ["RB803"]
    written = project.run("alerts", "--annotate", "--write")
    assert 'GitDown: runbook: "https://runbooks.example.com/runbooks/git-readme/"  (broken, was docs/git/README.md)' in written.stdout
    assert rules.read_text(encoding="utf-8").endswith('runbook: "https://runbooks.example.com/runbooks/git-readme/"\n')
    lint = project.run("lint", "--format", "json")
    assert [f for f in json.loads(lint.stdout)["findings"] if f["code"].startswith("RB80")] == []

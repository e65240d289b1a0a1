"""Classes of problems found by importing, linting and linking public runbooks and rule files of other
organisations (GitLab, GOV.UK, HMCTS, KubeVirt, OpenShift, Thanos, kubernetes-mixin, the monitoring-mixins
site), each reproduced with a small synthetic file written here (issue 16: "fix classes of problems, not files").

The commands run as a person runs them (real processes, a real bash behind `exec --dry-run`), and every imported
file is linted: only RB403 (a destructive step's TODO confirm) and RB405 may remain as errors.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import yaml

from conftest import Project
from generator.importing import import_markdown

ALLOWED = {"RB403", "RB405"}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def steps(data: dict) -> list[dict]:
    return [s for p in data.get("phases", []) for s in p["steps"]] + list(data.get("steps", []))


def lint_errors(project: Project, *args: str) -> list[dict]:
    linted = project.run("lint", *args, "--format", "json")
    assert "Traceback" not in linted.stderr and linted.returncode in (0, 1), linted.stderr
    return [f for f in json.loads(linted.stdout)["findings"] if f["severity"] == "error" and f["code"] not in ALLOWED]


# ---- Middleman pages with ERB (HMCTS writes every page as .html.md.erb) ---------------------------------------

ERB_PAGE = """\
    ---
    title: Restart the payments worker
    owner_slack: "#team-payments"
    last_reviewed_on: 2025-11-12
    review_in: 6 months
    ---

    # <%= current_page.data.title %>

    <%= warning_text('Only restart during an incident. Check the <code>READY</code> column first.') %>

    ## Steps

    1. Check the pods:

        ```bash
        kubectl -n payments get pods
        ```

    <% current_page.children.each do |page| %>
    - <%= page.url %>
    <% end %>
    """


def test_html_md_erb_pages_are_imported_with_their_helpers_read(tmp_path):
    project = Project(tmp_path)
    write(tmp_path / "source" / "payments" / "restart-worker.html.md.erb", ERB_PAGE)
    write(tmp_path / "source" / "payments" / "overview.html.md", "# Overview\n\nPayments in short.\n")
    result = project.run("import", "source", "-o", "runbooks")
    assert result.returncode == 0, result.stderr
    assert "imported 2 of 2 file(s)" in result.stdout
    # the file name gives the id without `.html.md.erb`, as Middleman publishes it (`restart-worker.html`)
    data = yaml.safe_load((tmp_path / "runbooks" / "payments" / "restart-worker.yaml").read_text(encoding="utf-8"))
    assert data["id"] == "restart-worker" and data["title"] == "Restart the payments worker"
    text = "\n".join(strings(data))
    assert "**Warning:** Only restart during an incident. Check the `READY` column first." in text
    assert "<%=" not in data["title"] and "current_page.data.title" not in text
    assert [s["run"] for s in steps(data) if "run" in s] == ['kubectl -n "$NAMESPACE" get pods']
    # template code that is not one of the helpers stays as written, and a finding names its line
    assert "<% current_page.children.each do |page| %>" in text
    assert "restart-worker.html.md.erb:20:1: RB701" in result.stdout
    assert lint_errors(project, "runbooks") == []


def test_erb_literal_and_single_file_import(tmp_path):
    page = write(tmp_path / "docs.html.md.erb", """\
        # Docs

        Write `<%%= current_page.data.title %>` to show the title.

        ```bash
        kubectl get pods
        ```
        """)
    result = Project(tmp_path).run("import", str(page), "-o", "-")
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(result.stdout)
    assert data["id"] == "docs"
    assert data["summary"] == "Write `<%= current_page.data.title %>` to show the title."
    assert "RB701" not in result.stderr


def test_a_published_html_address_links_the_html_md_page(tmp_path):
    project = Project(tmp_path)
    write(tmp_path / "source" / "manual" / "alerts" / "router-error-ratio.html.md", """\
        # Router error ratio

        Check the router pods.

        ```bash
        kubectl -n "$NAMESPACE" get pods
        ```
        """)
    write(tmp_path / "source" / "manual" / "alerts" / "queue-backlog.html.md.erb", """\
        ---
        title: Queue backlog
        ---
        # <%= current_page.data.title %>

        ```bash
        kubectl -n "$NAMESPACE" get jobs
        ```
        """)
    write(tmp_path / "monitoring" / "rules.yaml", """\
        groups:
        - name: govuk
          rules:
          - alert: RouterErrorRatioTooHigh
            expr: sum by (namespace) (rate(router_errors_total[5m])) > 1
            annotations:
              runbook_url: https://docs.example.gov.uk/manual/alerts/router-error-ratio.html
          - alert: QueueBacklog
            expr: sum by (namespace) (queue_depth) > 100
            annotations:
              runbook_url: https://docs.example.gov.uk/manual/alerts/queue-backlog.html#steps
        """)
    result = project.run("import", "source", "-o", "runbooks", "--alert-rules", "monitoring")
    assert result.returncode == 0, result.stderr
    assert "linked 2 alert(s) to 2 runbook(s)" in result.stdout
    router = yaml.safe_load((tmp_path / "runbooks" / "manual" / "alerts" / "router-error-ratio.yaml").read_text())
    assert router["alerts"] == ["RouterErrorRatioTooHigh"]
    assert router["variables"]["NAMESPACE"]["label"] == "namespace"
    queue = yaml.safe_load((tmp_path / "runbooks" / "manual" / "alerts" / "queue-backlog.yaml").read_text())
    assert queue["alerts"] == ["QueueBacklog"]


# ---- what a list item says around its commands is kept --------------------------------------------------------

LIST_PAGE = """\
    # Disk almost full

    ## Mitigation

    1. **Expand the disk** if the storage class allows it:

       a. Check that the storage class supports expansion:

          ```bash
          kubectl get storageclass "$STORAGE_CLASS" -o yaml | grep allowVolumeExpansion
          ```

       b. Restart the VM to apply the change:

          ```bash
          virtctl restart "$VM" -n "$NAMESPACE"
          ```

          This resizes disk.img to match the new claim size.

    1. Check that the client works with the new token:

        1. Open a console on the client app:

            ```sh
            kubectl exec -it deploy/short-url-manager -- rails c
            ```

        1. Check that the result matches the new token.
    """


def test_a_list_item_keeps_its_paragraphs_and_nested_lists_around_its_commands():
    result = import_markdown(textwrap.dedent(LIST_PAGE), "disk.md", "disk")
    data = result.data
    runs = [s["run"] for s in steps(data) if "run" in s]
    assert runs == ['kubectl get storageclass "$STORAGE_CLASS" -o yaml | grep allowVolumeExpansion',
                    'virtctl restart "$VM" -n "$NAMESPACE"', "kubectl exec -it deploy/short-url-manager -- rails c"]
    text = "\n".join(strings(data))
    for kept in ("**Expand the disk** if the storage class allows it:", "This resizes disk.img to match the new claim size.",
                 "Check that the client works with the new token:", "Check that the result matches the new token."):
        assert kept in text, kept
    # each piece stays next to the step it belongs to: the lines that introduce a block title its step, the
    # line under a command explains that command, the item's text introduces its nested steps
    check, restart, console = steps(data)
    assert check["title"] == "a. Check that the storage class supports expansion"
    assert check["description"] == "**Expand the disk** if the storage class allows it:"
    assert restart["title"] == "b. Restart the VM to apply the change"
    assert restart["description"] == "This resizes disk.img to match the new claim size."
    assert console["title"] == "Open a console on the client app"
    assert console["description"].startswith("Check that the client works with the new token:")


def test_comment_lines_no_command_follows_are_kept_and_a_sessions_hash_lines_are_its_output():
    page = textwrap.dedent("""\
        # Remove a patch

        ```bash
        # Remove the KubeVirt patch
        kubectl annotate hyperconverged -n "$NS" kubevirt-hyperconverged 'kubevirt.kubevirt.io/jsonpatch-'

        # Other examples (use if those annotations are present):
        # kubectl annotate hyperconverged -n "$NS" kubevirt-hyperconverged 'cdi.kubevirt.io/jsonpatch-'
        ```

        Open a shell on the node:

        ```console
        $ oc debug "node/$NODE_NAME"
        # sysctl -a | grep 'fs.file-'
        fs.file-max = 1597016
        # lsof -n
        ```
        """)
    data = import_markdown(page, "patch.md", "patch").data
    runs = [s["run"] for s in steps(data) if "run" in s]
    assert runs == ["kubectl annotate hyperconverged -n \"$NS\" kubevirt-hyperconverged 'kubevirt.kubevirt.io/jsonpatch-'",
                    'oc debug "node/$NODE_NAME"']
    first, debug = [s for s in steps(data) if "run" in s]
    assert first["title"] == "Remove the KubeVirt patch"
    assert "# kubectl annotate hyperconverged -n \"$NS\" kubevirt-hyperconverged 'cdi.kubevirt.io/jsonpatch-'" in first["description"]
    assert "# Other examples (use if those annotations are present):" in first["description"]
    # typed at the root prompt `oc debug` opened: what the session showed, never a step run here
    assert "# sysctl -a | grep 'fs.file-'\nfs.file-max = 1597016\n# lsof -n" in debug["description"]


def test_titles_keep_the_underscores_of_code_spans():
    page = textwrap.dedent("""\
        # Set up

        1. Set the `CDI_NAMESPACE` environment variable:

           ```bash
           kubectl get deployment -A
           ```

        1. Read **the_config** and _then_ restart:

           ```bash
           kubectl rollout restart deploy/cdi -n cdi
           ```
        """)
    titles = [s["title"] for s in steps(import_markdown(page, "setup.md", "setup").data)]
    assert titles == ["Set the CDI_NAMESPACE environment variable", "Read the_config and then restart"]


def test_script_console_code_in_a_shell_fence_stays_text(tmp_path):
    page = textwrap.dedent("""\
        # Cancel the Jenkins queue

        Run this in the script console:

        ```command
        Jenkins.instance.queue.items.findAll { !it.task.name.contains("Extenda") }.each {
          println "Cancel ${it.task.name}"
          Jenkins.instance.queue.cancel(it.task)
        }
        def stopJobs(job) {
          // nothing to traverse
          return
        }
        ```

        ```bash
        kubectl -n jenkins get pods
        ```
        """)
    result = import_markdown(page, "jenkins.md", "jenkins")
    assert [s["run"] for s in steps(result.data) if "run" in s] == ['kubectl -n "$NAMESPACE" get pods']
    assert "```groovy\nJenkins.instance.queue.items.findAll" in "\n".join(strings(result.data))
    assert any(f.code == "RB704" and "program code" in f.message for f in result.findings)
    project = Project(tmp_path)
    write(tmp_path / "jenkins.md", page)
    assert project.run("import", "jenkins.md", "-o", "runbooks").returncode == 0
    assert lint_errors(project, "runbooks") == []


# ---- rule folders hold other tools' files too ------------------------------------------------------------------

def test_rule_tests_and_prometheus_and_alertmanager_configuration_in_a_rules_folder_are_not_rule_files(tmp_path):
    project = Project(tmp_path)
    write(tmp_path / "runbooks" / "api.yaml", """\
        kind: runbook
        id: api
        title: API down
        summary: Use when the API is down.
        owner: team-a
        alerts: [ApiDown]
        steps:
          - id: check
            title: Check the pods
            run: kubectl get pods
        """)
    write(tmp_path / "monitoring" / "alerts.yaml", """\
        groups:
        - name: api
          rules:
          - alert: ApiDown
            expr: up{job="api"} == 0
            labels: {severity: warning}
            annotations: {runbook_url: "https://runbooks.example.com/runbooks/api/"}
        """)
    write(tmp_path / "monitoring" / "tests.yaml", """\
        rule_files: [alerts.yaml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series: [{series: 'up{job="api"}', values: '0x10'}]
            alert_rule_test: [{eval_time: 5m, alertname: ApiDown}]
        """)
    write(tmp_path / "monitoring" / "prometheus.yml", "global: {scrape_interval: 15s}\nrule_files: [alerts.yaml]\n"
                                                      "scrape_configs: [{job_name: api, static_configs: [{targets: ['api:80']}]}]\n")
    write(tmp_path / "monitoring" / "alertmanager.yml", "route: {receiver: oncall}\nreceivers: [{name: oncall}]\n")
    write(tmp_path / "monitoring" / "broken.yaml", "rules:\n- alert: Lost\n  expr: up == 0\n")  # still a mistake
    listed = project.run("alerts", "--alert-rules", "monitoring", "--format", "json")
    assert listed.returncode == 1 and "Traceback" not in listed.stderr
    assert [line.split(": RB801")[0] for line in listed.stderr.splitlines() if "RB801" in line] == ["monitoring/broken.yaml:1:1"]
    assert [row["alert"] for row in json.loads(listed.stdout)] == ["ApiDown"]
    (tmp_path / "monitoring" / "broken.yaml").unlink()
    assert project.run("alerts", "--alert-rules", "monitoring").returncode == 0
    assert lint_errors(project, "--alert-rules", "monitoring") == []


# ---- one alert name, several rules, each with its own page (GitLab) ------------------------------------------

def test_rules_of_one_alert_name_keep_their_own_pages_through_the_migration(tmp_path):
    project = Project(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.runbook]\nsite-url = "https://runbooks.example.com/"\n'
                                             'runbook-url-annotations = ["runbook_url", "runbook"]\n', encoding="utf-8")
    for name, command in (("prometheus-snitch", "kubectl -n monitoring get pods"),
                          ("alertmanager-failures", "kubectl -n monitoring logs alertmanager-0")):
        write(tmp_path / "docs" / "monitoring" / f"{name}.md", f"# {name}\n\nWhat to do.\n\n```bash\n{command}\n```\n")
    rules = write(tmp_path / "rules" / "metamon.yml", """\
        groups:
        - name: metamon
          rules:
          - alert: SnitchHeartBeat
            expr: vector(1)
            labels: {severity: s1}
            annotations:
              runbook: docs/monitoring/prometheus-snitch.md  # the snitch itself
          - alert: SnitchHeartBeat
            expr: vector(1)
            labels: {severity: s1}
            annotations:
              runbook: docs/monitoring/alertmanager-failures.md
        """)
    imported = project.run("import", "docs", "-o", "runbooks", "--alert-rules", "rules")
    assert imported.returncode == 0, imported.stderr
    assert "linked 1 alert(s) to 2 runbook(s)" in imported.stdout
    written = project.run("alerts", "--alert-rules", "rules", "--annotate", "--write")
    assert written.returncode == 0, written.stderr
    text = rules.read_text(encoding="utf-8")
    assert 'runbook: "https://runbooks.example.com/runbooks/prometheus-snitch/"  # the snitch itself' in text
    assert 'runbook: "https://runbooks.example.com/runbooks/alertmanager-failures/"' in text
    assert "/alerts/" not in text
    again = project.run("alerts", "--alert-rules", "rules", "--annotate", "--format", "json")
    assert {item["status"] for item in json.loads(again.stdout)} == {"ok"}
    assert lint_errors(project, "--alert-rules", "rules") == []

    # the firing alert's own link picks its runbook among the two that list the alert
    def alert(runbook: str) -> str:
        return json.dumps({"version": "4", "status": "firing", "alerts": [
            {"status": "firing", "labels": {"alertname": "SnitchHeartBeat", "severity": "s1"},
             "annotations": {"runbook": runbook}, "startsAt": "2026-12-01T10:00:00Z"}]})

    for link, title in (("https://runbooks.example.com/runbooks/alertmanager-failures/", "alertmanager-failures"),
                        ("docs/monitoring/prometheus-snitch.md", "prometheus-snitch")):
        run = project.run("exec", "--alert", "-", "--dry-run", input=alert(link))
        assert run.returncode == 0, run.stderr
        assert run.stdout.startswith(title), run.stdout
    unnamed = project.run("exec", "--alert", "-", "--dry-run", input=alert("https://elsewhere.example.com/x"))
    assert unnamed.returncode == 2 and "listed by several runbooks" in unnamed.stderr and "Traceback" not in unnamed.stderr


def test_a_list_of_alerts_from_alertmanagers_api_is_a_payload(tmp_path):
    project = Project(tmp_path)
    write(tmp_path / "runbooks" / "pods.yaml", """\
        kind: runbook
        id: pods
        title: Pods
        summary: Use when a pod crash loops.
        owner: team-a
        alerts: [KubePodCrashLooping]
        variables:
          NAMESPACE: {description: Namespace, label: namespace}
        steps:
          - id: show
            title: Show the pods
            run: kubectl -n "$NAMESPACE" get pods
        """)
    alerts = [{"labels": {"alertname": "KubePodCrashLooping", "namespace": "shop"}, "annotations": {},
               "startsAt": "2026-12-01T10:00:00.123456789Z", "status": {"state": "active"}}]
    run = project.run("exec", "--alert", "-", "--dry-run", input=json.dumps(alerts))
    assert run.returncode == 0, run.stderr
    assert "NAMESPACE=shop" in run.stdout or "shop" in run.stdout


# ---- prompts of other shells and programs, and text that is no command ---------------------------------------

def test_zsh_and_angle_prompts_and_text_that_is_no_command_are_never_steps():
    page = textwrap.dedent("""\
        # Keys and caches

        ```bash
        ╰─$ helm repo list
        NAME            URL
        hmcts-public    https://example.org/charts
        ```

        ```shell
        ❯ ocm describe cluster 1s0q9mp65e2f370q9s7ip75g6sj0sifg
        ```

        ```bash
        $> be knife ssh 'roles:gprd-base-deploy-node' 'hostname'
        deploy-01-sv-gprd.c.internal deploy-01-sv-gprd
        ```

        ```bash

        > gpg --card-edit

        Application ID ...: D2760001240102000006123482780000
        Key attributes ...: [none]

        gpg/card> admin
        Admin commands are allowed
        Your selection? 1
        PIN changed.
        ```

        ```shell
        > CONFIG SET latency-monitor-threshold 100
        > LATENCY DOCTOR
        Dave, I have observed latency spikes in this Redis instance.
        ```

        ```bash
        # Check for all keys
        KEYS *
        ```

        ```bash
        nslookup -debug db.internal
        domain   : private.postgres.database.azure.com
        service_identifier : 2
        Key fingerprint = 856B 1E1C FAD0 1FE4
        ```

        Fill in the ticket:

        ```bash
        Basic Details:

        Addon name:
        ```

        Possible errors:

        ```bash
        "storage profile is lean, autoscaler does not support lean storage profile, delete the cr"
        ```

        ```bash
        this must be all in lowercase.
        ```

        ```bash
        Turn user name and password to base 64

        echo -ne "$PASSWORD" | base64

        Send Email
        ```
        """)
    result = import_markdown(page, "keys.md", "keys")
    runs = [s["run"] for s in steps(result.data) if "run" in s]
    assert runs == ["helm repo list", "ocm describe cluster 1s0q9mp65e2f370q9s7ip75g6sj0sifg",
                    "be knife ssh 'roles:gprd-base-deploy-node' 'hostname'", "gpg --card-edit",
                    "nslookup -debug db.internal", 'echo -ne "$PASSWORD" | base64']
    text = "\n".join(strings(result.data))
    for kept in ("hmcts-public    https://example.org/charts", "PIN changed.", "CONFIG SET latency-monitor-threshold 100",
                 "KEYS *", "domain   : private.postgres.database.azure.com", "Addon name:",
                 '"storage profile is lean, autoscaler does not support lean storage profile, delete the cr"',
                 "this must be all in lowercase.", "Send Email"):
        assert kept in text, kept
    assert "```redis\n# Check for all keys\nKEYS *" in text


# ---- MkDocs Material's admonitions and content tabs ------------------------------------------------------------

def test_commands_inside_mkdocs_admonitions_and_content_tabs_become_steps():
    page = textwrap.dedent("""\
        # Restart the API

        !!! warning "Production"
            Only during an incident.

            ```bash
            kubectl -n api rollout restart deploy/api
            ```

        === "kubectl"

            ```bash
            kubectl -n api get pods
            ```

        === "oc"

            ```bash
            oc -n api get pods
            ```

        1. Look at the logs:

            ??? tip "If it is slow"
                ```bash
                kubectl -n api logs deploy/api
                ```

        !!! WARNING! only ever tested in staging !!!

        ```bash
        # !!! note "not a marker inside a fence"
        kubectl -n api get events
        ```
        """)
    result = import_markdown(page, "api.md", "api")
    data = result.data
    assert [s["run"] for s in steps(data)] == ['kubectl -n "$NAMESPACE" rollout restart deploy/api',
                                              'kubectl -n "$NAMESPACE" get pods', 'oc -n "$NAMESPACE" get pods',
                                              'kubectl -n "$NAMESPACE" logs deploy/api',
                                              'kubectl -n "$NAMESPACE" get events']
    text = "\n".join(strings(data))
    for kept in ("**Warning**: Production", "Only during an incident.", "**kubectl** tab", "**oc** tab",
                 "**Tip**: If it is slow", "!!! WARNING! only ever tested in staging !!!"):
        assert kept in text, kept
    assert steps(data)[-1]["title"] == '!!! note "not a marker inside a fence"'  # a comment in a fence, as written
    # lines keep their numbers: the finding about the tab's command names the Markdown line it is on
    assert any(f.line == 13 and "kubectl get pods" in f.message for f in result.findings)


def test_a_fallback_that_is_another_variable_is_declared_too(tmp_path):
    page = textwrap.dedent("""\
        # Mongo

        ```bash
        kubectl get sts "${MONGO_STS_NAME:-${mongo_sts_default:-mongodb}}" -n "${NS:-default}"
        ```
        """)
    data = import_markdown(page, "mongo.md", "mongo").data
    assert steps(data)[0]["run"] == 'kubectl get sts "${MONGO_STS_NAME:-${MONGO_STS_DEFAULT:-mongodb}}" -n "${NS:-default}"'
    assert set(data["variables"]) == {"MONGO_STS_NAME", "MONGO_STS_DEFAULT", "NS"}
    assert "default" not in data["variables"]["MONGO_STS_NAME"]  # `${...}` is no value to fill in
    assert data["variables"]["NS"]["default"] == "default"
    project = Project(tmp_path)
    write(tmp_path / "mongo.md", page)
    assert project.run("import", "mongo.md", "-o", "runbooks").returncode == 0
    assert lint_errors(project, "runbooks") == []


def test_a_bats_test_file_in_a_bash_fence_stays_text():
    page = textwrap.dedent("""\
        # Hello task

        ```bash
        setup_file() {
          load '../test_helper/common_setup'
        }

        @test "hello task completes" {
          http_post "${URL}/tasks/hello" '{"name": "World"}'
          local task_id
          task_id=$(echo "$HTTP_BODY" | jq -r '.id')
        }
        ```

        ```bash
        bats tests/common/hello_task.bats
        ```
        """)
    result = import_markdown(page, "hello.md", "hello")
    assert [s["run"] for s in steps(result.data)] == ["bats tests/common/hello_task.bats"]
    assert '@test "hello task completes" {' in "\n".join(strings(result.data))


def test_a_link_titled_basic_troubleshooting_is_no_pasted_credential(tmp_path):
    """GitLab's service pages list `[Kubernetes-Agent Basic Troubleshooting](...)`: RB405 made every one of them
    invalid, and `runbook exec --alert` refused their alerts."""
    project = Project(tmp_path)
    write(tmp_path / "web.md", """\
        # Web

        * [Kubernetes-Agent Basic Troubleshooting](../kas/basic-troubleshooting.md)
        * Use Bearer authentication-for-service-accounts, never a shared password.

        ```bash
        curl -H "Authorization: Basic dXNlcjpwYXNzd29yZA==" https://web.example.com/-/health
        ```
        """)
    assert project.run("import", "web.md", "-o", "runbooks").returncode == 0
    linted = project.run("lint", "runbooks", "--format", "json")
    secrets = [f for f in json.loads(linted.stdout)["findings"] if f["code"] == "RB405"]
    assert [(f["pointer"], "Basic auth" in f["message"]) for f in secrets] == [("/steps/0/run", True)]


def test_what_a_task_item_holds_below_its_first_line_is_kept():
    page = textwrap.dedent("""\
        # Rotate the token

        ## Execution

        - [ ] Save the current `auth_token` in case we need to revert.
          - `./bin/vault-show secrets gprd | jq -r '.gitaly.auth_token'` within chef-repo
          - Save it in 1Password.
        - [ ] and apply that to the fleet
          - [ ] `knife ssh -C3 roles:gprd-base-stor-gitaly 'sudo chef-client'`

            ```text
            3 nodes converged
            ```
        - [ ] Create a new random token
        """)
    data = import_markdown(page, "rotate.md", "rotate").data
    step = steps(data)[0]
    assert step["checklist"] == ["Save the current `auth_token` in case we need to revert.", "and apply that to the fleet",
                                 "Create a new random token"]
    assert "Save the current `auth_token` in case we need to revert:\n\n" in step["description"]
    for kept in ("`./bin/vault-show secrets gprd | jq -r '.gitaly.auth_token'` within chef-repo", "Save it in 1Password.",
                 "`knife ssh -C3 roles:gprd-base-stor-gitaly 'sudo chef-client'`", "3 nodes converged"):
        assert kept in step["description"], kept


def test_hugo_toml_front_matter_is_read():
    page = textwrap.dedent("""\
        +++
        title = "Pod crash looping"
        weight = 20
        tags = ["kubernetes"]
        [menu]
          main = "runbooks"
        +++

        # KubePodCrashLooping

        Pods restart over and over.

        ```bash
        kubectl -n "$NAMESPACE" get pods
        ```
        """)
    result = import_markdown(page, "crash.md", "crash")
    assert result.data["title"] == "Pod crash looping"
    assert result.data["tags"] == ["kubernetes"]
    assert result.data["summary"] == "Pods restart over and over."
    assert {(f.line, f.message.split(" is ")[0]) for f in result.findings if "front matter field" in f.message} == {
        (3, "front matter field 'weight'"), (5, "front matter field 'menu'")}
    broken = import_markdown("+++\ntitle = \n+++\n\n# X\n\n```bash\nkubectl get pods\n```\n", "x.md", "x")
    assert broken.data["title"] == "X"
    assert any(f.code == "RB711" and "not valid TOML" in f.message for f in broken.findings)


def test_a_helm_template_in_a_rules_folder_is_one_clear_warning(tmp_path):
    project = Project(tmp_path)
    write(tmp_path / "chart" / "templates" / "prometheusrules.yaml", """\
        {{- if .Values.monitoring.createPrometheusRules -}}
        kind: PrometheusRule
        apiVersion: monitoring.coreos.com/v1
        metadata:
          name: {{ .Release.Name }}
        spec:
          groups:
          {{- toYaml .Values.rules | nindent 4 }}
        {{- end }}
        """)
    write(tmp_path / "chart" / "rules.yaml", "groups:\n- name: g\n  rules:\n  - alert: Up\n    expr: up == 0\n")
    linted = project.run("lint", "--alert-rules", "chart", "--format", "json")
    assert "Traceback" not in linted.stderr
    found = [(Path(f["path"]).name, f["line"], f["code"], f["severity"]) for f in json.loads(linted.stdout)["findings"]
             if f["code"].startswith(("RB0", "RB80"))]
    assert ("prometheusrules.yaml", 1, "RB808", "warning") in found
    assert not [f for f in found if f[2].startswith("RB0") or f[2] == "RB801"]
    listed = project.run("alerts", "--alert-rules", "chart", "--format", "json")
    assert listed.returncode == 0 and [row["alert"] for row in json.loads(listed.stdout)] == ["Up"]

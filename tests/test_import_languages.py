"""Which code blocks become command steps: the content decides, the fence label is a hint (issue 16).

Each case is a class of block met in real runbooks (GitLab, GOV.UK, OpenShift, prometheus-operator):
PromQL in a ```console fence, SQL or a Rails console in ```bash, YAML/JSON/HCL/config in ```sh, output
pasted without a prompt, GitLab's host and prompt labels, GOV.UK's `user@host:/$` prompts.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.importing import import_markdown
from generator.importing.commands import classify_block, split_block
from generator.shell import placeholders


def steps_of(data: dict) -> list[dict]:
    return data.get("steps", []) + [s for p in data.get("phases", []) for s in p["steps"]]


def imported(markdown: str) -> tuple[dict, list]:
    result = import_markdown(markdown, "t.md", "t")
    return result.data, result.findings


@pytest.mark.parametrize("info, content, language", [
    pytest.param("console", 'histogram_quantile(0.99, sum(rate(etcd_disk_wal_fsync_duration_seconds_bucket{job="etcd"}[5m])) by (le))\n',
                 "promql", id="promql-in-console"),
    pytest.param("shell", 'sum by(resource) (rate(x_total{code=~"5.."}[1d]))\n/\nscalar(sum(rate(x_total[1d])))\n', "promql",
                 id="promql-over-lines"),
    pytest.param("console", 'acm_thanos_compact_halted{job="observability-thanos-compact"}\n', "promql", id="promql-selector"),
    pytest.param("bash", "SELECT * FROM pg_stat_activity\nWHERE state = 'active';\n", "sql", id="sql"),
    pytest.param("sh", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n", "yaml", id="yaml"),
    pytest.param("shell", '{\n  "level": "warn",\n  "msg": "slow"\n}\n', "json", id="json"),
    pytest.param("bash", 'resource "aws_db_instance" "main" {\n  engine = "postgres"\n}\n', "hcl", id="hcl"),
    pytest.param("bash", '[crio.runtime]\ndefault_runtime = "crun"\n', "toml", id="toml"),
    pytest.param("go", "kubeletHealthzTimeout = 30 * time.Second\n", "go", id="labelled-go"),
    pytest.param("bash", "kubeletHealthzPollingInterval = 30 * time.Second\n", "ini", id="config-assignment"),
    pytest.param("ruby", "Feature.enable(:foo)\n", "ruby", id="labelled-ruby"),
    pytest.param("bash", "Feature.enable(:ci_use_replica)\nFeature.disable(:x)\n", "ruby", id="rails-console-in-bash"),
    pytest.param("shell", "[1] pry(main)> User.find_by_username('x')\n", "ruby", id="pry-prompt"),
    pytest.param("bash", 'rs.status()\ndb.jobs.find({state: "failed"}).count()\n', "javascript", id="mongo-shell"),
    pytest.param("shell", "gitlabhq_production=# select now();\n", "sql", id="psql-prompt"),
    pytest.param("console", "W0917 11:21:46.203938 1688435 daemon.go:662] error\nE0917 11:21:47.1 1 d.go:7] retry\n", "text",
                 id="klog-output"),
    pytest.param("console", "NAME      READY   STATUS\nweb-1     1/1     Running\n", "text", id="table-output"),
    pytest.param("", "+------+------+\n| User | Host |\n+------+------+\n", "text", id="unlabelled-table"),
])
def test_a_block_that_is_not_shell_stays_text_under_its_language(info, content, language):
    kind = classify_block(info, content)
    assert not kind.shell and kind.language == language
    data, findings = imported(f"# T\n\nUse it.\n\n```{info}\n{content}```\n\n```bash\nuptime\n```\n")
    assert [s.get("run") for s in steps_of(data)] == ["uptime"]
    assert f"```{language}\n" in steps_of(data)[0]["description"]  # in place, before the next command
    if info in ("console", "shell", "bash", "sh"):
        assert any(f.code == "RB704" for f in findings)  # the label said shell: a person should know


@pytest.mark.parametrize("label", ["root", "sudo", "gcloud", "kubectl", "patroni-01-db-gstg", "console-01-sv-gprd",
                                   "deploy@bastion.example.com", "bash", "shell-session"])
def test_fence_labels_that_name_a_host_a_user_or_a_program_are_shell(label):
    assert classify_block(label, "sudo gitlab-patronictl list\n").shell
    data, _ = imported(f"# T\n\nUse it.\n\n```{label}\nsudo gitlab-patronictl list\n```\n")
    assert [s["run"] for s in steps_of(data)] == ["sudo gitlab-patronictl list"]


@pytest.mark.parametrize("line, command", [
    ("$ kubectl get pods", "kubectl get pods"),
    ("I have no name!@postgres-jumpbox:/$ psql -l", "psql -l"),
    ("root@host:~# systemctl status patroni", "systemctl status patroni"),
    ("[deploy@web-01 ~]$ uptime", "uptime"),
    ("sh-4.4# ls /var/lib", "ls /var/lib"),
])
def test_a_shell_prompt_pasted_with_the_command_is_not_part_of_it(line, command):
    commands = split_block(f"{line}\nsome output\n", 10, "sh")
    assert [(c.text, c.kind, c.output) for c in commands] == [(command, "shell", "some output\n")]


def test_a_prompt_alone_is_no_command_and_the_block_stays_text():
    data, findings = imported("# T\n\nUse it.\n\n```sh\nI have no name!@postgres-jumpbox:/$\n```\n\n```bash\nuptime\n```\n")
    assert [s.get("run") for s in steps_of(data)] == ["uptime"]
    assert "I have no name!@postgres-jumpbox:/$" in steps_of(data)[0]["description"]


def test_output_pasted_after_a_command_without_a_prompt_is_its_output():
    commands = split_block("kubectl get pods\nNAME   READY   STATUS\nweb-1  1/1     Running\n\nuptime\n", 1, "bash")
    assert [(c.text, c.kind) for c in commands] == [("kubectl get pods", "shell"), ("uptime", "shell")]
    assert commands[0].output == "NAME   READY   STATUS\nweb-1  1/1     Running\n"


@pytest.mark.parametrize("command", [
    pytest.param("cd ~ && app-checkout/ && ./bin/rails assets:precompile", id="directory-as-command"),
    pytest.param('"msg"="trying to connect" "endpoint"="tcp:10.0.0.4:6641"', id="log-record"),
    pytest.param("slave0:ip=10.45.2.8,port=6379,state=online", id="key-value-output"),
    pytest.param("echo $((6039116565.0/(1024.0**3.0)))", id="decimal-arithmetic"),
    pytest.param("gsutil cp gs://b/data-(date +%F).gz .", id="syntax-error"),
])
def test_a_line_bash_would_reject_or_fail_on_is_never_a_step(command):
    data, findings = imported(f"# T\n\nUse it.\n\n```bash\nuptime\n\n{command}\n\nuptime -p\n```\n")
    assert [s.get("run") for s in steps_of(data)] == ["uptime", "uptime -p"]
    # kept in place as text: the output of the command above it, or text before the next one (RB704)
    assert command in steps_of(data)[0].get("description", "") + steps_of(data)[1].get("description", "")


def test_what_the_fast_parse_accepts_but_bash_rejects_becomes_a_manual_step():
    # tree-sitter-bash reads a redirection whose target is on the next line; bash -n does not
    data, findings = imported("# T\n\nUse it.\n\n```bash\necho foo >\n-----BEGIN\n```\n")
    step = steps_of(data)[0]
    assert "run" not in step and step["checklist"] and "echo foo >" in step["description"]
    assert any(f.code == "RB704" and "bash does not accept" in f.message for f in findings)


def test_a_script_with_a_shebang_is_one_command_titled_by_its_first_comment():
    data, _ = imported("# T\n\nUse it.\n\n```bash\n#!/usr/bin/env bash\n# Restart slowly\nset -e\nuptime\n```\n")
    assert [(s["title"], s["run"]) for s in steps_of(data)] == [
        ("Restart slowly", "#!/usr/bin/env bash\n# Restart slowly\nset -e\nuptime")]


@pytest.mark.parametrize("command", ["#!/bin/bash", '"$EDITOR"', "$(cat cmd)", "# only a comment\n<file>"])
def test_a_command_with_no_title_words_still_gets_a_title(command):
    data, findings = imported(f"# T\n\nUse it.\n\n```bash\n{command}\n```\n")
    assert all(s["title"] for s in steps_of(data))
    assert not any(f.code == "RB712" for f in findings)


def test_invisible_characters_copied_with_a_command_are_removed():
    data, findings = imported("# T\n\nUse it.\n\n```bash\nkubectl\u00a0get pods -\u200bn web\n```\n")
    assert steps_of(data)[0]["run"] == 'kubectl get pods -n "$NAMESPACE"'
    assert any(f.code == "RB708" and "U+00A0" in f.message and "U+200B" in f.message for f in findings)


@pytest.mark.parametrize("command, found", [
    ("psql --host [rds-hostname] [database-name]", ["[rds-hostname]", "[database-name]"]),
    ("kubectl get pods -n {{ namespace }} -l app={{app_name}}", ["{{ namespace }}", "{{app_name}}"]),
    ("curl -H 'Authorization: Bearer YOUR_TOKEN_HERE' --project=YOUR_PROJECT_ID", ["YOUR_TOKEN_HERE", "YOUR_PROJECT_ID"]),
    ("ls [a-z]* x[12] ${a[idx]} [ -f x ] [[ -n y ]] $YOUR_VAR MY_X=1", []),
    ("kubectl get po -o go-template='{{range .items}}{{.metadata.name}}{{end}}'", []),
    ("echo ${{ secrets.TOKEN }}", []),
    ("uptime # then call <pod-name> on [host]", []),
])
def test_placeholder_styles_people_write(command, found):
    assert [p.written for p in placeholders(command, every_style=True)] == found
    assert [p.written for p in placeholders(command)] == []  # lint's RB303 keeps to `<name>`


def test_placeholders_of_every_style_become_declared_variables():
    data, _ = imported("# T\n\nUse it.\n\n```bash\npsql --host [rds-hostname] -c 'select 1'\n"
                       "kubectl logs [pod-name] -n {{ namespace }}\n"
                       "curl -H 'Authorization: Bearer YOUR_TOKEN_HERE' https://api.example\n```\n")
    assert [s["run"] for s in steps_of(data)] == [
        "psql --host \"$RDS_HOSTNAME\" -c 'select 1'",
        'kubectl logs "$POD_NAME" -n "$NAMESPACE"',
        "curl -H 'Authorization: Bearer '\"$TOKEN\" https://api.example"]
    assert set(data["variables"]) == {"RDS_HOSTNAME", "POD_NAME", "NAMESPACE", "TOKEN"}
    assert data["variables"]["TOKEN"]["secret"] is True


def test_a_for_list_keeps_its_word_splitting():
    data, _ = imported("# T\n\nUse it.\n\n```bash\nfor pod in ${pods}\ndo\n  oc describe pod ${pod}\ndone\n```\n")
    assert steps_of(data)[0]["run"].startswith("for pod in ${PODS}\n")


def test_an_expansion_right_after_another_is_a_variable_too():
    data, _ = imported("# T\n\nUse it.\n\n```bash\ncat stacks.$host.$time.gz | gunzip -\n```\n")
    assert steps_of(data)[0]["run"] == 'cat stacks."$HOST"."$TIME".gz | gunzip -'
    assert set(data["variables"]) == {"HOST", "TIME"}


@pytest.mark.parametrize("info, content", [
    pytest.param("sh", '$ curl -I -v --header "Host: pages.example" https://127.0.0.1:1443\n< HTTP/1.1 200 OK\n< Server: x\n',
                 id="curl-verbose-session-is-not-yaml"),
    pytest.param("bash", "# Primary mirror\ncurl -H 'Backend-Override: mirrorS3' https://www.example/\n", id="header-is-not-yaml"),
    pytest.param("bash", "< files_to_remove.txt xargs -rn1 rm -f\n", id="input-redirection-first"),
    pytest.param("bash", "PGHOST=/var/opt/postgresql/ PATH=/opt/bin:$PATH \\\n  envdir /etc/wal-e.d/env wal-e backup-list\n",
                 id="assignments-first"),
    pytest.param("bash", 'kubectl exec -n monitoring prometheus-0 -- promtool query instant http://localhost:9090 '
                         '\'sum(rate(http_requests_total{code="500"}[5m]))\'\n', id="promql-inside-a-command"),
    pytest.param("console", "$ psql -c 'SELECT 1'\n ?column?\n----------\n        1\n", id="sql-inside-a-command"),
])
def test_shell_that_looks_like_something_else_in_places_stays_shell(info, content):
    assert classify_block(info, content).shell
    data, _ = imported(f"# T\n\nUse it.\n\n```{info}\n{content}```\n")
    assert len([s for s in steps_of(data) if "run" in s]) == 1


def test_a_fence_inside_a_list_item_is_labelled_with_its_language_too():
    markdown = ("# T\n\nUse it.\n\n1. Look at the latency:\n\n   ```console\n"
                '   histogram_quantile(0.99, sum(rate(x_bucket{job="etcd"}[5m])) by (le))\n   ```\n\n'
                "2. The pods:\n\n   ```\n   NAME   READY   STATUS\n   ```\n\n3. Run it:\n\n   ```bash\n   uptime\n   ```\n")
    data, findings = imported(markdown)
    step = steps_of(data)[0]
    assert step["run"] == "uptime"
    assert "   ```promql\n   histogram_quantile(" in step["description"] and "   ```text\n   NAME" in step["description"]
    assert not any(f.code == "RB712" for f in findings)


@pytest.mark.parametrize("info", ['bash', 'Bash title="restart"', "{.bash}", "{bash}", "bash=", "language-bash",
                                  "sh {linenos=true}"])
def test_fence_labels_as_the_different_wikis_write_them(info):
    data, _ = imported(f"# T\n\nUse it.\n\n```{info}\nuptime\n```\n")
    assert [s["run"] for s in steps_of(data)] == ["uptime"]


def test_a_usage_line_with_choices_is_text_and_does_not_swallow_the_commands_below():
    data, _ = imported("# T\n\nUse it.\n\n```bash\n./bin/set-server-state {gprd,gstg} <ready|drain|maint> [filter]\n\n"
                       "./bin/set-server-state gstg drain git-10\n```\n")
    assert [s["run"] for s in steps_of(data)] == ["./bin/set-server-state gstg drain git-10"]
    assert "<ready|drain|maint>" in steps_of(data)[0]["description"]


@pytest.mark.parametrize("label, content, shell", [
    ("redis-cli", "CONFIG GET maxmemory\n", False),
    ("redis-cli", "redis-cli -h cache-01 ping\n", True),
    ("psql", "select pg_is_in_recovery();\n", False),
    ("psql", "psql -h db-01 -c 'select 1'\n", True),
    ("gitlab-rails", "Feature.enable(:ci_use_replica)\n", False),
    ("gitlab-rails", "sudo gitlab-rails console\n", True),
    ("mongo", "db.jobs.find()\n", False),
])
def test_a_label_naming_a_program_with_its_own_prompt_is_that_programs_input_unless_it_starts_shell(label, content, shell):
    assert classify_block(label, content).shell is shell


@pytest.mark.parametrize("line", ["graph_builder.go:279] garbage controller monitor not yet synced",
                                  '"failed to run reboot: %v", err', "Done.", "--no-headers | awk '{print $2}'"])
def test_a_line_whose_first_word_no_program_can_have_is_not_a_command(line):
    data, _ = imported(f"# T\n\nUse it.\n\n```bash\nuptime\n\n{line}\n\nuptime -p\n```\n")
    assert [s.get("run") for s in steps_of(data)] == ["uptime", "uptime -p"]


@pytest.mark.parametrize("info, content, language", [
    ("console", "PS C:\\Users\\ops> Get-Service -Name W3SVC\n", "powershell"),
    ("", "C:\\> net stop w3svc\n", "batch"),
    ("cmd", "net stop w3svc\n", "cmd"),  # a label of another language is kept as the author wrote it
])
def test_windows_prompts_and_labels_are_not_bash(info, content, language):
    kind = classify_block(info, content)
    assert not kind.shell and kind.language == language


def test_reference_links_defined_at_the_end_of_the_page_stay_links_in_every_part():
    """GitLab's runbooks define links at the end (`[env]: https://...`); the parts of the page that use them
    become descriptions elsewhere, so each link is written inline. Undefined `[x]` and code stay as written."""
    data, _ = imported(
        "# Patroni\n\nWhen [Patroni][patroni] is down.\n\n## Scale up\n\n"
        "Increase the node count in [terraform][env-vars], see [Runbook] or `[a][env-vars]`; use [pod-name].\n\n"
        "```bash\nterraform apply\n```\n\n"
        "[patroni]: https://github.com/zalando/patroni\n[env-vars]: https://ops.example.com/env \"Env\"\n"
        "[runbook]: <https://runbooks.example.com/a b>\n")
    assert data["summary"] == "When [Patroni](https://github.com/zalando/patroni) is down."
    step = data["steps"][0]
    assert ('Increase the node count in [terraform](https://ops.example.com/env "Env"), see '
            "[Runbook](https://runbooks.example.com/a%20b) or `[a][env-vars]`") in step["description"]

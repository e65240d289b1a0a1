"""The executor's fields on the site: the step shows its retry policy, condition, required tools and
interactivity; the page header shows the runbook's required tools and target probes; the format
reference (generated from the schema) documents them."""

from __future__ import annotations

import datetime as dt
import textwrap

from generator.project import load_catalog
from generator.site.pages import SiteRenderer
from test_site import body, text_of, to_html

RUNBOOK = """
kind: runbook
id: orders
title: Orders
summary: The orders service.
owner: platform-team
requires: [kubectl, curl]
target:
  - {name: kube context, run: kubectl config current-context}
  - {name: namespace, run: "kubectl get namespace \\"$NAMESPACE\\" -o jsonpath='{.metadata.name}'"}
variables:
  NAMESPACE: {description: Namespace, default: production}
steps:
  - id: record
    title: Record the replicas
    run: kubectl get deployment orders -n "$NAMESPACE" -o jsonpath='{.spec.replicas}'
    capture: REPLICAS_BEFORE
  - id: scale-back
    title: Scale back
    run: kubectl scale deployment/orders --replicas="$REPLICAS_BEFORE" -n "$NAMESPACE"
    risk: mutating
    when: '[ -n "$REPLICAS_BEFORE" ]'
    requires: [jq]
  - id: health
    title: Wait until healthy
    run: curl -fsS http://orders/health
    expect: {output: ok}
    retry: {attempts: 12, interval: 10}
  - id: console
    title: Open a console
    run: psql
    interactive: true
"""


def test_step_and_header_show_the_executor_fields(tmp_path):
    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "orders.yaml").write_text(textwrap.dedent(RUNBOOK).lstrip(), encoding="utf-8")
    catalog = load_catalog([folder])
    assert catalog.findings == []
    pages = {page.uri: page for page in SiteRenderer(catalog, folder, "180d", dt.date(2026, 11, 1)).pages()}
    page = body(pages["runbooks/orders.md"].markdown)
    text = " ".join(text_of(to_html(page)).split())
    assert "Requires: kubectl, curl on PATH" in text
    assert "kube context: kubectl config current-context" in text
    assert "namespace: kubectl get namespace \"$NAMESPACE\" -o jsonpath='{.metadata.name}'" in text
    assert 'Runs only when [ -n "$REPLICAS_BEFORE" ] succeeds; otherwise runbook exec skips it' in text
    assert "Requires: jq on PATH." in text
    assert "Retry: up to 12 attempts, 10 s apart, until the output matches ok." in text
    assert "Interactive: the command takes over the terminal" in text
    # The target is in the header, before the steps; each field sits under its own step.
    assert page.index("kube context") < page.index("{#step-record}")
    health = page[page.index("{#step-health}"):page.index("{#step-console}")]
    assert "Retry:" in health and "Interactive" not in health
    reference = pages["reference/format.md"].markdown
    for name in ("retry", "when", "requires", "interactive", "target", "attempts", "interval"):
        assert f"<code>{name}</code>" in reference, name
    assert "runbook › target" in reference and "runbook › steps › retry" in reference

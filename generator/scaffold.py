"""`runbook new`: a new runbook from a template that passes lint, with the schema modeline."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from . import clock
from .config import ConfigError, load_config
from .modeline import schema_reference

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

TEMPLATE = """\
# yaml-language-server: $schema={schema}
kind: runbook
id: {id}
title: {title}
summary: Use when {service} is down, slow or failing; replace this with the symptoms that bring someone here.
service: {service}
owner: {owner}
tags: [{service}]
alerts: []
last_reviewed: {today}
variables:
  NAMESPACE:
    description: Kubernetes namespace of {service}
    default: production
  SERVICE:
    description: Deployment name of the service
    default: {service}
steps:
  - id: check-pods
    title: Check that the pods are running
    run: kubectl get pods -n "$NAMESPACE" -l app="$SERVICE"
    timeout: 30
  - id: recent-logs
    title: Read the recent logs
    run: kubectl logs deployment/"$SERVICE" -n "$NAMESPACE" --tail=100
    timeout: 30
  - id: verify
    title: Verify recovery
    checklist:
      - Health checks pass
      - Error rates are back to baseline
      - No alerts firing
"""


def new_runbook(runbook_id: str, service: str | None, owner: str | None, folder: Path | None,
                today: dt.date | None = None) -> Path:
    for label, value in (("ID", runbook_id), ("--service", service), ("--owner", owner)):
        if value is not None and not _ID.match(value):
            raise ConfigError(f"{label} {value!r} is not kebab-case (lower-case letters, digits and single hyphens)")
    config = load_config()
    folder = folder or config.runbooks
    target = folder / f"{runbook_id}.yaml"
    if target.exists():
        raise ConfigError(f"{target} already exists; pick another id or edit that file")
    folder.mkdir(parents=True, exist_ok=True)
    # relative to the file, so it resolves on every clone (generator/modeline.py)
    text = TEMPLATE.format(
        schema=schema_reference(folder, config.root), id=runbook_id, title=runbook_id.replace("-", " ").capitalize(),
        service=service or runbook_id, owner=owner or "platform-team", today=(today or clock.today()).isoformat())
    with open(target, "x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text)
    return target

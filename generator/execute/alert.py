"""`runbook exec --alert FILE|-`: the firing alert that starts a session.

Reads an Alertmanager webhook payload (`{"alerts": [...]}`), a list of alerts as Alertmanager's API gives
them, or one alert (`{"labels": {...}}`),
picks the runbook by the `alertname` label, and gives the variables declared with `label: NAME`
their values from the alert's labels. The values are checked like any other (pattern, choices) and
reach the commands through the environment only, never pasted into a command's text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError
from ..model import Runbook
from ..project import Catalog, ResolveError
from .prompts import Console
from .variables import problem


class AlertError(UserError):
    """A payload that cannot be used; the message is one line (exit 2)."""


class AmbiguousAlert(ResolveError):
    """Several runbooks list the alert and nothing tells which one is meant."""


@dataclass(frozen=True)
class Alert:
    name: str
    labels: dict[str, str]
    starts_at: str | None = None  # ISO 8601 in UTC, as the timeline reads it
    status: str | None = None
    others: int = 0  # further alerts in the same payload
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def links(self) -> tuple[str, ...]:
        """The runbook links the alert carries (`runbook_url`, GitLab's `runbook`, a `playbook`)."""
        return tuple(value for key, value in self.annotations.items() if re.search(r"runbook|playbook", key, re.I))

    def record(self) -> dict:
        """What the transcript keeps of the alert."""
        return {"name": self.name, "labels": self.labels, "startsAt": self.starts_at, "status": self.status}


def read_alert(where: str) -> Alert:
    """The alert in a file (or `-`, standard input)."""
    shown = "standard input" if where == "-" else where
    try:
        text = sys.stdin.read() if where == "-" else Path(where).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AlertError(f"--alert {where}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AlertError(f"--alert {where}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise AlertError(f"--alert {shown}: not JSON ({exc}); pass an Alertmanager webhook payload or one alert") from None
    return parse_alert(data, shown)


def parse_alert(data, shown: str) -> Alert:
    if isinstance(data, list) and data and all(isinstance(a, dict) and "labels" in a for a in data):
        data = {"alerts": data}  # Alertmanager's API (`/api/v2/alerts`, `amtool alert query -o json`): a list of alerts
    if isinstance(data, dict) and "alerts" in data:
        alerts = data["alerts"]
        if not isinstance(alerts, list) or not alerts or not all(isinstance(a, dict) for a in alerts):
            raise AlertError(f"--alert {shown}: `alerts` holds no alert; the payload has nothing to run a runbook for")
        firing = [a for a in alerts if a.get("status", "firing") == "firing"] or alerts
        chosen, others = firing[0], len(alerts) - 1
    elif isinstance(data, dict) and "labels" in data:
        chosen, others = data, 0
    else:
        raise AlertError(f"--alert {shown}: neither an Alertmanager webhook payload (`alerts`) nor an alert (`labels`)")
    labels = chosen.get("labels")
    if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
        raise AlertError(f"--alert {shown}: the alert's `labels` must map names to text")
    name = labels.get("alertname")
    if not name:
        raise AlertError(f"--alert {shown}: the alert has no `alertname` label, so no runbook can be picked")
    annotations = chosen.get("annotations") if isinstance(chosen.get("annotations"), dict) else {}
    status = chosen.get("status") if isinstance(chosen.get("status"), str) else None
    return Alert(name, dict(labels), _utc(chosen.get("startsAt")), status, others,
                 {k: v for k, v in annotations.items() if isinstance(v, str)})


def _utc(value) -> str | None:
    """Alertmanager writes RFC 3339 with nanoseconds (and `0001-01-01T00:00:00Z` for "unknown")."""
    if not isinstance(value, str):
        return None
    text = re.sub(r"(\.\d{6})\d+", r"\1", value.strip()).replace("Z", "+00:00")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None or moment.year < 1971:
        return None
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def runbook_for(catalog: Catalog, name: str, links: tuple[str, ...] = ()) -> Runbook | None:
    """The runbook that lists the alert in `alerts` (exact name first, then ignoring case); None if none does.
    When several list it, the one a runbook link of the firing alert (`links`) names is the one."""
    for same in (lambda a: a == name, lambda a: a.lower() == name.lower()):
        listing = [r for r in catalog.runbooks if any(same(a) for a in r.alerts)]
        if len(listing) == 1:
            return listing[0]
        if listing and links:
            from ..alerting.import_links import link_names_runbook

            named = [r for r in listing if any(link_names_runbook(link, r.id) for link in links)]
            if len(named) == 1:
                return named[0]
        if listing:
            choices = ", ".join(sorted(r.id for r in listing))
            raise AmbiguousAlert(f"alert {name} is listed by several runbooks: {choices}; name one by its id")
    return None


def label_values(runbook: Runbook, alert: Alert) -> dict[str, str]:
    """Values of the variables declared with `label:`, from the alert's labels, checked like any value."""
    values = {}
    for variable in runbook.variables:
        if variable.label and variable.label in alert.labels:
            value = alert.labels[variable.label]
            why = problem(variable, value)
            if why:
                raise AlertError(f"{variable.name} from the alert's label {variable.label}={value!r} {why}")
            values[variable.name] = value
    return values


def show(console: Console, alert: Alert) -> None:
    """The alert under the runbook's header: what fired, since when, with which labels."""
    since = f" since {alert.starts_at}" if alert.starts_at else ""
    status = f" ({alert.status})" if alert.status else ""
    console.say(f"Alert: {alert.name}{status}{since}", "bold")
    labels = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()) if k != "alertname")
    if labels:
        console.say(f"  labels: {labels}", "dim")
    if alert.others:
        console.say(f"  (the payload holds {alert.others} more alert(s); this session follows the first firing one)", "dim")

"""A transcript as a timeline: rows of (time, step, action, result) and totals, in Markdown or JSON.

The Markdown table has the columns of the post-mortem template's Timeline section, so it can be
pasted there as it is.
"""

from __future__ import annotations

import datetime as dt
import json
import re

FAILED = ("failed", "timed-out", "interrupted")


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def _command(text: str | None) -> str:
    if not text:
        return ""
    lines = text.strip().split("\n")
    return lines[0] + (" ..." if len(lines) > 1 else "")


def _code(text: str) -> str:
    """An inline code span that survives backticks in the command (CommonMark: a longer fence, padded)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _result(event: dict) -> str:
    """`succeeded (exit 0, 0.1s)`, `failed: exit code 3, expected 0 (0.1s)`: the reason first, and the
    exit code only once (a reason about the exit code already names it)."""
    status = event.get("status", "")
    reason = event.get("reason") if status != "succeeded" else None
    code = event.get("exit_code")
    bits = []
    if code is not None and status != "skipped" and not (reason and f"exit code {code}" in reason):
        bits.append(f"exit {code}")
    if event.get("duration") is not None:
        bits.append(f"{event['duration']:.1f}s")
    return status + (f": {reason}" if reason else "") + (f" ({', '.join(bits)})" if bits else "")


def _action(event: dict) -> str:
    decision = event.get("decision") or ""
    parts = []
    if event.get("attempts") and event.get("status") != "skipped":
        parts.append(f"attempt {event.get('attempt')}/{event['attempts']}")
    if event.get("command") and event.get("status") != "skipped":
        parts.append(f"ran {_code(_command(event['command']))}" + (" (edited)" if event.get("edited") else "")
                     + (" on the terminal (interactive; output not recorded)" if event.get("interactive") else ""))
    elif event.get("status") == "skipped" and decision == "condition false":
        parts.append(f"skipped by its condition {_code(_command(event.get('when')))}")
        decision = ""
    elif event.get("status") == "skipped":
        parts.append("skipped")
    checklist = event.get("checklist")
    if isinstance(checklist, list):
        done = sum(1 for item in checklist if item.get("done"))
        notes = "; ".join(f"{item['item']}: {item['note']}" for item in checklist if item.get("note"))
        parts.append(f"checklist {done}/{len(checklist)} done" + (f" ({notes})" if notes else ""))
    if decision and decision not in ("run", "skip", "checked"):
        parts.append(f"[{decision}]")
    return ", ".join(parts)


def _target(event: dict) -> str:
    values = event.get("target")
    if not isinstance(values, dict) or not values:
        return ""
    return "; target " + ", ".join(f"{name} = {value}" for name, value in values.items())


def _changes(changed) -> str:
    if not changed:
        return ""
    return "target changed: " + "; ".join(f"{c.get('name')} was {c.get('before')}, now {c.get('now')}" for c in changed)


def build(events: list[dict]) -> dict:
    start = events[0]
    rows: list[dict] = []
    final: dict[str, dict] = {}  # step id -> its last step-end
    open_step = None
    status = None

    def row(event: dict, step: str, action: str, result: str) -> None:
        # A called step (`roll-back/undo`) is shown under its call: indented by its depth.
        depth = step.count("/")
        rows.append({"time": event["time"], "step": step, "action": ("↳ " * depth) + action if depth else action,
                     "result": result, "depth": depth})

    def close_open(event: dict) -> None:
        nonlocal open_step
        if open_step:
            row(event, open_step, "step started; no result recorded", "unfinished (the session stopped here)")
            open_step = None

    alert = start.get("alert")
    if isinstance(alert, dict) and alert.get("name"):  # the session answered an alert: it opens the timeline
        labels = ", ".join(f"{k}={v}" for k, v in sorted((alert.get("labels") or {}).items()) if k != "alertname")
        rows.append({"time": alert.get("startsAt") or start["time"], "step": "",
                     "action": f"Alert {alert['name']} fired" + (f" ({labels})" if labels else ""), "result": alert.get("status") or ""})
    for event in events:
        kind = event["event"]
        who = f"{event.get('user', '?')}@{event.get('host', '?')}"
        if kind == "session-start":
            what = "Drill" if start.get("drill") is True else "Session"
            row(event, "", f"{what} started by {who}: runbook {event.get('runbook')}{_target(event)}", "")
        elif kind == "session-resume":
            close_open(event)
            changed = " (the runbook changed since the session started)" if event.get("runbook_changed") else ""
            row(event, "", f"Session resumed by {who} at step {event.get('next_step') or '(end)'}{changed}{_target(event)}",
                _changes(event.get("target_changed")))
        elif kind == "step-start":
            open_step = event.get("step")
        elif kind == "step-attempt":
            if event.get("retry") == "automatic":
                again = f"next attempt in {event.get('next_in')}s"
                row(event, event.get("step", ""), f"{_action(event)}, {again}", _result(event))
            else:
                row(event, event.get("step", ""), f"attempt {event.get('attempt')}: {_action(event)}, retried by the operator",
                    _result(event))
        elif kind == "target-check":
            changed = event.get("changed")
            moment = event.get("moment") or "before the destructive step"
            row(event, event.get("step", ""), f"target checked {moment}{_target(event)}",
                _changes(changed) if changed else "unchanged")
        elif kind == "variables":
            given = ", ".join(f"{name}={value}" for name, value in (event.get("variables") or {}).items())
            row(event, event.get("step", ""), f"variables given: {given}", "")
        elif kind == "rollback":
            row(event, event.get("step", ""), f"rollback {_code(_command(event.get('command')))}", _result(event))
        elif kind == "call-start":
            given = ", ".join(f"{name}={value}" for name, value in (event.get("variables") or {}).items())
            again = " again (resumed)" if event.get("resumed") else ""
            row(event, event.get("step", ""), f"call{again} {event.get('uses')}: {event.get('title') or ''}, "
                f"{event.get('steps')} step(s)" + (f", with {given}" if given else "") + _target(event), "")
        elif kind == "step-end" and event.get("uses"):  # a `uses` step: its call ended (or was skipped)
            open_step = None
            what = _action(event) if event.get("status") == "skipped" else f"call {event['uses']} ended"
            row(event, event.get("step", ""), what, event.get("status", ""))
        elif kind == "step-end":
            open_step = None
            final[event.get("step", "")] = event
            row(event, event.get("step", ""), _action(event), _result(event))
        elif kind == "session-end":
            close_open(event)
            status = event.get("status")
            reason = f": {event['reason']}" if event.get("reason") else ""
            row(event, "", "Session ended", f"{status}{reason}")
    if open_step:
        close_open(events[-1])
    first, last = _time(events[0]["time"]), _time(events[-1]["time"])
    totals = {
        "duration": _duration((last - first).total_seconds()),
        "duration_seconds": round((last - first).total_seconds(), 3),
        "steps_run": sum(1 for e in final.values() if e.get("status") != "skipped"),
        "steps_skipped": sum(1 for e in final.values() if e.get("status") == "skipped"),
        "steps_failed": sum(1 for e in final.values() if e.get("status") in FAILED),
    }
    return {"runbook": start.get("runbook"), "title": start.get("title"), "sha256": start.get("sha256"),
            "kind": "drill" if start.get("drill") is True else "run",
            "status": status or "unfinished", "started": events[0]["time"], "ended": events[-1]["time"],
            "rows": rows, "totals": totals}


def _cell(text: str) -> str:
    return (text or "").replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(timeline: dict) -> str:
    start = _time(timeline["started"])
    day = start.date()
    drill = timeline.get("kind") == "drill"  # a rehearsal: its timeline must never pass for an incident's
    out = ["## Drill timeline" if drill else "## Timeline", "",
           f"{'Drill of runbook' if drill else 'Runbook'} `{timeline['runbook']}` ({timeline.get('title') or ''}), "
           f"{day.isoformat()}, times in UTC; {'drill' if drill else 'session'} {timeline['status']}.", "",
           "| Time | Step | Action | Result |", "|------|------|--------|--------|"]
    for r in timeline["rows"]:
        moment = _time(r["time"])
        when = moment.strftime("%H:%M:%S") if moment.date() == day else moment.strftime("%Y-%m-%d %H:%M:%S")
        out.append(f"| {when} | {_cell(r['step'])} | {_cell(r['action'])} | {_cell(r['result'])} |")
    t = timeline["totals"]
    out += ["", f"**Totals**: duration {t['duration']}, {t['steps_run']} step(s) run, {t['steps_skipped']} skipped, "
                f"{t['steps_failed']} failed."]
    return "\n".join(out) + "\n"


def to_json(timeline: dict) -> str:
    return json.dumps(timeline, indent=2, ensure_ascii=False) + "\n"

"""A scenario's `expect` against what the session did: one line per difference, and a step-by-step table.

Only the keys the scenario gives are checked. `ran` and `skipped` are compared as ordered lists; `variables`
only for the names given (`null`: must not be set); `attempts` per step named.
"""

from __future__ import annotations

from ..model import Expectation
from .run import Facts


def _shown(items) -> str:
    return "[" + ", ".join(items) + "]"


def _value(value: str | None) -> str:
    return "not set" if value is None else repr(value)


def _not_commands(expected, facts: Facts) -> str:
    """Why steps listed in `ran` are not there when they are a checklist done or a call made: `ran` holds the
    steps whose command ran (a call's are its called steps, `call/step`)."""
    manual = [k for k in expected if k not in facts.ran and facts.did.get(k, "").startswith("checked")]
    calls = [k for k in expected if k not in facts.ran and facts.did.get(k, "").startswith("called")]
    notes = []
    if manual:
        notes.append(f"{', '.join(manual)}: a manual step (checklist) runs no command, so it is not in `ran`")
    if calls:
        notes.append(f"{', '.join(calls)}: a `uses` step runs no command of its own; `ran` lists the steps it "
                     f"calls ({calls[0]}/STEP)")
    return "".join(f"\n  ({note})" for note in notes)


def compare(expect: Expectation, facts: Facts) -> tuple[list[str], list[tuple[str, str, str, bool]]]:
    """(differences, table): the table has a row per step the session reached or the scenario names:
    (step, expected, actual, differs)."""
    problems: list[str] = []
    if expect.outcome is not None and expect.outcome != facts.outcome:
        why = f" ({facts.reason})" if facts.reason else ""
        problems.append(f"outcome: expected {expect.outcome}, got {facts.outcome}{why}")
    if expect.stopped_at is not None and expect.stopped_at != facts.stopped_at:
        got = facts.stopped_at or "none (the session completed)"
        problems.append(f"stopped_at: expected {expect.stopped_at}, got {got}")
    if expect.ran is not None and list(expect.ran) != facts.ran:
        problems.append(f"ran: expected {_shown(expect.ran)}, got {_shown(facts.ran)}{_not_commands(expect.ran, facts)}")
    if expect.skipped is not None and list(expect.skipped) != facts.skipped:
        problems.append(f"skipped: expected {_shown(expect.skipped)}, got {_shown(facts.skipped)}")
    for key, count in (expect.attempts or {}).items():
        got = facts.attempts.get(key, 0)
        if got != count:
            problems.append(f"attempts of {key}: expected {count}, got {got}")
    for name, value in (expect.variables or {}).items():
        got = facts.variables.get(name)
        if got != value:
            problems.append(f"variables.{name}: expected {_value(value)}, got {_value(got)}")
    if not problems:
        return [], []
    return problems, _table(expect, facts)


def _table(expect: Expectation, facts: Facts) -> list[tuple[str, str, str, bool]]:
    order = list(facts.reached)
    for key in (*(expect.ran or ()), *(expect.skipped or ()), *(expect.attempts or {})):
        if key not in order:
            order.append(key)
    expected_ran = set(expect.ran or ())
    expected_skipped = set(expect.skipped or ())
    rows = []
    for key in order:
        if key in expected_ran:
            wanted = "ran"
        elif key in expected_skipped:
            wanted = "skipped"
        elif expect.ran is not None or expect.skipped is not None:
            wanted = "not run"
        else:
            wanted = "-"
        count = (expect.attempts or {}).get(key)
        if count is not None:
            wanted += f", {count} attempt{'s' if count != 1 else ''}"
        if key == expect.stopped_at:
            wanted += ", stops here"
        actual = facts.did.get(key, "not reached")
        differs = ((key in expected_ran) != (key in facts.ran) and expect.ran is not None) or \
                  ((key in expected_skipped) != (key in facts.skipped) and expect.skipped is not None) or \
                  (count is not None and count != facts.attempts.get(key, 0)) or \
                  (expect.stopped_at is not None and (key == expect.stopped_at) != (key == facts.stopped_at))
        rows.append((key, wanted, actual, differs))
    return rows

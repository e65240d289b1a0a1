"""The typed model: frozen objects built only from schema-valid documents.

The site and the executor read these, never raw YAML. Every object keeps the JSON pointer it came
from so that later checks can point at a line.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

RISKS = ("read-only", "mutating", "destructive")
_DURATION = re.compile(r"^([1-9][0-9]*)(s|m|h|d|w)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def duration_seconds(text: str) -> int:
    """`15m` -> 900. The schema guarantees the form."""
    number, unit = _DURATION.match(text).groups()
    return int(number) * _UNIT_SECONDS[unit]


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    default: str | None = None
    example: str | None = None
    secret: bool = False
    required: bool = True
    pattern: str | None = None
    choices: tuple[str, ...] = ()
    pointer: str = ""
    label: str | None = None  # the alert label this variable's value comes from (`runbook exec --alert`)


@dataclass(frozen=True)
class Expect:
    exit_codes: tuple[int, ...] = (0,)
    output: str | None = None


@dataclass(frozen=True)
class Retry:
    attempts: int
    interval: int = 5


@dataclass(frozen=True)
class Probe:
    """A `target` probe: a named read-only command whose output says what the runbook acts on."""

    name: str
    run: str
    pointer: str = ""


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    description: str = ""
    run: str | None = None
    checklist: tuple[str, ...] = ()
    template: str | None = None
    risk: str = "read-only"
    confirm: str | None = None
    rollback: str | None = None
    timeout: int | None = None
    expect: Expect = field(default_factory=Expect)
    capture: str | None = None
    on_failure: str = "ask"
    pointer: str = ""
    retry: Retry | None = None
    when: str | None = None
    requires: tuple[str, ...] = ()
    interactive: bool = False
    uses: str | None = None  # `RUNBOOK` or `RUNBOOK#STEP`: the steps this one calls (generator/calls.py)
    with_: tuple[tuple[str, str], ...] = ()  # `with`: the called runbook's variable -> literal text or `$NAME`

    @property
    def called(self) -> tuple[str, str | None]:
        """(runbook id, step id or None) of a `uses` step."""
        runbook, _, step = (self.uses or "").partition("#")
        return runbook, step or None

    @property
    def attempts(self) -> int:
        return self.retry.attempts if self.retry else 1

    @property
    def destructive(self) -> bool:
        return self.risk == "destructive"

    @property
    def manual(self) -> bool:
        return self.run is None and self.uses is None


@dataclass(frozen=True)
class Phase:
    """A group of steps. A runbook without phases has one phase with an empty id and title."""

    id: str
    title: str
    description: str = ""
    steps: tuple[Step, ...] = ()
    pointer: str = ""


@dataclass(frozen=True)
class Document:
    kind: str
    id: str
    title: str
    path: str
    sha256: str
    description: str = ""


@dataclass(frozen=True)
class Runbook(Document):
    summary: str = ""
    service: str | None = None
    primary: bool = False
    owner: str = ""
    severity: str | None = None
    escalation: str | None = None
    tags: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    last_reviewed: dt.date | None = None
    review_interval: str | None = None
    variables: tuple[Variable, ...] = ()
    phases: tuple[Phase, ...] = ()
    requires: tuple[str, ...] = ()
    target: tuple[Probe, ...] = ()

    @functools.cached_property  # asked at every step of a session: flattened once (the runbook is frozen)
    def steps(self) -> tuple[Step, ...]:
        return tuple(step for phase in self.phases for step in phase.steps)

    @property
    def has_phases(self) -> bool:
        return any(phase.id for phase in self.phases)

    @functools.cached_property
    def phase_of_step(self) -> dict[str, Phase]:
        """Step id -> its phase, for a runbook written in phases (empty for a runbook of plain steps)."""
        return {step.id: phase for phase in self.phases for step in phase.steps} if self.has_phases else {}

    def variable(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    @property
    def confirm_word(self) -> str:
        """What the operator types to run a destructive step: the service, else the runbook id."""
        return self.service or self.id


@dataclass(frozen=True)
class SeverityLevel:
    id: str
    name: str
    definition: str
    response_time: str
    escalation: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeverityLevels(Document):
    levels: tuple[SeverityLevel, ...] = ()


@dataclass(frozen=True)
class OnCallTier:
    id: str
    name: str
    role: str
    responsibilities: str
    escalate_after: tuple[tuple[str, str], ...] = ()
    engaged_when: str | None = None
    respond_within: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class ManagementRule:
    role: str
    severity: str
    after: str
    note: str | None = None


@dataclass(frozen=True)
class ExternalContact:
    name: str
    category: str
    when: str
    contact: str | None = None
    sla: str | None = None


@dataclass(frozen=True)
class EscalationPolicy(Document):
    on_call: tuple[OnCallTier, ...] = ()
    management: tuple[ManagementRule, ...] = ()
    external: tuple[ExternalContact, ...] = ()


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    format: str
    body: str
    description: str = ""
    channel: str | None = None
    placeholders: tuple[tuple[str, str], ...] = ()
    pointer: str = ""


@dataclass(frozen=True)
class Templates(Document):
    templates: tuple[Template, ...] = ()


@dataclass(frozen=True)
class ReferenceItem:
    name: str
    description: str
    target: str | None = None


@dataclass(frozen=True)
class ReferenceSection:
    id: str
    title: str
    items: tuple[ReferenceItem, ...] = ()


@dataclass(frozen=True)
class Reference(Document):
    sections: tuple[ReferenceSection, ...] = ()


@dataclass(frozen=True)
class ScriptedResult:
    """What a command prints and exits with, in a scenario (`runbook test` starts no process)."""

    exit: int = 0
    output: str = ""


@dataclass(frozen=True)
class Expectation:
    """A scenario's `expect`: None for a key not given (not checked)."""

    outcome: str | None = None
    ran: tuple[str, ...] | None = None
    skipped: tuple[str, ...] | None = None
    attempts: dict | None = None  # step -> runs
    variables: dict | None = None  # name -> value, None for "not set"
    stopped_at: str | None = None


@dataclass(frozen=True, eq=False)
class Scenario:
    """One rehearsed session. Step-keyed mappings use the session's step keys (`id`, `caller/called`)."""

    name: str
    pointer: str
    variables: dict = field(default_factory=dict)
    target: dict = field(default_factory=dict)
    target_changes: dict = field(default_factory=dict)  # step -> {probe: value}
    results: dict = field(default_factory=dict)  # step -> tuple[ScriptedResult, ...]; one entry: every attempt
    rollbacks: dict = field(default_factory=dict)  # step -> tuple[ScriptedResult, ...]
    conditions: dict = field(default_factory=dict)  # step -> bool
    answers: dict = field(default_factory=dict)  # step -> tuple of "yes"|"skip"|"quit"
    default_answer: str = "yes"
    default_answers: tuple = ("yes",)  # `default` as given: a list answers each unnamed step's prompts in order
    expect: Expectation = field(default_factory=Expectation)
    per_attempt: frozenset = frozenset()  # steps whose `results` is a list (one per attempt), not one for all


@dataclass(frozen=True, eq=False)
class RunbookTest(Document):
    """A `runbook-test` document: scenarios for one runbook. Its id is the file name's stem
    (`payment-service.test`); the file names the runbook it tests."""

    runbook: str = ""
    scenarios: tuple[Scenario, ...] = ()


def build_document(data: dict[str, Any], path: str, sha256: str) -> Document:
    """Turn schema-valid data into its model object."""
    if data["kind"] == "runbook-test":
        return _runbook_test(data, path, sha256)
    base = dict(kind=data["kind"], id=data["id"], title=data["title"], path=path, sha256=sha256,
                description=data.get("description", ""))
    builder = _BUILDERS[data["kind"]]
    return builder(data, base)


def _step(data: dict, pointer: str) -> Step:
    expect = data.get("expect", {})
    codes = expect.get("exit_code", 0)
    return Step(
        id=data["id"], title=data["title"], description=data.get("description", ""),
        run=data.get("run"), checklist=tuple(data.get("checklist", ())), template=data.get("template"),
        risk=data.get("risk", "read-only"), confirm=data.get("confirm"), rollback=data.get("rollback"),
        timeout=data.get("timeout"),
        expect=Expect(tuple(codes) if isinstance(codes, list) else (codes,), expect.get("output")),
        capture=data.get("capture"), on_failure=data.get("on_failure", "ask"), pointer=pointer,
        retry=Retry(data["retry"]["attempts"], data["retry"].get("interval", 5)) if "retry" in data else None,
        when=data.get("when"), requires=tuple(data.get("requires", ())), interactive=data.get("interactive", False),
        uses=data.get("uses"), with_=tuple(data.get("with", {}).items()),
    )


def _runbook(data: dict, base: dict) -> Runbook:
    if "phases" in data:
        phases = tuple(
            Phase(p["id"], p["title"], p.get("description", ""),
                  tuple(_step(s, f"/phases/{i}/steps/{j}") for j, s in enumerate(p["steps"])), f"/phases/{i}")
            for i, p in enumerate(data["phases"]))
    else:
        phases = (Phase("", "", "", tuple(_step(s, f"/steps/{j}") for j, s in enumerate(data["steps"])), ""),)
    variables = tuple(
        Variable(name, v["description"], v.get("default"), v.get("example"), v.get("secret", False),
                 v.get("required", "default" not in v), v.get("pattern"), tuple(v.get("choices", ())),
                 f"/variables/{name}", v.get("label"))
        for name, v in data.get("variables", {}).items())
    reviewed = data.get("last_reviewed")
    return Runbook(
        **base, summary=data["summary"], service=data.get("service"), primary=data.get("primary", False),
        owner=data["owner"], severity=data.get("severity"), escalation=data.get("escalation"),
        tags=tuple(data.get("tags", ())), alerts=tuple(data.get("alerts", ())), related=tuple(data.get("related", ())),
        last_reviewed=dt.date.fromisoformat(reviewed) if reviewed else None,
        review_interval=data.get("review_interval"), variables=variables, phases=phases,
        requires=tuple(data.get("requires", ())),
        target=tuple(Probe(p["name"], p["run"], f"/target/{i}") for i, p in enumerate(data.get("target", ()))))


def _severity_levels(data: dict, base: dict) -> SeverityLevels:
    return SeverityLevels(**base, levels=tuple(
        SeverityLevel(l["id"], l["name"], l["definition"], l["response_time"], l["escalation"], tuple(l.get("examples", ())))
        for l in data["levels"]))


def _escalation_policy(data: dict, base: dict) -> EscalationPolicy:
    return EscalationPolicy(
        **base,
        on_call=tuple(OnCallTier(t["id"], t["name"], t["role"], t["responsibilities"],
                                 tuple(t.get("escalate_after", {}).items()), t.get("engaged_when"),
                                 t.get("respond_within"), t.get("contact")) for t in data["on_call"]),
        management=tuple(ManagementRule(m["role"], m["severity"], m["after"], m.get("note")) for m in data.get("management", ())),
        external=tuple(ExternalContact(e["name"], e["category"], e["when"], e.get("contact"), e.get("sla")) for e in data.get("external", ())))


def _templates(data: dict, base: dict) -> Templates:
    return Templates(**base, templates=tuple(
        Template(t["id"], t["title"], t["format"], t["body"], t.get("description", ""), t.get("channel"),
                 tuple(t.get("placeholders", {}).items()), f"/templates/{i}")
        for i, t in enumerate(data["templates"])))


def _reference(data: dict, base: dict) -> Reference:
    return Reference(**base, sections=tuple(
        ReferenceSection(s["id"], s["title"], tuple(ReferenceItem(i["name"], i["description"], i.get("target")) for i in s["items"]))
        for s in data["sections"]))


def _text(value) -> str:
    """A scenario's value as the shell would see it: numbers are their text."""
    return value if isinstance(value, str) else str(value)


def _results(value) -> tuple[ScriptedResult, ...]:
    items = value if isinstance(value, list) else [value or {}]  # `restart:` with nothing: no output, exit 0
    return tuple(ScriptedResult(item.get("exit", 0), _text(item.get("output", ""))) for item in items)


def _answers(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (value,)


def _scenario(data: dict, pointer: str) -> Scenario:
    expect = data.get("expect", {})
    answers = {step: _answers(answer) for step, answer in data.get("answers", {}).items()}
    defaults = answers.pop("default", ("yes",))
    return Scenario(
        name=data["name"], pointer=pointer,
        variables={name: _text(value) for name, value in data.get("variables", {}).items()},
        target={name: _text(value) for name, value in data.get("target", {}).items()},
        target_changes={step: {name: _text(value) for name, value in changes.items()}
                        for step, changes in data.get("target_changes", {}).items()},
        results={step: _results(value) for step, value in data.get("results", {}).items()},
        rollbacks={step: _results(value) for step, value in data.get("rollbacks", {}).items()},
        conditions=dict(data.get("conditions", {})),
        answers=answers, default_answer=defaults[0], default_answers=defaults,
        per_attempt=frozenset(step for step, value in data.get("results", {}).items() if isinstance(value, list)),
        expect=Expectation(
            outcome=expect.get("outcome"),
            ran=tuple(expect["ran"]) if "ran" in expect else None,
            skipped=tuple(expect["skipped"]) if "skipped" in expect else None,
            attempts=dict(expect["attempts"]) if "attempts" in expect else None,
            variables={name: None if value is None else _text(value) for name, value in expect["variables"].items()}
            if "variables" in expect else None,
            stopped_at=expect.get("stopped_at")))


def _runbook_test(data: dict, path: str, sha256: str) -> RunbookTest:
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return RunbookTest(kind="runbook-test", id=stem, title=f"Scenarios of {data['runbook']}", path=path, sha256=sha256,
                       description=data.get("description", ""), runbook=data["runbook"],
                       scenarios=tuple(_scenario(s, f"/scenarios/{i}") for i, s in enumerate(data["scenarios"])))


_BUILDERS = {
    "runbook": _runbook,
    "severity-levels": _severity_levels,
    "escalation-policy": _escalation_policy,
    "templates": _templates,
    "reference": _reference,
}

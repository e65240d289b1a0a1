"""`runbook test` reports: text like pytest's (a line per scenario, the failures, a summary), JUnit XML for
CI test reports, and the coverage table. Reporters return text; the command decides where it goes."""

from __future__ import annotations

from typing import Callable

from .coverage import RunbookCoverage
from .run import ScenarioRun
from .suite import Suite

Locate = Callable[[str, str], int]  # (path, JSON pointer) -> line


def where(run: ScenarioRun, locate: Locate) -> tuple[str, str]:
    """(`path:line`, the message) of a scenario that did not pass: the line is where to fix it."""
    scenario = run.scenario
    if run.problem is not None:
        name = run.problem.split(":", 1)[0].split(".", 1)[1]
        pointer, message = f"{scenario.pointer}/variables/{name}", run.problem
    elif run.gap is not None:
        field = run.gap.field
        given = getattr(scenario, field)  # results, conditions, rollbacks, variables: where to add what is missing
        pointer = f"{scenario.pointer}/{field}" if given else f"{scenario.pointer}/name"
        message = str(run.gap)
    else:
        pointer, message = f"{scenario.pointer}/expect", run.mismatches[0]
    return f"{run.test.path}:{locate(run.test.path, pointer)}", f"scenario {scenario.name!r}: {message}"


def failure_text(run: ScenarioRun, locate: Locate) -> list[str]:
    """The lines that explain one failed scenario: the first difference at its line, the others, the steps."""
    place, message = where(run, locate)
    lines = [f"{place}: {message}"]
    lines += [f"  {line}" for line in run.mismatches[1:]]
    if run.table:
        width = max(len("step"), *(len(row[0]) for row in run.table))
        wanted = max(len("expected"), *(len(row[1]) for row in run.table))
        lines.append(f"    {'step':<{width}}  {'expected':<{wanted}}  actual")
        for key, expected, actual, differs in run.table:
            lines.append(f"  {'!' if differs else ' '} {key:<{width}}  {expected:<{wanted}}  {actual}")
    return lines


def _test_id(run: ScenarioRun) -> str:
    return f"{run.test.path}::{run.scenario.name}"


def text(suite: Suite, locate: Locate, seconds: float, colour: bool = False, notes: list[str] = ()) -> str:
    """`notes`: the scenario files' lint findings, listed after the header (they do not change the exit code)."""
    def paint(word: str, code: str) -> str:
        return f"\033[{code}m{word}\033[0m" if colour else word

    out = [f"runbook test: {len(suite.runs)} scenario(s) in {suite.files} file(s)"]
    if notes:
        out.append(f"{len(notes)} lint finding(s) in the scenario files (`runbook lint` reports them too):")
        out += [f"  {note}" for note in notes]
    for run in suite.runs:
        out.append(f"{_test_id(run)} {paint('PASSED', '32') if run.passed else paint('FAILED', '31;1')}")
    failed = [run for run in suite.runs if not run.passed]
    if suite.errors:
        out.append(_banner("ERRORS"))
        out += suite.errors
    if failed:
        out.append(_banner("FAILURES"))
        for run in failed:
            out.append(f"{'_' * 8} {_test_id(run)} {'_' * 8}")
            out += failure_text(run, locate)
    passed = len(suite.runs) - len(failed)
    counts = [f"{len(failed)} failed"] if failed else []
    counts += [f"{passed} passed"] if passed or not (failed or suite.errors) else []
    counts += [f"{len(suite.errors)} error{'s' if len(suite.errors) != 1 else ''}"] if suite.errors else []
    out.append(_banner(f"{', '.join(counts)} in {seconds:.2f}s"))
    return "\n".join(out) + "\n"


def _banner(words: str, width: int = 80) -> str:
    words = f" {words} "
    left = max((width - len(words)) // 2, 3)
    return "=" * left + words + "=" * max(width - left - len(words), 3)


def coverage_text(items: list[RunbookCoverage]) -> str:
    rows = [(c.runbook.id, str(c.scenarios), f"{len(c.steps) - len(c.missed_steps)}/{len(c.steps)}",
             f"{len(c.branches) - len(c.missed_branches)}/{len(c.branches)}") for c in items]
    header = ("runbook", "scenarios", "steps", "branches")
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    out = [_banner("coverage"), "  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    for item, row in zip(items, rows):
        out.append("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
        if item.missed_steps:
            out.append(f"  steps no scenario ran: {', '.join(item.missed_steps)}")
        if item.missed_branches:
            grouped: dict[str, list[str]] = {}
            for key, branch in item.missed_branches:
                grouped.setdefault(key, []).append(branch)
            out.append("  branches no scenario took: " + "; ".join(f"{key} ({', '.join(b)})" for key, b in grouped.items()))
    return "\n".join(out) + "\n"


def junit(suite: Suite, locate: Locate, seconds: float) -> str:
    """JUnit XML: a test suite per scenario file, a test case per scenario (classname: the runbook)."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="runbook test", tests=str(len(suite.runs)),
                      failures=str(sum(not r.passed for r in suite.runs)), errors=str(len(suite.errors)),
                      time=f"{seconds:.3f}")
    by_file: dict[str, list[ScenarioRun]] = {}
    for run in suite.runs:
        by_file.setdefault(run.test.path, []).append(run)
    for path, runs in by_file.items():
        element = ET.SubElement(root, "testsuite", name=path, tests=str(len(runs)),
                                failures=str(sum(not r.passed for r in runs)), errors="0", skipped="0")
        for run in runs:
            case = ET.SubElement(element, "testcase", classname=run.test.runbook, name=run.scenario.name,
                                 file=path, line=str(locate(path, run.scenario.pointer + "/name")))
            if not run.passed:
                lines = failure_text(run, locate)
                failure = ET.SubElement(case, "failure", message=lines[0], type="ScenarioFailed")
                failure.text = "\n".join(lines)
            if run.output:
                ET.SubElement(case, "system-out").text = run.output
    if suite.errors:
        element = ET.SubElement(root, "testsuite", name="scenario files", tests=str(len(suite.errors)),
                                failures="0", errors=str(len(suite.errors)), skipped="0")
        for line in suite.errors:
            case = ET.SubElement(element, "testcase", classname="scenario-files", name=line.split(": ", 1)[0])
            ET.SubElement(case, "error", message=line, type="ScenarioFileError").text = line
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"

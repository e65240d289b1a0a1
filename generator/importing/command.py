"""`runbook import FILE.md|FOLDER [-o OUT] [--force]`: files and folders, output paths, the report, the exit code.

Exit codes: 0 every file imported (findings are warnings and notes for a person), 1 a file could not be
imported (empty, not UTF-8, or an importer bug caught by the schema check), 2 usage (missing path, not
Markdown, an output that exists without --force).

Output: without -o, `ID.yaml` in the current folder; `-o FILE.yaml` for one file; `-o DIR` for a file or a
folder (a folder's subfolders are mirrored); `-o -` writes one file's YAML to standard output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import click

from ..config import load_config
from ..errors import UserError
from ..findings import Finding
from ..project import display_path
from . import codes
from .assemble import import_markdown
from .text import MARKDOWN_SUFFIXES, is_markdown_name, markdown_stem, runbook_id_for, unique_ids
from .writer import InvalidImport, dump

FILE_SUFFIXES = MARKDOWN_SUFFIXES + (".txt",)  # a single .txt is read as Markdown (the seed is one)


class UsageError(UserError):
    """A missing path, a file that is not Markdown, an output that exists without --force (exit code 2)."""


@dataclass
class _Job:
    markdown: Path
    runbook_id: str
    target: Path | None  # None: standard output
    renamed_from: str = ""  # the id the file name gave, when another file of the folder has it too (RB713)
    taken_by: Path | None = None  # ... or when a runbook already in the project has it (RB713)


def run_import(source: Path, out: Path | None, force: bool, alert_rules: list[Path] = ()) -> int:
    from ..alerting.import_links import links_for_import, report, summary

    jobs = _plan(source, out)
    config = load_config()
    if not (out is not None and out.suffix.lower() in (".yaml", ".yml")):  # an id the user named stays
        jobs = _avoid_project_ids(jobs, [config.runbooks, *([out] if out is not None and str(out) != "-" else [])])
    _check_targets(jobs, force)
    # Alerting rules whose runbook links name the files imported here (--alert-rules, or alert-rules in [tool.runbook]).
    links, rule_problems = links_for_import(config, list(alert_rules), [job.markdown for job in jobs])
    _print(rule_problems, True)
    patterns = tuple(config.lint.destructive_patterns)
    to_stdout = len(jobs) == 1 and jobs[0].target is None
    report_err = to_stdout  # keep standard output for the YAML
    imported: list[tuple[_Job, int, int]] = []
    failed: list[tuple[_Job, str]] = []
    skipped: list[_Job] = []  # empty files of a folder
    for job in jobs:
        shown = display_path(job.markdown)
        try:
            text, encoding_note = _read(job.markdown, config.lint.max_file_size)
        except UsageError as exc:
            if len(jobs) == 1:
                raise
            click.echo(str(exc), err=report_err)  # the message starts with the file's path already
            failed.append((job, str(exc).removeprefix(f"{shown}: ")))
            continue
        result = import_markdown(text, shown, job.runbook_id, patterns)
        if encoding_note:
            result.findings.insert(0, Finding(shown, encoding_note[0], 1, codes.NOT_UTF8.code, codes.NOT_UTF8.severity,
                                              encoding_note[1]))
        if job.renamed_from:
            clash = (f"the id of {display_path(job.taken_by)} in this project" if job.taken_by
                     else "another imported file's id")
            result.findings.insert(0, Finding(shown, 1, 1, codes.ID_RENAMED.code, codes.ID_RENAMED.severity,
                                              f"id {job.renamed_from!r} is also {clash}; this "
                                              f"runbook is {job.runbook_id!r}"))
        if result.data is None and len(jobs) > 1 and \
                {f.code for f in result.findings if f.severity == "error"} == {codes.EMPTY.code}:
            # In a folder an empty page is a stub (GitLab's runbooks have some): skipped with a warning, and
            # the import still succeeds. Named on its own, an empty file is an error: nothing was imported.
            _print([replace(f, severity="warning", message=f"{f.message}; skipped") if f.code == codes.EMPTY.code else f
                    for f in result.findings], report_err)
            skipped.append(job)
            continue
        _print(result.findings, report_err)
        if result.data is None:
            failed.append((job, "; ".join(f.message for f in result.findings if f.severity == "error") or "not imported"))
            continue
        if links is not None:
            links.apply(job.markdown, result.data)
        shown_target = display_path(job.target) if job.target else f"{job.runbook_id}.yaml"
        try:
            yaml_text = dump(result.data, job.target, shown_target, config.root)
        except InvalidImport as exc:
            click.echo(f"runbook import: BUG: the YAML imported from {shown} does not pass the schema; nothing written. "
                       "Please report it with the Markdown file:", err=True)
            _print(exc.findings, True)
            failed.append((job, "the imported YAML did not pass the schema (importer bug)"))
            continue
        if job.target is None:
            click.echo(yaml_text, nl=False)
        else:
            try:
                job.target.parent.mkdir(parents=True, exist_ok=True)
                with open(job.target, "w" if force else "x", encoding="utf-8") as handle:
                    handle.write(yaml_text)
            except OSError as exc:  # a read-only folder, a file where a folder should be, a full disk
                reason = f"cannot write {shown_target}: {exc.strerror or exc}"
                if len(jobs) == 1:
                    raise UsageError(f"{reason}; pass another -o") from None
                click.echo(f"{shown}: {reason}", err=report_err)
                failed.append((job, reason))
                continue
        warnings = sum(1 for f in result.findings if f.severity in ("warning", "error"))
        steps = sum(len(p["steps"]) for p in result.data.get("phases", [])) + len(result.data.get("steps", []))
        imported.append((job, warnings, steps))
        phases = len(result.data.get("phases", []))
        where = shown_target if job.target else "standard output"
        shape = f"{phases} phases, {steps} steps" if phases else f"{steps} steps"
        click.echo(f"imported {shown} -> {where}: {shape}, {len(result.data.get('variables', {}))} variables; "
                   f"{warnings} finding(s) need a person", err=report_err)
    if len(jobs) > 1:
        _summary(imported, failed, skipped, report_err)
    if links is not None:
        _print(report(links), report_err)
        for line in summary(links):
            click.echo(line, err=report_err)
    return 1 if failed else 0


def _plan(source: Path, out: Path | None) -> list[_Job]:
    if not source.exists():
        raise UsageError(f"{source}: no such file or folder")
    if source.is_dir():
        files = sorted(p for p in source.rglob("*") if p.is_file() and is_markdown_name(p.name)
                       and not any(part.startswith(".") for part in p.relative_to(source).parts))
        if not files:
            raise UsageError(f"{source}: no Markdown files ({', '.join(MARKDOWN_SUFFIXES)}) in this folder")
        if out is not None and str(out) == "-":
            raise UsageError("-o - (standard output) takes one file, not a folder; pass -o FOLDER")
        if out is not None and out.exists() and not out.is_dir():
            raise UsageError(f"{out}: is a file; a folder imports into a folder (-o FOLDER)")
        base = out or Path.cwd()
        ids = unique_ids([path.relative_to(source) for path in files], source.resolve().name)
        return [_Job(path, ids[i][0], base / path.relative_to(source).parent / f"{ids[i][0]}.yaml", ids[i][1])
                for i, path in enumerate(files)]
    if source.suffix.lower() not in FILE_SUFFIXES and not is_markdown_name(source.name):
        raise UsageError(f"{source}: not a Markdown file; pass a .md or .markdown file (or a folder of them)")
    runbook_id = runbook_id_for(markdown_stem(source), source.resolve().parent.name)
    if out is None:
        target: Path | None = Path.cwd() / f"{runbook_id}.yaml"
    elif str(out) == "-":
        target = None
    elif out.suffix.lower() in (".yaml", ".yml"):
        if out.is_dir():
            raise UsageError(f"{out}: is a folder; name the output file differently or pass the folder without .yaml")
        target = out
        if out.stem != runbook_id:
            # the format wants id == file name: the id follows the name the user asked for
            runbook_id = runbook_id_for(out.stem, "")
    else:
        if out.exists() and not out.is_dir():
            raise UsageError(f"{out}: exists and is not a folder; use -o FILE.yaml or -o FOLDER")
        target = out / f"{runbook_id}.yaml"
    return [_Job(source, runbook_id, target)]


_ID_LINE = re.compile(r"^id:[ \t]*['\"]?([A-Za-z0-9][A-Za-z0-9_.-]*)", re.MULTILINE)


def _project_ids(folders: list[Path], overwritten: set[Path]) -> dict[str, Path]:
    """Runbook id -> file, for the YAML files already in these folders (their `id:` line), but for the
    files this import writes over (a re-import keeps its ids)."""
    ids: dict[str, Path] = {}
    seen: set[Path] = set()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*.y*ml"):
            resolved = path.resolve()
            if resolved in seen or resolved in overwritten or path.suffix.lower() not in (".yaml", ".yml"):
                continue
            seen.add(resolved)
            try:
                match = _ID_LINE.search(path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
            if match:
                ids.setdefault(match.group(1), path)
    return ids


def _avoid_project_ids(jobs: list[_Job], folders: list[Path]) -> list[_Job]:
    """Imported runbooks whose id a runbook of the project already has get their folder's name in front
    (`backups` from a second repository becomes `manual-backups`): ids must be unique (RB201), and what the
    importer writes must not fail lint for a reason of its own."""
    taken = _project_ids(folders, {job.target.resolve() for job in jobs if job.target is not None})
    if not any(job.runbook_id in taken for job in jobs if job.target is not None):
        return jobs
    used = {job.runbook_id for job in jobs}  # ids of this import
    renamed = []
    for job in jobs:
        if job.target is None or job.runbook_id not in taken:
            renamed.append(job)
            continue

        def free(candidate: str) -> bool:  # a file of the project with that id is free only if it is this target
            owner = taken.get(candidate)
            target = job.target.with_name(f"{candidate}.yaml").resolve()
            return candidate not in used and (owner is None or owner.resolve() == target)

        base = runbook_id_for(f"{job.markdown.resolve().parent.name}-{job.runbook_id}", "")
        new, number = base, 2
        while not free(new):
            new, number = f"{base}-{number}", number + 1
        used.add(new)
        renamed.append(_Job(job.markdown, new, job.target.with_name(f"{new}.yaml"),
                            job.renamed_from or job.runbook_id, taken[job.runbook_id]))
    return renamed


def _check_targets(jobs: list[_Job], force: bool) -> None:
    """Before anything is written: no two files to one target, and nothing overwritten without --force."""
    seen: dict[Path, Path] = {}
    for job in jobs:
        if job.target is None:
            continue
        key = job.target.resolve()
        if key in seen:
            raise UsageError(f"{display_path(seen[key])} and {display_path(job.markdown)} would both be written to "
                             f"{display_path(job.target)}; rename one of them")
        seen[key] = job.markdown
    existing = [job.target for job in jobs if job.target is not None and job.target.exists()]
    if existing and not force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise UsageError(f"{display_path(existing[0])} already exists{more}; pass --force to overwrite")


def _read(path: Path, max_bytes: int) -> tuple[str, tuple[int, str] | None]:
    """The file's text, and (line, message) when it had to be read as Windows-1252 (RB714)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UsageError(f"{display_path(path)}: {size:,} bytes is over the {max_bytes:,} byte limit (max-file-size)")
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{display_path(path)}: cannot read: {exc.strerror or exc}") from None
    if b"\0" in raw:
        raise UsageError(f"{display_path(path)}: contains NUL bytes; not a Markdown text file")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        # a wiki exported on Windows: read as Windows-1252 (its five undefined bytes become U+FFFD), so the
        # runbook is imported and the finding (RB714) says what to check
        line = raw.count(b"\n", 0, exc.start) + 1
        return raw.decode("cp1252", errors="replace").removeprefix("\ufeff"), (
            line, f"byte 0x{raw[exc.start]:02x} is not UTF-8: the file was read as Windows-1252; check its accented "
                  "characters and re-save it as UTF-8")


def _print(findings: list[Finding], err: bool) -> None:
    for finding in findings:
        click.echo(finding.line_text(), err=err)


def _summary(imported, failed, skipped, err: bool) -> None:
    total = len(imported) + len(failed)
    steps = sum(n for _, _, n in imported)
    empty = f"; {len(skipped)} empty file(s) skipped" if skipped else ""
    click.echo(f"\nimported {len(imported)} of {total} file(s), {steps} steps in all{empty}", err=err)
    review = [(job, n) for job, n, _ in imported if n]
    if review:
        click.echo("needs a person (warnings above):", err=err)
        for job, n in review:
            click.echo(f"  {display_path(job.target)}: {n}", err=err)
    if failed:
        click.echo("not imported:", err=err)
        for job, reason in failed:
            click.echo(f"  {display_path(job.markdown)}: {reason}", err=err)

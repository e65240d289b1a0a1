"""The section tree -> a runbook mapping (metadata, variables, phases or steps) and the import's findings.

The jobs live beside this module: front_matter.py (metadata), layout.py (phases or flat steps), steps.py
(blocks -> steps), variables.py (placeholders -> variables), text.py (titles, ids). This module puts the
title, summary, description, variables and steps together and reports inline HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import Finding
from . import codes
from .front_matter import read_front_matter
from .layout import layout, own_steps, text_of
from .references import inline_references
from .sections import Section, parse
from ..shell import syntax_errors
from ..shell.placeholders import mask_placeholders
from .steps import Importer, Phase, Step, fenced
from .text import Ids, clean_title, code_placeholders, is_toc, one_line
from .variables import CommandRef, infer

SUMMARY_SECTIONS = ("meaning", "overview", "summary", "description", "purpose", "when to use")


@dataclass
class Result:
    data: dict | None
    findings: list[Finding]


def import_markdown(text: str, path: str, runbook_id: str, extra_patterns: tuple[str, ...] = ()) -> Result:
    """The runbook mapping (None when nothing could be imported) and the findings, for one Markdown file.

    Whatever goes wrong inside is this file's finding (RB712, at the block being read), never an exception:
    a folder import goes on with the other files."""
    importer = Importer(path, runbook_id, tuple(extra_patterns))
    try:
        return _import(importer, text, runbook_id)
    except Exception as exc:  # noqa: BLE001 - an importer bug on one file must not stop the others
        where = f" (in {_origin(exc)})" if _origin(exc) else ""
        importer.note(codes.IMPORT_FAILED, importer.line, f"the importer failed on the block at this line: "
                                                          f"{type(exc).__name__}: {exc}{where}; nothing was imported "
                                                          "from this file, please report it with the file")
        return Result(None, sorted(importer.findings))


def _origin(exc: BaseException) -> str:
    """`commands.py:169 derive_title`: the innermost frame of the importer, for the bug report."""
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "generator" in f.filename]
    if not frames:
        return ""
    frame = frames[-1]
    return f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"


def _import(importer: Importer, text: str, runbook_id: str) -> Result:
    if not text.strip():
        importer.note(codes.EMPTY, 1, "the file is empty; nothing to import")
        return Result(None, importer.findings)
    if importer.path.lower().endswith(".erb"):  # a Middleman page with ERB helpers (`x.html.md.erb`)
        from .erb import render

        text, left = render(text)
        for line, tag in left:
            importer.note(codes.NEEDS_REVIEW, line, f"ERB template code {tag[:80]} is kept as written, never evaluated; "
                                                    "replace it with the text the page showed")
    document = parse(inline_references(text))  # a link's definition may sit in another part of the page
    meta = read_front_matter(importer, document, text)

    # The title: front matter, else a single top heading, else the file name.
    body = document.root
    heading_title = ""
    for section in document.root.walk():  # `[[_TOC_]]` markers mean nothing once the page is YAML
        section.blocks = [b for b in section.blocks if not is_toc(b)]
    top = document.root.children
    if len(top) == 1 and not any(b.kind != "html" for b in document.root.blocks):
        body = top[0]
        heading_title = clean_title(top[0].title)
        # HTML above the title (comments, a logo) is reported like any other, not dropped unseen
        body.blocks = document.root.blocks + body.blocks
    title = meta.get("title") or heading_title
    if not title:
        title = runbook_id.replace("-", " ").capitalize()
        importer.note(codes.GUESSED, 1, f"no single top heading; title {title!r} taken from the file name")
    title = one_line(title)

    description_parts: list[str] = []
    summary = meta.get("summary")
    intro_blocks = list(body.blocks)
    paragraphs = [b for b in intro_blocks if b.kind == "paragraph"]
    if not summary and paragraphs:
        # the first intro paragraph is the summary, so it is not repeated in a description
        summary = " ".join(paragraphs[0].source.split())
        intro_blocks.remove(paragraphs[0])
    intro = Section(body.level, "", body.line, intro_blocks, [])
    intro_lead, intro_steps = importer.steps_of(intro) if own_steps(intro) else ([], [])
    if not summary:
        for section in body.walk():
            if section.title.strip().lower() in SUMMARY_SECTIONS:
                paragraphs = [b for b in section.blocks if b.kind == "paragraph"]
                if paragraphs:
                    summary = " ".join(paragraphs[0].source.split())
                    importer.note(codes.GUESSED, paragraphs[0].line, f"summary taken from the {section.title!r} section")
                    break
    if not summary:
        summary = "TODO: say in one or two sentences when to use this runbook."
        importer.note(codes.PLACEHOLDER_METADATA, 1, "no summary (no intro paragraph or front matter `summary`); wrote a TODO placeholder")
    if meta.get("description"):
        description_parts.append(meta["description"])
    if not own_steps(intro):
        description_parts.append(text_of(importer, intro, level_mark=False))
    else:
        description_parts.extend(intro_lead)

    phases, steps = layout(importer, body, description_parts, intro_steps)
    all_steps = steps + [s for p in phases for s in p.steps]
    if not all_steps:
        importer.note(codes.NO_STEPS, 1, "no commands or task lists found; the text is the description and a "
                                         "placeholder step asks for the real steps")
        steps = [Step("Write the steps of this runbook", 1,
                       checklist=["TODO: turn the description into steps with commands or checklists"])]
        all_steps = steps

    _keep_what_bash_accepts(importer, all_steps)
    refs = [CommandRef(s.run, s.line, s.title) for s in all_steps if s.run is not None]
    inferred = infer(refs)
    for name, (value, line, written) in importer.settings.items():
        variable = inferred.variables.setdefault(name, {"description": f"{name.replace('_', ' ').capitalize()} "
                                                                     f"(set by `{written}` in the Markdown)"[:200]})
        if value and "default" not in variable:
            variable["default"] = value
        importer.note(codes.VARIABLE, line, f"`{written}` became variable {name} with default {value!r}, not a step "
                                            "(each step runs in its own shell); check it")
    for ref, step in zip(refs, [s for s in all_steps if s.run is not None]):
        step.run = ref.text
    for line, kind, message in inferred.notes:
        importer.note(codes.VARIABLE if kind == "variable" else codes.NEEDS_REVIEW, line, message)

    owner = meta.get("owner")
    if not owner:
        owner = "todo-owner"
        importer.note(codes.PLACEHOLDER_METADATA, 1, "no owner (front matter `owner:`); wrote `todo-owner`, put the owning team there")

    data: dict = {"kind": "runbook", "id": runbook_id, "title": title, "summary": code_placeholders(summary)}
    description = "\n\n".join(p for p in description_parts if p and p.strip()).strip()
    if description:
        data["description"] = code_placeholders(description)
    for key in ("service", "severity", "escalation"):
        if meta.get(key):
            data[key] = meta[key]
    data["owner"] = owner
    for key in ("tags", "alerts", "related", "last_reviewed"):
        if meta.get(key):
            data[key] = meta[key]
    if inferred.variables:
        data["variables"] = inferred.variables
    ids = Ids()
    if phases:
        data["phases"] = []
        phase_ids = Ids("phase")
        for phase in phases:
            entry = {"id": phase_ids.make(phase.title), "title": phase.title}
            text = "\n\n".join(p for p in phase.description if p.strip()).strip()
            if text:
                entry["description"] = code_placeholders(text)
            entry["steps"] = [s.as_dict(ids.make(s.title)) for s in phase.steps]
            data["phases"].append(entry)
    else:
        data["steps"] = [s.as_dict(ids.make(s.title)) for s in steps]
    _report_inline_html(importer, data, phases, steps)
    return Result(data, sorted(importer.findings))


def _keep_what_bash_accepts(importer: Importer, steps: list[Step]) -> None:
    """The last word on syntax is bash's: the file's commands where tree-sitter-bash and bash can disagree
    (several lines, here documents, `case`, backquotes) go through one `bash -n` (batched, nothing runs);
    one that bash rejects becomes a manual step with the text in its description, so the import never
    hands lint a syntax error (RB404). One-line commands were judged by the parse already (languages.py),
    and a file without doubtful commands starts no process: an import of hundreds of files stays fast."""
    running = [step for step in steps if step.run is not None and _doubtful(step.run)]
    for index, (message, _line) in syntax_errors([mask_placeholders(step.run) for step in running]):
        step = running[index]
        step.description.append(fenced(step.run, "bash"))
        step.run, step.risk, step.confirm = None, None, None
        step.checklist = ["Fix the command below and run it by hand: bash does not accept it as written"]
        importer.note(codes.NOT_SHELL, step.line, f"bash does not accept this command ({message}); imported as a "
                                                  "manual step with the command in its description, never run")


def _doubtful(command: str) -> bool:
    return "\n" in command or "<<" in command or "`" in command or "case" in command


def _report_inline_html(importer: Importer, data: dict, phases: list[Phase], steps: list[Step]) -> None:
    """Inline HTML (`<br>`, `<kbd>`) stays as written, but lint flags it (RB502): say so here, where it came in."""
    places = [("the runbook's summary", 1, data.get("summary", "")), ("the runbook's description", 1, data.get("description", ""))]
    entries = [(p.line, entry) for p, entry in zip(phases, data.get("phases", []))]
    for line, entry in entries:
        places.append((f"the description of phase {entry['title']!r}", line, entry.get("description", "")))
    pairs = [(s, d) for p, entry in zip(phases, data.get("phases", [])) for s, d in zip(p.steps, entry["steps"])]
    pairs += list(zip(steps, data.get("steps", [])))
    for step, out in pairs:
        places.append((f"step {out['title']!r}", step.line, "\n".join([out.get("description", "")] + out.get("checklist", []))))
    for where, line, text in places:
        tag = _inline_html(text) if "<" in text else None
        if tag:
            importer.note(codes.RAW_HTML, line, f"inline HTML {tag!r} kept in {where}; rewrite it as Markdown")


def _inline_html(text: str) -> str | None:
    from markdown_it import MarkdownIt

    for token in MarkdownIt("commonmark").parse(text):
        for child in token.children or ():
            if child.type == "html_inline" and not child.content.startswith("<!--"):
                return child.content[:60]
    return None

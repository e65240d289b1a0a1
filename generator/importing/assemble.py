"""The section tree -> a runbook mapping (metadata, variables, phases or steps) and the import's findings.

Layout: below the title heading, the importer looks for the shallowest heading level where at least two
sections hold steps (commands or task lists); those sections become phases. With one such section it
descends into it; with none, or when a section holds steps itself, the steps are flat. Sections without
steps never vanish: text before the first phase goes into the runbook's description, text between phases
into the next phase's, text after the last phase into the last phase's.

Inside a phase, prose waits for the next step and becomes its description; prose before the first step is
the phase's description, prose after the last step joins the last step's description.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..findings import Finding
from . import codes
from .commands import (Command, derive_title, is_inline_command, is_mutating, is_shell_block, split_block,
                       title_from_prose)
from .sections import Block, Item, Section, parse
from .variables import CommandRef, infer

_NUMBERING = re.compile(r"^(\d+[.)]|step\s+\d+[:.)]?|[ivx]+\.)\s+", re.IGNORECASE)
_HTML_COMMENT = re.compile(r"^\s*<!--.*?-->\s*$", re.DOTALL)
FRONT_MATTER_KEYS = ("title", "summary", "description", "service", "owner", "severity", "escalation", "tags",
                     "alerts", "related", "last_reviewed")
KEY_ALIASES = {"team": "owner", "name": "title", "alert": "alerts", "keywords": "tags", "updated": "last_reviewed",
               "last-reviewed": "last_reviewed", "reviewed": "last_reviewed"}
SUMMARY_SECTIONS = ("meaning", "overview", "summary", "description", "purpose", "when to use")


@dataclass
class Result:
    data: dict | None
    findings: list[Finding]


@dataclass
class _Step:
    title: str
    line: int
    description: list[str] = field(default_factory=list)
    run: str | None = None
    checklist: list[str] | None = None
    risk: str | None = None
    confirm: str | None = None

    def as_dict(self, step_id: str) -> dict:
        out: dict = {"id": step_id, "title": self.title}
        text = "\n\n".join(part for part in self.description if part.strip()).strip()
        if text:
            out["description"] = _code_placeholders(text)
        if self.run is not None:
            out["run"] = self.run
        if self.checklist:
            out["checklist"] = [_code_placeholders(item) for item in self.checklist]
        if self.risk:
            out["risk"] = self.risk
        if self.confirm:
            out["confirm"] = self.confirm
        return out


@dataclass
class _Phase:
    title: str
    line: int
    description: list[str] = field(default_factory=list)
    steps: list[_Step] = field(default_factory=list)


class _Importer:
    def __init__(self, path: str, runbook_id: str, extra_patterns: tuple[str, ...]):
        self.path = path
        self.runbook_id = runbook_id
        self.extra_patterns = extra_patterns
        self.findings: list[Finding] = []
        self.settings: dict[str, tuple[str, int, str]] = {}  # NAME -> (value, line, the line as written)

    def note(self, rule, line: int, message: str) -> None:
        self.findings.append(Finding(self.path, line, 1 if line else 0, rule.code, rule.severity, message))

    # ---- steps from blocks ------------------------------------------------------------------------

    def steps_of(self, section: Section, include_self_heading: bool = False) -> tuple[list[str], list[_Step]]:
        """(prose before the first step, steps) of a section and its subsections, in reading order."""
        walker = _Walker(self)
        if include_self_heading:
            walker.heading = section.title
            walker.untitled = _clean_title(section.title)
        walker.section(section, top=True)
        return walker.finish()

    def command_step(self, command: Command, title: str, label: str, prose: list[str]) -> _Step:
        guessed = False
        if not title:
            title = command.title
        if not title and command.group_title:
            title = f"{command.group_title} ({derive_title(command.text).removeprefix('Run ')})"
        if not title:
            title, guessed = derive_title(command.text), True
        title = _line(title)
        if label and not title.lower().startswith(label.lower()):
            title = _line(f"{label}: {title}")
        step = _Step(title, command.line, description=list(prose))
        if command.note:
            step.description.append(command.note)
        if guessed:
            self.note(codes.GUESSED, command.line, f"step title {title!r} derived from the command; write what it checks or does")
        if command.kind == "shell":
            step.run = command.text
            if command.output.strip():
                step.description.append("Expected output:\n\n```text\n" + command.output.rstrip() + "\n```")
        elif command.kind == "sql":
            step.checklist = ["Run the SQL statement below in a database session and check its result"]
            step.description.append("```sql\n" + command.text + "\n```")
            self.note(codes.NOT_SHELL, command.line, "SQL inside a shell block is not a shell command; imported as a "
                                                     "manual step with the SQL in its description (wrap it in `psql -c` to run it)")
        else:
            step.checklist = [_line(f"In chat, send: {command.text}")]
            self.note(codes.NOT_SHELL, command.line, f"`{command.text.split()[0]}` is a chat slash command, not shell; "
                                                     "imported as a manual checklist step")
        self.classify_risk(step, command.text, command.line)
        return step

    def classify_risk(self, step: _Step, text: str, line: int) -> None:
        from ..shell import find_destructive

        label = find_destructive(text, self.extra_patterns)
        if label:
            step.risk = "destructive"
            step.confirm = (f"TODO: say what this breaks and why it is still the right move "
                            f"(the importer matched `{label}`).")
            self.note(codes.DESTRUCTIVE, line, f"step {step.title!r} looks destructive ({label}); "
                                               "marked risk: destructive, write its confirm text")
        elif step.run is not None and is_mutating(text):
            step.risk = "mutating"
            self.note(codes.GUESSED, line, f"step {step.title!r} changes state: marked risk: mutating (a guess)")


class _Walker:
    """Walks one phase's (or the flat runbook's) sections in reading order, turning blocks into steps."""

    def __init__(self, importer: _Importer):
        self.importer = importer
        self.lead: list[str] = []  # prose before the first step
        self.prose: list[str] = []  # prose waiting for the next step
        self.steps: list[_Step] = []
        self.heading = ""  # a heading (or bold label) not yet written into the prose
        self.untitled = ""  # a heading no step has taken yet: `### Check lag` above a block titles its command
        self.context = ""  # the nearest heading: the title of a task list
        self.label = ""  # the nearest bold label (`**Payment Service**`): prefixes command titles

    def section(self, section: Section, top: bool = False) -> None:
        if not top:
            self.heading = self.context = self.untitled = _clean_title(section.title)
            self.label = ""
        elif section.title:
            self.context = _clean_title(section.title)
        for block in section.blocks:
            self.block(block)
        for child in section.children:
            self.section(child)

    def add_prose(self, text: str) -> None:
        if not text.strip():
            return
        if self.heading:
            self.prose.append(f"**{self.heading}**")
            self.heading = ""
        self.prose.append(text.rstrip())

    def take_prose(self) -> list[str]:
        # prose right before a command describes that command, so it goes to the step, not the phase
        taken, self.prose = self.prose, []
        self.heading = ""
        return taken

    def push(self, step: _Step) -> None:
        self.steps.append(step)
        self.untitled = ""

    def block(self, block: Block) -> None:
        importer = self.importer
        if block.kind == "label":
            self.heading = self.label = self.context = block.content
            self.untitled = ""  # the label prefixes the command titles instead
            return
        if block.kind == "html":
            if _HTML_COMMENT.match(block.content):
                importer.note(codes.RAW_HTML, block.line, "HTML comment dropped")
                return
            importer.note(codes.RAW_HTML, block.line, "raw HTML kept as an ```html block in a description; rewrite it as Markdown")
            self.add_prose("```html\n" + block.content.rstrip() + "\n```")
            return
        if block.kind == "code":
            self.code(block, "")
            return
        if block.kind == "list":
            self.list(block)
            return
        self.add_prose(block.source)

    def code(self, block: Block, title: str) -> None:
        shell, guessed = is_shell_block(block.info, block.content)
        if guessed:
            what = "shell commands" if shell else "text (never run)"
            self.importer.note(codes.GUESSED, block.line, f"code block without a language read as {what}; "
                                                          "label the fence (```bash or ```text) to say so")
        if not shell:
            self.add_prose(block.source)
            return
        commands = split_block(block.content, block.line + 1, block.info)
        for command in [c for c in commands if c.kind == "shell" and _SETTING.match(c.text)]:
            # `export TARGET=replica-1` on its own line sets a value for the commands below it; every step runs
            # in its own shell, so as a step it would set nothing: it becomes the variable's default instead
            match = _SETTING.match(command.text)
            self.importer.settings.setdefault(match.group(1).upper(), (match.group(2).strip("'\""), command.line,
                                                                       command.text))
            commands.remove(command)
        if not commands:
            self.add_prose(block.source)
            return
        if not title and self.prose and not commands[0].title:
            # "Restart the deployment:" right above a block titles its first command
            last = self.prose[-1]
            if "\n" not in last and last.endswith(":") and len(last) <= 120 and not last.startswith(("-", "*", "|", ">")):
                title = _clean_title(last.rstrip(":"))
                self.prose.pop()
        if not title and not commands[0].title and self.untitled:
            # the heading says what the block does; a following untitled command reads `Check lag (awk ...)`
            title = self.untitled
            if f"**{title}**" in self.prose:
                self.prose.remove(f"**{title}**")
            for command in commands[1:]:
                command.group_title = command.group_title or title
        for i, command in enumerate(commands):
            prose = self.take_prose()
            step = self.importer.command_step(command, title if i == 0 else "", self.label, prose)
            self.push(step)

    def list(self, block: Block) -> None:
        tasks: list[Item] = []
        prose_items: list[str] = []

        def flush() -> None:  # plain items stay one Markdown list, not one paragraph per item
            if prose_items:
                self.add_prose("\n".join(prose_items))
                prose_items.clear()

        for item in block.items + [None]:
            if item is not None and item.task:
                flush()
                tasks.append(item)
                continue
            if tasks:
                self.checklist(tasks)
                tasks = []
            if item is None:
                flush()
                break
            commands = [code for code in item.codes if is_inline_command(code)]
            shell_fences = [f for f in item.fences if is_shell_block(f.info, f.content)[0]]
            if not commands and not shell_fences:
                prose_items.append(item.source)
                continue
            flush()
            for n, code in enumerate(commands):
                title = title_from_prose(item.text, code) if n == 0 else ""
                command = Command(code.strip().removeprefix("$ "), item.line, "", "", "", "shell")
                prose = self.take_prose()
                self.push(self.importer.command_step(command, title, self.label, prose))
            for fence in item.fences:
                title = "" if commands else _clean_title(title_from_prose(item.text, ""))
                if is_shell_block(fence.info, fence.content)[0]:
                    self.code(fence, title)
                    commands = ["done"]  # the item's text titled the first command only
                else:
                    self.add_prose(fence.source)

    def checklist(self, items: list[Item]) -> None:
        title = self.context or "Check"
        prose = self.take_prose()
        checks = []
        for item in items:
            text = _line(item.text) if item.text else ""
            if text:
                checks.append(text)
        if not checks:
            return
        step = _Step(_line(title), items[0].line, description=prose, checklist=checks)
        self.push(step)

    def finish(self) -> tuple[list[str], list[_Step]]:
        if self.prose:
            if self.steps:
                self.steps[-1].description.extend(self.prose)
            else:
                self.lead.extend(self.prose)
        return self.lead, self.steps


# ---- layout: phases or flat steps -----------------------------------------------------------------


def _own_steps(section: Section) -> bool:
    for block in section.blocks:
        if block.kind == "code" and is_shell_block(block.info, block.content)[0] and block.content.strip():
            return True
        if block.kind == "list":
            for item in block.items:
                if item.task or any(is_inline_command(c) for c in item.codes) or \
                        any(is_shell_block(f.info, f.content)[0] for f in item.fences):
                    return True
    return False


def _has_steps(section: Section) -> bool:
    return _own_steps(section) or any(_has_steps(child) for child in section.children)


def _text_of(importer: _Importer, section: Section, level_mark: bool = True) -> str:
    """All the Markdown of a text-only section and its subsections, headings as bold lines."""
    parts = [f"**{_clean_title(section.title)}**"] if section.title and level_mark else []
    for block in section.blocks:
        if block.kind == "html":
            if _HTML_COMMENT.match(block.content):
                importer.note(codes.RAW_HTML, block.line, "HTML comment dropped")
            else:
                importer.note(codes.RAW_HTML, block.line, "raw HTML kept as an ```html block in a description; rewrite it as Markdown")
                parts.append("```html\n" + block.content.rstrip() + "\n```")
        else:
            parts.append(block.source)
    for child in section.children:
        parts.append(_text_of(importer, child))
    return "\n\n".join(p for p in parts if p.strip())


def import_markdown(text: str, path: str, runbook_id: str, extra_patterns: tuple[str, ...] = ()) -> Result:
    importer = _Importer(path, runbook_id, tuple(extra_patterns))
    if not text.strip():
        importer.note(codes.EMPTY, 1, "the file is empty; nothing to import")
        return Result(None, importer.findings)
    document = parse(text)
    meta = _front_matter(importer, document, text)

    # The title: front matter, else a single top heading, else the file name.
    body = document.root
    heading_title = ""
    for section in document.root.walk():  # `[[_TOC_]]` markers mean nothing once the page is YAML
        section.blocks = [b for b in section.blocks if not _is_toc(b)]
    top = document.root.children
    if len(top) == 1 and not any(b.kind != "html" for b in document.root.blocks):
        body = top[0]
        heading_title = _clean_title(top[0].title)
        # HTML above the title (comments, a logo) is reported like any other, not dropped unseen
        body.blocks = document.root.blocks + body.blocks
    title = meta.get("title") or heading_title
    if not title:
        title = runbook_id.replace("-", " ").capitalize()
        importer.note(codes.GUESSED, 1, f"no single top heading; title {title!r} taken from the file name")
    title = _line(title)

    description_parts: list[str] = []
    summary = meta.get("summary")
    intro_blocks = list(body.blocks)
    paragraphs = [b for b in intro_blocks if b.kind == "paragraph"]
    if not summary and paragraphs:
        # the first intro paragraph is the summary, so it is not repeated in a description
        summary = " ".join(paragraphs[0].source.split())
        intro_blocks.remove(paragraphs[0])
    intro = Section(body.level, "", body.line, intro_blocks, [])
    intro_lead, intro_steps = importer.steps_of(intro) if _own_steps(intro) else ([], [])
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
    if not _own_steps(intro):
        description_parts.append(_text_of(importer, intro, level_mark=False))
    else:
        description_parts.extend(intro_lead)

    phases, steps = _layout(importer, body, description_parts, intro_steps)
    all_steps = steps + [s for p in phases for s in p.steps]
    if not all_steps:
        importer.note(codes.NO_STEPS, 1, "no commands or task lists found; the text is the description and a "
                                         "placeholder step asks for the real steps")
        steps = [_Step("Write the steps of this runbook", 1,
                       checklist=["TODO: turn the description into steps with commands or checklists"])]
        all_steps = steps

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

    data: dict = {"kind": "runbook", "id": runbook_id, "title": title, "summary": _code_placeholders(summary)}
    description = "\n\n".join(p for p in description_parts if p and p.strip()).strip()
    if description:
        data["description"] = _code_placeholders(description)
    for key in ("service", "severity", "escalation"):
        if meta.get(key):
            data[key] = meta[key]
    data["owner"] = owner
    for key in ("tags", "alerts", "related", "last_reviewed"):
        if meta.get(key):
            data[key] = meta[key]
    if inferred.variables:
        data["variables"] = inferred.variables
    ids = _Ids()
    if phases:
        data["phases"] = []
        phase_ids = _Ids("phase")
        for phase in phases:
            entry = {"id": phase_ids.make(phase.title), "title": phase.title}
            text = "\n\n".join(p for p in phase.description if p.strip()).strip()
            if text:
                entry["description"] = _code_placeholders(text)
            entry["steps"] = [s.as_dict(ids.make(s.title)) for s in phase.steps]
            data["phases"].append(entry)
    else:
        data["steps"] = [s.as_dict(ids.make(s.title)) for s in steps]
    _report_inline_html(importer, data, phases, steps)
    return Result(data, sorted(importer.findings))


def _report_inline_html(importer: _Importer, data: dict, phases: list[_Phase], steps: list[_Step]) -> None:
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


def _layout(importer: _Importer, body: Section, description_parts: list[str],
            intro_steps: list[_Step]) -> tuple[list[_Phase], list[_Step]]:
    """(phases, flat steps): exactly one of them is non-empty unless the Markdown has no steps at all."""
    section = body
    while True:
        with_steps = [c for c in section.children if _has_steps(c)]
        if (section is not body and _own_steps(section)) or not with_steps or intro_steps:
            break
        if len(with_steps) >= 2:
            return _phases(importer, section, description_parts), []
        for child in section.children:
            if child is not with_steps[0]:
                _text_section(importer, child, description_parts)
        section = with_steps[0]
        if not _own_steps(section):  # its own text (a service's links, an overview) describes the runbook
            own = _text_of(importer, Section(section.level, section.title, section.line, section.blocks, []))
            if section.blocks and own.strip():
                description_parts.append(own)
    # flat: every step of the subtree, in order
    steps = list(intro_steps)
    if section is body:
        for child in body.children:
            lead, found = importer.steps_of(child, include_self_heading=True)
            _attach(lead, steps, description_parts)
            steps.extend(found)
    else:
        lead, found = importer.steps_of(section)
        _attach(lead, steps, description_parts)
        steps.extend(found)
    return [], steps


def _attach(lead: list[str], steps: list[_Step], description_parts: list[str]) -> None:
    """Prose before a section's first step: the previous step's description, or the runbook's."""
    if not lead:
        return
    if steps:
        steps[-1].description.extend(lead)
    else:
        description_parts.extend(lead)


def _text_section(importer: _Importer, section: Section, into: list[str]) -> None:
    text = _text_of(importer, section)
    if text.strip():
        into.append(text)
        importer.note(codes.TEXT_ONLY, section.line, f"section {_clean_title(section.title)!r} has no commands or task "
                                                     "lists; its text is kept in the runbook's description")


def _phases(importer: _Importer, section: Section, description_parts: list[str]) -> list[_Phase]:
    phases: list[_Phase] = []
    waiting: list[str] = []  # text-only sections before the next phase
    waiting_names: list[tuple[int, str]] = []
    for child in section.children:
        if not _has_steps(child):
            text = _text_of(importer, child)
            if text.strip():
                waiting.append(text)
                waiting_names.append((child.line, _clean_title(child.title)))
            continue
        lead, steps = importer.steps_of(child)
        if not phases:  # text before the first phase (Meaning, Impact, Overview) describes the runbook
            description_parts.extend(waiting)
            for line, name in waiting_names:
                importer.note(codes.TEXT_ONLY, line, f"section {name!r} has no commands or task lists; its text is "
                                                     "kept in the runbook's description")
            waiting, waiting_names = [], []
        phase = _Phase(_line(_clean_title(child.title)), child.line, waiting + lead, steps)
        for line, name in waiting_names:
            importer.note(codes.TEXT_ONLY, line, f"section {name!r} has no commands or task lists; its text is "
                                                 f"kept in the description of phase {phase.title!r}")
        waiting, waiting_names = [], []
        phases.append(phase)
    for line, name in waiting_names:
        importer.note(codes.TEXT_ONLY, line, f"section {name!r} has no commands or task lists; its text is kept in "
                                             f"the description of phase {phases[-1].title!r}")
    phases[-1].description.extend(waiting)
    return phases


# ---- front matter ---------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _property_validator(key: str):
    import jsonschema

    from ..schema import load_schema

    schema = load_schema("runbook")
    return jsonschema.Draft202012Validator({**schema["properties"][key], "$defs": schema["$defs"]},
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _front_matter(importer: _Importer, document, text: str) -> dict:
    if document.front_matter_error:
        importer.note(codes.FRONT_MATTER, 1, document.front_matter_error + "; it was ignored")
    meta: dict = {}
    lines = text.splitlines()

    def line_of(key: str) -> int:
        for number, line in enumerate(lines, 1):
            if re.match(rf"^{re.escape(str(key))}\s*:", line):
                return number
        return 1

    for raw_key, value in document.front_matter.items():
        key = KEY_ALIASES.get(str(raw_key).lower(), str(raw_key).lower())
        if key not in FRONT_MATTER_KEYS:
            importer.note(codes.FRONT_MATTER, line_of(raw_key), f"front matter field {raw_key!r} is not used by the "
                                                                f"runbook format; it was left out")
            continue
        value = _normalise(key, value)
        errors = list(_property_validator(key).iter_errors(value))
        if errors:
            importer.note(codes.FRONT_MATTER, line_of(raw_key), f"front matter {raw_key}: {value!r} is not valid "
                                                                f"({errors[0].message}); it was left out")
            continue
        if str(raw_key) != key or value != document.front_matter[raw_key]:
            importer.note(codes.GUESSED, line_of(raw_key), f"front matter {raw_key}: written as {key}: {value!r}")
        meta[key] = value
    return meta


def _normalise(key: str, value):
    """Dates to text, comma lists to lists, team names to kebab-case: the forms people write in front matter."""
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()[:10]
    if key in ("tags", "alerts", "related") and isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if key in ("owner", "service", "severity", "escalation") and isinstance(value, str):
        value = _kebab(value) or value
    if key in ("tags", "related") and isinstance(value, list):
        value = list(dict.fromkeys(_kebab(v) if isinstance(v, str) else v for v in value))
    if key in ("title", "summary", "description") and isinstance(value, str):
        value = value.strip()
    return value


# ---- small text helpers ---------------------------------------------------------------------------


_SETTING = re.compile(r"""^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=("[^"$`\\]*"|'[^']*'|[^\s"'$`\\;|&<>()]*)$""")
_TOC_MARKERS = ("[[_toc_]]", "[toc]", "[[toc]]", "${toc}", "table of contents", "contents")


def _is_toc(block: Block) -> bool:
    """GitLab's `[[_TOC_]]`, other wikis' `[TOC]`, and the `**Table of Contents**` label markdown-toc writes."""
    if block.kind == "label":
        return block.content.strip().lower() in _TOC_MARKERS
    return block.kind == "paragraph" and block.source.strip().lower() in _TOC_MARKERS


_PROSE_PLACEHOLDER = re.compile(r"<([A-Za-z][A-Za-z0-9]*(?:[-_. ][A-Za-z0-9]+)*)>")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)[^`]*?\1")
HTML_TAGS = frozenset("""a abbr b br code del details div em h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre s
    small span strong sub summary sup table tbody td th thead tr u ul""".split())


def _code_placeholders(text: str) -> str:
    """`Tell <owner-team>` -> ``Tell `<owner-team>` ``: in Markdown a bare placeholder is an HTML tag that the
    page hides (and lint flags); in a code span it reads as written. Code blocks and spans are left alone."""
    if "<" not in text:
        return text
    out, fence = [], ""
    for line in text.split("\n"):
        mark = _FENCE.match(line)
        if fence or mark:
            if not fence:
                fence = mark.group(1)
            elif mark and mark.group(1)[0] == fence[0] and len(mark.group(1)) >= len(fence) and \
                    not line.strip()[len(mark.group(1)):].strip():
                fence = ""
            out.append(line)
            continue
        pieces, last = [], 0
        for span in _CODE_SPAN.finditer(line):
            pieces.append(_PROSE_PLACEHOLDER.sub(_wrap_placeholder, line[last:span.start()]))
            pieces.append(span.group(0))
            last = span.end()
        pieces.append(_PROSE_PLACEHOLDER.sub(_wrap_placeholder, line[last:]))
        out.append("".join(pieces))
    return "\n".join(out)


def _wrap_placeholder(match: re.Match) -> str:
    return match.group(0) if match.group(1).split()[0].lower() in HTML_TAGS else f"`{match.group(0)}`"


def _kebab(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _clean_title(title: str) -> str:
    """`### 2. Initial Response (0-15 minutes)` -> `Initial Response (0-15 minutes)`; Markdown emphasis removed."""
    title = re.sub(r"[*_`]{1,2}([^*_`]+)[*_`]{1,2}", r"\1", title.strip())
    return _NUMBERING.sub("", title).strip() or title.strip()


def _line(text: str) -> str:
    """One line of at most 200 characters (the format's `line`)."""
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:199].rstrip() + "…"


class _Ids:
    """Unique kebab-case ids from titles: `Check service status` -> `check-service-status`, then `-2`..."""

    def __init__(self, fallback: str = "step"):
        self.used: set[str] = set()
        self.fallback = fallback  # for titles with no ASCII letter or digit (`!!!`, `Проверка`)

    def make(self, title: str) -> str:
        base = _kebab(title)[:60].strip("-") or self.fallback
        candidate, n = base, 2
        while candidate in self.used:
            candidate, n = f"{base}-{n}", n + 1
        self.used.add(candidate)
        return candidate


def runbook_id_for(stem: str, parent: str) -> str:
    """The id from the file name (kebab-case); README/index pages take their folder's name."""
    name = parent if stem.lower() in ("readme", "index", "_index") and parent else stem
    return _kebab(name)[:100].strip("-") or "imported-runbook"

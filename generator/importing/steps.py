"""Blocks -> steps: commands, task lists and the prose around them, walked in reading order.

Inside a phase, prose waits for the next step and becomes its description; prose before the first step is
the phase's description, prose after the last step joins the last step's description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..findings import Finding
from . import codes
from .commands import (Command, classify_block, derive_title, is_inline_command, is_mutating, split_block,
                       title_from_prose, visible)
from .sections import Block, Item, Section
from .text import HTML_COMMENT, clean_title, code_placeholders, one_line

SETTING = re.compile(r"""^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=("[^"$`\\]*"|'[^']*'|[^\s"'$`\\;|&<>()]*)$""")


@dataclass
class Step:
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
            out["description"] = code_placeholders(text)
        if self.run is not None:
            out["run"] = self.run
        if self.checklist:
            out["checklist"] = [code_placeholders(item) for item in self.checklist]
        if self.risk:
            out["risk"] = self.risk
        if self.confirm:
            out["confirm"] = self.confirm
        return out


@dataclass
class Phase:
    title: str
    line: int
    description: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)


def block_commands(block: Block) -> tuple[list[Command], list[Command]]:
    """(settings, commands) of a shell code block: `export NAME=value` lines become variables, the rest steps."""
    commands = split_block(block.content, block.line + 1, block.info)
    settings = [c for c in commands if c.kind == "shell" and SETTING.match(c.text)]
    return settings, [c for c in commands if c not in settings]


def block_has_steps(block: Block) -> bool:
    """Would the walker make a step of this block? Layout asks, so a section is a phase only if it has steps."""
    if block.kind == "code":
        return classify_block(block.info, block.content).shell and any(c.kind != "text" for c in block_commands(block)[1])
    if block.kind == "list":
        return any(item.task or any(is_inline_command(c) for c in item.codes) or any(block_has_steps(f) for f in item.fences)
                   for item in block.items)
    return False


def fenced(text: str, language: str) -> str:
    """A fenced block of `text` labelled `language`, with a fence longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def code_text(block: Block) -> str:
    """A code block kept as text: fenced with the language its content is (```promql, not ```console), so
    the site highlights it as what it is."""
    kind = classify_block(block.info, block.content)
    if not kind.shell and kind.language and kind.language != block.info:
        return fenced(block.content, kind.language)
    return block.source


def relabelled(source: str, fences: list[Block]) -> str:
    """A list's Markdown with each fence inside it that is not shell labelled with its language, as
    `code_text` does for a block on its own (```console holding PromQL becomes ```promql)."""
    position = 0
    for fence in fences:
        kind = classify_block(fence.info, fence.content)
        opening = re.compile(rf"^([ \t>]*)(`{{3,}}|~{{3,}})[ \t]*{re.escape(fence.info)}[^\n`]*$", re.MULTILINE)
        match = opening.search(source, position)
        if match is None:
            break
        marker, end = match.group(2), match.end()
        if not kind.shell and kind.language and kind.language != fence.info:
            replacement = f"{match.group(1)}{marker}{kind.language}"
            source = source[:match.start()] + replacement + source[end:]
            end = match.start() + len(replacement)
        closing = re.compile(rf"^[ \t>]*{re.escape(marker)}[ \t]*$", re.MULTILINE).search(source, end)
        position = closing.end() if closing else end
    return source


class Importer:
    def __init__(self, path: str, runbook_id: str, extra_patterns: tuple[str, ...]):
        self.path = path
        self.runbook_id = runbook_id
        self.extra_patterns = extra_patterns
        self.findings: list[Finding] = []
        self.settings: dict[str, tuple[str, int, str]] = {}  # NAME -> (value, line, the line as written)
        self.line = 1  # the block being read: where a failure is reported (RB712)

    def note(self, rule, line: int, message: str) -> None:
        self.findings.append(Finding(self.path, line, 1 if line else 0, rule.code, rule.severity, message))

    # ---- steps from blocks ------------------------------------------------------------------------

    def steps_of(self, section: Section, include_self_heading: bool = False) -> tuple[list[str], list[Step]]:
        """(prose before the first step, steps) of a section and its subsections, in reading order."""
        walker = _Walker(self)
        if include_self_heading:
            walker.heading = section.title
            walker.untitled = clean_title(section.title)
        walker.section(section, top=True)
        return walker.finish()

    def command_step(self, command: Command, title: str, label: str, prose: list[str]) -> Step:
        guessed = False
        if not title:
            title = command.title
        if not title and command.group_title:
            title = f"{command.group_title} ({derive_title(command.text).removeprefix('Run ')})"
        if not title:
            title, guessed = derive_title(command.text), True
        title = one_line(title)
        if label and not title.lower().startswith(label.lower()):
            title = one_line(f"{label}: {title}")
        step = Step(title, command.line, description=list(prose))
        if command.note:
            step.description.append(command.note)
        if guessed:
            self.note(codes.GUESSED, command.line, f"step title {title!r} derived from the command; write what it checks or does")
        if command.cleaned:
            self.note(codes.GUESSED, command.line, f"removed invisible characters ({command.cleaned}) from the command "
                                                   "(a copy-paste artefact that bash reads as part of a word)")
        if command.kind == "shell":
            step.run = command.text
            if command.output.strip():
                step.description.append("Expected output:\n\n" + fenced(command.output.rstrip(), "text"))
            if command.after.strip():
                step.description.append("After it, the Markdown had:\n\n" + fenced(command.after, "text"))
        elif command.kind == "sql":
            step.checklist = ["Run the SQL statement below in a database session and check its result"]
            step.description.append("```sql\n" + command.text + "\n```")
            self.note(codes.NOT_SHELL, command.line, "SQL inside a shell block is not a shell command; imported as a "
                                                     "manual step with the SQL in its description (wrap it in `psql -c` to run it)")
        else:
            step.checklist = [one_line(f"In chat, send: {command.text}")]
            self.note(codes.NOT_SHELL, command.line, f"`{command.text.split()[0]}` is a chat slash command, not shell; "
                                                     "imported as a manual checklist step")
        self.classify_risk(step, command.text, command.line)
        return step

    def classify_risk(self, step: Step, text: str, line: int) -> None:
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

    def __init__(self, importer: Importer):
        self.importer = importer
        self.lead: list[str] = []  # prose before the first step
        self.prose: list[str] = []  # prose waiting for the next step
        self.steps: list[Step] = []
        self.heading = ""  # a heading (or bold label) not yet written into the prose
        self.untitled = ""  # a heading no step has taken yet: `### Check lag` above a block titles its command
        self.context = ""  # the nearest heading: the title of a task list
        self.label = ""  # the nearest bold label (`**Payment Service**`): prefixes command titles

    def section(self, section: Section, top: bool = False) -> None:
        if not top:
            self.heading = self.context = self.untitled = clean_title(section.title)
            self.label = ""
        elif section.title:
            self.context = clean_title(section.title)
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

    def push(self, step: Step) -> None:
        self.steps.append(step)
        self.untitled = ""

    def block(self, block: Block) -> None:
        importer = self.importer
        importer.line = block.line
        if block.kind == "label":
            self.heading = self.label = self.context = block.content
            self.untitled = ""  # the label prefixes the command titles instead
            return
        if block.kind == "html":
            if HTML_COMMENT.match(block.content):
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
        kind = classify_block(block.info, block.content)
        if kind.guessed:
            what = "shell commands" if kind.shell else f"{kind.language} (never run)"
            label = f"```{block.info} fence" if block.info else "code block without a language"
            self.importer.note(codes.GUESSED, block.line, f"{label} read as {what}; "
                                                          "label the fence (```bash or ```text) to say so")
        if not kind.shell:
            if kind.reason:
                self.importer.note(codes.NOT_SHELL, block.line, f"the ```{block.info} block is {kind.reason}, not shell "
                                                                f"commands; kept as text (```{kind.language}), never run")
            self.add_prose(code_text(block))
            return
        settings, commands = block_commands(block)
        for command in settings:
            # `export TARGET=replica-1` on its own line sets a value for the commands below it; every step runs
            # in its own shell, so as a step it would set nothing: it becomes the variable's default instead
            match = SETTING.match(command.text)
            self.importer.settings.setdefault(match.group(1).upper(), (match.group(2).strip("'\""), command.line,
                                                                       command.text))
        if not any(c.kind != "text" for c in commands):
            # nothing runnable: prompts alone, output, another language: the block stays text, as what it is
            languages = [c.language for c in commands]
            language = max(languages, key=languages.count) if languages else "text"  # first of the commonest
            if commands:
                self.importer.note(codes.NOT_SHELL, block.line, f"the ```{block.info or 'code'} block holds "
                                                                f"{commands[0].reason}, no shell command; kept as text "
                                                                f"(```{language}), never run")
            self.add_prose(fenced(block.content, language))
            return
        if not title and self.prose and not commands[0].title:
            # "Restart the deployment:" right above a block titles its first command
            last = self.prose[-1]
            if "\n" not in last and last.endswith(":") and len(last) <= 120 and not last.startswith(("-", "*", "|", ">")):
                title = clean_title(last.rstrip(":"))
                self.prose.pop()
        if not title and not commands[0].title and self.untitled:
            # the heading says what the block does; a following untitled command reads `Check lag (awk ...)`
            title = self.untitled
            if f"**{title}**" in self.prose:
                self.prose.remove(f"**{title}**")
            for command in commands[1:]:
                command.group_title = command.group_title or title
        first = next(i for i, command in enumerate(commands) if command.kind != "text")
        for i, command in enumerate(commands):
            if command.kind == "text":  # stays where it was, as text: a PromQL query between two commands
                self.importer.note(codes.NOT_SHELL, command.line, f"{command.reason} in a shell block is not a shell "
                                                                  f"command; kept as text (```{command.language}), never run")
                self.add_prose(fenced(command.text + ("\n" + command.output if command.output else ""),
                                      command.language))
                continue
            prose = self.take_prose()
            step = self.importer.command_step(command, title if i == first else "", self.label, prose)
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
            shell_fences = [f for f in item.fences if block_has_steps(f)]
            if not commands and not shell_fences:
                prose_items.append(relabelled(item.source, item.fences))
                continue
            flush()
            for n, code in enumerate(commands):
                title = title_from_prose(item.text, code) if n == 0 else ""
                text, cleaned = visible(code.strip().removeprefix("$ "))
                command = Command(text, item.line, "", "", "", "shell", cleaned=cleaned)
                prose = self.take_prose()
                self.push(self.importer.command_step(command, title, self.label, prose))
            self.item_blocks(item, titled=bool(commands))

    def item_blocks(self, item: Item, titled: bool) -> None:
        """The blocks of a list item that holds commands, in reading order: its first paragraph titles the
        first command (unless an inline command took it: `titled`), code blocks become steps or stay text,
        nested lists are walked like any list, and every other paragraph is kept as prose of the steps."""
        blocks = list(item.blocks)
        title = ""
        if blocks and blocks[0].kind in ("paragraph", "label"):
            first = blocks.pop(0)
            if not titled:
                title = clean_title(title_from_prose(item.text, ""))
                if len(one_line(item.text)) > 120 or "\n\n" in item.text:  # a paragraph, not a title: keep it all
                    self.add_prose(first.source)
                    title = ""
        stepped = False  # a code block of this item made a step: what the item says next is about that step
        for block in blocks:
            if block.kind == "code":
                before = len(self.steps)
                if title and block_has_steps(block):
                    self.code(block, title)
                    title = ""  # the item's text titled the first command only
                else:
                    self.code(block, "")  # a later command, or text as what it is (PromQL, output)
                stepped = stepped or len(self.steps) > before
                continue
            if title:  # the steps are further down (in a nested list): the item's text introduces them
                self.add_prose(item.text)
                title = ""
            if block.kind == "list":
                self.list(block)
                stepped = False
            elif block.kind == "html":
                self.block(block)
            elif stepped and not self.prose and not block.source.rstrip().endswith(":"):
                # `This resizes the disk.` right under the command it explains (`Then restart it:` leads to the next)
                self.steps[-1].description.append(block.source.rstrip())
            else:
                self.add_prose(block.source)
        if title:  # the item's commands were inline code in its first paragraph after all
            self.add_prose(item.text)

    def checklist(self, items: list[Item]) -> None:
        title = self.context or "Check"
        prose = self.take_prose()
        checks = []
        details = []  # what an item holds below its first line (sub-items, links, commands): kept, never dropped
        for item in items:
            text = one_line(item.text) if item.text else ""
            if text:
                checks.append(text)
            rest = item.blocks[1:] if item.blocks and item.blocks[0].kind in ("paragraph", "label") else item.blocks
            if rest:
                parts = [code_text(block) if block.kind == "code" else relabelled(block.source, item.fences) for block in rest]
                details.append((f"{text.rstrip('.:')}:\n\n" if text else "") + "\n\n".join(parts))
        if not checks:
            return
        step = Step(one_line(title), items[0].line, description=prose + details, checklist=checks)
        self.push(step)

    def finish(self) -> tuple[list[str], list[Step]]:
        if self.prose:
            if self.steps:
                self.steps[-1].description.extend(self.prose)
            else:
                self.lead.extend(self.prose)
        return self.lead, self.steps

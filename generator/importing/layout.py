"""Layout: which sections become phases, which steps stay flat, where text-only sections go.

Below the title heading, the importer looks for the shallowest heading level where at least two
sections hold steps (commands or task lists); those sections become phases. With one such section it
descends into it; with none, or when a section holds steps itself, the steps are flat. Sections without
steps never vanish: text before the first phase goes into the runbook's description, text between phases
into the next phase's, text after the last phase into the last phase's.
"""

from __future__ import annotations

from . import codes
from .sections import Section
from .steps import Importer, Phase, Step, block_has_steps, code_text, relabelled
from .text import HTML_COMMENT, clean_title, one_line


def own_steps(section: Section) -> bool:
    return any(block_has_steps(block) for block in section.blocks)


def has_steps(section: Section) -> bool:
    return own_steps(section) or any(has_steps(child) for child in section.children)


def text_of(importer: Importer, section: Section, level_mark: bool = True) -> str:
    """All the Markdown of a text-only section and its subsections, headings as bold lines."""
    parts = [f"**{clean_title(section.title)}**"] if section.title and level_mark else []
    for block in section.blocks:
        if block.kind == "html":
            if HTML_COMMENT.match(block.content):
                importer.note(codes.RAW_HTML, block.line, "HTML comment dropped")
            else:
                importer.note(codes.RAW_HTML, block.line, "raw HTML kept as an ```html block in a description; rewrite it as Markdown")
                parts.append("```html\n" + block.content.rstrip() + "\n```")
        else:
            if block.kind == "list":
                parts.append(relabelled(block.source, [fence for item in block.items for fence in item.fences]))
            else:
                parts.append(code_text(block) if block.kind == "code" else block.source)
    for child in section.children:
        parts.append(text_of(importer, child))
    return "\n\n".join(p for p in parts if p.strip())


def layout(importer: Importer, body: Section, description_parts: list[str],
            intro_steps: list[Step]) -> tuple[list[Phase], list[Step]]:
    """(phases, flat steps): exactly one of them is non-empty unless the Markdown has no steps at all."""
    section = body
    while True:
        with_steps = [c for c in section.children if has_steps(c)]
        if (section is not body and own_steps(section)) or not with_steps or intro_steps:
            break
        if len(with_steps) >= 2:
            return _phases(importer, section, description_parts), []
        for child in section.children:
            if child is not with_steps[0]:
                _text_section(importer, child, description_parts)
        section = with_steps[0]
        if not own_steps(section):  # its own text (a service's links, an overview) describes the runbook
            own = text_of(importer, Section(section.level, section.title, section.line, section.blocks, []))
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


def _attach(lead: list[str], steps: list[Step], description_parts: list[str]) -> None:
    """Prose before a section's first step: the previous step's description, or the runbook's."""
    if not lead:
        return
    if steps:
        steps[-1].description.extend(lead)
    else:
        description_parts.extend(lead)


def _text_section(importer: Importer, section: Section, into: list[str]) -> None:
    text = text_of(importer, section)
    if text.strip():
        into.append(text)
        importer.note(codes.TEXT_ONLY, section.line, f"section {clean_title(section.title)!r} has no commands or task "
                                                     "lists; its text is kept in the runbook's description")


def _phases(importer: Importer, section: Section, description_parts: list[str]) -> list[Phase]:
    phases: list[Phase] = []
    waiting: list[str] = []  # text-only sections before the next phase
    waiting_names: list[tuple[int, str]] = []
    for child in section.children:
        lead, steps = importer.steps_of(child) if has_steps(child) else ([], [])
        if not steps:  # a phase is never written without steps: the section's text waits for the next one
            text = text_of(importer, child)
            if text.strip():
                waiting.append(text)
                waiting_names.append((child.line, clean_title(child.title)))
            continue
        if not phases:  # text before the first phase (Meaning, Impact, Overview) describes the runbook
            description_parts.extend(waiting)
            for line, name in waiting_names:
                importer.note(codes.TEXT_ONLY, line, f"section {name!r} has no commands or task lists; its text is "
                                                     "kept in the runbook's description")
            waiting, waiting_names = [], []
        phase = Phase(one_line(clean_title(child.title)), child.line, waiting + lead, steps)
        for line, name in waiting_names:
            importer.note(codes.TEXT_ONLY, line, f"section {name!r} has no commands or task lists; its text is "
                                                 f"kept in the description of phase {phase.title!r}")
        waiting, waiting_names = [], []
        phases.append(phase)
    where = f"the description of phase {phases[-1].title!r}" if phases else "the runbook's description"
    for line, name in waiting_names:
        importer.note(codes.TEXT_ONLY, line, f"section {name!r} has no commands or task lists; its text is kept in {where}")
    (phases[-1].description if phases else description_parts).extend(waiting)
    return phases

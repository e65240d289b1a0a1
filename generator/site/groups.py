"""How the site groups runbooks so that every page costs the same, whatever the number of runbooks.

Material renders the whole navigation into every page; with thousands of runbooks that made each page
list every runbook (size and build time grew with the square of the count). Here:

- the navigation holds runbooks in sections of at most `GROUP_SIZE` entries: by folder (the kind of
  runbook: process, infrastructure, services...), a folder too big for one section by owner (team),
  and a group still too big in runs of runbooks by id. Every section has an index page that lists
  its runbooks, so Material's `navigation.prune` shows the page's own sections open and every other
  section as one link to its index page;
- index pages list at most `PAGE_SIZE` runbooks each and continue on numbered pages: every runbook
  (by service, `runbooks/index.md`), each folder and sub-group of the navigation, each team, the alerts.

Nothing here renders; `pages.SiteRenderer` turns these into Markdown and the navigation.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..model import Runbook

GROUP_SIZE = 50  # entries (runbooks or sub-sections) in one navigation section
PAGE_SIZE = 100  # rows on one index page
BROWSE = "browse"  # the folder of the generated index pages (runbook ids cannot collide with it)
RUNBOOKS_INDEX = "runbooks/index.md"
TEAMS_INDEX = f"{BROWSE}/teams/index.md"


def slug(text: str) -> str:
    """A path segment for a folder, team or service name."""
    return re.sub(r"[^a-z0-9_.]+", "-", (text or "").lower()).strip("-.") or "none"


def unique(name: str, taken: set[str]) -> str:
    """`name`, or `name-2`, `name-3`... when two names have the same slug."""
    found, number = name, 1
    while found in taken:
        number += 1
        found = f"{name}-{number}"
    taken.add(found)
    return found


def title_of_folder(folder: str) -> str:
    return folder.replace("-", " ").replace("/", " / ").capitalize()


@dataclass(frozen=True)
class Listing:
    """An index page of runbooks, continued on numbered pages when it holds more than PAGE_SIZE."""

    uri: str  # the first page (`.../index.md`)
    title: str
    intro: str
    runbooks: tuple[Runbook, ...]
    sections: tuple[Section, ...] = ()  # the navigation's sub-sections, listed above the runbooks

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(len(self.runbooks) / PAGE_SIZE))

    def page_uri(self, number: int) -> str:
        """Page 1 is `uri`; page n is a sibling `n.md` (`browse/teams/x/2.md`)."""
        if number == 1:
            return self.uri
        folder = self.uri.rsplit("/", 1)[0] if "/" in self.uri else ""
        if self.uri == RUNBOOKS_INDEX:  # runbooks/<n>.md could be a runbook's page: keep them apart
            folder = f"{BROWSE}/all"
        return f"{folder}/{number}.md"

    def rows(self, number: int) -> tuple[Runbook, ...]:
        return self.runbooks[(number - 1) * PAGE_SIZE: number * PAGE_SIZE]


@dataclass(frozen=True)
class Section:
    """A navigation section: its index page, then runbooks or sub-sections (never both), at most GROUP_SIZE."""

    title: str
    listing: Listing
    runbooks: tuple[Runbook, ...] = ()
    sections: tuple[Section, ...] = ()


@dataclass
class Grouping:
    """The navigation sections and the index pages of a catalog's runbooks."""

    runbooks: list[Runbook]  # every runbook, sorted by service then id (the order of runbooks/index.md)
    folder_of: dict[str, str]  # runbook id -> its folder below the runbooks folder ("" at the top)
    all: Listing = field(init=False)
    folders: list[Section] = field(init=False)
    top_level: tuple[Runbook, ...] = field(init=False)  # runbooks directly in the runbooks folder
    teams: dict[str, Listing] = field(init=False)

    def __post_init__(self):
        self.all = Listing(RUNBOOKS_INDEX, "Runbooks", "Every runbook by service, with its owner, usual severity "
                           "and the date of its last review.", tuple(self.runbooks))
        by_folder: dict[str, list[Runbook]] = {}
        for runbook in sorted(self.runbooks, key=lambda r: self.folder_of[r.id]):
            by_folder.setdefault(self.folder_of[runbook.id], []).append(runbook)
        self.top_level = tuple(sorted(by_folder.pop("", ()), key=lambda r: r.id))
        self.folders = [
            self._section(f"{BROWSE}/kinds/{'/'.join(slug(part) for part in folder.split('/'))}",
                          title_of_folder(folder), title_of_folder(folder), by_folder[folder], by_owner=True)
            for folder in sorted(by_folder, key=lambda f: (f != "process", f))]
        owners: dict[str, list[Runbook]] = {}
        for runbook in self.runbooks:
            owners.setdefault(runbook.owner, []).append(runbook)
        self.teams = {}
        taken: set[str] = set()
        for owner, found in sorted(owners.items()):
            name = unique(slug(owner), taken)
            self.teams[owner] = Listing(f"{BROWSE}/teams/{name}/index.md", owner, f"The runbooks that {owner} owns.",
                                        tuple(sorted(found, key=lambda r: r.id)))

    def _section(self, folder: str, title: str, heading: str, runbooks: list[Runbook],
                 by_owner: bool = False) -> Section:
        """`title` in the navigation, `heading` on the index page (with the titles of the sections above)."""
        runbooks = sorted(runbooks, key=lambda r: r.id)
        if len(runbooks) <= GROUP_SIZE:
            return Section(title, self._listing(folder, heading, runbooks), tuple(runbooks))
        owners: dict[str, list[Runbook]] = {}
        for runbook in runbooks:
            owners.setdefault(runbook.owner, []).append(runbook)
        if by_owner and 1 < len(owners) <= GROUP_SIZE:
            taken: set[str] = set()
            parts = [self._section(f"{folder}/{unique(slug(owner), taken)}", owner, f"{heading} · {owner}", found)
                     for owner, found in sorted(owners.items())]
        else:  # runs of runbooks by id, as few levels as keep each section within GROUP_SIZE
            size = GROUP_SIZE
            while math.ceil(len(runbooks) / size) > GROUP_SIZE:
                size *= GROUP_SIZE
            parts = []
            for start in range(0, len(runbooks), size):
                run = runbooks[start: start + size]
                label = f"{run[0].id} … {run[-1].id}" if len(run) > 1 else run[0].id
                parts.append(self._section(f"{folder}/{start // size + 1}", label, f"{heading} · {label}", run))
        listing = self._listing(folder, heading, runbooks, tuple(parts))
        return Section(title, listing, sections=tuple(parts))

    @staticmethod
    def _listing(folder: str, title: str, runbooks: list[Runbook], sections: tuple[Section, ...] = ()) -> Listing:
        return Listing(f"{folder}/index.md", title, "", tuple(runbooks), sections)

    def listings(self) -> list[Listing]:
        """Every index page of runbooks: all, each navigation section, each team."""
        found = [self.all]

        def walk(section: Section) -> None:
            found.append(section.listing)
            for child in section.sections:
                walk(child)

        for section in self.folders:
            walk(section)
        found.extend(self.teams.values())
        return found

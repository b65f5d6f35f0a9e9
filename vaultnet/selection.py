"""Which notes are contacts, events, goals or interaction notes: a `Selection` by folder, tag or property.

People mark contacts in many ways (see docs/format.md, "Which notes are contacts"): a folder (`People/`),
a property (`categories: ["[[People]]"]`, `type: person`), a tag (`#person`, `#person/work`). A note is
selected when it matches ANY rule of the selection and none of its `exclude` patterns. Pure: it looks only at
what it is given (the note's path, front matter and tags), never at the disk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vaultnet.values import link_target

Where = tuple[tuple[str, tuple[str, ...]], ...]  # (property name, lower-case; the values that select)


@dataclass(frozen=True)
class Selection:
    """The rules of one kind of note. Folder names keep their case, as Obsidian keeps it; tags, property
    names and property values compare without case."""

    folders: tuple[str, ...] = ()  # `/`-separated, relative to the vault; a note anywhere below one
    tags: tuple[str, ...] = ()  # without `#`; `person` also selects `#person/work`
    where: Where = ()
    exclude: tuple[str, ...] = ()  # glob patterns from the vault root: `**/README.md`, `**/_*`

    def __bool__(self) -> bool:
        """Whether the selection has any rule that can select a note."""
        return bool(self.folders or self.tags or self.where)

    def in_folders(self, path: str) -> bool:
        return any(path.startswith(folder + "/") for folder in self.folders)

    def excluded(self, path: str) -> bool:
        return any(glob_match(pattern, path) for pattern in self.exclude)

    def by_properties(self, front_matter: Mapping[str, Any]) -> bool:
        """A `where` rule matches: a property that equals one of its values, or is a list holding one."""
        if not self.where:
            return False
        wanted = dict(self.where)
        for key, value in front_matter.items():
            accepted = wanted.get(key.strip().casefold()) if isinstance(key, str) else None
            if accepted and not {normal_value(v) for v in accepted}.isdisjoint(property_values(value)):
                return True
        return False

    def by_tags(self, tags: Iterable[str]) -> bool:
        """A tag rule matches one of the note's tags (given without `#`), or a tag nested below it."""
        wanted = {t.casefold() for t in self.tags}
        if not wanted:
            return False
        for tag in tags:
            folded = tag.casefold()
            if folded in wanted or any(folded.startswith(w + "/") for w in wanted):
                return True
        return False

    def selects(self, path: str, front_matter: Mapping[str, Any], tags: Iterable[str] = ()) -> bool:
        """Whether the note at `path` (with this front matter and these tags) is one of the selection's."""
        if self.excluded(path):
            return False
        return self.in_folders(path) or self.by_properties(front_matter) or self.by_tags(tags)


def normal_value(value: str) -> str:
    """How property values are compared: a link by the name of its target (`[[Categories/People|people]]`
    -> `people`), text without case and surrounding blanks."""
    text = value.strip()
    target = link_target(text) if text.startswith("[[") else None
    if target is not None:
        text = target.rsplit("/", 1)[-1].removesuffix(".md")
    return text.strip().casefold()


def property_values(value: Any) -> set[str]:
    """A property's values, normalised: a text, a list of texts, or an unquoted `[[Link]]` (which YAML reads
    as a list in a list)."""
    items = value if isinstance(value, list) else [value]
    out: set[str] = set()
    for item in items:
        if isinstance(item, list) and len(item) == 1 and isinstance(item[0], str):
            item = f"[[{item[0]}]]"  # `categories: [[People]]`, unquoted
        if isinstance(item, str) and item.strip():
            out.add(normal_value(item))
    return out


def glob_match(pattern: str, path: str) -> bool:
    """Whether the `/`-separated `path` matches a glob from the vault root: `**` as a whole name is any number
    of folders (none too), `*` any text within one name, `?` one character of a name; all else is literal.

    Not a regex: a regex for `*a*a*b` backtracks polynomially on a long name, and a file name is the user's.
    This walks the path's names once per pattern name (an NFA), each name compared in O(len x len).
    """
    names = pattern.split("/")
    if names[-1] != "**" and not name_match(names[-1], path.rpartition("/")[2]):
        return False  # only `**` takes more than one name: the file's own name must match the last one (fast)
    states = _closure({0}, names)
    for part in path.split("/"):
        following: set[int] = set()
        for state in states:
            if state == len(names):
                continue
            if names[state] == "**":
                following.add(state)  # `**` takes this name and may take more
            elif name_match(names[state], part):
                following.add(state + 1)
        states = _closure(following, names)
        if not states:
            return False
    return len(names) in states


def _closure(states: set[int], names: list[str]) -> set[int]:
    """A `**` may also match no folder at all: the state after it is reached too."""
    out = set(states)
    for state in sorted(states):
        while state < len(names) and names[state] == "**":
            state += 1
            out.add(state)
    return out


def name_match(pattern: str, name: str) -> bool:
    """One name against one glob name (`*`, `?`): the greedy wildcard match that backs up only to the last
    `*`, so it never backtracks further (at most len(pattern) x len(name) steps)."""
    p = n = 0
    star = mark = -1
    while n < len(name):
        if p < len(pattern) and (pattern[p] == "?" or (pattern[p] != "*" and pattern[p] == name[n])):
            p, n = p + 1, n + 1
        elif p < len(pattern) and pattern[p] == "*":
            star, mark = p, n
            p += 1
        elif star >= 0:
            p, mark = star + 1, mark + 1
            n = mark
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)

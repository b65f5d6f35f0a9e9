"""The link grammar, as Obsidian reads it: `[[wikilinks]]`, Markdown links `[text](path)`, embeds, web links.

One place knows what a link looks like; `values` turns a property's value into the link it names, `parse`
finds the links of a daily note's line, `network` resolves the targets found here. A target is what names the
note: `Name` of `[[Name|shown]]` and `[[Name#Heading]]`; the URL-decoded path of `[Jo](../People/Jo%20Park.md)`
or `[Jo](<../People/Jo Park.md>)`, without its `#anchor` and `.md`. A relative path (`./`, `../`) stays as
written here: only the resolver knows the note it is written in.

Every pattern here runs in time linear in its input, for hostile input too: no nested unbounded quantifiers,
each repeated class stops at the next bracket, parenthesis or white space, and the repetitions next to each
other are possessive, so that no match is retried from a later split.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple
from urllib.parse import unquote

# `[[target|shown]]` or `[text](destination "title")`, each perhaps an embed (`!` in front). A Markdown
# destination is `<anything but <>>` or a run without white space, parentheses or angle brackets; a title
# (which Obsidian never writes, CommonMark allows) is quoted. The link text holds no brackets.
_LINK = re.compile(
    r"(?P<bang>!?)(?:"
    r"\[\[(?P<wiki>[^\[\]]+)\]\]"
    r"|\[(?P<text>[^\[\]\n]*)\]\([ \t]*+(?:<(?P<angle>[^<>\n]*)>|(?P<bare>[^\s()<>]++))"
    r"(?:[ \t]++(?:\"[^\"\n]*\"|'[^'\n]*'))?+[ \t]*+\))"
)
_WIKILINK = re.compile(r"\[\[([^\[\]]+)\]\]")  # the wikilink branch of _LINK alone
# A URL scheme (`https:`, `mailto:`, `obsidian:`): Obsidian forbids `:` in file names, so no note's path has one.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


class Found(NamedTuple):
    """One link in a text, where it stands, and what it names."""

    target: str  # the note it names (see the module's text); "" for `[x](#heading)`, a place in the same note
    text: str  # what it shows: `shown` of `[[Name|shown]]`, `text` of `[text](...)`, else the target as written
    start: int
    end: int
    embed: bool = False  # `![[Name]]`, `![alt](path)`: shows a note or a file inside this one
    external: bool = False  # a web address, `mailto:` and the like: no note of the vault

    @property
    def names_note(self) -> bool:
        """Whether the link can name a note of the vault (an embed can: whether it counts is the caller's)."""
        return bool(self.target) and not self.external


def find_links(text: str) -> Iterator[Found]:
    """Every link in `text`, wikilinks and Markdown links alike, in order."""
    if "[" not in text:
        return iter(())
    return map(_found, _LINK.finditer(text))


def _found(m: re.Match[str]) -> Found:
    embed = m["bang"] == "!"
    wiki = m["wiki"]
    if wiki is not None:
        target, bar, shown = wiki.partition("|")
        target = target.split("#", 1)[0]
        return Found(target.strip(), shown if bar else target, m.start(), m.end(), embed)
    destination = m["angle"] if m["angle"] is not None else m["bare"]
    if _SCHEME.match(destination):
        return Found(destination, m["text"], m.start(), m.end(), embed, external=True)
    target = markdown_target(destination)
    return Found(target, m["text"] or target, m.start(), m.end(), embed)


def first_target(text: str) -> str | None:
    """The note the first link in `text` that names one names (see `Found.names_note`), or None."""
    if "](" not in text:  # the common case, wikilinks only: no need to build each link
        for m in _WIKILINK.finditer(text):
            target = m[1].partition("|")[0].split("#", 1)[0].strip()
            if target:
                return target
        return None
    return next((found.target for found in find_links(text) if found.names_note), None)


def markdown_target(destination: str) -> str:
    """`../People/Jo%20Park.md#Work` -> `../People/Jo Park`: decoded, without the anchor and `.md`."""
    path = unquote(destination.split("#", 1)[0]).strip()  # the anchor first: `%23` is part of a name
    return path[:-3] if path.lower().endswith(".md") else path


def first_link(text: str) -> Found | None:
    """The first link in `text` of either form (a web link too), or None."""
    return next(find_links(text), None)


def replace_links(text: str) -> str:
    """Each link replaced by what it shows: `[[Anna Schmidt|Anna]]` -> `Anna`, `[Jo](People/Jo.md)` -> `Jo`."""
    return _LINK.sub(lambda m: _found(m).text, text) if "[" in text else text


def is_relative(target: str) -> bool:
    """Whether `target` is a path from the linking note's folder (`./Jo Park`, `../People/Jo Park`)."""
    return target.startswith(("./", "../"))


def relative_path(source: str, target: str) -> str | None:
    """`../People/Jo Park` in `journal/2026-11-21.md` -> `People/Jo Park`: a relative target as a path from the
    vault's root; None when it climbs above the root."""
    parts = source.split("/")[:-1]
    for part in target.split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)

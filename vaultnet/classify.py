"""What a note is for vaultnet: a contact, an event, a goal or none of them, by the vault's selections; the
note's tags (front matter and body); and which of its properties stand for vaultnet's fields (`[fields]`).

Pure: it looks at a note's path, front matter and body text, never at the disk. `vaultnet.parse` asks it what
a note is before it reads the note as that kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal

from vaultnet.frontmatter import front_matter_tags
from vaultnet.mdlines import CodeFences
from vaultnet.selection import Selection
from vaultnet.settings_spec import property_name

NoteKind = Literal["contact", "event", "goal"]
KINDS: tuple[NoteKind, ...] = ("contact", "event", "goal")  # vaultnet's own `type` values, in precedence order

# An inline tag as Obsidian reads it: `#` at the start of a line or after a blank, then letters, digits, `_`, `-`
# and `/` (a nested tag). One character class, one quantifier: linear on any line.
_INLINE_TAG = re.compile(r"(?<!\S)#([\w/-]+)")


def note_kinds(front_matter: Mapping[str, Any]) -> set[str]:
    """The note's `type` values (the key in any case, a text or a list), lower-cased."""
    kinds: set[str] = set()
    for key, value in front_matter.items():
        if isinstance(key, str) and key.strip().lower() == "type":
            for kind in value if isinstance(value, list) else [value]:
                if isinstance(kind, str) and kind.strip():
                    kinds.add(kind.strip().lower())
    return kinds


def classify(
    path: str,
    front_matter: Mapping[str, Any],
    tags: Callable[[], Sequence[str]],
    selections: Mapping[NoteKind, Selection],
) -> NoteKind | None:
    """The kind of the note at `path`, else None. `tags` gives the note's tags (called only when a selection
    has a tag rule: reading the body for them costs time).

    A note is of a kind when its `type` names it (vaultnet's own marker), or when the kind's selection selects
    it and its `type` names none of vaultnet's other kinds; a kind's `exclude` patterns win over both. The
    kinds are tried in the order contact, event, goal.
    """
    kinds = note_kinds(front_matter)
    found: list[str] | None = None
    for kind in KINDS:
        selection = selections[kind]
        if selection.excluded(path):
            continue
        if kind in kinds:
            return kind
        if kinds.isdisjoint(KINDS):  # a `type` of another of vaultnet's kinds makes it that kind, or none
            if selection.in_folders(path) or selection.by_properties(front_matter):
                return kind
            if selection.tags:
                found = found if found is not None else list(tags())
                if selection.by_tags(found):
                    return kind
    return None


def excluded(path: str, selections: Mapping[NoteKind, Selection]) -> bool:
    """Whether a kind's `exclude` leaves the note out and no other kind's folder holds it: such a note (a
    `People/_template.md`) is the user's own, and a front matter vaultnet cannot read there is not reported."""
    chosen = selections.values()
    if not any(selection.excluded(path) for selection in chosen):
        return False
    return not any(selection.in_folders(path) and not selection.excluded(path) for selection in chosen)


def note_tags(front_matter: Mapping[str, Any], body: str) -> list[str]:
    """The note's tags without `#`: its `tags`/`tag` properties (texts split at commas and blanks, or lists),
    then the inline `#tags` of its body."""
    out = front_matter_tags(front_matter)
    out.extend(body_tags(body))
    return out


def body_tags(body: str) -> Iterator[str]:
    """The inline `#tags` of a note's body, as Obsidian finds them: not in fenced code or `inline code`, not in
    a heading line, and not all digits (`#2026` is no tag). One pass over the text."""
    if "#" not in body:
        return
    code = CodeFences()
    for line in body.split("\n"):
        if code.is_code(line) or "#" not in line or _is_heading(line):
            continue
        outside_code = line.split("`")[::2]  # the pieces between pairs of backticks are inline code
        for piece in outside_code:
            for m in _INLINE_TAG.finditer(piece):
                tag = m.group(1).strip("/")
                if tag and not tag.replace("/", "").isdigit():
                    yield tag


def _is_heading(line: str) -> bool:
    """`# Title` to `###### Title`, as `mdlines.heading` reads them (1 to 6 `#` in the first column, then a
    blank), told without a regex: a string method cannot backtrack, whatever the line holds."""
    rest = line.lstrip("#")
    return 1 <= len(line) - len(rest) <= 6 and rest[:1].isspace()


# -- [fields]: the vault's property names for vaultnet's fields ------------------------------------------------

SPELLINGS = {"email": ("email", "emails"), "phone": ("phone", "phones"), "tags": ("tags", "tag")}
SPELLINGS["aliases"] = ("aliases", "alias")  # vaultnet's own names of a field, where it has two


def mapped_properties(front_matter: Mapping[str, Any], fields: Sequence[tuple[str, Sequence[str]]]) -> dict[str, str]:
    """The note's keys (as written) that stand for vaultnet's fields -> the field: for each `[fields]` entry
    whose field the note leaves empty under vaultnet's own names, the first of the vault's names (compared
    without case) that holds a value. An empty property under vaultnet's own name maps to "" (to be ignored),
    so that it cannot undo the mapped one."""
    if not fields:
        return {}
    present: dict[str, str] = {}
    for key in front_matter:
        if isinstance(key, str):
            present[property_name(key)] = key
    out: dict[str, str] = {}
    for field, names in fields:
        own = [present[name] for name in SPELLINGS.get(field, (field,)) if name in present]
        if any(has_value(front_matter[key]) for key in own):
            continue
        chosen = next((present[n] for n in names if n in present and has_value(front_matter[present[n]])), None)
        if chosen is not None:
            out.update(dict.fromkeys(own, ""))
            out[chosen] = field
    return out


_NULLS = frozenset({"", "null", "~"})


def has_value(value: Any) -> bool:
    """Whether a property holds something: not empty, not `null`/`~`, not an empty list."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip().lower() not in _NULLS
    if isinstance(value, list):
        return any(has_value(item) for item in value)
    return True

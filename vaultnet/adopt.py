"""Adopting a vault that already has notes: what `vaultnet init` finds in them.

People keep their contacts in many shapes (docs/format.md, "Which notes are contacts"; tests/data/vaults/ has
three of them). `survey` looks at every note's front matter (read with vaultnet's own loader) and tags and finds:

- which notes are people: a folder named People, Contacts, Persons or Personen (in any case, at any depth), a
  `categories`, `category` or `type` property that holds People, Person or Contact (as text or as a link), or
  such a tag; and which notes found so are not people (a read-me, a name that starts with `_`, the folder's
  index note, a template);
- which notes record meetings: a Meetings folder, category or tag whose notes name people in a `people` or
  `attendees` property, and the property that dates them;
- the vault's own names for vaultnet's fields (`org` for the company, `Position` for the role, ...).

What it found is data (`Survey`); `vaultnet.adopt_text` writes it as settings. Nothing here writes to the disk.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from vaultnet.config import Settings
from vaultnet.frontmatter import decode, load_front_matter, split_front_matter
from vaultnet.mdlines import CodeFences
from vaultnet.obsidian import TEMPLATER_JSON, TEMPLATES_JSON, read_obsidian
from vaultnet.safeio import Refused
from vaultnet.selection import Selection, normal_value
from vaultnet.vault import list_notes, read_bytes

PEOPLE = frozenset({"people", "person", "persons", "personen", "contact", "contacts", "kontakte"})
MEETINGS = frozenset({"meetings", "meeting", "meeting notes", "besprechungen"})
KIND_KEYS = frozenset({"categories", "category", "type"})  # properties that say what a note is
PEOPLE_KEYS = frozenset({"people", "attendees", "participants"})  # a meeting's people (normalised names)
DATE_KEYS = frozenset({"date", "day", "meeting date"})  # a meeting's day (normalised names)
TAG_KEYS = frozenset({"tags", "tag"})

# vaultnet's fields: (its own property names, which already match in any case; the common other spellings,
# normalised by `normal_key`).
FIELDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "company": (frozenset({"company"}), frozenset({"org", "organization", "organisation", "employer"})),
    "role": (frozenset({"role"}), frozenset({"title", "position", "job", "job title", "jobtitle"})),
    "met": (frozenset({"met"}), frozenset({"met date", "first met", "date met", "met on"})),
    "email": (frozenset({"email", "emails"}), frozenset({"e mail", "mail", "email address", "e mails"})),
    "phone": (frozenset({"phone", "phones"}), frozenset({"phone number", "mobile", "cell", "telephone", "tel"})),
    "last_contact": (frozenset({"last_contact"}), frozenset({"last contacted", "last contact"})),
}

_TAG = re.compile(r"(?:^|(?<=\s))#([^\s#,;:!?()\[\]{}\"'`]+)")
_SEPARATORS = re.compile(r"[\s_\-]+")


def normal_key(key: str) -> str:
    """A property name as the spellings compare: `Phone Number`, `phone_number` and `phone-number` alike."""
    return _SEPARATORS.sub(" ", key.strip().casefold()).strip()


@dataclass(frozen=True)
class Note:
    """What the survey needs of one note: its path, its properties and its tags (without `#`)."""

    path: str
    properties: Mapping[str, Any]
    tags: tuple[str, ...] = ()

    def names(self, keys: frozenset[str]) -> list[str]:
        """The note's property names (as written) that are among `keys` (normalised)."""
        return [k for k in self.properties if isinstance(k, str) and normal_key(k) in keys]

    def has_value(self, keys: frozenset[str]) -> bool:
        """Whether one of these properties holds something (an empty list or text does not count)."""
        return any(_texts(self.properties[k]) for k in self.names(keys))


@dataclass(frozen=True)
class Rule:
    """One rule of a selection as vaultnet.toml writes it, and the notes it selects."""

    key: str  # "folders", "tags" or "where"
    name: str  # the folder, the tag, or the property (as the vault writes them)
    values: tuple[str, ...] = ()  # `where`: the property's values that select, as written
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Left:
    """An exclude pattern, why, and the notes it leaves out."""

    pattern: str
    why: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Found:
    """A kind of note found in the vault: the rules that find it, the exclusions, and the notes they select."""

    rules: tuple[Rule, ...] = ()
    exclude: tuple[Left, ...] = ()
    notes: tuple[str, ...] = ()

    def of(self, key: str) -> list[Rule]:
        return [r for r in self.rules if r.key == key]

    def selection(self) -> Selection:
        where: dict[str, tuple[str, ...]] = {}
        for rule in self.of("where"):
            where.setdefault(rule.name.strip().casefold(), rule.values)
        return Selection(
            tuple(r.name for r in self.of("folders")),
            tuple(r.name for r in self.of("tags")),
            tuple(where.items()),
            tuple(left.pattern for left in self.exclude),
        )


@dataclass(frozen=True)
class Survey:
    """What `vaultnet init` found in a vault's notes."""

    notes: int  # notes read
    unreadable: tuple[str, ...] = ()  # notes whose front matter vaultnet cannot read
    skipped: tuple[tuple[str, str], ...] = ()  # (folder, why): not read at all
    contacts: Found = field(default_factory=Found)
    meetings: Found = field(default_factory=Found)
    people_keys: tuple[str, ...] = ()  # as written, most used first
    date_keys: tuple[str, ...] = ()
    undated: tuple[str, ...] = ()  # meeting notes without a date property (the file name has it, or nothing)
    fields: tuple[tuple[str, tuple[str, ...]], ...] = ()  # vaultnet field -> the vault's names for it


# -- reading the vault ------------------------------------------------------------------------------------------


def template_folders(root: Path) -> list[tuple[str, str]]:
    """The vault's template folders, (folder, why): template notes are never people or meetings."""
    obsidian = read_obsidian(root)  # the files as the other commands read them, with the same safe reads
    found: dict[str, str] = {}
    for folder, rel in ((obsidian.templates_folder, TEMPLATES_JSON), (obsidian.templater_folder, TEMPLATER_JSON)):
        if folder:
            found.setdefault(folder, f"the templates folder in {rel}")
    default = Settings().templates_folder
    if (root / default).is_dir():
        found.setdefault(default, "vaultnet's templates folder")
    return list(found.items())


def read_notes(root: Path, skip: Iterable[str] = ()) -> tuple[list[Note], list[str]]:
    """Every note below `root` but those in the `skip` folders, and the notes whose front matter is unreadable."""
    notes: list[Note] = []
    unreadable: list[str] = []
    for rel in sorted(list_notes(root, skip_folders=frozenset(skip))):
        try:
            data = read_bytes(root, rel)
        except Refused:
            data = None  # unreadable: counted with the notes whose front matter vaultnet cannot read
        note = None if data is None else read_note(rel, data)
        if note is None:
            unreadable.append(rel)
        else:
            notes.append(note)
    return notes, unreadable


def read_note(path: str, data: bytes) -> Note | None:
    """The note's properties and tags, None when vaultnet cannot read its front matter."""
    text, problem = decode(path, data)
    if text is None:
        return None
    fm_text, body_line, problem = split_front_matter(path, text)
    properties: dict[str, Any] = {}
    if fm_text is not None:
        properties, problem = load_front_matter(path, fm_text)
    if problem is not None:
        return None
    tags = [t for k in Note(path, properties).names(TAG_KEYS) for t in _tag_texts(properties[k])]
    code = CodeFences()
    for line in text.split("\n")[body_line - 1 :]:
        if code.is_code(line) or "#" not in line:  # every line goes through: fences open and close code
            continue
        tags.extend(m.group(1) for m in _TAG.finditer(line) if not m.group(1).isdigit())
    return Note(path, properties, tuple(dict.fromkeys(tags)))


def _texts(value: Any) -> list[str]:
    """A property's values as written: a text, the texts of a list, an unquoted `[[Link]]` as that link."""
    out: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, list) and len(item) == 1 and isinstance(item[0], str):
            item = f"[[{item[0]}]]"  # `categories: [[People]]`, unquoted: YAML's list in a list
        if isinstance(item, str) and item.strip():
            out.append(item.strip())
    return out


def _tag_texts(value: Any) -> list[str]:
    return [t.lstrip("#") for item in _texts(value) for t in re.split(r"[\s,]+", item) if t.lstrip("#")]


# -- finding the rules ------------------------------------------------------------------------------------------


def survey(notes: list[Note], unreadable: Iterable[str] = (), skipped: Iterable[tuple[str, str]] = ()) -> Survey:
    """Which notes are people and meetings, and the vault's names for vaultnet's fields."""
    contacts = find_contacts(notes)
    is_person = set(contacts.notes)
    people = [n for n in notes if n.path in is_person]
    others = [n for n in notes if n.path not in is_person]
    meetings = find(others, MEETINGS, lambda n: n.has_value(PEOPLE_KEYS))
    chosen = _among(notes, meetings.notes)
    dated = [n for n in chosen if n.has_value(DATE_KEYS)]
    return Survey(
        notes=len(notes),
        unreadable=tuple(unreadable),
        skipped=tuple(skipped),
        contacts=contacts,
        meetings=meetings,
        people_keys=_most_used(k for n in chosen for k in n.names(PEOPLE_KEYS)),
        date_keys=_most_used(k for n in dated for k in n.names(DATE_KEYS)),
        undated=tuple(n.path for n in chosen if not n.has_value(DATE_KEYS)),
        fields=field_names(people),
    )


def _among(notes: list[Note], paths: Iterable[str]) -> list[Note]:
    wanted = set(paths)
    return [n for n in notes if n.path in wanted]


def find_contacts(notes: list[Note]) -> Found:
    """The people: every rule that finds some, less the notes beside them that are not people."""
    found = find(notes, PEOPLE)
    candidates = _among(notes, found.notes)
    exclude = not_people(candidates, [r.name for r in found.of("folders")])
    kept = Found(found.rules, exclude)
    selection = kept.selection()
    chosen = tuple(n.path for n in notes if selection.selects(n.path, n.properties, n.tags))
    kept_paths = set(chosen)
    rules = tuple(Rule(r.key, r.name, r.values, tuple(p for p in r.notes if p in kept_paths)) for r in found.rules)
    return Found(rules, exclude, chosen)


def find(notes: list[Note], words: frozenset[str], keep: Callable[[Note], bool] = lambda n: True) -> Found:
    """The folder, property and tag rules that select the notes `words` name, each with the notes it selects
    that `keep` accepts; a rule that selects none of those is left out."""
    folders: dict[str, list[str]] = {}
    where: dict[str, tuple[list[str], list[str], dict[str, list[str]]]] = {}  # by name: names, values, notes
    tags: dict[str, tuple[list[str], list[str]]] = {}  # by the tag in lower case: (as written, notes)
    for note in notes:
        if not keep(note):
            continue
        folder = _named_folder(note.path, words)
        if folder is not None:
            folders.setdefault(folder, []).append(note.path)
        for key in note.names(KIND_KEYS):
            for value in _texts(note.properties[key]):
                if normal_value(value) in words:
                    names, values, by_value = where.setdefault(key.strip().casefold(), ([], [], {}))
                    names.append(key.strip())
                    values.append(value)
                    by_value.setdefault(normal_value(value), []).append(note.path)
        for tag in note.tags:
            root = tag.split("/", 1)[0]
            if root.casefold() in words:
                spelled, paths = tags.setdefault(root.casefold(), ([], []))
                spelled.append(root)
                paths.append(note.path)
    rules = [Rule("folders", f, notes=tuple(paths)) for f, paths in sorted(folders.items())]
    for _, (names, values, by_value) in sorted(where.items()):
        selected = tuple(dict.fromkeys(p for ps in by_value.values() for p in ps))
        rules.append(Rule("where", _most_used(names)[0], _most_used(values, normal_value), selected))
    for _, (spelled, paths) in sorted(tags.items()):
        rules.append(Rule("tags", _most_used(spelled)[0], notes=tuple(dict.fromkeys(paths))))
    chosen = {p for r in rules for p in r.notes}
    return Found(tuple(rules), (), tuple(n.path for n in notes if n.path in chosen))


def _named_folder(path: str, words: frozenset[str]) -> str | None:
    """The outermost folder of `path` whose name is one of `words` (any case), as the vault spells it."""
    parts = path.split("/")[:-1]
    for depth, name in enumerate(parts):
        if name.casefold() in words:
            return "/".join(parts[: depth + 1])
    return None


def _most_used(names: Iterable[str], same: Callable[[str], str] = str.casefold) -> tuple[str, ...]:
    """Names as written, one per name in any case (or as `same` compares them), in its most used spelling; the
    most used first, ties in the order first seen."""
    spellings: dict[str, Counter[str]] = {}
    for name in names:
        spellings.setdefault(same(name), Counter())[name] += 1
    ranked = sorted(spellings.values(), key=lambda c: -c.total())  # stable: ties keep the order first seen
    return tuple(c.most_common(1)[0][0] for c in ranked)


def not_people(notes: list[Note], folders: list[str]) -> tuple[Left, ...]:
    """The exclude patterns for the notes found beside people that are not people."""
    readme: dict[str, list[str]] = {}
    helper: list[str] = []
    exact: list[Left] = []
    for note in notes:
        path = PurePosixPath(note.path)
        if path.stem.casefold() == "readme":
            readme.setdefault(path.name, []).append(note.path)
        elif path.name.startswith("_"):
            helper.append(note.path)
        elif str(path.parent) in folders and path.stem == path.parent.name:  # not People/Jo/Jo.md: a folder note
            exact.append(Left(note.path, f"the index note of {path.parent}/", (note.path,)))
        elif path.stem.casefold() == "index" or "template" in path.stem.casefold():
            what = "an index note" if path.stem.casefold() == "index" else "a template"
            exact.append(Left(note.path, what, (note.path,)))
    lefts = [Left(f"**/{name}", "a read-me", tuple(paths)) for name, paths in sorted(readme.items())]
    if helper:
        lefts.append(Left("**/_*", "named with a leading _ (a template, a list)", tuple(helper)))
    return (*lefts, *exact)


def field_names(people: list[Note]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Per vaultnet field, the people's property names that mean it but that vaultnet does not read as it."""
    out = []
    for name, (own, spellings) in FIELDS.items():
        keys = (k for n in people for k in n.properties if isinstance(k, str))
        found = _most_used(k for k in keys if k.strip().casefold() not in own and normal_key(k) in spellings)
        if found:
            out.append((name, found))
    return tuple(out)

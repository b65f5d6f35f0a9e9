"""How the persons an import read become notes: who is who (`identity`), a new note for someone new, and for a
note that matches, only what it lacks.

Each person is matched against the vault's contacts and the notes this run has already planned, through the
same `Directory`, and a note this run wrote is parsed again before the next person meets it: the notes of one
run are, byte for byte, what two runs over the same files would write, and a second run changes nothing. An
existing note changes only in the lines that must (through `edit`), and if it changed on disk meanwhile, the
same persons are applied again to what is there (`Change.redo`), so that no concurrent edit is lost.
This module opens no vault: it is given the contacts, the settings and the vault's root to read notes from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path

from vaultnet.changes import Change, safe_filename
from vaultnet.config import Settings
from vaultnet.contacts_io import Person
from vaultnet.edit import add_to_list, add_to_section, property_keys, set_property, yaml_item, yaml_scalar
from vaultnet.identity import Directory, Keys, Match, keys_of, normal_url
from vaultnet.mdlines import IMPORT_NOTES, quoted
from vaultnet.model import Birthday, Contact, NameParts
from vaultnet.parse import parse_note
from vaultnet.problems import UserError
from vaultnet.safeio import Refused
from vaultnet.values import add_or_none, phone_key
from vaultnet.vault import read_bytes

# The single-valued fields an import fills, in the order a new note lists them (with the lists between).
_SCALARS = ("name_parts", "company", "role", "birthday", "anniversary", "met", "linkedin", "uid")


def _text_key(value: str) -> str:
    return " ".join(value.split()).casefold()


def _url_key(value: str) -> str:
    return normal_url(value).casefold()


# The list fields: (Contact attribute, the key vaultnet writes, when two values are the same value).
_LISTS: tuple[tuple[str, str, Callable[[str], str]], ...] = (
    ("aliases", "aliases", _text_key),
    ("emails", "email", _text_key),
    ("phones", "phone", phone_key),
    ("related", "related", _text_key),
    ("urls", "urls", _url_key),
    ("tags", "tags", _text_key),
)
# The order of a new note's properties, and the order an import fills a note's.
_ORDER = ("name_parts", "aliases", "company", "role", "email", "phone", "birthday", "anniversary", "related",
          "urls", "met", "linkedin", "uid", "tags")  # fmt: skip
# The other keys vaultnet reads for a field (parse.py's LIST_ATTR, the other way round).
_OTHER_NAMES = {"email": ("emails",), "phone": ("phones",), "aliases": ("alias",), "tags": ("tag",), "urls": ("url",)}
# For each key of _ORDER, the keys a new note has below it (with their other spellings, lower case).
_LATER = [
    {name for key in (*_ORDER[place + 1 :], "circle", "source") for name in (key, *_OTHER_NAMES.get(key, ()))}
    for place in range(len(_ORDER))
]


@dataclass
class ImportPlan:
    """What an import would write, and what became of each person read (the counts add up to the persons)."""

    changes: list[Change] = field(default_factory=list)
    created: int = 0  # persons that made a new note
    updated: int = 0  # persons that added to a note that was there before
    unchanged: int = 0  # persons whose note already said all they say
    merged: int = 0  # persons that added to a note an earlier person of this import made
    # names several contacts have: the person, how many contacts, the first three of them
    ambiguous: list[tuple[Person, int, list[str]]] = field(default_factory=list)
    unwritable: list[tuple[Person, str]] = field(default_factory=list)  # would make a note vaultnet cannot read: why
    new_contacts: list[Contact] = field(default_factory=list)  # the new notes, as parsed


@dataclass
class _Note:
    rel: str
    before: bytes | None  # None: a note this import makes
    text: str
    contact: Contact
    persons: list[Person] = field(default_factory=list)  # those added to it, in order: what `redo` applies again


def _keys(contact: Contact) -> Keys:
    return keys_of(contact.name, contact.uid, contact.linkedin, contact.emails)


def _person_keys(person: Person) -> Keys:
    return keys_of(person.name, person.uid, person.linkedin, person.emails)


def _scalar_text(value: object) -> str:
    """A single value as YAML: a structured name as a flow mapping of its parts, a date as ISO 8601."""
    if isinstance(value, NameParts):
        parts = zip(NameParts._fields, value, strict=True)
        return "{" + ", ".join(f"{name}: {yaml_item(part)}" for name, part in parts if part) + "}"
    if isinstance(value, Birthday):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return yaml_scalar(str(value))


def _listing(values: tuple[str, ...]) -> str:
    return yaml_scalar(values[0]) if len(values) == 1 else "[" + ", ".join(yaml_item(v) for v in values) + "]"


def new_note(person: Person, today: date) -> str:
    """A new note for `person`: their fields, `met` (the import day when the source gives no date, so that a
    big import is not due at once), their circle and source, and their free text in its own section."""
    lines = ["---", "type: contact", f"name: {yaml_scalar(person.name)}"]
    values: dict[str, object] = {attr: getattr(person, attr) for attr in _SCALARS}
    values["met"] = person.met or today
    written = {key: _listing(getattr(person, attr)) for attr, key, _same in _LISTS if getattr(person, attr)}
    for key in _ORDER:
        value = values.get(key)
        if key in written:
            lines.append(f"{key}: {written[key]}")
        elif value is not None:
            lines.append(f"{key}: {_scalar_text(value)}")
    if person.circle:
        lines.append(f"circle: {yaml_scalar(person.circle)}")
    lines.append(f"source: {yaml_scalar(person.source)}")
    text = "\n".join([*lines, "---", f"# {person.name}", ""]) + "\n"
    for note in person.notes:
        text = add_to_section(text, IMPORT_NOTES, quoted(note))
    return text


def _key_for(keys: list[str], field_key: str, settings: Settings) -> str:
    """The property a note keeps a field under: vaultnet's name, its other spelling or the vault's own name
    (`[fields]`), the first one the note has; vaultnet's name when it has none."""
    mapped = dict(settings.fields).get(field_key, ())
    written = {key.casefold(): key for key in keys}
    for name in (field_key, *_OTHER_NAMES.get(field_key, ()), *mapped):
        if name.casefold() in written:
            return written[name.casefold()]
    return field_key


def fill(text: str, contact: Contact, person: Person, settings: Settings, *, overwrite: bool = False) -> str:
    """`text` (the note `contact` was read from) with what `person` adds: each single value the note leaves
    empty (or, with `overwrite`, says otherwise), each list value it lacks, and the person's free text."""
    keys = property_keys(text)
    lists = {key: (attr, same) for attr, key, same in _LISTS}
    for place, key in enumerate(_ORDER):
        # A key the note lacks goes where a new note has it: above the first key that comes after it there, so
        # that a note merged from two cards reads as the note one card with both would make.
        before = _LATER[place]
        if key in lists:
            attr, same = lists[key]
            text = _add_missing(text, _key_for(keys, key, settings), contact, person, attr, same, before)
            continue
        value = getattr(person, key)
        present = getattr(contact, key)
        # `uid` is who the note is (its calendar events keep it across renames): never replaced, even by --overwrite.
        if value is None or (present is not None and (not overwrite or key == "uid" or _same(key, present, value))):
            continue
        text = set_property(text, _key_for(keys, key, settings), _scalar_text(value), before)
    for note in person.notes:  # each its own quote, added once: not again when the note holds it
        text = add_to_section(text, IMPORT_NOTES, quoted(note))
    return text


def _add_missing(
    text: str, key: str, contact: Contact, person: Person, attr: str, same: Callable[[str], str], before: set[str]
) -> str:
    """The list property `key` with the person's values that the contact's list lacks (two spellings of one
    value count once: the first is kept)."""
    present = list(getattr(contact, attr))
    seen = {same(v) for v in present}
    if attr == "aliases":
        seen.add(_text_key(contact.name))
    new = []
    for value in getattr(person, attr):
        if same(value) not in seen:
            seen.add(same(value))
            new.append(value)
    return add_to_list(text, key, present, new, before) if new else text


def _same(attr: str, present: object, value: object) -> bool:
    """The note already says what the person says, however it is spelled."""
    if attr == "linkedin" and isinstance(present, str) and isinstance(value, str):
        return normal_url(present) == normal_url(value)
    return present == value


def plan_import(
    root: Path,
    settings: Settings,
    contacts: Iterable[Contact],
    people: Iterable[Person],
    *,
    today: date,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportPlan:
    """What importing `people` would change: a new note for each new person, and what matched notes lack."""
    people = list(people)
    directory = Directory()
    known: dict[str, Contact] = {}
    for contact in contacts:
        known[contact.path] = contact
        directory.add(contact.path, _keys(contact))
    taken = {path.casefold() for path in known}
    notes: dict[str, _Note] = {}
    result = ImportPlan()
    for done, person in enumerate(people, start=1):
        if progress is not None:
            progress(done, len(people))
        match = directory.match(_person_keys(person))
        if match.path is None and match.namesakes:
            result.ambiguous.append((person, match.namesakes, list(match.some)))
            continue
        rel = _free_name(root, settings, person, taken) if match.path is None else match.path
        text = new_note(person, today)
        # The person as the parser reads what an import writes: the values compared and added below, so that a
        # value that reads back otherwise (a tag with a comma, a linked company) cannot make every run add it.
        written, why = _read_back(rel, text, settings)
        if written is None:
            result.unwritable.append((person, why))
            continue
        if match.path is None:
            taken.add(rel.casefold())
            notes[rel] = _Note(rel, None, text, written)
            directory.add(rel, _keys(written))
            result.created += 1
            continue
        person = _as_read(person, written)
        note, after = _pick(match, partial(_known, root, known, notes), partial(_filled, person, settings, overwrite))
        notes[note.rel] = note
        if after == note.text:
            result.unchanged += 1
            continue
        read, why = _read_back(note.rel, after, settings)
        if read is None:
            result.unwritable.append((person, why))
            continue
        note.text, note.contact = after, read
        note.persons.append(person)
        directory.add(note.rel, _keys(note.contact))
        if note.before is None:
            result.merged += 1
        else:
            result.updated += 1
    _add_changes(result, notes.values(), root, settings, overwrite)
    return result


def _add_changes(result: ImportPlan, notes: Iterable[_Note], root: Path, settings: Settings, overwrite: bool) -> None:
    """The notes as changes to write (each can be made again on the note as it is then), and the new contacts."""
    for note in notes:
        redo = partial(_redo, note.rel, settings, tuple(note.persons), overwrite)
        change = Change(root / note.rel, note.rel, note.before, note.text.encode("utf-8"), redo)
        if change.changed:
            result.changes.append(change)
        if note.before is None:
            result.new_contacts.append(note.contact)


def _known(root: Path, known: dict[str, Contact], notes: dict[str, _Note], rel: str) -> _Note:
    """The note at `rel` as this import has it: as it made or changed it, else as on disk."""
    return notes.get(rel) or _load(root, known[rel])


def _filled(person: Person, settings: Settings, overwrite: bool, note: _Note) -> str:
    return fill(note.text, note.contact, person, settings, overwrite=overwrite)


def _pick(match: Match, load: Callable[[str], _Note], filled: Callable[[_Note], str]) -> tuple[_Note, str]:
    """The note a matched person goes to, and its text with what they add. Of several notes at the key that
    matched (two notes that came to share an e-mail), the first that already holds all the person says: the note
    an earlier run filled must be found again, not a namesake that has gained one of their e-mails since (the
    second run would move the card's values there)."""
    note = load(match.path or "")
    after = filled(note)
    if after != note.text:
        for rel in match.candidates:
            other = load(rel)
            if filled(other) == other.text:
                return other, other.text
    return note, after


def _as_read(person: Person, contact: Contact) -> Person:
    """`person` with the values of `contact`, the note `new_note` wrote for them as parsed (`met` aside: the
    import day stands in for a date the source does not give, and is no value to add to a note)."""
    values = {attr: getattr(contact, attr) for attr in _SCALARS if attr != "met"}
    values.update({attr: getattr(contact, attr) for attr, _key, _same in _LISTS})
    return replace(person, notes=contact.import_notes, **values)


def first_due(contacts: Iterable[Contact], settings: Settings) -> date | None:
    """The day the first of `contacts` (new ones: met, nothing logged) comes up for a follow-up: `met` plus
    their circle's rhythm, as the cadence rule has it. None when no circle of theirs has one (dormant)."""
    days = []
    for contact in contacts:
        cadence = None if contact.cadence_none else (contact.cadence or settings.cadence_of(contact.circle))
        if cadence is not None and contact.met is not None and (day := add_or_none(contact.met, cadence)):
            days.append(day)
    return min(days, default=None)


def _read_back(rel: str, text: str, settings: Settings) -> tuple[Contact | None, str]:
    """The contact a note written by this import reads as (what the next person of the run is matched with), or
    None and why not: a value past vaultnet's limits (a card's NOTE of 70,000 characters on one line) makes a note
    that is not read, and that person is left out, not the whole import."""
    parsed = parse_note(rel, text.encode("utf-8"), settings)
    if parsed.contact is not None:
        return parsed.contact, ""
    return None, "; ".join(p.message for p in parsed.problems if p.severity == "error") or "it would be no contact"


def _load(root: Path, contact: Contact) -> _Note:
    try:
        data = read_bytes(root, contact.path)
    except Refused as exc:
        raise UserError(f"{contact.path} {exc}") from None
    if data is None:
        raise UserError(f"{contact.path} vanished during the import: run it again")
    return _Note(contact.path, data, data.decode("utf-8"), contact)


def _redo(rel: str, settings: Settings, persons: tuple[Person, ...], overwrite: bool, data: bytes) -> bytes:
    """The same persons added to the note as it is now (it changed on disk since the import read it)."""
    text = data.decode("utf-8")
    for person in persons:
        contact = parse_note(rel, text.encode("utf-8"), settings).contact
        if contact is None:
            raise UserError(f"{rel} cannot be read any more: fix it, then import again")
        text = fill(text, contact, person, settings, overwrite=overwrite)
    return text.encode("utf-8")


def _free_name(root: Path, settings: Settings, person: Person, taken: set[str]) -> str:
    """contacts/Name.md, or contacts/Name 2.md, ... when another person has that name."""
    base = safe_filename(person.name)
    for number in range(1, 1000):
        stem = base if number == 1 else f"{base} {number}"
        rel = f"{settings.contacts_folder}/{stem}.md"
        if rel.casefold() not in taken and not (root / rel).exists():  # a note vaultnet could not read, too
            return rel
    raise UserError(f"too many contacts named {person.name}")

"""Contacts from outside the vault: the `Person` an import reads, and how persons become notes.

The readers (`vcard`, `linkedin`) turn a file into `Person`s; `plan_import` matches each to an existing
contact by e-mail, LinkedIn URL or vCard UID, then by exact name, and computes the `Change`s: a new note,
or the fields a matched note leaves empty (unless `overwrite`). An import is idempotent, and an existing
note changes only in the lines that must (through `edit`). `choose` picks the contacts an export takes.
This module sits below the pipeline: it is given contacts and settings, and opens no vault.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from vaultnet.changes import Change, safe_filename
from vaultnet.config import Settings
from vaultnet.edit import set_property, yaml_scalar
from vaultnet.model import Birthday, Contact, NameParts
from vaultnet.problems import Problem, UserError


@dataclass(frozen=True)
class Person:
    """A contact from outside the vault (one vCard, one LinkedIn row), before it becomes (or updates) a note.

    Phones and related people are texts with their labels as a note keeps them (`values.with_labels`:
    `+49 170 1234567 (cell)`, `Hanako Yamada (spouse)`); e-mails are plain addresses, lower-cased."""

    name: str
    name_parts: NameParts | None = None  # vCard's N, when it says more than `name` alone
    aliases: tuple[str, ...] = ()  # vCard's NICKNAME
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company: str | None = None
    role: str | None = None
    birthday: Birthday | None = None
    anniversary: Birthday | None = None
    related: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()  # web pages other than the LinkedIn profile
    linkedin: str | None = None
    uid: str | None = None
    met: date | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None  # the card's free text: kept in the note where vaultnet reads no log or tasks
    circle: str | None = None
    source: str = ""
    line: int = 0  # where it starts in the file it came from
    path: str = ""  # the file it came from, as given
    unmapped: tuple[str, ...] = ()  # what the card holds that a note does not (`ADR`, `PHOTO`): for --verbose


@dataclass
class Reading:
    """What a reader made of one file: the people in it, the problems (`path:line`), and the records that are
    not people (`skipped`: a vCard group or company, a card without a name or e-mail), each with its line and
    why, so that the import's counts account for every record of the file."""

    people: list[Person] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    unreadable: int = 0  # records that could not be read at all (each one has an error in `problems`)


def decode_export(path: str, data: bytes) -> tuple[str, list[Problem]]:
    """The text of an exported file: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252 with
    a warning. Unlike `parse.decode` (a note: UTF-8 or a problem), an export is always read somehow."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), []
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        note = "not UTF-8: read as Windows-1252 (Latin-1); check accented names, and export as UTF-8 next time"
        return data.decode("cp1252", errors="replace"), [Problem(path, 1, note, "warning")]


def normal_url(url: str) -> str:
    """A profile URL as one spelling (`https://www.linkedin.com/in/x`), so that two spellings match."""
    url = url.strip()
    url = re.sub(r"^(https?://)?(www\.)?", "https://www.", url, flags=re.IGNORECASE)
    return url.rstrip("/").lower() if "linkedin.com" in url.lower() else url.rstrip("/")


# -- matching and writing -------------------------------------------------------------------------------------


@dataclass
class ImportPlan:
    """What an import would write, and the counts it reports."""

    changes: list[Change] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ambiguous: list[tuple[Person, list[str]]] = field(default_factory=list)  # names several contacts have


def _match(person: Person, contacts: list[Contact]) -> Contact | None:
    emails = {e.casefold() for e in person.emails}
    for contact in contacts:
        if emails & {e.casefold() for e in contact.emails}:
            return contact
        if person.linkedin and contact.linkedin and normal_url(contact.linkedin) == person.linkedin:
            return contact
        if person.uid and contact.uid and contact.uid == person.uid:
            return contact
    by_name = [
        c
        for c in contacts
        if c.name.casefold() == person.name.casefold()
        and not (c.path.startswith("\0new:") and _someone_else(person, c))  # two cards of this import
    ]
    return by_name[0] if len(by_name) == 1 else None


def _someone_else(person: Person, contact: Contact) -> bool:
    """Known to be another person: a different UID or LinkedIn profile, or e-mails that share none."""
    if person.uid and contact.uid and person.uid != contact.uid:
        return True
    if person.linkedin and contact.linkedin and normal_url(contact.linkedin) != person.linkedin:
        return True
    mine, theirs = {e.casefold() for e in person.emails}, {e.casefold() for e in contact.emails}
    return bool(mine and theirs and not mine & theirs)


def _fields(person: Person) -> list[tuple[str, str | None, str]]:
    """(key, YAML value or None, the Contact attribute that tells whether the note has it)."""

    def listing(values: tuple[str, ...]) -> str | None:
        if not values:
            return None
        if len(values) == 1:
            return yaml_scalar(values[0])
        return "[" + ", ".join(yaml_scalar(v) for v in values) + "]"

    return [
        ("company", yaml_scalar(person.company) if person.company else None, "company"),
        ("role", yaml_scalar(person.role) if person.role else None, "role"),
        ("email", listing(person.emails), "emails"),
        ("phone", listing(person.phones), "phones"),
        ("birthday", str(person.birthday) if person.birthday else None, "birthday"),
        ("met", person.met.isoformat() if person.met else None, "met"),
        ("linkedin", yaml_scalar(person.linkedin) if person.linkedin else None, "linkedin"),
        ("uid", yaml_scalar(person.uid) if person.uid else None, "uid"),
        ("tags", listing(person.tags) if person.tags else None, "tags"),
    ]


def _new_note(person: Person) -> str:
    lines = ["---", "type: contact", f"name: {yaml_scalar(person.name)}"]
    lines += [f"{key}: {value}" for key, value, _ in _fields(person) if value is not None]
    if person.circle:
        lines.append(f"circle: {person.circle}")
    lines.append(f"source: {person.source}")
    lines += ["---", f"# {person.name}", ""]
    if person.note:
        lines += [person.note, ""]
    return "\n".join(lines) + "\n"


def plan_import(
    root: Path, settings: Settings, contacts: Iterable[Contact], people: Iterable[Person], *, overwrite: bool = False
) -> ImportPlan:
    """What importing `people` would change: new notes, and empty fields of matched contacts filled."""
    existing = list(contacts)
    known = list(existing)
    result = ImportPlan()
    taken = {c.path.casefold() for c in known}
    edits: dict[str, tuple[Path, bytes, str]] = {}  # path -> (file, bytes read, text so far)
    for person in people:
        contact = _match(person, known)
        if contact is None:
            namesakes = [c.path for c in existing if c.name.casefold() == person.name.casefold()]
            if len(namesakes) > 1:
                result.ambiguous.append((person, namesakes))  # a new note would be one more namesake, every time
                continue
            rel = _free_name(root, settings, person, taken)
            taken.add(rel.casefold())
            text = _new_note(person)
            result.changes.append(Change(root / rel, rel, None, text.encode("utf-8")))
            result.created += 1
            # Later rows of the same file match this one, as if it had been written already.
            known.append(_as_contact(person, rel))
            continue
        if contact.path not in edits:
            if contact.path.startswith("\0new:"):
                result.unchanged += 1
                continue
            file = root / contact.path
            data = file.read_bytes()
            edits[contact.path] = (file, data, data.decode("utf-8"))
        file, data, text = edits[contact.path]
        for key, value, attribute in _fields(person):
            if value is None:
                continue
            present = getattr(contact, attribute)
            if present and (not overwrite or _same(attribute, present, person)):
                continue
            text = set_property(text, key, value)
        edits[contact.path] = (file, data, text)
    for rel, (file, data, text) in edits.items():
        change = Change(file, rel, data, text.encode("utf-8"))
        if change.changed:
            result.changes.append(change)
            result.updated += 1
        else:
            result.unchanged += 1
    return result


def _same(attribute: str, present: object, person: Person) -> bool:
    """The note already says what the person's field says (however it is spelled)."""
    wanted: object = getattr(person, attribute)
    if attribute == "linkedin" and isinstance(present, str):
        return normal_url(present) == wanted
    if isinstance(present, tuple) and isinstance(wanted, tuple):
        return [str(v).casefold() for v in present] == [str(v).casefold() for v in wanted]
    return present == wanted


def _as_contact(person: Person, rel: str) -> Contact:
    return Contact(
        path="\0new:" + rel, name=person.name, emails=person.emails, linkedin=person.linkedin, uid=person.uid
    )


def _free_name(root: Path, settings: Settings, person: Person, taken: set[str]) -> str:
    """contacts/Name.md, or contacts/Name 2.md, ... when another person has that name."""
    base = safe_filename(person.name)
    for number in range(1, 1000):
        stem = base if number == 1 else f"{base} {number}"
        rel = f"{settings.contacts_folder}/{stem}.md"
        if rel.casefold() not in taken and not (root / rel).exists():  # a note vaultnet could not read, too
            return rel
    raise UserError(f"too many contacts named {person.name}")


# -- export ---------------------------------------------------------------------------------------------------


def choose(contacts: Iterable[Contact], default_circle: str, *, tag: str | None = None,
           circle: str | None = None) -> list[Contact]:  # fmt: skip
    """The contacts an export takes: those with `tag` (with or without `#`, any case) and in `circle` (any
    case; a contact without a circle is in `default_circle`). None means no filter."""
    wanted_tag = tag.lstrip("#").casefold() if tag is not None else None
    wanted_circle = circle.lower() if circle is not None else None
    return [
        c
        for c in contacts
        if (wanted_tag is None or wanted_tag in {t.casefold() for t in c.tags})
        and (wanted_circle is None or (c.circle or default_circle) == wanted_circle)
    ]

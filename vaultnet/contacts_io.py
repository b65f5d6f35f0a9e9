"""Moving contacts in and out: vCard (3.0 and 4.0) and LinkedIn's Connections.csv in, vCard 4.0 out.

Reading vCards is vobject's job (folded lines, `itemN.` groups, encodings, quoted-printable are its
daily bread); this module maps cards to `Person`s and persons to notes. An import is idempotent: a
person is matched to an existing contact by e-mail, LinkedIn URL or vCard UID, then by exact name, and
only fills the fields the note leaves empty (unless `overwrite`). Writing goes through `actions.Change`
and `edit`, so an existing note changes only in the lines that must.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import vobject

from vaultnet.actions import Change, safe_filename
from vaultnet.config import Settings
from vaultnet.edit import set_property, yaml_scalar
from vaultnet.model import Birthday, Contact
from vaultnet.problems import Problem, UserError
from vaultnet.render.ics import escape, fold
from vaultnet.values import parse_birthday

LINKEDIN_CIRCLE = "dormant"  # connections surface through reconnect suggestions, not as a flood of follow-ups


@dataclass(frozen=True)
class Person:
    """A contact from outside the vault, before it becomes (or updates) a note."""

    name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company: str | None = None
    role: str | None = None
    birthday: Birthday | None = None
    linkedin: str | None = None
    uid: str | None = None
    met: date | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    circle: str | None = None
    source: str = ""
    line: int = 0  # where it starts in the file it came from


def decode(data: bytes, path: str) -> tuple[str, list[Problem]]:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252 with a warning."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), []
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        note = "not UTF-8: read as Windows-1252 (Latin-1); check accented names, and export as UTF-8 next time"
        return data.decode("cp1252", errors="replace"), [Problem(path, 1, note, "warning")]


# -- vCard in -----------------------------------------------------------------------------------------------

_BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.IGNORECASE | re.MULTILINE)


_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_GOOGLE_GROUPS = {"mycontacts", "starred"}  # Google's system groups: every contact is in "My contacts"
_BINARY = re.compile(r"(?:[\w-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]", re.IGNORECASE)
Card = dict[str, list[vobject.base.ContentLine]]  # a card's content lines by lower-case name, values as written


def _unescape(text: str) -> str:
    """vCard TEXT escapes (`\\n`, `\\,`, `\\;`, `\\\\`, and Google's `\\:` in URLs), without splitting at
    commas: vobject's TEXT decoding keeps only what precedes the first unescaped comma (vCard 2.1 never
    escapes them)."""
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def _split(text: str, separator: str) -> list[str]:
    """A structured value's components (`;`) or a list (`,`), split at unescaped separators only."""
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current + ("\\" if escaped else ""))
    return [_unescape(p) for p in parts]


def _lines(card: Card, name: str) -> list[vobject.base.ContentLine]:
    return card.get(name, [])


def _values(card: Card, name: str) -> list[str]:
    out = []
    for line in _lines(card, name):
        text = " ".join(_unescape(str(line.value)).split())
        if name == "tel":
            text = text.removeprefix("tel:")  # vCard 4.0: TEL;VALUE=uri:tel:+81-90-1234-5678
        if text:
            out.append(text)
    return list(dict.fromkeys(out))


def _without_binaries(chunk: str) -> str:
    """The card without PHOTO, LOGO, SOUND and KEY (and their folded or 2.1 base64 continuation lines):
    vaultnet keeps none of them, and vobject decodes base64 as it parses, so a corrupt one lost the card."""
    out: list[str] = []
    skipping = False
    for line in chunk.split("\n"):
        if _BINARY.match(line):
            skipping = True
            out.append("")
            continue
        if skipping and (line[:1] in (" ", "\t") or not line.strip()):
            out.append("")
            continue
        skipping = False
        out.append(line)
    return "\n".join(out)


def _read_card(chunk: str, skipped: list[str]) -> Card:
    """One card's content lines, parsed by vobject's line parser (unfolding, quoted-printable with 2.1's soft
    line breaks, parameters, charsets) but not decoded by its behaviours, which cut TEXT at the first comma.
    Lines that cannot be parsed are skipped and listed in `skipped`."""
    card: Card = {}
    depth = 0
    for text, _ in vobject.base.getLogicalLines(io.StringIO(_without_binaries(chunk)), allowQP=True):
        try:
            line = vobject.base.textLineToContentLine(text)
        except vobject.base.ParseError:
            skipped.append(text)
            continue
        name = line.name.lower()
        if name == "begin":
            depth += 1
            if depth > 1 and str(line.value).upper() == "VCARD":
                raise ValueError("a card starts inside another one")
        elif name == "end":
            depth -= 1
            if depth == 0:
                return card
        elif depth == 1:
            card.setdefault(name, []).append(line)
    raise ValueError("the card does not end (no END:VCARD): the file may have been cut off")


def _card_person(card: Card, line: int) -> Person:
    name = next(iter(_values(card, "fn")), "")
    if not name and "n" in card:
        n = _split(str(card["n"][0].value), ";") + [""] * 5
        family, given, additional, prefix, suffix = n[:5]
        name = " ".join(p for p in (prefix, given, additional, family, suffix) if p)
    company = " ".join(_split(str(card["org"][0].value), ";")[0].split()) or None if "org" in card else None
    birthday = None
    for bday in _lines(card, "bday"):
        try:
            birthday = parse_birthday(_iso_bday(str(bday.value)))
        except ValueError:
            continue
        omit = bday.params.get("X-APPLE-OMIT-YEAR")  # Apple: a birthday without a year, written as 1604-MM-DD
        if omit and birthday.year is not None and str(birthday.year) == str(omit[0]):
            birthday = Birthday(birthday.month, birthday.day, None)
        break
    urls = _values(card, "url")
    linkedin = next((normal_url(u) for u in urls if "linkedin.com" in u.lower()), None)
    categories: list[str] = []
    for line_ in _lines(card, "categories"):
        categories += [c.strip() for c in _split(str(line_.value), ",")]
    note = "\n".join(text for n in _lines(card, "note") if (text := _unescape(str(n.value)).strip()))
    tags = [t.lstrip("#").replace(" ", "-") for t in dict.fromkeys(categories) if t]
    return Person(
        name=" ".join(name.split()),
        emails=tuple(e.lower() for e in _values(card, "email")),
        phones=tuple(_values(card, "tel")),
        company=company,
        role=next(iter(_values(card, "title")), None),
        birthday=birthday,
        linkedin=linkedin,
        uid=next(iter(_values(card, "uid")), None),
        tags=tuple(t for t in tags if t.casefold() not in _GOOGLE_GROUPS),
        note=note or None,
        source="vcard",
        line=line,
    )


def _iso_bday(raw: str) -> str:
    """vCard birthdays: 19900315, 1990-03-15, --0315, --03-15, 1990-03-15T00:00:00Z -> what parse_birthday takes."""
    raw = raw.strip()
    if m := re.fullmatch(r"--(\d\d)-?(\d\d)", raw):
        return f"--{m.group(1)}-{m.group(2)}"
    if m := re.match(r"(\d{4})-?(\d\d)-?(\d\d)", raw):
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    raise ValueError(raw)


def read_vcards(data: bytes, path: str) -> tuple[list[Person], list[Problem]]:
    """Every card of a .vcf file; a card that cannot be read is reported (path:line) and skipped."""
    text, problems = decode(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    starts = [m.start() for m in _BEGIN.finditer(text)]
    if not starts:
        return [], [*problems, Problem(path, 1, "no vCard in this file (no BEGIN:VCARD)")]
    people = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        line = text.count("\n", 0, start) + 1
        chunk = text[start:end]
        skipped: list[str] = []
        try:
            person = _card_person(_read_card(chunk, skipped), line)
        except Exception as exc:
            reason = str(exc).splitlines()[0] if str(exc) else repr(exc)
            problems.append(Problem(path, line, f"this vCard cannot be read: {reason}"))
            continue
        for bad in skipped:
            offset = next((i for i, text_ in enumerate(chunk.split("\n")) if text_.startswith(bad[:60])), 0)
            problems.append(Problem(path, line + offset, f"this line cannot be read and was skipped: {bad}", "warning"))
        if not person.name and not person.emails:
            problems.append(Problem(path, line, "this vCard has no name and no e-mail: skipped", "warning"))
            continue
        people.append(person if person.name else Person(**{**person.__dict__, "name": person.emails[0]}))
    return people, problems


# -- LinkedIn in ----------------------------------------------------------------------------------------------

LINKEDIN_COLUMNS = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On")


def normal_url(url: str) -> str:
    url = url.strip()
    url = re.sub(r"^(https?://)?(www\.)?", "https://www.", url, flags=re.IGNORECASE)
    return url.rstrip("/").lower() if "linkedin.com" in url.lower() else url.rstrip("/")


def read_linkedin(data: bytes, path: str) -> tuple[list[Person], list[Problem]]:
    """LinkedIn's Connections.csv as exported today: some lines of notes, then the header row."""
    text, problems = decode(data, path)
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if line.startswith("First Name,")), None)
    if header is None:
        return [], [
            *problems,
            Problem(path, 1, "no header row starting with 'First Name,': not LinkedIn's Connections.csv"),
        ]
    reader = csv.DictReader(io.StringIO("\n".join(lines[header:])))
    missing = [c for c in ("First Name", "Last Name") if c not in (reader.fieldnames or [])]
    if missing:
        return [], [*problems, Problem(path, header + 1, f"the header row lacks {', '.join(missing)}")]
    people = []
    for offset, row in enumerate(reader, start=header + 2):
        name = " ".join(f"{row.get('First Name') or ''} {row.get('Last Name') or ''}".split())
        if not name:
            continue
        met = None
        connected = (row.get("Connected On") or "").strip()
        if connected:
            try:
                met = datetime.strptime(connected, "%d %b %Y").date()
            except ValueError:
                problems.append(
                    Problem(path, offset, f"Connected On: {connected!r} is not a date like 01 Sep 2026", "warning")
                )
        email = (row.get("Email Address") or "").strip().lower()
        url = (row.get("URL") or "").strip()
        people.append(
            Person(
                name=name,
                emails=(email,) if email else (),
                company=(row.get("Company") or "").strip() or None,
                role=(row.get("Position") or "").strip() or None,
                linkedin=normal_url(url) if url else None,
                met=met,
                circle=LINKEDIN_CIRCLE,
                source="linkedin",
                line=offset,
            )
        )
    return people, problems


# -- matching and writing -------------------------------------------------------------------------------------


@dataclass
class ImportPlan:
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


# -- vCard out ------------------------------------------------------------------------------------------------


def _card_lines(contact: Contact) -> Iterator[str]:
    uid = contact.uid or "urn:uuid:" + _uuid_from(contact.path)
    parts = contact.name.rsplit(" ", 1)
    given, family = (parts[0], parts[1]) if len(parts) == 2 else ("", contact.name)
    yield "BEGIN:VCARD"
    yield "VERSION:4.0"
    yield "PRODID:-//vaultnet//vaultnet//EN"
    yield f"UID:{escape(uid)}"
    yield f"FN:{escape(contact.name)}"
    yield f"N:{_component(family)};{_component(given)};;;"
    if contact.company:
        yield f"ORG:{_component(contact.company)}"
    if contact.role:
        yield f"TITLE:{escape(contact.role)}"
    for email in contact.emails:
        yield f"EMAIL:{escape(email)}"
    for phone in contact.phones:
        yield f"TEL;VALUE=text:{escape(phone)}"
    if contact.birthday is not None:
        b = contact.birthday
        yield f"BDAY:{b.year:04d}{b.month:02d}{b.day:02d}" if b.year else f"BDAY:--{b.month:02d}{b.day:02d}"
    if contact.linkedin:
        yield f"URL:{contact.linkedin}"
    if contact.tags:
        yield "CATEGORIES:" + ",".join(escape(t) for t in contact.tags)
    yield "END:VCARD"


def _component(text: str) -> str:
    return escape(text)  # `;` and `,` are escaped, so a structured value keeps one component


def _uuid_from(path: str) -> str:
    h = hashlib.sha256(path.removesuffix(".md").casefold().encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def export_vcards(contacts: Iterable[Contact]) -> bytes:
    """vCard 4.0 (RFC 6350) of the contacts, in path order, CRLF and folded: readable by phones and khard."""
    lines = [line for contact in sorted(contacts, key=lambda c: c.path) for line in _card_lines(contact)]
    return "".join(fold(line) + "\r\n" for line in lines).encode("utf-8")

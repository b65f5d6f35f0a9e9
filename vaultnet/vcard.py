"""vCard files in: 2.1, 3.0 and 4.0 (Apple, Google, Android, Outlook exports) as `Person`s. Out is `vcard_out`.

Reading is vobject's job at the line level (folded lines, `itemN.` groups, charsets, quoted-printable with
2.1's soft line breaks); this module maps each card's lines to a `Person`, and writes contacts as cards
with the escaping and folding of `contentline`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import vobject

from vaultnet.contacts_io import Person, Reading, decode_export, normal_url
from vaultnet.model import Birthday
from vaultnet.problems import Problem
from vaultnet.values import parse_birthday

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


def _skipped_lines(path: str, line: int, chunk: str, skipped: list[str]) -> Iterator[Problem]:
    """A warning for each line of the card starting on `line` that could not be read, at its own line: each is
    looked for after the one before (they come in order), not from the card's top (quadratic in a long card)."""
    rows = chunk.split("\n") if skipped else []
    at = 0
    for bad in skipped:
        found = next((i for i in range(at, len(rows)) if rows[i].startswith(bad[:60])), None)
        at = at if found is None else found + 1
        yield Problem(path, line + (found or 0), f"this line cannot be read and was skipped: {bad}", "warning")


def read_vcards(data: bytes, path: str) -> Reading:
    """Every card of a .vcf file; a card that cannot be read is reported (path:line) and skipped."""
    text, problems = decode_export(path, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    starts = [m.start() for m in _BEGIN.finditer(text)]
    if not starts:
        return Reading(problems=[*problems, Problem(path, 1, "no vCard in this file (no BEGIN:VCARD)")])
    people = []
    line, counted = 1, 0
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        line += text.count("\n", counted, start)  # from the last card on: counting from the top each time is quadratic
        counted = start
        chunk = text[start:end]
        skipped: list[str] = []
        try:
            person = _card_person(_read_card(chunk, skipped), line)
        except Exception as exc:
            reason = str(exc).splitlines()[0] if str(exc) else repr(exc)
            problems.append(Problem(path, line, f"this vCard cannot be read: {reason}"))
            continue
        problems.extend(_skipped_lines(path, line, chunk, skipped))
        if not person.name and not person.emails:
            problems.append(Problem(path, line, "this vCard has no name and no e-mail: skipped", "warning"))
            continue
        people.append(person if person.name else Person(**{**person.__dict__, "name": person.emails[0]}))
    return Reading(people, problems)

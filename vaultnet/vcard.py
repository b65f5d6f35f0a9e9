"""vCard files in (2.1, 3.0 and 4.0: Apple, Google, Android, Outlook, Evolution, KDE exports) as `Person`s.

`vcf` reads the lines (unfolding as bytes, quoted-printable, charsets, parameters, `itemN.` groups); this module
maps what each card says to a `Person`: every e-mail, labelled phones (TYPE, 2.1's bare `TEL;WORK;FAX`, Apple's
`X-ABLabel`), the structured name, nicknames, birthday and anniversary (Apple's year 1604 is an unknown year),
related people, web pages, Google's escaped CATEGORIES, and the names of what no field takes (`unmapped`). Cards
that are not people (KIND:group, KIND:org, Apple's groups and company cards) are counted in `Reading.skipped`.
Out is `vcard_out`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from vaultnet.contacts_io import Person, Reading, normal_url
from vaultnet.model import Birthday, NameParts
from vaultnet.problems import Problem
from vaultnet.values import parse_birthday, phone_key, with_labels
from vaultnet.vcf import Card, Property, read_cards

_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_DATE = re.compile(r"(\d{4}|--)-?(\d\d)-?(\d\d)(?:T[\d:.,Z+-]*)?")  # 19900315, 1990-03-15, --0315, ...T00:00:00Z
_UNKNOWN_YEARS = {"--", "1604", "0000"}  # Apple Contacts and CardBook write a year they do not know as 1604
_GOOGLE_GROUPS = {"mycontacts", "starred"}  # Google's system groups: every contact is in "My contacts"
_NOT_LABELS = {"voice", "pref", "internet", "x400", "msg"}  # what every number is, or says nothing a note keeps
_APPLE_PHONES = {
    "mobile": ("cell",), "homefax": ("home", "fax"), "workfax": ("work", "fax"), "otherfax": ("fax",),
    "main": ("main",), "pager": ("pager",), "iphone": ("iphone",), "home": ("home",), "work": ("work",),
    "other": ("other",),
}  # fmt: skip
_ANNIVERSARIES = ("ANNIVERSARY", "X-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY", "X-MS-ANNIVERSARY",
                  "X-KADDRESSBOOK-X-ANNIVERSARY")  # fmt: skip
_MAPPED = {"NICKNAME", "EMAIL", "TEL", "ORG", "TITLE", "ROLE", "BDAY", *_ANNIVERSARIES, "RELATED", "X-ABRELATEDNAMES",
           "URL", "CATEGORIES", "UID", "NOTE"}  # fmt: skip
_NOT_LISTED = {"BEGIN", "END", "VERSION", "PRODID", "REV", "FN", "N", "KIND", "CLIENTPIDMAP", "X-ABSHOWAS"}
_SEPARATORS = {";": re.compile(r"\\.?|;", re.DOTALL), ",": re.compile(r"\\.?|,", re.DOTALL)}


def _unescape(text: str) -> str:
    """vCard TEXT escapes: `\\n` is a line break, `\\,` `\\;` `\\\\` (and Google's `\\:` in URLs) the character."""
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), text) if "\\" in text else text


def _split(text: str, separator: str, *, escaped_too: bool = False) -> list[str]:
    """A structured value's components (`;`) or a list (`,`), split at the separators that are not escaped
    (`escaped_too`: at escaped ones as well, as Google writes CATEGORIES), each unescaped. Linear: one pass."""
    if "\\" not in text:
        return text.split(separator)
    parts, start = [], 0
    for m in _SEPARATORS[separator].finditer(text):
        if m.group() == separator or (escaped_too and m.group() == "\\" + separator):
            parts.append(text[start : m.start()])
            start = m.end()
    parts.append(text[start:])
    return [_unescape(part) for part in parts]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _apple(label: str) -> str | None:
    """Apple's own labels, `_$!<Mobile>!$_` -> `Mobile`; None for a label the user typed."""
    return label[4:-4] if label.startswith("_$!<") and label.endswith(">!$_") else None


class _Card:
    """A card's properties by name, and the X-ABLabel of each `itemN.` group."""

    def __init__(self, card: Card) -> None:
        self.line = card.line
        self.properties = card.properties
        self.by_name: dict[str, list[Property]] = {}
        self.labels: dict[str, str] = {}
        for prop in card.properties:
            self.by_name.setdefault(prop.name, []).append(prop)
            if prop.name == "X-ABLABEL" and prop.group:
                self.labels.setdefault(prop.group, _one_line(_unescape(prop.value)))

    def all(self, *names: str) -> list[Property]:
        return [prop for name in names for prop in self.by_name.get(name, ())]

    def texts(self, name: str) -> list[str]:
        """The values of every `name` line, unescaped, on one line each, without the blank ones."""
        return [text for prop in self.all(name) if (text := _one_line(_unescape(prop.value)))]

    def label(self, prop: Property) -> str:
        return self.labels.get(prop.group, "") if prop.group else ""


def _not_a_person(card: _Card) -> str | None:
    """Why the card is no person to greet (a group, a company), or None."""
    kinds = {prop.value.strip().lower() for prop in card.all("KIND", "X-ADDRESSBOOKSERVER-KIND")}
    if "group" in kinds:
        return "a group"
    if "org" in {prop.value.strip().lower() for prop in card.all("KIND")}:
        return "a company"
    if any(prop.value.strip().upper() == "COMPANY" for prop in card.all("X-ABSHOWAS")):
        return "a company"  # Apple Contacts' "show as company" card
    return None


def _types(prop: Property) -> list[str]:
    """TYPE values in the order written, lower-case (`TYPE=a,b`, `TYPE=a;TYPE=b`, 2.1's bare `TEL;WORK;FAX`),
    without those that say nothing a note keeps; `mobile` is `cell`."""
    out = []
    for value in prop.param("TYPE"):
        for label in value.split(","):
            label = label.strip().lower()
            if label and label not in _NOT_LABELS:
                out.append("cell" if label == "mobile" else label)
    return out


def _phones(card: _Card) -> tuple[str, ...]:
    """Each number with its labels, once: two spellings of one number merged (the first kept, labels added)."""
    merged: dict[str, tuple[str, list[str]]] = {}
    for prop in card.all("TEL"):
        number = _one_line(_unescape(prop.value))
        if number[:4].lower() == "tel:":  # vCard 4.0: TEL;VALUE=uri:tel:+81-90-1234-5678
            number = number[4:].strip()
        if not number:
            continue
        labels = _types(prop)
        if label := card.label(prop):
            apple = _apple(label)
            labels += [label] if apple is None else _APPLE_PHONES.get(apple.lower(), (apple.lower(),))
        key = phone_key(number)
        if key in merged:
            merged[key][1].extend(labels)
        else:
            merged[key] = (number, labels)
    return tuple(with_labels(number, list(dict.fromkeys(labels))) for number, labels in merged.values())


def _related(card: _Card) -> tuple[str, ...]:
    """RELATED (vCard 4.0, a `urn:uuid:` kept as is) and Apple's X-ABRELATEDNAMES, each with its relation."""
    out = []
    for prop in card.all("RELATED", "X-ABRELATEDNAMES"):
        name = _one_line(_unescape(prop.value))
        if not name:
            continue
        labels = _types(prop)
        if label := card.label(prop):
            apple = _apple(label)
            labels.append(label if apple is None else apple.lower())
        out.append(with_labels(name, labels))
    return tuple(dict.fromkeys(out))


def _day(prop: Property) -> Birthday:
    """A vCard date as a birthday; the year unknown when it is 1604 or 0000 or the line says X-APPLE-OMIT-YEAR."""
    raw = _unescape(prop.value).strip()
    m = _DATE.fullmatch(raw)
    if m is None:
        raise ValueError(raw)
    year, month, day = m.groups()
    if year in _UNKNOWN_YEARS or "X-APPLE-OMIT-YEAR" in prop.params:
        return parse_birthday(f"--{month}-{day}")
    return parse_birthday(f"{year}-{month}-{day}")


def _first_day(props: Iterable[Property], path: str, problems: list[Problem]) -> Birthday | None:
    """The first of the dates that can be read; a warning at the line of each that cannot."""
    found = None
    for prop in props:
        try:
            day = _day(prop)
        except ValueError:
            value = _one_line(prop.value)
            shown = value if len(value) <= 40 else value[:40] + "..."
            problems.append(Problem(path, prop.line, f"{prop.name}: {shown!r} is not a date: left out", "warning"))
            continue
        found = found or day
    return found


def _anniversaries(card: _Card) -> list[Property]:
    """The lines that hold the anniversary, the vCard 4.0 one first; Apple's is a date labelled Anniversary."""
    apple = [p for p in card.all("X-ABDATE") if (_apple(card.label(p)) or "").lower() == "anniversary"]
    return card.all(*_ANNIVERSARIES) + apple


def _urls(card: _Card) -> tuple[str | None, tuple[str, ...]]:
    """The LinkedIn profile (as `normal_url` spells it) and the other web pages, in order, each once."""
    linkedin, others = None, []
    for url in card.texts("URL"):
        if "linkedin.com" in url.lower() and (linkedin is None or normal_url(url) == linkedin):
            linkedin = normal_url(url)
            continue
        others.append(url)
    return linkedin, tuple(dict.fromkeys(others))


def _tags(card: _Card) -> tuple[str, ...]:
    """CATEGORIES, split at `,` and at Google's `\\,`; without `#`, blanks as `-`, Google's system groups left out."""
    tags: dict[str, str] = {}
    for prop in card.all("CATEGORIES"):
        for part in _split(prop.value, ",", escaped_too=True):
            tag = "-".join(part.strip().lstrip("#").split())
            if tag and tag.casefold() not in _GOOGLE_GROUPS:
                tags.setdefault(tag.casefold(), tag)
    return tuple(tags.values())


def _name_parts(card: _Card) -> NameParts | None:
    """N's five components, unescaped and each on one line; None without N."""
    for prop in card.all("N"):
        parts = [_one_line(part) for part in _split(prop.value, ";")[:5]]
        return NameParts(*parts, *[""] * (5 - len(parts)))
    return None


def _aliases(card: _Card, name: str) -> tuple[str, ...]:
    found: dict[str, str] = {name.casefold(): name}
    for prop in card.all("NICKNAME"):
        for part in _split(prop.value, ","):
            if alias := _one_line(part):
                found.setdefault(alias.casefold(), alias)
    return tuple(found.values())[1:]


def _unmapped(card: _Card, mapped_dates: list[Property]) -> tuple[str, ...]:
    """The names of the card's properties that no field takes, in card order, each once."""
    in_use = {prop.group for prop in card.properties if prop.group and prop.name != "X-ABLABEL"}
    taken = {id(prop) for prop in mapped_dates}
    out = []
    for prop in card.properties:
        if prop.name in _MAPPED or prop.name in _NOT_LISTED or id(prop) in taken:
            continue
        if prop.name == "X-ABLABEL" and prop.group in in_use:
            continue
        out.append(prop.name)
    return tuple(dict.fromkeys(out))


def _person(card: _Card, path: str, problems: list[Problem]) -> Person | None:
    """The person the card describes; None when it has neither a name nor an e-mail."""
    parts = _name_parts(card)
    emails = [e.lower().removeprefix("mailto:") for e in card.texts("EMAIL")]
    name = next(iter(card.texts("FN")), "")
    if not name and parts:
        name = _one_line(" ".join((parts.prefix, parts.given, parts.additional, parts.family, parts.suffix)))
    name = name or next(iter(emails), "")
    if not name:
        return None
    if parts is not None and (not any(parts) or parts == (name, "", "", "", "")):
        parts = None
    company = next((c for p in card.all("ORG") if (c := _one_line(_split(p.value, ";")[0]))), None)
    role = next(iter(card.texts("TITLE") or card.texts("ROLE")), None)
    anniversaries = _anniversaries(card)
    linkedin, urls = _urls(card)
    notes = [text for prop in card.all("NOTE") if (text := _unescape(prop.value).replace("\r\n", "\n").strip())]
    return Person(
        name=name,
        name_parts=parts,
        aliases=_aliases(card, name),
        emails=tuple(dict.fromkeys(emails)),
        phones=_phones(card),
        company=company,
        role=role,
        birthday=_first_day(card.all("BDAY"), path, problems),
        anniversary=_first_day(anniversaries, path, problems),
        related=_related(card),
        urls=urls,
        linkedin=linkedin,
        uid=next((uid for prop in card.all("UID") if (uid := _unescape(prop.value).strip())), None),
        tags=_tags(card),
        notes=tuple(notes),
        source="vcard",
        line=card.line,
        path=path,
        unmapped=_unmapped(card, anniversaries),
    )


def read_vcards(data: bytes, path: str) -> Reading:
    """Every card of a .vcf file: the people, the cards that are not people (`skipped`, with their line and
    why), and the problems at `path:line`; a card that cannot be read is an error and counted (`unreadable`)."""
    cards = read_cards(data, path)
    reading = Reading(problems=cards.problems, unreadable=cards.unreadable)
    for card in map(_Card, cards.cards):
        reason = _not_a_person(card)
        person = None if reason else _person(card, path, reading.problems)
        if person is not None:
            reading.people.append(person)
            continue
        if reason is None:
            reason = "no name and no e-mail"
            reading.problems.append(Problem(path, card.line, f"this vCard has {reason}: skipped", "warning"))
        reading.skipped.append((card.line, reason))
    reading.problems.sort(key=lambda problem: problem.line)
    return reading

"""Front-matter values -> a contact's fields: one converter per field (text, list, tags, link, date, birthday,
duration, structured name), and which property names stand for which field. `parse` reads a contact's front
matter through these tables; every converter raises `ValueError` (`FieldError` for a wrong type) with a message
for the user, which the parser reports at the property's line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from vaultnet.frontmatter import unquoted_link
from vaultnet.model import NameParts
from vaultnet.values import link_target, parse_birthday, parse_bool, parse_date, parse_duration

T = TypeVar("T")


class FieldError(ValueError):
    """A front-matter value of the wrong type; the caller adds the field's line."""


_NULLS = frozenset({"null", "Null", "NULL", "~"})


def unwrap(value: Any) -> Any:
    """An unquoted `[[Name]]` is YAML for a nested list: take it as the link it was meant as.

    `null` and `~` mean "no value" (the text loader keeps them as text).
    """
    if isinstance(value, str) and value.strip() in _NULLS:
        return None
    return unquoted_link(value)


def as_text(value: Any) -> str | None:
    value = unwrap(value)
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list) and not value:
        return None
    raise FieldError(f"expected a text, got a {'list' if isinstance(value, list) else 'set of properties'}")


def plain(value: str | None) -> str | None:
    """`[[Acme GmbH|Acme]]` -> `Acme GmbH`: a linked company or role reads as its name."""
    if value is None:
        return None
    return link_target(value) if value.startswith("[[") and value.endswith("]]") else value


def as_texts(value: Any, split: bool = False) -> tuple[str, ...]:
    value = unwrap(value)
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        item = unwrap(item)
        if item is None:
            continue
        if not isinstance(item, str):
            raise FieldError("expected a list of texts")
        parts = item.split(",") if split and "[[" not in item else [item]
        out.extend(p.strip() for p in parts if p.strip())
    return tuple(out)


def _tags(value: Any) -> tuple[str, ...]:
    tags: list[str] = []
    for item in as_texts(value, split=True):
        tags.extend(t.lstrip("#") for t in item.split() if t.lstrip("#"))
    return tuple(dict.fromkeys(tags))


def _link(value: Any) -> str | None:
    """A link property (`introduced_by`) as written: `[[Name]]`, `[Jo](../People/Jo%20Park.md)` or a plain
    name. The network reads the link in it (`values.link_of`), from the note's own folder."""
    return as_text(value)


def converted(convert: Callable[[str], T]) -> Callable[[Any], T | None]:
    def run(value: Any) -> T | None:
        text = as_text(value)
        return None if text is None else convert(text)

    return run


as_date = converted(parse_date)


def _name_parts(value: Any) -> NameParts | None:
    """`name_parts: {family: Yamada, given: Taro}`: vCard's structured name, each part a text."""
    value = unwrap(value)
    if value is None or value == {}:
        return None
    if not isinstance(value, dict):
        raise FieldError(f"expected a set of parts ({', '.join(NameParts._fields)})")
    parts: dict[str, str] = {}
    for key, part in value.items():
        if not isinstance(key, str) or key.strip().lower() not in NameParts._fields:
            raise FieldError(f"{key!r} is not a name part ({', '.join(NameParts._fields)})")
        parts[key.strip().lower()] = as_text(part) or ""
    return NameParts(**parts) if any(parts.values()) else None


FIELDS: dict[str, Callable[[Any], Any]] = {
    "name": as_text,
    "company": lambda v: plain(as_text(v)),
    "role": lambda v: plain(as_text(v)),
    "circle": lambda v: (as_text(v) or "").lower() or None,
    "cadence": converted(parse_duration),
    "birthday": converted(parse_birthday),
    "met": as_date,
    "introduced_by": _link,
    "last_contact": as_date,
    "follow_up": as_date,
    "snooze_until": as_date,
    "archived": lambda v: bool(converted(parse_bool)(v)),
    "uid": as_text,
    "linkedin": as_text,
    "name_parts": _name_parts,
    "anniversary": converted(parse_birthday),
}
LIST_FIELDS: dict[str, Callable[[Any], tuple[str, ...]]] = {
    "aliases": as_texts,
    "alias": as_texts,
    "email": as_texts,
    "emails": as_texts,
    "phone": as_texts,
    "phones": as_texts,
    "tags": _tags,
    "tag": _tags,
    "interests": lambda v: as_texts(v, split=True),
    "goals": lambda v: as_texts(v, split=True),  # as written: a `[[link]]` names a goal note, plain text is a note
    "related": as_texts,
    "urls": as_texts,
    "url": as_texts,
}
LIST_ATTR = {"alias": "aliases", "email": "emails", "phone": "phones", "tag": "tags", "url": "urls"}


def loose(value: Any) -> Any:
    """A mapped text field as another app writes it: a one-item list is its item (`org: ["[[Acme]]"]`), a list
    of texts or links is their names, joined."""
    value = unwrap(value)
    items = [unwrap(item) for item in value] if isinstance(value, list) else None
    if not items or not all(isinstance(item, str) for item in items):
        return value
    return items[0] if len(items) == 1 else ", ".join(plain(item.strip()) or item for item in items)

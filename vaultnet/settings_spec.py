"""The vocabulary of the settings table: a `Setting` row and the value kinds a setting can have.

A value kind knows two things about one kind of TOML value: how to read it (the TOML value and the
setting's default -> the value, or a `ValueError` whose message tells the user what is wrong, and then the
default stays) and how to show a value as TOML text (for the `vaultnet init` template). The table of
vaultnet's own settings, and the reading of `vaultnet.toml` by it, are in `vaultnet.config`.

A new kind is one small converter: `kind(convert, show)` for a value read on its own, or `table_of(...)`
for a TOML table of such values (`[circles]`: each entry read, and reported, on its own).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import PurePosixPath
from typing import Any, Generic, TypeVar, get_type_hints

from vaultnet.model import Duration
from vaultnet.obsidian import daily_format
from vaultnet.values import parse_duration

T = TypeVar("T")
E = TypeVar("E")

Pairs = tuple[tuple[str, E], ...]  # a table setting's value: (entry name, value) in file order; hashable


@dataclass(frozen=True)
class ValueKind(Generic[T]):
    """What a setting accepts and how its value is written as TOML."""

    read: Callable[[Any, T], T]  # (TOML value, default) -> value; ValueError(message): unusable, the default stays
    show: Callable[[T], str]  # a value as TOML text (an inline table for a table kind)
    entries: Callable[[T], list[tuple[str, str]]] | None = None  # a table kind: its entries as (key, TOML text)


class PartlyBad(ValueError):
    """A table setting with bad entries: `value` is read without them, `bad` says which entry is wrong and why."""

    def __init__(self, value: object, bad: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{key}: {message}" for key, message in bad))
        self.value = value
        self.bad = bad


@dataclass(frozen=True)
class Setting:
    """One row of the settings table: where a setting is in vaultnet.toml, what it accepts, what it fills.

    The default is not here: it is the default of the attribute `attr` names (the dataclass holds each
    attribute's type and default once; the table reads them from there). A row names its attribute only
    where it is not named like the key (`birthday_lookahead` fills `birthday_lookahead_days`).
    """

    section: str  # the [table] it is in; "" for the top of the file
    key: str
    kind: ValueKind[Any]
    help: str  # one line, shown in the `vaultnet init` template
    example: str = ""  # a TOML line that sets another value than the default (for a table: one entry)
    attr: str = ""  # the attribute it fills (default: the key); dotted for a part of it (`practice.event_prep`)

    def __post_init__(self) -> None:
        if not self.attr:
            object.__setattr__(self, "attr", self.key)  # frozen: set once, here

    @property
    def path(self) -> tuple[str, ...]:
        """Where it is, as problems name it (joined by dots: `outputs.followups`)."""
        return (self.section, self.key) if self.section else (self.key,)

    @property
    def is_table(self) -> bool:
        """A TOML table of entries (`[circles]`) rather than one value."""
        return self.kind.entries is not None

    @property
    def table(self) -> str:
        """The [table] whose lines set it: its section, or itself for a table at the top (`circles`)."""
        return self.key if self.is_table and not self.section else self.section


def part_rows(section: str, cls: type, helps: Mapping[str, str]) -> tuple[Setting, ...]:
    """The rows of a `[section]` that fills the dataclass `cls` attribute by attribute, one row per entry of
    `helps` (key -> help line, in the template's order): `[practice] event_prep` fills `practice.event_prep`.

    As a row's default comes from the dataclass, so does a part's kind: its attribute's type names it
    (`KIND_OF_TYPE`). A key that `cls` lacks, or a type with no kind, fails at import.
    """
    types = get_type_hints(cls)
    return tuple(
        Setting(section, key, KIND_OF_TYPE[types[key]], text, attr=f"{section}.{key}") for key, text in helps.items()
    )


def kind(convert: Callable[[Any], T], show: Callable[[T], str]) -> ValueKind[T]:
    """A kind whose value is read on its own, without the default."""
    return ValueKind(lambda raw, _default: convert(raw), show)


def table_of(
    entry: Callable[[Any], E], show: Callable[[E], str], name: Callable[[str], str] = str.strip
) -> ValueKind[Pairs[E]]:
    """A TOML table of `entry` values, merged over the default's entries (which can be changed, not removed).

    `name` normalises an entry's name (circles are lower-case). A bad entry is reported at its own key and
    left out; the good ones still apply.
    """

    def read(raw: Any, default: Pairs[E]) -> Pairs[E]:
        if not isinstance(raw, dict):
            raise ValueError("expected a table")
        merged, bad = dict(default), []
        for key, value in raw.items():
            try:
                merged[name(key)] = entry(value)
            except ValueError as exc:
                bad.append((key, str(exc)))
        if bad:
            raise PartlyBad(tuple(merged.items()), bad)
        return tuple(merged.items())

    def entries(value: Pairs[E]) -> list[tuple[str, str]]:
        return [(key, show(item)) for key, item in value]

    def inline(value: Pairs[E]) -> str:
        shown = ", ".join(f"{toml_key(key)} = {text}" for key, text in entries(value))
        return "{ " + shown + " }" if shown else "{}"

    return ValueKind(read, inline, entries)


# -- TOML text ------------------------------------------------------------------------------------------------


def toml_text(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def toml_key(key: str) -> str:
    """A bare key where TOML allows one, else a quoted key."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_text(key)


def _show_duration(value: Duration | None) -> str:
    return toml_text("none" if value is None else str(value))


def _show_days(value: int | None) -> str:
    return toml_text("none" if value is None else f"{value}d")


def _show_time(value: time | None) -> str:
    if value is None:
        return "false"
    return toml_text(value.isoformat("minutes" if value.second == 0 and not value.microsecond else "auto"))


# -- texts and paths --------------------------------------------------------------------------------------------


def _text(raw: Any, default: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(f"expected a non-empty text, got {raw!r}; using {default!r}")
    return raw.strip()


def safe_relative(value: str) -> bool:
    """A path that stays inside the vault: not empty, not absolute, no `..`, no drive letter."""
    path = PurePosixPath(value.replace("\\", "/"))
    return bool(value.strip()) and not path.is_absolute() and ".." not in path.parts and ":" not in value


def normal_path(path: str) -> str:
    """`./contacts//` -> `contacts`: paths are compared with the vault's `/`-separated relative paths."""
    return "/".join(part for part in path.replace("\\", "/").split("/") if part not in ("", "."))


def _folder(raw: Any, default: str) -> str:
    folder = _text(raw, default)
    if not (safe_relative(folder) and normal_path(folder)):
        raise ValueError("must be a folder inside the vault")
    return normal_path(folder)


def output_path(suffix: str) -> ValueKind[str]:
    """A file vaultnet writes: a path inside the vault that ends in `suffix`."""

    def convert(raw: Any) -> str:
        if not isinstance(raw, str) or not safe_relative(raw) or not raw.endswith(suffix):
            raise ValueError(f"must be a path inside the vault ending in {suffix}, got {raw!r}")
        return normal_path(raw)

    return kind(convert, toml_text)


def output_path_or_off(suffix: str) -> ValueKind[str | None]:
    """A file vaultnet writes (as `output_path`), or `false`: vaultnet writes no such output (None)."""
    path = output_path(suffix)

    def read(raw: Any, default: str | None) -> str | None:
        if raw is False:
            return None
        try:
            return path.read(raw, default or "")
        except ValueError:
            raise ValueError(f"must be a path inside the vault ending in {suffix}, or false, got {raw!r}") from None

    return ValueKind(read, lambda value: "false" if value is None else toml_text(value))


def _folder_or_anywhere(raw: Any, default: str) -> str:
    """A folder inside the vault, or "" (anywhere in the vault)."""
    if isinstance(raw, str) and not normal_path(raw):
        return ""
    return _folder(raw, default)


def daily_note_regex(pattern: str) -> re.Pattern[str] | None:
    """`YYYY-MM-DD` (Obsidian's moment.js format) -> a regex searched in a note's path without `.md`, matching
    from a folder boundary to the end; None if vaultnet cannot read the format (`obsidian.daily_format`)."""
    return daily_format(pattern).regex


def _daily_pattern(raw: Any, default: str) -> str:
    pattern = _text(raw, default)
    problem = daily_format(pattern).problem
    if problem is not None:
        raise ValueError(problem)
    return pattern


# -- lists: folders, tags, globs, property names ------------------------------------------------------------------


def list_of(item: Callable[[str], str], what: str) -> ValueKind[tuple[str, ...]]:
    """A list of texts, each read by `item` (a text -> the value kept, or ValueError); one text is a list of one.

    An empty list is a value too (`folders = []`: no folder rule). A bad item makes the whole list unusable:
    half a list of folders would select other notes than the user meant.
    """

    def convert(raw: Any) -> tuple[str, ...]:
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list):
            raise ValueError(f"expected a list of {what}, got {raw!r}")
        out: list[str] = []
        for entry in items:
            if not isinstance(entry, str) or not entry.strip():
                raise ValueError(f"expected a list of {what}, got {entry!r} in it")
            out.append(item(entry.strip()))
        return tuple(dict.fromkeys(out))

    return kind(convert, show_texts)


def show_texts(value: tuple[str, ...]) -> str:
    return "[" + ", ".join(toml_text(item) for item in value) + "]"


def _folder_item(text: str) -> str:
    if not (safe_relative(text) and normal_path(text)):
        raise ValueError(f"{text!r} must be a folder inside the vault")
    return normal_path(text)


def _tag_item(text: str) -> str:
    tag = text.lstrip("#").strip().rstrip("/")
    if not tag or any(c.isspace() or c == "#" for c in tag):
        raise ValueError(f"{text!r} is not a tag (one word, such as person or person/work)")
    return tag


def _glob_item(text: str) -> str:
    pattern = text.lstrip("/")  # "from the vault root" either way
    if not (safe_relative(pattern) and normal_path(pattern)):
        raise ValueError(f"{text!r} must be a glob pattern inside the vault, such as **/README.md")
    return normal_path(pattern)


def property_name(text: str) -> str:
    """Property names compare without case (and without surrounding blanks), as Obsidian's do."""
    return " ".join(text.split()).casefold()


# -- durations, counts, times ---------------------------------------------------------------------------------


def _is_text_or_number(raw: Any) -> bool:
    return isinstance(raw, str | int) and not isinstance(raw, bool)


def _duration(raw: Any) -> Duration:
    duration = parse_duration(str(raw)) if _is_text_or_number(raw) else None
    if duration is None:
        raise ValueError(f"{raw!r} is not a duration such as 30d, 6w, 3m or 1y")
    return duration


def _cadence(raw: Any) -> Duration | None:
    if not _is_text_or_number(raw):
        raise ValueError(f"expected a duration such as 90d or none, got {raw!r}")
    return parse_duration(str(raw))


def _days_or_none(raw: Any) -> int | None:
    if not _is_text_or_number(raw):
        raise ValueError(f"{raw!r} is not a duration such as 7d or 2w, or none")
    duration = parse_duration(str(raw))
    return None if duration is None else duration.approx_days()


def _count(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise ValueError(f"expected a whole number of 0 or more, got {raw!r}")
    return raw


def _bool(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise ValueError(f"expected true or false, got {raw!r}")
    return raw


def _time_or_false(raw: Any) -> time | None:
    if raw is False:
        return None
    if isinstance(raw, time):  # a TOML local time, 09:00:00
        return raw
    try:
        return time.fromisoformat(str(raw))
    except ValueError:
        raise ValueError(f'expected a time of day such as "09:00" or false, got {raw!r}') from None


TEXT: ValueKind[str] = ValueKind(_text, toml_text)  # a non-empty text, stripped
LOWER_TEXT: ValueKind[str] = ValueKind(lambda raw, default: _text(raw, default).lower(), toml_text)
# A lower-case text, or "" for "the other setting's value" (`[import] circle = ""`: the default circle).
LOWER_TEXT_OR_EMPTY: ValueKind[str] = ValueKind(
    lambda raw, default: "" if isinstance(raw, str) and not raw.strip() else _text(raw, default).lower(), toml_text
)
FOLDER: ValueKind[str] = ValueKind(_folder, toml_text)  # a folder inside the vault, `/`-separated
FOLDER_OR_ANYWHERE: ValueKind[str] = ValueKind(_folder_or_anywhere, toml_text)  # a folder, or "": anywhere
DAILY_NOTE_PATTERN: ValueKind[str] = ValueKind(_daily_pattern, toml_text)  # YYYY, MM and DD, folders with /
BOOL: ValueKind[bool] = kind(_bool, lambda value: "true" if value else "false")  # true or false
DURATION: ValueKind[Duration] = kind(_duration, _show_duration)  # 30d, 6w, 3m, 1y; not none
DAYS_OR_NONE: ValueKind[int | None] = kind(_days_or_none, _show_days)  # a duration in days, or none
COUNT: ValueKind[int] = kind(_count, str)  # a whole number, 0 or more
TIME_OR_FALSE: ValueKind[time | None] = kind(_time_or_false, _show_time)  # "09:00", 09:00:00, or false
CADENCES: ValueKind[Pairs[Duration | None]] = table_of(_cadence, _show_duration, lambda name: name.strip().lower())
FOLDERS: ValueKind[tuple[str, ...]] = list_of(_folder_item, "folders inside the vault")
TAGS: ValueKind[tuple[str, ...]] = list_of(_tag_item, "tags")  # without `#`
GLOBS: ValueKind[tuple[str, ...]] = list_of(_glob_item, "glob patterns")  # from the vault root
PROPERTIES: ValueKind[tuple[str, ...]] = list_of(property_name, "property names")  # case-folded
TEXTS: ValueKind[tuple[str, ...]] = list_of(str.strip, "texts")


def _address(text: str) -> str:
    if "@" not in text or any(c.isspace() for c in text):
        raise ValueError(f"{text!r} is not an e-mail address")
    return text.casefold()


ADDRESSES: ValueKind[tuple[str, ...]] = list_of(_address, "e-mail addresses")  # case-folded
# Paths the user names outside the vault too (`~/Mail/Sent`): as written, `~` expanded when they are read.
PATHS: ValueKind[tuple[str, ...]] = list_of(str.strip, "paths")
# `where`: a property (case-folded) -> the values that select a note; one text is a list of one
WHERE: ValueKind[Pairs[tuple[str, ...]]] = table_of(lambda raw: TEXTS.read(raw, ()), show_texts, property_name)
KIND_OF_TYPE: dict[object, ValueKind[Any]] = {
    Duration: DURATION,
    int: COUNT,
}  # the kind of a part's attribute (`part_rows`)

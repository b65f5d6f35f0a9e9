"""Vault settings from the optional `vaultnet.toml` at the vault root: the settings table, read and written.

`SETTINGS` has one row per setting (where it is in the file, what it accepts, the attribute it fills, a line
of help); the dataclasses below hold each attribute's type and default. The table drives the reading of
`vaultnet.toml` (`parse_settings`) and the `vaultnet init` template (`config_template`); tests hold
docs/format.md to it. A bad setting is reported like a bad note (`vaultnet.toml:LINE: message`) and its
default is used, so one typo does not stop the follow-up list; an unknown setting is a warning. Where the
vault's `.obsidian/` folder says something (the templates folder, the daily notes, Markdown links), that is the
default instead (`vaultnet.obsidian`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import time
from operator import attrgetter
from typing import Any

from vaultnet.model import Duration
from vaultnet.obsidian import Obsidian
from vaultnet.problems import Problem, Severity
from vaultnet.selection import Selection
from vaultnet.settings_spec import (
    ADDRESSES,
    BOOL,
    CADENCES,
    DAILY_NOTE_PATTERN,
    DAYS_OR_NONE,
    FOLDER,
    FOLDER_OR_ANYWHERE,
    FOLDERS,
    GLOBS,
    LOWER_TEXT,
    LOWER_TEXT_OR_EMPTY,
    PATHS,
    PROPERTIES,
    TAGS,
    TEXT,
    TIME_OR_FALSE,
    WHERE,
    Pairs,
    PartlyBad,
    Setting,
    output_path_or_off,
    part_rows,
    show_texts,
    table_of,
    toml_key,
)
from vaultnet.settings_spec import daily_note_regex as daily_note_regex  # parse.py finds daily notes with it

CONFIG_NAME = "vaultnet.toml"
CACHE_DIR = ".vaultnet"

DEFAULT_CIRCLES: tuple[tuple[str, Duration | None], ...] = (
    ("close", Duration(days=30)),
    ("active", Duration(days=90)),
    ("loose", Duration(days=180)),
    ("dormant", None),
)


@dataclass(frozen=True)
class Practice:
    """The networking habits vaultnet encodes (`[practice]` in vaultnet.toml; their meaning: `SETTINGS`)."""

    event_prep: Duration = Duration(days=2)
    event_follow_up_window: Duration = Duration(days=30)
    reconnect_after: Duration = Duration(days=365)
    reconnect_per_week: int = 2
    review_after: Duration = Duration(years=2)
    review_every: Duration = Duration(months=3)
    reciprocity_margin: int = 2
    goal_stalled_after: Duration = Duration(days=60)
    weekly_new: int = 1
    weekly_maintained: int = 1
    agenda_size: int = 5
    targets_per_event: int = 5


# The contact fields a vault's own property names can stand for (`[fields] company = ["org"]`); parse.py reads
# them (tests/test_classify.py holds the two lists together).
CONTACT_FIELDS = (
    "name", "company", "role", "email", "phone", "met", "birthday", "last_contact", "linkedin", "tags",
    "aliases", "circle", "cadence", "introduced_by", "interests", "goals", "follow_up", "snooze_until",
    "archived", "uid", "name_parts", "anniversary", "related", "urls",
)  # fmt: skip
SELECTED_KINDS = ("contacts", "events", "goals")  # the kinds that also have a `<kind>_folder` setting
_CONTACTS, _EVENTS, _GOALS = (Selection(folders=(kind,)) for kind in SELECTED_KINDS)  # a Selection is frozen
_NO_NOTES = Selection()


@dataclass(frozen=True)
class Settings:
    """Everything a vault can configure; the defaults make a vault work with no file at all.

    `contacts_folder` (and events', goals') is one of its selection's folders: where `vaultnet new` writes. Set
    alone it means `folders = [that]`; `__post_init__` keeps the two consistent however Settings is made.
    """

    contacts_folder: str = "contacts"
    events_folder: str = "events"
    goals_folder: str = "goals"
    templates_folder: str = "templates"
    # Templater's folder when Obsidian names it beside the Templates plugin's: skipped too, unless
    # vaultnet.toml sets templates_folder (then that is the one). Read from `.obsidian/`, not a setting.
    other_templates_folders: tuple[str, ...] = ()
    contacts: Selection = _CONTACTS
    events: Selection = _EVENTS
    goals: Selection = _GOALS
    interactions: Selection = _NO_NOTES  # no rule: no note is an interaction note
    interaction_people: tuple[str, ...] = ("people", "attendees")
    interaction_date: tuple[str, ...] = ("date",)
    fields: Pairs[tuple[str, ...]] = ()  # vaultnet's field -> the vault's property names (case-folded), in order
    daily_notes: str = "YYYY-MM-DD"
    daily_notes_folder: str = ""  # "": daily notes anywhere in the vault
    markdown_links: bool = False
    circles: tuple[tuple[str, Duration | None], ...] = DEFAULT_CIRCLES
    default_circle: str = "active"
    import_circle: str = ""  # the circle a vCard import puts new contacts in; "": the default circle
    sources_me: tuple[str, ...] = ()  # your own e-mail addresses (case-folded): who "you" are in mail and calendars
    sources_calendars: tuple[str, ...] = ()  # .ics files and vdir folders, as written (`~` expanded when read)
    sources_mail: tuple[str, ...] = ()  # Maildir folders and mbox files, as written
    birthday_lookahead_days: int | None = 7  # None: no birthday items in the list (the calendar keeps them)
    followups_path: str | None = "Follow-ups.md"  # None: `false`, no follow-up note
    calendar_path: str | None = f"{CACHE_DIR}/reminders.ics"  # None: `false`, no calendar
    calendar_name: str = "vaultnet reminders"
    alarm: time | None = None  # None: no alarm
    practice: Practice = field(default_factory=lambda: Practice())
    problems: tuple[Problem, ...] = field(default=(), compare=False)
    lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)  # setting written -> its line

    def __post_init__(self) -> None:
        for kind in SELECTED_KINDS:
            folder, selection = getattr(self, f"{kind}_folder"), getattr(self, kind)
            default_folder, default_folders = getattr(Settings, f"{kind}_folder"), getattr(Settings, kind).folders
            if selection.folders == default_folders:  # `contacts_folder` alone: the folders are [that]
                object.__setattr__(self, kind, replace(selection, folders=(folder,)))
            elif folder == default_folder:  # the folders alone: new contacts go into the first
                object.__setattr__(self, f"{kind}_folder", selection.folders[0] if selection.folders else folder)
            elif folder not in selection.folders:  # both: the folder is one of the folders too
                object.__setattr__(self, kind, replace(selection, folders=(folder, *selection.folders)))

    @property
    def templates_folders(self) -> tuple[str, ...]:
        """The folders whose notes are templates, not read as notes."""
        return (self.templates_folder, *self.other_templates_folders)

    def cadence_of(self, circle: str | None) -> Duration | None:
        return dict(self.circles).get(circle or self.default_circle)

    @property
    def outputs(self) -> tuple[str, ...]:
        """The paths vaultnet writes (the outputs that are on), follow-up note first."""
        return tuple(path for path in (self.followups_path, self.calendar_path) if path is not None)


def _field_name(name: str) -> str:
    field_name = name.strip().lower()
    if field_name not in CONTACT_FIELDS:
        raise ValueError(f"not one of vaultnet's fields ({', '.join(CONTACT_FIELDS)})")
    return field_name


FIELD_NAMES = table_of(lambda raw: PROPERTIES.read(raw, ()), show_texts, _field_name)


def selection_rows(section: str, what: str, examples: tuple[str, str, str, str] | None = None) -> tuple[Setting, ...]:
    """The four rules of a `[contacts]`-style table, each filling a part of its Selection (`contacts.folders`);
    `examples`: a folder, a tag, a `categories` value and exclude's list for the template."""
    folder, tag, category, exclude = examples or ("", "", "", "")
    rows = (
        ("folders", FOLDERS, f"{what}: the notes below these folders", folder and f'folders = ["{folder}"]'),
        ("tags", TAGS, f"{what}: notes with one of these tags (or one below it)", tag and f'tags = ["{tag}"]'),
        ("where", WHERE, f"{what}: a property that holds one of these",
         category and f'where = {{ categories = "[[{category}]]" }}'),
        ("exclude", GLOBS, "never these notes: glob patterns from the vault root",
         exclude and f"exclude = {exclude}"),
    )  # fmt: skip
    return tuple(Setting(section, key, kind, text, example, f"{section}.{key}") for key, kind, text, example in rows)


# fmt: off
SETTINGS: tuple[Setting, ...] = (
    Setting("", "contacts_folder", FOLDER, "a folder of contacts; `vaultnet new` writes there"),
    Setting("", "events_folder", FOLDER, "a folder of events"),
    Setting("", "goals_folder", FOLDER, "a folder of goals"),
    Setting("", "templates_folder", FOLDER, "not read as notes; `vaultnet new` uses Contact.md"),
    Setting("", "daily_notes", DAILY_NOTE_PATTERN, "a daily note's name (YYYY, MM, DD; / for folders)",
            'daily_notes = "YYYY/MM/YYYY-MM-DD"'),
    Setting("", "daily_notes_folder", FOLDER_OR_ANYWHERE, 'daily notes only below this folder; "": anywhere',
            'daily_notes_folder = "Daily"'),
    Setting("", "markdown_links", BOOL, "Follow-ups.md links [name](path.md), not [[wikilinks]]",
            "markdown_links = true"),
    Setting("", "default_circle", LOWER_TEXT, "the circle of a contact whose note names none"),
    Setting("", "birthday_lookahead", DAYS_OR_NONE, 'how early a birthday is listed; "none": never',
            'birthday_lookahead = "2w"', attr="birthday_lookahead_days"),
    Setting("", "circles", CADENCES,
            "How often to get in touch, per circle: 10d, 3w, 2m, 1y or none. Circles of your own can be added.",
            'mentor = "6w"'),
    Setting("", "fields", FIELD_NAMES, "your property names for vaultnet's fields, tried after vaultnet's own",
            'company = ["org", "organization"]'),
    *selection_rows("contacts", "contacts", ("People", "person", "People", '["**/README.md", "**/_*"]')),
    *selection_rows("events", "events"),
    *selection_rows("goals", "goals"),
    *selection_rows("interactions", "meeting notes", ("Meetings", "meeting", "Meetings", '["Meetings/Archive/**"]')),
    Setting("interactions", "people", PROPERTIES, "the properties that name the people met",
            attr="interaction_people"),
    Setting("interactions", "date", PROPERTIES, "the property with the day (else: a date in the file name)",
            attr="interaction_date"),
    Setting("outputs", "followups", output_path_or_off(".md"), "the follow-up note; false: none",
            attr="followups_path"),
    Setting("outputs", "calendar", output_path_or_off(".ics"), "the reminder calendar; false: none",
            attr="calendar_path"),
    Setting("import", "circle", LOWER_TEXT_OR_EMPTY, 'new contacts from vCards go here; "": the default circle',
            'circle = "loose"', attr="import_circle"),
    Setting("sources", "me", ADDRESSES, "your own e-mail addresses", 'me = ["me@example.com"]', attr="sources_me"),
    Setting("sources", "calendars", PATHS, ".ics files and vdir folders: past events count",
            'calendars = ["~/.calendars/work"]', attr="sources_calendars"),
    Setting("sources", "mail", PATHS, "Maildirs and mbox files: mail you sent counts",
            'mail = ["~/Mail/Sent"]', attr="sources_mail"),
    Setting("calendar", "name", TEXT, "the name calendar apps show", attr="calendar_name"),
    Setting("calendar", "alarm", TIME_OR_FALSE, "an alarm at this time on the day; false: none", 'alarm = "09:00"'),
    *part_rows("practice", Practice, {
        "event_prep": "prepare this long before an event",
        "event_follow_up_window": "an event follow-up stays on the list this long",
        "reconnect_after": "no interaction this long: a dormant tie",
        "reconnect_per_week": "dormant ties suggested each week (0: none)",
        "review_after": "no interaction this long: review it",
        "review_every": "the review period (a quarter)",
        "reciprocity_margin": "got >= gave + this: offer something first",
        "goal_stalled_after": "a goal with no interaction this long has stalled",
        "weekly_new": "new contacts a week (the weekly rhythm)",
        "weekly_maintained": "contacts kept up a week",
        "agenda_size": "the most items `vaultnet today` shows",
        "targets_per_event": "more targets than this: a gentle note",
    }),
)
SECTIONS = {  # the help line above each [table] of SETTINGS
    "contacts": "Which notes are contacts: any rule selects, exclude wins; `type: contact` always is one.",
    "events": "Which notes are events (the same four rules); `type: event` always is one.",
    "goals": "Which notes are goals (the same four rules); `type: goal` always is one.",
    "interactions": "Notes that record a meeting: each person they name counts on the note's date.",
    "outputs": "Where `vaultnet build` writes, relative to the vault.",
    "import": "`vaultnet import vcard`; LinkedIn connections go to the dormant circle.",
    "sources": "Calendars and mail read (never written) for interactions: events you attended, mail you sent.",
    "calendar": "The reminder calendar (Google and Outlook ignore alarms in subscribed calendars).",
    "practice": "The networking practice: events, dormant ties, reviews, goals, the weekly rhythm.",
}
# the [sections] that fill an attribute part by part (`practice.event_prep`), over the attribute's default
_PARTS = ("practice", "contacts", "events", "goals", "interactions")
# fmt: on
_TOML_LINE = re.compile(r"at line (\d+)")
# A `[table]` header line (stripped), perhaps with a comment. Not `\[\s*([^\]]+?)\s*\]`: its lazy name between two
# `\s*` tried every split of a long run of blanks (cubic); the name is the text between the brackets, stripped
# (`_header_name`).
_HEADER = re.compile(r"\[([^\]]+)\]\s*+(?:#.*)?")


def _header_name(line: str) -> str | None:
    """The table a stripped `line` is the header of, else None. A name of blanks only is its last blank, as the
    lazy regex above read it."""
    m = _HEADER.fullmatch(line)
    return None if m is None else (m[1].strip() or m[1][-1])


def parse_settings(text: str | None, obsidian: Obsidian | None = None) -> Settings:
    """Settings from the text of `vaultnet.toml` (None when the vault has none), over the defaults that
    Obsidian's own settings give (`obsidian`: what the vault's `.obsidian/` says)."""
    obsidian = obsidian or Obsidian()
    defaults = replace(Settings(), **obsidian.defaults())
    reading = read_toml(text or "", SETTINGS, defaults)
    _check_default_circle(reading)
    values = {attr: value for attr, value in reading.values.items() if "." not in attr}
    for part in _PARTS:
        prefix = f"{part}."
        given = {a.removeprefix(prefix): v for a, v in reading.values.items() if a.startswith(prefix)}
        values[part] = replace(getattr(defaults, part), **given)
    for kind in SELECTED_KINDS:  # `contacts_folder` and `[contacts] folders` both: the one is among the others
        folder, folders = values.get(f"{kind}_folder"), reading.values.get(f"{kind}.folders")
        if folder is not None and folders is not None:
            values[kind] = replace(values[kind], folders=(folder, *(f for f in folders if f != folder)))
    if "templates_folder" in values:
        values["other_templates_folders"] = ()  # vaultnet.toml names the one templates folder
    lines = tuple(
        (".".join(row.path), line_of(reading.text, row.path)) for row in SETTINGS if row.attr in reading.values
    )
    problems = [*obsidian.problems, *reading.problems]
    if obsidian.daily_notes_problem is not None and "daily_notes" not in values:  # moot when vaultnet.toml sets it
        problems.append(obsidian.daily_notes_problem)
    return replace(defaults, **values, problems=tuple(problems), lines=lines)


def _check_default_circle(reading: Reading) -> None:
    """The default circle and the import's circle must be circles: the checks that involve two settings."""
    circles = dict(reading.values.get("circles", DEFAULT_CIRCLES))
    circle = reading.values.get("default_circle", Settings.default_circle)
    if circle not in circles:
        known = ", ".join(sorted(circles))
        reading.bad(("default_circle",), f"{circle!r} is not one of the circles ({known})")
        fallback = Settings.default_circle
        reading.values["default_circle"] = fallback if fallback in circles else min(circles)
    imported = reading.values.get("import_circle", "")
    if imported and imported not in circles:
        reading.bad(("import", "circle"), f"{imported!r} is not one of the circles ({', '.join(sorted(circles))})")
        reading.values["import_circle"] = ""


# -- reading a TOML file by a settings table ---------------------------------------------------------------


@dataclass
class Reading:
    """What `read_toml` found: the values set (by attribute; unset ones keep their default) and the problems."""

    text: str
    file: str = CONFIG_NAME
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def bad(self, path: tuple[str, ...], message: str, severity: Severity = "error") -> None:
        """A problem with the setting at `path` (`("outputs", "calendar")`), located at its line."""
        self.problems.append(Problem(self.file, line_of(self.text, path), f"{'.'.join(path)}: {message}", severity))


def read_toml(text: str, rows: Sequence[Setting], defaults: object, file: str = CONFIG_NAME) -> Reading:
    """Read `text` by the table `rows`; `defaults` holds each row's default at its `attr`.

    A bad value is reported and left out (its default stays); a bad entry of a table is left out of it; an
    unknown key is a warning. A file that is not TOML at all sets nothing.
    """
    reading = Reading(text, file)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE.search(str(exc))
        reading.problems.append(Problem(file, int(m.group(1)) if m else 1, f"invalid TOML: {exc}"))
        return reading
    tables = _tables(data, rows, reading)
    for row in rows:
        table = tables.get(row.section, {})
        if row.key not in table:
            continue
        try:
            reading.values[row.attr] = row.kind.read(table[row.key], attrgetter(row.attr)(defaults))
        except PartlyBad as exc:
            reading.values[row.attr] = exc.value
            for entry, message in exc.bad:
                reading.bad((*row.path, entry), message)
        except ValueError as exc:
            reading.bad(row.path, str(exc))
    return reading


def _tables(data: dict[str, Any], rows: Sequence[Setting], reading: Reading) -> dict[str, dict[str, Any]]:
    """Each section of the table that is a TOML table (another value is an error), its unknown keys warned of."""
    known: dict[str, set[str]] = {"": set()}
    for row in rows:
        known.setdefault(row.section, set()).add(row.key)
        known[""].add(row.section or row.key)
    tables: dict[str, dict[str, Any]] = {}
    for section, keys in known.items():
        table = data.get(section, {}) if section else data
        if not isinstance(table, dict):
            reading.bad((section,), "expected a table")
            continue
        tables[section] = table
        for key in table:
            if key not in keys:
                reading.bad((section, key) if section else (key,), "unknown setting (ignored)", "warning")
    return tables


def line_of(text: str, path: tuple[str, ...]) -> int:
    """The line that sets `path`, else the nearest enclosing one (`[circles]` for `circles.close`), else 1.

    TOML values carry no positions, so the text is searched: a `[table]` header, or `key =` in its table.
    """
    for depth in range(len(path), 0, -1):
        section, key = ".".join(path[: depth - 1]), path[depth - 1]
        current = ""
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            header = _header_name(line)
            if header is not None:
                current = header
                if not section and current == key:
                    return number
            elif current == section and re.match(rf'["\']?{re.escape(key)}["\']?\s*=', line):
                return number
    return 1


# -- the `vaultnet init` template ---------------------------------------------------------------------------

_INTRO = """\
# vaultnet settings. Every setting is optional. A line `# key = value` shows a setting and its default,
# which applies until you remove the `# ` and change the value; an example says that it is one.
"""


def config_template(*, commented: bool = True) -> str:
    """The `vaultnet.toml` that `vaultnet init` writes: every setting with its real default and its help.

    `commented=False` gives the same file with every setting set (to its default): a full example.
    """
    defaults = Settings()
    top = [row for row in SETTINGS if not row.section]
    out = [_INTRO]
    for row in [row for row in top if not row.is_table] + [row for row in top if row.is_table]:
        out.extend(setting_lines(row, attrgetter(row.attr)(defaults), commented))
    for section in dict.fromkeys(row.section for row in SETTINGS if row.section):
        out.extend(["", f"# {SECTIONS[section]}", f"[{section}]"])
        for row in SETTINGS:
            if row.section == section:
                out.extend(setting_lines(row, attrgetter(row.attr)(defaults), commented))
    return "\n".join(out) + "\n"


def setting_lines(row: Setting, value: object, commented: bool = True) -> list[str]:
    """One setting in the template: `# key = value  # help` (a table at the top: its own [table], a line an entry).

    Commented out, a line starts with `# `; removing it gives the line of `commented=False`.
    """
    lead = "# " if commented else ""
    if row.kind.entries is None or row.section:  # one line (a table inside a [table] is an inline table)
        line = f"{toml_key(row.key)} = {row.kind.show(value)}"
        example = [f"{'#':<38}  # an example, not the default: {row.example}"] if row.example else []
        return [f"{lead}{line:<36}  # {row.help}", *example]
    entries = [f"{lead}{toml_key(key)} = {text}" for key, text in row.kind.entries(value)]
    example = [f"# an example, not a default: {row.example}"] if row.example else []
    return ["", f"# {row.help}", f"[{row.key}]", *entries, *example]

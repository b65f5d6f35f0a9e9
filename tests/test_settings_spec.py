"""The settings table (vaultnet.config.SETTINGS, vaultnet.settings_spec): complete, and the one source of the
`vaultnet init` template and of docs/format.md's settings."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields
from operator import attrgetter
from pathlib import Path
from typing import Any

import pytest
from vaultkit import REPO

from vaultnet.actions import init_vault
from vaultnet.config import (
    CONFIG_NAME,
    SECTIONS,
    SETTINGS,
    Practice,
    Settings,
    config_template,
    parse_settings,
    read_toml,
    setting_lines,
)
from vaultnet.problems import Problem
from vaultnet.selection import Selection
from vaultnet.settings_spec import COUNT, DURATION, TEXT, Pairs, Setting, kind, part_rows, table_of, toml_text

FORMAT_MD = REPO / "docs" / "format.md"
DEFAULTS = Settings()


def default_of(row: Setting) -> Any:
    return attrgetter(row.attr)(DEFAULTS)


def ids(row: Setting) -> str:
    return ".".join(row.path)


def in_its_table(row: Setting, *lines: str) -> str:
    """A vaultnet.toml of `lines` in the row's table (the template's lines of a table at the top have its header)."""
    text = "\n".join(lines) + "\n"
    if lines[0] == "" or not row.table:
        return text
    return f"[{row.table}]\n{text}"


# -- the table --------------------------------------------------------------------------------------------------


def test_every_attribute_is_filled_by_exactly_one_row() -> None:
    """A part-by-part attribute (`practice`, the selections) is filled by one row per part; the templates
    folders only `.obsidian/` names (`other_templates_folders`) are no setting."""
    parts = {"practice": Practice, "contacts": Selection, "events": Selection, "goals": Selection}
    parts["interactions"] = Selection
    settings = [
        f.name for f in fields(Settings) if f.name not in (*parts, "problems", "lines", "other_templates_folders")
    ]
    by_part = [f"{name}.{f.name}" for name, cls in parts.items() for f in fields(cls)]
    assert sorted(row.attr for row in SETTINGS) == sorted(settings + by_part)


def test_a_row_names_its_attribute_only_where_it_is_not_named_like_its_key() -> None:
    assert Setting("", "goals_folder", TEXT, "help").attr == "goals_folder"
    assert Setting("", "key", TEXT, "help", attr="other").attr == "other"
    assert {row.attr: row.key for row in SETTINGS if row.attr.split(".")[-1] != row.key} == {
        "birthday_lookahead_days": "birthday_lookahead",
        "followups_path": "followups",
        "calendar_path": "calendar",
        "calendar_name": "name",
        "interaction_people": "people",
        "interaction_date": "date",
        "import_circle": "circle",
        "sources_me": "me",
        "sources_calendars": "calendars",
        "sources_mail": "mail",
    }


def test_a_part_takes_its_attributes_and_kinds_from_its_dataclass() -> None:
    rows = part_rows("practice", Practice, {"weekly_new": "new contacts", "event_prep": "before an event"})
    assert [(row.path, row.attr, row.kind, row.help) for row in rows] == [
        (("practice", "weekly_new"), "practice.weekly_new", COUNT, "new contacts"),
        (("practice", "event_prep"), "practice.event_prep", DURATION, "before an event"),
    ]
    with pytest.raises(KeyError):
        part_rows("practice", Practice, {"no_such_setting": "help"})


def test_rows_are_unique_and_documented_in_one_line() -> None:
    assert len({row.path for row in SETTINGS}) == len(SETTINGS)
    for row in SETTINGS:
        assert row.help.strip() and "\n" not in row.help, row
    assert set(SECTIONS) == {row.section for row in SETTINGS if row.section}


@pytest.mark.parametrize("row", SETTINGS, ids=ids)
def test_each_default_shown_reads_back_as_the_default(row: Setting) -> None:
    settings = parse_settings(in_its_table(row, *setting_lines(row, default_of(row), commented=False)))
    assert settings.problems == ()
    assert attrgetter(row.attr)(settings) == default_of(row)


@pytest.mark.parametrize("row", [row for row in SETTINGS if row.example], ids=ids)
def test_an_example_is_another_value_than_the_default(row: Setting) -> None:
    """The template once showed `alarm = "09:00"` as a default: an example must not be the default."""
    settings = parse_settings(in_its_table(row, row.example))
    assert settings.problems == ()
    assert attrgetter(row.attr)(settings) != default_of(row)
    assert row.example.startswith(f"{row.key} =") or row.is_table


# -- the `vaultnet init` template -------------------------------------------------------------------------------


def test_the_template_is_all_comments_and_gives_the_defaults() -> None:
    template = config_template()
    data = tomllib.loads(template)
    assert all(value == {} for value in data.values()), data  # only empty [tables]: every setting commented out
    settings = parse_settings(template)
    assert (settings, settings.problems) == (Settings(), ())


def test_the_template_with_its_settings_uncommented_gives_the_defaults() -> None:
    """Each `# key = value` line shows the real default: uncommented, the file changes nothing."""
    uncommented = re.sub(r"^# ([A-Za-z_]+ = )", r"\1", config_template(), flags=re.MULTILINE)
    assert uncommented == config_template(commented=False)
    settings = parse_settings(uncommented)
    assert (settings, settings.problems) == (Settings(), ())
    data = tomllib.loads(uncommented)
    for row in SETTINGS:  # and it shows every setting
        assert row.key in (data[row.section] if row.section else data), row.path


def test_the_template_labels_every_example_and_keeps_its_lines_short() -> None:
    lines = config_template().splitlines()
    for row in SETTINGS:
        if row.example:
            shown = [line for line in lines if row.example in line]
            assert len(shown) == 1 and "an example, not" in shown[0], (row.example, shown)
    assert max(len(line) for line in lines) <= 110


def test_init_writes_the_template(tmp_path: Path) -> None:
    [config] = [change for change in init_vault(tmp_path).changes if change.rel == CONFIG_NAME]
    assert config.after == config_template().encode()


# -- docs/format.md ---------------------------------------------------------------------------------------------


def settings_section() -> str:
    text = FORMAT_MD.read_text(encoding="utf-8")
    start = text.index("\n## vaultnet.toml\n")
    return text[start : text.index("\n## ", start + 1)]


def test_the_docs_example_sets_every_setting_to_its_default() -> None:
    example = re.search(r"```toml\n(.*?)```", settings_section(), re.DOTALL)
    assert example, "docs/format.md shows a full vaultnet.toml"
    settings = parse_settings(example.group(1))
    assert (settings, settings.problems) == (Settings(), ())
    data = tomllib.loads(example.group(1))
    for row in SETTINGS:
        assert row.key in (data[row.section] if row.section else data), row.path


def docs_table() -> dict[str, str]:
    """The settings table of docs/format.md: the setting as it names it -> its Default cell."""
    rows = {}
    for line in settings_section().splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 3:
            rows[re.findall(r"`([^`]+)`", cells[0])[0]] = cells[1]
    return rows


def docs_name(row: Setting) -> str:
    """As the docs table names a setting: `contacts_folder`, `[circles]`, `[outputs] followups`."""
    if row.section:
        return f"[{row.section}] {row.key}"
    return f"[{row.key}]" if row.is_table else row.key


def test_the_docs_table_names_every_setting_and_no_other() -> None:
    names = [docs_name(row) for row in SETTINGS]
    assert sorted(docs_table()) == sorted(names)


@pytest.mark.parametrize("row", SETTINGS, ids=ids)
def test_the_docs_table_shows_the_real_default(row: Setting) -> None:
    cell = docs_table()[docs_name(row)]
    if row.kind.entries is not None:
        for key, text in row.kind.entries(default_of(row)):
            assert f"`{key} = {text}`" in cell
    else:
        assert f"`{row.kind.show(default_of(row))}`" in cell


# -- a new kind of setting: one row and one converter -------------------------------------------------------


def texts(raw: object) -> tuple[str, ...]:
    """The one converter a list-of-texts setting needs (a single text is a list of one)."""
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(item, str) and item.strip() for item in items):
        raise ValueError(f"expected a text or a list of texts, got {raw!r}")
    return tuple(item.strip() for item in items)


def show_texts(value: tuple[str, ...]) -> str:
    return "[" + ", ".join(toml_text(item) for item in value) + "]"


@dataclass(frozen=True)
class Later:
    """Settings for existing vaults, as the next issue may add them (defaults stand in for Settings')."""

    folders: tuple[str, ...] = ("contacts",)
    exclude: tuple[str, ...] = ()
    where: Pairs[tuple[str, ...]] = ()
    fields: Pairs[tuple[str, ...]] = ()


LATER = (
    Setting("contacts", "folders", kind(texts, show_texts), "folders whose notes are contacts"),
    Setting("contacts", "exclude", kind(texts, show_texts), "notes that are never contacts"),
    Setting("contacts", "where", table_of(texts, show_texts), "a note with these properties is one"),
    Setting("", "fields", table_of(texts, show_texts, str.lower), "other names of a field"),
)


def test_a_list_and_a_table_of_texts_are_one_row_and_one_converter_each() -> None:
    text = (
        "[contacts]\n"
        'folders = ["People", "contacts"]\n'
        'where = { categories = "[[People]]", type = ["person", "contact"] }\n'
        'exclude = ["**/README.md", "**/_*"]\n'
        "[fields]\n"
        'Company = ["org", "organization"]\n'
    )
    reading = read_toml(text, LATER, Later())
    assert reading.problems == []
    assert reading.values == {
        "folders": ("People", "contacts"),
        "exclude": ("**/README.md", "**/_*"),
        "where": (("categories", ("[[People]]",)), ("type", ("person", "contact"))),
        "fields": (("company", ("org", "organization")),),
    }


def test_a_new_table_setting_reports_each_bad_entry_at_its_line() -> None:
    text = (
        "[contacts]\n"
        "folders = 3\n"  # 2
        "where = { type = [1], tags = 'person' }\n"  # 3: an entry of an inline table is found at its line
        "[fields]\n"
        "company = [2]\n"  # 5
        'role = "title"\n'
        'colour = "red"\n'
    )
    reading = read_toml(text, LATER, Later())
    assert sorted(reading.problems) == [
        Problem(CONFIG_NAME, 2, "contacts.folders: expected a text or a list of texts, got 3"),
        Problem(CONFIG_NAME, 3, "contacts.where.type: expected a text or a list of texts, got [1]"),
        Problem(CONFIG_NAME, 5, "fields.company: expected a text or a list of texts, got [2]"),
    ]
    assert reading.values == {"where": (("tags", ("person",)),), "fields": (("role", ("title",)), ("colour", ("red",)))}


def test_a_new_setting_is_shown_in_the_template_and_reads_back() -> None:
    for row in LATER:
        value = (("type", ("person", "contact")),) if row.is_table else ("People", "contacts")
        shown = in_its_table(row, *setting_lines(row, value, commented=False))
        reading = read_toml(shown, LATER, Later())
        assert (reading.problems, reading.values) == ([], {row.attr: value}), shown

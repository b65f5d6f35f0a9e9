"""Vault settings: `vaultnet.toml` text -> Settings, every bad setting a located problem (vaultnet.config)."""

from __future__ import annotations

from datetime import time

import pytest

from vaultnet.config import DEFAULT_CIRCLES, Settings, parse_settings
from vaultnet.model import Duration
from vaultnet.problems import Problem

TOML = "vaultnet.toml"
DEFAULT_CADENCES = {
    "close": Duration(days=30),
    "active": Duration(days=90),
    "loose": Duration(days=180),
    "dormant": None,
}


def only_problem(text: str) -> tuple[Settings, Problem]:
    """The settings and the one problem a config text yields."""
    result = parse_settings(text)
    assert len(result.problems) == 1, result.problems
    return result, result.problems[0]


# --- defaults ---------------------------------------------------------------------------------------------------


def test_no_file_gives_the_defaults() -> None:
    s = parse_settings(None)
    assert s.problems == ()
    assert dict(s.circles) == DEFAULT_CADENCES
    assert s.contacts_folder == "contacts"
    assert s.default_circle == "active"
    assert s.birthday_lookahead_days == 7
    assert s.followups_path == "Follow-ups.md"
    assert s.calendar_path == ".vaultnet/reminders.ics"
    assert s.outputs == ("Follow-ups.md", ".vaultnet/reminders.ics")
    assert s.calendar_name == "vaultnet reminders"
    assert s.alarm is None
    assert s == Settings()


def test_cadence_of() -> None:
    s = parse_settings(None)
    assert s.cadence_of(None) == Duration(days=90)  # the default circle
    assert s.cadence_of("close") == Duration(days=30)
    assert s.cadence_of("dormant") is None
    assert s.cadence_of("unknown") is None


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "[circles]\n[outputs]\n[calendar]\n"])
def test_an_empty_file_is_the_same_as_none(text: str) -> None:
    """An empty vaultnet.toml changes nothing (the settings feed the cache key: they must compare equal)."""
    s = parse_settings(text)
    assert s.problems == ()
    assert dict(s.circles) == DEFAULT_CADENCES
    assert s == parse_settings(None)


# --- circles ----------------------------------------------------------------------------------------------------


def test_custom_circles_are_merged_with_the_defaults() -> None:
    s = parse_settings('[circles]\nclose = "2w"\nmentors = "2m"\nfriends = 45\nFamily = "1w"\nloose = "none"\n')
    assert s.problems == ()
    assert dict(s.circles) == {
        "close": Duration(days=14),
        "active": Duration(days=90),
        "loose": None,
        "dormant": None,
        "mentors": Duration(months=2),
        "friends": Duration(days=45),  # a bare number is days
        "family": Duration(days=7),  # circle names are lower-case
    }
    assert s.cadence_of("mentors") == Duration(months=2)


# A bad value in a file of good ones: (the file, with {} for the value; the line of the value; the settings the
# file gives, the bad value's default kept and the good settings applied).
AROUND_A_BAD_VALUE = {
    "circles.close": (
        '# my circles\n[circles]\nactive = "60d"\nclose = {}\n',
        4,
        Settings(circles=tuple((dict(DEFAULT_CIRCLES) | {"active": Duration(days=60)}).items())),
    ),
    "birthday_lookahead": ('default_circle = "close"\nbirthday_lookahead = {}\n', 2, Settings(default_circle="close")),
    "calendar.alarm": ('[calendar]\nname = "People"\nalarm = {}\n', 3, Settings(calendar_name="People")),
}
NOT_A_DURATION = "is not a duration (expected e.g. 10d, 3w, 2m, 1y or none)"
NOT_POSITIVE = "is not a duration (it must be positive, or none)"
NOT_A_TIME = 'expected a time of day such as "09:00" or false, got'


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("circles.close", '"soon"', f"'soon' {NOT_A_DURATION}"),
        ("circles.close", '"0d"', f"'0d' {NOT_POSITIVE}"),
        ("circles.close", "0", f"'0' {NOT_POSITIVE}"),
        ("circles.close", "true", "expected a duration such as 90d or none, got True"),
        ("circles.close", '["30d"]', "expected a duration such as 90d or none, got ['30d']"),
        ("birthday_lookahead", '"soon"', f"'soon' {NOT_A_DURATION}"),
        ("birthday_lookahead", '"0d"', f"'0d' {NOT_POSITIVE}"),
        ("birthday_lookahead", "true", "True is not a duration such as 7d or 2w, or none"),
        ("birthday_lookahead", '["7d"]', "['7d'] is not a duration such as 7d or 2w, or none"),
        ("calendar.alarm", '"at nine"', f"{NOT_A_TIME} 'at nine'"),
        ("calendar.alarm", '"25:00"', f"{NOT_A_TIME} '25:00'"),
        ("calendar.alarm", "true", f"{NOT_A_TIME} True"),
    ],
)
def test_a_bad_value_is_reported_at_its_line_and_its_default_kept(setting: str, value: str, message: str) -> None:
    text, line, expected = AROUND_A_BAD_VALUE[setting]
    s, p = only_problem(text.replace("{}", value))
    assert p == Problem(TOML, line, f"{setting}: {message}")
    assert s == expected  # the default is kept, the good settings still apply


def test_circles_not_a_table() -> None:
    s, p = only_problem('default_circle = "close"\ncircles = "close=30d"\n')
    assert p == Problem(TOML, 2, "circles: expected a table")
    assert dict(s.circles) == DEFAULT_CADENCES
    assert s.default_circle == "close"


# --- default circle, look-ahead, contacts folder ---------------------------------------------------------------


def test_default_circle() -> None:
    assert parse_settings('default_circle = "close"\n').default_circle == "close"
    assert parse_settings('default_circle = "Mentors"\n[circles]\nmentors = "2m"\n').default_circle == "mentors"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            '# settings\ndefault_circle = "vip"\n',
            2,
            "default_circle: 'vip' is not one of the circles (active, close, dormant, loose)",
        ),
        ("default_circle = 3\n", 1, "default_circle: expected a non-empty text, got 3; using 'active'"),
    ],
)
def test_bad_default_circle(text: str, line: int, message: str) -> None:
    s, p = only_problem(text)
    assert p == Problem(TOML, line, message)
    assert s.default_circle == "active"


@pytest.mark.parametrize(
    ("value", "days"), [('"2w"', 14), ('"10d"', 10), ("10", 10), ('"1m"', 30), ('"none"', None), ('"None"', None)]
)
def test_birthday_lookahead(value: str, days: int | None) -> None:
    s = parse_settings(f"birthday_lookahead = {value}\n")
    assert (s.problems, s.birthday_lookahead_days) == ((), days)


def test_contacts_folder() -> None:
    assert parse_settings('contacts_folder = "People/"\n').contacts_folder == "People"
    assert parse_settings('contacts_folder = "crm/people"\n').contacts_folder == "crm/people"
    assert parse_settings('contacts_folder = "./crm//people/"\n').contacts_folder == "crm/people"
    s, p = only_problem('contacts_folder = "../People"\n')
    assert p == Problem(TOML, 1, "contacts_folder: must be a folder inside the vault")
    assert s.contacts_folder == "contacts"


# --- outputs ----------------------------------------------------------------------------------------------------


def test_output_paths() -> None:
    s = parse_settings('[outputs]\nfollowups = "CRM/Follow ups.md"\ncalendar = "calendars/people.ics"\n')
    assert s.problems == ()
    assert s.outputs == ("CRM/Follow ups.md", "calendars/people.ics")
    s = parse_settings('[outputs]\nfollowups = "./CRM//F.md"\ncalendar = "cal\\\\people.ics"\n')
    assert (s.problems, s.outputs) == ((), ("CRM/F.md", "cal/people.ics"))  # compared with `/`-separated paths


BAD_OUTPUT_PATHS = {
    "followups": [
        "../x.md",
        "/home/me/x.md",
        "notes/../../x.md",
        "C:/Users/me/x.md",
        "..\\\\x.md",
        "Follow-ups.txt",
        "",
    ],
    "calendar": ["../reminders.ics", "/tmp/reminders.ics", "reminders.md"],
}


@pytest.mark.parametrize(
    ("key", "value"), [(key, value) for key, values in BAD_OUTPUT_PATHS.items() for value in values]
)
def test_bad_output_path(key: str, value: str) -> None:
    suffix = {"followups": ".md", "calendar": ".ics"}[key]
    text = f'[calendar]\nname = "People"\n\n[outputs]\n{key} = "{value}"\n'
    s, p = only_problem(text)
    shown = value.replace("\\\\", "\\")
    message = f"outputs.{key}: must be a path inside the vault ending in {suffix}, or false, got {shown!r}"
    assert p == Problem(TOML, 5, message)
    assert s.outputs == Settings().outputs  # the defaults are kept
    assert s.calendar_name == "People"


def test_output_path_not_a_text() -> None:
    _, p = only_problem("[outputs]\ncalendar = 42\n")
    assert p == Problem(TOML, 2, "outputs.calendar: must be a path inside the vault ending in .ics, or false, got 42")


# --- calendar ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "alarm"),
    [
        ('[calendar]\nname = "My network"\n', "My network", None),
        ('[calendar]\nname = "  Spaced  "\nalarm = "09:00"\n', "Spaced", time(9, 0)),
        ("[calendar]\nalarm = 08:30:00\n", "vaultnet reminders", time(8, 30)),  # a TOML local time
        ("[calendar]\nalarm = false\n", "vaultnet reminders", None),
    ],
)
def test_calendar(text: str, name: str, alarm: time | None) -> None:
    s = parse_settings(text)
    assert (s.problems, s.calendar_name, s.alarm) == ((), name, alarm)


def test_empty_calendar_name() -> None:
    s, p = only_problem('[calendar]\nname = ""\n')
    assert p == Problem(TOML, 2, "calendar.name: expected a non-empty text, got ''; using 'vaultnet reminders'")
    assert s.calendar_name == "vaultnet reminders"


# --- bad files and unknown keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('default_circle = "close"\nbirthday_lookahead = "7d"\nz = = 3\n', 3),
        ('[circles]\nclose = "2w"\nclose = "3w"\n', 3),  # a key set twice
        ('[outputs]\nfollowups = "a.md\n', 2),  # an unclosed string
        ("[calendar\nname = 'x'\n", 1),
    ],
)
def test_invalid_toml(text: str, line: int) -> None:
    s, p = only_problem(text)
    assert (p.path, p.line, p.severity) == (TOML, line, "error")
    assert p.message.startswith("invalid TOML: ")
    assert s == Settings()  # nothing of a broken file is used


def test_unknown_keys_are_warnings_with_their_line() -> None:
    text = (
        'colour = "red"\n'  # 1
        "\n"
        "[outputs]\n"  # 3
        'followups = "F.md"\n'
        'html = "x.html"\n'  # 5
        "[calendar]\n"
        'name = "People"\n'
        'timezone = "Europe/Berlin"\n'  # 8
    )
    s = parse_settings(text)
    assert sorted(s.problems) == [
        Problem(TOML, 1, "colour: unknown setting (ignored)", "warning"),
        Problem(TOML, 5, "outputs.html: unknown setting (ignored)", "warning"),
        Problem(TOML, 8, "calendar.timezone: unknown setting (ignored)", "warning"),
    ]
    assert (s.followups_path, s.calendar_name) == ("F.md", "People")  # known settings still apply


def test_unknown_table_points_at_its_header() -> None:
    s, p = only_problem('default_circle = "close"\n\n[reminders]\nlead = "1d"\n')
    assert p == Problem(TOML, 3, "reminders: unknown setting (ignored)", "warning")
    assert s.default_circle == "close"


def test_every_bad_setting_is_reported() -> None:
    text = (
        'default_circle = "vip"\n'
        'birthday_lookahead = "soon"\n'
        "[circles]\n"
        'close = "often"\n'
        "[outputs]\n"
        'followups = "../out.md"\n'
        'calendar = "out.txt"\n'
        "[calendar]\n"
        'alarm = "noon"\n'
    )
    lines = sorted(p.line for p in parse_settings(text).problems)
    assert lines == [1, 2, 4, 6, 7, 9]


def test_problem_format() -> None:
    _, p = only_problem('[circles]\nclose = "often"\n')
    assert p.format() == (
        "vaultnet.toml:2: circles.close: 'often' is not a duration (expected e.g. 10d, 3w, 2m, 1y or none)"
    )
    _, w = only_problem("colour = 1\n")
    assert w.format() == "vaultnet.toml:1: warning: colour: unknown setting (ignored)"


def test_default_circles_constant() -> None:
    assert dict(DEFAULT_CIRCLES) == DEFAULT_CADENCES


# --- where a problem is -----------------------------------------------------------------------------------------


def test_a_table_header_with_a_comment_still_locates_its_settings() -> None:
    _, p = only_problem('[circles]   # how often\nclose = "often"\n')
    assert p.line == 2


def test_an_entry_of_an_inline_table_is_located_at_the_table() -> None:
    _, p = only_problem('default_circle = "close"\ncircles = { close = "often" }\n')
    assert (p.line, p.message.split(":")[0]) == (2, "circles.close")

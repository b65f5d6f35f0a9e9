"""Field types: dates, birthdays, durations, booleans, calendar arithmetic and wikilinks (vaultnet.values)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from vaultnet.model import Birthday, Duration
from vaultnet.values import (
    add_duration,
    birthday_in,
    date_or_duration,
    link_target,
    next_birthday,
    parse_birthday,
    parse_bool,
    parse_date,
    parse_duration,
    plain_text,
)

D = date


# --- parse_date -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-21", D(2026, 11, 21)),
        ("  2026-01-05  ", D(2026, 1, 5)),
        ("2020-08-21T10:30:00", D(2020, 8, 21)),  # Obsidian's date-time property
        ("2020-08-21T10:30", D(2020, 8, 21)),
        ("2020-08-21 10:30:00", D(2020, 8, 21)),
        ("2020-08-21T10:30:00.123", D(2020, 8, 21)),
        ("2020-08-21T10:30:00Z", D(2020, 8, 21)),
        ("2020-08-21T23:30:00+02:00", D(2020, 8, 21)),  # the date as written, no time-zone shift
        ("2024-02-29", D(2024, 2, 29)),
    ],
)
def test_parse_date_accepts(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [(text, f"{text!r} is not a valid date") for text in ["2026-02-30", "2026-13-01", "2025-02-29", "2026-00-10"]]
    + [
        (text, f"{text!r} is not a date (expected YYYY-MM-DD)")
        for text in ["garbage", "", "21.11.2026", "2026-1-5", "2026-11-21 tomorrow", "2026-11-21T25"]
    ],
)
def test_parse_date_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_date(text)
    assert str(info.value) == message


# --- parse_birthday ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990-05-17", Birthday(month=5, day=17, year=1990)),
        ("1988-02-29", Birthday(month=2, day=29, year=1988)),
        ("1990-05-17T00:00:00", Birthday(month=5, day=17, year=1990)),
        ("--05-17", Birthday(month=5, day=17, year=None)),
        ("--0517", Birthday(month=5, day=17, year=None)),
        (" --12-31 ", Birthday(month=12, day=31, year=None)),
        ("--02-29", Birthday(month=2, day=29, year=None)),  # yearless: a leap day is a real birthday
        ("--0229", Birthday(month=2, day=29, year=None)),
    ],
)
def test_parse_birthday_accepts(text: str, expected: Birthday) -> None:
    assert parse_birthday(text) == expected


@pytest.mark.parametrize(
    "text",
    ["--02-30", "--0230", "--13-01", "--00-10", "--04-31", "1990-02-30", "1990-02-29", "05-17", "May 17", "", "--5-17"],
)
def test_parse_birthday_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="birthday"):
        parse_birthday(text)


def test_birthday_str_round_trips() -> None:
    for text in ("1990-05-17", "--05-17", "--02-29"):
        assert str(parse_birthday(text)) == text


# --- parse_duration ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10d", Duration(days=10)),
        ("3w", Duration(days=21)),
        ("2m", Duration(months=2)),
        ("1y", Duration(years=1)),
        ("3 weeks", Duration(days=21)),
        ("1 week", Duration(days=7)),
        ("6 months", Duration(months=6)),
        ("2 years", Duration(years=2)),
        ("14 days", Duration(days=14)),
        ("90", Duration(days=90)),  # a bare number is days
        (" 3W ", Duration(days=21)),
        ("none", None),
        ("None", None),
        ("never", None),
    ],
)
def test_parse_duration_accepts(text: str, expected: Duration | None) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [(text, f"{text!r} is not a duration (it must be positive, or none)") for text in ["0d", "0"]]
    + [
        (text, f"{text!r} is not a duration (expected e.g. 10d, 3w, 2m, 1y or none)")
        for text in ["soon", "3x", "-3d", "1.5w", "w", "", "1w2d"]
    ],
)
def test_parse_duration_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(text)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("duration", "text", "days"),
    [
        (Duration(days=10), "10d", 10),
        (Duration(days=21), "3w", 21),
        (Duration(months=2), "2m", 60),
        (Duration(years=1), "1y", 365),
    ],
)
def test_duration_str_and_approx_days(duration: Duration, text: str, days: int) -> None:
    assert str(duration) == text
    assert parse_duration(text) == duration
    assert duration.approx_days() == days


# --- parse_bool -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["true", "True", "TRUE", "yes", "Yes", "on", "1"])
def test_parse_bool_true(text: str) -> None:
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["false", "False", "no", "No", "NO", "off", "0", ""])
def test_parse_bool_false(text: str) -> None:
    assert parse_bool(text) is False


def test_parse_bool_rejects() -> None:
    with pytest.raises(ValueError) as info:
        parse_bool("maybe")
    assert str(info.value) == "'maybe' is not true or false"


# --- add_duration -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (D(2026, 1, 31), Duration(months=1), D(2026, 2, 28)),  # clamped to the month's end
        (D(2028, 1, 31), Duration(months=1), D(2028, 2, 29)),  # leap year
        (D(2026, 3, 31), Duration(months=1), D(2026, 4, 30)),
        (D(2026, 12, 31), Duration(months=2), D(2027, 2, 28)),  # across the year end
        (D(2026, 11, 15), Duration(months=14), D(2028, 1, 15)),
        (D(2028, 2, 29), Duration(years=1), D(2029, 2, 28)),
        (D(2028, 2, 29), Duration(years=4), D(2032, 2, 29)),
        (D(2026, 1, 31), Duration(days=10), D(2026, 2, 10)),
        (D(2026, 12, 25), Duration(days=21), D(2027, 1, 15)),
        (D(2026, 8, 21), Duration(days=90), D(2026, 11, 19)),
    ],
)
def test_add_duration(start: date, duration: Duration, expected: date) -> None:
    assert add_duration(start, duration) == expected


# --- birthdays in a given year ----------------------------------------------------------------------------------

LEAP_DAY = Birthday(month=2, day=29, year=1988)
YEARLESS_LEAP_DAY = Birthday(month=2, day=29, year=None)


@pytest.mark.parametrize("birthday", [LEAP_DAY, YEARLESS_LEAP_DAY])
@pytest.mark.parametrize(
    ("year", "expected"),
    [(2026, D(2026, 2, 28)), (2027, D(2027, 2, 28)), (2028, D(2028, 2, 29)), (2100, D(2100, 2, 28))],
)
def test_birthday_in_leap_day(birthday: Birthday, year: int, expected: date) -> None:
    assert birthday_in(birthday, year) == expected


def test_birthday_in_ordinary_day() -> None:
    assert birthday_in(Birthday(month=12, day=31, year=None), 2026) == D(2026, 12, 31)


@pytest.mark.parametrize(
    ("birthday", "today", "expected"),
    [
        (Birthday(5, 17, 1990), D(2026, 5, 1), D(2026, 5, 17)),  # still ahead this year
        (Birthday(5, 17, 1990), D(2026, 5, 17), D(2026, 5, 17)),  # today counts
        (Birthday(5, 17, 1990), D(2026, 5, 18), D(2027, 5, 17)),  # passed: next year
        (Birthday(1, 2, None), D(2026, 11, 21), D(2027, 1, 2)),
        (Birthday(12, 31, None), D(2026, 1, 1), D(2026, 12, 31)),
        (LEAP_DAY, D(2026, 11, 21), D(2027, 2, 28)),  # common year: Feb 28
        (LEAP_DAY, D(2027, 2, 28), D(2027, 2, 28)),
        (LEAP_DAY, D(2027, 3, 1), D(2028, 2, 29)),  # leap year: Feb 29
        (LEAP_DAY, D(2028, 2, 29), D(2028, 2, 29)),
        (YEARLESS_LEAP_DAY, D(2028, 3, 1), D(2029, 2, 28)),
    ],
)
def test_next_birthday(birthday: Birthday, today: date, expected: date) -> None:
    assert next_birthday(birthday, today) == expected


def test_next_birthday_in_the_last_year() -> None:
    """No year after 9999: a birthday that has passed in 9999 never comes again (None), one still ahead does."""
    assert next_birthday(Birthday(1, 2, None), D(9999, 12, 31)) is None
    assert next_birthday(Birthday(12, 31, None), D(9999, 12, 31)) == D(9999, 12, 31)
    assert next_birthday(Birthday(12, 31, 9999), D(9999, 1, 1)) == D(9999, 12, 31)


# --- link_target ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[[Anna Berg]]", "Anna Berg"),
        ("[[Anna Berg|Anna]]", "Anna Berg"),
        ("[[folder/A#heading]]", "folder/A"),
        ("[[A#heading|shown]]", "A"),
        ("[[ Anna Berg ]]", "Anna Berg"),
        ("met via [[Bob Stone]] at work", "Bob Stone"),
        ("Anna Berg", None),
        ("", None),
        ("[Anna](anna.md)", "anna"),  # a Markdown link: its path, decoded, without `.md`
        ("[Anna](<../People/Anna Berg.md#Work>)", "../People/Anna Berg"),
        ("[Anna](https://example.org/anna)", None),  # a web link names no note
        ("[x](https://example.org) and [[Bob]]", "Bob"),  # the first link that names a note
        ("[x](#heading)", None),
        ("[[#heading]]", None),  # a link into the same note names no one
        ("[[]]", None),
    ],
)
def test_link_target(value: str, expected: str | None) -> None:
    assert link_target(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[Anna Schmidt|Anna]]", "Anna"),
        ("[[Anna Schmidt]]", "Anna Schmidt"),
        ("met via [[Bob Stone#Work]] and [[Carl]]", "met via Bob Stone and Carl"),
        ("no links here", "no links here"),
    ],
)
def test_plain_text(text: str, expected: str) -> None:
    assert plain_text(text) == expected


# --- date_or_duration (how long `snooze` pauses) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-24", D(2026, 12, 24)),
        ("2w", D(2026, 12, 5)),
        ("3m", D(2027, 2, 21)),
        ("10", D(2026, 12, 1)),  # a bare number is days
        ("1y", D(2027, 11, 21)),
    ],
)
def test_date_or_duration(text: str, expected: date) -> None:
    assert date_or_duration(text, D(2026, 11, 21)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("soon", "'soon' is neither a date (YYYY-MM-DD) nor a duration (2w, 3m)"),
        ("2026-02-30", "'2026-02-30' is neither a date"),
        ("none", "'none' is no length of time"),
    ],
)
def test_date_or_duration_says_what_it_takes(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        date_or_duration(text, D(2026, 11, 21))

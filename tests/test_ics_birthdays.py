"""Birthdays in the reminder calendar, expanded by two recurrence engines (recurring-ical-events and ical.js).

A birthday is a yearly series; the age ("turns N") is a one-off event on the day, which the series skips
(EXDATE), never an override (RECURRENCE-ID): ical.js's default ICAL.Event relates every override in a
calendar to every series, so two birthdays on one day would both show one person's age (issue 11).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
from dateutil.rrule import rrulestr
from icskit import (
    Expanded,
    build_ics,
    expand_icaljs,
    expand_python,
    ics_file,
    one,
    parse_icalendar,
    raw_events,
    sample_calendar,
    series_uid,
    set_alarm,
)
from vaultkit import TODAY, write_vault
from vaultkit import fm as contact

ANNA, EVE, DANA = "🎂 Anna Schmidt (*1990)", "🎂 Eve Example (*1985)", "🎂 Dana O'Brien"
CHEN = "🎂 Chen, Wei; the 🚀 founder (*1992)"  # born 1992-02-29


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, bytes]]:
    """The sample vault built on TODAY: (vault folder, calendar bytes)."""
    yield from sample_calendar(tmp_path_factory)


# -- birthdays expanded ---------------------------------------------------------------------------

# Series summary -> the person's birthday days (date, summary) in 2026-01-01..2028-12-31, built on 2026-11-21:
# the series' occurrences and the "turns N" one-off that replaces one of them.
EXPECTED_BIRTHDAYS: dict[str, list[tuple[str, str]]] = {
    "🎂 Anna Schmidt (*1990)": [
        ("2026-11-25", "🎂 Anna Schmidt turns 36"),
        ("2027-11-25", "🎂 Anna Schmidt (*1990)"),
        ("2028-11-25", "🎂 Anna Schmidt (*1990)"),
    ],
    "🎂 Björn Ødegaard": [  # --11-23: no age, no year
        ("2026-11-23", "🎂 Björn Ødegaard"),
        ("2027-11-23", "🎂 Björn Ødegaard"),
        ("2028-11-23", "🎂 Björn Ødegaard"),
    ],
    "🎂 Chen, Wei; the 🚀 founder (*1992)": [  # 1992-02-29: Feb 28 in common years
        ("2026-02-28", "🎂 Chen, Wei; the 🚀 founder (*1992)"),
        ("2027-02-28", "🎂 Chen, Wei; the 🚀 founder (*1992)"),  # the age shows from 31 days before
        ("2028-02-29", "🎂 Chen, Wei; the 🚀 founder (*1992)"),
    ],
    "🎂 Dana O'Brien": [  # --02-29
        ("2026-02-28", "🎂 Dana O'Brien"),
        ("2027-02-28", "🎂 Dana O'Brien"),
        ("2028-02-29", "🎂 Dana O'Brien"),
    ],
    "🎂 Eve Example (*1985)": [
        ("2026-11-22", "🎂 Eve Example turns 41"),
        ("2027-11-22", "🎂 Eve Example (*1985)"),
        ("2028-11-22", "🎂 Eve Example (*1985)"),
    ],
}


def test_birthdays_expand_to_the_expected_dates_in_both_expanders(sample: tuple[Path, bytes]) -> None:
    root, data = sample
    assert expand_python(data) == EXPECTED_BIRTHDAYS
    assert expand_icaljs(ics_file(root)) == EXPECTED_BIRTHDAYS
    assert expand_icaljs(ics_file(root), default_event=True) == EXPECTED_BIRTHDAYS


def test_yearless_birthdays_show_no_age_and_no_year(sample: tuple[Path, bytes]) -> None:
    _, data = sample
    for name in ("🎂 Björn Ødegaard", "🎂 Dana O'Brien"):
        for _, summary in expand_python(data)[name]:
            assert "turns" not in summary and "(*" not in summary and not re.search(r"\d", summary)


def test_feb29_birthday_age_in_a_leap_year(sample_vault: Path) -> None:
    """After Feb 28 2027 the next celebration is Feb 29 2028: the age moves there (shown from 31 days before
    it), and not earlier."""
    root = sample_vault
    assert b"turns 36" not in build_ics(root, date(2028, 1, 28))  # 32 days before
    data = build_ics(root, date(2028, 1, 29))  # 31 days before
    chen = "🎂 Chen, Wei; the 🚀 founder (*1992)"
    expected = [
        ("2027-02-28", chen),
        ("2028-02-29", "🎂 Chen, Wei; the 🚀 founder turns 36"),
        ("2029-02-28", chen),
    ]
    window = (date(2027, 1, 1), date(2030, 1, 1))
    assert expand_python(data, *window)[chen] == expected  # built in 2028: 2027 is the series' plain summary
    assert expand_icaljs(ics_file(root), *window)[chen] == expected


def test_birthday_on_today_gets_its_age_today(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "v", {"contacts/Zoe.md": contact(birthday="1990-11-21", cadence="none")})
    data = build_ics(root)
    window = (date(2026, 11, 1), date(2027, 12, 31))
    expected = [("2026-11-21", "🎂 Zoe turns 36"), ("2027-11-21", "🎂 Zoe (*1990)")]
    assert expand_python(data, *window)["🎂 Zoe (*1990)"] == expected
    assert expand_icaljs(ics_file(root), *window)["🎂 Zoe (*1990)"] == expected


# -- the day of the age: one event per person ---------------------------------------------------


def on(day: str, expanded: Expanded) -> dict[str, list[str]]:
    """Who has what on `day`: series summary -> the summaries shown that day (people with none left out)."""
    shown = {name: [summary for d, summary in days if d == day] for name, days in expanded.items()}
    return {name: summaries for name, summaries in shown.items() if summaries}


def check_the_day(root: Path, data: bytes, day: str, expected: dict[str, str]) -> None:
    """On `day`, each person has exactly one event (`expected`: series summary -> what it says), by
    recurring-ical-events and by ical.js read both ways; a series that skips the day gives nothing on it."""
    first = date.fromisoformat(day)
    window = (first, first + timedelta(days=1))
    want = {name: [summary] for name, summary in expected.items()}
    assert on(day, expand_python(data, *window)) == want
    assert on(day, expand_icaljs(ics_file(root), *window)) == want
    assert on(day, expand_icaljs(ics_file(root), *window, default_event=True)) == want
    aged = {name for name, summary in expected.items() if " turns " in summary}
    assert not on(day, expand_python(data, *window, series_only=True)).keys() & aged
    assert not on(day, expand_icaljs(ics_file(root), *window, series_only=True)).keys() & aged


def skipped_days(data: bytes) -> dict[str, str]:
    """Series summary -> the day its EXDATE skips, checked to be a day its RRULE gives (by dateutil): an
    EXDATE on any other day would skip nothing, and both the series and the one-off would show."""
    out = {}
    for ev in parse_icalendar(data).walk("VEVENT"):
        if "EXDATE" not in ev:
            continue
        [skipped] = [d.dt for d in ev["EXDATE"].dts]
        rule = rrulestr(ev["RRULE"].to_ical().decode(), dtstart=datetime.combine(ev["DTSTART"].dt, time()))
        assert datetime.combine(skipped, time()) in rule.between(
            datetime(skipped.year, 1, 1), datetime(skipped.year, 12, 31)
        )
        assert skipped > ev["DTSTART"].dt  # never the series' first day
        out[str(ev["SUMMARY"])] = skipped.isoformat()
    return out


@pytest.mark.parametrize(
    ("today", "days"),
    [
        (TODAY, {"2026-11-22": {EVE: "🎂 Eve Example turns 41"}, "2026-11-25": {ANNA: "🎂 Anna Schmidt turns 36"}}),
        # Feb 29 in a common year: Feb 28 (BYMONTHDAY=-1), shared with Dana (--02-29), who shows no age.
        (date(2027, 2, 1), {"2027-02-28": {CHEN: "🎂 Chen, Wei; the 🚀 founder turns 35", DANA: DANA}}),
        (date(2028, 1, 29), {"2028-02-29": {CHEN: "🎂 Chen, Wei; the 🚀 founder turns 36", DANA: DANA}}),
    ],
)
def test_on_the_day_of_the_age_each_person_has_one_event(
    sample_vault: Path, today: date, days: dict[str, dict[str, str]]
) -> None:
    data = build_ics(sample_vault, today)
    aged = {name: day for day, people in days.items() for name, summary in people.items() if " turns " in summary}
    assert skipped_days(data) == aged
    for day, expected in days.items():
        check_the_day(sample_vault, data, day, expected)


@pytest.mark.parametrize(
    ("today", "births", "day"),
    [
        (TODAY, {"Alice": "1990-12-01", "Bob": "1991-12-01", "Carol": "--12-01"}, "2026-12-01"),
        (date(2027, 2, 1), {"Dan": "1990-02-28", "Lea": "1992-02-29"}, "2027-02-28"),  # Lea: Feb 28 this year
    ],
)
def test_people_who_share_a_birthday_each_show_their_own(
    tmp_path: Path, today: date, births: dict[str, str], day: str
) -> None:
    """The issue's scenario: with an override per series, ical.js's default ICAL.Event showed Bob's age
    under Alice too (tests/test_icaljs_harness.py shows it); each person's day shows their own summary."""
    notes = {f"contacts/{name}.md": contact(birthday=born, cadence="none") for name, born in births.items()}
    root = write_vault(tmp_path / "v", notes)
    data = build_ics(root, today)
    expected = {}
    for name, born in births.items():
        year = born[:4]
        series = f"🎂 {name} (*{year})" if year.isdigit() else f"🎂 {name}"
        expected[series] = f"🎂 {name} turns {int(day[:4]) - int(year)}" if year.isdigit() else series
    check_the_day(root, data, day, expected)


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        # Born today: the series' first day is its DTSTART; no age 0, nothing skipped.
        ("2026-11-21", [("2026-11-21", "🎂 Zoe (*2026)"), ("2027-11-21", "🎂 Zoe (*2026)")]),
        # One year later the age is on the series' second day, never its first.
        (
            "2025-11-21",
            [("2025-11-21", "🎂 Zoe (*2025)"), ("2026-11-21", "🎂 Zoe turns 1"), ("2027-11-21", "🎂 Zoe (*2025)")],
        ),
    ],
)
def test_the_series_first_day_is_never_skipped(tmp_path: Path, born: str, expected: list[tuple[str, str]]) -> None:
    root = write_vault(tmp_path / "v", {"contacts/Zoe.md": contact(birthday=born, cadence="none")})
    data = build_ics(root)
    window = (date(2025, 1, 1), date(2028, 1, 1))
    name = expected[0][1]
    assert expand_python(data, *window) == {name: expected}
    assert expand_icaljs(ics_file(root), *window, default_event=True) == {name: expected}
    assert (b"EXDATE" in data) == (born != "2026-11-21")
    skipped_days(data)  # checks that any EXDATE is after the series' first day


def test_a_one_off_follows_its_series_in_the_file(sample: tuple[Path, bytes]) -> None:
    """Events are ordered by date, then UID, a series' one-off right after the series (so the file reads
    well and stays byte-stable); the one-off has the series' description and category."""
    _, data = sample
    events = raw_events(data)
    one_offs = [i for i, props in enumerate(events) if series_uid(one(props, "UID").value)]
    assert len(one_offs) == 2
    for i in one_offs:
        series, one_off = events[i - 1], events[i]
        assert series_uid(one(one_off, "UID").value) == one(series, "UID").value
        for name in ("DESCRIPTION", "CATEGORIES", "TRANSP", "CLASS"):
            assert one(one_off, name) == one(series, name)
        assert one(one_off, "DTSTART").value == one(series, "EXDATE").value


def test_the_one_off_has_the_series_alarm_and_its_day_one_alarm(sample_vault: Path) -> None:
    set_alarm(sample_vault, "09:00")
    cal = parse_icalendar(build_ics(sample_vault))
    by_uid = {str(ev["UID"]): ev for ev in cal.walk("VEVENT")}
    one_offs = [ev for uid, ev in by_uid.items() if series_uid(uid)]
    assert len(one_offs) == 2
    for one_off in one_offs:
        series = by_uid[str(series_uid(str(one_off["UID"])))]
        [mine], [theirs] = one_off.walk("VALARM"), series.walk("VALARM")
        for name in ("ACTION", "TRIGGER"):
            assert mine[name].to_ical() == theirs[name].to_ical() and mine[name].params == theirs[name].params
        assert str(mine["DESCRIPTION"]) == str(one_off["SUMMARY"])  # the alarm says the age
        # On the day, the person's one event rings once: the series' occurrence (and its alarm) is skipped.
        that_day = [ev for ev in recurring_ical_events.of(cal).at(one_off["DTSTART"].dt) if _of(ev, series)]
        assert [len(ev.walk("VALARM")) for ev in that_day] == [1]
        assert [str(ev["SUMMARY"]) for ev in that_day] == [str(one_off["SUMMARY"])]


def _of(event: icalendar.Event, series: icalendar.Event) -> bool:
    uid = str(event["UID"])
    return uid == str(series["UID"]) or series_uid(uid) == str(series["UID"])

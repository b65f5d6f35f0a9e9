"""Birthdays in the reminder calendar, expanded by two recurrence engines (recurring-ical-events and ical.js)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from icskit import build_ics, expand_icaljs, expand_python, ics_file, sample_calendar
from vaultkit import fm as contact
from vaultkit import write_vault


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, bytes]]:
    """The sample vault built on TODAY: (vault folder, calendar bytes)."""
    yield from sample_calendar(tmp_path_factory)


# -- birthdays expanded ---------------------------------------------------------------------------

# Master summary -> the occurrences (date, summary) in 2026-01-01..2028-12-31, built on 2026-11-21.
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


def test_yearless_birthdays_show_no_age_and_no_year(sample: tuple[Path, bytes]) -> None:
    _, data = sample
    for name in ("🎂 Björn Ødegaard", "🎂 Dana O'Brien"):
        for _, summary in expand_python(data)[name]:
            assert "turns" not in summary and "(*" not in summary and not re.search(r"\d", summary)


def test_feb29_birthday_override_in_a_leap_year(sample_vault: Path) -> None:
    """After Feb 28 2027 the next celebration is Feb 29 2028: the override moves there (shown from 31 days
    before it), and not earlier."""
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

"""Each contact's own items (`vaultnet.rules.make_plan`): cadence and one-off follow-ups, birthdays, promises,
snooze and archive, on contacts built directly or parsed from notes. The rules that read events and the whole
network are in test_rules_events_reconnect_review.py.

Every test uses a fixed `today`; the expected dates are worked out by hand, never with the code under test.
"""

from __future__ import annotations

import calendar
import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaultkit import TODAY

from vaultnet.config import Settings
from vaultnet.model import Birthday, Contact, Duration, Item, LogEntry, Promise
from vaultnet.parse import parse_note
from vaultnet.rules import Plan, is_due, make_plan, upcoming

D = date


# --- helpers -------------------------------------------------------------------------------------------------------


def person(name: str = "Ada", path: str | None = None, **fields: object) -> Contact:
    """A contact at `contacts/NAME.md` with the given fields."""
    return Contact(path=path or f"contacts/{name}.md", name=name, **fields)  # type: ignore[arg-type]


def logged(*days: date, kind: str = "call") -> tuple[LogEntry, ...]:
    """Log entries on the given days (line numbers in order)."""
    return tuple(LogEntry(day, kind, "talked", line) for line, day in enumerate(days, start=10))


def promise(text: str, due: date | None, done: bool = False, line: int = 20) -> Promise:
    return Promise(text=text, due=due, done=done, line=line)


def note(name: str, text: str, settings_: Settings | None = None) -> Contact:
    """Parse a note at `contacts/NAME.md`; it must be a valid contact."""
    parsed = parse_note(f"contacts/{name}.md", text.encode("utf-8"), settings_ or Settings())
    assert parsed.problems == ()
    assert parsed.contact is not None
    return parsed.contact


def run(*contacts: Contact, today: date = TODAY, settings_: Settings | None = None) -> Plan:
    return make_plan(contacts, settings_ or Settings(), today)


def rows(items: tuple[Item, ...]) -> list[tuple[str, date, str]]:
    """(kind, day, name) of each item, in order."""
    return [(i.kind, i.day, i.name) for i in items]


def follow_ups(p: Plan) -> list[Item]:
    return [i for i in p.items if i.kind == "follow-up"]


# --- cadence follow-ups --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("circle", "due_day"),
    [
        ("close", D(2026, 8, 31)),  # 2026-08-01 + 30 days
        ("active", D(2026, 10, 30)),  # + 90 days
        (None, D(2026, 10, 30)),  # the default circle is active
        ("loose", D(2027, 1, 28)),  # + 180 days
    ],
)
def test_circle_cadence_counts_from_last_contact(circle: str | None, due_day: date) -> None:
    p = run(person(circle=circle, last_contact=D(2026, 8, 1)))
    assert rows(p.items) == [("follow-up", due_day, "Ada")]
    assert rows(p.due) == ([("follow-up", due_day, "Ada")] if due_day <= TODAY else [])


def test_dormant_circle_has_no_cadence_follow_up() -> None:
    quiet = run(person(circle="dormant", last_contact=D(2020, 1, 1)))
    assert follow_ups(quiet) == []
    # ... it surfaces as a dormant tie to revive instead, which carries the review's question (one item).
    assert [i.kind for i in quiet.items] == ["reconnect"]
    assert quiet.items[0].reason.endswith("; review it: keep (and get in touch), move to another circle, or archive")
    assert run(person(circle="dormant")).items == ()  # not even "never contacted: due now"


def test_own_cadence_overrides_the_circle() -> None:
    p = run(person(circle="loose", cadence=Duration(days=14), last_contact=D(2026, 11, 1)))
    assert rows(p.items) == [("follow-up", D(2026, 11, 15), "Ada")]
    assert rows(p.due) == [("follow-up", D(2026, 11, 15), "Ada")]


def test_own_cadence_overrides_a_dormant_circle() -> None:
    p = run(person(circle="dormant", cadence=Duration(days=21), last_contact=D(2026, 11, 1)))
    assert rows(p.items) == [("follow-up", D(2026, 11, 22), "Ada")]
    assert p.due == ()


def test_cadence_none_means_no_cadence_follow_up_whatever_the_circle() -> None:
    assert follow_ups(run(person(circle="close", cadence_none=True, last_contact=D(2025, 1, 1)))) == []
    assert run(person(circle="close", cadence_none=True)).items == ()


def test_cadence_none_parsed_from_a_note() -> None:
    ada = note("Ada", "---\ncircle: close\ncadence: none\nlast_contact: 2025-01-01\n---\n")
    assert ada.cadence_none is True
    assert follow_ups(run(ada)) == []


@pytest.mark.parametrize(
    ("last", "cadence", "due_day"),
    [
        (D(2026, 1, 31), Duration(months=1), D(2026, 2, 28)),  # clamped to the month's end
        (D(2028, 1, 31), Duration(months=1), D(2028, 2, 29)),  # leap year
        (D(2025, 12, 31), Duration(months=2), D(2026, 2, 28)),  # across the year end
        (D(2026, 3, 31), Duration(months=1), D(2026, 4, 30)),
        (D(2026, 8, 21), Duration(months=3), D(2026, 11, 21)),  # same day of the month, not 90 days
        (D(2028, 2, 29), Duration(years=1), D(2029, 2, 28)),
        (D(2025, 11, 21), Duration(years=1), D(2026, 11, 21)),
        (D(2026, 10, 31), Duration(days=21), D(2026, 11, 21)),  # 3w
    ],
)
def test_cadence_arithmetic_is_calendar_based(last: date, cadence: Duration, due_day: date) -> None:
    p = run(person(cadence=cadence, last_contact=last))
    assert rows(p.items) == [("follow-up", due_day, "Ada")]


def test_months_cadence_parsed_from_a_note() -> None:
    ada = note("Ada", "---\ncadence: 2m\nlast_contact: 2026-09-21\n---\n")
    assert rows(run(ada).due) == [("follow-up", D(2026, 11, 21), "Ada")]
    assert run(ada, today=D(2026, 11, 20)).due == ()


def test_last_contact_is_the_newest_of_last_contact_and_the_log() -> None:
    log_newer = person(cadence=Duration(days=30), last_contact=D(2026, 6, 1), log=logged(D(2026, 9, 1), D(2026, 7, 1)))
    field_newer = person(cadence=Duration(days=30), last_contact=D(2026, 10, 1), log=logged(D(2026, 9, 1)))
    assert [i.day for i in follow_ups(run(log_newer))] == [D(2026, 10, 1)]
    assert [i.day for i in follow_ups(run(field_newer))] == [D(2026, 10, 31)]


def test_log_parsed_from_a_note_sets_the_last_contact() -> None:
    text = (
        "---\ncircle: close\nlast_contact: 2026-05-01\n---\n# Ada\n\n## Log\n"
        "- 2026-10-02 call: talked about her new team #gave\n- 2026-09-01 coffee: catch-up\n"
    )
    p = run(note("Ada", text))
    assert rows(p.items) == [("follow-up", D(2026, 11, 1), "Ada")]
    assert p.items[0].reason == "last contact on 2026-10-02 (call); your rhythm is every 30d"


def test_never_contacted_counts_from_met() -> None:
    p = run(person(circle="close", met=D(2026, 10, 1)))
    assert rows(p.items) == [("follow-up", D(2026, 10, 31), "Ada")]
    assert rows(p.due) == [("follow-up", D(2026, 10, 31), "Ada")]
    assert p.items[0].reason.startswith("met on 2026-10-01, no contact since")


def test_met_is_ignored_once_there_is_a_contact() -> None:
    p = run(person(circle="close", met=D(2020, 1, 1), last_contact=D(2026, 11, 1)))
    assert rows(p.items) == [("follow-up", D(2026, 12, 1), "Ada")]
    assert p.due == ()


def test_never_contacted_and_never_met_is_due_today() -> None:
    p = run(person(circle="loose"))
    assert rows(p.items) == [("follow-up", TODAY, "Ada")]
    assert rows(p.due) == [("follow-up", TODAY, "Ada")]
    assert "no contact" in p.items[0].reason


def test_due_exactly_on_last_contact_plus_cadence_not_the_day_before() -> None:
    ada = person(circle="close", last_contact=D(2026, 10, 22))  # + 30 days = today
    assert rows(run(ada).due) == [("follow-up", TODAY, "Ada")]
    assert run(ada, today=TODAY - timedelta(days=1)).due == ()


def test_overdue_follow_up_stays_due_on_its_date() -> None:
    p = run(person(circle="close", last_contact=D(2026, 1, 1)))
    assert rows(p.due) == [("follow-up", D(2026, 1, 31), "Ada")]


@pytest.mark.parametrize("circle", ["close", "active", "loose", None])
def test_no_reminder_right_after_a_contact(circle: str | None) -> None:
    yesterday = TODAY - timedelta(days=1)
    by_field = person("Ada", circle=circle, last_contact=yesterday)
    by_log = person("Bob", circle=circle, met=D(2020, 1, 1), log=logged(yesterday))
    short = person("Cy", cadence=Duration(days=2), last_contact=yesterday)
    assert run(by_field, by_log, short).due == ()
    assert run(by_field, by_log, short, today=yesterday).due == ()  # the day of the contact itself


def test_logging_a_contact_clears_the_follow_up() -> None:
    before = person(circle="close", met=D(2026, 1, 1))
    assert len(run(before).due) == 1
    after = person(circle="close", met=D(2026, 1, 1), log=logged(TODAY))
    assert run(after).due == ()
    assert run(after, today=TODAY + timedelta(days=1)).due == ()


# --- one-off follow_up dates ---------------------------------------------------------------------------------------


def test_follow_up_date_makes_an_item_on_that_date() -> None:
    p = run(person(circle="dormant", follow_up=D(2026, 11, 25)))
    [item] = p.items
    assert (item.kind, item.day, item.name, item.path) == ("follow-up", D(2026, 11, 25), "Ada", "contacts/Ada.md")
    assert "2026-11-25" in item.reason
    assert p.due == ()
    assert rows(run(person(circle="dormant", follow_up=D(2026, 11, 25)), today=D(2026, 11, 25)).due) == [
        ("follow-up", D(2026, 11, 25), "Ada")
    ]


def test_past_follow_up_date_without_contact_since_is_due() -> None:
    p = run(person(cadence_none=True, last_contact=D(2026, 11, 1), follow_up=D(2026, 11, 10)))
    assert rows(p.due) == [("follow-up", D(2026, 11, 10), "Ada")]


@pytest.mark.parametrize("contact_day", [D(2026, 11, 10), D(2026, 11, 15)])
def test_follow_up_date_is_done_once_there_is_a_contact_on_or_after_it(contact_day: date) -> None:
    done = person(cadence_none=True, follow_up=D(2026, 11, 10), log=logged(contact_day))
    assert run(done).items == ()
    with_cadence = person(circle="close", follow_up=D(2026, 11, 10), log=logged(contact_day))
    assert rows(run(with_cadence).items) == [("follow-up", contact_day + timedelta(days=30), "Ada")]
    assert run(with_cadence).due == ()


def test_follow_up_date_is_pending_after_an_earlier_contact() -> None:
    p = run(person(cadence_none=True, follow_up=D(2026, 11, 10), last_contact=D(2026, 11, 9)))
    assert rows(p.due) == [("follow-up", D(2026, 11, 10), "Ada")]


def test_earliest_of_cadence_and_follow_up_date_wins() -> None:
    follow_up_first = person(circle="close", last_contact=D(2026, 11, 1), follow_up=D(2026, 11, 20))
    cadence_first = person(circle="close", last_contact=D(2026, 10, 1), follow_up=D(2026, 11, 25))
    assert rows(run(follow_up_first).items) == [("follow-up", D(2026, 11, 20), "Ada")]
    assert "planned" in run(follow_up_first).items[0].reason
    assert rows(run(cadence_first).items) == [("follow-up", D(2026, 10, 31), "Ada")]
    assert "rhythm" in run(cadence_first).items[0].reason


def test_follow_up_date_from_a_note() -> None:
    ada = note("Ada", "---\ncircle: loose\nlast_contact: 2026-11-01\nfollow_up: 2026-11-21\n---\n")
    assert rows(run(ada).due) == [("follow-up", TODAY, "Ada")]


# --- birthdays -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birthday", "expected"),
    [
        (Birthday(11, 21, 1990), D(2026, 11, 21)),  # today
        (Birthday(11, 24, 1990), D(2026, 11, 24)),
        (Birthday(11, 28, 1990), D(2026, 11, 28)),  # exactly +7
        (Birthday(11, 29, 1990), None),  # +8
        (Birthday(11, 20, 1990), None),  # yesterday: next one is a year away
        (Birthday(3, 1, 1990), None),
    ],
)
def test_birthdays_within_the_look_ahead(birthday: Birthday, expected: date | None) -> None:
    p = run(person(birthday=birthday, circle="dormant"))
    assert rows(p.items) == ([("birthday", expected, "Ada")] if expected else [])
    assert p.due == p.items  # an announced birthday is on today's list


def test_birthday_reason_gives_the_age() -> None:
    today = run(person(birthday=Birthday(11, 21, 1990), circle="dormant")).items[0]
    soon = run(person(birthday=Birthday(11, 25, 1990), circle="dormant")).items[0]
    assert today.reason == "birthday today, turns 36: call personally rather than sending a message"
    assert soon.reason.startswith("birthday on Wed 25 Nov, turns 36")


def test_yearless_birthday_has_no_age() -> None:
    ada = note("Ada", "---\nbirthday: --11-23\ncircle: dormant\n---\n")
    assert ada.birthday == Birthday(11, 23, None)
    [item] = run(ada).items
    assert (item.kind, item.day) == ("birthday", D(2026, 11, 23))
    assert "turns" not in item.reason
    assert item.reason.startswith("birthday on ")


@pytest.mark.parametrize(
    ("today", "expected", "age"),
    [
        (D(2027, 2, 25), D(2027, 2, 28), "turns 35"),  # common year: Feb 28
        (D(2027, 2, 28), D(2027, 2, 28), "turns 35"),
        (D(2028, 2, 25), D(2028, 2, 29), "turns 36"),  # leap year: Feb 29
        (D(2028, 2, 29), D(2028, 2, 29), "turns 36"),
    ],
)
def test_feb_29_birthday(today: date, expected: date, age: str) -> None:
    ada = note("Ada", "---\nbirthday: 1992-02-29\ncircle: dormant\n---\n")
    [item] = run(ada, today=today).items
    assert (item.kind, item.day) == ("birthday", expected)
    assert age in item.reason
    yearless = person("Bo", birthday=Birthday(2, 29), circle="dormant")
    assert rows(run(yearless, today=today).items) == [("birthday", expected, "Bo")]


def test_feb_29_birthday_is_not_moved_to_march_1() -> None:
    ada = person(birthday=Birthday(2, 29, 1992), circle="dormant")
    assert run(ada, today=D(2027, 3, 1)).items == ()
    assert run(ada, today=D(2027, 2, 20)).items == ()  # Feb 28 is +8
    assert rows(run(ada, today=D(2027, 2, 21)).items) == [("birthday", D(2027, 2, 28), "Ada")]


def test_birthday_that_passed_this_year_is_next_years() -> None:
    wide = Settings(birthday_lookahead_days=400)
    [item] = run(person(birthday=Birthday(11, 20, 1990), circle="dormant"), settings_=wide).items
    assert (item.kind, item.day) == ("birthday", D(2027, 11, 20))
    assert "turns 37" in item.reason


def test_birthday_across_the_year_end() -> None:
    [item] = run(person(birthday=Birthday(1, 2, 1990), circle="dormant"), today=D(2026, 12, 30)).items
    assert (item.kind, item.day) == ("birthday", D(2027, 1, 2))
    assert "turns 37" in item.reason
    assert item.reason.startswith("birthday on Sat 02 Jan")


def test_birthday_look_ahead_is_configurable() -> None:
    ada = person(birthday=Birthday(12, 5, 1990), circle="dormant")  # +14
    assert run(ada).items == ()
    assert rows(run(ada, settings_=Settings(birthday_lookahead_days=14)).items) == [("birthday", D(2026, 12, 5), "Ada")]
    assert run(ada, settings_=Settings(birthday_lookahead_days=13)).items == ()


# --- promises ------------------------------------------------------------------------------------------------------

PROMISES_NOTE = """---
circle: dormant
---
# Bea

- [ ] send the article 📅 2026-11-25
- [ ] intro to Carl (due 2026-11-20)
- [ ] book recommendation 📅 2026-11-21
- [x] sent the slides 📅 2026-11-01
- [-] cancelled lunch 📅 2026-11-02
- [ ] someday maybe
"""


def test_promises_from_a_note() -> None:
    p = run(note("Bea", PROMISES_NOTE))
    assert rows(p.items) == [
        ("promise", D(2026, 11, 20), "Bea"),
        ("promise", D(2026, 11, 21), "Bea"),
        ("promise", D(2026, 11, 25), "Bea"),
    ]
    assert rows(p.due) == [("promise", D(2026, 11, 20), "Bea"), ("promise", D(2026, 11, 21), "Bea")]
    assert [i.reason for i in p.items] == [
        "you promised: intro to Carl (overdue since 2026-11-20)",
        "you promised: book recommendation (due 2026-11-21)",
        "you promised: send the article (due 2026-11-25)",
    ]


def test_done_and_undated_promises_never_appear() -> None:
    bea = person(
        "Bea",
        circle="dormant",
        promises=(
            promise("done", D(2026, 11, 1), done=True),
            promise("undated", None),
            promise("done later", TODAY, True),
        ),
    )
    assert run(bea).items == ()
    assert run(bea, today=D(2030, 1, 1)).items == ()


def test_promises_come_due_on_their_date() -> None:
    bea = person("Bea", circle="dormant", promises=(promise("call back", D(2026, 11, 25)),))
    assert rows(run(bea).items) == [("promise", D(2026, 11, 25), "Bea")]
    assert run(bea).due == ()
    assert rows(run(bea, today=D(2026, 11, 25)).due) == [("promise", D(2026, 11, 25), "Bea")]


def test_two_promises_on_one_day_are_two_items() -> None:
    bea = person(
        "Bea", circle="dormant", promises=(promise("b thing", TODAY, line=5), promise("a thing", TODAY, line=6))
    )
    p = run(bea)
    assert len(p.due) == 2
    assert {i.key for i in p.due} == {"a thing", "b thing"}


# --- snooze --------------------------------------------------------------------------------------------------------


def snoozed(until: date) -> Contact:
    """A contact with an overdue follow-up, an overdue promise and a birthday today, snoozed until `until`."""
    return person(
        circle="close",
        last_contact=D(2026, 9, 1),  # follow-up due 2026-10-01
        birthday=Birthday(11, 21, 1990),
        promises=(promise("send the deck", D(2026, 11, 15)), promise("lunch", D(2026, 12, 20))),
        snooze_until=until,
    )


def test_future_snooze_means_nothing_due() -> None:
    p = run(snoozed(D(2026, 12, 1)))
    assert p.due == ()
    assert sorted(rows(p.items), key=lambda r: (r[1], r[0])) == [
        ("follow-up", D(2026, 12, 1), "Ada"),
        ("promise", D(2026, 12, 1), "Ada"),
        ("promise", D(2026, 12, 20), "Ada"),  # after the snooze date: unchanged
    ]
    moved = [i for i in p.items if i.day == D(2026, 12, 1)]
    assert all("snoozed until 2026-12-01" in i.reason for i in moved)
    assert p.items[-1].reason == "you promised: lunch (due 2026-12-20)"
    assert not any(i.kind == "birthday" for i in p.items)


def test_snoozed_items_come_back_on_the_snooze_date() -> None:
    contact = snoozed(D(2026, 12, 1))
    p = run(contact, today=D(2026, 12, 1))  # snooze_until == today: normal again
    assert sorted(rows(p.due)) == [("follow-up", D(2026, 10, 1), "Ada"), ("promise", D(2026, 11, 15), "Ada")]


@pytest.mark.parametrize("until", [TODAY, D(2026, 11, 1)])
def test_snooze_today_or_past_is_normal(until: date) -> None:
    p = run(snoozed(until))
    assert sorted(rows(p.due)) == [
        ("birthday", TODAY, "Ada"),
        ("follow-up", D(2026, 10, 1), "Ada"),
        ("promise", D(2026, 11, 15), "Ada"),
    ]
    assert not any("snoozed" in i.reason for i in p.items)


def test_snooze_from_a_note() -> None:
    text = "---\ncircle: close\nlast_contact: 2026-01-01\nsnooze_until: 2026-11-22\n---\n- [ ] call 📅 2026-11-01\n"
    ada = note("Ada", text)
    assert run(ada).due == ()
    assert len(run(ada, today=D(2026, 11, 22)).due) == 2


# --- archived ------------------------------------------------------------------------------------------------------


def test_archived_contacts_yield_nothing() -> None:
    gone = person(
        "Gone",
        archived=True,
        circle="close",
        birthday=Birthday(11, 21, 1980),
        follow_up=D(2026, 11, 1),
        promises=(promise("overdue", D(2026, 11, 1)),),
    )
    kept = person("Kept", circle="close", last_contact=D(2026, 11, 20))
    p = run(gone, kept)
    assert p.contacts == (kept,)
    assert rows(p.items) == [("follow-up", D(2026, 12, 20), "Kept")]
    assert all(i.path != gone.path for i in p.items)


def test_archived_from_a_note() -> None:
    ada = note("Ada", "---\narchived: true\nbirthday: --11-21\n---\n- [ ] overdue 📅 2026-01-01\n")
    p = run(ada)
    assert (p.items, p.contacts) == ((), ())


# --- ordering ------------------------------------------------------------------------------------------------------


def test_ordered_by_date_then_name_case_insensitively() -> None:
    contacts = [
        person("carol", cadence_none=True, follow_up=D(2026, 11, 10)),
        person("Bob", cadence_none=True, follow_up=D(2026, 11, 10)),
        person("alice", cadence_none=True, follow_up=D(2026, 11, 10)),
        person("Aaron", cadence_none=True, follow_up=D(2026, 11, 12)),
        person("Zed", cadence_none=True, follow_up=D(2026, 11, 1)),
    ]
    p = run(*contacts)
    assert [(i.day, i.name) for i in p.items] == [
        (D(2026, 11, 1), "Zed"),
        (D(2026, 11, 10), "alice"),
        (D(2026, 11, 10), "Bob"),
        (D(2026, 11, 10), "carol"),
        (D(2026, 11, 12), "Aaron"),
    ]


def test_order_is_deterministic_with_ties() -> None:
    """Same date and name in different notes: the same order whatever the input order."""
    twins = [
        person("Sam", path="contacts/work/Sam.md", cadence_none=True, follow_up=D(2026, 11, 10)),
        person("Sam", path="contacts/Sam.md", cadence_none=True, follow_up=D(2026, 11, 10)),
        person("sam", path="people/sam.md", cadence_none=True, follow_up=D(2026, 11, 10)),
        person("Sam", path="contacts/z.md", circle="dormant", promises=(promise("x", D(2026, 11, 10)),)),
    ]
    results = {run(*order).items for order in itertools.permutations(twins)}
    assert len(results) == 1
    [items] = results
    assert len(items) == 4
    assert [i.path for i in items if i.kind == "follow-up"] == sorted(
        ["contacts/work/Sam.md", "contacts/Sam.md", "people/sam.md"]
    )


def test_one_contacts_items_of_one_day_are_in_a_stable_order() -> None:
    ada = person(
        circle="close",
        last_contact=D(2026, 10, 22),
        birthday=Birthday(11, 21, 1990),
        promises=(promise("b", TODAY, line=3), promise("a", TODAY, line=4)),
    )
    first = run(ada).items
    assert len(first) == 4
    assert {i.kind for i in first} == {"birthday", "promise", "follow-up"}
    swapped = person(
        circle="close",
        last_contact=D(2026, 10, 22),
        birthday=Birthday(11, 21, 1990),
        promises=(promise("a", TODAY, line=4), promise("b", TODAY, line=3)),
    )
    assert run(swapped).items == first


# --- is_due and upcoming -------------------------------------------------------------------------------------------


def test_is_due() -> None:
    ada = person()
    assert is_due(Item("follow-up", TODAY, "Ada", ada.path, "r", ada), TODAY)
    assert is_due(Item("follow-up", TODAY - timedelta(days=3), "Ada", ada.path, "r", ada), TODAY)
    assert not is_due(Item("follow-up", TODAY + timedelta(days=1), "Ada", ada.path, "r", ada), TODAY)
    assert is_due(Item("promise", TODAY, "Ada", ada.path, "r", ada, key="k"), TODAY)
    assert not is_due(Item("promise", TODAY + timedelta(days=1), "Ada", ada.path, "r", ada, key="k"), TODAY)
    assert is_due(Item("birthday", TODAY + timedelta(days=5), "Ada", ada.path, "r", ada), TODAY)


def test_upcoming_lists_the_next_days_without_birthdays() -> None:
    contacts = [
        person("Today", cadence_none=True, follow_up=TODAY),
        person("Tomorrow", cadence_none=True, follow_up=TODAY + timedelta(days=1)),
        person("Edge", cadence_none=True, follow_up=TODAY + timedelta(days=7)),
        person("Later", cadence_none=True, follow_up=TODAY + timedelta(days=8)),
        person("Promise", circle="dormant", promises=(promise("p", TODAY + timedelta(days=3)),)),
        person("Birthday", circle="dormant", birthday=Birthday(11, 24)),
        person("Past", cadence_none=True, follow_up=TODAY - timedelta(days=1)),
    ]
    p = run(*contacts)
    assert [(i.kind, i.name) for i in upcoming(p, 7)] == [
        ("follow-up", "Tomorrow"),
        ("promise", "Promise"),
        ("follow-up", "Edge"),
    ]
    assert upcoming(p, 0) == ()


# --- extremes ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "contact",
    [
        person(last_contact=date.max),  # `last_contact: 9999-12-31` is a valid date a user can write
        person(met=D(9999, 12, 15), circle="close"),  # + 30 days is past 9999-12-31
        person(cadence=Duration(years=9000), last_contact=D(2026, 1, 1)),
        person(cadence=Duration(days=5_000_000), last_contact=D(2026, 1, 1)),  # `cadence: 5000000d`
    ],
)
def test_follow_up_beyond_year_9999_is_never_not_a_crash(contact: Contact) -> None:
    """A follow-up that would fall after the last representable date never comes; plan must not raise."""
    p = run(contact)
    assert p.due == ()
    assert follow_ups(p) == []


# --- properties ----------------------------------------------------------------------------------------------------

SPEC_CIRCLES: dict[str | None, Duration | None] = {
    None: Duration(days=90),
    "close": Duration(days=30),
    "active": Duration(days=90),
    "loose": Duration(days=180),
    "dormant": None,
}


def add_calendar(start: date, cadence: Duration) -> date:
    """Independent calendar arithmetic for the property: months/years keep the day (clamped), then days."""
    total = start.year * 12 + start.month - 1 + cadence.months + 12 * cadence.years
    year, month = divmod(total, 12)
    month += 1
    moved = date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    return moved + timedelta(days=cadence.days)


dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))
durations = st.one_of(
    st.builds(Duration, days=st.integers(1, 400)),
    st.builds(Duration, months=st.integers(1, 24)),
    st.builds(Duration, years=st.integers(1, 3)),
)
birthdays = st.builds(
    lambda month, day, year: Birthday(month, min(day, 29 if month == 2 else calendar.monthrange(2001, month)[1]), year),
    st.integers(1, 12),
    st.integers(1, 31),
    st.one_of(st.none(), st.integers(1920, 2030)),
)
promises = st.builds(
    Promise,
    text=st.sampled_from(["send it", "intro", "call"]),
    due=st.one_of(st.none(), dates),
    done=st.booleans(),
    line=st.integers(1, 50),
)


@st.composite
def contacts(draw: st.DrawFn, index: int) -> Contact:
    """A random contact; names collide often so ties are exercised."""
    log_days = draw(st.lists(dates, max_size=3))
    return Contact(
        path=f"contacts/{index:03d}.md",
        name=draw(st.sampled_from(["Ada", "ada", "Bob", "Zoë", "bob"])),
        circle=draw(st.sampled_from(list(SPEC_CIRCLES))),
        cadence=draw(st.one_of(st.none(), durations)),
        cadence_none=draw(st.booleans()),
        birthday=draw(st.one_of(st.none(), birthdays)),
        met=draw(st.one_of(st.none(), dates)),
        last_contact=draw(st.one_of(st.none(), dates)),
        follow_up=draw(st.one_of(st.none(), dates)),
        snooze_until=draw(st.one_of(st.none(), dates)),
        archived=draw(st.booleans()),
        log=tuple(LogEntry(day, "call", "x", 10 + n) for n, day in enumerate(log_days)),
        promises=tuple(draw(st.lists(promises, max_size=3))),
    )


@st.composite
def vaults(draw: st.DrawFn) -> list[Contact]:
    return [draw(contacts(n)) for n in range(draw(st.integers(0, 8)))]


@settings(max_examples=300, deadline=None)
@given(vault=vaults(), today=dates)
def test_plan_properties(vault: list[Contact], today: date) -> None:
    p = make_plan(vault, Settings(), today)

    keys = [(i.day, i.name.casefold()) for i in p.items]
    assert keys == sorted(keys)
    assert p.contacts == tuple(c for c in vault if not c.archived)
    archived = {c.path for c in vault if c.archived}
    assert not any(i.path in archived for i in p.items)
    assert make_plan(list(reversed(vault)), Settings(), today).items == p.items
    assert p.due == tuple(i for i in p.items if is_due(i, today))

    by_path = {c.path: c for c in vault}
    for c in p.contacts:
        mine = [i for i in p.items if i.path == c.path]
        assert len([i for i in mine if i.kind == "follow-up"]) <= 1
        assert len([i for i in mine if i.kind == "birthday"]) <= 1
        assert len([i for i in mine if i.kind == "promise"]) == len([x for x in c.open_promises if x.due is not None])
        snoozed_ = c.snooze_until is not None and c.snooze_until > today
        if snoozed_:
            assert not any(i in p.due for i in mine)
            assert not any(i.kind == "birthday" for i in mine)

    for item in p.due:
        c = by_path[item.path]
        assert item.day <= today or item.kind == "birthday"
        if item.kind == "birthday":
            assert today <= item.day <= today + timedelta(days=7)
            assert c.birthday is not None
            assert (item.day.month, item.day.day) in {(c.birthday.month, c.birthday.day), (2, 28)}
        if item.kind != "follow-up":
            continue
        last = c.last_interaction
        cadence = None if c.cadence_none else (c.cadence or SPEC_CIRCLES[c.circle])
        if last is not None and cadence is not None and today < add_calendar(last, cadence):
            # Within the cadence after the last interaction: only an explicit, still open follow_up date.
            assert c.follow_up is not None
            assert item.day == c.follow_up
            assert last < c.follow_up

"""The note format: bytes -> contact or problems (vaultnet.parse.parse_note), with real note text.

Covers every contact field, Obsidian's YAML forms and YAML 1.1 traps, contact detection, the interaction log, open
promises, and bad input: each bad note yields exactly one located problem and no contact, never an exception.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vaultnet.config import DEFAULT_CIRCLES, Settings
from vaultnet.model import Birthday, Contact, Duration, LogEntry, ParsedNote, Promise
from vaultnet.parse import parse_note
from vaultnet.problems import Problem

D = date
SETTINGS = Settings()
PATH = "contacts/Anna Berg.md"
YAML_ERROR = "front matter is not valid YAML: "


def parse(text: str | bytes, path: str = PATH, config: Settings = SETTINGS, modified: int = 0) -> ParsedNote:
    """Parse a note given as text (encoded as UTF-8) or as raw bytes."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    note = parse_note(path, data, config, modified=modified)
    assert note.path == path
    return note


def contact_of(text: str | bytes, path: str = PATH, config: Settings = SETTINGS) -> Contact:
    """The contact a good note yields (failing the test if there is any problem)."""
    note = parse(text, path, config)
    assert note.problems == ()
    assert note.contact is not None
    assert note.contact.path == path
    return note.contact


def only_problem(text: str | bytes, path: str = PATH) -> Problem:
    """The one problem a bad note yields; a bad note yields no contact."""
    note = parse(text, path)
    assert note.contact is None
    assert len(note.problems) == 1, note.problems
    return note.problems[0]


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line of `text` that contains `needle`."""
    return next(n for n, line in enumerate(text.split("\n"), start=1) if needle in line)


def note_text(*front_matter: str, body: str = "") -> str:
    """A note with the given front-matter lines (line 2 onwards) and body."""
    return "---\n" + "".join(line + "\n" for line in front_matter) + "---\n" + body


# --- a complete contact -----------------------------------------------------------------------------------------

FULL_NOTE = """\
---
name: Anna Berg
aliases: [Anna, AB]
company: "[[Acme GmbH]]"
role: Head of Data
email: anna@acme.example
phone:
  - "+49 30 1234567"
  - 0301234567
tags: [work, "#berlin"]
circle: close
cadence: 3w
birthday: 1988-02-29
met: 2020-08-21T10:30:00
introduced_by: "[[Bob Stone]]"
interests: climbing, jazz
goals:
  - "[[Data team hiring]]"
  - learn Go
last_contact: 2026-09-15
follow_up: 2026-12-01
snooze_until: 2026-11-30
archived: false
uid: 7f3c9a
country: NO
favourite_number: 0777
my_links:
  site: https://anna.example
---
# Anna Berg

Met her at [[PyCon]] 2020.

## Log
- 2026-10-02 call: talked about her new team #gave
- 2026-09-20 coffee: at Bonanza #got

## Promises
- [ ] send the article 📅 2026-11-25
- [x] intro to Carl
"""


def test_full_note() -> None:
    note = parse(FULL_NOTE, modified=1_700_000_000)
    log_line, promise_line = line_of(FULL_NOTE, "- 2026-10-02"), line_of(FULL_NOTE, "- [ ] send")
    assert (log_line, promise_line) == (35, 39)  # the file's own line numbers, counted from 1
    assert note.contact == Contact(
        path=PATH,
        name="Anna Berg",
        aliases=("Anna", "AB"),
        company="Acme GmbH",
        role="Head of Data",
        emails=("anna@acme.example",),
        phones=("+49 30 1234567", "0301234567"),
        tags=("work", "berlin"),
        circle="close",
        cadence=Duration(days=21),
        birthday=Birthday(month=2, day=29, year=1988),
        met=D(2020, 8, 21),
        introduced_by="[[Bob Stone]]",  # as written: the network reads the link
        introduced_by_line=line_of(FULL_NOTE, "introduced_by:"),
        interests=("climbing", "jazz"),
        goals=("[[Data team hiring]]", "learn Go"),
        goals_line=line_of(FULL_NOTE, "goals:"),
        last_contact=D(2026, 9, 15),
        follow_up=D(2026, 12, 1),
        snooze_until=D(2026, 11, 30),
        archived=False,
        log=(
            LogEntry(D(2026, 10, 2), "call", "talked about her new team #gave", log_line, gave=True),
            LogEntry(D(2026, 9, 20), "coffee", "at Bonanza #got", log_line + 1, got=True),
        ),
        promises=(
            Promise("send the article", D(2026, 11, 25), done=False, line=promise_line),
            Promise("intro to Carl", None, done=True, line=promise_line + 1),
        ),
        uid="7f3c9a",
        modified=1_700_000_000,
    )
    assert note.contact.last_interaction == D(2026, 10, 2)
    assert note.contact.open_promises == (Promise("send the article", D(2026, 11, 25), done=False, line=39),)


def test_bom_and_crlf_parse_like_lf() -> None:
    lf = parse(FULL_NOTE)
    assert lf.contact is not None
    for data in (
        FULL_NOTE.replace("\n", "\r\n").encode(),
        b"\xef\xbb\xbf" + FULL_NOTE.encode(),
        b"\xef\xbb\xbf" + FULL_NOTE.replace("\n", "\r\n").encode(),
        FULL_NOTE.replace("\n", "\r").encode(),  # classic Mac line ends
    ):
        assert parse(data) == lf


def test_bom_and_crlf_keep_problem_lines() -> None:
    text = note_text("name: Anna", "cadence: soon", body="## Log\n- 2026-02-30 call\n")
    expected = (
        Problem(PATH, 3, "cadence: 'soon' is not a duration (expected e.g. 10d, 3w, 2m, 1y or none)"),
        Problem(PATH, 6, "log entry: '2026-02-30' is not a valid date"),
    )
    for data in (text.encode(), b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()):
        note = parse(data)
        assert note.contact is None
        assert note.problems == expected


# --- fields one by one ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "name"),
    [
        ("contacts/Anna Berg.md", note_text("company: Acme"), "Anna Berg"),
        ("contacts/Anna Berg.md", note_text("name:"), "Anna Berg"),  # an empty property, as Obsidian leaves it
        ("contacts/Anna Berg.md", note_text('name: ""'), "Anna Berg"),
        ("contacts/Anna Berg.md", "Just a body, no front matter.\n", "Anna Berg"),
        ("contacts/team/Carl Diaz.md", note_text(), "Carl Diaz"),
        ("contacts/Anna Berg.md", note_text("name: Dr. Anna Berg-Lind"), "Dr. Anna Berg-Lind"),
        ("contacts/Anna Berg.md", note_text("name: '  Anna  '"), "Anna"),
        ("contacts/Anna Berg.md", note_text("Name: Anna B."), "Anna B."),  # keys are case-insensitive
    ],
)
def test_name(path: str, text: str, name: str) -> None:
    assert contact_of(text, path).name == name


@pytest.mark.parametrize(
    ("lines", "aliases"),
    [
        (["aliases: [Anna, Annie]"], ("Anna", "Annie")),
        (["aliases:", "  - Anna", "  - Annie"], ("Anna", "Annie")),
        (["aliases: Anna"], ("Anna",)),
        (["alias: Annie"], ("Annie",)),
        (["aliases: [Anna, Annie]", "alias: Annie"], ("Anna", "Annie")),  # merged, without duplicates
        (["aliases: []"], ()),
    ],
)
def test_aliases(lines: list[str], aliases: tuple[str, ...]) -> None:
    assert contact_of(note_text(*lines)).aliases == aliases


@pytest.mark.parametrize(
    ("value", "company"),
    [
        ("Acme GmbH", "Acme GmbH"),
        ('"[[Acme GmbH]]"', "Acme GmbH"),
        ("[[Acme GmbH]]", "Acme GmbH"),  # unquoted: a YAML nested list, meant as a link
        ('"[[companies/Acme GmbH|Acme]]"', "companies/Acme GmbH"),
        ('"Acme GmbH (via [[Bob]])"', "Acme GmbH (via [[Bob]])"),  # text that merely contains a link
        ("0800", "0800"),
        ("NO", "NO"),
    ],
)
def test_company(value: str, company: str) -> None:
    assert contact_of(note_text(f"company: {value}")).company == company


def test_role_and_company_link() -> None:
    c = contact_of(note_text('company: "[[Acme GmbH]]"', 'role: "[[CTO]]"'))
    assert (c.company, c.role) == ("Acme GmbH", "CTO")


@pytest.mark.parametrize(
    ("lines", "emails", "phones"),
    [
        (["email: anna@acme.example", "phone: +49 30 1234567"], ("anna@acme.example",), ("+49 30 1234567",)),
        (
            ["email: [anna@acme.example, anna@home.example]", "phone:", "  - 0301234567", "  - '+1 555 0100'"],
            ("anna@acme.example", "anna@home.example"),
            ("0301234567", "+1 555 0100"),
        ),
        (["emails: anna@acme.example", "phones: [030 123]"], ("anna@acme.example",), ("030 123",)),
        (["email: a@x.example", "emails: [b@x.example, a@x.example]"], ("a@x.example", "b@x.example"), ()),
        (["email:", "phone: []"], (), ()),
    ],
)
def test_email_and_phone(lines: list[str], emails: tuple[str, ...], phones: tuple[str, ...]) -> None:
    c = contact_of(note_text(*lines))
    assert (c.emails, c.phones) == (emails, phones)


@pytest.mark.parametrize(
    ("lines", "tags"),
    [
        (["tags: [work, berlin]"], ("work", "berlin")),
        (['tags: ["#work", "#berlin"]'], ("work", "berlin")),
        (["tags:", "  - work", "  - '#berlin'"], ("work", "berlin")),
        (["tags: work"], ("work",)),
        (['tags: "#work #berlin"'], ("work", "berlin")),
        (["tags: work, berlin"], ("work", "berlin")),
        (["tags: [work/colleague, python-dev]"], ("work/colleague", "python-dev")),
        (["tag: work"], ("work",)),  # the legacy key
        (["tags: [work]", "tag: [berlin, work]"], ("work", "berlin")),
        (["tags:"], ()),
    ],
)
def test_tags(lines: list[str], tags: tuple[str, ...]) -> None:
    assert contact_of(note_text(*lines)).tags == tags


@pytest.mark.parametrize(
    ("value", "circle"),
    [("close", "close"), ("Close", "close"), (" dormant ", "dormant"), ("", None)],
)
def test_circle(value: str, circle: str | None) -> None:
    assert contact_of(note_text(f"circle: '{value}'")).circle == circle


def test_circle_from_the_vaults_settings() -> None:
    custom = Settings(circles=(*DEFAULT_CIRCLES, ("mentors", Duration(months=2))))
    assert contact_of(note_text("circle: mentors"), config=custom).circle == "mentors"
    assert only_problem(note_text("circle: mentors")) == Problem(
        PATH, 2, "circle: unknown circle 'mentors' (known: close, active, loose, dormant)"
    )


def test_unknown_circle_points_at_its_line() -> None:
    text = note_text("name: Anna", "company: Acme", "circle: bestie")
    assert only_problem(text) == Problem(
        PATH, 4, "circle: unknown circle 'bestie' (known: close, active, loose, dormant)"
    )


def test_unknown_circle_line_with_a_capitalised_key() -> None:
    """Keys are read case-insensitively, so the problem's line must be found the same way."""
    text = note_text("name: Anna", "Circle: bestie")
    assert only_problem(text) == Problem(
        PATH, 3, "circle: unknown circle 'bestie' (known: close, active, loose, dormant)"
    )


@pytest.mark.parametrize(
    ("value", "cadence", "cadence_none"),
    [
        ("10d", Duration(days=10), False),
        ("3w", Duration(days=21), False),
        ("2m", Duration(months=2), False),
        ("1y", Duration(years=1), False),
        ("3 weeks", Duration(days=21), False),
        ("90", Duration(days=90), False),  # YAML would make this an int: read as text, bare days
        ("none", None, True),
        ("None", None, True),
        ("", None, False),  # empty: the circle's cadence applies
    ],
)
def test_cadence(value: str, cadence: Duration | None, cadence_none: bool) -> None:
    c = contact_of(note_text(f"cadence: {value}"))
    assert (c.cadence, c.cadence_none) == (cadence, cadence_none)


@pytest.mark.parametrize(
    ("value", "birthday"),
    [
        ("1990-05-17", Birthday(5, 17, 1990)),
        ("'1990-05-17'", Birthday(5, 17, 1990)),
        ("1990-05-17T00:00:00", Birthday(5, 17, 1990)),
        ("--05-17", Birthday(5, 17, None)),
        ("'--05-17'", Birthday(5, 17, None)),
        ("--0517", Birthday(5, 17, None)),
        ("--02-29", Birthday(2, 29, None)),
        ("1988-02-29", Birthday(2, 29, 1988)),
    ],
)
def test_birthday(value: str, birthday: Birthday) -> None:
    assert contact_of(note_text(f"birthday: {value}")).birthday == birthday


@pytest.mark.parametrize("key", ["met", "last_contact", "follow_up", "snooze_until"])
@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2020-08-21", D(2020, 8, 21)),
        ("2020-08-21T10:30:00", D(2020, 8, 21)),  # Obsidian's date & time property
        ("'2020-08-21'", D(2020, 8, 21)),
        ("2020-08-21 10:30", D(2020, 8, 21)),
    ],
)
def test_date_fields(key: str, value: str, day: date) -> None:
    assert getattr(contact_of(note_text(f"{key}: {value}")), key) == day


@pytest.mark.parametrize("key", ["met", "last_contact", "follow_up", "snooze_until"])
def test_bad_date_fields(key: str) -> None:
    assert only_problem(note_text("name: Anna", f"{key}: last week")) == Problem(
        PATH, 3, f"{key}: 'last week' is not a date (expected YYYY-MM-DD)"
    )
    assert only_problem(note_text(f"{key}: 2026-04-31")) == Problem(PATH, 2, f"{key}: '2026-04-31' is not a valid date")


@pytest.mark.parametrize(
    ("value", "introduced_by"),
    [
        ('"[[Bob Stone]]"', "[[Bob Stone]]"),  # as written: the network reads the link, from the note's folder
        ("[[Bob Stone]]", "[[Bob Stone]]"),  # unquoted: YAML reads a nested list
        ("'[[Bob Stone|Bob]]'", "[[Bob Stone|Bob]]"),
        ("[[people/Bob Stone]]", "[[people/Bob Stone]]"),
        ('"[Bob](../people/Bob%20Stone.md)"', "[Bob](../people/Bob%20Stone.md)"),
        ("Bob Stone", "Bob Stone"),  # plain text is kept as written
        ("", None),
    ],
)
def test_introduced_by(value: str, introduced_by: str | None) -> None:
    assert contact_of(note_text(f"introduced_by: {value}")).introduced_by == introduced_by


@pytest.mark.parametrize(
    ("lines", "interests", "goals"),
    [
        (["interests: [climbing, jazz]", "goals: [hire two engineers]"], ("climbing", "jazz"), ("hire two engineers",)),
        (["interests: climbing, jazz , ", "goals: hire, grow"], ("climbing", "jazz"), ("hire", "grow")),
        (["interests:", "  - climbing", "  - jazz, blues"], ("climbing", "jazz", "blues"), ()),
        (['goals: "[[Data team hiring]]"'], (), ("[[Data team hiring]]",)),  # kept as written: a link
        (["goals: [[Data team hiring]]"], (), ("[[Data team hiring]]",)),
        (["goals:", '  - "[[Data team hiring]]"', "  - learn Go"], (), ("[[Data team hiring]]", "learn Go")),
    ],
)
def test_interests_and_goals(lines: list[str], interests: tuple[str, ...], goals: tuple[str, ...]) -> None:
    c = contact_of(note_text(*lines))
    assert (c.interests, c.goals) == (interests, goals)


@pytest.mark.parametrize(
    ("value", "archived"),
    [
        ("true", True),
        ("True", True),
        ("yes", True),
        ("false", False),
        ("no", False),
        ("No", False),
        ("NO", False),
        ("", False),
    ],
)
def test_archived(value: str, archived: bool) -> None:
    assert contact_of(note_text(f"archived: {value}")).archived is archived


def test_archived_not_a_bool() -> None:
    assert only_problem(note_text("archived: maybe")) == Problem(PATH, 2, "archived: 'maybe' is not true or false")


def test_uid() -> None:
    assert contact_of(note_text("uid: 0042-abc")).uid == "0042-abc"
    assert contact_of(note_text()).uid is None


def test_unknown_fields_are_ignored() -> None:
    text = note_text(
        "name: Anna",
        "country: NO",
        "zip: 01234",
        "rating: 4.5",
        "socials:",
        "  mastodon: '@anna@example.social'",
        "  links: [a, b]",
        "created: 2026-02-30",  # not a date we read: no problem
        "type: contact",
        "cssclasses: [wide]",
    )
    assert contact_of(text) == Contact(path=PATH, name="Anna")


def test_yaml_1_1_implicit_types_are_not_applied() -> None:
    """Every scalar is read as text and converted by the field's type, whatever YAML 1.1 would make of it."""
    c = contact_of(
        note_text(
            "name: NO",
            "phone: 0301234567",
            "role: 1e3",
            "company: 0o17",
            "aliases: [yes, off, 1_000, 0x1F]",
            "archived: no",
        )
    )
    assert c.name == "NO"
    assert c.phones == ("0301234567",)
    assert c.role == "1e3"
    assert c.company == "0o17"
    assert c.aliases == ("yes", "off", "1_000", "0x1F")
    assert c.archived is False


@pytest.mark.parametrize("value", ["~", "null", "Null", "NULL"])
def test_yaml_null_means_no_value(value: str) -> None:
    c = contact_of(note_text(f"name: {value}", f"company: {value}", f"met: {value}", f"aliases: [a, {value}]"))
    assert (c.name, c.company, c.met, c.aliases) == ("Anna Berg", None, None, ("a",))


@pytest.mark.parametrize("value", ["~", "null"])
def test_cadence_null_is_no_value_not_none(value: str) -> None:
    """`cadence: null` is an empty property (the circle's cadence applies); only `none` turns follow-ups off."""
    c = contact_of(note_text(f"cadence: {value}"))
    assert (c.cadence, c.cadence_none) == (None, False)


def test_hash_comment_in_tags_is_a_warning() -> None:
    """`- #work` and `tags: a #b` are YAML comments: the contact is read, and the lost text is pointed out."""
    warning = "a # starts a YAML comment, so what follows it is ignored: quote it, or write tags without #"
    note = parse(note_text("name: Anna", "tags:", "  - #work", "  - berlin"))
    assert note.contact is not None
    assert note.contact.tags == ("berlin",)
    assert note.problems == (Problem(PATH, 4, warning, "warning"),)
    note = parse(note_text("tags: work #berlin"))
    assert note.contact is not None
    assert note.contact.tags == ("work",)
    assert note.problems == (Problem(PATH, 2, warning, "warning"),)


def test_modified_is_carried() -> None:
    assert parse(note_text(), modified=1234).contact == Contact(path=PATH, name="Anna Berg", modified=1234)


# --- which notes are contacts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "is_contact"),
    [
        ("contacts/Anna.md", note_text("company: Acme"), True),
        ("contacts/Anna.md", "No front matter at all.\n", True),
        ("contacts/Anna.md", note_text(), True),
        ("contacts/deep/down/Anna.md", note_text(), True),
        ("contacts/Anna.md", note_text("type: contact"), True),
        ("contacts/Anna.md", note_text("type: event"), False),
        ("contacts/Anna.md", note_text("Type: Event"), False),
        ("contacts/Anna.md", note_text("type: goal"), False),
        ("contacts/Anna.md", note_text("type: [goal, project]"), False),
        ("contacts/Anna.md", note_text("type: person"), True),  # any kind but vaultnet's others
        ("contacts/Anna.md", note_text("type: [meeting]"), True),
        ("contacts/Anna.md", note_text("type: [event, contact]"), True),
        ("people/Anna.md", note_text("type: contact"), True),
        ("people/Anna.md", note_text("type: Contact"), True),
        ("people/Anna.md", note_text("type: [person, contact]"), True),
        ("Anna.md", note_text("type: contact"), True),
        ("people/Anna.md", note_text("company: Acme"), False),
        ("people/Anna.md", note_text("type: person"), False),
        ("people/Anna.md", "Just a note.\n", False),
        ("notes/contacts/Anna.md", note_text(), False),
        ("contacts-old/Anna.md", note_text(), False),
    ],
)
def test_contact_detection(path: str, text: str, is_contact: bool) -> None:
    note = parse(text, path)
    assert note.contact is not None if is_contact else note.contact is None
    # A note of another kind is not checked as a contact (an event without a date is an event's problem).
    assert all("event" in p.message for p in note.problems)


def test_non_contacts_are_not_checked_as_contacts() -> None:
    """Fields of other notes are not ours: a note that is no contact has no contact problems."""
    bad_fields = ("cadence: soon", "birthday: 1990-02-30", "circle: nowhere")
    assert parse(note_text(*bad_fields), "notes/Meeting.md") == ParsedNote("notes/Meeting.md")
    party = parse(note_text("type: event", "date: 2026-11-12", *bad_fields), "contacts/Party.md")
    assert party.contact is None and party.problems == () and party.event is not None


def test_configured_contacts_folder() -> None:
    people = Settings(contacts_folder="People")
    assert contact_of(note_text(), "People/Anna.md", people).name == "Anna"
    assert parse(note_text(), "contacts/Anna.md", people) == ParsedNote("contacts/Anna.md")
    assert parse(b"", "contacts/Anna.md", people) == ParsedNote("contacts/Anna.md")


# --- the interaction log ----------------------------------------------------------------------------------------

LOG_NOTE = """\
---
name: Anna
last_contact: 2026-08-01
---
# Anna

- 2026-11-01 a dated item before the Log heading is not a log entry

## Log
- 2026-10-02 call: talked about her new team #gave
- [[2026-09-01]] coffee: at Bonanza #got
* 2026-08-15 met at the meetup
+ 2026-08-10 Lunch: pasta #gave #got
- not dated
  - 2026-07-01 nested item
- **2026-06-01** bold date
- 2026-05-01: a colon after the date
- 2026-04-01 – a dash after the date
- 2026-03-01
- 2026-1-5 not a date form: ignored
- 2026-03-02call glued: ignored
```
- 2026-12-01 inside a code fence
## Log
```
~~~markdown
- 2026-12-02 inside a tilde fence
~~~

### Details
- 2026-02-01 under a sub-heading of Log

## Other
- 2026-12-03 after the Log section
"""


def test_log() -> None:
    c = contact_of(LOG_NOTE)

    def at(needle: str) -> int:
        return line_of(LOG_NOTE, needle)

    assert c.log == (
        LogEntry(D(2026, 10, 2), "call", "talked about her new team #gave", at("new team"), gave=True),
        LogEntry(D(2026, 9, 1), "coffee", "at Bonanza #got", at("Bonanza"), got=True),
        LogEntry(D(2026, 8, 15), "", "met at the meetup", at("meetup")),
        LogEntry(D(2026, 8, 10), "lunch", "pasta #gave #got", at("pasta"), gave=True, got=True),
        LogEntry(D(2026, 7, 1), "", "nested item", at("nested item")),
        LogEntry(D(2026, 6, 1), "", "bold date", at("bold date")),
        LogEntry(D(2026, 5, 1), "", "a colon after the date", at("a colon")),
        LogEntry(D(2026, 4, 1), "", "a dash after the date", at("a dash")),
        LogEntry(D(2026, 3, 1), "", "", at("- 2026-03-01")),
        LogEntry(D(2026, 2, 1), "", "under a sub-heading of Log", at("sub-heading")),
    )
    assert at("new team") == 10
    assert c.last_interaction == D(2026, 10, 2)
    assert c.last_log == c.log[0]


@pytest.mark.parametrize("heading", ["# Log", "## Log", "###### Log", "## log", "## LOG", "## Log:", "## Log ##"])
def test_log_heading_forms(heading: str) -> None:
    c = contact_of(note_text(body=f"{heading}\n- 2026-10-02 call: hello\n"))
    assert c.log == (LogEntry(D(2026, 10, 2), "call", "hello", 4),)


@pytest.mark.parametrize("heading", ["## Logs", "## Call log", "##Log", "Log", "**Log**"])
def test_not_a_log_heading(heading: str) -> None:
    assert contact_of(note_text(body=f"{heading}\n- 2026-10-02 call: hello\n")).log == ()


def test_log_ends_at_same_or_higher_level_only() -> None:
    body = "# Anna\n## Log\n- 2026-10-01 a\n### More\n- 2026-10-02 b\n## Next\n- 2026-10-03 c\n"
    body += "### Log\n- 2026-10-04 d\n# Top\n- 2026-10-05 e\n"
    assert [e.text for e in contact_of(note_text(body=body)).log] == ["a", "b", "d"]


def test_log_tags_need_a_word_boundary() -> None:
    body = "## Log\n- 2026-10-02 gift #gaveaway #forgot x#got\n- 2026-10-03 #GAVE and #Got\n"
    log = contact_of(note_text(body=body)).log
    assert [(e.gave, e.got) for e in log] == [(False, False), (True, True)]


def test_bad_log_date_is_an_error_with_its_line() -> None:
    text = note_text("name: Anna", body="# Anna\n\n## Log\n- 2026-10-02 call\n- 2026-02-30 call: oops\n")
    assert only_problem(text) == Problem(PATH, 8, "log entry: '2026-02-30' is not a valid date")


def test_bad_date_outside_the_log_is_ignored() -> None:
    c = contact_of(note_text(body="## Notes\n- 2026-02-30 not in the log\n```\n## Log\n```\n- 2026-13-01 x\n"))
    assert c.log == ()


@pytest.mark.parametrize(
    ("last_contact", "log_dates", "expected"),
    [
        (None, [], None),
        ("2026-09-15", [], D(2026, 9, 15)),
        (None, ["2026-07-01", "2026-10-02"], D(2026, 10, 2)),
        ("2026-11-01", ["2026-10-02"], D(2026, 11, 1)),  # last_contact newer than the log
        ("2026-09-15", ["2026-10-02", "2026-07-01"], D(2026, 10, 2)),  # the log newer, not in order
    ],
)
def test_last_interaction(last_contact: str | None, log_dates: list[str], expected: date | None) -> None:
    lines = [f"last_contact: {last_contact}"] if last_contact else []
    body = "## Log\n" + "".join(f"- {d} call\n" for d in log_dates)
    assert contact_of(note_text(*lines, body=body)).last_interaction == expected


# --- open promises ----------------------------------------------------------------------------------------------


def test_promises() -> None:
    body = (
        "## Promises\n"  # line 4
        "- [ ] send the article 📅 2026-11-25\n"
        "- [ ] book the table (due 2026-11-26)\n"
        "* [ ] call back (Due: 2026-11-27) after lunch\n"
        "- [x] intro to Carl 📅 2026-11-01\n"
        "- [X] shipped the book\n"
        "- [-] cancelled: the visit 📅 2026-11-02\n"
        "- [ ] someday, no date\n"
        "  - [ ] nested sub-task 📅2026-12-24\n"
        "- [/] in progress 📅 2026-11-28\n"
        "- a plain item, not a task 📅 2026-11-29\n"
        "```\n- [ ] inside a fence 📅 2026-11-30\n```\n"
    )
    promises = contact_of(note_text(body=body)).promises
    assert promises == (
        Promise("send the article", D(2026, 11, 25), done=False, line=4),
        Promise("book the table", D(2026, 11, 26), done=False, line=5),
        Promise("call back after lunch", D(2026, 11, 27), done=False, line=6),
        Promise("intro to Carl", D(2026, 11, 1), done=True, line=7),
        Promise("shipped the book", None, done=True, line=8),
        Promise("cancelled: the visit", D(2026, 11, 2), done=True, line=9),
        Promise("someday, no date", None, done=False, line=10),
        Promise("nested sub-task", D(2026, 12, 24), done=False, line=11),
        Promise("in progress", D(2026, 11, 28), done=False, line=12),
    )


def test_bad_promise_date_is_an_error_with_its_line() -> None:
    body = "- [ ] fine 📅 2026-11-25\n- [ ] bad 📅 2026-11-31\n"
    assert only_problem(note_text("name: Anna", body=body)) == Problem(
        PATH, 5, "task due date: '2026-11-31' is not a valid date"
    )
    assert only_problem(note_text(body="- [ ] bad (due tomorrow)\n")) == Problem(
        PATH, 3, "task due date: 'tomorrow' is not a date (expected YYYY-MM-DD)"
    )


# --- bad input: exactly one located problem, no contact, no exception ------------------------------------------


def test_broken_yaml_line_points_into_the_file() -> None:
    """Front matter starts on line 2 of the file: a YAML error on its 3rd line is on line 4."""
    text = note_text("name: Anna", "company: Acme", "  role: CTO: of things", body="## Log\n")
    p = only_problem(text)
    assert (p.path, p.line, p.severity) == (PATH, 4, "error")
    assert p.message.startswith(YAML_ERROR + "mapping values are not allowed")


@pytest.mark.parametrize(
    "data",
    [
        b"---\nname: Anna\ncompany: Acme\n  role: CTO: of things\n---\n",
        b"\xef\xbb\xbf---\r\nname: Anna\r\ncompany: Acme\r\n  role: CTO: of things\r\n---\r\n",
    ],
)
def test_broken_yaml_line_with_bom_and_crlf(data: bytes) -> None:
    assert only_problem(data).line == 4


@pytest.mark.parametrize("front_matter", [["- Anna", "- Bob"], ["just a sentence"], ["'quoted text'"], ["42"]])
def test_front_matter_not_a_mapping(front_matter: list[str]) -> None:
    assert only_problem(note_text(*front_matter)) == Problem(
        PATH, 2, "front matter must be a set of `key: value` properties"
    )


def test_empty_front_matter_is_fine() -> None:
    assert contact_of(note_text()) == Contact(path=PATH, name="Anna Berg")
    assert contact_of("---\n# just a YAML comment\n---\n") == Contact(path=PATH, name="Anna Berg")


def test_wrong_cadence() -> None:
    assert only_problem(note_text("name: Anna", "cadence: soon")) == Problem(
        PATH, 3, "cadence: 'soon' is not a duration (expected e.g. 10d, 3w, 2m, 1y or none)"
    )
    assert only_problem(note_text("cadence: 0d")) == Problem(
        PATH, 2, "cadence: '0d' is not a duration (it must be positive, or none)"
    )


def test_impossible_birthday() -> None:
    p = only_problem(note_text("name: Anna", "birthday: 1990-02-30"))
    assert (p.path, p.line) == (PATH, 3)
    assert p.message.startswith("birthday: '1990-02-30' is not a")


def test_impossible_birthday_message_does_not_ask_for_the_format_used() -> None:
    """`1990-02-30` is written as YYYY-MM-DD: the message must say the date does not exist, not ask for the form."""
    p = only_problem(note_text("name: Anna", "birthday: 1990-02-30"))
    assert "valid" in p.message
    assert "expected YYYY-MM-DD" not in p.message


def test_impossible_yearless_birthday() -> None:
    assert only_problem(note_text("birthday: --02-30")) == Problem(
        PATH, 2, "birthday: '--02-30' is not a valid birthday"
    )


@pytest.mark.parametrize(
    ("data", "line", "byte"),
    [
        (b"---\nname: Anna\n---\nhello \xff world\n", 4, "ff"),
        (b"---\nname: M\xfcller\n---\n", 2, "fc"),  # Latin-1 text
        (b"---\r\nname: Anna\r\ncompany: Acme\r\nrole: \xe9\r\n---\r\n", 4, "e9"),
        (b"\xef\xbb\xbf---\r\nname: Anna\r\ncompany: Acme\r\nrole: \xe9\r\n---\r\n", 4, "e9"),  # with a BOM
        (b"\xef\xbb\xbf---\nname: Anna\n\xe9\n---\n", 3, "e9"),
        (b"\xc3", 1, "c3"),  # truncated multi-byte sequence
    ],
)
def test_invalid_utf8(data: bytes, line: int, byte: str) -> None:
    assert only_problem(data) == Problem(PATH, line, f"not valid UTF-8 text (byte 0x{byte}); save the note as UTF-8")


@pytest.mark.parametrize("data", [b"", b"\n\n", b"   \r\n\t\n", b"\xef\xbb\xbf"])
def test_empty_note_in_contacts(data: bytes) -> None:
    assert only_problem(data) == Problem(PATH, 0, "empty note")


@pytest.mark.parametrize("data", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_empty_note_elsewhere_is_fine(data: bytes) -> None:
    assert parse(data, "notes/Empty.md") == ParsedNote("notes/Empty.md")


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"---\nname: Anna\n---\n\x00", b"\x00"])
def test_binary_file(data: bytes) -> None:
    assert only_problem(data) == Problem(PATH, 0, "binary file, not a text note")


@pytest.mark.parametrize(
    "text",
    [
        "---\nname: Anna\ncadence: 3w\n\n# Anna\n\n- 2026-10-02 call\n",
        "---\nname: Anna\n",
        "---\n",
        "---\nname: Anna\n----\n",
    ],
)
def test_unclosed_front_matter(text: str) -> None:
    assert only_problem(text) == Problem(
        PATH, 1, "front matter opened with --- but never closed (add a line with --- after it)"
    )


def test_unclosed_front_matter_without_a_line_end() -> None:
    assert only_problem("---") == Problem(PATH, 1, "front matter opened with --- but never closed")


@pytest.mark.parametrize("text", ["--- \nname: Anna\n---  \n", "---\nname: Anna\n...\n"])
def test_front_matter_fence_variants(text: str) -> None:
    assert contact_of(text).name == "Anna"


@pytest.mark.parametrize("text", ["----\nname: Anna\n", "--- title\nname: Anna\n"])
def test_not_a_front_matter_fence(text: str) -> None:
    assert contact_of(text).name == "Anna Berg"


def test_tab_indentation() -> None:
    p = only_problem(note_text("name: Anna", "\tcompany: Acme"))
    assert (p.path, p.line) == (PATH, 3)
    assert p.message.startswith(YAML_ERROR)
    assert p.message.endswith("(tabs are not allowed for indentation in YAML: use spaces)")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (note_text("name: Anna", "role: CTO\x0b"), 3),  # a vertical tab pasted from elsewhere
        (note_text("name: \x1b[1mAnna\x1b[0m"), 2),  # terminal colour codes
        (note_text("name: Anna", "company: Acme", "role: \x7f"), 4),
    ],
)
def test_control_character_in_front_matter(text: str, line: int) -> None:
    """A control character is located on its line, in a one-line message (`path:line: message`)."""
    p = only_problem(text)
    assert (p.path, p.line, p.severity) == (PATH, line, "error")
    assert p.message.startswith(YAML_ERROR)
    assert "\n" not in p.message


@pytest.mark.parametrize(
    "lines",
    [["handle: @anna", "name: Anna"], ["name: Anna", "handle: @anna"], ["name: Anna", "company: Acme", "x: `y`"]],
    ids=["first-key", "second-key", "backtick-third-key"],
)
def test_value_starting_with_at_sign(lines: list[str]) -> None:
    p = only_problem(note_text(*lines))
    bad = next(n for n, line in enumerate(lines, start=2) if re.search(r": [@`]", line))
    assert (p.path, p.line) == (PATH, bad)
    assert p.message.startswith(YAML_ERROR)
    assert p.message.endswith("(quote a value that starts with @ or `)")


@pytest.mark.parametrize(
    "lines",
    [
        ["name: Anna", "tags: [#a, b]"],
        ["name: Anna", "tags: [#a, b]", "company: Acme", "role: CTO"],
        ["name: Anna", "tags: [a, #b]", "company: Acme"],
    ],
    ids=["last-key", "followed-by-keys", "second-tag"],
)
def test_hash_tags_in_a_flow_list(lines: list[str]) -> None:
    """`[#a, b]` is a comment in YAML: the problem points at the tags line and says why."""
    p = only_problem(note_text(*lines))
    assert (p.path, p.line) == (PATH, 3)
    assert p.message.startswith(YAML_ERROR)
    assert p.message.endswith("(a # starts a comment in YAML: write tags without #, or quote them)")


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        (["name: Anna", "company:", "  name: Acme"], 3, "company: expected a text, got a set of properties"),
        (["name: [Anna, Berg]"], 2, "name: expected a text, got a list"),
        (["role: {a: b}"], 2, "role: expected a text, got a set of properties"),
        (["introduced_by:", "  who: Bob"], 2, "introduced_by: expected a text, got a set of properties"),
        (["cadence: [3w]"], 2, "cadence: expected a text, got a list"),
        (["birthday:", "  day: 1"], 2, "birthday: expected a text, got a set of properties"),
        (["email:", "  work: a@x.example"], 2, "email: expected a list of texts"),
        (["tags: [a, {b: c}]"], 2, "tags: expected a list of texts"),
        (["aliases: [[a, b]]"], 2, "aliases: expected a list of texts"),
    ],
)
def test_wrong_shape(lines: list[str], line: int, message: str) -> None:
    assert only_problem(note_text(*lines)) == Problem(PATH, line, message)


def test_every_problem_of_a_note_is_reported() -> None:
    text = note_text(
        "name: Anna",
        "cadence: soon",
        "birthday: --13-01",
        "circle: bestie",
        body="## Log\n- 2026-02-30 call\n- [ ] send it 📅 2026-11-31\n",
    )
    note = parse(text)
    assert note.contact is None
    assert note.problems == (
        Problem(PATH, 3, "cadence: 'soon' is not a duration (expected e.g. 10d, 3w, 2m, 1y or none)"),
        Problem(PATH, 4, "birthday: '--13-01' is not a valid birthday"),
        Problem(PATH, 5, "circle: unknown circle 'bestie' (known: close, active, loose, dormant)"),
        Problem(PATH, 8, "log entry: '2026-02-30' is not a valid date"),
        Problem(PATH, 9, "task due date: '2026-11-31' is not a valid date"),
    )


def test_problem_format() -> None:
    p = only_problem(note_text("name: Anna", "cadence: soon"))
    assert p.format() == (
        "contacts/Anna Berg.md:3: cadence: 'soon' is not a duration (expected e.g. 10d, 3w, 2m, 1y or none)"
    )
    assert only_problem(b"").format() == "contacts/Anna Berg.md:1: empty note"  # line 1: editors can jump there
    assert Problem("vaultnet.toml", 4, "x: unknown setting (ignored)", "warning").format("vault/") == (
        "vault/vaultnet.toml:4: warning: x: unknown setting (ignored)"
    )


@pytest.mark.parametrize(
    "front_matter",
    [
        "a: " + "[" * 1000 + "]" * 1000,  # deeply nested flow lists
        "".join("  " * i + "-\n" for i in range(500)),  # deeply nested block lists (within the size limit)
    ],
    ids=["flow", "block"],
)
def test_deeply_nested_front_matter_is_a_problem_not_a_crash(front_matter: str) -> None:
    p = only_problem("---\n" + front_matter + "\n---\n")
    assert (p.path, p.severity) == (PATH, "error")
    assert p.message.startswith(YAML_ERROR)


def test_huge_nesting_does_not_crash_the_interpreter(tmp_path: Path) -> None:
    """libyaml's C composer recurses once per level: ~25,000 nested brackets overflow the C stack (a segfault, which
    no `except` can catch). Run in a child process so that a crash fails this test instead of killing the run."""
    code = (
        "from vaultnet.config import Settings\n"
        "from vaultnet.parse import parse_note\n"
        "n = 30_000\n"  # past the ~25,000 levels that crash, within the 64 Ki characters of a line
        "note = parse_note('contacts/a.md', b'---\\na: ' + b'[' * n + b']' * n + b'\\n---\\n', Settings())\n"
        "print(note.contact, [(p.line, p.message[:32]) for p in note.problems])\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"exit {run.returncode}: {run.stderr[-500:]}"
    assert run.stdout == "None [(2, 'front matter is not valid YAML: ')]\n"


def test_duplicate_keys_take_the_last_value() -> None:
    """Pinned behaviour: YAML forbids duplicate keys, PyYAML keeps the last one; vaultnet does too."""
    assert contact_of(note_text("name: Anna", "name: Anna B.")).name == "Anna B."


# --- properties: nothing a user can write makes the parser raise ------------------------------------------------

_FRAGMENTS = st.sampled_from(
    [
        "---",
        "...",
        "name: Anna",
        "type: contact",
        "type: event",
        "cadence: 3w",
        "cadence: soon",
        "cadence: none",
        "birthday: --02-29",
        "birthday: 1990-02-30",
        "circle: close",
        "circle: nowhere",
        "tags: [#a, b]",
        "tags:",
        "  - a",
        "- x",
        "introduced_by: [[Bob]]",
        "company: {a: b}",
        "archived: no",
        "phone: 0301234567",
        "handle: @anna",
        "\tindented: x",
        "? complex",
        ": value",
        "&anchor a: *anchor",
        "key: |",
        "key: >-",
        "%YAML 1.2",
        "!!binary x: y",
        "## Log",
        "# log",
        "### Other",
        "- 2026-10-02 call: hi #gave",
        "- [[2026-02-30]] bad",
        "- 2026-13-40 bad",
        "- [ ] send 📅 2026-11-25",
        "- [x] done (due 2026-02-31)",
        "- [-] x 📅 nope",
        "```",
        "~~~",
        "[[",
        "]]",
        "{",
        "[",
        "'",
        '"',
        "\ufeff",
        "\r",
        "\x00",
    ]
)
_NOTE_TEXT = st.lists(_FRAGMENTS | st.text(max_size=12), max_size=25).map("\n".join)
_PATHS = st.sampled_from(["contacts/Anna.md", "notes/Anna.md", "contacts/x/y.md", "Anna.md"])


def _check_invariants(path: str, data: bytes, note: ParsedNote) -> None:
    """A note yields a contact (with warnings at most) or error problems, every problem located inside the file."""
    assert isinstance(note, ParsedNote)
    assert note.path == path
    if note.contact is not None:  # a contact comes with warnings at most; an error means no contact
        assert all(p.severity == "warning" for p in note.problems)
    lines = len(re.split(rb"\r\n|\r|\n", data))
    for p in note.problems:
        assert isinstance(p, Problem)
        assert p.path == path
        assert p.severity in ("error", "warning")
        assert 0 <= p.line <= lines + 1
        assert p.message and "\n" not in p.message
    if note.contact is not None:
        assert note.contact.path == path
        assert note.contact.name.strip()
    if not path.startswith("contacts/") and b"contact" not in data.lower():
        assert note.contact is None


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=_PATHS, data=st.binary(max_size=600))
def test_arbitrary_bytes_never_raise(path: str, data: bytes) -> None:
    _check_invariants(path, data, parse_note(path, data, SETTINGS))


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=_PATHS, text=_NOTE_TEXT)
@example(path="contacts/Anna.md", text="---\n\x1f\n---")
@example(path="contacts/Anna.md", text="---\na: " + "[" * 400 + "\n---")
def test_arbitrary_note_text_never_raises(path: str, text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    _check_invariants(path, data, parse_note(path, data, SETTINGS))


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=_PATHS, text=_NOTE_TEXT.filter(lambda t: "\r" not in t and not t.startswith("\ufeff")))
def test_line_ends_and_bom_never_change_the_result(path: str, text: str) -> None:
    lf = parse_note(path, text.encode("utf-8", "surrogatepass"), SETTINGS)
    crlf = text.replace("\n", "\r\n").encode("utf-8", "surrogatepass")
    assert parse_note(path, crlf, SETTINGS) == lf
    assert parse_note(path, b"\xef\xbb\xbf" + crlf, SETTINGS) == lf

"""The insight commands `vaultnet today`, `stats` and `who`, and what `build` adds to the follow-up
note (events, reconnect, review, the network's health with its weekly table, a Mermaid chart and the goals).

Each test writes a small vault to a temporary folder and runs the real CLI through click's CliRunner, always
with `--today 2026-11-21` (a Saturday, ISO week 2026-W47, whose Monday is 2026-11-16).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import Result
from vaultkit import DAY as TODAY
from vaultkit import RHYTHM_WEEKS, fm
from vaultkit import WHO_NOTES as SHARED_WHO_NOTES
from vaultkit import run as invoke
from vaultkit import write_notes as make_vault

# -- helpers ----------------------------------------------------------------------------------------------


def ok(*args: str | Path) -> Result:
    """Run a command that must succeed."""
    result = invoke(*args)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result


# -- help -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["today", "stats", "who"])
def test_practice_commands_have_help(name: str) -> None:
    result = ok(name, "--help")
    assert result.stdout.startswith("Usage: ")
    assert f" {name} [OPTIONS] [VAULT]" in result.stdout.splitlines()[0]
    assert "--today" in result.stdout
    assert "--json" in result.stdout


def test_who_help_names_its_filters() -> None:
    out = ok("who", "--help").stdout
    for option in ("--company", "--tag", "--interest"):
        assert option in out


# -- vaultnet today ---------------------------------------------------------------------------------------

TODAY_NOTES = {
    "contacts/Anna.md": fm(company="Acme", role="CTO", birthday="1990-11-21", last_contact="2026-11-10"),
    "contacts/Ben.md": fm("- [ ] send the deck 📅 2026-11-15\n", last_contact="2026-11-10"),
    "contacts/Cleo.md": fm(circle="close", last_contact="2026-09-01"),  # due 2026-10-01
    "contacts/Dirk.md": fm(circle="dormant", last_contact="2025-01-01"),  # dormant: reconnect
}


def test_today_prints_a_numbered_agenda(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", TODAY_NOTES)
    result = ok("today", root, "--today", TODAY)
    assert result.stdout == (
        "Today, Saturday 2026-11-21: 4 things, about half an hour.\n"
        "\n"
        "1. Anna (birthday): birthday today, turns 36: call personally rather than sending a message\n"
        "2. Ben (promise): you promised: send the deck (overdue since 2026-11-15)\n"
        "3. Cleo (follow-up): last contact on 2026-09-01; your rhythm is every 30d\n"
        "4. Dirk (reconnect): no contact since 2025-01-01: a dormant tie worth reviving\n"
    )
    assert result.stderr == ""


def test_today_json(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", TODAY_NOTES)
    data = json.loads(ok("today", root, "--today", TODAY, "--json").stdout)
    common = {"details": [], "company": None, "role": None, "circle": None}
    assert data == [
        {
            **common,
            "kind": "birthday",
            "name": "Anna",
            "path": "contacts/Anna.md",
            "date": "2026-11-21",
            "reason": "birthday today, turns 36: call personally rather than sending a message",
            "overdue_days": 0,
            "company": "Acme",
            "role": "CTO",
        },
        {
            **common,
            "kind": "promise",
            "name": "Ben",
            "path": "contacts/Ben.md",
            "date": "2026-11-15",
            "reason": "you promised: send the deck (overdue since 2026-11-15)",
            "overdue_days": 6,
        },
        {
            **common,
            "kind": "follow-up",
            "name": "Cleo",
            "path": "contacts/Cleo.md",
            "date": "2026-10-01",
            "reason": "last contact on 2026-09-01; your rhythm is every 30d",
            "overdue_days": 51,
            "circle": "close",
        },
        {
            **common,
            "kind": "reconnect",
            "name": "Dirk",
            "path": "contacts/Dirk.md",
            "date": "2026-11-16",
            "reason": "no contact since 2025-01-01: a dormant tie worth reviving",
            "overdue_days": 0,  # dated on the week's Monday, never late
            "circle": "dormant",
        },
    ]


def test_today_holds_at_most_five_items(tmp_path: Path) -> None:
    notes = {f"contacts/P{n}.md": fm(circle="close", last_contact=f"2026-0{n}-01") for n in range(1, 9)}
    root = make_vault(tmp_path / "v", notes)
    data = json.loads(ok("today", root, "--today", TODAY, "--json").stdout)
    # Eight follow-ups are due; the five most overdue come (nobody is dormant: no reconnect).
    assert [(d["kind"], d["name"]) for d in data] == [("follow-up", f"P{n}") for n in range(1, 6)]


def test_today_agenda_size_is_configurable(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", TODAY_NOTES, "[practice]\nagenda_size = 2\n")
    data = json.loads(ok("today", root, "--today", TODAY, "--json").stdout)
    assert [(d["kind"], d["name"]) for d in data] == [("birthday", "Anna"), ("reconnect", "Dirk")]
    text = ok("today", root, "--today", TODAY).stdout
    assert text.startswith("Today, Saturday 2026-11-21: 2 things,")
    assert re.findall(r"^\d+\. ", text, re.MULTILINE) == ["1. ", "2. "]


def test_today_on_an_empty_vault(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {})
    assert ok("today", root, "--today", TODAY).stdout == (
        "Nothing pressing on 2026-11-21: a good day to reach out to someone you miss.\n"
    )
    assert json.loads(ok("today", root, "--today", TODAY, "--json").stdout) == []


def test_today_with_one_thing_says_thing(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"contacts/Cleo.md": TODAY_NOTES["contacts/Cleo.md"]})
    first = ok("today", root, "--today", TODAY).stdout.splitlines()[0]
    assert first.startswith("Today, Saturday 2026-11-21: 1 thing,"), first


def test_today_reports_broken_notes_on_stderr_and_still_answers(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {**TODAY_NOTES, "contacts/Bad.md": "---\nname: Bad\ncadence: soon\n---\n"})
    result = ok("today", root, "--today", TODAY)
    assert result.stdout.startswith("Today, Saturday 2026-11-21: 4 things,")
    assert re.search(r"^\S*contacts/Bad\.md:3: ", result.stderr, re.MULTILINE), result.stderr
    assert "Bad" not in result.stdout


def test_today_needs_an_existing_vault(tmp_path: Path) -> None:
    result = invoke("today", tmp_path / "missing", "--today", TODAY)
    assert result.exit_code == 2
    assert "no such folder" in result.stderr


# -- vaultnet stats ---------------------------------------------------------------------------------------

# today 2026-11-21: 90 days back is 2026-08-23, a year back 2025-11-21.
STATS_TOML = '[circles]\nvip = "2w"\n\n[practice]\nweekly_new = 1\nweekly_maintained = 2\n'
STATS_NOTES = {
    # vip; 4 interactions in W43, W45, W47 (log and a daily note): deep; got 3, gave 1: give first.
    "contacts/Ann.md": fm(
        "# Log\n- 2026-11-18 call: advice #got\n- 2026-11-02 call: intro #got\n- 2026-10-20 coffee: #got\n",
        circle="vip",
    ),
    "2026-11-19.md": "- helped [[Ann]] with a hire #gave\n",
    # active by default; met on Tuesday, then at the meetup on Wednesday: new this week (and only new).
    "contacts/Bob.md": fm(met="2026-11-17"),
    "events/Meetup.md": fm(date="2026-11-18", met='["[[Bob]]"]'),
    # close; in touch this year, not in 90 days; follow-up overdue since 2026-03-03.
    "contacts/Cat.md": fm(circle="close", last_contact="2026-02-01"),
    # dormant since 2023: no follow-up.
    "contacts/Dan.md": fm(circle="dormant", last_contact="2023-05-01"),
    "contacts/Eva.md": fm(archived="true", last_contact="2026-11-20"),
}
# (week, its Monday, new, maintained), newest first: W47 Bob new, Ann kept; W45 Ann; W43 Ann; no other week.
STATS_COUNTS = {"2026-W47": (1, 1), "2026-W45": (0, 1), "2026-W43": (0, 1)}
STATS_WEEKS = [(w, monday.isoformat(), *STATS_COUNTS.get(w, (0, 0))) for w, monday in reversed(RHYTHM_WEEKS)]


def test_stats_json_keys_and_values(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", STATS_NOTES, STATS_TOML)
    data = json.loads(ok("stats", root, "--today", TODAY, "--json").stdout)
    assert data == {
        "contacts": 4,
        "archived": 1,
        "by_circle": {"active": 1, "close": 1, "dormant": 1, "vip": 1},
        "interacted_last_90_days": 2,  # Ann, Bob (the meetup)
        "interacted_last_365_days": 3,  # and Cat
        "deep_ties": 1,  # Ann
        "overdue_follow_ups": 1,  # Cat
        "gave": 1,
        "got": 3,
        "owe_first": 1,  # Ann
        "weekly_rhythm": [
            {"week": w, "start": s, "new": n, "maintained": m, "new_target": 1, "maintained_target": 2}
            for w, s, n, m in reversed(STATS_WEEKS)
        ],
        "goals": [],
    }


def test_stats_text(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", STATS_NOTES, STATS_TOML)
    lines = ok("stats", root, "--today", TODAY).stdout.splitlines()
    assert lines[:5] == [
        "contacts            4 active, 1 archived",
        "by circle           active 1, close 1, dormant 1, vip 1",
        "in touch            2 in the last 90 days, 3 in the last year",
        "deep ties           1 (3+ interactions in the last year)",
        "overdue follow-ups  1",
    ]
    assert lines[5].startswith("give and take       gave 1, got 3; 1 contact")
    assert lines[6:8] == ["", "weekly rhythm (targets: 1 new, 2 maintained)"]
    week_lines = [re.split(r"\s+", line.strip()) for line in lines[8:16]]
    assert [(w[0], int(w[2]), int(w[4])) for w in week_lines] == [(w, n, m) for w, _, n, m in STATS_WEEKS]
    assert [w[5] for w in week_lines] == ["-"] * 8  # no week had 2 maintained
    assert "goals" not in lines  # this vault has none


def test_stats_text_marks_a_week_that_met_the_targets(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", STATS_NOTES, STATS_TOML.replace("weekly_maintained = 2", "weekly_maintained = 1"))
    lines = ok("stats", root, "--today", TODAY).stdout.splitlines()
    assert "weekly rhythm (targets: 1 new, 1 maintained)" in lines
    assert re.fullmatch(r"\s*2026-W47\s+new 1\s+maintained 1\s+ok", lines[8]), lines[8]
    assert re.fullmatch(r"\s*2026-W45\s+new 0\s+maintained 1\s+-", lines[10]), lines[10]


def test_stats_text_lists_goals(tmp_path: Path) -> None:
    notes = {
        **STATS_NOTES,
        "goals/Hire a team.md": fm(title='"Hire a team"'),
        "goals/Write a book.md": fm(status="done"),
        "goals/Raise seed.md": "# Raise seed\n",
        "contacts/Ann.md": STATS_NOTES["contacts/Ann.md"].replace(
            "circle: vip", 'circle: vip\ngoals: ["[[Hire a team]]"]'
        ),
        "contacts/Cat.md": fm(circle="close", last_contact="2026-02-01", goals='["[[Raise seed]]"]'),
    }
    root = make_vault(tmp_path / "v", notes, STATS_TOML)
    lines = ok("stats", root, "--today", TODAY).stdout.splitlines()
    start = lines.index("goals")
    assert lines[start + 1 :] == [
        "  Hire a team: moving; last interaction 2026-11-19; Ann",
        "  Raise seed: STALLED; last interaction 2026-02-01; Cat",
        "  Write a book: done; last interaction never; nobody linked",
    ]
    data = json.loads(ok("stats", root, "--today", TODAY, "--json").stdout)
    assert data["goals"] == [
        {
            "goal": "Hire a team",
            "path": "goals/Hire a team.md",
            "contacts": ["Ann"],
            "last_interaction": "2026-11-19",
            "stalled": False,
        },
        {
            "goal": "Raise seed",
            "path": "goals/Raise seed.md",
            "contacts": ["Cat"],
            "last_interaction": "2026-02-01",
            "stalled": True,
        },
        {
            "goal": "Write a book",
            "path": "goals/Write a book.md",
            "contacts": [],
            "last_interaction": None,
            "stalled": False,
        },
    ]


def test_stats_of_an_empty_vault(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {})
    data = json.loads(ok("stats", root, "--today", TODAY, "--json").stdout)
    assert data["contacts"] == 0
    assert data["by_circle"] == {}
    assert [w["week"] for w in data["weekly_rhythm"]][-1] == "2026-W47"
    lines = ok("stats", root, "--today", TODAY).stdout.splitlines()
    assert lines[:2] == [
        "contacts            0 active, 0 archived",
        "in touch            0 in the last 90 days, 0 in the last year",
    ]
    assert not any(line.startswith("by circle") for line in lines)  # no empty line for circles


# -- vaultnet who -----------------------------------------------------------------------------------------

# The shared `who` vault's Ada, Bo and Gu, and a Cy with no interests and no introducer.
WHO_NOTES = {
    rel: note
    for rel, note in SHARED_WHO_NOTES.items()
    if rel in ("contacts/Ada.md", "contacts/Bo.md", "contacts/Gu.md")
}
WHO_NOTES["contacts/Cy.md"] = fm("# Log\n- 2026-11-15 coffee: models\n", company='"ACME Labs"', tags='["#ML"]')


def test_who_by_company_text(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", WHO_NOTES)
    assert ok("who", root, "--today", TODAY, "--company", "acme").stdout == (
        "Cy (ACME Labs): last in touch 2026-11-15\n"
        "Ada (CTO, Acme GmbH): last in touch 2026-11-01\n"
        "    introduced by Bo\n"
        "    introduced you to Gu\n"
    )


@pytest.mark.parametrize("tag", ["ml", "#ml", "ML"])
def test_who_by_tag_json(tmp_path: Path, tag: str) -> None:
    root = make_vault(tmp_path / "v", WHO_NOTES)
    data = json.loads(ok("who", root, "--today", TODAY, "--tag", tag, "--json").stdout)
    assert data == [
        {
            "name": "Cy",
            "path": "contacts/Cy.md",
            "company": "ACME Labs",
            "role": None,
            "last_interaction": "2026-11-15",
            "introduced_by": None,
            "introduced": [],
            "emails": [],
            "phones": [],
        },
        {
            "name": "Ada",
            "path": "contacts/Ada.md",
            "company": "Acme GmbH",
            "role": "CTO",
            "last_interaction": "2026-11-01",
            "introduced_by": "Bo",
            "introduced": ["Gu"],
            "emails": [],
            "phones": [],
        },
        {
            "name": "Gu",
            "path": "contacts/Gu.md",
            "company": "Initech",
            "role": None,
            "last_interaction": None,
            "introduced_by": "Ada",
            "introduced": [],
            "emails": [],
            "phones": [],
        },
    ]


def test_who_introducers_friends_of_friends(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", WHO_NOTES)
    [bo] = json.loads(ok("who", root, "--today", TODAY, "--company", "GLOBEX", "--json").stdout)
    assert (bo["name"], bo["introduced_by"], bo["introduced"]) == ("Bo", None, ["Ada"])
    assert ok("who", root, "--today", TODAY, "--company", "globex").stdout == (
        "Bo (Globex): last in touch 2026-10-01\n    introduced you to Ada\n"
    )


def test_who_combines_filters(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", WHO_NOTES)
    by_interest = json.loads(ok("who", root, "--today", TODAY, "--interest", "Learning", "--json").stdout)
    assert [d["name"] for d in by_interest] == ["Ada"]
    both = json.loads(ok("who", root, "--today", TODAY, "--company", "acme", "--tag", "ml", "--json").stdout)
    assert [d["name"] for d in both] == ["Cy", "Ada"]
    three = ["--company", "acme", "--tag", "#ml", "--interest", "machine"]
    assert [d["name"] for d in json.loads(ok("who", root, "--today", TODAY, *three, "--json").stdout)] == ["Ada"]
    none = ok("who", root, "--today", TODAY, "--company", "initech", "--interest", "machine")
    assert none.stdout == "Nobody matches.\n"


def test_who_without_a_filter_is_a_usage_error(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", WHO_NOTES)
    for args in ([], ["--json"], ["--company", ""]):
        result = invoke("who", root, "--today", TODAY, *args)
        assert result.exit_code == 2, args
        assert result.stdout == ""
        assert "give at least one of --company, --tag, --interest" in result.stderr


def test_who_with_an_empty_tag_does_not_list_everyone(tmp_path: Path) -> None:
    """`--tag '#'` names no tag: it must not act as no filter at all (a usage error, or nobody)."""
    root = make_vault(tmp_path / "v", WHO_NOTES)
    result = invoke("who", root, "--today", TODAY, "--tag", "#", "--json")
    assert result.exit_code == 2 or json.loads(result.stdout) == [], result.stdout


# -- new kinds in due --json ------------------------------------------------------------------------------

NOTE_NOTES = {
    **STATS_NOTES,
    # In two days, with two targets: prepare today.
    "events/Summit.md": fm(date="2026-11-23", location="Berlin", targets='["[[Ann]]", "[[Cat]]"]'),
    "goals/Hire a team.md": fm(title='"Hire a team"'),
    "contacts/Ann.md": STATS_NOTES["contacts/Ann.md"].replace("circle: vip", 'circle: vip\ngoals: ["[[Hire a team]]"]'),
}


def test_due_json_has_the_practice_kinds(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", NOTE_NOTES, STATS_TOML)
    data = json.loads(ok("due", root, "--today", TODAY, "--json").stdout)
    found = {(d["kind"], d["name"], d["date"]) for d in data}
    assert {
        ("event-prep", "Summit", "2026-11-21"),
        ("event-follow-up", "Bob", "2026-11-19"),
        ("reconnect", "Dan", "2026-11-16"),
    } <= found
    # Up for review too (quiet since 2023), but one item: the reconnect, with the review's question.
    [dan] = [d for d in data if d["name"] == "Dan"]
    assert dan["reason"].endswith("; review it: keep (and get in touch), move to another circle, or archive")
    [prep] = [d for d in data if d["kind"] == "event-prep"]
    assert prep["path"] == "events/Summit.md"
    assert prep["reason"] == "Summit on Mon 23 Nov at Berlin: prepare to meet 2"
    assert [d.split(":")[0] for d in prep["details"]] == ["Ann", "Cat"]


# -- the follow-up note -----------------------------------------------------------------------------------


def build_note(root: Path, today: str = TODAY) -> str:
    ok("build", root, "--today", today)
    return (root / "Follow-ups.md").read_text(encoding="utf-8")


def headings(note: str) -> list[str]:
    return [line for line in note.splitlines() if line.startswith("#")]


def mermaid_pie(note: str) -> dict[str, int]:
    """The slices of the note's one Mermaid pie chart."""
    [block] = re.findall(r"^```mermaid\n(.*?)^```$", note, re.MULTILINE | re.DOTALL)
    lines = block.splitlines()
    assert lines[0].startswith("pie")
    slices = [re.fullmatch(r'\s*"([^"]+)"\s*:\s*(\d+)\s*', line) for line in lines[1:]]
    assert all(slices), lines
    return {m.group(1): int(m.group(2)) for m in slices if m}


def test_follow_up_note_has_the_practice_sections_in_order(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", NOTE_NOTES, STATS_TOML)
    titles = headings(build_note(root))
    expected = [
        "## Events to prepare (1)",
        "## After events (1)",
        "## Follow-ups (1)",
        "## Reconnect this week (1)",
        "## Your network",
        "### Goals",
    ]
    assert [t for t in titles if t in expected] == expected


def test_follow_up_note_event_sections_name_the_people(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", NOTE_NOTES, STATS_TOML)
    note = build_note(root)
    prep = note.split("## Events to prepare (1)", 1)[1].split("\n## ", 1)[0]
    assert "[[events/Summit|Summit]]" in prep
    assert re.search(r"^    - Ann: ", prep, re.MULTILINE)
    assert re.search(r"^    - Cat: ", prep, re.MULTILINE)
    after = note.split("## After events (1)", 1)[1].split("\n## ", 1)[0]
    assert "[[contacts/Bob|Bob]]" in after
    assert "Meetup" in after
    reconnect = note.split("## Reconnect this week (1)", 1)[1].split("\n## ", 1)[0]
    assert "[[contacts/Dan|Dan]]" in reconnect
    assert "review it: keep" in reconnect
    assert "## Review" not in note  # Dan is this week's reconnect pick: one item, not two


def test_follow_up_note_weekly_table(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", NOTE_NOTES, STATS_TOML)
    note = build_note(root)
    lines = note.splitlines()
    start = lines.index("| week | new | maintained |")
    assert lines[start + 1] == "|---|---:|---:|"
    assert lines[start + 2 : start + 10] == [f"| {w} | {n} | {m} |" for w, _, n, m in STATS_WEEKS]
    assert lines[start + 10] == ""
    assert "This week: 1/1 new ✓, 1/2 maintained (not yet)." in note


def test_follow_up_note_pie_chart_equals_stats_by_circle(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", NOTE_NOTES, STATS_TOML)
    pie = mermaid_pie(build_note(root))
    by_circle = json.loads(ok("stats", root, "--today", TODAY, "--json").stdout)["by_circle"]
    assert pie == by_circle == {"active": 1, "close": 1, "dormant": 1, "vip": 1}


def test_follow_up_note_goals(tmp_path: Path) -> None:
    notes = {
        **NOTE_NOTES,
        "goals/Raise seed.md": "# Raise seed\n",
        "goals/Write a book.md": fm(status="done"),
        "contacts/Cat.md": fm(circle="close", last_contact="2026-02-01", goals='["[[Raise seed]]"]'),
    }
    root = make_vault(tmp_path / "v", notes, STATS_TOML)
    note = build_note(root)
    goals = note.split("### Goals\n", 1)[1].split("\n## ", 1)[0].strip().splitlines()
    assert goals == [
        "- [[goals/Hire a team|Hire a team]]: [[contacts/Ann|Ann]]; last interaction 2026-11-19",
        "- [[goals/Raise seed|Raise seed]]: [[contacts/Cat|Cat]]; last interaction 2026-02-01"
        " — **stalled**: reach out to one of them",
        "- [[goals/Write a book|Write a book]] (done): nobody linked yet; no interaction yet",
    ]


def test_follow_up_note_leaves_out_what_does_not_apply(tmp_path: Path) -> None:
    notes = {"contacts/Ann.md": fm(circle="close", last_contact="2026-11-10")}
    root = make_vault(tmp_path / "v", notes)
    note = build_note(root)
    titles = headings(note)
    assert "## Your network" in titles
    for absent in ("Events to prepare", "After events", "Reconnect this week", "Review", "Goals"):
        assert not any(absent in t for t in titles), (absent, titles)
    assert mermaid_pie(note) == {"close": 1}


def test_follow_up_note_of_an_empty_vault_has_no_chart(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {})
    note = build_note(root)
    assert "## Your network" in note
    assert "```mermaid" not in note


def test_who_shows_phones_with_their_labels_and_emails(tmp_path: Path) -> None:
    """An imported phone keeps its type (`(fax)`): `who` shows it, and its JSON gives number and labels apart."""
    notes = {"contacts/Ida.md": '---\nname: Ida\ncompany: Acme\nemail: ida@acme.example\n'
             'phone: ["+49 170 1234567 (cell)", "+49 30 1234 (work, fax)", "+1 (555) 0100"]\n---\n'}  # fmt: skip
    root = make_vault(tmp_path / "v", notes)
    text = ok("who", root, "--today", TODAY, "--company", "acme").stdout
    assert "    phone +49 170 1234567 (cell), +49 30 1234 (work, fax), +1 (555) 0100\n" in text
    assert "    e-mail ida@acme.example\n" in text
    data = json.loads(ok("who", root, "--today", TODAY, "--company", "acme", "--json").stdout)
    assert data[0]["emails"] == ["ida@acme.example"]
    assert data[0]["phones"] == [
        {"number": "+49 170 1234567", "labels": ["cell"]},
        {"number": "+49 30 1234", "labels": ["work", "fax"]},
        {"number": "+1 (555) 0100", "labels": []},
    ]

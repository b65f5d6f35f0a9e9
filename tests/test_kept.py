"""What a build keeps for the next command (`derived.Keeper`, through `Session`): a new command starts from the
snapshot and its journal, reads and renders only what changed, and writes the bytes a cold build writes.

Every vault here is the sample vault with an event, a goal and a daily note added, all files with one fixed
mtime; a cold build is a build of a fresh copy given the same edits (same bytes, same mtimes).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from vaultkit import MTIME_NS, TODAY, copy_sample, put

from vaultnet import derived
from vaultnet import fragments as fragments_module
from vaultnet import pipeline as pipeline_module
from vaultnet.cache import CACHE_NAME
from vaultnet.config import Settings
from vaultnet.derived import MAX_RECORDS
from vaultnet.model import Contact, Event, Item
from vaultnet.network import Network
from vaultnet.pipeline import BuildResult, Session
from vaultnet.render.ics import Fragment
from vaultnet.rules import Plan
from vaultnet.snapshot import SNAPSHOT_NAME

EXTRA = {
    "events/Meetup.md": "---\ndate: 2026-11-25\ntargets: ['[[Anna Schmidt]]', '[[grace]]']\n"
    'met: ["[[Dana O\'Brien]]"]\n---\n',
    "goals/Hire a team.md": "---\nstalled_after: 2m\n---\n",
    "journal/2026-11-19.md": "- coffee with [[Anna Schmidt]] #got\n- called [[chen-wei]]\n",
}
OUTPUTS = ("Follow-ups.md", ".vaultnet/reminders.ics")
HOUR_NS = 3600 * 1_000_000_000

Edit = Callable[[Path], object]


def make(root: Path, *edits: Edit) -> Path:
    copy_sample(root)
    for rel, text in EXTRA.items():
        put(root, rel, text, mtime_ns=MTIME_NS)
    for edit in edits:
        edit(root)
    return root


def written(root: Path) -> dict[str, bytes]:
    return {rel: (root / rel).read_bytes() for rel in OUTPUTS}


def cold(tmp_path: Path, *edits: Edit, today: date = TODAY) -> dict[str, bytes]:
    """The outputs of a cold build (a new copy, no snapshot) of the vault with `edits` made."""
    root = make(tmp_path / f"cold-{len(list(tmp_path.iterdir()))}", *edits)
    first = Session(root).build(today)
    assert first.snapshot is not None and first.snapshot.refresh.parsed == sorted(first.snapshot.refresh.notes)
    return written(root)


def build(root: Path, today: date = TODAY) -> BuildResult:
    """A new command's build."""
    return Session(root).build(today)


def forget_build(root: Path) -> None:
    """Remove the last build's record: the next build derives its outputs instead of finding nothing changed."""
    db = sqlite3.connect(root / ".vaultnet" / CACHE_NAME)
    with db:
        db.execute("DELETE FROM meta WHERE key = 'build'")
    db.close()


def records(root: Path) -> int:
    """How many records the journal holds for the snapshot."""
    loaded = Session(root).keeper.store.load()
    assert loaded is not None
    return len(loaded[1])


def parsed(result: BuildResult) -> tuple[list[str], list[str]]:
    assert result.snapshot is not None, "the build took the 'nothing changed' shortcut"
    return result.snapshot.refresh.parsed, result.snapshot.refresh.removed


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The notes whose calendar fragments were rendered (not taken from what was kept), in order."""
    calls: list[str] = []
    real = fragments_module.note_fragments

    def counting(owner: Contact | Event, items: Iterable[Item], *args: Any) -> list[Fragment]:
        calls.append(owner.path)
        return real(owner, items, *args)

    monkeypatch.setattr(fragments_module, "note_fragments", counting)
    return calls


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each plan made, in order: whether it was made from the last one (`make_plan`'s `previous`)."""
    calls: list[bool] = []
    real = pipeline_module.make_plan

    def spy(
        network: Network, settings: Settings, today: date, previous: Plan | None = None, touched: Any = None
    ) -> Plan:
        calls.append(previous is not None and touched is not None)
        return real(network, settings, today, previous, touched)

    monkeypatch.setattr(pipeline_module, "make_plan", spy)
    return calls


def edit_text(rel: str, change: Callable[[str], str], hours: int = 1) -> Edit:
    """An edit of the note `rel`, saved `hours` after the vault's mtime (long past: not racy)."""

    def edit(root: Path) -> None:
        path = root / rel
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
        os.utime(path, ns=(MTIME_NS + hours * HOUR_NS, MTIME_NS + hours * HOUR_NS))

    return edit


def log_line(n: int) -> Edit:
    return edit_text("contacts/grace.md", lambda text: f"{text}\n- 2026-11-1{n % 10} call: call number {n}\n", n + 1)


# -- (1) nothing changed -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("later", [0, 1], ids=["same day", "next day"])
def test_a_new_command_on_an_unchanged_vault_parses_nothing_and_writes_a_cold_builds_bytes(
    tmp_path: Path, rendered: list[str], later: int
) -> None:
    vault = make(tmp_path / "vault")
    build(vault)
    every = len(rendered)
    rendered.clear()
    forget_build(vault)
    day = TODAY + timedelta(days=later)
    result = build(vault, day)
    assert result.plan is not None  # derived, not the "nothing changed" shortcut
    assert parsed(result) == ([], [])
    if not later:
        assert [output.changed for output in result.outputs] == [False, False]
        assert rendered == []  # every note's fragments were taken from the calendar written
    else:
        assert len(rendered) == every  # another day: every fragment is rendered for it
    assert written(vault) == cold(tmp_path, today=day)


# -- (2) one note edited ------------------------------------------------------------------------------------------


def _rename(root: Path) -> None:
    os.rename(root / "contacts" / "grace.md", root / "contacts" / "Grace Hopper.md")


EDITS: dict[str, tuple[Edit, list[str], list[str]]] = {
    "log line": (log_line(1), ["contacts/grace.md"], []),
    "cadence": (edit_text("contacts/Anna Schmidt.md", lambda t: t.replace("circle: close", "cadence: 1w")),
                ["contacts/Anna Schmidt.md"], []),
    "birthday": (edit_text("contacts/Anna Schmidt.md", lambda t: t.replace("1990-11-25", "1990-11-23")),
                 ["contacts/Anna Schmidt.md"], []),
    "archived": (edit_text("contacts/Anna Schmidt.md", lambda t: t.replace("circle:", "archived: true\ncircle:")),
                 ["contacts/Anna Schmidt.md"], []),
    "promise done": (edit_text("contacts/Anna Schmidt.md", lambda t: t.replace("- [ ] send", "- [x] send")),
                     ["contacts/Anna Schmidt.md"], []),
    "rename": (_rename, ["contacts/Grace Hopper.md"], ["contacts/grace.md"]),
    "delete": (lambda root: (root / "contacts" / "Hana Never.md").unlink(), [], ["contacts/Hana Never.md"]),
    "new note": (lambda root: put(root, "contacts/Zoe.md", "---\nbirthday: 1980-11-26\n---\n", MTIME_NS + HOUR_NS),
                 ["contacts/Zoe.md"], []),
    "event met": (edit_text("events/Meetup.md", lambda t: t.replace("Dana O'Brien", "Eve Snoozed")),
                  ["events/Meetup.md"], []),
    "daily note": (edit_text("journal/2026-11-19.md", lambda t: t + "- lunch with [[Björn Ødegaard]] #gave\n"),
                   ["journal/2026-11-19.md"], []),
    "goal done": (edit_text("goals/Hire a team.md", lambda t: t.replace("2m\n", "2m\nstatus: done\n")),
                  ["goals/Hire a team.md"], []),
}  # fmt: skip


@pytest.mark.parametrize(("edit", "read", "removed"), EDITS.values(), ids=EDITS.keys())
def test_after_one_edit_a_new_command_reads_that_note_and_adds_one_journal_record(
    tmp_path: Path, edit: Edit, read: list[str], removed: list[str]
) -> None:
    vault = make(tmp_path / "vault")
    build(vault)
    assert records(vault) == 0  # a build from nothing saves a whole snapshot
    edit(vault)
    result = build(vault)
    assert parsed(result) == (read, removed)
    assert records(vault) == 1
    assert written(vault) == cold(tmp_path, edit)
    again = build(vault)  # and the journal is read back: nothing to do
    assert again.plan is None and [output.changed for output in again.outputs] == [False, False]


def test_only_the_edited_notes_fragments_are_rendered_again(tmp_path: Path, rendered: list[str]) -> None:
    vault = make(tmp_path / "vault")
    build(vault)
    log_line(1)(vault)
    build(vault)
    rendered.clear()
    log_line(2)(vault)  # the second edit: the fragments kept come from the snapshot and its journal
    build(vault)
    assert "contacts/grace.md" in rendered
    assert "contacts/Anna Schmidt.md" not in rendered
    assert len(rendered) <= 2  # grace's, and the event's that targets her (its items are made by every plan)
    assert written(vault) == cold(tmp_path, log_line(1), log_line(2))


# -- (3) the journal is folded into a whole snapshot ----------------------------------------------------------------


def test_past_max_records_a_whole_snapshot_is_saved_again_and_the_journal_emptied(tmp_path: Path) -> None:
    vault = make(tmp_path / "vault")
    build(vault)
    counts, whole = [], []
    for n in range(70):
        before = (vault / ".vaultnet" / SNAPSHOT_NAME).stat().st_ino
        log_line(n)(vault)
        assert parsed(build(vault)) == (["contacts/grace.md"], [])
        counts.append(records(vault))
        whole.append((vault / ".vaultnet" / SNAPSHOT_NAME).stat().st_ino != before)  # replaced by a rename
        if n == MAX_RECORDS:
            assert written(vault) == cold(tmp_path, *map(log_line, range(n + 1)))
    assert counts == [*range(1, MAX_RECORDS + 1), 0, *range(1, 70 - MAX_RECORDS)]
    assert [n for n, replaced in enumerate(whole) if replaced] == [MAX_RECORDS]
    assert not (vault / ".vaultnet" / "journal").exists() or records(vault) == 70 - MAX_RECORDS - 1
    assert written(vault) == cold(tmp_path, *map(log_line, range(70)))


def test_a_build_that_renders_most_of_the_calendar_again_saves_a_whole_snapshot(
    tmp_path: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new day renders every note's events again: kept as a record, that would be large and have every later
    command look at every note's key; kept whole, the next command trusts what its plan says was untouched."""
    monkeypatch.setattr(derived, "SWEEPING_MIN", 5)  # this vault's dozen notes stand for thousands
    vault = make(tmp_path / "vault")
    build(vault)
    log_line(1)(vault)
    build(vault)
    assert records(vault) == 1
    build(vault, TODAY + timedelta(days=1))  # a new day: every fragment rendered again
    assert records(vault) == 0
    log_line(2)(vault)
    rendered.clear()
    build(vault, TODAY + timedelta(days=1))
    assert "contacts/Anna Schmidt.md" not in rendered and "contacts/grace.md" in rendered
    assert records(vault) == 1
    assert written(vault) == cold(tmp_path, log_line(1), log_line(2), today=TODAY + timedelta(days=1))


def test_a_whole_snapshot_saved_by_due_keeps_the_fragments_for_the_next_build(
    tmp_path: Path, rendered: list[str]
) -> None:
    """`due` renders no calendar: when it is the command that folds the journal into a whole snapshot, the
    fragments it restored (which index into the calendar on disk) are kept, not forgotten."""
    vault = make(tmp_path / "vault")
    build(vault)
    for n in range(MAX_RECORDS + 1):  # the last `due` saves a whole snapshot
        log_line(n)(vault)
        Session(vault).plan(TODAY)
    assert records(vault) == 0
    rendered.clear()
    build(vault)
    assert "contacts/Anna Schmidt.md" not in rendered
    assert "contacts/grace.md" in rendered
    assert written(vault) == cold(tmp_path, *map(log_line, range(MAX_RECORDS + 1)))


# -- (4) the calendar edited by hand ----------------------------------------------------------------------------------


def _calendar(change: Callable[[bytes], bytes]) -> Edit:
    def edit(root: Path) -> None:
        path = root / OUTPUTS[1]
        path.write_bytes(change(path.read_bytes()))

    return edit


CALENDARS: dict[str, Edit] = {
    "a letter changed": _calendar(lambda data: data.replace(b"SUMMARY:", b"SUMMARX:", 1)),
    "a line added": _calendar(lambda data: data.replace(b"BEGIN:VEVENT", b"X-NOTE:mine\r\nBEGIN:VEVENT", 1)),
    "cut short": _calendar(lambda data: data[: len(data) // 2]),
    "emptied": _calendar(lambda data: b""),
    "removed": lambda root: (root / OUTPUTS[1]).unlink(),
}


@pytest.mark.parametrize("hand", CALENDARS.values(), ids=CALENDARS.keys())
def test_a_calendar_edited_by_hand_between_commands_is_written_right_again(tmp_path: Path, hand: Edit) -> None:
    """The kept fragments are offsets into the calendar last written: once it is not that calendar, they are
    rendered again, with or without a note edited too."""
    vault = make(tmp_path / "vault")
    build(vault)
    hand(vault)
    assert written(build(vault).outputs[0].path.parent) == cold(tmp_path)
    log_line(1)(vault)
    build(vault)
    hand(vault)
    log_line(2)(vault)
    build(vault)
    assert written(vault) == cold(tmp_path, log_line(1), log_line(2))


# -- (5) the settings changed -------------------------------------------------------------------------------------


def _settings(text: str) -> Edit:
    """`text` added to vaultnet.toml: a `[table]` line in it is merged with the file's table of that name (the
    sample's [calendar] and [circles]), the lines before any table go on top."""

    def edit(root: Path) -> None:
        path = root / "vaultnet.toml"
        toml = path.read_text(encoding="utf-8")
        table, _, body = text.rpartition("\n") if text.startswith("[") else ("", "", text)
        toml = re.sub(rf"^{body.partition(' = ')[0]} = .*\n", "", toml, flags=re.M)  # a setting the file has
        toml = toml.replace(table + "\n", f"{table}\n{body}\n", 1) if table in toml else f"{text}\n{toml}"
        path.write_text(toml, encoding="utf-8")
        os.utime(path, ns=(MTIME_NS + HOUR_NS, MTIME_NS + HOUR_NS))

    return edit


SETTINGS = {
    "contacts folder": 'contacts_folder = "people"',
    "a circle": '[circles]\nactive = "10d"',
    "default circle": 'default_circle = "close"',
    "birthday lookahead": 'birthday_lookahead = "none"',
    "review after": '[practice]\nreview_after = "1d"',
    "reconnect after": '[practice]\nreconnect_after = "20d"',
    "event prep": '[practice]\nevent_prep = "10d"',
    "alarm": '[calendar]\nalarm = "09:00"',
    "calendar name": '[calendar]\nname = "Mine"',  # replaces the sample's name
}


@pytest.mark.parametrize("text", SETTINGS.values(), ids=SETTINGS.keys())
def test_a_snapshot_made_under_other_settings_is_not_used(tmp_path: Path, text: str, planned: list[bool]) -> None:
    """Not the plan made under them (a plan depends on every setting); the notes, where the settings they are
    read with stayed the same."""
    vault = make(tmp_path / "vault")
    build(vault)
    log_line(1)(vault)
    build(vault)  # a journal record too
    _settings(text)(vault)
    build(vault)
    assert planned[-1] is False
    assert written(vault) == cold(tmp_path, log_line(1), _settings(text))
    log_line(2)(vault)  # and the snapshot of the new settings is kept, and used
    assert parsed(build(vault)) == (["contacts/grace.md"], [])
    assert planned[-1] is True
    assert written(vault) == cold(tmp_path, log_line(1), _settings(text), log_line(2))


def test_a_snapshot_first_saved_by_check_gives_the_next_builds_a_plan_to_start_from(
    tmp_path: Path, planned: list[bool]
) -> None:
    """`check` keeps the notes but makes no plan: the first build after it saves a whole state with its plan,
    rather than adding to a snapshot without one (every later command would plan from nothing)."""
    vault = make(tmp_path / "vault")
    pipeline_module.check(vault)
    build(vault)
    for n in range(1, 3):
        log_line(n)(vault)
        assert parsed(build(vault)) == (["contacts/grace.md"], [])
        assert planned[-1] is True
    assert written(vault) == cold(tmp_path, log_line(1), log_line(2))


# -- (6) two sessions on one vault ----------------------------------------------------------------------------------


def test_two_sessions_building_in_turn_keep_the_outputs_of_cold_builds(tmp_path: Path) -> None:
    """A long-running session (`watch`) and new ones (a `build` on the command line) on one vault: each appends
    to, or replaces, what the other kept, and each build writes what a cold build writes."""
    vault = make(tmp_path / "vault")
    watch = Session(vault, keep_last_good=True)
    watch.build(TODAY)
    steps: list[tuple[Edit, Callable[[], BuildResult]]] = [
        (log_line(1), lambda: build(vault)),
        (log_line(2), lambda: watch.build(TODAY)),
        (EDITS["cadence"][0], lambda: build(vault)),
        (EDITS["new note"][0], lambda: build(vault)),
        (EDITS["event met"][0], lambda: watch.build(TODAY)),
        (EDITS["delete"][0], lambda: watch.build(TODAY)),
        (log_line(3), lambda: build(vault)),
    ]
    done: list[Edit] = []
    for edit, run in steps:
        edit(vault)
        done.append(edit)
        result = run()
        assert result.plan is not None
        assert written(vault) == cold(tmp_path, *done), f"after {len(done)} edits"
    forget_build(vault)
    assert parsed(build(vault)) == ([], [])
    assert written(vault) == cold(tmp_path, *done)


# -- (7) a note that came and went between two commands --------------------------------------------------------------

# Notes that give grace an interaction (a later one than her log's): her follow-up and her calendar events change.
PASSING = {
    "daily note": ("journal/2026-11-20.md", "- coffee with [[grace]] #gave\n"),
    "event note": ("events/Dinner.md", "---\ndate: 2026-11-19\nmet: ['[[grace]]']\n---\n"),
}


@pytest.mark.parametrize(("rel", "text"), PASSING.values(), ids=PASSING.keys())
def test_a_note_added_for_one_build_and_removed_before_the_next_leaves_no_trace(
    tmp_path: Path, rel: str, text: str
) -> None:
    """The plan a new command starts from is the snapshot's whole state's; the calendar's fragments are the last
    build's (its journal record). A note that one build saw and the next does not, and the whole state never
    held, differs from neither plan: what it gave other notes' contacts (grace's fragments, rendered with it)
    must not be taken over as unchanged."""
    vault = make(tmp_path / "vault")
    build(vault)
    put(vault, rel, text, MTIME_NS + HOUR_NS)
    with_note = build(vault)
    assert records(vault) == 1 and with_note.plan is not None
    assert written(vault) == cold(tmp_path, lambda root: put(root, rel, text, MTIME_NS + HOUR_NS))
    (vault / rel).unlink()
    build(vault)
    assert written(vault) == cold(tmp_path)


def test_a_plan_made_between_two_builds_of_one_session_is_rendered_by_the_second(tmp_path: Path) -> None:
    """A session's plan (`plan`, `view`) renders no calendar: the build after it must render what changed since
    the last build, not since that plan."""
    rel, text = PASSING["daily note"]
    vault = make(tmp_path / "vault")
    session = Session(vault)
    session.build(TODAY)
    put(vault, rel, text, MTIME_NS + HOUR_NS)
    session.plan(TODAY)
    session.build(TODAY)
    assert written(vault) == cold(tmp_path, lambda root: put(root, rel, text, MTIME_NS + HOUR_NS))


# -- (8) a build that could not write its outputs --------------------------------------------------------------------


def test_a_build_that_could_not_write_leaves_its_fragments_to_the_next_builds_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that rendered the calendar and then failed to write (a full disk) kept nothing; the session's next
    build renders nothing new, but its journal record must hold what both rendered. Else the next command cuts
    the calendar by the fragments from before: Yara's follow-up moved past Zed's promise (same lengths, another
    order), so Zed's slice of the calendar would be parts of two events."""
    yara = "---\ncircle: close\n---\n## Log\n- 2026-11-02 call: hello\n"
    zed = "---\ncircle: close\n---\n## Tasks\n- [ ] send the deck 📅 2026-12-05\n"
    setup = (
        lambda root: put(root, "contacts/Yara.md", yara, MTIME_NS),
        lambda root: put(root, "contacts/Zed.md", zed, MTIME_NS),
    )
    later = edit_text("contacts/Yara.md", lambda t: t.replace("2026-11-02 call", "2026-11-09 call"))
    vault = make(tmp_path / "vault", *setup)
    build(vault)
    session = Session(vault)
    later(vault)
    real = pipeline_module.write_atomic

    def full_disk(*args: Any, **kwargs: Any) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline_module, "write_atomic", full_disk)
    with pytest.raises(OSError):
        session.build(TODAY)
    monkeypatch.setattr(pipeline_module, "write_atomic", real)
    session.build(TODAY)
    assert written(vault) == cold(tmp_path, *setup, later)
    forget_build(vault)
    assert parsed(build(vault)) == ([], [])
    assert written(vault) == cold(tmp_path, *setup, later)


def test_fragments_are_not_cut_from_a_calendar_of_the_same_size_in_another_order(tmp_path: Path) -> None:
    """The kept fragments are lengths in an order: a calendar of the same size whose events lie otherwise (another
    build's, written within the same mtime tick; one whose journal record was lost) is not cut by them."""
    vault = make(tmp_path / "vault")
    session = Session(vault)
    session.build(TODAY)
    data = (vault / OUTPUTS[1]).read_bytes()
    begin = b"BEGIN:VEVENT\r\n"
    head, *events = data.split(begin)
    n = next(n for n in range(len(events) - 2) if len(events[n]) != len(events[n + 1]))
    events[n], events[n + 1] = events[n + 1], events[n]  # two neighbours of different lengths swapped
    swapped = head + b"".join(begin + event for event in events)
    assert len(swapped) == len(data)
    restored = fragments_module.CalendarFragments()
    assert restored.restore(session.fragments.index(), session.fragments.state, data)
    assert not restored.restore(session.fragments.index(), session.fragments.state, swapped)


# -- (9) a folder the settings name, made or removed -------------------------------------------------------------


def test_an_empty_folder_made_where_the_settings_name_one_is_seen_by_the_next_build(tmp_path: Path) -> None:
    """What the settings check finds of the folders vaultnet.toml names is in the follow-up note: making one (empty)
    changes no note's fingerprint, yet what a cold build says of it ("nothing changed" must not hold)."""
    meetings = _settings('[interactions]\nfolders = ["meetings"]')
    vault = make(tmp_path / "vault", meetings)
    build(vault)
    assert b"no folder meetings/" in (vault / OUTPUTS[0]).read_bytes()
    (vault / "meetings").mkdir()
    build(vault)
    assert written(vault) == cold(tmp_path, meetings, lambda root: (root / "meetings").mkdir())
    (vault / "meetings").rmdir()
    build(vault)
    assert written(vault) == cold(tmp_path, meetings)

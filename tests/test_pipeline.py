"""The orchestrator: vault -> settings -> index -> plan -> outputs, with real vaults on disk."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from vaultkit import LATER_NS, OLD_NS, SMALL_VAULT, SMALL_VAULT_DUE, TODAY, no_network_build, write_vault
from vaultkit import put_old as put

from vaultnet import fragments, pipeline, rules
from vaultnet.pipeline import BuildResult, Session
from vaultnet.problems import UserError

ANNA = SMALL_VAULT["contacts/Anna.md"]
BEN = SMALL_VAULT["contacts/work/Ben.md"]
DUE = [(kind, name, date.fromisoformat(day)) for kind, name, _, day in SMALL_VAULT_DUE]  # on TODAY


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return write_vault(tmp_path / "vault", SMALL_VAULT, mtime_ns=OLD_NS)


def due_list(result: BuildResult) -> list[tuple[str, str, date]]:
    """The due items of a build that computed its plan."""
    assert result.plan is not None
    return [(i.kind, i.name, i.day) for i in result.plan.due]


def due_now(root: Path, today: date = TODAY) -> list[tuple[str, str, date]]:
    """The due items as a fresh `due` computes them (it never reuses a previous build's result)."""
    return [(i.kind, i.name, i.day) for i in pipeline.due(root, today)[1].due]


def contact_names(root: Path) -> list[str]:
    return sorted(c.name for c in pipeline.due(root, TODAY)[1].contacts)


def cold_outputs(root: Path, scratch: Path, today: date = TODAY) -> dict[str, bytes]:
    """The outputs of a build from scratch (no cache) on a copy of the vault with the same files and mtimes."""
    copy = scratch / "cold"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".vaultnet"))
    return outputs(copy, pipeline.build(copy, today))


def outputs(root: Path, result: BuildResult) -> dict[str, bytes]:
    return {o.path.relative_to(root).as_posix(): o.path.read_bytes() for o in result.outputs}


def test_build_writes_the_follow_up_note_and_the_calendar(vault: Path) -> None:
    result = pipeline.build(vault, TODAY)
    assert due_list(result) == DUE
    assert [o.path for o in result.outputs] == [vault / "Follow-ups.md", vault / ".vaultnet" / "reminders.ics"]
    assert all(o.changed for o in result.outputs)
    note = (vault / "Follow-ups.md").read_text(encoding="utf-8")
    assert note.startswith("# Follow-ups for Saturday 2026-11-21\n")
    assert "[[contacts/work/Ben|Ben Okafor]]" in note
    calendar = (vault / ".vaultnet" / "reminders.ics").read_bytes()
    assert calendar.startswith(b"BEGIN:VCALENDAR\r\n")
    assert calendar.rstrip().endswith(b"END:VCALENDAR")
    assert result.problems == []


def test_build_twice_is_byte_identical_and_does_not_rewrite(vault: Path) -> None:
    first = pipeline.build(vault, TODAY)
    written = outputs(vault, first)
    for output in first.outputs:
        os.utime(output.path, ns=(OLD_NS, OLD_NS))
    second = pipeline.build(vault, TODAY)
    assert [o.changed for o in second.outputs] == [False, False]
    assert outputs(vault, second) == written
    assert [o.path.stat().st_mtime_ns for o in second.outputs] == [OLD_NS, OLD_NS]
    assert (second.contacts, second.due, second.problems) == (first.contacts, first.due, first.problems) == (3, 5, [])
    assert pipeline.due(vault, TODAY)[0].refresh.parsed == []  # all from the cache


def test_build_in_a_fresh_copy_of_the_vault_is_byte_identical(vault: Path, tmp_path: Path) -> None:
    """No cache, other absolute path, same notes and mtimes: the same bytes."""
    first = outputs(vault, pipeline.build(vault, TODAY))
    copy = tmp_path / "copy"
    for rel, text in SMALL_VAULT.items():
        put(copy, rel, text)
    assert outputs(copy, pipeline.build(copy, TODAY)) == first


def test_another_day_changes_the_outputs(vault: Path) -> None:
    first = outputs(vault, pipeline.build(vault, TODAY))
    result = pipeline.build(vault, date(2026, 11, 22))
    assert result.outputs[0].changed is True
    assert outputs(vault, result)["Follow-ups.md"] != first["Follow-ups.md"]


def test_after_changing_one_note_only_that_note_is_reparsed(vault: Path) -> None:
    pipeline.build(vault, TODAY)
    put(vault, "contacts/work/Ben.md", BEN.replace("2026-11-10", "2026-11-20"), mtime_ns=LATER_NS)
    result = pipeline.build(vault, TODAY)
    assert result.snapshot.refresh.parsed == ["contacts/work/Ben.md"]
    # The follow-up planned for 2026-11-19 is done: Ben was contacted after it.
    assert ("follow-up", "Ben Okafor", date(2026, 11, 19)) not in due_list(result)
    assert [o.changed for o in result.outputs] == [True, True]


@pytest.mark.parametrize("fresh_session", [True, False], ids=["from-the-cache", "in-memory"])
def test_after_changing_one_note_only_its_calendar_events_are_rendered(
    vault: Path, monkeypatch: pytest.MonkeyPatch, fresh_session: bool
) -> None:
    session = Session(vault)
    session.build(TODAY)
    rendered: list[str] = []
    real = fragments.note_fragments

    def counting(owner, items, today, alarm, last):  # type: ignore[no-untyped-def]
        rendered.append(owner.path)
        return real(owner, items, today, alarm, last)

    monkeypatch.setattr(fragments, "note_fragments", counting)
    put(vault, "contacts/work/Ben.md", BEN.replace("2026-11-10", "2026-11-20"), mtime_ns=LATER_NS)
    result = (Session(vault) if fresh_session else session).build(TODAY)
    assert rendered == ["contacts/work/Ben.md"]
    # ... and the calendar is the one a build from scratch writes.
    calendar = result.outputs[1].path.read_bytes()
    shutil.rmtree(vault / ".vaultnet")
    (vault / "Follow-ups.md").unlink()
    assert pipeline.build(vault, TODAY).outputs[1].path.read_bytes() == calendar


def test_a_note_edited_just_now_is_reparsed(vault: Path) -> None:
    pipeline.build(vault, TODAY)
    put(vault, "contacts/work/Ben.md", BEN.replace("Ben Okafor", "Ben O."), mtime_ns=None)
    result = pipeline.build(vault, TODAY)
    assert result.snapshot.refresh.parsed == ["contacts/work/Ben.md"]
    assert ("follow-up", "Ben O.", date(2026, 11, 19)) in due_list(result)


def test_removing_a_note_removes_its_items(vault: Path) -> None:
    pipeline.build(vault, TODAY)
    (vault / "contacts" / "Anna.md").unlink()
    result = pipeline.build(vault, TODAY)
    assert result.snapshot.refresh.removed == ["contacts/Anna.md"]
    assert due_list(result) == [d for d in DUE if d[1] != "Anna"]
    assert "Anna" not in (vault / "Follow-ups.md").read_text(encoding="utf-8")
    assert b"Anna" not in (vault / ".vaultnet" / "reminders.ics").read_bytes()


def test_outputs_configured_in_vaultnet_toml_are_written_there(vault: Path) -> None:
    put(vault, "vaultnet.toml", '[outputs]\nfollowups = "crm/Today.md"\ncalendar = "public/people.ics"\n')
    result = pipeline.build(vault, TODAY)
    assert [o.path for o in result.outputs] == [vault / "crm" / "Today.md", vault / "public" / "people.ics"]
    assert (vault / "crm" / "Today.md").read_text(encoding="utf-8").startswith("# Follow-ups for")
    assert (vault / "public" / "people.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert not (vault / "Follow-ups.md").exists()
    assert not (vault / ".vaultnet" / "reminders.ics").exists()
    assert result.problems == []


@pytest.mark.parametrize("followups", ["Follow-ups.md", "notes/Follow-ups.md"])
def test_the_follow_up_note_is_not_indexed_as_a_note(vault: Path, followups: str) -> None:
    put(vault, "vaultnet.toml", f'[outputs]\nfollowups = "{followups}"\n')
    first = pipeline.build(vault, TODAY)
    assert (vault / followups).is_file()
    os.utime(vault / followups, ns=(OLD_NS, OLD_NS))  # an old, trusted file: as any note would be
    snapshot, plan = pipeline.due(vault, TODAY)
    assert followups not in snapshot.refresh.notes
    assert snapshot.problems == []
    assert sorted(c.name for c in plan.contacts) == ["Anna", "Ben Okafor", "Carla Diaz"]
    assert [(i.kind, i.name, i.day) for i in plan.due] == due_list(first) == DUE
    second = pipeline.build(vault, TODAY)
    assert [o.changed for o in second.outputs] == [False, False]
    assert (second.contacts, second.due) == (3, 5)


@pytest.mark.parametrize("followups", ["./notes/Follow-ups.md", "notes//Follow-ups.md"])
def test_the_follow_up_note_is_not_indexed_however_its_path_is_written(vault: Path, followups: str) -> None:
    put(vault, "vaultnet.toml", f'[outputs]\nfollowups = "{followups}"\n')
    pipeline.build(vault, TODAY)
    assert (vault / "notes" / "Follow-ups.md").is_file()
    assert contact_names(vault) == ["Anna", "Ben Okafor", "Carla Diaz"]
    second = pipeline.build(vault, TODAY)
    assert [o.changed for o in second.outputs] == [False, False]
    assert (second.contacts, second.due) == (3, 5)


def test_a_contacts_folder_written_with_dot_slash_still_finds_the_contacts(vault: Path) -> None:
    put(vault, "vaultnet.toml", 'contacts_folder = "./contacts"\n')
    snapshot, plan = pipeline.due(vault, TODAY)
    assert snapshot.problems == []
    assert sorted(c.name for c in plan.contacts) == ["Anna", "Ben Okafor", "Carla Diaz"]


def test_due_and_check_write_no_outputs(vault: Path) -> None:
    snapshot, plan = pipeline.due(vault, TODAY)
    assert snapshot.refresh.parsed == sorted(
        ["contacts/Anna.md", "contacts/work/Ben.md", "notes/Carla.md", "notes/Ideas.md"]
    )
    assert [(i.kind, i.name, i.day) for i in plan.due] == DUE
    assert pipeline.check(vault) == []
    assert not (vault / "Follow-ups.md").exists()
    assert not (vault / ".vaultnet" / "reminders.ics").exists()


def test_broken_notes_are_reported_and_good_notes_still_used(vault: Path) -> None:
    put(vault, "contacts/Bad.md", "---\ncadence: soon\n---\n")
    put(vault, "vaultnet.toml", "colour = 'blue'\n")
    result = pipeline.build(vault, TODAY)
    assert due_list(result) == DUE
    assert [(p.path, p.line, p.severity) for p in result.problems] == [
        ("contacts/Bad.md", 2, "error"),
        ("vaultnet.toml", 1, "warning"),
    ]
    assert pipeline.check(vault) == result.problems
    assert "contacts/Bad.md:2: cadence:" in (vault / "Follow-ups.md").read_text(encoding="utf-8")


def test_a_missing_vault_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such folder"):
        pipeline.build(tmp_path / "missing", TODAY)
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="not a folder"):
        pipeline.due(tmp_path / "file", TODAY)


# -- Session ----------------------------------------------------------------------------------------


def test_a_reused_session_gives_the_same_result_as_fresh_ones(vault: Path, tmp_path: Path) -> None:
    session = Session(vault, persist=False)
    kept = [session.build(TODAY)]
    fresh = [pipeline.build(vault, TODAY)]
    put(vault, "contacts/work/Ben.md", BEN.replace("2026-11-19", "2026-11-18"), mtime_ns=LATER_NS)
    (vault / "notes" / "Carla.md").unlink()
    put(vault, "contacts/Dora.md", "---\nbirthday: --11-23\nlast_contact: 2026-11-01\n---\n")
    kept.append(session.build(TODAY))
    fresh.append(pipeline.build(vault, TODAY))
    for k, f in zip(kept, fresh, strict=True):
        assert due_list(k) == due_list(f)
        assert k.plan == f.plan
        assert k.snapshot.refresh.notes == f.snapshot.refresh.notes
    assert kept[1].snapshot.refresh.parsed == ["contacts/Dora.md", "contacts/work/Ben.md"]
    assert kept[1].snapshot.refresh.removed == ["notes/Carla.md"]
    assert ("birthday", "Dora", date(2026, 11, 23)) in due_list(kept[1])


def test_an_in_memory_session_keeps_no_cache(vault: Path) -> None:
    session = Session(vault, persist=False)
    session.build(TODAY)
    second = session.build(TODAY)
    assert second.snapshot.refresh.parsed == []
    assert [o.changed for o in second.outputs] == [False, False]
    assert not (vault / ".vaultnet" / "cache.sqlite").exists()
    assert not (vault / ".vaultnet" / "snapshot").exists()


def test_reload_settings_picks_up_a_changed_vaultnet_toml(vault: Path) -> None:
    session = Session(vault)
    before = session.build(TODAY)
    assert session.reload_settings() is False
    put(vault, "vaultnet.toml", '[circles]\nclose = "10d"\n[calendar]\nname = "People"\n')
    assert session.reload_settings() is True
    after = session.build(TODAY)
    assert ("follow-up", "Anna", date(2026, 11, 1)) in due_list(before)
    assert ("follow-up", "Anna", date(2026, 10, 12)) in due_list(after)  # 2026-10-02 + 10d
    assert b"X-WR-CALNAME:People" in (vault / ".vaultnet" / "reminders.ics").read_bytes()
    assert session.reload_settings() is False
    assert due_now(vault) == due_list(after)  # a fresh session agrees


def test_reload_settings_notices_a_new_warning(vault: Path) -> None:
    session = Session(vault)
    put(vault, "vaultnet.toml", "colour = 'blue'\n")
    assert session.reload_settings() is True
    assert [p.message for p in session.snapshot().problems] == ["colour: unknown setting (ignored)"]


def test_a_changed_contacts_folder_reindexes(vault: Path) -> None:
    session = Session(vault)
    session.build(TODAY)
    put(vault, "people/Eve.md", "---\nlast_contact: 2026-01-01\n---\n")
    put(vault, "vaultnet.toml", 'contacts_folder = "people"\n')
    assert session.reload_settings() is True
    result = session.build(TODAY)
    assert sorted(c.name for c in result.plan.contacts) == ["Carla Diaz", "Eve"]
    assert len(result.snapshot.refresh.parsed) == 5
    assert contact_names(vault) == ["Carla Diaz", "Eve"]


# -- incremental builds give what a build from scratch gives ----------------------------------------


def test_incremental_builds_match_builds_from_scratch(vault: Path, tmp_path: Path) -> None:
    """Whatever a build reuses (parsed notes, rendered events, the last build), the bytes are a cold build's."""
    edits = [
        lambda: put(vault, "contacts/work/Ben.md", BEN.replace("2026-11-10", "2026-11-20"), mtime_ns=LATER_NS),
        lambda: put(vault, "contacts/Anna.md", ANNA.replace("company: Acme", "company: Initech"), mtime_ns=LATER_NS),
        lambda: (vault / "notes" / "Carla.md").unlink(),
        lambda: put(vault, "contacts/Dora.md", "---\nbirthday: --11-23\nmet: 2026-01-05\n---\n"),
        lambda: put(vault, "contacts/Bad.md", "---\ncadence: soon\n---\n"),
        lambda: put(vault, "vaultnet.toml", '[circles]\nclose = "10d"\n[calendar]\nname = "People"\nalarm = "09:00"\n'),
        lambda: put(vault, "contacts/Anna.md", ANNA + "- 2026-11-20 coffee: caught up\n", mtime_ns=LATER_NS + 1),
    ]
    session = Session(vault, persist=False)
    assert outputs(vault, pipeline.build(vault, TODAY)) == cold_outputs(vault, tmp_path)
    for number, edit in enumerate(edits):
        edit()
        incremental = outputs(vault, pipeline.build(vault, TODAY))
        assert incremental == cold_outputs(vault, tmp_path), f"after edit {number}"
        session.reload_settings()
        assert outputs(vault, session.build(TODAY)) == incremental, f"in-memory session after edit {number}"
    for day in (date(2026, 11, 22), date(2027, 3, 1)):
        assert outputs(vault, pipeline.build(vault, day)) == cold_outputs(vault, tmp_path, day)


def test_an_output_edited_by_hand_is_written_again(vault: Path) -> None:
    """An edit below vaultnet's header: the note is still vaultnet's, and is written again (a note of the user's
    own at that path is refused: tests/test_outputs_never_clobber.py)."""
    first = outputs(vault, pipeline.build(vault, TODAY))
    note = vault / "Follow-ups.md"
    note.write_text(note.read_text(encoding="utf-8") + "my own notes\n", encoding="utf-8")
    os.utime(note, ns=(OLD_NS, OLD_NS))
    result = pipeline.build(vault, TODAY)
    assert [o.changed for o in result.outputs] == [True, False]
    assert outputs(vault, result) == first


def test_a_deleted_calendar_is_written_again(vault: Path) -> None:
    first = outputs(vault, pipeline.build(vault, TODAY))
    (vault / ".vaultnet" / "reminders.ics").unlink()
    result = pipeline.build(vault, TODAY)
    assert [o.changed for o in result.outputs] == [False, True]
    assert outputs(vault, result) == first


def test_a_changed_setting_rewrites_the_calendar(vault: Path) -> None:
    pipeline.build(vault, TODAY)
    put(vault, "vaultnet.toml", '[calendar]\nname = "People"\n')
    result = pipeline.build(vault, TODAY)
    assert [o.changed for o in result.outputs] == [False, True]
    assert b"X-WR-CALNAME:People\r\n" in (vault / ".vaultnet" / "reminders.ics").read_bytes()


def test_a_note_saved_twice_within_one_mtime_tick_is_seen_by_the_next_build(vault: Path) -> None:
    note = put(vault, "contacts/work/Ben.md", BEN, mtime_ns=None)  # saved just now
    written = note.stat().st_mtime_ns
    pipeline.build(vault, TODAY)
    edited = BEN.replace("2026-11-19", "2026-11-18")
    assert len(edited) == len(BEN)
    note.write_text(edited, encoding="utf-8")
    os.utime(note, ns=(written, written))  # same size, same mtime
    pipeline.build(vault, TODAY)
    assert "follow-up planned for 2026-11-18" in (vault / "Follow-ups.md").read_text(encoding="utf-8")
    assert "2026-11-19" not in (vault / "Follow-ups.md").read_text(encoding="utf-8")
    assert b"Follow-up planned for 2026-11-18" in (vault / ".vaultnet" / "reminders.ics").read_bytes()
    assert ("follow-up", "Ben Okafor", date(2026, 11, 18)) in due_now(vault)


# -- Session.contacts: finding a contact without building the network ----------------------------------------------


def test_contacts_are_the_indexed_contacts_by_path(vault: Path) -> None:
    session = Session(vault)
    assert [c.path for c in session.contacts()] == ["contacts/Anna.md", "contacts/work/Ben.md", "notes/Carla.md"]
    assert session.contacts() == list(session.snapshot().network.contacts)


def test_contacts_build_no_network(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    no_network_build(monkeypatch)
    assert len(Session(vault).contacts()) == 3


def test_contacts_follow_the_files(vault: Path) -> None:
    session = Session(vault)
    assert len(session.contacts()) == 3
    put(vault, "contacts/Dana.md", "---\nname: Dana\n---\n", mtime_ns=LATER_NS)
    assert "Dana" in [c.name for c in session.contacts()]


# -- incremental work: a kept session redoes only what an edit touched ---------------------------------------------


def test_a_kept_session_derives_again_only_the_contacts_an_edit_touched(
    vault: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    session = Session(vault)
    session.build(TODAY)
    asked: list[str] = []
    real = rules.follow_up_item

    def counting(contact, given):  # type: ignore[no-untyped-def]
        asked.append(contact.path)
        return real(contact, given)

    monkeypatch.setattr(rules, "follow_up_item", counting)
    put(vault, "contacts/work/Ben.md", BEN.replace("2026-11-10", "2026-11-20"), mtime_ns=LATER_NS)
    result = session.build(TODAY)
    assert asked == ["contacts/work/Ben.md"]
    assert outputs(vault, result) == cold_outputs(vault, tmp_path)


def test_a_reading_command_prints_its_last_text_again_while_nothing_changed(vault: Path) -> None:
    shown: list[int] = []

    def show(snap: pipeline.Snapshot, plan: rules.Plan) -> str:
        shown.append(1)
        return "\n".join(f"{i.kind} {i.name} {i.day}" for i in plan.due)

    first = pipeline.view(vault, TODAY, "due test", show)
    assert pipeline.view(vault, TODAY, "due test", show) == first
    assert len(shown) == 1  # the second run derived nothing
    assert pipeline.view(vault, TODAY, "due other", show) == first  # another view is its own record
    assert len(shown) == 2
    assert pipeline.view(vault, date(2026, 12, 24), "due test", show) != first  # another day
    put(vault, "contacts/work/Ben.md", BEN.replace("2026-11-10", "2026-11-20"), mtime_ns=LATER_NS)
    _, text = pipeline.view(vault, TODAY, "due test", show)
    assert text != first[1] and len(shown) == 4
    assert text == show(*pipeline.due(vault, TODAY))


def test_a_note_saved_just_now_is_vouched_for_by_its_bytes(vault: Path) -> None:
    """A second save within the same mtime tick and of the same size changes no fingerprint: a reading command's
    kept text (and a build's record) are used again only while such a note's bytes are the same."""
    shown: list[str] = []

    def show(snap: pipeline.Snapshot, plan: rules.Plan) -> str:
        shown.append("x")
        return "\n".join(f"{i.kind} {i.name} {i.day} {i.reason}" for i in plan.due)

    note = put(vault, "contacts/work/Ben.md", BEN.replace("2026-11-10", "2026-11-20"), mtime_ns=None)
    first = pipeline.view(vault, TODAY, "due", show)
    assert pipeline.view(vault, TODAY, "due", show) == first and len(shown) == 1  # the same bytes: kept
    written = note.stat().st_mtime_ns
    note.write_text(BEN.replace("2026-11-10", "2026-11-12"))  # as long, within the same tick
    os.utime(note, ns=(written, written))
    again = pipeline.view(vault, TODAY, "due", show)
    assert len(shown) == 2 and again != first
    assert again[1] == show(*pipeline.due(vault, TODAY))
    first_build = pipeline.build(vault, TODAY)
    note.write_text(BEN.replace("2026-11-10", "2026-11-13"))
    os.utime(note, ns=(written, written))
    assert pipeline.build(vault, TODAY).plan is not None  # not "unchanged": derived again
    assert first_build.plan is not None

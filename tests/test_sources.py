"""Interactions captured from mail and calendars (issue 13), end to end through the command line: the fixtures as
mbsync, offlineimap, vdirsyncer and Google write them, a vault that names them in `[sources]`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from vaultkit import DATA, fm, run, write_vault

SOURCES = DATA / "sources"
DAY = "2026-11-30"
ME = '["Me@Example.com", "me@work.example"]'


def vault(tmp_path: Path, mail: list[Path] = (), calendars: list[Path] = (), extra: str = "") -> Path:  # type: ignore[assignment]
    root = write_vault(
        tmp_path / "vault",
        {
            "contacts/Jane Doe.md": fm(name="Jane Doe", email="jane.doe@example.com", cadence="7d"),
            "contacts/Jürgen Müller.md": fm(name="Jürgen Müller", email="Juergen@Mueller.example"),
            "contacts/Bob Stone.md": fm(name="Bob Stone", email="bob@stone.example"),
            "contacts/Cy Ray.md": fm(name="Cy Ray", email="cy@ray.example"),
        },
    )
    listed = lambda paths: "[" + ", ".join(json.dumps(str(p)) for p in paths) + "]"  # noqa: E731
    toml = f"[sources]\nme = {ME}\nmail = {listed(mail)}\ncalendars = {listed(calendars)}\n{extra}"
    (root / "vaultnet.toml").write_text(toml, encoding="utf-8")
    return root


def due(root: Path) -> dict[str, dict[str, object]]:
    result = run("due", "--json", "--vault", root, "--today", DAY)
    assert result.exit_code == 0, result.output
    return {str(item["name"]): item for item in json.loads(result.stdout)}


def who(root: Path) -> dict[str, object]:
    result = run("who", "--company", "", "--json", "--vault", root, "--today", DAY)
    return {str(c["name"]): c["last_interaction"] for c in json.loads(result.stdout)} if result.exit_code == 0 else {}


def test_mail_you_sent_and_mail_you_answered_count_as_emails(tmp_path: Path) -> None:
    mail = SOURCES / "mail" / "work"
    root = vault(tmp_path, mail=[mail / "Sent", mail / "INBOX"])
    items = due(root)
    # Jane: your mail of 2026-11-19 to her, which answered hers of the same morning; her rhythm is every 7 days.
    assert items["Jane Doe"]["reason"] == "last contact on 2026-11-19 (email); your rhythm is every 1w"
    # Jürgen in Cc and Bob in Bcc of that mail: in touch, not due; Cy appears in no mail: due at once.
    assert "Jürgen Müller" not in items and "Bob Stone" not in items
    assert "no contact recorded" in str(items["Cy Ray"]["reason"])


def test_only_contact_day_kind_and_a_hashed_id_are_kept(tmp_path: Path) -> None:
    mail = SOURCES / "mail" / "work"
    root = vault(tmp_path, mail=[mail / "Sent", mail / "INBOX"])
    due(root)
    kept = (root / ".vaultnet" / "sources.json").read_text(encoding="utf-8")
    assert "@" not in kept and "Doe" not in kept.replace("Jane Doe.md", "")  # no address, no name but the note's
    rows = [row for file in json.loads(kept)["files"].values() for row in file["rows"]]
    counted = [row for row in rows if not row[4]]  # Jane's mail to you is kept too: it counts, being answered
    assert {tuple(r[:3]) for r in counted} == {("contacts/Jane Doe.md", "2026-11-19", "email"),
                                            ("contacts/Jürgen Müller.md", "2026-11-19", "email"),
                                            ("contacts/Bob Stone.md", "2026-11-19", "email")}  # fmt: skip
    assert all(len(r) == 5 and len(r[3]) == 16 for r in rows)
    # mails to you: Jane's (answered: it counts) and Jürgen's (not answered: kept, not counted); Bob's has no Date
    assert {tuple(r[:3]) for r in rows if r[4]} == {("contacts/Jane Doe.md", "2026-11-19", "email"),
                                                   ("contacts/Jürgen Müller.md", "2026-11-20", "email")}  # fmt: skip


def test_new_mail_is_seen_by_the_next_command_and_a_missing_source_is_a_warning(tmp_path: Path) -> None:
    sent = tmp_path / "Sent"
    shutil.copytree(SOURCES / "mail" / "work" / "Sent", sent)
    root = vault(tmp_path, mail=[sent, tmp_path / "nowhere"])
    assert "Cy Ray" in due(root)
    (sent / "cur" / "1764400000_2.4242.laptop:2,S").write_bytes(
        b"From: me@example.com\r\nTo: Cy Ray <CY@ray.example>\r\nDate: Sat, 28 Nov 2026 09:00:00 +0000\r\n"
        b"Message-ID: <new-1@example.com>\r\nSubject: lunch\r\n\r\nbody\r\n"
    )
    items = due(root)
    assert "Cy Ray" not in items  # in touch on 2026-11-28: due in 90 days
    check = run("check", "--vault", root)
    assert "warning: [sources] mail: " in check.output and "nowhere: no such file or folder" in check.output
    assert f"[sources] mail {sent}: 3 files read, 4 interactions with contacts" in check.stdout


# -- watch ------------------------------------------------------------------------------------------------------


def test_watch_sees_new_mail_in_a_maildir_outside_the_vault(tmp_path: Path) -> None:
    from test_watch import BEN_LINE, Running, followups, wait_for

    maildir = tmp_path / "Mail" / "Sent"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    root = write_vault(
        tmp_path / "vault",
        {"contacts/Ben.md": "---\nname: Ben Okafor\nemail: ben@okafor.example\nfollow_up: 2026-11-19\n---\n"},
    )
    (root / "vaultnet.toml").write_text(f'[sources]\nme = ["me@example.com"]\nmail = ["{maildir}"]\n', encoding="utf-8")
    running = Running(root)
    try:
        assert BEN_LINE in followups(root)  # the planned follow-up of 2026-11-19 is open
        (maildir / "new" / "1763700000.1_1.laptop").write_bytes(
            b"From: Me <me@example.com>\nTo: Ben <Ben@Okafor.example>\nDate: Fri, 20 Nov 2026 18:00:00 +0100\n"
            b"Message-ID: <w1@example.com>\n\nSee you\n"
        )
        wait_for(lambda: BEN_LINE not in followups(root), "the mail to Ben closing his follow-up")
        running.assert_alive()
    finally:
        running.stop()


def test_a_command_after_new_mail_reads_only_the_new_file(tmp_path: Path) -> None:
    """What each file gave is kept per file: an unchanged file (same size and time) is not read again. Proven by
    a file whose bytes are replaced, size and time kept: what it gave before still counts."""
    sent = tmp_path / "Sent"
    shutil.copytree(SOURCES / "mail" / "work" / "Sent", sent)
    root = vault(tmp_path, mail=[sent])
    assert "Cy Ray" in due(root) and "Jane Doe" in due(root)
    old = next(p for p in (sent / "cur").iterdir() if "U=77" in p.name)  # the mail to Jane, Jürgen and Bob
    stat = old.stat()
    old.write_bytes(b"X" * stat.st_size)
    os.utime(old, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    (sent / "new" / "1764400000_3.4242.laptop").write_bytes(
        b"From: me@example.com\nTo: cy@ray.example\nDate: Sat, 28 Nov 2026 09:00:00 +0000\nMessage-ID: <n2@x>\n\nhi\n"
    )
    items = due(root)
    assert "Cy Ray" not in items  # the new file was read
    assert "Jürgen Müller" not in items and "Bob Stone" not in items  # the old one was not: its garbage unseen


# -- capture ----------------------------------------------------------------------------------------------------


def test_capture_writes_the_captured_interactions_into_the_log_once(tmp_path: Path) -> None:
    mail = SOURCES / "mail" / "work"
    calendars = SOURCES / "calendars"
    root = vault(tmp_path, mail=[mail / "Sent", mail / "INBOX"], calendars=[calendars])
    note = root / "contacts" / "Jane Doe.md"
    before = note.read_text(encoding="utf-8")
    dry = run("capture", "jane", "--dry-run", "--vault", root, "--today", DAY)
    assert dry.exit_code == 0, dry.output
    assert "+- 2026-11-19 email: from your mail" in dry.stdout and note.read_text(encoding="utf-8") == before
    done = run("capture", "jane", "--vault", root, "--today", DAY)
    assert done.exit_code == 0, done.output
    after = note.read_text(encoding="utf-8")
    assert after.startswith(before) and after.count("- 2026-11-19 email: from your mail\n") == 1
    again = run("capture", "jane", "--vault", root, "--today", DAY)
    assert note.read_text(encoding="utf-8") == after and "unchanged" in again.stdout
    without = write_vault(tmp_path / "plain", {"contacts/Jane.md": fm(name="Jane")})
    refused = run("capture", "jane", "--vault", without)
    assert refused.exit_code == 2 and "no [sources]" in refused.output and "Traceback" not in refused.output


def test_calendars_count_as_meetings_by_attendee_and_by_name_in_the_title(tmp_path: Path) -> None:
    from datetime import date

    from vaultnet.pipeline import Session

    root = vault(tmp_path, calendars=[SOURCES / "calendars"])  # a vdir as vdirsyncer keeps one, a Google export
    _, plan = Session(root, persist=False).plan(date(2026, 11, 30))
    history = {c.name: [(i.day.isoformat(), i.kind) for i in plan.network.history(c.path)] for c in plan.contacts}
    assert history["Jane Doe"][-2:] == [("2026-11-24", "meeting"), ("2026-11-30", "meeting")]  # the weekly sync
    assert ("2026-11-18", "meeting") in history["Bob Stone"]  # "Lunch with Bob Stone": named in the title
    assert history["Cy Ray"] == []
    result = run("check", "--vault", root)
    assert result.exit_code == 0, result.output
    assert f"[sources] calendars {SOURCES / 'calendars'}: 7 files read," in result.stdout


def test_a_kept_session_after_new_mail_writes_what_a_cold_build_writes(tmp_path: Path) -> None:
    """`watch` keeps a session: after new mail it plans again only the contacts whose captured interactions
    changed. Its outputs must be, byte for byte, a cold build's of the same vault and day."""
    from datetime import date

    from vaultnet.pipeline import Session

    sent = tmp_path / "Sent"
    shutil.copytree(SOURCES / "mail" / "work" / "Sent", sent)
    root = vault(tmp_path, mail=[sent])
    day = date(2026, 11, 30)
    kept = Session(root)
    kept.build(day)
    for n, who in enumerate(("cy@ray.example", "bob@stone.example")):
        (sent / "new" / f"17644000{n}.x_1.laptop").write_bytes(
            f"From: me@example.com\nTo: {who}\nDate: Sat, 28 Nov 2026 09:00:00 +0000\nMessage-ID: <k{n}@x>\n\n".encode()
        )
        kept.build(day)
        cold = tmp_path / f"cold{n}"
        shutil.copytree(root, cold, ignore=shutil.ignore_patterns(".vaultnet"))
        Session(cold, persist=False).build(day)
        for output in ("Follow-ups.md", ".vaultnet/reminders.ics"):
            assert (root / output).read_bytes() == (cold / output).read_bytes(), (n, output)


def test_a_kept_calendar_read_counts_no_meeting_older_than_a_cold_read_would(tmp_path: Path) -> None:
    """A calendar is read back ten years from the day it is read, and what a file gave is kept for a year: on a
    later day, a meeting that has since fallen out of those ten years must no longer count, as in a cold read."""
    from datetime import date

    from vaultnet.pipeline import Session

    cal = tmp_path / "old.ics"
    cal.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:old-1\r\n"
        b"DTSTAMP:20161201T000000Z\r\nDTSTART:20161205T100000Z\r\nDTEND:20161205T110000Z\r\n"
        b"SUMMARY:Coffee with Cy Ray\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    root = vault(tmp_path, calendars=[cal])

    def history(session: Session, day: date) -> list[str]:
        _, plan = session.plan(day)
        return [i.day.isoformat() for c in plan.contacts if c.name == "Cy Ray" for i in plan.network.history(c.path)]

    kept = Session(root)
    assert history(kept, date(2026, 11, 30)) == ["2016-12-05"]  # within ten years
    assert history(kept, date(2026, 12, 10)) == []  # the same session, ten days on
    assert history(Session(root), date(2026, 12, 10)) == []  # the next command, from what the first one kept


def test_a_kept_session_forgets_a_mail_deleted_from_an_mbox_that_then_grew(tmp_path: Path) -> None:
    """A kept session reads a grown mbox on from where it stopped. A mailbox rewritten (a mail deleted, the folder
    compacted) and grown past that offset is read whole again: what the old file gave no longer counts."""
    from datetime import date

    from vaultnet.pipeline import Session

    def mail(to: str, day: str, mid: str, body: str = "hi") -> str:
        return (f"From me@example.com Mon Nov 23 09:00:00 2026\nFrom: me@example.com\nTo: {to}\n"
                f"Date: {day} 2026 09:00:00 +0000\nMessage-ID: <{mid}>\n\n{body}\n\n")  # fmt: skip

    mbox = tmp_path / "Sent.mbox"
    mbox.write_text(mail("cy@ray.example", "Mon, 23 Nov", "a@x") + mail("bob@stone.example", "Tue, 24 Nov", "b@x"))
    root = vault(tmp_path, mail=[mbox])
    day = date(2026, 11, 30)
    kept = Session(root)

    def cys(session: Session) -> list[str]:
        _, plan = session.plan(day)
        return [i.day.isoformat() for c in plan.contacts if c.name == "Cy Ray" for i in plan.network.history(c.path)]

    assert cys(kept) == ["2026-11-23"]
    long = mail("bob@stone.example", "Wed, 25 Nov", "c@x", "x" * 500)  # the old end now falls inside this one
    mbox.write_text(mail("bob@stone.example", "Tue, 24 Nov", "b@x") + long)
    assert cys(kept) == [] == cys(Session(root, persist=False))


def test_a_warning_about_a_source_file_outside_the_vault_names_it_as_it_is(tmp_path: Path) -> None:
    """Problems are shown with the vault's path before them; a source's file is named by its absolute path, which
    must not get the vault's path before it too."""
    cal = tmp_path / "notes.ics"
    cal.write_text("not a calendar\n", encoding="utf-8")
    root = vault(tmp_path, calendars=[cal])
    result = run("check", "--vault", root)
    assert f"\n{cal}:1: warning: " in "\n" + result.stderr and f"{root}{os.sep}{cal}" not in result.stderr


def test_a_source_that_is_no_mailbox_or_calendar_is_a_warning_not_silence(tmp_path: Path) -> None:
    """`~/Mail` named instead of `~/Mail/INBOX`, a file that is no mbox, a FIFO: each reads nothing, and says so."""
    (tmp_path / "Mail" / "INBOX" / "cur").mkdir(parents=True)
    (tmp_path / "export.eml").write_text("Return-Path: <a@b>\nFrom: a@b\n\nhi\n", encoding="utf-8")
    os.mkfifo(tmp_path / "fifo")
    root = vault(tmp_path, mail=[tmp_path / "Mail", tmp_path / "export.eml"], calendars=[tmp_path / "fifo"])
    result = run("check", "--vault", root)
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert f"[sources] mail: {tmp_path / 'Mail'}: not a Maildir (no cur/ or new/ in it)" in result.stderr
    assert f"[sources] mail: {tmp_path / 'export.eml'}: not an mbox" in result.stderr
    assert f"[sources] calendars: {tmp_path / 'fifo'}: neither a file nor a folder" in result.stderr

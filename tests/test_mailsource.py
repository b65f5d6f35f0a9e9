"""The mail reader (vaultnet.mailsource): Maildirs as mbsync and offlineimap keep them, mboxes as Thunderbird,
Google Takeout and Python's `mailbox` write them, read from their headers only.

tests/data/sources/mail holds real-shaped data: `work/INBOX` (mbsync: `cur/`, `new/`, `tmp/`, its state files) and
`work/Sent` (offlineimap, CRLF), and `thunderbird/Archives` (an mbox with `>From ` escaping, a forwarded message in a
body, and a Takeout message in CRLF). The mbox reader is held against the standard library's `mailbox.mbox`.
"""

from __future__ import annotations

import mailbox
import os
import random
import shutil
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaultkit import DATA, time_limit

from vaultnet.mailsource import _BLOCK, HEAD_BYTES, is_mbox, mail_files, read_mail_file, read_mbox, read_message
from vaultnet.model import Captured
from vaultnet.problems import Problem
from vaultnet.sources_common import hashed

MAIL = DATA / "sources" / "mail"
INBOX = MAIL / "work" / "INBOX"
SENT = MAIL / "work" / "Sent"
ARCHIVES = MAIL / "thunderbird" / "Archives"
ME = frozenset({"me@example.com", "ME@work.example"})  # as a user may write them in vaultnet.toml


def mail(*headers: str, body: str = "Hello.\n") -> bytes:
    return ("\n".join(headers) + "\n\n" + body).encode("utf-8")


def one(*headers: str, me: frozenset[str] = ME) -> Captured | None:
    return read_message(mail(*headers), me)


RECEIVED = ("From: Ann <ann@example.org>", "Date: Thu, 19 Nov 2026 09:00:00 +0000", "Message-ID: <m1@example.org>")


def sent(*headers: str) -> Captured:
    record = one("From: me@example.com", "Date: Thu, 19 Nov 2026 09:00:00 +0000", *headers)
    assert record is not None
    return record


def read_folder(folder: Path, me: frozenset[str] = ME) -> dict[str, Captured | None]:
    found = {}
    for path in mail_files(folder):
        record, problems = read_mail_file(path, me)
        assert problems == []
        found[path.name] = record
    return found


# -- listing ------------------------------------------------------------------------------------------------------


def test_a_maildir_is_its_cur_and_new_files_not_tmp_nor_hidden_nor_its_state_files() -> None:
    assert [p.relative_to(INBOX).as_posix() for p in mail_files(INBOX)] == [
        "cur/1763539000.81234_1.laptop,U=412:2,RS",
        "cur/1763620000.81234_2.laptop,U=415:2,S",
        "new/1763700000.81234_3.laptop,U=418",
        "new/1763700100.81234_4.laptop,U=419",
    ]
    assert [p.parent.name for p in mail_files(SENT)] == ["cur", "cur"]  # `new/.keep-me-hidden` is skipped
    assert mail_files(MAIL / "work") == [] and mail_files(ARCHIVES) == [] and mail_files(MAIL / "nothing") == []


def test_an_mbox_is_a_file_that_begins_with_a_from_line_or_is_empty(tmp_path: Path) -> None:
    (tmp_path / "Drafts").write_bytes(b"")  # Thunderbird makes each folder's mbox empty at first
    assert is_mbox(ARCHIVES) and is_mbox(tmp_path / "Drafts")
    assert not is_mbox(INBOX) and not is_mbox(mail_files(INBOX)[0]) and not is_mbox(tmp_path / "missing")


def test_a_fifo_named_as_a_source_is_no_mbox_and_blocks_nothing(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")  # opening it to read would wait for a writer forever
    with time_limit(5, AssertionError):  # not TimeoutError: an OSError, which is_mbox would take for a no
        assert not is_mbox(tmp_path / "fifo")
        records, end, problems = read_mbox(tmp_path / "fifo", ME, 3)
    assert (records, end, [p.message for p in problems]) == ([], 3, ["not an mbox: not a regular file"])


# -- one message --------------------------------------------------------------------------------------------------


def test_the_maildirs_read_as_the_mails_say() -> None:
    inbox, outbox = read_folder(INBOX), read_folder(SENT)
    jane = Captured(
        date(2026, 11, 19),
        "email",
        ("jane.doe@example.com",),
        received=True,
        source=hashed("<CAJdoe1+7xQ@mail.gmail.com>"),
    )
    juergen = Captured(
        date(2026, 11, 20),
        "email",
        ("juergen@mueller.example",),
        received=True,
        source=hashed("<20261121073005.GA1234@mueller.example>"),
    )
    assert list(inbox.values()) == [jane, juergen, None, None]  # a digest without Message-ID, a broken Date
    reply = Captured(
        date(2026, 11, 19),
        "email",
        ("jane.doe@example.com", "juergen@mueller.example", "bob@stone.example"),
        source=hashed("<5f1c2a9e-3b7d-4c1e-9a55-0f2d1e8b7c11@example.com>"),
        replies_to=(hashed("<CAJdoe1+7xQ@mail.gmail.com>"), hashed("<CAJdoe0+1aA@mail.gmail.com>")),
    )
    assert list(outbox.values()) == [reply, None]  # the second is a note to yourself
    assert jane.source in reply.replies_to  # the reply in Sent names the mail in INBOX it answers


@pytest.mark.parametrize("me", [{"me@example.com"}, {"ME@EXAMPLE.COM"}, {" Me@Example.com "}])
@pytest.mark.parametrize("sender", ["me@example.com", "Me <ME@Example.Com>", "=?UTF-8?Q?M=C3=A9?= <mE@example.com>"])
def test_a_mail_is_yours_by_its_from_in_any_case(me: set[str], sender: str) -> None:
    headers = (f"From: {sender}", "To: ann@example.org", "Date: Thu, 19 Nov 2026 09:00:00 +0000")
    record = one(*headers, me=frozenset(me))
    assert record is not None and not record.received and record.addresses == ("ann@example.org",)
    assert one(*headers, me=frozenset({"you@example.com"})) is None  # someone else's, without a Message-ID


def test_a_received_mail_gives_its_sender_and_is_known_by_its_message_id() -> None:
    record = one(*RECEIVED, "To: me@example.com, bob@example.org", "Cc: carol@example.org")
    assert record == Captured(
        date(2026, 11, 19), "email", ("ann@example.org",), source=hashed("<m1@example.org>"), received=True
    )
    assert one(*RECEIVED[:2], "To: me@example.com") is None  # no Message-ID: no reply of yours can ever name it
    assert one(*RECEIVED[1:], "To: me@example.com") is None  # no sender at all


def test_a_sent_mail_gives_to_cc_and_bcc_without_you_lower_cased_once_each_in_order() -> None:
    record = sent(
        "To: Bob <Bob@Example.org>, ME@work.example",
        "Cc: carol@example.org, bob@example.org",
        "Bcc: dave@EXAMPLE.org",
        "Cc: me@example.com, Erin <erin@example.org>",
    )
    assert record.addresses == ("bob@example.org", "carol@example.org", "erin@example.org", "dave@example.org")


def test_display_names_with_commas_are_one_person() -> None:
    record = sent('To: "Doe, Jane" <Jane.Doe@Example.COM>, "Stone, Bob" <bob@stone.example>')
    assert record.addresses == ("jane.doe@example.com", "bob@stone.example")
    # `Jane @ ACME, Doe` base64-encoded: decoding before splitting would make a `jane@acme` of its first half
    assert sent("To: =?UTF-8?B?SmFuZSBAIEFDTUUsIERvZQ==?= <jane@example.com>, x@example.com").addresses == (
        "jane@example.com",
        "x@example.com",
    )


def test_encoded_words_in_from_and_to() -> None:
    record = one("From: =?UTF-8?Q?J=C3=BCrgen?= <J@X.example>", *RECEIVED[1:])
    assert record is not None and record.addresses == ("j@x.example",)
    assert sent("To: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@x.example>").addresses == ("juergen@x.example",)
    # a client that encoded the whole `Name <address>`: decoded, then split
    assert sent("To: =?UTF-8?B?SsO8cmdlbiA8anVlcmdlbkB4LmV4YW1wbGU+?=").addresses == ("juergen@x.example",)
    assert sent("To: =?x-unknown?Q?x?=", "In-Reply-To: <a@b>").addresses == ()  # undecodable: no one, no error


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("Fri, 20 Nov 2026 23:30:05 -0800", date(2026, 11, 20)),  # 07:30 the next day in UTC
        ("Sat, 21 Nov 2026 00:30:00 +1400", date(2026, 11, 21)),  # 10:30 the day before in UTC
        ("21 Nov 26 08:00 CET", date(2026, 11, 21)),  # an obsolete form: two-digit year, a zone name
        ("Sat, 21 Nov 2026 08:00:00 +0100 (CET)", date(2026, 11, 21)),
    ],
)
def test_the_day_is_the_dates_own_calendar_day(value: str, day: date) -> None:
    record = one("From: me@example.com", "To: ann@example.org", f"Date: {value}", "Date: 1 Jan 2025 10:00 +0000")
    assert record is not None and record.day == day  # the first Date header counts


@pytest.mark.parametrize("value", [None, "", "sometime on Tuesday", "Tue, 31 Feb 2026 10:00:00 +0000", "0 0 0"])
def test_a_missing_or_broken_date_gives_no_record(value: str | None) -> None:
    headers = ("From: me@example.com", "To: ann@example.org", "Message-ID: <x@y>")
    assert one(*headers, *([f"Date: {value}"] if value is not None else [])) is None


def test_in_reply_to_and_references_are_hashed_into_replies_to_in_order_once_each() -> None:
    record = sent(
        "To: ann@example.org",
        "In-Reply-To: <m2@example.org> (Ann's message of Thursday)",
        "References: <m0@example.org>\n\t<m1@example.org> <m2@example.org>",
    )
    assert record.replies_to == tuple(hashed(f"<m{i}@example.org>") for i in (2, 0, 1))
    assert sent("To: ann@example.org", "In-Reply-To: m9@example.org").replies_to == (hashed("m9@example.org"),)
    answered = one(*RECEIVED[:2], "Message-ID:\n <m2@example.org>")  # a folded Message-ID
    assert answered is not None and answered.source in record.replies_to


def test_a_broken_line_among_the_headers_hides_none_after_it() -> None:
    """A line that is no header (a client's bug, a line that lost its fold) ends the header block for a full
    parser; only the fields a record needs are parsed here, so the ones after it still count."""
    record = one("X-Mailer: Foo", "this line lost its fold", *RECEIVED, "Date : not a Date field (space)")
    assert record is not None and record.addresses == ("ann@example.org",) and record.day == date(2026, 11, 19)


def test_a_sent_mail_without_message_id_is_known_by_its_date_and_people() -> None:
    first = sent("To: ann@example.org")
    assert first == sent("To: Ann <ANN@example.org>") and first.source != sent("To: bob@example.org").source
    to_no_one = sent("To: me@example.com", "In-Reply-To: <m1@example.org>")  # it still answers Ann's mail
    assert to_no_one.addresses == () and to_no_one.replies_to == (hashed("<m1@example.org>"),)


def test_only_the_header_block_is_parsed() -> None:
    """A 32 MiB body that a full parse would read (a broken multipart, a message inside): the peak memory of the
    read is far below the body's size, and nothing of the body shows in the record."""
    head = mail(*RECEIVED, 'Content-Type: multipart/mixed; boundary="b"', body="")
    body = b"--b\nContent-Type: message/rfc822\n\nFrom: Mallory <mallory@evil.example>\nDate: 1 Jan 2030\n\n"
    data = head + body + b"\xff" * (32 * 1024 * 1024)
    tracemalloc.start()
    try:
        record = read_message(data, ME)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert record is not None and record.addresses == ("ann@example.org",) and record.day == date(2026, 11, 19)
    assert peak < 1024 * 1024, peak


def test_a_maildir_file_is_read_no_further_than_its_headers(tmp_path: Path) -> None:
    path = tmp_path / "cur" / "1763539000.1_1.host,U=1:2,S"
    path.parent.mkdir()
    with path.open("wb") as file:
        file.write(mail(*RECEIVED, body=""))
        file.seek(8 * 1024**3)  # an 8 GiB body (a hole: no disk used); reading it would take minutes and the memory
        file.write(b"end\n")
    record, problems = read_mail_file(path, ME)
    assert record is not None and record.addresses == ("ann@example.org",) and problems == []


def test_header_lines_split_between_reads_of_a_maildir_file(tmp_path: Path) -> None:
    """The file is read in 16 KiB steps: a header block whose blank line straddles a step is still whole."""
    for pad in range(16 * 1024 - 40, 16 * 1024 + 4):
        path = tmp_path / "m"
        path.write_bytes(mail(*RECEIVED, "X-Pad: " + "x" * (pad - 120), body="From: not@me.example\n"))
        record, _ = read_mail_file(path, ME)
        assert record is not None and record.addresses == ("ann@example.org",), pad


def test_garbage_gives_a_warning_never_an_exception(tmp_path: Path) -> None:
    noise = random.Random(13).randbytes(200_000)
    (tmp_path / "noise").write_bytes(noise)
    (tmp_path / "from-noise").write_bytes(b"From x\n" + noise)
    assert read_message(noise, ME) is None
    record, problems = read_mail_file(tmp_path / "noise", ME)
    assert record is None and [p.severity for p in problems] == ["warning"] and "not a mail" in problems[0].message
    not_mbox = Problem(str(tmp_path / "noise"), 0, "not an mbox: it does not begin with a `From ` line", "warning")
    assert read_mbox(tmp_path / "noise", ME) == ([], 0, [not_mbox])
    records, _, problems = read_mbox(tmp_path / "from-noise", ME)
    assert records == [] and {p.severity for p in problems} == {"warning"}
    assert read_mail_file(tmp_path / "missing", ME)[1][0].severity == "warning"
    assert read_mbox(tmp_path, ME, 7) == ([], 7, read_mbox(tmp_path, ME)[2])  # a folder: a warning, start kept


_TOKENS = [*'abAB@.<>,;:"=?_ \t\r\n()\\é\x00', "=?UTF-8?Q?", "=?UTF-8?B?", "?=", "me@example.com", "<a@b>"]
_HEADER_TEXT = st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join)
_NAMES = st.sampled_from(["From", "To", "Cc", "Bcc", "Date", "Message-ID", "In-Reply-To", "References", "X"])


@settings(max_examples=300, deadline=None, database=None)
@given(headers=st.lists(st.tuples(_NAMES, _HEADER_TEXT), max_size=8), raw=st.binary(max_size=300))
def test_read_message_never_raises(headers: list[tuple[str, str]], raw: bytes) -> None:
    text = "".join(f"{name}:{value}\n" for name, value in headers).encode("utf-8", "surrogatepass")
    for data in (text, text + b"\n" + raw, raw + text, text.replace(b"\n", b"\r\n")):
        record = read_message(data, frozenset({"a@b", "A@B.", "me@example.com"}))
        assert record is None or (record.kind == "email" and all(a == a.lower() for a in record.addresses))


# -- mbox ---------------------------------------------------------------------------------------------------------


def test_the_thunderbird_mbox_reads_its_three_messages_and_nothing_of_their_bodies() -> None:
    records, end, problems = read_mbox(ARCHIVES, ME)
    assert problems == [] and end == ARCHIVES.stat().st_size
    assert [(r.day, r.addresses, r.received) for r in records] == [
        (date(2026, 11, 16), ("bjork@example.is",), False),
        (date(2026, 11, 18), ("bob@stone.example",), True),  # not Mallory: her headers are in the forwarded body
        (date(2026, 11, 20), ("bob@stone.example", "jane.doe@example.com"), False),  # the Takeout one, CRLF
    ]
    assert records[2].replies_to == (records[1].source,)
    ids = [m["Message-ID"] for m in mailbox.mbox(ARCHIVES, create=False)]  # the standard library splits it alike
    assert [r.source for r in records] == [hashed(i) for i in ids]


def _append(path: Path, *messages: bytes) -> None:
    """Append as a real mbox writer does: the standard library's, which escapes `From ` lines in bodies."""
    box = mailbox.mbox(path)
    box.lock()
    try:
        for message in messages:
            box.add(message)
        box.flush()
    finally:
        box.unlock()
        box.close()


def test_reading_from_an_offset_reads_only_what_was_appended(tmp_path: Path) -> None:
    path = shutil.copy(ARCHIVES, tmp_path / "Archives")
    first, end, _ = read_mbox(path, ME)
    assert read_mbox(path, ME, end) == ([], end, [])  # nothing new
    _append(
        path,
        mail(
            "From: Carol <carol@example.net>",
            "Date: Sun, 22 Nov 2026 10:00:00 +0000",
            "Message-ID: <c1@example.net>",
            body="From here on, an escaped line.\n",
        ),
    )
    records, new_end, problems = read_mbox(path, ME, end)
    assert [r.addresses for r in records] == [("carol@example.net",)] and problems == []
    assert new_end == path.stat().st_size > end
    assert read_mbox(path, ME)[0] == [*first, *records]  # the same as reading the whole file


def test_a_message_being_appended_is_not_half_read(tmp_path: Path) -> None:
    whole = ARCHIVES.read_bytes()
    extra = b"From - Sun Nov 22 10:00:00 2026\nFrom: carol@example.net\nTo: me@example.com, dave@example.org\n"
    extra += b"Date: Sun, 22 Nov 2026 10:00:00 +0000\nMessage-ID: <c1@example.net>\n\nHello,\n\nDave.\n\n"
    path = tmp_path / "Archives"
    for cut in (10, len(extra) // 2, extra.index(b"Hello") + 2, len(extra) - 1):  # in its headers, in its body
        path.write_bytes(whole + extra[:cut])
        records, end, problems = read_mbox(path, ME)
        assert len(records) == 3 and end == len(whole), cut  # the offset to resume from: the new message's start
        assert [p.severity for p in problems] == ["warning"] and "no blank line after it" in problems[0].message
    path.write_bytes(whole + extra)
    records, end, problems = read_mbox(path, ME, len(whole))
    assert [r.addresses for r in records] == [("carol@example.net",)] and end == path.stat().st_size
    assert problems == []


def test_a_pause_after_a_blank_line_in_a_body_reads_whole_headers_then_the_file_again(tmp_path: Path) -> None:
    """A writer that pauses right after a blank line of a body leaves a file that ends as a complete one does: the
    message's headers are whole, so its record is right; when the rest arrives, the offset given is inside that
    body, no boundary, and the whole file is read again (the same records, none twice within one read)."""
    whole = ARCHIVES.read_bytes()
    extra = b"From - Sun Nov 22 10:00:00 2026\nFrom: carol@example.net\nDate: Sun, 22 Nov 2026 10:00:00 +0000\n"
    extra += b"Message-ID: <c1@example.net>\n\nHello,\n\nDave.\n\n"
    path = tmp_path / "Archives"
    path.write_bytes(whole + extra[: extra.index(b"Dave.")])
    records, end, problems = read_mbox(path, ME)
    assert len(records) == 4 and end == path.stat().st_size and problems == []
    path.write_bytes(whole + extra)
    assert read_mbox(path, ME, end) == (records, path.stat().st_size, [])


def test_a_shrunk_file_or_an_offset_off_a_boundary_is_read_from_the_start(tmp_path: Path) -> None:
    path = shutil.copy(ARCHIVES, tmp_path / "Archives")
    records, end, _ = read_mbox(path, ME)
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"From - Wed")])  # compacted: only the first message is left
    assert read_mbox(path, ME, end) == (records[:1], path.stat().st_size, [])
    path.write_bytes(data)
    for start in (1, 7, data.index(b">From"), end - 1):  # inside a line, at an escaped line, before the end
        assert read_mbox(path, ME, start) == (records, end, []), start


def test_the_file_read_and_held_is_flat_in_a_big_body(tmp_path: Path) -> None:
    path = tmp_path / "big"
    with path.open("wb") as file:
        file.write(ARCHIVES.read_bytes().split(b"From - Wed")[0][:-1])  # the first message without its blank line
        file.seek(file.tell() + 64 * 1024 * 1024)  # 64 MiB more of its body (a hole), then the others
        file.write(b"\n\n" + b"From - Wed" + ARCHIVES.read_bytes().split(b"From - Wed")[1])
    tracemalloc.start()
    try:
        records, end, problems = read_mbox(path, ME)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(records) == 3 and end == path.stat().st_size and problems == []
    assert peak < 4 * 1024 * 1024, peak


def test_a_hostile_header_block_costs_only_its_own_message(tmp_path: Path) -> None:
    path = tmp_path / "mbox"
    endless = b"From x\nX-Junk: " + b"y" * (600 * 1024) + b"\n\n"  # past the header cap, one line
    no_line_end = b"From " + b"z" * (300 * 1024) + b"\n\n"  # a `From ` line past the cap
    path.write_bytes(endless + no_line_end + ARCHIVES.read_bytes())
    records, end, problems = read_mbox(path, ME)
    assert len(records) == 3 and end == path.stat().st_size
    assert [p.message for p in problems] == ["2 message(s) with no From, To, Date or Message-ID header: skipped"]


@pytest.mark.parametrize("at", [*range(HEAD_BYTES - 6, HEAD_BYTES + 1), *range(_BLOCK - 6, _BLOCK + 1)])
def test_a_from_line_across_the_end_of_what_was_held_is_still_a_boundary(tmp_path: Path, at: int) -> None:
    """The next message's `\\nFrom ` begins `at` bytes into the file: across the end of the window a header block
    is looked for in, or of a block read, it is found all the same."""
    first = mail(*RECEIVED, body="")
    second = ARCHIVES.read_bytes()
    path = tmp_path / "mbox"
    path.write_bytes(b"From x\n" + first + b"y" * (at - len(first) - 8) + b"\n\n" + second)
    assert path.read_bytes().index(b"\nFrom -") == at
    records, end, problems = read_mbox(path, ME)
    assert len(records) == 4 and end == path.stat().st_size and problems == []


_BODY_LINES = st.sampled_from(
    ["From x@y Sat Nov 21 2026", ">From the start", ">>From", "From:me@example.com", "", "Date: 1 Jan 2030", "text"]
)
_MESSAGES = st.lists(
    st.tuples(
        st.sampled_from(["ann@example.org", "me@example.com", "=?UTF-8?Q?A,_B?= <ab@example.org>", ""]),
        st.integers(1, 28),
        st.lists(_BODY_LINES, max_size=5),
    ),
    max_size=6,
)


@settings(max_examples=150, deadline=None, database=None)
@given(messages=_MESSAGES, newline=st.sampled_from([b"\n", b"\r\n"]))
def test_the_mbox_splits_as_the_standard_librarys_mailbox(
    tmp_path_factory: pytest.TempPathFactory, messages: list[tuple[str, int, list[str]]], newline: bytes
) -> None:
    """Random mboxes, unescaped `From ` lines in bodies included: the messages and their header blocks are
    those `mailbox.mbox` finds (its messages read with `read_message`)."""
    lines: list[str] = []
    for n, (sender, day, body) in enumerate(messages):
        lines += [f"From - Sat Nov {day} 10:00:00 2026", f"From: {sender}", "To: bob@example.org, me@example.com"]
        lines += [f"Date: {day} Nov 2026 10:00 +0000", f"Message-ID: <{n}@x>", "", *body, ""]
    path = tmp_path_factory.mktemp("mbox") / "mbox"
    path.write_bytes(newline.join(line.encode() for line in lines) + (newline if lines else b""))
    box = mailbox.mbox(path, create=False)
    expected = [r for key in box.iterkeys() if (r := read_message(box.get_bytes(key), ME)) is not None]
    box.close()
    records, end, problems = read_mbox(path, ME)
    assert records == expected and end == path.stat().st_size
    assert all(p.severity == "warning" for p in problems)

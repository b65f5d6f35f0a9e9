"""Hostile input at the edges (issue 10): dates at the ends of the calendar and huge durations, a LinkedIn export
with a field past csv's limit, a cache of any content, and `serve` under abuse (slow clients, clients that go
away, a token file left readable or made a link).

Everything runs the real thing: the CLI in-process (`vaultkit.run`) on real notes, the real server on a free
loopback port with real sockets. Each test runs under a time limit (`_time_limit`), so a regression fails
instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import socket
import stat
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from vaultkit import OLD_NS, copy_sample, run, time_limit, vault_files, write_vault

from vaultnet.cache import CACHE_NAME, UNREADABLE
from vaultnet.model import Birthday, Contact
from vaultnet.pipeline import Session
from vaultnet.problems import UserError
from vaultnet.render.ics import note_events
from vaultnet.serve import CALENDAR_NAME, Server, load_token, make_server, token_path
from vaultnet.snapshot import JOURNAL_NAME, SNAPSHOT_NAME

pytestmark = pytest.mark.hostile

LIMIT = 20  # seconds: no test here comes near it; a hang fails the test instead of the suite


@pytest.fixture(autouse=True)
def _time_limit() -> Iterator[None]:
    with time_limit(LIMIT):  # a hang fails the test instead of the suite
        yield


def assert_clean(result: object) -> None:
    """A command that ended as a command does (0, or 1 for a `check` with errors), not with an internal error."""
    output = getattr(result, "output", "") + getattr(result, "stderr", "")
    assert getattr(result, "exit_code", None) in (0, 1), output
    assert "Traceback" not in output and "internal error" not in output, output


# -- dates at the edges of the calendar ---------------------------------------------------------------------------

LAST, FIRST = "9999-12-31", "0001-01-01"
EDGES = {
    # A birthday on the calendar's last day, a follow-up planned for it, met on its first; a cadence that never ends.
    "contacts/Anna.md": f"---\nbirthday: {LAST}\nfollow_up: {LAST}\nmet: {FIRST}\ncadence: 100000y\ntags: [x]\n---\n"
    f"# Log\n- 2026-10-02 call: hi\n- [ ] a promise for the end of time 📅 {LAST}\n",
    "contacts/Ben.md": f"---\nbirthday: {FIRST}\nmet: {FIRST}\ncircle: close\ntags: [x]\n---\n",
    "contacts/Cleo.md": f"---\nbirthday: 9999-12-30\nlast_contact: {LAST}\nsnooze_until: {LAST}\ntags: [x]\n---\n"
    f"# Log\n- {LAST} call: the last day\n- {FIRST} call: the first day\n",
    "contacts/Dan.md": f"---\nbirthday: --12-31\nlast_contact: {FIRST}\ncadence: 1d\ntags: [x]\n---\n",
    "contacts/Eve.md": f"---\nbirthday: --01-02\nmet: {LAST}\ngoals: [[Goal]]\ntags: [x]\n---\n"
    "# Log\n- 9999-12-25 call: x\n",
    "contacts/Gil.md": f"---\nbirthday: 9998-12-31\ncadence: 999999999d\nfollow_up: {LAST}\ntags: [x]\n---\n"
    "# Log\n- 9999-06-01 call: x\n",
    "events/Last.md": f"---\ndate: {LAST}\nmet: [[Anna]]\ntargets: [[Ben]]\n---\n",
    "events/Ends last.md": f"---\ndate: 9999-12-30\nend: {LAST}\nmet: [[Cleo]]\n---\n",
    "events/Followed up last.md": f"---\ndate: 9999-12-01\nfollow_up: {LAST}\nmet: [[Dan]]\n---\n",
    "events/First.md": f"---\ndate: {FIRST}\nmet: [[Anna]]\ntargets: [[Eve]]\n---\n",
    "goals/Goal.md": "---\nstalled_after: 100000y\n---\n",
    f"{FIRST}.md": "[[Ben]] on the first day\n",
    f"{LAST}.md": "[[Eve]] on the last day\n",
}
# Every practice duration past the calendar's end, and every count far past any vault.
HUGE_SETTINGS = """birthday_lookahead = 100000000000000000000
[circles]
close = "100000y"
[practice]
event_prep = "100000y"
event_follow_up_window = "100000y"
reconnect_after = "999999999m"
reconnect_per_week = 100000000000000000000
review_after = "100000y"
review_every = "100000y"
goal_stalled_after = "100000y"
agenda_size = 100000000000000000000
"""
# Every period as short as it gets: week starts, review periods and look-backs that reach year 1.
TINY_SETTINGS = '[practice]\nreview_every = "7w"\nreview_after = "1d"\nreconnect_after = "1d"\nevent_prep = "1d"\n'
DAYS = [LAST, "9999-12-30", "9999-12-27", "9999-01-01", FIRST, "0001-01-02", "0001-01-08", "2026-11-21"]
COMMANDS = [["due"], ["due", "--json"], ["today"], ["build"], ["stats"], ["stats", "--json"], ["who", "--tag", "x"]]


def edge_vault(root: Path, toml: str = "") -> Path:
    return write_vault(root, EDGES, toml, mtime_ns=OLD_NS)


@pytest.mark.parametrize("toml", ["", HUGE_SETTINGS, TINY_SETTINGS], ids=["defaults", "huge", "tiny"])
def test_every_command_on_every_edge_day_ends_cleanly(tmp_path: Path, toml: str) -> None:
    vault = edge_vault(tmp_path / "vault", toml)
    check = run("check", vault)
    assert_clean(check)
    assert check.exit_code == 0, check.output  # all of it is valid: the edges are handled, not refused
    for day in DAYS:
        for command in COMMANDS:
            assert_clean(run(*command, vault, "--today", day))


def due_on(vault: Path, day: str) -> list[dict[str, object]]:
    result = run("due", vault, "--json", "--today", day)
    assert_clean(result)
    items: list[dict[str, object]] = json.loads(result.stdout)
    return items


def test_what_falls_on_the_last_day_is_listed_and_nothing_after_it(tmp_path: Path) -> None:
    vault = edge_vault(tmp_path / "vault")
    last = {(i["kind"], i["name"]) for i in due_on(vault, LAST) if i["date"] == LAST}
    # A birthday, a planned follow-up and a promise on 9999-12-31 come; Dan's yearless birthday too.
    assert {("birthday", "Anna"), ("follow-up", "Gil"), ("promise", "Anna"), ("birthday", "Dan")} <= last
    names = {(i["kind"], i["name"]) for i in due_on(vault, LAST)}
    assert ("birthday", "Eve") not in names  # --01-02 has passed in 9999 and never comes again
    assert ("event-follow-up", "Anna") not in names  # no day after an event on 9999-12-31
    assert ("event-follow-up", "Cleo") not in names  # nor after one that ends on it
    assert ("event-follow-up", "Dan") in names  # a follow-up planned for 9999-12-31 comes on that day


def test_the_calendar_leaves_out_what_would_end_in_year_10000(tmp_path: Path) -> None:
    vault = edge_vault(tmp_path / "vault")
    for day in (LAST, "9999-12-30", FIRST):
        assert_clean(run("build", vault, "--today", day))
        ics = (vault / ".vaultnet" / "reminders.ics").read_text()
        assert "DTEND;VALUE=DATE:1000" not in ics and "DTSTART;VALUE=DATE:99991231" not in ics
        assert ics.count("BEGIN:VEVENT") == ics.count("DTEND;VALUE=DATE:")  # every event has its end


@pytest.mark.parametrize("today", [date.max, date.min])
def test_serve_answers_the_calendar_on_the_first_and_the_last_day(tmp_path: Path, today: date) -> None:
    vault = edge_vault(tmp_path / "vault")
    token = load_token(vault)
    server = make_server(Session(vault), "127.0.0.1", 0, token, log=lambda _: None, clock=lambda: today)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", int(server.server_address[1])), timeout=5) as sock:
            sock.sendall(f"GET /{token}/{CALENDAR_NAME} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            assert sock.recv(64).startswith(b"HTTP/1.1 200 ")  # was a 503: the calendar could not be built
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_note_modified_after_year_9999_still_has_a_calendar_event() -> None:
    contact = Contact("contacts/Anna.md", "Anna", birthday=Birthday(5, 17, 1990), modified=10**15)
    (event,) = note_events(contact, (), date(2026, 11, 21))
    assert event.revised.year == 9999


def test_stats_near_year_one_show_only_weeks_that_exist(tmp_path: Path) -> None:
    vault = edge_vault(tmp_path / "vault")
    for day, weeks in ((FIRST, ["0001-W01"]), ("0001-01-08", ["0001-W01", "0001-W02"])):
        result = run("stats", vault, "--json", "--today", day)
        assert_clean(result)
        assert [w["week"] for w in json.loads(result.stdout)["weekly_rhythm"]] == weeks
    result = run("stats", vault, "--json", "--today", LAST)
    assert [w["week"] for w in json.loads(result.stdout)["weekly_rhythm"]][-1] == "9999-W52"


def test_a_review_period_and_a_reconnect_week_in_year_one(tmp_path: Path) -> None:
    vault = edge_vault(tmp_path / "vault", TINY_SETTINGS)
    items = due_on(vault, "0001-01-05")
    assert any(i["kind"] == "review" and i["date"] == FIRST for i in items)  # the 7-week period starts on day 1
    items = due_on(vault, "0001-01-09")  # a Tuesday: "active" reaches back 90 days from its Monday, before year 1
    assert any(i["kind"] == "reconnect" and i["date"] == "0001-01-08" for i in items)


@pytest.mark.parametrize(
    ("until", "today"), [("100000y", "2026-11-21"), ("1d", LAST), ("99999y", FIRST), ("100000000m", "2026-11-21")]
)
def test_snoozing_past_the_calendar_is_a_clear_error_and_changes_nothing(
    tmp_path: Path, until: str, today: str
) -> None:
    vault = edge_vault(tmp_path / "vault")
    before = (vault / "contacts/Anna.md").read_bytes()
    result = run("snooze", "Anna", until, "-C", vault, "--today", today)
    assert result.exit_code == 2
    assert "past 9999-12-31, the calendar's last day" in result.stderr
    assert "internal error" not in result.stderr
    assert (vault / "contacts/Anna.md").read_bytes() == before


def test_snoozing_until_the_last_day_works(tmp_path: Path) -> None:
    vault = edge_vault(tmp_path / "vault")
    assert_clean(run("snooze", "Ben", LAST, "-C", vault, "--today", "9999-12-30"))
    assert f"snooze_until: {LAST}" in (vault / "contacts/Ben.md").read_text()
    assert_clean(run("due", vault, "--today", "9999-12-30"))


def test_a_duration_of_more_digits_than_any_calendar_means_never(tmp_path: Path) -> None:
    """5,000 digits are past what int() reads from text: such a cadence is read as the longest there is."""
    vault = edge_vault(tmp_path / "vault")
    (vault / "contacts/Hal.md").write_text("---\ncadence: " + "9" * 5000 + "d\nlast_contact: 2026-01-01\n---\n")
    assert run("check", vault).stdout == "no errors\n"
    assert not any(i["name"] == "Hal" and i["kind"] == "follow-up" for i in due_on(vault, LAST))


# -- a LinkedIn export with a field past csv's limit --------------------------------------------------------------

HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


@pytest.mark.parametrize("size", [128 * 1024 + 1, 11 * 1024 * 1024], ids=["128K", "11M"])
def test_a_huge_csv_field_is_a_problem_for_its_row_and_the_rest_is_imported(tmp_path: Path, size: int) -> None:
    vault = write_vault(tmp_path / "vault", {})
    csv = tmp_path / "Connections.csv"
    csv.write_text(f'{HEADER}Ann,Lee,,,Acme,"{"x" * size}",01 Sep 2026\nBo,Ray,,,Initech,CTO,02 Sep 2026\n')
    result = run("import", "linkedin", csv, "--vault", vault)
    assert_clean(result)
    assert f"{csv}:2: " in result.stderr and "skipped" in result.stderr
    assert sorted(p.name for p in (vault / "contacts").iterdir()) == ["Bo Ray.md"]


# -- a cache of any content ---------------------------------------------------------------------------------------


def _planted_pickle(path: Path) -> None:
    """A snapshot file with the right header (this copy of the vault, these settings, a right checksum) around a
    pickle of the wrong shape: valid framing, valid pickle, not what vaultnet keeps."""
    header = json.loads(path.read_bytes().partition(b"\n")[0])
    payload = pickle.dumps({"notes": ["valid", "pickle"]})
    header |= {"size": len(payload), "crc": zlib.crc32(payload)}
    path.write_bytes(json.dumps(header).encode() + b"\n" + payload)


def _directory(path: Path) -> None:
    path.unlink()
    (path / "inside").mkdir(parents=True)
    (path / "inside" / "file").write_text("x")


def _link(path: Path) -> None:
    path.unlink()
    path.symlink_to(path.parent.parent / "Follow-ups.md")


CACHES: dict[str, Callable[[Path], object]] = {
    "garbage": lambda path: path.write_bytes(os.urandom(4096)),
    "json": lambda path: path.write_text('{"notes": [1, 2, 3]}'),
    "wrong-shapes": _planted_pickle,
    "directory": _directory,
    "empty": lambda path: path.write_bytes(b""),
    "damaged": lambda path: path.write_bytes(path.read_bytes().partition(b"\n")[0] + b"\n" + b"\xff" * 200),
    "fifo": lambda path: (path.unlink(), os.mkfifo(path)),
    "link": _link,
}


@pytest.mark.parametrize("plant", CACHES.values(), ids=CACHES.keys())
def test_an_unreadable_cache_is_rebuilt_with_one_line_of_notice(
    tmp_path: Path, plant: Callable[[Path], object]
) -> None:
    vault = copy_sample(tmp_path / "vault")
    copy = copy_sample(tmp_path / "copy")
    expected = run("due", copy, "--today", "2026-11-22")  # a copy with no cache: what `due` says there
    expected_stderr = expected.stderr.replace(str(copy), str(vault))
    assert_clean(run("build", vault, "--today", "2026-11-21"))
    followups = (vault / "Follow-ups.md").read_bytes()
    plant(vault / ".vaultnet" / SNAPSHOT_NAME)
    # Another day than the build's: `due` cannot print a text it kept, and so reads the snapshot.
    first = run("due", vault, "--today", "2026-11-22")
    assert_clean(first)
    assert first.stdout == expected.stdout
    notices = [line for line in first.stderr.splitlines() if line.startswith("vaultnet: ")]
    assert notices == [f"vaultnet: {UNREADABLE}"]
    assert UNREADABLE == "the cache in .vaultnet/ was unreadable and has been rebuilt"
    second = run("due", vault, "--today", "2026-11-22")  # rebuilt: nothing more to say
    assert (second.stdout, second.stderr) == (expected.stdout, expected_stderr)
    assert (vault / "Follow-ups.md").read_bytes() == followups  # what a link pointed to is left alone
    assert stat.S_ISREG((vault / ".vaultnet" / SNAPSHOT_NAME).lstat().st_mode)


SQLITE: dict[str, Callable[[Path], object]] = {
    "garbage": lambda path: path.write_bytes(os.urandom(4096)),
    "not-sqlite": lambda path: path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200),
    "empty": lambda path: path.write_bytes(b""),
    "directory": _directory,
    "fifo": lambda path: (path.unlink(), os.mkfifo(path)),
    "link": _link,
}


@pytest.mark.parametrize("plant", SQLITE.values(), ids=SQLITE.keys())
def test_an_unreadable_build_record_file_is_rebuilt_with_one_line_of_notice(
    tmp_path: Path, plant: Callable[[Path], object]
) -> None:
    """`cache.sqlite` (the last build, the views) read by the next build: the same notice, once."""
    vault = copy_sample(tmp_path / "vault")
    assert_clean(run("build", vault, "--today", "2026-11-21"))
    written = vault_files(vault)
    plant(vault / ".vaultnet" / CACHE_NAME)
    first = run("build", vault, "--today", "2026-11-21")
    assert_clean(first)
    assert [line for line in first.stderr.splitlines() if line.startswith("vaultnet: ")] == [f"vaultnet: {UNREADABLE}"]
    assert vault_files(vault) == written  # what a link pointed to is left alone
    second = run("build", vault, "--today", "2026-11-21")
    assert_clean(second)
    assert not [line for line in second.stderr.splitlines() if line.startswith("vaultnet: ")]
    assert stat.S_ISREG((vault / ".vaultnet" / CACHE_NAME).lstat().st_mode)


JOURNALS: dict[str, Callable[[Path], object]] = {
    "garbage": lambda path: path.write_bytes(os.urandom(4096)),
    "directory": lambda path: (path / "inside").mkdir(parents=True),
    "fifo": os.mkfifo,
    "link": lambda path: path.symlink_to(path.parent.parent / "Follow-ups.md"),
}


@pytest.mark.parametrize("plant", JOURNALS.values(), ids=JOURNALS.keys())
def test_a_journal_of_any_kind_is_never_followed_and_the_commands_work(
    tmp_path: Path, plant: Callable[[Path], object]
) -> None:
    """The journal is appended to after an edit and emptied by a whole save: neither may write through a link
    (to a note of the user's) or wait on a FIFO; the outputs are a cold build's."""
    vault, cold = copy_sample(tmp_path / "vault"), copy_sample(tmp_path / "cold")
    assert_clean(run("build", vault, "--today", "2026-11-21"))
    plant(vault / ".vaultnet" / JOURNAL_NAME)
    followups = (vault / "Follow-ups.md").read_bytes()
    for root in (vault, cold):
        path = root / "contacts" / "grace.md"
        path.write_text(path.read_text() + "\n- 2026-11-20 coffee: a new line\n")
        os.utime(path, ns=(OLD_NS, OLD_NS))
    for command in (["due", "--today", "2026-11-21"], ["check"]):
        said = []
        for root in (vault, cold):
            result = run(command[0], root, *command[1:])
            assert_clean(result)
            said.append((result.stdout, result.stderr.replace(str(root), "VAULT")))
        assert said[0] == said[1]
    assert (vault / "Follow-ups.md").read_bytes() == followups  # not written through the link
    assert_clean(run("build", vault, "--today", "2026-11-21"))
    assert_clean(run("build", cold, "--today", "2026-11-21"))
    assert vault_files(vault) == vault_files(cold)
    assert (vault / ".vaultnet" / "reminders.ics").read_bytes() == (cold / ".vaultnet" / "reminders.ics").read_bytes()


# -- serve under abuse --------------------------------------------------------------------------------------------


class Running:
    """A server on a free loopback port in this process, with small limits so that abuse shows quickly."""

    def __init__(self, vault: Path) -> None:
        self.logs: list[str] = []
        self.token = load_token(vault)
        self.server: Server = make_server(Session(vault), "127.0.0.1", 0, self.token, log=self.logs.append)
        self.server.request_deadline = 1.0
        self.server.max_threads = 8
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def request(self) -> bytes:
        return f"GET /{self.token}/{CALENDAR_NAME} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()

    def fetch(self) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            sock.sendall(self.request())
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        return data


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    notes = {
        "contacts/Anna.md": "---\nbirthday: 1990-11-25\n---\n",
        "contacts/Ben.md": "---\nfollow_up: 2026-11-19\n---\n",
    }
    server = Running(write_vault(tmp_path / "vault", notes, mtime_ns=OLD_NS))
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        server.thread.join(timeout=5)


def _closed_by_server(sock: socket.socket) -> bool:
    try:
        sock.setblocking(False)
        return sock.recv(1024) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_slow_clients_are_dropped_and_threads_stay_bounded(running: Running, capfd: pytest.CaptureFixture[str]) -> None:
    baseline = threading.active_count()
    slow = [socket.create_connection(("127.0.0.1", running.port), timeout=5) for _ in range(100)]
    try:
        most = 0
        request = running.request()
        for step in range(10):  # a byte every 0.1 s from each: none ever completes its request in time
            for sock in slow:
                with contextlib.suppress(OSError):  # already dropped
                    sock.send(request[step : step + 1])
            most = max(most, threading.active_count())
            time.sleep(0.1)
        assert running.fetch().startswith(b"HTTP/1.1 200 ")  # a normal client is served meanwhile
        assert most <= baseline + running.server.max_threads
        deadline = time.monotonic() + running.server.request_deadline + 3
        while not all(_closed_by_server(s) for s in slow) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(_closed_by_server(s) for s in slow)  # every slow one dropped, none held on
    finally:
        for sock in slow:
            sock.close()
    assert threading.active_count() <= baseline + running.server.max_threads
    assert "Traceback" not in capfd.readouterr().err
    assert all(running.token not in line for line in running.logs)
    dropped = [line for line in running.logs if " dropped: " in line]
    assert 0 < len(dropped) <= len(slow)  # one line at most for each
    assert {line.partition(" dropped: ")[2] for line in dropped} <= {
        "no whole request in time",
        "8 connections were open: the longest waiting was closed",
    }


def test_a_client_that_sends_nothing_is_closed_without_a_word(running: Running) -> None:
    with socket.create_connection(("127.0.0.1", running.port), timeout=5) as idle:
        deadline = time.monotonic() + running.server.request_deadline + 3
        while not _closed_by_server(idle) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _closed_by_server(idle)
    assert running.logs == []


def big_calendar(root: Path) -> Running:
    """A server (not started) whose calendar is about 4 MB: far more than the socket buffers hold."""
    long = "x" * 20_000
    notes = {f"contacts/P{n}.md": f"---\nbirthday: 1990-01-01\ninterests: [{long}]\n---\n" for n in range(200)}
    return Running(write_vault(root, notes, mtime_ns=OLD_NS))


def test_a_client_that_goes_away_mid_answer_is_one_line(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    running = big_calendar(tmp_path / "vault")
    running.thread.start()
    try:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.settimeout(10)
            sock.connect(("127.0.0.1", running.port))
            sock.sendall(running.request())
            assert sock.recv(1024).startswith(b"HTTP/1.1 200 ")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
        deadline = time.monotonic() + 5
        while not any("went away" in line for line in running.logs) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert running.fetch().startswith(b"HTTP/1.1 200 ")  # and the next client is served
    finally:
        running.server.shutdown()
        running.server.server_close()
        running.thread.join(timeout=5)
    assert [line for line in running.logs if "went away" in line] == ["127.0.0.1 went away before the answer was sent"]
    assert "Traceback" not in capfd.readouterr().err


def test_a_bad_request_line_with_the_token_is_logged_without_it(running: Running) -> None:
    with socket.create_connection(("127.0.0.1", running.port), timeout=5) as sock:
        sock.sendall(f"GET /{running.token}/{CALENDAR_NAME} and more HTTP/1.1\r\n\r\n".encode())
        assert sock.recv(4096).startswith(b"HTTP/1.1 400 ")  # http.server's message quotes the whole line
    time.sleep(0.1)
    assert running.logs and all(running.token not in line for line in running.logs)


def test_a_token_file_readable_by_others_is_made_owner_only(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    vault = write_vault(tmp_path / "vault", {})
    token = load_token(vault)
    os.chmod(token_path(vault), 0o644)
    assert load_token(vault) == token  # the same URL keeps working
    assert stat.S_IMODE(token_path(vault).stat().st_mode) == 0o600
    assert any("could be read by others: it is owner-only now" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("rotate", [False, True])
def test_a_token_file_that_is_a_link_is_refused(tmp_path: Path, rotate: bool) -> None:
    vault = write_vault(tmp_path / "vault", {})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("a" * 40 + "\n")
    os.chmod(elsewhere, 0o644)
    token_path(vault).parent.mkdir(parents=True, exist_ok=True)
    token_path(vault).symlink_to(elsewhere)
    with pytest.raises(UserError, match="is a symbolic link"):
        load_token(vault, rotate=rotate)
    assert elsewhere.read_text() == "a" * 40 + "\n" and stat.S_IMODE(elsewhere.stat().st_mode) == 0o644


def test_serve_with_a_linked_token_file_stops_with_a_message(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", {})
    token_path(vault).parent.mkdir(parents=True, exist_ok=True)
    token_path(vault).symlink_to(tmp_path / "missing")
    result = run("serve", vault, "--port", "0")
    assert result.exit_code == 2
    assert "is a symbolic link" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "missing").exists()


def test_a_client_that_does_not_read_the_answer_is_dropped(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    running = big_calendar(tmp_path / "vault")
    running.server.answer_timeout = 0.5
    running.thread.start()
    try:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", running.port))
            sock.sendall(running.request())  # and never reads
            deadline = time.monotonic() + 8
            while not any(" dropped: " in line for line in running.logs) and time.monotonic() < deadline:
                time.sleep(0.05)
        assert running.fetch().startswith(b"HTTP/1.1 200 ")
    finally:
        running.server.shutdown()
        running.server.server_close()
        running.thread.join(timeout=5)
    assert [line for line in running.logs if " dropped: " in line] == [
        "127.0.0.1 dropped: the answer was not taken in time"
    ]
    assert "Traceback" not in capfd.readouterr().err

"""`vaultnet serve`: the real server on a free loopback port, fetched with real HTTP clients."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import stat
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from icaljs import icaljs_check
from vaultkit import LATER_NS, OLD_NS, TODAY, write_vault
from vaultkit import installed_script as _script
from vaultkit import put_old as put

from vaultnet.pipeline import Session
from vaultnet.serve import CALENDAR_NAME, Server, is_loopback, load_token, make_server, token_path, urls

WAIT = 10.0

ANNA = "---\ncompany: Acme\ncircle: close\nlast_contact: 2026-11-01\nbirthday: 1990-11-25\n---\n"
BEN = "---\nname: Ben Okafor\nfollow_up: 2026-11-19\n---\n"
SECRET_WORDS = ("Anna", "Ben", "Okafor", "Acme", "contacts", ".md", "vaultnet.toml", "reminders", "vault")


class Day:
    """An injectable clock: a mutable date the test moves on."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Served:
    """A running server: where it listens, its token, its clock and what it logged."""

    root: Path
    server: Server
    token: str
    clock: Day
    logs: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def path(self) -> str:
        return f"/{self.token}/{CALENDAR_NAME}"

    def fetch(self, path: str | None = None, method: str = "GET", headers: dict[str, str] | None = None) -> Answer:
        """One request with http.client (the path is sent exactly as given)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            conn.request(method, self.path if path is None else path, headers=headers or {})
            resp = conn.getresponse()
            return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
        finally:
            conn.close()

    def raw(self, request: bytes) -> Answer:
        """Send bytes as they are and read the answer to the end: shows a body no client would read."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=WAIT) as sock:
            sock.sendall(request)
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return Answer(int(lines[0].split()[1]), headers, body)

    def raw_get(self, method: str = "GET", extra: str = "") -> Answer:
        request = f"{method} {self.path} HTTP/1.1\r\nHost: localhost\r\n{extra}Connection: close\r\n\r\n"
        return self.raw(request.encode("latin-1"))


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    notes = {"contacts/Anna.md": ANNA, "contacts/Ben.md": BEN}
    return write_vault(tmp_path / "vault", notes, '[calendar]\nname = "Served reminders"\n', mtime_ns=OLD_NS)


@pytest.fixture
def served(vault: Path) -> Iterator[Served]:
    clock = Day(TODAY)
    token = load_token(vault)
    logs: list[str] = []
    server = make_server(Session(vault), "127.0.0.1", 0, token, log=logs.append, clock=clock)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Served(vault, server, token, clock, logs)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=WAIT)


def assert_says_nothing_about_the_vault(answer: Answer, served: Served) -> None:
    text = answer.body.decode("utf-8", "replace")
    for word in (*SECRET_WORDS, served.token, str(served.root), str(served.root.parent)):
        assert word not in text, f"{word!r} in a 404 answer: {text!r}"
    assert "text/calendar" not in answer.headers.get("content-type", "")


# -- the calendar ---------------------------------------------------------------------------------------------


def test_the_right_token_gets_the_calendar(served: Served, tmp_path: Path) -> None:
    answer = served.fetch()
    assert answer.status == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert int(answer.headers["content-length"]) == len(answer.body)
    assert re.fullmatch(r'"[0-9a-f]{16,}"', answer.headers["etag"])
    modified = parsedate_to_datetime(answer.headers["last-modified"])
    assert modified.tzinfo is not None
    assert answer.body == (served.root / ".vaultnet/reminders.ics").read_bytes()  # the calendar `build` writes
    assert answer.body.startswith(b"BEGIN:VCALENDAR\r\n") and answer.body.endswith(b"END:VCALENDAR\r\n")

    ics = tmp_path / "served.ics"
    ics.write_bytes(answer.body)
    report = icaljs_check(ics, TODAY, TODAY + timedelta(days=60))
    assert report["calendar"]["name"] == "Served reminders"
    summaries = {e["summary"] for e in report["events"]}
    assert {"Get back to Ben Okafor", "Get back to Anna", "🎂 Anna (*1990)"} <= summaries
    ben = next(e for e in report["events"] if e["summary"] == "Get back to Ben Okafor")
    assert ben["occurrences"] == [{"start": "2026-11-21", "summary": "Get back to Ben Okafor"}]  # overdue: today


def test_a_query_string_does_not_matter(served: Served) -> None:
    plain = served.fetch()
    answer = served.fetch(served.path + "?refresh=1")
    assert answer.status == 200
    assert answer.body == plain.body


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/wrong-token/reminders.ics",
        "/{token}",
        "/{token}/",
        "/{token}/REMINDERS.ics",
        "/{token}/reminders.ics/",
        "/{token}/reminders.ics/x",
        "/{prefix}/reminders.ics",  # a prefix of the token
        "/{token}x/reminders.ics",
        "/reminders.ics",
        "/.vaultnet/reminders.ics",
        "/.vaultnet/token",
        "/Follow-ups.md",
        "/contacts/Anna.md",
        "/vaultnet.toml",
        "/../",
        "/%2e%2e/",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/../../etc/passwd",
        "/{token}/../vaultnet.toml",
        "/{token}/%2e%2e/vaultnet.toml",
        "/{token}/reminders.ics/../../contacts/Anna.md",
        "/{token}/reminders.ics%00",
        "/{token}%2Freminders.ics",
        "/?token={token}",
        "/" + "a" * 8000,  # a very long path
    ],
)
def test_any_other_path_is_a_404_that_says_nothing(served: Served, path: str) -> None:
    path = path.format(token=served.token, prefix=served.token[: len(served.token) // 2])
    answer = served.fetch(path)
    assert answer.status == 404
    assert answer.headers["content-type"].startswith("text/plain")
    assert_says_nothing_about_the_vault(answer, served)


def test_a_404_for_head_has_no_body(served: Served) -> None:
    answer = served.raw(b"HEAD /wrong/reminders.ics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    assert answer.status == 404
    assert answer.body == b""


def test_no_token_at_all_is_a_404(served: Served) -> None:
    answer = served.raw(b"GET / HTTP/1.0\r\n\r\n")
    assert answer.status == 404
    assert_says_nothing_about_the_vault(answer, served)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_other_methods_do_not_get_the_calendar(served: Served, method: str) -> None:
    answer = served.fetch(method=method)
    assert answer.status in (404, 405, 501)
    assert b"BEGIN:VCALENDAR" not in answer.body
    assert_says_nothing_about_the_vault(answer, served)


def test_the_log_never_shows_the_token(served: Served) -> None:
    served.fetch()
    served.fetch("/" + served.token + "/other.ics")
    served.fetch("/nothing")
    assert len(served.logs) >= 3
    assert any(" GET 200" in line for line in served.logs)
    assert any(" GET 404" in line for line in served.logs)
    assert not any(served.token in line for line in served.logs)


# -- revalidation and HEAD ------------------------------------------------------------------------------------


def test_if_none_match_with_the_etag_is_a_304_without_body(served: Served) -> None:
    etag = served.fetch().headers["etag"]
    answer = served.raw_get(extra=f"If-None-Match: {etag}\r\n")
    assert answer.status == 304
    assert answer.body == b""
    assert answer.headers["etag"] == etag
    listed = served.raw_get(extra=f'If-None-Match: "other", {etag}\r\n')
    assert listed.status == 304
    assert served.raw_get(extra='If-None-Match: "other"\r\n').status == 200


def test_the_calendar_is_never_sent_compressed(served: Served) -> None:
    """Calendar clients ask for gzip, but a feed sent gzip-encoded is reported to fail in Outlook: plain always."""
    answer = served.fetch(headers={"Accept-Encoding": "gzip, deflate, br"})
    assert answer.status == 200 and "content-encoding" not in answer.headers
    assert answer.body == (served.root / ".vaultnet/reminders.ics").read_bytes()


def test_if_modified_since_equal_to_last_modified_is_a_304(served: Served) -> None:
    first = served.fetch()
    modified = first.headers["last-modified"]
    answer = served.raw_get(extra=f"If-Modified-Since: {modified}\r\n")
    assert answer.status == 304
    assert answer.body == b""
    assert answer.headers["last-modified"] == modified


def test_an_older_or_unreadable_if_modified_since_gets_the_calendar(served: Served) -> None:
    first = served.fetch()
    older = served.fetch(headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert older.status == 200 and older.body == first.body
    garbage = served.fetch(headers={"If-Modified-Since": "yesterday-ish"})
    assert garbage.status == 200 and garbage.body == first.body


def test_if_none_match_decides_over_if_modified_since(served: Served) -> None:
    first = served.fetch()
    answer = served.fetch(headers={"If-None-Match": '"stale"', "If-Modified-Since": first.headers["last-modified"]})
    assert answer.status == 200
    assert answer.body == first.body


def test_head_gives_the_headers_and_no_body(served: Served) -> None:
    get = served.fetch()
    head = served.raw_get(method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-type"] == "text/calendar; charset=utf-8"
    assert head.headers["content-length"] == str(len(get.body))
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["last-modified"] == get.headers["last-modified"]


# -- always current -------------------------------------------------------------------------------------------


def test_a_note_changed_between_two_requests_changes_the_answer(served: Served) -> None:
    first = served.fetch()
    put(served.root, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Renamed"), mtime_ns=LATER_NS)
    second = served.fetch()
    assert second.status == 200
    assert second.headers["etag"] != first.headers["etag"]
    assert b"SUMMARY:Get back to Ben Renamed" in second.body
    assert b"Ben Okafor" not in second.body
    # A client holding the old ETag gets the new calendar, not a 304.
    stale = served.fetch(headers={"If-None-Match": first.headers["etag"]})
    assert stale.status == 200 and stale.body == second.body


def test_the_answer_follows_todays_date(served: Served) -> None:
    first = served.fetch()
    assert b"DTSTART;VALUE=DATE:20261121" in first.body  # Ben is overdue: shown on today
    served.clock.day = date(2026, 11, 22)
    second = served.fetch()
    assert second.status == 200
    assert second.headers["etag"] != first.headers["etag"]
    assert b"DTSTART;VALUE=DATE:20261122" in second.body
    assert b"(due 2026-11-19\\, 3 days overdue)" in second.body.replace(b"\r\n ", b"")  # unfolded
    assert served.fetch(headers={"If-None-Match": first.headers["etag"]}).status == 200


def test_a_changed_vaultnet_toml_changes_the_answer(served: Served) -> None:
    assert b"X-WR-CALNAME:Served reminders" in served.fetch().body
    put(served.root, "vaultnet.toml", '[calendar]\nname = "Renamed calendar"\n', mtime_ns=LATER_NS)
    assert b"X-WR-CALNAME:Renamed calendar" in served.fetch().body


def test_concurrent_fetches_all_get_the_same_calendar(served: Served) -> None:
    url = f"http://127.0.0.1:{served.port}{served.path}"
    start = threading.Barrier(20)

    def fetch(_: int) -> tuple[int, bytes]:
        start.wait(timeout=WAIT)
        with urllib.request.urlopen(url, timeout=WAIT) as resp:
            return resp.status, resp.read()

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(fetch, range(20)))
    assert [status for status, _ in answers] == [200] * 20
    bodies = {body for _, body in answers}
    assert len(bodies) == 1
    assert bodies.pop() == (served.root / ".vaultnet/reminders.ics").read_bytes()


def test_keep_alive_serves_several_requests_on_one_connection(served: Served) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=WAIT)
    try:
        bodies = []
        for _ in range(3):
            conn.request("GET", served.path)
            resp = conn.getresponse()
            assert resp.status == 200
            bodies.append(resp.read())
        conn.request("GET", "/nope")
        resp = conn.getresponse()
        assert resp.status == 404
        resp.read()
    finally:
        conn.close()
    assert bodies[0] == bodies[1] == bodies[2]


def test_a_calendar_that_cannot_be_built_is_a_503_that_says_nothing(served: Served) -> None:
    target = served.root / ".vaultnet" / "reminders.ics"
    target.unlink(missing_ok=True)
    target.mkdir(parents=True)  # the calendar cannot be written
    answer = served.fetch()
    assert answer.status == 503
    assert_says_nothing_about_the_vault(answer, served)
    assert any("could not build the calendar" in line for line in served.logs)
    target.rmdir()
    assert served.fetch().status == 200


def test_a_note_of_the_users_at_the_calendars_path_is_a_503_and_left_alone(served: Served) -> None:
    put(served.root, "vaultnet.toml", '[outputs]\ncalendar = "Calendar.ics"\n', mtime_ns=LATER_NS)
    mine = b"BEGIN:VCALENDAR\r\nPRODID:-//Someone else//EN\r\nEND:VCALENDAR\r\n"
    put(served.root, "Calendar.ics", mine)
    answer = served.fetch()
    assert answer.status == 503
    assert_says_nothing_about_the_vault(answer, served)
    assert any(
        line.startswith("could not build the calendar: nothing was written") and "[outputs] calendar" in line
        for line in served.logs
    )
    assert (served.root / "Calendar.ics").read_bytes() == mine


def test_a_calendar_turned_off_is_a_404_with_a_log_line_and_comes_back_when_on(served: Served) -> None:
    assert served.fetch().status == 200
    put(served.root, "vaultnet.toml", "[outputs]\ncalendar = false\n", mtime_ns=LATER_NS)
    answer = served.fetch()
    assert answer.status == 404
    assert answer.body == b"the calendar is turned off in vaultnet.toml\n"
    assert "the calendar is off ([outputs] calendar = false in vaultnet.toml): answered 404" in served.logs
    put(served.root, "vaultnet.toml", '[calendar]\nname = "Back on"\n', mtime_ns=LATER_NS + 1)
    back = served.fetch()
    assert back.status == 200 and b"X-WR-CALNAME:Back on" in back.body


def test_a_client_that_sends_nothing_does_not_hold_up_others(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=WAIT) as idle:
        idle.sendall(b"GET /")  # and then nothing more
        assert served.fetch().status == 200


# -- bounded requests -----------------------------------------------------------------------------------------


def test_an_oversized_header_is_refused(served: Served) -> None:
    answer = served.raw_get(extra=f"X-Big: {'a' * 9000}\r\n")
    assert answer.status == 431
    assert b"BEGIN:VCALENDAR" not in answer.body


def test_many_headers_adding_up_past_the_limit_are_refused(served: Served) -> None:
    extra = "".join(f"X-H{i}: {'b' * 100}\r\n" for i in range(90))  # ~9 KB in 90 headers
    answer = served.raw_get(extra=extra)
    assert answer.status == 431
    assert b"BEGIN:VCALENDAR" not in answer.body


def test_a_request_with_a_body_is_refused(served: Served) -> None:
    answer = served.raw_get(extra="Content-Length: 5\r\n")
    assert answer.status == 413
    assert b"BEGIN:VCALENDAR" not in answer.body


def test_headers_just_under_the_limit_are_served(served: Served) -> None:
    answer = served.raw_get(extra=f"X-Fine: {'c' * 4000}\r\n")
    assert answer.status == 200
    assert answer.body.startswith(b"BEGIN:VCALENDAR")


# -- the token ------------------------------------------------------------------------------------------------


def test_the_token_is_made_once_private_and_reused(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    root.mkdir()
    token = load_token(root)
    path = token_path(root)
    assert path == root / ".vaultnet" / "token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="ascii") == token + "\n"
    assert len(token) >= 32 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert load_token(root) == token
    assert load_token(root) == token


def test_rotating_the_token_changes_it_and_keeps_it_private(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    root.mkdir()
    old = load_token(root)
    new = load_token(root, rotate=True)
    assert new != old
    assert load_token(root) == new
    assert token_path(root).read_text(encoding="ascii") == new + "\n"
    assert stat.S_IMODE(token_path(root).stat().st_mode) == 0o600


def test_a_token_made_by_other_tools_is_private_too(tmp_path: Path) -> None:
    """A token file written by a user or restored from a backup with lax permissions is tightened on rotate."""
    root = tmp_path / "vault"
    put(root, ".vaultnet/token", "short\n")
    os.chmod(token_path(root), 0o644)
    token = load_token(root)  # too short to be a secret: replaced
    assert token != "short" and len(token) >= 32
    assert stat.S_IMODE(token_path(root).stat().st_mode) == 0o600


def test_each_vault_has_its_own_token(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    assert load_token(a) != load_token(b)


def test_the_old_token_stops_working_after_rotation(vault: Path) -> None:
    old = load_token(vault)
    new = load_token(vault, rotate=True)
    server = make_server(Session(vault), "127.0.0.1", 0, new, log=lambda _: None, clock=Day(TODAY))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        served = Served(vault, server, new, Day(TODAY))
        assert served.fetch(f"/{old}/{CALENDAR_NAME}").status == 404
        assert served.fetch().status == 200
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=WAIT)


# -- addresses ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.168.1.10", False),
        ("10.0.0.1", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_urls_give_http_and_webcal() -> None:
    assert urls("127.0.0.1", 8765, "abc_DEF-123") == (
        "http://127.0.0.1:8765/abc_DEF-123/reminders.ics",
        "webcal://127.0.0.1:8765/abc_DEF-123/reminders.ics",
    )
    assert urls("::1", 80, "t") == ("http://[::1]:80/t/reminders.ics", "webcal://[::1]:80/t/reminders.ics")


def test_a_port_in_use_is_a_clear_error(vault: Path) -> None:
    from vaultnet.problems import UserError

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(UserError, match=rf"cannot listen on 127\.0\.0\.1:{port}"):
            make_server(Session(vault), "127.0.0.1", port, "t" * 40, log=lambda _: None)


def test_ipv6_loopback_is_served(vault: Path) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        server = make_server(Session(vault), "::1", 0, "t" * 40, log=lambda _: None, clock=Day(TODAY))
    except Exception as exc:  # no ::1 configured in this sandbox
        pytest.skip(f"cannot bind ::1: {exc}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("::1", server.server_address[1], timeout=WAIT)
        conn.request("GET", f"/{'t' * 40}/{CALENDAR_NAME}")
        resp = conn.getresponse()
        assert resp.status == 200
        assert resp.read().startswith(b"BEGIN:VCALENDAR")
        conn.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=WAIT)


# -- the command ----------------------------------------------------------------------------------------------


def _read_until(proc: subprocess.Popen[str], pattern: str, seen: list[str]) -> re.Match[str]:
    """Read stderr lines (appending them to `seen`) until one matches `pattern`; the match."""
    assert proc.stderr is not None
    result: list[re.Match[str]] = []

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            seen.append(line.rstrip("\n"))
            m = re.search(pattern, line)
            if m:
                result.append(m)
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=WAIT)
    if not result:
        pytest.fail(f"no line matching {pattern!r} on stderr: {seen}")
    return result[0]


def stop(proc: subprocess.Popen[str], seen: list[str]) -> None:
    """SIGTERM must end the process with exit code 0; the rest of its stderr is added to `seen`."""
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=WAIT) == 0
    assert proc.stderr is not None
    seen += proc.stderr.read().splitlines()


def reap(proc: subprocess.Popen[str]) -> None:
    """Kill the process if it still runs (a failed test), and close its stderr."""
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    assert proc.stderr is not None
    proc.stderr.close()


def test_the_serve_command_serves_and_stops_cleanly_on_sigterm(vault: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "VAULTNET_TODAY"}
    proc = subprocess.Popen([str(_script()), "serve", str(vault), "--port", "0"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    seen: list[str] = []
    try:
        m = _read_until(proc, r"calendar: (http://127\.0\.0\.1:(\d+)/([^/\s]+)/reminders\.ics)$", seen)
        url, port, token = m.group(1), int(m.group(2)), m.group(3)
        assert port != 0
        assert token == load_token(vault)
        webcal = _read_until(proc, r"^\s+(webcal://\S+)$", seen).group(1)
        assert webcal == url.replace("http://", "webcal://")
        with urllib.request.urlopen(url, timeout=WAIT) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"] == "text/calendar; charset=utf-8"
            body = resp.read()
        assert body.startswith(b"BEGIN:VCALENDAR") and b"SUMMARY:Get back to Ben Okafor" in body
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/x/reminders.ics", timeout=WAIT)
        assert missing.value.code == 404
        stop(proc, seen)
    finally:
        reap(proc)
    assert re.fullmatch(r"\d\d:\d\d:\d\d stopped", seen[-1]), seen
    assert not any("Traceback" in line for line in seen)
    assert not any("warning" in line for line in seen)  # loopback: no warning
    assert not any(token in line for line in seen if not line.lstrip().startswith(("calendar:", "webcal:")))


def test_watch_with_serve_serves_the_calendar_it_keeps_current(vault: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "VAULTNET_TODAY"}
    proc = subprocess.Popen([str(_script()), "watch", str(vault), "--serve", "--port", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    seen: list[str] = []
    try:
        url = _read_until(proc, r"calendar: (http://127\.0\.0\.1:\d+/\S+/reminders\.ics)$", seen).group(1)
        _read_until(proc, r"\d+ due; ", seen)  # the first build
        put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Served"), mtime_ns=LATER_NS)
        with urllib.request.urlopen(url, timeout=WAIT) as resp:
            assert resp.status == 200
            assert b"SUMMARY:Get back to Ben Served" in resp.read()
        stop(proc, seen)
    finally:
        reap(proc)
    assert re.fullmatch(r"\d\d:\d\d:\d\d stopped", seen[-1]), seen
    assert not any("Traceback" in line for line in seen)

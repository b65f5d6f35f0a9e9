"""Publish the reminder calendar over HTTP, for calendar apps to subscribe to.

The URL carries a secret token (kept in `.vaultnet/token`); every other path answers 404 and says nothing
about the vault (while the calendar is off, `[outputs] calendar = false`, its own path answers 404 too, and the
log says why). Each request answers with the calendar for the vault as it is now and for today, from memory: a
watcher (`watch.Watcher`, the one of `watch --serve` or the server's own) rebuilds it when files change, and a
request first waits until the watcher has seen every change made before it. ETag and Last-Modified let clients
revalidate cheaply (304). Standard library only: a ThreadingHTTPServer with bounded requests.

Under abuse: a request (its line and headers) must arrive whole within `Server.request_deadline` seconds,
however slowly its bytes trickle in, and an answer be taken within `Server.answer_timeout`; at most
`Server.max_threads` connections hold a thread, and when all do, the one that has been waiting longest for its
request is dropped to make room. A client that goes away, or is dropped, is one line in the log, never a
traceback. The token file is owner-only: tightened if it is not, refused if it is a link.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import ipaddress
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

from vaultnet.config import CONFIG_NAME
from vaultnet.deadline import Deadline, TooSlow
from vaultnet.pipeline import Session
from vaultnet.problems import UserError
from vaultnet.token_file import TOKEN_NAME as TOKEN_NAME  # the token's file and functions, where they were
from vaultnet.token_file import load_token as load_token
from vaultnet.token_file import token_path as token_path
from vaultnet.vault import Fingerprint, fingerprint
from vaultnet.watch import Report, Watcher

CALENDAR_NAME = "reminders.ics"
MAX_HEADER_BYTES = 8192
REQUEST_DEADLINE = 5.0  # seconds for a request's line and headers, however slowly they trickle in
ANSWER_TIMEOUT = 30.0  # seconds a client may take to read an answer
MAX_THREADS = 32  # connections served at once, each with its thread
RETRY_AFTER = 1.0  # seconds before a request builds again a calendar that could not be built
_EPOCH = datetime.fromtimestamp(0, UTC)
_LAST_SECOND = 253402300799  # 9999-12-31 23:59:59 UTC: the latest Last-Modified there is


def is_loopback(host: str) -> bool:
    """Only this machine can connect (an empty host or 0.0.0.0 means every interface)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class _Built:
    """The calendar as the last build left it: read once per build, not per request."""

    body: bytes | None  # None: turned off, or not built (`error`)
    etag: str = ""
    modified: datetime = _EPOCH
    path: Path | None = None
    fingerprint: Fingerprint | None = None  # the file's, then: another one means it changed since
    error: str | None = None
    at: float = 0.0  # when (monotonic)


class Calendar:
    """The calendar held in memory, kept current by `watcher` (its listener). Before it answers, a request waits
    until the watcher has seen every file event from before it (`Marker.caught_up`) and lets it build what they
    named; it builds too when the day changed or the calendar's file is not the one built (edited, removed),
    and retries a failed build at most once a second."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher
        self._built: _Built | None = None
        watcher.listeners.append(self._take)

    def current(self) -> tuple[bytes, str, datetime] | None:
        """(body, ETag, Last-Modified); None while the calendar is off (`[outputs] calendar = false`). Never
        compressed: the team's notes record Outlook failing on a gzip-encoded feed (docs/live.md)."""
        self.watcher.marker.caught_up()
        self.watcher.refresh(self._stale)
        built = self._built
        if built is None or built.error is not None:
            raise UserError(built.error if built is not None and built.error else "the calendar was not built")
        if built.body is None:
            return None
        return built.body, built.etag, built.modified

    def _path(self) -> Path | None:
        rel = self.watcher.session.settings.calendar_path
        return None if rel is None else self.watcher.session.root / rel

    def _stale(self) -> bool:
        """Whether to build although no event named a file (asked under the watcher's lock)."""
        built = self._built
        if built is None or (built.error is not None and time.monotonic() - built.at >= RETRY_AFTER):
            return True
        return built.path != self._path() or (built.path is not None and fingerprint(built.path) != built.fingerprint)

    def _take(self, report: Report) -> None:
        """After each build, under the watcher's lock: the calendar's bytes read once, its ETag made once."""
        path = self._path()
        found = None if path is None else fingerprint(path)
        now = time.monotonic()
        if report.error is not None or path is None:
            self._built = _Built(None, path=path, fingerprint=found, error=report.error, at=now)
            return
        old = self._built
        if old is not None and old.body is not None and (old.path, old.fingerprint) == (path, found):
            return  # not written again: the bytes held are the file's
        try:
            body = path.read_bytes()
        except OSError as exc:
            self._built = _Built(None, path=path, fingerprint=found, error=f"{type(exc).__name__}: {exc}", at=now)
            return
        seconds = 0 if found is None else found.mtime_ns // 1_000_000_000
        modified = datetime.fromtimestamp(min(max(seconds, 0), _LAST_SECOND), UTC)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        self._built = _Built(body, etag, modified, path, found, at=now)


class _Handler(BaseHTTPRequestHandler):
    """Answers the calendar at the secret path, 404 elsewhere; `make_handler` gives it its calendar."""

    calendar: Calendar
    expected: bytes  # the one path that answers: /TOKEN/reminders.ics
    report: Callable[[str], None]

    server_version = "vaultnet"
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version

    protocol_version = "HTTP/1.1"
    server: Server

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the socket's own reader: replaced by one that keeps the deadline
        self.reader = Deadline(self.connection)
        self.rfile = io.BufferedReader(self.reader)

    def handle_one_request(self) -> None:
        """One request, whose line and headers must arrive within the deadline; until they have, the server
        may drop the connection to make room."""
        self.reader.until = time.monotonic() + self.server.request_deadline
        self.reader.received = 0
        self.server.waiting(self.reader)
        try:
            super().handle_one_request()
        finally:
            self.server.answering(self.reader)

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        path = self.path.split("?", 1)[0].encode("latin-1", "replace")
        if not hmac.compare_digest(path, self.expected):  # constant time: the token is the only secret
            self._plain(HTTPStatus.NOT_FOUND, b"not found\n", head)
            return
        try:
            current = self.calendar.current()
        except Exception as exc:
            problem = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
            self.report(f"could not build the calendar: {problem}")
            self._plain(HTTPStatus.SERVICE_UNAVAILABLE, b"the calendar could not be built\n", head)
            return
        if current is None:  # turned off on purpose: it does not exist (503 would have clients retry)
            self.report(f"the calendar is off ([outputs] calendar = false in {CONFIG_NAME}): answered 404")
            self._plain(HTTPStatus.NOT_FOUND, b"the calendar is turned off in vaultnet.toml\n", head)
            return
        body, etag, modified = current
        if self._not_modified(etag, modified):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", format_datetime(modified, usegmt=True))
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", format_datetime(modified, usegmt=True))
        self.send_header("Cache-Control", "private, max-age=0, must-revalidate")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _not_modified(self, etag: str, modified: datetime) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:  # when both are sent, If-None-Match decides (RFC 9110)
            return etag in [m.strip() for m in match.split(",")] or match.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return modified <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def _plain(self, status: HTTPStatus, body: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def parse_request(self) -> bool:
        if not super().parse_request() or not self.server.answering(self.reader):
            return False
        self.connection.settimeout(self.server.answer_timeout)  # for the whole answer (sendall's timeout)
        size = sum(len(k) + len(v) for k, v in self.headers.items())
        if size > MAX_HEADER_BYTES or self.headers.get("Content-Length", "0") not in ("0", ""):
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE if size > MAX_HEADER_BYTES else 413)
            return False
        return True

    def log_message(self, format: str, *args: object) -> None:
        # Never log the path: it holds the token.
        if len(args) >= 2 and isinstance(args[1], str):
            self.report(f"{self.address_string()} {self.command or '-'} {args[1]}")

    def log_error(self, format: str, *args: Any) -> None:
        # http.server's messages quote the request line, which holds the token: an error answer is logged by
        # its status (log_request), a connection dropped for taking too long as one line of our own words.
        if not args or not isinstance(args[0], TimeoutError):
            return
        if not isinstance(args[0], TooSlow):
            self.report(f"{self.address_string()} dropped: the answer was not taken in time")
        elif self.reader.received:  # a connection that sent nothing (kept alive, or opened ahead) closes quietly
            self.report(f"{self.address_string()} dropped: {args[0]}")


def make_handler(calendar: Calendar, token: str, log: Callable[[str], None]) -> type[BaseHTTPRequestHandler]:
    """The request handler class for one calendar and its token (http.server makes one object per request)."""
    fields = {"calendar": calendar, "expected": f"/{token}/{CALENDAR_NAME}".encode(), "report": staticmethod(log)}
    return type("Handler", (_Handler,), fields)


class Server(ThreadingHTTPServer):
    """A thread per connection, at most `max_threads` of them; the one waiting longest for its request is
    dropped to make room for a new connection (see the module's docstring)."""

    daemon_threads = True
    request_queue_size = 64
    request_deadline = REQUEST_DEADLINE
    answer_timeout = ANSWER_TIMEOUT
    max_threads = MAX_THREADS
    _watching: tuple[Watcher, threading.Thread] | None = None  # its own watcher (`serve`); a failed bind closes early

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.log: Callable[[str], None] = lambda _: None
        self._room = threading.Condition()
        self._busy = 0  # connections with a thread
        self._waiting: dict[Deadline, None] = {}  # those waiting for their request, the longest first

    def keep_current(self, watcher: Watcher) -> None:
        """Run `watcher` in a thread of its own until the server shuts down; it watches from now on."""
        try:
            watcher.start()
        except BaseException:
            self.server_close()
            raise
        self._watching = watcher, threading.Thread(target=watcher.run, name="vaultnet-watch", daemon=True)
        self._watching[1].start()

    def shutdown(self) -> None:
        super().shutdown()
        self._stop_watching()

    def server_close(self) -> None:
        super().server_close()
        self._stop_watching()

    def _stop_watching(self) -> None:
        watching, self._watching = self._watching, None
        if watching is not None:
            watching[0].stop()
            watching[1].join(timeout=10)

    def waiting(self, reader: Deadline) -> None:
        with self._room:
            self._waiting[reader] = None

    def answering(self, reader: Deadline) -> bool:
        """The request is in: the connection is no longer droppable (False: it was dropped already)."""
        with self._room:
            self._waiting.pop(reader, None)
        return not reader.dropped

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._room:
            if self._busy >= self.max_threads:
                if not self._waiting:  # every thread is answering: this one waits for none of them
                    self._refuse(request, client_address)
                    return
                oldest = next(iter(self._waiting))
                del self._waiting[oldest]
                oldest.drop(f"{self.max_threads} connections were open: the longest waiting was closed")
                if not self._room.wait_for(lambda: self._busy < self.max_threads, timeout=1.0):
                    self._refuse(request, client_address)
                    return
            self._busy += 1
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread could be started
            self._leave()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._leave()

    def _leave(self) -> None:
        with self._room:
            self._busy -= 1
            self._room.notify()

    def _refuse(self, request: socket.socket, client_address: Any) -> None:
        """A 503 without a thread: every thread is busy answering."""
        with contextlib.suppress(OSError):
            request.setblocking(False)
            request.send(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 10\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")  # fmt: skip
        self.shutdown_request(request)
        self.log(f"{client_address[0]} refused: {self.max_threads} connections are being answered")

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line for a connection that failed, never a traceback (a client that went away mid-answer)."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            self.log(f"{client_address[0]} went away before the answer was sent")
        else:
            self.log(f"{client_address[0]} {type(exc).__name__}: {exc}")


class Server6(Server):
    address_family = socket.AF_INET6


def make_server(
    session: Session,
    host: str,
    port: int,
    token: str,
    *,
    log: Callable[[str], None],
    clock: Callable[[], date] = date.today,
    lock: threading.Lock | None = None,
    watcher: Watcher | None = None,
) -> Server:
    """A server of the calendar that `watcher` keeps current (`watch --serve`); without one, the server runs its
    own (`serve`: for `session`, with `clock` and `lock`) for as long as it runs."""
    own = watcher is None
    if watcher is None:
        watcher = Watcher(session.root, log=log, clock=clock, session=session, lock=lock)
    calendar = Calendar(watcher)
    try:
        server_class = Server6 if ":" in host else Server
        server = server_class((host, port), make_handler(calendar, token, log))
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    server.log = log
    if own:
        server.keep_current(watcher)
    return server


def urls(host: str, port: int, token: str) -> tuple[str, str]:
    """The http:// and webcal:// URLs of the calendar."""
    shown = f"[{host}]" if ":" in host else host
    path = f"/{quote(token)}/{CALENDAR_NAME}"
    return f"http://{shown}:{port}{path}", f"webcal://{shown}:{port}{path}"

"""Publish the reminder calendar over HTTP, for calendar apps to subscribe to.

The URL carries a secret token (kept in `.vaultnet/token`); every other path answers 404 and says nothing
about the vault (while the calendar is off, `[outputs] calendar = false`, its own path answers 404 too, and the
log says why). Each request answers with the calendar for the vault as it is now and for today: the
vault is rebuilt first, which costs next to nothing when no note changed. ETag and Last-Modified let
clients revalidate cheaply (304). Standard library only: a ThreadingHTTPServer with bounded requests.

Under abuse: a request (its line and headers) must arrive whole within `Server.request_deadline` seconds,
however slowly its bytes trickle in, and an answer be taken within `Server.answer_timeout`; at most
`Server.max_threads` connections hold a thread, and when all do, the one that has been waiting longest for its
request is dropped to make room. A client that goes away, or is dropped, is one line in the log, never a
traceback. The token file is owner-only: tightened if it is not, refused if it is a link.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import io
import ipaddress
import logging
import os
import secrets
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

from vaultnet.config import CACHE_DIR, CONFIG_NAME
from vaultnet.pipeline import Session
from vaultnet.problems import UserError
from vaultnet.vault import check_no_links, private_dir, write_atomic

TOKEN_NAME = "token"
CALENDAR_NAME = "reminders.ics"
MAX_HEADER_BYTES = 8192
REQUEST_DEADLINE = 5.0  # seconds for a request's line and headers, however slowly they trickle in
ANSWER_TIMEOUT = 30.0  # seconds a client may take to read an answer
MAX_THREADS = 32  # connections served at once, each with its thread
_log = logging.getLogger(__name__)
_LAST_SECOND = 253402300799  # 9999-12-31 23:59:59 UTC: the latest Last-Modified there is


def token_path(root: Path) -> Path:
    return root / CACHE_DIR / TOKEN_NAME


def load_token(root: Path, rotate: bool = False) -> str:
    """The vault's secret token, made on first use (or anew with `rotate`); readable by the owner only: a
    token file that others may read is made owner-only (with a notice), one that is a link is refused."""
    path = token_path(root)
    private_dir(path.parent)  # refuses a folder that is a link: the token is never read or written through one
    token = "" if rotate else _read_token(path)
    if len(token) >= 32:
        return token
    token = secrets.token_urlsafe(32)
    check_no_links(root, path)  # before the open below, which would create the file where a link leads
    # Create the file owner-only before anything is in it: write_atomic keeps an existing file's mode, so the
    # token is never readable by others, not even for a moment.
    os.close(_open_token(path, os.O_WRONLY | os.O_CREAT))
    write_atomic(path, token.encode() + b"\n", root=root)
    return token


def _open_token(path: Path, flags: int) -> int:
    """The token file opened (never through a link, never blocking on a FIFO), owner-only from here on."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UserError(f"{path} is a symbolic link: the secret token is kept only in a file of its own "
                            "(remove the link)") from None  # fmt: skip
        raise
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise UserError(f"{path} is not a file: the secret token is kept only in a file of its own")
        if stat.S_IMODE(status.st_mode) & 0o077:
            os.fchmod(fd, 0o600)
            _log.warning(f"{path} could be read by others: it is owner-only now (a rotated token makes a new URL)")
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read_token(path: Path) -> str:
    """The token in the file, "" when there is none (or no file)."""
    try:
        fd = _open_token(path, os.O_RDONLY)
    except FileNotFoundError:
        return ""
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(4096)
    try:
        return data.decode("ascii").strip()
    except UnicodeDecodeError:
        return ""


def is_loopback(host: str) -> bool:
    """Only this machine can connect (an empty host or 0.0.0.0 means every interface)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Calendar:
    """The current calendar: rebuilt (cheaply) on each request, under the lock shared with a watcher."""

    def __init__(self, session: Session, clock: Callable[[], date], lock: threading.Lock) -> None:
        self.session = session
        self.clock = clock
        self.lock = lock

    def current(self) -> tuple[bytes, str, datetime] | None:
        """(body, ETag, Last-Modified); None while the calendar is off (`[outputs] calendar = false`)."""
        with self.lock:
            self.session.reload_settings()
            if self.session.settings.calendar_path is None:
                return None
            self.session.build(self.clock())
            path = self.session.root / self.session.settings.calendar_path
            body = path.read_bytes()
            modified = datetime.fromtimestamp(min(max(int(path.stat().st_mtime), 0), _LAST_SECOND), UTC)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return body, etag, modified


class _TooSlow(TimeoutError):
    """A request that did not arrive whole in time, or a connection dropped to make room: the message says which."""


class _Deadline(io.RawIOBase):
    """A connection's bytes until a deadline (`until`, on the monotonic clock): each read waits at most until
    then, so a client that sends a byte at a time cannot stretch its request past it. `drop` ends the wait at
    once, from another thread."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock
        self.until = 0.0
        self.why = "no whole request in time"
        self.dropped = False
        self.received = 0  # bytes of the request so far (none: an idle connection, closed without a word)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.until - time.monotonic()
        if left <= 0 or self.dropped:
            raise _TooSlow(self.why)
        self.sock.settimeout(left)
        try:
            count = self.sock.recv_into(buffer)
        except TimeoutError:
            raise _TooSlow(self.why) from None
        if self.dropped:
            raise _TooSlow(self.why)
        self.received += count
        return count

    def drop(self, why: str) -> None:
        self.why, self.dropped = why, True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the thread waiting in recv


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
        self.reader = _Deadline(self.connection)
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
        if not isinstance(args[0], _TooSlow):
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

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.log: Callable[[str], None] = lambda _: None
        self._room = threading.Condition()
        self._busy = 0  # connections with a thread
        self._waiting: dict[_Deadline, None] = {}  # those waiting for their request, the longest first

    def waiting(self, reader: _Deadline) -> None:
        with self._room:
            self._waiting[reader] = None

    def answering(self, reader: _Deadline) -> bool:
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
) -> Server:
    calendar = Calendar(session, clock, lock or threading.Lock())
    try:
        server_class = Server6 if ":" in host else Server
        server = server_class((host, port), make_handler(calendar, token, log))
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    server.log = log
    return server


def urls(host: str, port: int, token: str) -> tuple[str, str]:
    """The http:// and webcal:// URLs of the calendar."""
    shown = f"[{host}]" if ":" in host else host
    path = f"/{quote(token)}/{CALENDAR_NAME}"
    return f"http://{shown}:{port}{path}", f"webcal://{shown}:{port}{path}"

"""Publish the reminder calendar over HTTP, for calendar apps to subscribe to.

The URL carries a secret token (kept in `.vaultnet/token`); every other path answers 404 and says nothing
about the vault (while the calendar is off, `[outputs] calendar = false`, its own path answers 404 too, and the
log says why). Each request answers with the calendar for the vault as it is now and for today: the
vault is rebuilt first, which costs next to nothing when no note changed. ETag and Last-Modified let
clients revalidate cheaply (304). Standard library only: a ThreadingHTTPServer with bounded requests.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

from vaultnet.config import CACHE_DIR, CONFIG_NAME
from vaultnet.pipeline import Session
from vaultnet.problems import UserError
from vaultnet.safeio import NOFOLLOW, Refused, read_regular
from vaultnet.vault import check_no_links, private_dir, write_atomic

TOKEN_NAME = "token"
CALENDAR_NAME = "reminders.ics"
MAX_HEADER_BYTES = 8192
HEADER_TIMEOUT = 10.0  # seconds a client may take to send its request


def token_path(root: Path) -> Path:
    return root / CACHE_DIR / TOKEN_NAME


def load_token(root: Path, rotate: bool = False) -> str:
    """The vault's secret token, made on first use (or anew with `rotate`); readable by the owner only."""
    path = token_path(root)
    private_dir(path.parent)  # refuses a folder that is a link: the token is never read or written through one
    if not rotate:
        try:
            token = (read_regular(path, 4096) or b"").decode("ascii").strip()
        except (Refused, UnicodeDecodeError):
            token = ""  # a link, a FIFO, garbage: a new token replaces it (write_atomic refuses a link)
        if len(token) >= 32:
            return token
    token = secrets.token_urlsafe(32)
    check_no_links(root, path)  # before the open below, which would create the file where a link leads
    # Create the file owner-only before anything is in it: write_atomic keeps an existing file's mode, so the
    # token is never readable by others, not even for a moment.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | NOFOLLOW, 0o600))
    os.chmod(path, 0o600)
    write_atomic(path, token.encode() + b"\n", root=root)
    return token


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
            modified = datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return body, etag, modified


class _Handler(BaseHTTPRequestHandler):
    """Answers the calendar at the secret path, 404 elsewhere; `make_handler` gives it its calendar."""

    calendar: Calendar
    expected: bytes  # the one path that answers: /TOKEN/reminders.ics
    report: Callable[[str], None]

    server_version = "vaultnet"
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version

    timeout = HEADER_TIMEOUT  # applies to reading the request: a slow client cannot hold a thread
    protocol_version = "HTTP/1.1"

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
        if not super().parse_request():
            return False
        size = sum(len(k) + len(v) for k, v in self.headers.items())
        if size > MAX_HEADER_BYTES or self.headers.get("Content-Length", "0") not in ("0", ""):
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE if size > MAX_HEADER_BYTES else 413)
            return False
        return True

    def log_message(self, format: str, *args: object) -> None:
        # Never log the path: it holds the token.
        if len(args) >= 2 and isinstance(args[1], str):
            self.report(f"{self.address_string()} {self.command} {args[1]}")


def make_handler(calendar: Calendar, token: str, log: Callable[[str], None]) -> type[BaseHTTPRequestHandler]:
    """The request handler class for one calendar and its token (http.server makes one object per request)."""
    fields = {"calendar": calendar, "expected": f"/{token}/{CALENDAR_NAME}".encode(), "report": staticmethod(log)}
    return type("Handler", (_Handler,), fields)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64


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
        return server_class((host, port), make_handler(calendar, token, log))
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def urls(host: str, port: int, token: str) -> tuple[str, str]:
    """The http:// and webcal:// URLs of the calendar."""
    shown = f"[{host}]" if ":" in host else host
    path = f"/{quote(token)}/{CALENDAR_NAME}"
    return f"http://{shown}:{port}{path}", f"webcal://{shown}:{port}{path}"

"""The long-running commands for ``bench_paths.py``: ``vaultnet watch`` and ``vaultnet serve`` as real processes.

watch: the time from saving a contact note to the calendar on disk holding the saved line. The child is
``vaultnet watch VAULT``; its clock is the real day (the command has no ``--today``), so each saved line is a
log line dated today with a unique marker, at the top of ``## Log`` of a contact with a birthday event: the
marker then shows in that event's "Last contact" line. This process polls the calendar's ``stat`` every 2 ms;
the time is taken when the file changed, and counts once the file then read holds the marker (a changed
file without it is read again for a moment: it may have been written in place). A first save
(not timed) also waits for the watcher's first build.

serve: ``vaultnet serve VAULT --port 0``; the URL with its token is read from what the command prints. After
one request that is not timed (the first may build), ``clients`` threads each keep one HTTP/1.1 connection
(``http.client``) and ask for the calendar again and again for ``seconds``: requests answered per second, and
the slowest answer. Twice: plain GETs (the whole calendar each time) and revalidations (``If-None-Match`` with
the ETag, answered 304 without a body), which is what a subscribed calendar app sends on each poll.

Children are stopped with SIGTERM (SIGKILL after 30 s), by their own handle.
"""

from __future__ import annotations

import http.client
import random
import re
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from bench_build import ChildError
from bench_watch import add_log_line, shows_last_contact
from paths_children import Metric, child_env, cli_command

POLL_S = 0.002  # how often the calendar's stat is looked at
RECHECK_S = 0.02  # how often a changed calendar without the marker is read again ...
RECHECK_WINDOW_S = 0.5  # ... for this long after the change
URL = re.compile(r"http://\S+")


class Service:
    """A vaultnet command that runs until stopped; its output goes to a file (a pipe could fill up and stall it)."""

    def __init__(self, args: Sequence[str], log: Path) -> None:
        self.args = list(args)
        self.log_path = log
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Service:
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(cli_command(*self.args), env=child_env(), stdout=out, stderr=out)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def log(self) -> str:
        """Everything the command printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def check_alive(self) -> None:
        """Raise ChildError if the command has ended."""
        if self.proc is not None and self.proc.poll() is not None:
            raise ChildError(f"vaultnet {' '.join(self.args)} exited {self.proc.returncode}:\n{self.log()[-2000:]}")


# --------------------------------------------------------------------------------------------
# watch
# --------------------------------------------------------------------------------------------


def _stat_key(path: Path) -> tuple[int, int, int] | None:
    """What changes when the file is written (or replaced); None while there is none."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _holds(path: Path, marker: bytes) -> bool:
    """Whether the file holds ``marker`` (also when iCalendar's line folding split it)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return False
    return marker in data or marker in data.replace(b"\r\n ", b"")


def save_and_wait(service: Service, calendar: Path, note: Path, marker: str, limit: float) -> float:
    """Save a log line with ``marker`` into ``note``; seconds until the calendar on disk holds it.

    The time is taken when the file's ``stat`` changed. A change whose content does not hold the marker yet (a
    file written in place, not yet whole) is read again every ``RECHECK_S`` for a while: a later write in the
    same clock tick and of the same size would not change the ``stat``."""
    seen = _stat_key(calendar)
    recheck_until = 0.0
    started = time.perf_counter()
    add_log_line(note, f"- {date.today().isoformat()} call: {marker} #gave")
    while (now := time.perf_counter()) - started < limit:
        key = _stat_key(calendar)
        if key != seen or now < recheck_until:
            if key != seen:
                seen, recheck_until = key, now + RECHECK_WINDOW_S
            if _holds(calendar, marker.encode()):
                return now - started
        service.check_alive()
        time.sleep(RECHECK_S if now < recheck_until else POLL_S)
    raise ChildError(f"{note.name}: the calendar did not show the saved line within {limit:.0f} s")


def measure_watch(root: Path, contacts: Sequence[Path], edits: int, pause: float, limit: float, seed: int) -> Metric:
    """Run ``vaultnet watch`` on ``root`` and time ``edits`` saves (see the module's docstring)."""
    metric = Metric()
    eligible = [p for p in contacts if shows_last_contact(p, date.today())]
    if len(eligible) < edits + 1:
        metric.error = f"only {len(eligible)} contacts with a birthday event to edit"
        return metric
    chosen = random.Random(seed + 3).sample(eligible, edits + 1)
    calendar = root / ".vaultnet" / "reminders.ics"
    try:
        with Service(["watch", str(root)], root.parent / "watch.log") as service:
            first = save_and_wait(service, calendar, chosen[0], "pbench-watch-000-z", limit)
            for i, note in enumerate(chosen[1:], 1):
                time.sleep(pause)
                metric.runs.append(save_and_wait(service, calendar, note, f"pbench-watch-{i:03d}-z", limit))
        metric.note = f"start + first save {first:.2f} s (not counted)"
    except (ChildError, OSError) as exc:
        metric.error = str(exc)
    return metric


# --------------------------------------------------------------------------------------------
# serve
# --------------------------------------------------------------------------------------------


@dataclass
class Load:
    """What the clients of one load run saw."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _client(
    url: str, headers: dict[str, str], expect: int, window: list[float], load: Load, go: threading.Barrier
) -> None:
    """One client: one connection (opened again if the server closes it), requests until ``window[0]``."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)
    mine: list[float] = []
    buffer = bytearray(1 << 20)  # the body is read into it and dropped: at 100k it is 130 MB, 20 times over
    go.wait()
    stop = window[0]
    while time.perf_counter() < stop:
        started = time.perf_counter()
        try:
            conn.request("GET", parts.path, headers=headers)
            response = conn.getresponse()
            size = first = response.readinto(buffer)
            head = bytes(buffer[:15])
            while first and (count := response.readinto(buffer)):
                size += count
            if response.status != expect or (expect == 200 and head != b"BEGIN:VCALENDAR"):
                raise ChildError(f"answered {response.status}, {size} bytes")
            mine.append(time.perf_counter() - started)
        except (OSError, http.client.HTTPException, ChildError) as exc:
            with load.lock:
                load.errors.append(f"{type(exc).__name__}: {exc}")
            conn.close()
            time.sleep(0.05)
    conn.close()
    with load.lock:
        load.latencies += mine


def load_run(url: str, headers: dict[str, str], expect: int, clients: int, seconds: float) -> tuple[float, Load]:
    """``clients`` threads asking for ``url`` for ``seconds``; (elapsed until the last answer, what they saw)."""
    load = Load()
    go = threading.Barrier(clients + 1)
    window = [0.0]  # when to stop: set once every thread is started and waiting at the barrier
    threads = [
        threading.Thread(target=_client, args=(url, headers, expect, window, load, go), daemon=True)
        for _ in range(clients)
    ]
    for t in threads:
        t.start()
    started = time.perf_counter()
    window[0] = started + seconds
    go.wait()
    for t in threads:
        t.join()
    return time.perf_counter() - started, load


def served_url(service: Service, limit: float) -> str:
    """The calendar's URL (with its token) as the command printed it."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        found = URL.search(service.log())
        if found:
            return found.group(0)
        service.check_alive()
        time.sleep(0.05)
    raise ChildError(f"vaultnet serve printed no http:// URL within {limit:.0f} s")


def first_answer(url: str, limit: float) -> str:
    """One GET that is not timed (the server may build first); the calendar's ETag."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=limit)
    try:
        conn.request("GET", parts.path)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if response.status != 200 or not body.startswith(b"BEGIN:VCALENDAR"):
        raise ChildError(f"the first request was answered {response.status}: {body[:200]!r}")
    return response.getheader("ETag") or ""


def measure_serve(root: Path, clients: int, seconds: float, limit: float) -> tuple[Metric, Metric]:
    """(plain GETs, revalidations) against ``vaultnet serve``: runs are [req/s], ``extra`` has the max latency."""
    full, again = Metric(), Metric()
    try:
        with Service(["serve", str(root), "--port", "0"], root.parent / "serve.log") as service:
            url = served_url(service, limit)
            etag = first_answer(url, limit)
            for metric, headers, expect in ((full, {}, 200), (again, {"If-None-Match": etag}, 304)):
                if expect == 304 and not etag:
                    metric.error = "no ETag in the answer: nothing to revalidate"
                    continue
                elapsed, load = load_run(url, headers, expect, clients, seconds)
                metric.runs.append(len(load.latencies) / elapsed)
                metric.extra = {
                    "max_latency_s": max(load.latencies, default=float("nan")),
                    "requests": len(load.latencies),
                }
                if load.errors:
                    metric.error = f"{len(load.errors)} failed request(s), first: {load.errors[0]}"
    except (ChildError, OSError) as exc:
        full.error = again.error = str(exc)
    return full, again

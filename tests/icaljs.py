"""Check .ics output with Mozilla's ical.js (the parser inside Thunderbird) via Node.js.

Runs ``tests/js/icaljs_check.mjs`` and returns its JSON report (calendar props, events and their
occurrences within a date range). Needs ``node`` and ``npm ci --prefix tests/js``.
"""

from __future__ import annotations

import datetime
import json
import pathlib
import shutil
import subprocess
from typing import Any

JS_DIR = pathlib.Path(__file__).resolve().parent / "js"
SCRIPT = JS_DIR / "icaljs_check.mjs"
_SETUP_HINT = "run `npm ci --prefix tests/js` from the repository root (needs Node.js >= 18)"


def icaljs_check(
    ics_path: pathlib.Path, start: datetime.date, end: datetime.date, *, default_event: bool = False
) -> dict[str, Any]:
    """Parse ``ics_path`` with ical.js and expand occurrences within ``[start, end]`` (inclusive).

    Overrides (RECURRENCE-ID) are related to the series of their own UID; with ``default_event`` each event
    is read by ical.js's default ``new ICAL.Event(vevent)`` instead, which relates every override in the
    calendar to every series (what a viewer that does nothing more shows).

    Raises ``RuntimeError`` if Node.js or ical.js is not installed, ``AssertionError`` if ical.js
    rejects the file or the check script fails.
    """
    node = shutil.which("node")
    if node is None:
        raise RuntimeError(f"`node` not found on PATH; install Node.js, then {_SETUP_HINT}")
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        raise RuntimeError(f"ical.js is not installed in {JS_DIR / 'node_modules'}; {_SETUP_HINT}")

    args = [node, str(SCRIPT), str(pathlib.Path(ics_path).resolve()), start.isoformat(), end.isoformat()]
    proc = subprocess.run(
        [*args, "default"] if default_event else args,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=JS_DIR,
        timeout=120,
        check=False,
    )
    details = f"exit code {proc.returncode}\nstdout: {proc.stdout.strip()}\nstderr: {proc.stderr.strip()}"
    try:
        report: dict[str, Any] = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"ical.js check failed for {ics_path}: {details}") from None
    if "error" in report:
        raise AssertionError(f"ical.js rejected {ics_path}: {report['error']}\n{details}")
    if proc.returncode != 0:
        raise AssertionError(f"ical.js check failed for {ics_path}: {details}")
    truncated = [ev["uid"] for ev in report["events"] if ev["truncated"]]
    if truncated:
        raise AssertionError(f"ical.js expansion stopped after 5000 iterations for UIDs {truncated}")
    return report

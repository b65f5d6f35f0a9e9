"""LinkedIn's Connections.csv (Settings > Data privacy > Get a copy of your data) as `Person`s."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from vaultnet.contacts_io import Person, Reading, decode_export
from vaultnet.identity import normal_url
from vaultnet.problems import Problem

LINKEDIN_CIRCLE = "dormant"  # connections surface through reconnect suggestions, not as a flood of follow-ups
LINKEDIN_COLUMNS = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On")
# csv's own limit (128 KiB a field) raised, so that one long field does not end the import; a field longer than
# this is a problem for its row, and the rows after it are still read.
FIELD_LIMIT = 10 * 1024 * 1024
# No name, company, position, e-mail or profile URL that LinkedIn writes comes near this many characters: a row
# with a longer one is skipped with a problem rather than written into a note as it is.
LONGEST_VALUE = 4096


def read_linkedin(data: bytes, path: str) -> Reading:
    """LinkedIn's Connections.csv as exported today: some lines of notes, then the header row."""
    text, problems = decode_export(path, data)
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if line.startswith("First Name,")), None)
    if header is None:
        problem = Problem(path, 1, "no header row starting with 'First Name,': not LinkedIn's Connections.csv")
        return Reading(problems=[*problems, problem])
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)  # process-wide; raised only, never lowered below what another set
    reader = csv.DictReader(io.StringIO("\n".join(lines[header:])))
    missing = [c for c in ("First Name", "Last Name") if c not in (reader.fieldnames or [])]
    if missing:
        return Reading(problems=[*problems, Problem(path, header + 1, f"the header row lacks {', '.join(missing)}")])
    reading = Reading(problems=problems)
    for line, row in _rows(reader, path, header, problems):
        person = _person(row, path, line, problems)
        if person is not None:
            reading.people.append(person)
    return reading


def _rows(
    reader: csv.DictReader[str], path: str, header: int, problems: list[Problem]
) -> Iterator[tuple[int, dict[str, str | None]]]:
    """Each row with its line in the file; a row csv cannot read (a field over FIELD_LIMIT) is a problem, and
    reading goes on with the next."""
    rows = iter(reader)
    while True:
        line = header + reader.line_num + 1  # where the next row begins
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(Problem(path, line, f"this row cannot be read ({exc}): skipped"))
            continue
        yield line, row


def _person(row: dict[str, str | None], path: str, line: int, problems: list[Problem]) -> Person | None:
    """The person one row names, None for a row without a name or with a value too long to be LinkedIn's."""
    values = {column: (row.get(column) or "").strip() for column in LINKEDIN_COLUMNS}
    too_long = [column for column, value in values.items() if len(value) > LONGEST_VALUE]
    if too_long:
        what = ", ".join(f"{c} ({len(values[c]):,} characters)" for c in too_long)
        problems.append(Problem(path, line, f"longer than {LONGEST_VALUE:,} characters: {what}: row skipped"))
        return None
    name = " ".join(f"{values['First Name']} {values['Last Name']}".split())
    if not name:
        return None
    met = None
    connected = values["Connected On"]
    if connected:
        try:
            met = datetime.strptime(connected, "%d %b %Y").date()
        except ValueError:
            problems.append(
                Problem(path, line, f"Connected On: {connected!r} is not a date like 01 Sep 2026", "warning")
            )
    email, url = values["Email Address"].lower(), values["URL"]
    return Person(
        name=name,
        emails=(email,) if email else (),
        company=values["Company"] or None,
        role=values["Position"] or None,
        linkedin=normal_url(url) if url else None,
        met=met,
        circle=LINKEDIN_CIRCLE,
        source="linkedin",
        line=line,
        path=path,
    )

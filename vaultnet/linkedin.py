"""LinkedIn's Connections.csv (Settings > Data privacy > Get a copy of your data) as `Person`s."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from vaultnet.contacts_io import Person, decode_export, normal_url
from vaultnet.problems import Problem

LINKEDIN_CIRCLE = "dormant"  # connections surface through reconnect suggestions, not as a flood of follow-ups
LINKEDIN_COLUMNS = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On")


def read_linkedin(data: bytes, path: str) -> tuple[list[Person], list[Problem]]:
    """LinkedIn's Connections.csv as exported today: some lines of notes, then the header row."""
    text, problems = decode_export(path, data)
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if line.startswith("First Name,")), None)
    if header is None:
        return [], [
            *problems,
            Problem(path, 1, "no header row starting with 'First Name,': not LinkedIn's Connections.csv"),
        ]
    reader = csv.DictReader(io.StringIO("\n".join(lines[header:])))
    missing = [c for c in ("First Name", "Last Name") if c not in (reader.fieldnames or [])]
    if missing:
        return [], [*problems, Problem(path, header + 1, f"the header row lacks {', '.join(missing)}")]
    people = []
    for offset, row in enumerate(reader, start=header + 2):
        name = " ".join(f"{row.get('First Name') or ''} {row.get('Last Name') or ''}".split())
        if not name:
            continue
        met = None
        connected = (row.get("Connected On") or "").strip()
        if connected:
            try:
                met = datetime.strptime(connected, "%d %b %Y").date()
            except ValueError:
                problems.append(
                    Problem(path, offset, f"Connected On: {connected!r} is not a date like 01 Sep 2026", "warning")
                )
        email = (row.get("Email Address") or "").strip().lower()
        url = (row.get("URL") or "").strip()
        people.append(
            Person(
                name=name,
                emails=(email,) if email else (),
                company=(row.get("Company") or "").strip() or None,
                role=(row.get("Position") or "").strip() or None,
                linkedin=normal_url(url) if url else None,
                met=met,
                circle=LINKEDIN_CIRCLE,
                source="linkedin",
                line=offset,
            )
        )
    return people, problems

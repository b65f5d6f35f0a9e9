"""Plain-text tables for the terminal."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from vaultnet.model import Item


def render_table(items: Iterable[Item], today: date) -> str:
    rows = [("DATE", "KIND", "NAME", "REASON")]
    for item in items:
        late = (today - item.day).days
        day = item.day.isoformat() + (f" (+{late}d)" if late > 0 and item.kind != "birthday" else "")
        rows.append((day, item.kind, item.name, item.reason))
    if len(rows) == 1:
        return f"Nobody is due on {today.isoformat()}.\n"
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "".join(
        f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip() + "\n" for r in rows
    )

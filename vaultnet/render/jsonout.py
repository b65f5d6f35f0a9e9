"""Machine-readable output: the due list as a JSON array (for scripts, `jq` and other tools)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from vaultnet.insights import Introduction
from vaultnet.model import Item
from vaultnet.rules import overdue_days
from vaultnet.values import labelled


def item_dict(item: Item, today: date) -> dict[str, Any]:
    contact = item.contact
    return {
        "kind": item.kind,
        "name": item.name,
        "path": item.path,
        "date": item.day.isoformat(),
        "reason": item.reason,
        "details": list(item.details),
        "overdue_days": overdue_days(item, today),
        "company": contact.company if contact else None,
        "role": contact.role if contact else None,
        "circle": contact.circle if contact else None,
    }


def render_items(items: Iterable[Item], today: date) -> str:
    return json.dumps([item_dict(i, today) for i in items], ensure_ascii=False, indent=2) + "\n"


def render_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def who_dicts(found: list[Introduction]) -> list[dict[str, Any]]:
    return [
        {
            "name": f.contact.name,
            "path": f.contact.path,
            "company": f.contact.company,
            "role": f.contact.role,
            "last_interaction": f.last.isoformat() if f.last else None,
            "introduced_by": f.introduced_by.name if f.introduced_by else None,
            "introduced": [c.name for c in f.introduced],
            "emails": list(f.contact.emails),
            # A phone's number and its labels apart (`+49 170 1234567 (cell)`: cell), for a program to pick one.
            "phones": [
                {"number": number, "labels": list(labels)} for number, labels in map(labelled, f.contact.phones)
            ],
        }
        for f in found
    ]

"""What the source readers of issue 13 (calendars, mail) share: the one way an id from outside becomes a short
stable key (an event's UID, a mail's Message-ID), so that the cache keeps no one's ids in the clear."""

from __future__ import annotations

import hashlib


def hashed(text: str) -> str:
    """The first 16 hex digits of the SHA-256 of `text` in UTF-8: short, stable, and not the id itself."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

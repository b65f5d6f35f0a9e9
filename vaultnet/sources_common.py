"""What the readers of interaction sources (issue 13: calendars, mail) share: the one way an id from a source
becomes the short, stable text that the cache and the records keep (`Captured.source`, `replies_to`)."""

from __future__ import annotations

import hashlib


def hashed(text: str) -> str:
    """The first 16 hex digits of the SHA-256 of `text` (stripped; case and `<>` kept as written) in UTF-8.

    An event's UID or a mail's Message-ID is kept only this way: stable across runs and machines, short, and it
    says nothing of what it names. 64 bits: two ids of one person's calendars and mail do not meet by chance.
    A lone surrogate (the bytes of a header that were not UTF-8) is encoded as it stands rather than raising."""
    return hashlib.sha256(text.strip().encode("utf-8", "surrogatepass")).hexdigest()[:16]

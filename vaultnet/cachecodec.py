"""The cache's codec: what `cache` stores, as JSON, and the records it hands out. Only `cache` imports this
module (the layers above import the record types from `cache`).

JSON, not pickle, so that a planted cache file cannot run code. Every record is a positional JSON array.
Decoding checks that a value is exactly what `encode_*` writes, shape and types, and raises ValueError (or
TypeError, KeyError, IndexError) for anything else: a cache must never hand the layers above a value that
breaks them later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from vaultnet.problems import Problem


@dataclass(frozen=True)
class OutputStamp:
    """One output as a build left it: its path (relative to the vault, `/`-separated), size and mtime."""

    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class BuildRecord:
    """What the last build was made from (`digest`), what it wrote, and what it found."""

    digest: str
    outputs: tuple[OutputStamp, ...]
    problems: tuple[Problem, ...]
    contacts: int
    due: int
    recent: tuple[tuple[str, str], ...] = ()  # (path, digest of its bytes) of the notes written moments before


# -- checking: the type each position of a positional record may hold -------------------------------------
# isinstance, and so `True` passes for an int; the rest is exact (JSON gives no subclasses).

Shape = tuple[type | tuple[type, ...], ...]
_SEVERITIES = frozenset({"error", "warning"})
_PROBLEM = (int, str, str)


def _bad(what: str) -> Any:
    raise ValueError(f"not {what}")


def _shaped(value: Any, shape: Shape) -> bool:
    """Whether `value` is a list with one item of each type in `shape`."""
    return type(value) is list and len(value) == len(shape) and all(map(isinstance, value, shape))


def _records(values: Any, shape: Shape, what: str) -> list[Any]:
    """`values` when it is a list of records shaped as `shape`."""
    return values if type(values) is list and all([_shaped(v, shape) for v in values]) else _bad(what)


# -- the last build: `[digest, outputs, problems, contacts, due]` -------------------------------------------


def encode_build(r: BuildRecord) -> str:
    outputs = [[o.path, o.size, o.mtime_ns] for o in r.outputs]
    problems = [[p.path, p.line, p.message, p.severity] for p in r.problems]
    return json.dumps([r.digest, outputs, problems, r.contacts, r.due, [list(pair) for pair in r.recent]])


def decode_build(value: Any) -> BuildRecord:
    data = json.loads(value)
    shape = (str, list, list, int, int, list)
    digest, outputs, problems, contacts, due, recent = data if _shaped(data, shape) else _bad("a build")
    problems = [Problem(*p) for p in _records(problems, (str, *_PROBLEM), "a problem")]
    if not _SEVERITIES.issuperset([p.severity for p in problems]):
        _bad("a severity")
    stamps = tuple(OutputStamp(*o) for o in _records(outputs, (str, int, int), "an output"))
    pairs = tuple((path, hashed) for path, hashed in _records(recent, (str, str), "a recent note"))
    return BuildRecord(digest, stamps, tuple(problems), contacts, due, pairs)


@dataclass(frozen=True)
class ViewRecord:
    """What a reading command printed (`text`) and reported (`problems`), for inputs of `digest`."""

    digest: str
    problems: tuple[Problem, ...]
    text: str
    recent: tuple[tuple[str, str], ...] = ()  # as in `BuildRecord`


def encode_view(r: ViewRecord) -> bytes:
    """A JSON line of all but the text, then the text's UTF-8 bytes as they are: several MB for `due --json` on a
    large vault, which JSON would escape and then have to unescape on every run."""
    problems = [[p.path, p.line, p.message, p.severity] for p in r.problems]
    head = json.dumps([r.digest, problems, [list(pair) for pair in r.recent]])
    return head.encode() + b"\n" + r.text.encode("utf-8", "surrogateescape")


def decode_view(value: Any) -> ViewRecord:
    if type(value) is not bytes:
        _bad("a view")
    head, _, body = value.partition(b"\n")
    data = json.loads(head)
    digest, problems, recent = data if _shaped(data, (str, list, list)) else _bad("a view")
    text = body.decode("utf-8", "surrogateescape")
    problems = [Problem(*p) for p in _records(problems, (str, *_PROBLEM), "a problem")]
    if not _SEVERITIES.issuperset([p.severity for p in problems]):
        _bad("a severity")
    pairs = tuple((path, hashed) for path, hashed in _records(recent, (str, str), "a recent note"))
    return ViewRecord(digest, tuple(problems), text, pairs)

"""Commands that write to the vault: init, new, log, snooze, archive, done.

Each computes a `Change` (the note's exact bytes before and after) without touching the disk; `apply`
writes it only if the note still has the bytes it was read with (an editor may have saved in between:
then nothing is written and the user is told), atomically and keeping the file's permissions. The text
edits themselves are in `edit`: only the lines that must change, change.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from vaultnet.config import CONFIG_NAME, Settings, config_template
from vaultnet.edit import add_log_entry, log_line, set_property, split_lines, tick_task, yaml_scalar
from vaultnet.model import Contact
from vaultnet.parse import parse_note
from vaultnet.pipeline import Session
from vaultnet.problems import UserError
from vaultnet.vault import create_note, replace_note


@dataclass(frozen=True)
class Change:
    """A note's bytes before and after one command (`before` is None for a new note)."""

    path: Path
    rel: str
    before: bytes | None
    after: bytes

    def diff(self) -> str:
        old = split_lines((self.before or b"").decode("utf-8"))
        new = split_lines(self.after.decode("utf-8"))
        lines = difflib.unified_diff(old, new, f"a/{self.rel}", f"b/{self.rel}")
        return "".join(_diff_line(line) for line in lines)

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _diff_line(line: str) -> str:
    """A line of the diff ends in a newline; a lone CR ends a line too (old Mac notes)."""
    if line.endswith("\n"):
        return line
    return line + "\n" if line.endswith("\r") else line + "\n\\ No newline at end of file\n"


def apply(change: Change) -> None:
    """Write the change, unless the note changed on disk since it was read (then nothing is written)."""
    if not change.changed:
        return
    if change.before is None:
        create_note(change.path, change.after)
    else:
        replace_note(change.path, change.before, change.after)


# -- finding a contact by what the user types ---------------------------------------------------------------


def find_contact(contacts: Iterable[Contact], wanted: str) -> Contact:
    """By file name, `name` or alias, case-insensitively; then by a unique prefix of any of them."""
    key = wanted.strip().removesuffix(".md").casefold()
    if not key:
        raise UserError("which contact? give a name")
    contacts = list(contacts)

    def names(c: Contact) -> list[str]:
        return [Path(c.path).stem.casefold(), c.name.casefold(), *(a.casefold() for a in c.aliases)]

    def exact(c: Contact) -> bool:
        return key in names(c)

    def prefix(c: Contact) -> bool:
        return any(n.startswith(key) for n in names(c))

    for match in (exact, prefix):
        found = sorted((c for c in contacts if match(c)), key=lambda c: c.path)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            listing = "; ".join(f"{c.name} ({c.path})" for c in found[:10])
            raise UserError(f"{wanted!r} matches more than one contact: {listing}. Be more specific.")
    raise UserError(f"no contact matches {wanted!r} (by file name, name, alias or the start of one)")


@dataclass(frozen=True)
class Target:
    """The vault and the note a command works on, with the note's bytes as read."""

    root: Path
    contact: Contact
    path: Path
    data: bytes

    @property
    def text(self) -> str:
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UserError(f"{self.contact.path} is not valid UTF-8: vaultnet will not edit it") from exc

    def change(self, text: str) -> Change:
        return Change(self.path, self.contact.path, self.data, text.encode("utf-8"))


def target(root: Path, name: str) -> Target:
    session = Session(root)
    snapshot = session.snapshot()
    contact = find_contact(snapshot.network.contacts, name)
    path = root / contact.path
    data = path.read_bytes()
    # The note as read now, not as indexed a moment ago: line numbers must match the bytes we edit.
    fresh = parse_note(contact.path, data, session.settings).contact
    if fresh is None:
        raise UserError(f"{contact.path} has a problem now: run `vaultnet check` and fix it first")
    return Target(root, fresh, path, data)


# -- the commands ---------------------------------------------------------------------------------------------


def log(root: Path, name: str, text: str, day: date, kind: str | None, gave: bool, got: bool) -> Change:
    """Append a dated entry to the contact's `## Log`."""
    if gave and got:
        raise UserError("an entry is either --gave or --got")
    if not text.strip():
        raise UserError("what happened? give a text for the log entry")
    if kind is not None and not re.fullmatch(r"[A-Za-z][\w-]*", kind):
        raise UserError(f"--kind {kind!r}: one word such as call, coffee, email or meeting")
    note = target(root, name)
    return note.change(add_log_entry(note.text, log_line(day, text, kind, gave, got)))


def snooze(root: Path, name: str, until: date) -> Change:
    note = target(root, name)
    return note.change(set_property(note.text, "snooze_until", until.isoformat()))


def archive(root: Path, name: str) -> Change:
    note = target(root, name)
    return note.change(set_property(note.text, "archived", "true"))


def done(root: Path, name: str, text: str) -> Change:
    """Tick the open promise whose text contains `text` (case-insensitive)."""
    note = target(root, name)
    wanted = text.casefold().strip()
    found = [p for p in note.contact.open_promises if wanted in p.text.casefold()]
    if not found:
        open_ones = "; ".join(p.text for p in note.contact.open_promises) or "none"
        raise UserError(f"no open promise to {note.contact.name} matches {text!r} (open: {open_ones})")
    exact = [p for p in found if p.text.casefold() == wanted]
    if len(exact) == 1:
        found = exact  # the promise written exactly so (else `call Bob` could never be told from `call Bob back`)
    if len(found) > 1:
        raise UserError(f"{text!r} matches several promises: " + "; ".join(p.text for p in found))
    return note.change(tick_task(note.text, found[0].line))


# -- new contacts and vaults ----------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[/\\:*?"<>|#^\[\]\x00-\x1f\x7f]')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def safe_filename(name: str) -> str:
    """A file name that works on Linux, macOS and Windows and in Obsidian links."""
    cleaned = " ".join(_UNSAFE.sub(" ", name).split()).strip(" .")
    if not cleaned:
        cleaned = "Unnamed"
    if cleaned.casefold() in _RESERVED:
        cleaned += "_"
    return cleaned[:120].rstrip(" .")


def contact_template(root: Path, settings: Settings) -> str:
    template = root / settings.templates_folder / "Contact.md"
    try:
        return template.read_bytes().decode("utf-8")  # as written: a CRLF template gives CRLF notes
    except FileNotFoundError:
        return CONTACT_TEMPLATE


def new_contact(
    root: Path,
    name: str,
    today: date,
    *,
    company: str | None = None,
    met: date | None = None,
    circle: str | None = None,
    tags: Iterable[str] = (),
) -> Change:
    """A new contact note from the vault's template (`templates/Contact.md`, else vaultnet's own)."""
    name = " ".join(name.split())
    if not name:
        raise UserError("the new contact needs a name")
    session = Session(root)
    settings = session.settings
    contacts = session.snapshot().network.contacts
    taken = [c for c in contacts if name.casefold() in {c.name.casefold(), Path(c.path).stem.casefold(),
                                                         *(a.casefold() for a in c.aliases)}]  # fmt: skip
    if taken:
        raise UserError(f"{name} exists already: {', '.join(c.path for c in taken)}")
    if circle is not None and circle.lower() not in dict(settings.circles):
        raise UserError(f"--circle {circle!r} is not a circle ({', '.join(n for n, _ in settings.circles)})")
    rel = f"{settings.contacts_folder}/{safe_filename(name)}.md"
    text = contact_template(root, settings).replace("{{title}}", name).replace("{{date}}", today.isoformat())
    text = set_property(text, "name", yaml_scalar(name))
    for key, value in (("company", company), ("circle", circle.lower() if circle else None)):
        if value:
            text = set_property(text, key, yaml_scalar(value))
    if met is not None:
        text = set_property(text, "met", met.isoformat())
    clean_tags = [t.lstrip("#").strip() for t in tags if t.lstrip("#").strip()]
    if clean_tags:
        text = set_property(text, "tags", "[" + ", ".join(yaml_scalar(t) for t in clean_tags) + "]")
    path = root / rel
    if path.exists():
        raise UserError(f"{rel} exists already")
    return Change(path, rel, None, text.encode("utf-8"))


CONTACT_TEMPLATE = """\
---
type: contact
name: {{title}}
company:
role:
email:
phone:
circle:
tags: []
birthday:
met: {{date}}
introduced_by:
interests: []
---
# {{title}}

How we met, what matters to them, what I can help with.

## Log

"""

EVENT_TEMPLATE = """\
---
type: event
date: {{date}}
location:
targets: []
met: []
---
# {{title}}

Who to meet (3-5 people), and what I want to learn or offer.
"""

GITIGNORE = "# vaultnet's cache and calendar\n.vaultnet/\n# the follow-up note changes daily\n/Follow-ups.md\n"


def init_vault(root: Path) -> list[Change]:
    """The files of a new vault; refuses if any of them exists already (nothing is overwritten)."""
    settings = Settings()
    files = {
        CONFIG_NAME: config_template(),
        f"{settings.contacts_folder}/.gitkeep": "",
        f"{settings.events_folder}/.gitkeep": "",
        f"{settings.templates_folder}/Contact.md": CONTACT_TEMPLATE,
        f"{settings.templates_folder}/Event.md": EVENT_TEMPLATE,
        ".gitignore": GITIGNORE,
        ".gitattributes": "# calendars need their CRLF line endings\n*.ics -text\n",
    }
    existing = [rel for rel in files if (root / rel).exists()]
    if existing:
        raise UserError(f"{root} has {', '.join(existing)} already: vaultnet init overwrites nothing")
    return [Change(root / rel, rel, None, text.encode()) for rel, text in files.items()]

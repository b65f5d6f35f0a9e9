"""What the commands do to a vault beyond reading it: init, new, log, snooze, archive, done, importing
contacts, and choosing the contacts an export takes.

Each takes an open vault (a `pipeline.Session`, or a folder, which it opens), finds its contact among the
index's contacts (no network is built for that) and computes `Change`s (see `changes`) without touching
the disk: the caller shows or applies them. The text edits themselves are in `edit`: only the lines that
must change, change. An error about one argument is a `ParamError` naming the parameter (`kind`), in words
that fit any caller; the command line names the option.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from vaultnet.adopt import read_notes, survey, template_folders
from vaultnet.adopt_text import settings_text
from vaultnet.adopt_text import summary as summary_lines
from vaultnet.capture import People
from vaultnet.changes import Change, safe_filename
from vaultnet.config import CONFIG_NAME, Settings, config_template, parse_settings
from vaultnet.edit import add_log_entry, log_line, set_property, tick_task, yaml_scalar
from vaultnet.model import Contact, Promise
from vaultnet.parse import parse_note
from vaultnet.pipeline import Vault, open_vault
from vaultnet.problems import ParamError, UserError
from vaultnet.render.markdown import written_by_vaultnet
from vaultnet.safeio import Refused, read_head, read_regular
from vaultnet.values import date_or_duration
from vaultnet.vault import read_bytes, read_text

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


Edit = Callable[[str, Contact], str]  # a command's edit: the note's text and its contact as read -> the new text


@dataclass(frozen=True)
class Target:
    """The vault and the note a command works on, with the note's bytes as read."""

    root: Path
    contact: Contact
    path: Path
    data: bytes
    settings: Settings

    @property
    def text(self) -> str:
        return _text(self.contact.path, self.data)

    def edit(self, edit: Edit) -> Change:
        """The change `edit` makes to the note; if the note changes before it is written, `apply` makes it again
        on the note as it is then (a log entry, a property, a tick are what they are on any version of it)."""

        def redo(data: bytes) -> bytes:
            return edit(_text(self.contact.path, data), _fresh(self.contact.path, data, self.settings)).encode("utf-8")

        after = edit(self.text, self.contact).encode("utf-8")
        return Change(self.path, self.contact.path, self.data, after, redo)


def _text(rel: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{rel} is not valid UTF-8: vaultnet will not edit it") from exc


def _fresh(rel: str, data: bytes, settings: Settings) -> Contact:
    """The contact as the note's bytes say now, not as indexed a moment ago: line numbers must match the bytes
    that are edited."""
    fresh = parse_note(rel, data, settings).contact
    if fresh is None:
        raise UserError(f"{rel} has a problem now: run `vaultnet check` and fix it first")
    return fresh


def target(vault: Vault, name: str) -> Target:
    """The contact `name` names (see `find_contact`), found in the index, with its note as on disk now."""
    session = open_vault(vault)
    contact = find_contact(session.contacts(), name)
    path = session.root / contact.path
    if os.path.islink(path):
        real = os.path.relpath(os.path.realpath(path), os.path.realpath(session.root))
        raise UserError(
            f"{contact.path} is a symbolic link: vaultnet writes no note through a link ({real} is the note)"
        )
    try:
        data = read_bytes(session.root, contact.path)
    except Refused as exc:
        raise UserError(f"{contact.path} {exc}") from None
    if data is None:
        raise UserError(f"{contact.path} was removed since vaultnet listed it: nothing was written")
    return Target(session.root, _fresh(contact.path, data, session.settings), path, data, session.settings)


# -- the commands ---------------------------------------------------------------------------------------------


def log(vault: Vault, name: str, text: str, day: date, kind: str | None, gave: bool, got: bool) -> Change:
    """Append a dated entry to the contact's `## Log`."""
    if gave and got:
        raise ParamError("an entry is one of gave and got, not both", "got")
    if not text.strip():
        raise ParamError("what happened? give a text for the log entry", "text")
    if kind is not None and not re.fullmatch(r"[A-Za-z][\w-]*", kind):
        raise ParamError(f"{kind!r} is not one word such as call, coffee, email or meeting", "kind")
    line = log_line(day, text, kind, gave, got)
    return target(vault, name).edit(lambda note, _: add_log_entry(note, line))


def capture(vault: Vault, name: str, today: date) -> Change:
    """Write what the calendars and mailboxes of `[sources]` show with the contact into their `## Log`: an entry
    for each day and kind the log does not have yet (`- 2026-11-19 email: from your mail`), for people who want
    them in git. `build` never writes them; made again, this adds nothing."""
    session = open_vault(vault)
    if not session.sources.any:
        raise UserError("vaultnet.toml names no [sources] calendars or mail to capture from")
    found = target(session, name)
    captured = session.sources.interactions(People(session.contacts()), today).get(found.contact.path, ())
    wanted = sorted({(i.day, i.kind) for i in captured})

    def add(note: str, contact: Contact) -> str:
        have = {(e.day, e.kind) for e in contact.log}
        for day, kind in wanted:
            if (day, kind) not in have:
                note = add_log_entry(note, log_line(day, f"from your {_SOURCE_WORD.get(kind, kind)}", kind))
        return note

    return found.edit(add)


_SOURCE_WORD = {"meeting": "calendar", "email": "mail"}


def snooze(vault: Vault, name: str, until: date | str, today: date | None = None) -> Change:
    """Pause reminders until a day: `until` is a date, or text: a date (YYYY-MM-DD) or a duration from
    `today` (2w, 3m), which must then be given."""
    if isinstance(until, str):
        if today is None:
            raise TypeError("snooze: a duration needs today")
        try:
            until = date_or_duration(until, today)
        except ValueError as exc:
            raise ParamError(str(exc), "until") from None
    value = until.isoformat()
    return target(vault, name).edit(lambda note, _: set_property(note, "snooze_until", value))


def archive(vault: Vault, name: str) -> Change:
    return target(vault, name).edit(lambda note, _: set_property(note, "archived", "true"))


def done(vault: Vault, name: str, text: str) -> Change:
    """Tick the open promise whose text contains `text` (case-insensitive)."""
    return target(vault, name).edit(lambda note, contact: tick_task(note, _promise(contact, text).line))


def _promise(contact: Contact, text: str) -> Promise:
    """The open promise to `contact` whose text contains `text`: the one written exactly so, else the only one."""
    wanted = text.casefold().strip()
    found = [p for p in contact.open_promises if wanted in p.text.casefold()]
    if not found:
        open_ones = "; ".join(p.text for p in contact.open_promises) or "none"
        raise UserError(f"no open promise to {contact.name} matches {text!r} (open: {open_ones})")
    exact = [p for p in found if p.text.casefold() == wanted]
    if len(exact) == 1:
        found = exact  # the promise written exactly so (else `call Bob` could never be told from `call Bob back`)
    if len(found) > 1:
        raise UserError(f"{text!r} matches several promises: " + "; ".join(p.text for p in found))
    return found[0]


# -- new contacts and vaults ----------------------------------------------------------------------------------


def contact_template(root: Path, settings: Settings) -> str:
    rel = f"{settings.templates_folder}/Contact.md"
    try:
        data = read_bytes(root, rel)
    except Refused as exc:
        raise UserError(f"{rel} {exc}: fix it, or move it away to use vaultnet's own template") from None
    return CONTACT_TEMPLATE if data is None else data.decode("utf-8")  # as written: a CRLF template, CRLF notes


def new_contact(
    vault: Vault,
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
        raise ParamError("the new contact needs a name", "name")
    session = open_vault(vault)
    root, settings = session.root, session.settings
    contacts = session.contacts()
    taken = [c for c in contacts if name.casefold() in {c.name.casefold(), Path(c.path).stem.casefold(),
                                                         *(a.casefold() for a in c.aliases)}]  # fmt: skip
    if taken:
        raise UserError(f"{name} exists already: {', '.join(c.path for c in taken)}")
    if circle is not None and circle.lower() not in dict(settings.circles):
        raise ParamError(f"{circle!r} is not a circle ({', '.join(n for n, _ in settings.circles)})", "circle")
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

# The lines a vault's .gitignore needs: (a comment, the line) for vaultnet's folder and for the follow-up note.
IGNORED = (("# vaultnet's cache and calendar", ".vaultnet/"), ("# the follow-up note changes daily", "/{followups}"))
GITATTRIBUTES = "# calendars need their CRLF line endings\n*.ics -text\n"
OWN_FOLLOWUPS = "Follow-ups (vaultnet).md"  # the follow-up note's path when the vault has a Follow-ups.md of its own


@dataclass(frozen=True)
class Init:
    """What `vaultnet init` does to a folder: the files it creates or appends to, and what to say about it."""

    changes: list[Change]  # new files, and lines added to an existing .gitignore
    summary: list[str]  # what it found and did, for the user
    ignore: tuple[str, ...] = ()  # the lines .gitignore needs: to show them if it cannot be written


def init_vault(root: Path) -> Init:
    """Make `root` a vault. An empty folder (no notes) gets a fresh vault: settings, folders, templates; a
    folder with notes is adopted: a vaultnet.toml that says what `adopt` found in them. Either way no file
    that exists is overwritten or edited, except that an existing .gitignore gets the lines it lacks; run
    again, init changes nothing."""
    skipped = template_folders(root)
    notes, unreadable = read_notes(root, [folder for folder, _ in skipped])
    config = root / CONFIG_NAME
    if not notes and not unreadable:
        return _fresh_vault(root)
    changes: list[Change] = []
    followups = _settings(root).followups_path
    if not config.exists():
        found = survey(notes, unreadable, skipped)
        outputs = {}
        if followups and _not_ours(root / followups):
            followups = OWN_FOLLOWUPS
            outputs["followups"] = (followups, f"{Settings().followups_path} is a note of yours: vaultnet's own note")
        text = settings_text(found, config_template(), outputs)
        changes.append(Change(config, CONFIG_NAME, None, text.encode("utf-8")))
        summary = summary_lines(found)
    else:
        summary = [f"{CONFIG_NAME} is there already: init leaves it as it is (remove it to have init look again)"]
    return _with_gitignore(root, changes, summary, followups)


def _fresh_vault(root: Path) -> Init:
    """The files of a new vault, those that are not there yet."""
    settings = _settings(root)
    files = {
        CONFIG_NAME: config_template(),
        f"{settings.contacts_folder}/.gitkeep": "",
        f"{settings.events_folder}/.gitkeep": "",
        f"{settings.templates_folder}/Contact.md": CONTACT_TEMPLATE,
        f"{settings.templates_folder}/Event.md": EVENT_TEMPLATE,
        ".gitattributes": GITATTRIBUTES,
    }
    changes = [Change(root / rel, rel, None, text.encode()) for rel, text in files.items() if not (root / rel).exists()]
    kept = [rel for rel in files if (root / rel).exists()]
    summary = [f"kept as they are: {', '.join(kept)}"] if kept and changes else []
    return _with_gitignore(root, changes, summary, settings.followups_path)


def _with_gitignore(root: Path, changes: list[Change], summary: list[str], followups: str | None) -> Init:
    """Add the .gitignore lines that are missing (a new .gitignore if there is none); say when nothing changes."""
    wanted = [
        (why, line.format(followups=followups)) for why, line in IGNORED if followups or "{followups}" not in line
    ]
    path = root / ".gitignore"
    try:
        before = read_regular(path)  # a link is not followed: it is refused, as on writing
    except Refused:  # unreadable, a folder, a link: the user adds the lines (the command shows them)
        return Init(changes, summary, tuple(line for _, line in wanted))
    present = {_ignore_key(line) for line in (before or b"").decode("utf-8", "replace").splitlines()}
    missing = [(why, line) for why, line in wanted if _ignore_key(line) not in present]
    if missing:
        lead = b"" if not before else (b"\n" if before.endswith(b"\n") else b"\n\n")
        added = "".join(f"{why}\n{line}\n" for why, line in missing).encode("utf-8")
        changes.append(Change(path, ".gitignore", before, (before or b"") + lead + added))
    if not any(change.changed for change in changes):
        summary = [*summary, "nothing to change: every file init makes is there, and .gitignore has its lines"]
    return Init(changes, summary, tuple(line for _, line in missing))


def _ignore_key(line: str) -> str:
    """A .gitignore line as compared: `.vaultnet`, `/.vaultnet/` and `.vaultnet/` ignore the same folder."""
    return line.strip().strip("/")


def _settings(root: Path) -> Settings:
    try:
        return parse_settings(read_text(root, CONFIG_NAME))
    except Refused:
        return parse_settings(None)  # init leaves such a file alone; the other commands say what is wrong


def _not_ours(path: Path) -> bool:
    """Whether `path` is a file vaultnet did not write (a note of the user's named like an output)."""
    try:
        head = read_head(path, 4096)
    except Refused:
        return True  # a link, a folder, a FIFO, unreadable: not vaultnet's follow-up note
    return head is not None and bool(head.strip()) and not written_by_vaultnet(head)  # as `build` decides

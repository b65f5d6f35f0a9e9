"""Outputs never clobber a note: where the follow-up note and the calendar may be written, checked before a
build writes (or even computes) anything. An output is written only over a file vaultnet wrote, or over nothing,
never through a link and never inside a folder of notes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vaultnet.config import CONFIG_NAME, Settings
from vaultnet.problems import UserError
from vaultnet.render import ics, markdown
from vaultnet.safeio import Refused, link_below, read_head
from vaultnet.selection import Selection

_HEAD_BYTES = 4096  # enough to hold either output's header: a large file of the user's is not read whole


def outputs_off(settings: Settings) -> tuple[str, ...]:
    """The `[outputs]` keys of the outputs turned off (`followups = false` in vaultnet.toml): "followups"."""
    paths = (("followups", settings.followups_path), ("calendar", settings.calendar_path))
    return tuple(key for key, rel in paths if rel is None)


def guard_outputs(root: Path, settings: Settings) -> None:
    """Refuse, before anything is written, to write an output where it could clobber a note of the user's.

    An output is written only over a file that vaultnet wrote (recognised by its header: `written_by_vaultnet`)
    or over nothing, and never inside a selection of notes (contacts, events, goals, interactions). Any refusal
    is a `UserError` that names the file and the setting, and neither output is written.
    """
    outputs = (
        ("followups", settings.followups_path, markdown.written_by_vaultnet, "follow-up note"),
        ("calendar", settings.calendar_path, ics.written_by_vaultnet, "calendar"),
    )
    refusals = [_refusal(root, settings, *output) for output in outputs]
    if any(refusals):
        lines = "\n".join(f"  {refusal}" for refusal in refusals if refusal)
        raise UserError(f"nothing was written, so that no note of yours is overwritten:\n{lines}")


def _refusal(
    root: Path, settings: Settings, key: str, rel: str | None, ours: Callable[[bytes], bool], what: str
) -> str:
    """Why the output set by `[outputs] key` may not be written at `rel` ("" if it may, or is off), and what
    to do about it."""
    if rel is None:
        return ""
    setting = f"set [outputs] {key} in {CONFIG_NAME}"
    link = link_below(root, root / rel)
    if link is not None:
        where = "is a symbolic link" if link == rel else f"lies in {root / link}, which is a symbolic link"
        return (
            f"{root / rel} {where}: vaultnet writes nothing through links, so that nothing outside the vault is "
            f"overwritten. Remove the link, or {setting} to another path, or to false to turn the {what} off."
        )
    for name, selection in _selections(settings):
        # The follow-up note has no front matter: a selection takes it by its folder, unless it excludes it.
        # The calendar is not a note at all: it has no place in a folder of notes.
        if selection.selects(rel, {}, ()) if key == "followups" else selection.in_folders(rel):
            folder = next(f for f in selection.folders if rel.startswith(f + "/"))
            return (
                f"{root / rel} is inside {folder}/, whose notes [{name}] selects: the {what} could overwrite a "
                f"note of yours there. {setting.capitalize()} to a path outside the folders of [contacts], "
                "[events], [goals] and [interactions], or to false to turn it off."
            )
    reason = _not_ours(root / rel, ours, what)
    if reason:
        return (
            f"{root / rel} {reason}, so it is left as it is. Move it away, or {setting} to another path, "
            f"or to false to turn the {what} off."
        )
    return ""


def _selections(settings: Settings) -> tuple[tuple[str, Selection], ...]:
    return (
        ("contacts", settings.contacts),
        ("events", settings.events),
        ("goals", settings.goals),
        ("interactions", settings.interactions),
    )


def _not_ours(path: Path, ours: Callable[[bytes], bool], what: str) -> str:
    """Why the file at `path` may not be written over ("" if there is none, or vaultnet wrote it). Only its
    head is read, and only if it is a regular file (no link is followed: `link_below` refused those)."""
    try:
        head = read_head(path, _HEAD_BYTES)
    except Refused as exc:  # "is a folder, not a regular file", "cannot be read (permission denied)"
        return str(exc)
    if head is None or not head.strip() or ours(head):
        return ""  # nothing there, vaultnet's own, or an empty file: nothing to lose
    return f"is not a {what} written by vaultnet (it does not start with vaultnet's header)"

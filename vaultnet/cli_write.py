"""The commands that write: to notes (init, new, log, snooze, archive, done, the imports), out of the vault
(export) and for pre-commit (check-files, build-hook). Each opens the vault once, asks `actions` for the
changes and prints or applies them; `cli` adds them to the command line.

`actions` (and through it the importers), `changes` and `subprocess` are imported by the
commands that use them, not with this module: the command line defines every command, and a `vaultnet build` should
not pay for loading what only `vaultnet import` runs.
"""

from __future__ import annotations

import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vaultnet import pipeline
from vaultnet.cli_base import (
    Command,
    Group,
    as_day,
    day_of,
    echo,
    echo_data,
    progress_line,
    report,
    shown,
    today_option,
    with_vault,
)  # fmt: skip
from vaultnet.problems import UserError, printable

if TYPE_CHECKING:
    from vaultnet.changes import Change
    from vaultnet.imports import Imported

dry_run_option = click.option("--dry-run", is_flag=True, help="Show the change as a diff; write nothing.")


def _write(changes: list[Change], dry_run: bool) -> None:
    from vaultnet.changes import apply_all

    if dry_run:
        for change in changes:
            echo(change.diff() or f"{change.rel}: no change", nl=False)
        return
    for change, written in apply_all(changes):
        if not change.changed or not written:  # unchanged, or the note changed meanwhile and has the change already
            echo(f"unchanged  {shown(change.path)}")
        else:
            echo(f"{'created' if change.before is None else 'updated'}  {shown(change.path)}")


@click.command(cls=Command)
@with_vault(argument="DIRECTORY", discover=False)
def init(vault: Path) -> None:
    """Make DIRECTORY (default: this folder) a vault.

    In a folder with notes, init adopts them: it looks at the notes and writes a vaultnet.toml that says which
    are contacts (a People/ folder, a `categories`, `type` or tag such as Person), which record meetings, and
    your names for vaultnet's fields, then prints what it found. In an empty folder it makes a new vault:
    vaultnet.toml, contacts/, events/, templates for a contact and an event (usable from Obsidian's Templates
    plugin) and .gitattributes. Either way .gitignore gets the lines it lacks.

    init never overwrites or edits a file that exists (but adds lines to .gitignore): run twice, it changes
    nothing.
    """
    from vaultnet import actions

    made = actions.init_vault(vault)
    ignore = [c for c in made.changes if c.rel == ".gitignore"]
    _write([c for c in made.changes if c.rel != ".gitignore"], dry_run=False)
    try:
        _write(ignore, dry_run=False)
        unwritten = [] if ignore or not made.ignore else list(made.ignore)
    except (OSError, UserError) as exc:  # a read-only .gitignore: the user adds the lines
        echo(f"could not add to .gitignore ({exc})", err=True)
        unwritten = list(made.ignore)
    if unwritten:
        echo("add these lines to .gitignore yourself: " + ", ".join(unwritten))
    for line in made.summary:
        echo(line)


@click.command(cls=Command)
@click.argument("name")
@with_vault()
@today_option
@click.option("--company", help="Where they work.")
@click.option("--met", "met", callback=as_day, help="When you met (YYYY-MM-DD; default: today).")
@click.option("--circle", help="close, active, loose, dormant, or a circle of vaultnet.toml.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
@dry_run_option
def new(
    name: str, vault: Path, today: datetime | None, company: str | None, met: date | None, circle: str | None,
    tags: tuple[str, ...], dry_run: bool,
) -> None:  # fmt: skip
    """Create a contact note for NAME from the vault's template; refuses if the contact exists."""
    from vaultnet import actions

    day = day_of(today)
    change = actions.new_contact(vault, name, day, company=company, met=met or day, circle=circle, tags=tags)
    _write([change], dry_run)


@click.command(cls=Command)
@click.argument("name")
@click.argument("text")
@with_vault()
@today_option
@click.option("--kind", help="call, coffee, email, meeting, ... (one word).")
@click.option("--date", "day", callback=as_day, help="When it happened (YYYY-MM-DD; default: today).")
@click.option("--gave", is_flag=True, help="You gave something (an intro, advice, a favour): #gave.")
@click.option("--got", is_flag=True, help="You received something: #got.")
@dry_run_option
def log(
    name: str, text: str, vault: Path, today: datetime | None, kind: str | None, day: date | None, gave: bool,
    got: bool, dry_run: bool,
) -> None:  # fmt: skip
    """Log an interaction with NAME: a dated line under the note's `## Log` (made if missing).

    NAME is a file name, a name or an alias, or the start of one. Only that line is added: everything else
    in the note stays as it is, byte for byte.
    """
    from vaultnet import actions

    _write([actions.log(vault, name, text, day or day_of(today), kind, gave, got)], dry_run)


@click.command(cls=Command)
@click.argument("name")
@with_vault()
@today_option
@dry_run_option
def capture(name: str, vault: Path, today: datetime | None, dry_run: bool) -> None:
    """Write what your calendars and mail ([sources]) show with NAME into their `## Log`, one line a day and kind
    the log lacks. `build` counts them without this; use it to keep them in git."""
    from vaultnet import actions

    _write([actions.capture(vault, name, day_of(today))], dry_run)


@click.command(cls=Command)
@click.argument("name")
@click.argument("until")
@with_vault()
@today_option
@dry_run_option
def snooze(name: str, until: str, vault: Path, today: datetime | None, dry_run: bool) -> None:
    """Pause reminders for NAME until a date (YYYY-MM-DD) or for a while (2w, 3m): sets `snooze_until`."""
    from vaultnet import actions

    _write([actions.snooze(vault, name, until, day_of(today))], dry_run)


@click.command(cls=Command)
@click.argument("name")
@with_vault()
@dry_run_option
def archive(name: str, vault: Path, dry_run: bool) -> None:
    """Archive NAME: sets `archived: true` (no more reminders; the note and its history stay)."""
    from vaultnet import actions

    _write([actions.archive(vault, name)], dry_run)


@click.command(cls=Command)
@click.argument("name")
@click.argument("text")
@with_vault()
@dry_run_option
def done(name: str, text: str, vault: Path, dry_run: bool) -> None:
    """Tick the open promise to NAME whose text contains TEXT (`- [ ]` becomes `- [x]`)."""
    from vaultnet import actions

    _write([actions.done(vault, name, text)], dry_run)


# -- import and export ------------------------------------------------------------------------------------------


@click.group("import", cls=Group)
def import_() -> None:
    """Bring contacts in from vCard files or LinkedIn's Connections.csv (safe to repeat)."""


def _import(vault: Path, source: str, files: tuple[Path, ...], options: dict[str, Any], today: datetime | None) -> None:
    from vaultnet import imports

    with progress_line("importing") as progress:
        imported = imports.import_files(
            vault, source, files, today=day_of(today), overwrite=options["overwrite"], circle=options["circle"],
            progress=progress,
        )  # fmt: skip
    for problem in imported.problems:
        echo(problem.format(), err=True)
    plan = imported.plan
    for person, count, paths in plan.ambiguous:
        more = f", and {count - len(paths)} more" if count > len(paths) else ""
        echo(
            f"warning: {person.path}:{person.line}: {printable(person.name)} is the name of {count} contacts "
            f"({', '.join(paths)}{more}): not imported; give the right note an e-mail, LinkedIn URL or uid",
            err=True,
        )
    for person, why in plan.unwritable:
        echo(f"{person.path}:{person.line}: {printable(person.name)}: not imported: its note could not be read ({why})",
             err=True)  # fmt: skip
    _write(plan.changes, options["dry_run"])
    echo(_import_summary(source, imported, options["dry_run"]))
    for line in _import_details(imported, options["verbose"]):
        echo(line)
    if plan.unwritable or any(p.severity == "error" for p in imported.problems):
        sys.exit(1)


def _import_summary(source: str, imported: Imported, dry_run: bool) -> str:
    """`52 cards read: 40 new, 3 updated, 5 unchanged, 2 merged with another card, 2 skipped (were written)`:
    every record of the files in one count."""
    plan = imported.plan
    read = len(imported.people) + len(imported.skipped) + imported.unreadable
    counts = f"{plan.created} new, {plan.updated} updated, {plan.unchanged} unchanged"
    for number, what in (
        (plan.merged, "merged with another card"), (len(imported.skipped), "skipped"),
        (len(plan.ambiguous), "ambiguous"), (imported.unreadable, "unreadable"), (len(plan.unwritable), "not written"),
    ):  # fmt: skip
        if number:
            counts += f", {number} {what}"
    records = "cards" if source == "vcard" else "rows"
    return f"{read} {records} read: {counts} ({'would be' if dry_run else 'were'} written)"


def _import_details(imported: Imported, verbose: bool) -> list[str]:
    """When the new contacts first come up, what the cards held that no field keeps, and (`verbose`) which."""
    out: list[str] = []
    if imported.plan.created:
        if imported.first_due is not None:
            out.append(f"the first of the new contacts comes up for a follow-up on {imported.first_due.isoformat()}")
        else:
            out.append("the new contacts' circle has no rhythm: they come up as reconnect suggestions, a few a week")
    unmapped = [(p, p.unmapped) for p in imported.people if p.unmapped]
    if unmapped:
        kinds = sorted({name for _p, names in unmapped for name in names})
        total = sum(len(names) for _p, names in unmapped)
        hint = "" if verbose else ": --verbose lists them"
        out.append(f"{total} values no note field holds were left out ({', '.join(kinds)}){hint}")
    if verbose:
        out += [f"{p.path}:{p.line}: {printable(p.name)}: left out: {', '.join(names)}" for p, names in unmapped]
        out += [f"{file}:{line}: skipped: {why}" for file, line, why in imported.skipped]
    return out


files_argument = click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
overwrite_option = click.option(
    "--overwrite", is_flag=True, help="Replace what the notes say with what the file says (default: only fill gaps)."
)


circle_option = click.option("--circle", help="Put new contacts in this circle (default: [import] circle for vCards).")
verbose_option = click.option("--verbose", is_flag=True, help="List what each card held that no field keeps.")


@import_.command("vcard")
@files_argument
@with_vault()
@overwrite_option
@circle_option
@verbose_option
@today_option
@dry_run_option
def import_vcard(files: tuple[Path, ...], vault: Path, today: datetime | None, **options: Any) -> None:
    """Import vCards (2.1, 3.0 or 4.0; Apple, Google, Android, Outlook exports) from FILES. Safe to repeat.

    A card is the contact with its uid, else its LinkedIn URL, else one of its e-mails, else its exact name
    (unless a uid or e-mail says it is someone else); matched notes get only what they lack. New contacts get
    a note each in the contacts folder, met today, in the circle of --circle or `[import] circle`. Groups
    and company cards are skipped and counted.
    """
    _import(vault, "vcard", files, options, today)


@import_.command("linkedin")
@files_argument
@with_vault()
@overwrite_option
@circle_option
@verbose_option
@today_option
@dry_run_option
def import_linkedin(files: tuple[Path, ...], vault: Path, today: datetime | None, **options: Any) -> None:
    """Import LinkedIn's Connections.csv (Settings > Data privacy > Get a copy of your data).

    Connections become contacts met on their connection date, in the dormant circle (or --circle's): they come
    up as reconnect suggestions, a few a week, instead of flooding the follow-up list.
    """
    _import(vault, "linkedin", files, options, today)


@click.group(cls=Group)
def export() -> None:
    """Take contacts out in a standard form."""


@export.command("vcard")
@with_vault()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (default: stdout).")
@click.option("--tag", help="Only contacts with this tag.")
@click.option("--circle", help="Only contacts in this circle.")
def export_vcard(vault: Path, out: Path | None, tag: str | None, circle: str | None) -> None:
    """Export contacts as vCard 4.0 (phones, khard, other address books). Archived contacts are included."""
    from vaultnet import imports
    from vaultnet.vault import write_atomic
    from vaultnet.vcard_out import export_vcards

    chosen, problems = imports.export_contacts(vault, tag=tag, circle=circle)
    report(vault, problems)
    data = export_vcards(chosen)
    if out is None:
        echo_data(data.decode("utf-8"))
    else:
        write_atomic(out, data)
        echo(f"{len(chosen)} contacts written to {shown(out)}", err=True)


# -- pre-commit -------------------------------------------------------------------------------------------------


@click.command("check-files", cls=Command)
@click.argument("files", nargs=-1)
@with_vault()
def check_files(files: tuple[str, ...], vault: Path) -> None:
    """Check only FILES (paths as git gives them): for a pre-commit hook. Exits 1 on errors in them."""
    root = pipeline.check_vault(vault)
    wanted: set[str] = set()
    for file in files:
        try:
            rel = Path(os.path.relpath(Path(file).resolve(), root.resolve())).as_posix()
        except ValueError:
            continue
        wanted.update((rel, printable(rel)))  # a name that is not UTF-8 is reported escaped (`Bad\xffName.md`)
    problems = [p for p in pipeline.check(root) if p.path in wanted]
    report(vault, problems)
    if any(p.severity == "error" for p in problems):
        sys.exit(1)


@click.command("build-hook", cls=Command)
@with_vault()
@today_option
def build_hook(vault: Path, today: datetime | None) -> None:
    """Build, and exit 1 if an output changed (pre-commit: add the rebuilt files and commit again)."""
    result = pipeline.build(vault, day_of(today))
    report(vault, result.problems)
    changed = [o.path for o in result.outputs if o.changed]
    for path in changed:
        echo(f"rebuilt  {shown(path)}", err=True)
    if any(not _ignored_by_git(path) for path in changed):  # an ignored output cannot be added: no reason to stop
        sys.exit(1)


def _ignored_by_git(path: Path) -> bool:
    """Whether git ignores `path` (False outside a repository, or without git)."""
    import subprocess

    try:
        found = subprocess.run(["git", "check-ignore", "-q", "--", path.name], cwd=path.parent, capture_output=True,
                               timeout=60)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return False
    return found.returncode == 0


COMMANDS = [init, new, log, capture, snooze, archive, done, import_, export, check_files, build_hook]

"""The command line: parse arguments, call the library, print. The one error boundary is here."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from vaultnet import __version__, actions, contacts_io, pipeline
from vaultnet import serve as serving
from vaultnet.insights import agenda
from vaultnet.insights import stats as network_stats
from vaultnet.insights import who as find_introducers
from vaultnet.problems import Problem, UserError
from vaultnet.render.jsonout import render_items, render_json, who_dicts
from vaultnet.render.text import render_agenda, render_stats, render_table, render_who
from vaultnet.values import add_duration, parse_date, parse_duration
from vaultnet.vault import write_atomic
from vaultnet.watch import Report, Watcher


class _Group(click.Group):
    """Turns a user's error into a message and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            for problem in exc.problems:
                click.echo(problem.format(), err=True)
            click.echo(f"vaultnet: {exc.message}", err=True)
            ctx.exit(2)
        except OSError as exc:  # e.g. a read-only vault, a full disk: say what and where
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"vaultnet: {where}{exc.strerror or exc}", err=True)
            ctx.exit(2)


def _today(value: datetime | None) -> date:
    return value.date() if value is not None else date.today()


vault_argument = click.argument("vault", type=click.Path(file_okay=False, path_type=Path), default=".", required=False)
today_option = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    envvar="VAULTNET_TODAY",
    help="Compute as if today were this date (YYYY-MM-DD); also read from VAULTNET_TODAY.",
)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _report(vault: Path, problems: Iterable[Problem]) -> None:
    prefix = "" if vault == Path(".") else str(vault) + os.sep
    for problem in problems:
        click.echo(problem.format(prefix=prefix), err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vaultnet")
def cli() -> None:
    """vaultnet: a personal networking CRM in plain text.

    Contacts are Markdown notes with YAML front matter in a folder (the vault). vaultnet tells you whom to
    get back to and why, as a follow-up note in the vault and a calendar you can subscribe to.
    """


@cli.command()
@vault_argument
@today_option
def build(vault: Path, today: datetime | None) -> None:
    """Write the follow-up note and the reminder calendar for VAULT (default: this folder).

    Files whose content did not change are not rewritten. Problems in notes are printed as
    path:line: message; the notes without problems are still used.
    """
    day = _today(today)
    result = pipeline.build(vault, day)
    _report(vault, result.problems)
    for output in result.outputs:
        click.echo(f"{'wrote' if output.changed else 'unchanged'}  {output.path}")
    errors = sum(1 for p in result.problems if p.severity == "error")
    summary = f"{_count(result.contacts, 'contact')}, {result.due} due on {day.isoformat()}"
    if errors:
        summary += f", {_count(errors, 'problem')} (see above; `vaultnet check` lists them)"
    click.echo(summary)


@cli.command()
@vault_argument
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def due(vault: Path, today: datetime | None, as_json: bool) -> None:
    """Print today's follow-ups: who to get back to, and why.

    Each item has a kind (follow-up, birthday, promise, event-prep, event-follow-up, reconnect, review), a name,
    the note's path, a date and a reason.
    """
    day = _today(today)
    snapshot, plan = pipeline.due(vault, day)
    _report(vault, snapshot.problems)
    click.echo(render_items(plan.due, day) if as_json else render_table(plan.due, day), nl=False)


@cli.command()
@vault_argument
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a list.")
def today(vault: Path, today: datetime | None, as_json: bool) -> None:
    """A short agenda for today that fits half an hour.

    Birthdays first (call!), then promises that are due, event follow-ups, the most overdue follow-ups and
    one dormant tie to revive; at most [practice] agenda_size items (default 5).
    """
    day = _today(today)
    snapshot, plan = pipeline.due(vault, day)
    _report(vault, snapshot.problems)
    items = agenda(plan, snapshot.settings.practice.agenda_size)
    click.echo(render_items(items, day) if as_json else render_agenda(items, day), nl=False)


@cli.command()
@vault_argument
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead of text.")
def stats(vault: Path, today: datetime | None, as_json: bool) -> None:
    """Network health: circles, who you kept in touch with, deep ties, overdue follow-ups, give and take,
    the weekly rhythm of new and maintained contacts, and your goals."""
    day = _today(today)
    snapshot, plan = pipeline.due(vault, day)
    _report(vault, snapshot.problems)
    numbers = network_stats(plan, snapshot.settings)
    text = render_json(numbers.as_dict(snapshot.settings)) if as_json else render_stats(numbers, snapshot.settings)
    click.echo(text, nl=False)


@cli.command()
@vault_argument
@today_option
@click.option("--company", help="Part of the company's name.")
@click.option("--tag", help="A tag (with or without #).")
@click.option("--interest", help="Part of an interest.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of text.")
def who(
    vault: Path, today: datetime | None, company: str | None, tag: str | None, interest: str | None, as_json: bool
) -> None:
    """Who can introduce me? Contacts matching every filter, most recently in touch first, with who
    introduced them and whom they introduced you to (friends of friends)."""
    if not (company or (tag or "").lstrip("#") or interest):
        raise click.UsageError("give at least one of --company, --tag, --interest")
    day = _today(today)
    snapshot, plan = pipeline.due(vault, day)
    _report(vault, snapshot.problems)
    found = find_introducers(plan, company=company, tag=tag, interest=interest)
    click.echo(render_json(who_dicts(found)) if as_json else render_who(found), nl=False)


def _until_signalled(stop: Callable[[], None]) -> threading.Event:
    """Ctrl-C and SIGTERM end the process cleanly: they call `stop` and set the returned event."""
    done = threading.Event()

    def handle(signum: int, frame: object) -> None:
        stop()
        done.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return done


def _serve_in_background(
    session: pipeline.Session, host: str, port: int, rotate_token: bool, lock: threading.Lock
) -> serving.Server:
    token = serving.load_token(session.root, rotate=rotate_token)
    server = serving.make_server(session, host, port, token, log=_log, lock=lock)
    actual_port = server.server_address[1]
    http_url, webcal_url = serving.urls(host, actual_port, token)
    click.echo(f"calendar: {http_url}", err=True)
    click.echo(f"          {webcal_url}", err=True)
    if not serving.is_loopback(host):
        click.echo(
            f"warning: listening on {host}, not only on this machine: anyone who can reach it and learns the URL "
            "sees names and birthdays. Publish it behind a reverse proxy with TLS (see docs/live.md).",
            err=True,
        )
    threading.Thread(target=server.serve_forever, name="vaultnet-serve", daemon=True).start()
    return server


def _log(message: str) -> None:
    click.echo(f"{datetime.now():%H:%M:%S} {message}", err=True)


host_option = click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
port_option = click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
                           help="Port to listen on (0: any free port).")  # fmt: skip
rotate_option = click.option("--rotate-token", is_flag=True, help="Make a new secret URL (the old one stops working).")


@cli.command()
@vault_argument
@click.option("--poll", is_flag=True, help="Poll the folder instead of inotify/FSEvents (network drives).")
@click.option("--serve", "serve_too", is_flag=True, help="Also serve the calendar, as `vaultnet serve` does.")
@host_option
@port_option
@rotate_option
def watch(vault: Path, poll: bool, serve_too: bool, host: str, port: int, rotate_token: bool) -> None:
    """Build, then keep the follow-up note and the calendar current while you edit (Ctrl-C to stop).

    Rebuilds a moment after notes change (a git pull of a thousand notes is one rebuild), when vaultnet.toml
    changes, and at midnight. One log line per rebuild; problems are reported once.
    """
    if rotate_token and not serve_too:
        raise click.UsageError("--rotate-token goes with --serve")
    session = pipeline.Session(vault, keep_last_good=True)
    lock = threading.Lock()

    def on_build(report: Report) -> None:
        for problem in report.new_problems:
            click.echo(problem.format(prefix="" if vault == Path(".") else str(vault) + os.sep), err=True)
        _log(report.line())

    watcher = Watcher(session.root, log=_log, poll=poll, on_build=on_build, session=session, lock=lock)
    server = _serve_in_background(session, host, port, rotate_token, lock) if serve_too else None
    _until_signalled(watcher.stop)
    _log(f"watching {vault} (Ctrl-C to stop)")
    watcher.run()
    if server is not None:
        server.shutdown()
    _log("stopped")


@cli.command()
@vault_argument
@host_option
@port_option
@rotate_option
def serve(vault: Path, host: str, port: int, rotate_token: bool) -> None:
    """Serve the reminder calendar over HTTP at a secret URL, for Google, Apple, Outlook or Thunderbird.

    Every request answers with the calendar of the vault as it is now, for today. Listens on 127.0.0.1 by
    default: to subscribe from Google, which fetches from its own servers, publish it through a reverse proxy
    with TLS (see docs/live.md).
    """
    session = pipeline.Session(vault)
    server = _serve_in_background(session, host, port, rotate_token, threading.Lock())
    done = _until_signalled(lambda: None)
    done.wait()
    server.shutdown()
    _log("stopped")


vault_option = click.option(
    "--vault", "vault", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
    help="The vault (the folder that holds your notes).",
)  # fmt: skip
dry_run_option = click.option("--dry-run", is_flag=True, help="Show the change as a diff; write nothing.")


def _write(changes: list[actions.Change], dry_run: bool) -> None:
    for change in changes:
        if dry_run:
            click.echo(change.diff() or f"{change.rel}: no change", nl=False)
            continue
        if not change.changed:
            click.echo(f"unchanged  {change.path}")
            continue
        actions.apply(change)
        click.echo(f"{'created' if change.before is None else 'updated'}  {change.path}")


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".", required=False)
def init(directory: Path) -> None:
    """Make DIRECTORY (default: this folder) a vault: vaultnet.toml, contacts/, events/, templates for a
    contact and an event (usable from Obsidian's Templates plugin), .gitignore and .gitattributes.

    Refuses if any of these exists: init overwrites nothing.
    """
    _write(actions.init_vault(directory), dry_run=False)


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command()
@click.argument("name")
@vault_option
@today_option
@click.option("--company", help="Where they work.")
@click.option("--met", "met", help="When you met (YYYY-MM-DD; default: today).")
@click.option("--circle", help="close, active, loose, dormant, or a circle of vaultnet.toml.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
@dry_run_option
def new(
    name: str, vault: Path, today: datetime | None, company: str | None, met: str | None, circle: str | None,
    tags: tuple[str, ...], dry_run: bool,
) -> None:  # fmt: skip
    """Create a contact note for NAME from the vault's template; refuses if the contact exists."""
    day = _today(today)
    change = actions.new_contact(
        pipeline.check_vault(vault), name, day, company=company, met=_parse_day(met) or day, circle=circle, tags=tags
    )
    _write([change], dry_run)


@cli.command()
@click.argument("name")
@click.argument("text")
@vault_option
@today_option
@click.option("--kind", help="call, coffee, email, meeting, ... (one word).")
@click.option("--date", "day", help="When it happened (YYYY-MM-DD; default: today).")
@click.option("--gave", is_flag=True, help="You gave something (an intro, advice, a favour): #gave.")
@click.option("--got", is_flag=True, help="You received something: #got.")
@dry_run_option
def log(
    name: str, text: str, vault: Path, today: datetime | None, kind: str | None, day: str | None, gave: bool,
    got: bool, dry_run: bool,
) -> None:  # fmt: skip
    """Log an interaction with NAME: a dated line under the note's `## Log` (made if missing).

    NAME is a file name, a name or an alias, or the start of one. Only that line is added: everything else
    in the note stays as it is, byte for byte.
    """
    when = _parse_day(day) or _today(today)
    _write([actions.log(pipeline.check_vault(vault), name, text, when, kind, gave, got)], dry_run)


@cli.command()
@click.argument("name")
@click.argument("until")
@vault_option
@today_option
@dry_run_option
def snooze(name: str, until: str, vault: Path, today: datetime | None, dry_run: bool) -> None:
    """Pause reminders for NAME until a date (YYYY-MM-DD) or for a while (2w, 3m): sets `snooze_until`."""
    day = _today(today)
    try:
        end = parse_date(until)
    except ValueError:
        try:
            length = parse_duration(until)
        except ValueError:
            raise click.BadParameter(f"{until!r} is neither a date (YYYY-MM-DD) nor a duration (2w, 3m)") from None
        if length is None:
            raise click.BadParameter("snooze for how long? (e.g. 2w, 3m, or a date)") from None
        end = add_duration(day, length)
    _write([actions.snooze(pipeline.check_vault(vault), name, end)], dry_run)


@cli.command()
@click.argument("name")
@vault_option
@dry_run_option
def archive(name: str, vault: Path, dry_run: bool) -> None:
    """Archive NAME: sets `archived: true` (no more reminders; the note and its history stay)."""
    _write([actions.archive(pipeline.check_vault(vault), name)], dry_run)


@cli.command()
@click.argument("name")
@click.argument("text")
@vault_option
@dry_run_option
def done(name: str, text: str, vault: Path, dry_run: bool) -> None:
    """Tick the open promise to NAME whose text contains TEXT (`- [ ]` becomes `- [x]`)."""
    _write([actions.done(pipeline.check_vault(vault), name, text)], dry_run)


@cli.group("import")
def import_() -> None:
    """Bring contacts in from vCard files or LinkedIn's Connections.csv (safe to repeat)."""


def _import(vault: Path, kind: str, files: tuple[Path, ...], overwrite: bool, dry_run: bool) -> None:
    root = pipeline.check_vault(vault)
    session = pipeline.Session(root)
    people: list[contacts_io.Person] = []
    problems = []
    for file in files:
        read = contacts_io.read_vcards if kind == "vcard" else contacts_io.read_linkedin
        found, trouble = read(file.read_bytes(), str(file))
        people += found
        problems += trouble
    for problem in problems:
        click.echo(problem.format(), err=True)
    plan = contacts_io.plan_import(
        root, session.settings, session.snapshot().network.contacts, people, overwrite=overwrite
    )
    for person, paths in plan.ambiguous:
        click.echo(
            f"warning: {person.name} (line {person.line}) is the name of {len(paths)} contacts ({', '.join(paths)}): "
            "not imported; give the right note an e-mail, LinkedIn URL or uid",
            err=True,
        )
    _write(plan.changes, dry_run)
    verb = "would be" if dry_run else "were"
    click.echo(
        f"{len(people)} people read: {plan.created} new, {plan.updated} updated, {plan.unchanged} unchanged "
        f"({verb} written)"
    )
    if any(p.severity == "error" for p in problems):
        sys.exit(1)


files_argument = click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
overwrite_option = click.option(
    "--overwrite", is_flag=True, help="Replace what the notes say with what the file says (default: only fill gaps)."
)


@import_.command("vcard")
@files_argument
@vault_option
@overwrite_option
@dry_run_option
def import_vcard(files: tuple[Path, ...], vault: Path, overwrite: bool, dry_run: bool) -> None:
    """Import vCards (2.1, 3.0 or 4.0; Apple, Google, Android exports) from FILES.

    A card matches an existing contact by e-mail, LinkedIn URL or UID, then by exact name; matched notes only
    get the fields they leave empty. New contacts get a note each in the contacts folder.
    """
    _import(vault, "vcard", files, overwrite, dry_run)


@import_.command("linkedin")
@files_argument
@vault_option
@overwrite_option
@dry_run_option
def import_linkedin(files: tuple[Path, ...], vault: Path, overwrite: bool, dry_run: bool) -> None:
    """Import LinkedIn's Connections.csv (Settings > Data privacy > Get a copy of your data).

    Connections become contacts met on their connection date, in the dormant circle: they come up as
    reconnect suggestions, a few a week, instead of flooding the follow-up list.
    """
    _import(vault, "linkedin", files, overwrite, dry_run)


@cli.group()
def export() -> None:
    """Take contacts out in a standard form."""


@export.command("vcard")
@vault_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (default: stdout).")
@click.option("--tag", help="Only contacts with this tag.")
@click.option("--circle", help="Only contacts in this circle.")
def export_vcard(vault: Path, out: Path | None, tag: str | None, circle: str | None) -> None:
    """Export contacts as vCard 4.0 (phones, khard, other address books). Archived contacts are included."""
    root = pipeline.check_vault(vault)
    session = pipeline.Session(root)
    snapshot = session.snapshot()
    _report(vault, snapshot.problems)
    chosen = [
        c
        for c in snapshot.network.contacts
        if (tag is None or tag.lstrip("#").casefold() in {t.casefold() for t in c.tags})
        and (circle is None or (c.circle or session.settings.default_circle) == circle.lower())
    ]
    data = contacts_io.export_vcards(chosen)
    if out is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        write_atomic(out, data)
        click.echo(f"{len(chosen)} contacts written to {out}", err=True)


@cli.command("check-files")
@click.argument("files", nargs=-1)
@vault_option
def check_files(files: tuple[str, ...], vault: Path) -> None:
    """Check only FILES (paths as git gives them): for a pre-commit hook. Exits 1 on errors in them."""
    root = pipeline.check_vault(vault)
    wanted = set()
    for file in files:
        try:
            wanted.add(Path(os.path.relpath(Path(file).resolve(), root.resolve())).as_posix())
        except ValueError:
            continue
    problems = [p for p in pipeline.check(root) if p.path in wanted]
    _report(vault, problems)
    if any(p.severity == "error" for p in problems):
        sys.exit(1)


@cli.command("build-hook")
@vault_option
@today_option
def build_hook(vault: Path, today: datetime | None) -> None:
    """Build, and exit 1 if an output changed (pre-commit: add the rebuilt files and commit again)."""
    result = pipeline.build(pipeline.check_vault(vault), _today(today))
    _report(vault, result.problems)
    changed = [o.path for o in result.outputs if o.changed]
    for path in changed:
        click.echo(f"rebuilt  {path}", err=True)
    if any(not _ignored_by_git(path) for path in changed):  # an ignored output cannot be added: no reason to stop
        sys.exit(1)


def _ignored_by_git(path: Path) -> bool:
    """Whether git ignores `path` (False outside a repository, or without git)."""
    try:
        found = subprocess.run(["git", "check-ignore", "-q", "--", path.name], cwd=path.parent, capture_output=True,
                               timeout=60)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return False
    return found.returncode == 0


@cli.command()
@vault_argument
def check(vault: Path) -> None:
    """Report every problem in VAULT's notes and settings as path:line: message.

    Exits with 1 if there is any error (warnings alone do not fail), so it fits a pre-commit hook or CI.
    """
    problems = pipeline.check(vault)
    _report(vault, problems)
    errors = [p for p in problems if p.severity == "error"]
    warnings = len(problems) - len(errors)
    if errors:
        click.echo(f"{_count(len(errors), 'error')}, {_count(warnings, 'warning')}", err=True)
        sys.exit(1)
    click.echo("no errors" + (f", {_count(warnings, 'warning')}" if warnings else ""))


def main() -> None:
    cli(prog_name="vaultnet")

"""The command line: translate arguments, call the library, print. Reading commands are here; the
writing ones are in `cli_write`; the error boundary, the vault option and printing in `cli_base`.

A command imports what only it uses inside its function (the watcher, the server, the renderers): a one-shot
`vaultnet build` pays for click and the pipeline, not for watchdog or http.server. `main`, the console entry
point, ends a one-shot command's process without the interpreter's teardown (see `main`).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaultnet import __version__, pipeline
from vaultnet.cli_base import (
    VAULT_RULE,
    Group,
    count,
    day_of,
    debug_option,
    echo,
    echo_shown,
    print_notices,
    progress_line,
    report,
    shown,
    today_option,
    with_vault,
)
from vaultnet.cli_write import COMMANDS
from vaultnet.kinds import Kind
from vaultnet.problems import printable

if TYPE_CHECKING:
    from vaultnet import serve as serving
    from vaultnet.rules import Plan
    from vaultnet.watch import Watcher

vault_argument = with_vault(argument="VAULT")


_HELP = f"""vaultnet: a personal networking CRM in plain text.

Contacts are Markdown notes with YAML front matter in a folder (the vault). vaultnet tells you whom to
get back to and why, as a follow-up note in the vault and a calendar you can subscribe to.

The vault, for every command: {VAULT_RULE}
"""


@click.group(cls=Group, help=_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vaultnet")
@debug_option
def cli(debug: bool) -> None:
    """The root of the command line (its help is `_HELP`)."""
    click.get_current_context().with_resource(print_notices())


_OUTPUT_NAMES = {"followups": "follow-up note", "calendar": "reminder calendar"}


@cli.command()
@vault_argument
@today_option
def build(vault: Path, today: datetime | None) -> None:
    """Write the follow-up note and the reminder calendar of the vault.

    Files whose content did not change are not rewritten. Problems in notes are printed as
    path:line: message; the notes without problems are still used.
    """
    day = day_of(today)
    with progress_line("reading notes") as progress:
        result = pipeline.build(vault, day, progress)
    report(vault, result.problems, warnings_in_full=False)
    for output in result.outputs:
        echo(f"{'wrote' if output.changed else 'unchanged'}  {shown(output.path)}")
    for key in result.off:
        echo(f"off  the {_OUTPUT_NAMES[key]} ([outputs] {key} = false)")
    errors = sum(1 for p in result.problems if p.severity == "error")
    summary = f"{count(result.contacts, 'contact')}, {result.due} due on {day.isoformat()}"
    if errors:
        summary += f", {count(errors, 'problem')} (see above; `vaultnet check` lists them)"
    echo(summary)


@cli.command(
    help="Print today's follow-ups: who to get back to, and why.\n\n"
    f"Each item has a kind ({', '.join(Kind)}), a name, the note's path, a date and a reason."
)
@vault_argument
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def due(vault: Path, today: datetime | None, as_json: bool) -> None:
    from vaultnet.render.jsonout import render_items
    from vaultnet.render.text import render_table

    day = day_of(today)

    def show(snapshot: pipeline.Snapshot, plan: Plan) -> str:
        return printable(render_items(plan.due, day) if as_json else render_table(plan.due, day), lines=True)

    with progress_line("reading notes", quiet=as_json) as progress:
        problems, text = pipeline.view(vault, day, f"due{' --json' * as_json}", show, progress)
    report(vault, problems, warnings_in_full=False)
    echo_shown(text)


@cli.command()
@vault_argument
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a list.")
def today(vault: Path, today: datetime | None, as_json: bool) -> None:
    """A short agenda for today that fits half an hour.

    Birthdays first (call!), then promises that are due, event follow-ups, the most overdue follow-ups and
    one dormant tie to revive; at most [practice] agenda_size items (default 5).
    """
    from vaultnet.insights import agenda
    from vaultnet.render.jsonout import render_items
    from vaultnet.render.text import render_agenda

    day = day_of(today)

    def show(snapshot: pipeline.Snapshot, plan: Plan) -> str:
        items = agenda(plan, snapshot.settings.practice.agenda_size)
        return printable(render_items(items, day) if as_json else render_agenda(items, day), lines=True)

    problems, text = pipeline.view(vault, day, f"today{' --json' * as_json}", show)
    report(vault, problems, warnings_in_full=False)
    echo_shown(text)


@cli.command()
@vault_argument
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead of text.")
def stats(vault: Path, today: datetime | None, as_json: bool) -> None:
    """Network health: circles, who you kept in touch with, deep ties, overdue follow-ups, give and take,
    the weekly rhythm of new and maintained contacts, and your goals."""
    from vaultnet.insights import stats as network_stats
    from vaultnet.render.jsonout import render_json
    from vaultnet.render.text import render_stats

    day = day_of(today)

    def show(snapshot: pipeline.Snapshot, plan: Plan) -> str:
        numbers = network_stats(plan, snapshot.settings)
        settings = snapshot.settings
        text = render_json(numbers.as_dict(settings)) if as_json else render_stats(numbers, settings)
        return printable(text, lines=True)

    problems, text = pipeline.view(vault, day, f"stats{' --json' * as_json}", show)
    report(vault, problems, warnings_in_full=False)
    echo_shown(text)


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
    from vaultnet.insights import who as find_introducers
    from vaultnet.render.jsonout import render_json, who_dicts
    from vaultnet.render.text import render_who

    day = day_of(today)
    snapshot, plan = pipeline.due(vault, day)
    report(vault, snapshot.problems, warnings_in_full=False)
    found = find_introducers(plan, company=company, tag=tag, interest=interest)
    echo(render_json(who_dicts(found)) if as_json else render_who(found), nl=False)


def _until_signalled(stop: Callable[[], None]) -> threading.Event:
    """Ctrl-C and SIGTERM end the process cleanly: they call `stop` and set the returned event."""
    import signal

    done = threading.Event()

    def handle(signum: int, frame: object) -> None:
        stop()
        done.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return done


def _serve_in_background(
    session: pipeline.Session,
    host: str,
    port: int,
    rotate_token: bool,
    lock: threading.Lock,
    watcher: Watcher | None = None,
) -> serving.Server:
    from vaultnet import serve as serving

    token = serving.load_token(session.root, rotate=rotate_token)
    server = serving.make_server(session, host, port, token, log=_log, lock=lock, watcher=watcher)
    actual_port = server.server_address[1]
    http_url, webcal_url = serving.urls(host, actual_port, token)
    echo(f"calendar: {http_url}", err=True)
    echo(f"          {webcal_url}", err=True)
    if session.settings.calendar_path is None:
        echo("warning: the calendar is off ([outputs] calendar = false): its URL answers 404 until it is on",
                   err=True)  # fmt: skip
    if not serving.is_loopback(host):
        echo(
            f"warning: listening on {host}, not only on this machine: anyone who can reach it and learns the URL "
            "sees names and birthdays. Publish it behind a reverse proxy with TLS (see docs/live.md).",
            err=True,
        )
    threading.Thread(target=server.serve_forever, name="vaultnet-serve", daemon=True).start()
    return server


def _log(message: str) -> None:
    echo(f"{datetime.now():%H:%M:%S} {message}", err=True)


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
    keep_teardown()
    if rotate_token and not serve_too:
        raise click.UsageError("--rotate-token goes with --serve")
    from vaultnet.watch import Report, Watcher

    session = pipeline.Session(vault, keep_last_good=True)
    lock = threading.Lock()

    def on_build(built: Report) -> None:
        report(vault, built.new_problems)
        _log(built.line())

    watcher = Watcher(session.root, log=_log, poll=poll, on_build=on_build, session=session, lock=lock)
    server = _serve_in_background(session, host, port, rotate_token, lock, watcher) if serve_too else None
    _until_signalled(watcher.stop)
    _log(f"watching {shown(vault)} (Ctrl-C to stop)")
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
    keep_teardown()
    session = pipeline.Session(vault)
    server = _serve_in_background(session, host, port, rotate_token, threading.Lock())
    done = _until_signalled(lambda: None)
    done.wait()
    server.shutdown()
    _log("stopped")


@cli.command()
@vault_argument
def check(vault: Path) -> None:
    """Report every problem in VAULT's notes and settings as path:line: message.

    Exits with 1 if there is any error (warnings alone do not fail), so it fits a pre-commit hook or CI.
    """
    with progress_line("reading notes") as progress:
        problems, sources = pipeline.check_all(vault, progress)
    report(vault, problems)
    for line in sources:  # which calendars and mailboxes were read, and what each gave
        echo(line)
    errors = [p for p in problems if p.severity == "error"]
    warnings = len(problems) - len(errors)
    if errors:
        echo(f"{count(len(errors), 'error')}, {count(warnings, 'warning')}", err=True)
        sys.exit(1)
    echo("no errors" + (f", {count(warnings, 'warning')}" if warnings else ""))


for command in COMMANDS:
    cli.add_command(command)


# -- the process ------------------------------------------------------------------------------------------------
# A one-shot command's process has nothing left to do once the command returned: its outputs are written (atomically,
# each renamed into place), its locks let go (by the `with` blocks that took them) and its cache committed. The
# interpreter's teardown would then collect and free every object the build made (a collection pass over a million
# objects at 10,000 notes), for nothing. `main` flushes the output and leaves with os._exit instead. The long-running
# commands ask for the full teardown (`keep_teardown`): their threads and sockets are stopped by it.

_teardown = {"wanted": False}


def keep_teardown() -> None:
    """This process ends with the interpreter's full teardown (atexit handlers, the last collection), not `main`'s
    quick exit: for the long-running commands (`watch`, `serve`)."""
    _teardown["wanted"] = True


def main() -> None:
    """The console entry point (the `vaultnet` script): run the command line with the process's arguments, then end
    the process with the command's exit code. Code that runs `cli` itself (a test, a program) gets click's usual
    SystemExit, and its interpreter is left alone."""
    try:
        cli.main(prog_name="vaultnet")
    except SystemExit as exc:
        code = exc.code
    else:  # click ends every run with SystemExit; only a caller that changed that gets here
        code = 0
    if _teardown["wanted"]:
        sys.exit(code)
    os._exit(_flushed(_exit_status(code)))


def _exit_status(code: object) -> int:
    """The exit status Python gives a SystemExit of `code`: None is 0, an int itself, anything else is printed
    on stderr and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    with contextlib.suppress(Exception):
        print(code, file=sys.stderr)
    return 1


def _flushed(status: int) -> int:
    """Flush stdout and stderr as the interpreter's teardown does: `status`, or 120 when one of them cannot be
    flushed (the reader of a pipe went away with output still buffered), the status Python exits with then."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None or stream.closed:
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # what was buffered is lost, as it would be in the teardown
            status = 120
    return status

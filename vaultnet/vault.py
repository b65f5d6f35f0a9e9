"""The disk: list notes, read them, fingerprint them, write atomically. Files are opened by the rules of
`safeio` (no link out of the vault, no special file, no write through a link), as everywhere in vaultnet."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import NamedTuple, Protocol

from vaultnet.atomic import Changed, compare_and_swap, temp_file
from vaultnet.problems import Problem, UserError, WriteRefused, printable
from vaultnet.safeio import (
    NOFOLLOW,
    SETTINGS_LIMIT,
    Refused,
    is_inside,
    kind_of,
    read_inside,
    read_regular,
    refuse_links,
)

# Folders no note lives in: version control, editor state, trash, our own cache.
# Every folder whose name starts with a dot is skipped as well.
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__"})

# Read once: os.umask can only be read by setting it, which is not safe once threads run.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


class Fingerprint(NamedTuple):
    """What tells a changed file from an unchanged one without reading it (as khal and git do).

    A NamedTuple: one is made per note on every build, where a tuple is cheapest.
    """

    mtime_ns: int
    size: int


class Listing(dict[str, Fingerprint]):
    """The notes of a vault (relative `/`-separated path -> fingerprint), and the problems met listing them:
    files vaultnet skips with a word (a name that is not UTF-8, a link out of the vault, a FIFO named
    `*.md`) and folders it cannot read."""

    problems: tuple[Problem, ...] = ()


def list_notes(
    root: Path, exclude: frozenset[str] = frozenset(), skip_folders: frozenset[str] = frozenset()
) -> Listing:
    """Every Markdown note below `root`: relative `/`-separated path -> fingerprint (see `Listing`).

    Hidden folders (`.git`, `.obsidian`, `.trash`, `.vaultnet`, ...), `skip_folders` (relative paths) and
    `exclude`d files are skipped; symlinked folders are not followed (no loops, nothing outside the vault);
    a symlinked note is listed when its target is a regular file inside the vault (else a warning).
    Special files (FIFOs, devices, sockets) are never opened, only reported.
    """
    notes = Listing()
    problems: list[Problem] = []
    real_root = os.path.realpath(root)
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue  # vanished since it was listed
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            problems.append(Problem(prefix.rstrip("/") or ".", 0, f"cannot read this folder ({reason}): the notes "
                                    "in it are skipped"))  # fmt: skip
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = prefix + name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name not in SKIPPED_FOLDERS and rel not in skip_folders:
                        stack.append((entry.path, rel + "/"))
                    continue
                if not name.lower().endswith(".md") or rel in exclude:
                    continue
                found = _note(entry, rel, real_root)
            except OSError:
                continue  # vanished between listing and stat (an editor's temp file, a git checkout)
            if isinstance(found, Fingerprint):
                notes[rel] = found
            elif found is not None:
                problems.append(found)
    notes.problems = tuple(sorted(problems))
    return notes


class _Entry(Protocol):
    """What `_note` reads of a file: an `os.DirEntry` from a listing, or `_OneFile` for a file named alone."""

    @property
    def path(self) -> str: ...

    def is_symlink(self) -> bool: ...

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result: ...


def _note(entry: _Entry, rel: str, real_root: str) -> Fingerprint | Problem | None:
    """The fingerprint of the note at `entry`; a problem when vaultnet skips it with a word; None when it
    skips it silently (a link to a folder: folders are not followed)."""
    if not _utf8(rel):
        # Reported with the name escaped (`Bad\xffName.md`), so the problem itself is valid UTF-8 everywhere.
        message = "the file name is not valid UTF-8: vaultnet skips this note (rename it)"
        return Problem(printable(rel), 0, message)
    if entry.is_symlink():
        if not is_inside(real_root, os.path.realpath(entry.path)):
            return Problem(
                rel, 0, "this note is a link to a file outside the vault: vaultnet does not read it", "warning"
            )
        try:
            st = entry.stat()
        except FileNotFoundError:
            return Problem(rel, 0, "this note is a link to a file that does not exist: vaultnet skips it", "warning")
        if stat.S_ISDIR(st.st_mode):
            return None
    else:
        st = entry.stat(follow_symlinks=False)
    if not stat.S_ISREG(st.st_mode):
        return Problem(rel, 0, f"this is {kind_of(st.st_mode)}, not a note: vaultnet does not open it", "warning")
    return Fingerprint(st.st_mtime_ns, st.st_size)


def note_at(
    root: Path,
    rel: str,
    exclude: frozenset[str] = frozenset(),
    skip_folders: frozenset[str] = frozenset(),
    real_root: str | None = None,
) -> Fingerprint | Problem | None:
    """What `list_notes(root, exclude, skip_folders)` lists for the one file `rel` (relative, `/`-separated),
    without listing any folder: its fingerprint, the problem it reports instead, or None when it lists nothing
    there (not a note, in a folder it skips, gone). The watcher looks again only at the files events named.
    `real_root`: `os.path.realpath(root)`, when the caller has it already."""
    parts = rel.split("/")
    name = parts[-1]
    if name.startswith(".") or not name.lower().endswith(".md") or rel in exclude:
        return None
    folder = str(root)
    for depth, part in enumerate(parts[:-1], 1):
        if not part or part.startswith(".") or part in SKIPPED_FOLDERS or "/".join(parts[:depth]) in skip_folders:
            return None
        folder = os.path.join(folder, part)
        try:
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                return None  # list_notes enters no link to a folder, and no file is a folder
        except OSError:
            return None
    try:
        entry = _OneFile(os.path.join(folder, name))
        if stat.S_ISDIR(entry.lstat.st_mode):
            return None  # a folder named `*.md`: list_notes enters it, it is no note
        return _note(entry, rel, os.path.realpath(root) if real_root is None else real_root)
    except OSError:
        return None  # gone (or going) since the event: as list_notes skips a file that vanishes


class _OneFile:
    """A file named by its path, answering as the `os.DirEntry` that a listing would give for it (one lstat)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lstat = os.lstat(path)

    def is_symlink(self) -> bool:
        return stat.S_ISLNK(self.lstat.st_mode)

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        return os.stat(self.path) if follow_symlinks else self.lstat


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def note_stem(rel: str) -> str:
    """The file name of the `/`-separated note path `rel` without its extension, as `PurePosixPath(rel).stem` gives
    it (`People/Jo Park.md` -> `Jo Park`; `.md` -> `.md`), with string operations: it is asked of every note that is
    parsed, where a path object costs ten times as much."""
    name = rel.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def has_folder(root: Path, rel: str) -> bool:
    """Whether the `/`-separated folder `rel` exists below `root` with exactly this case: on macOS and Windows
    `People` opens `people/` too, but vaultnet (as Obsidian) matches paths with their case."""
    folder = str(root)
    for name in rel.split("/"):
        try:
            if not any(e.name == name and e.is_dir() for e in os.scandir(folder)):
                return False
        except OSError:
            return False
        folder = os.path.join(folder, name)
    return True


def top_folders(root: Path) -> set[str]:
    """The folders at the top of the vault, also empty ones (not hidden, not skipped): what a folder name in
    the settings may have meant."""
    try:
        entries = list(os.scandir(root))
    except OSError:
        return set()
    hidden = SKIPPED_FOLDERS
    return {e.name for e in entries if not e.name.startswith(".") and e.name not in hidden and e.is_dir()}


def fingerprint(path: Path) -> Fingerprint | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return Fingerprint(st.st_mtime_ns, st.st_size)


def read_bytes(root: Path, rel: str) -> bytes | None:
    """The note's bytes, or None when it vanished since it was listed. `Refused` (with the reason) when
    vaultnet may not or cannot read it: unreadable, a special file, a link that leads out of the vault."""
    return read_inside(root, rel)


def read_text(root: Path, rel: str) -> str | None:
    """A settings file below `root` (vaultnet.toml, Obsidian's JSON) as text (BOM dropped), or None when
    there is none. `Refused` when it cannot be used: not a regular file, larger than `SETTINGS_LIMIT`,
    unreadable, a link out of the vault, or not UTF-8."""
    data = read_inside(root, rel, SETTINGS_LIMIT)
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Refused("is not UTF-8 text") from exc


def check_no_links(root: Path, path: Path) -> None:
    """A `UserError` naming the link when `path`, or a folder on its way below `root`, is a symbolic link:
    what vaultnet writes stays in the vault (see `safeio.refuse_links`)."""
    try:
        refuse_links(root, path)
    except Refused as exc:
        raise UserError(str(exc)) from None


def write_atomic(path: Path, data: bytes, root: Path | None = None) -> bool:
    """Write `data` to `path` via a temp file and a rename; returns False (and writes nothing) if unchanged.

    A reader never sees a half-written file; an existing file keeps its permissions. Nothing is written
    through a link: a `UserError` (naming the path) when `path` is a symbolic link, or, below the vault's
    `root` when given, when a folder on its way is one.
    """
    check_no_links(root if root is not None and path.is_relative_to(root) else path.parent, path)
    try:
        if read_regular(path) == data:
            return False
    except Refused:
        pass  # a folder, a FIFO, an unreadable file: replacing it says what is wrong
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where a folder should be: name the output
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    tmp = temp_file(path, data, 0o666 & ~_UMASK if mode is None else mode)  # an error names the output
    try:
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    return True


class NoteChanged(WriteRefused):
    """A note did not hold the bytes a change was computed from, so nothing was written. `current` is what it
    holds now (None: it was removed), for a command that can compute its change again."""

    def __init__(self, message: str, current: bytes | None) -> None:
        super().__init__(message)
        self.current = current


def replace_note(path: Path, expected: bytes, data: bytes) -> None:
    """Write `data` over a note, only if it still holds `expected` (the bytes a command read).

    An editor that saved the note in between wins: nothing is written (`NoteChanged`). The write is atomic and
    keeps the file's permissions. The caller holds the note's lock (`changes.apply`), against other commands.
    """
    try:
        compare_and_swap(path, expected, data)
    except Changed as exc:
        if exc.current is None:
            message = f"{path} was removed while vaultnet was editing it: nothing was written"
        else:
            message = (
                f"{path} changed since vaultnet read it (saved in an editor?): nothing was written, run the "
                "command again"
            )
        raise NoteChanged(message, exc.current) from None


def create_note(path: Path, data: bytes) -> None:
    """Create a new note atomically; refuses to replace a file that exists (even one made a moment ago)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    link_note(temp_file(path, data, 0o666 & ~_UMASK), path)


def link_note(tmp: str, path: Path) -> None:
    """The temp file `tmp` (written and synced) becomes the new note `path`, unless a file has that name: never
    overwritten (`UserError`). The temp file is gone either way."""
    try:
        try:
            os.link(tmp, path)  # fails if the name is taken: never overwrites
        except FileExistsError:
            raise UserError(f"{path} exists already: nothing was written") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def new_notes_on_disk(notes: list[tuple[Path, bytes]]) -> list[str]:
    """Temp files for many new notes (`link_note` makes each a note), all on disk with one `os.sync` rather than
    an fsync each: an import of 10,000 notes spent a third of its time in fsync. If one cannot be written, the
    ones made are removed and the error raised."""
    made: list[str] = []
    try:
        for path, data in notes:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.append(temp_file(path, data, 0o666 & ~_UMASK, sync=False))
        os.sync()
    except BaseException:
        for tmp in made:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    return made


def private_dir(path: Path) -> Path:
    """Make vaultnet's own folder in a vault (cache, calendar, token) with a `.gitignore` that keeps all of
    it out of git, whatever the vault's own .gitignore says. A folder that is a symbolic link is refused
    (`UserError`): what vaultnet keeps there (a secret token) must not land where the link leads."""
    if os.path.islink(path):
        raise UserError(f"{path} is a symbolic link: vaultnet keeps its cache, calendar and token only in a real "
                        "folder there (remove the link)")  # fmt: skip
    path.mkdir(parents=True, exist_ok=True)
    ignore = path / ".gitignore"
    with contextlib.suppress(OSError):  # there already (a link, too: never followed), or a read-only vault
        # O_EXCL: made only if no such name exists, so a planted link is never written through.
        fd = os.open(ignore, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("# made by vaultnet: its cache, calendar and secret token stay out of git\n*\n")
    return path

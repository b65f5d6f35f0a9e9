"""The only module that touches the disk: list notes, read them, fingerprint them, write atomically."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import NamedTuple

from vaultnet.atomic import TEMP_PREFIX, TEMP_SUFFIX, Changed, compare_and_swap, temp_file
from vaultnet.problems import Refused, UserError

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


def list_notes(
    root: Path, exclude: frozenset[str] = frozenset(), skip_folders: frozenset[str] = frozenset()
) -> dict[str, Fingerprint]:
    """Every Markdown note below `root`: relative `/`-separated path -> fingerprint.

    Hidden folders (`.git`, `.obsidian`, `.trash`, `.vaultnet`, ...), `skip_folders` (relative paths) and
    `exclude`d files are skipped; symlinked folders are not followed (no loops), symlinked files are.
    """
    notes: dict[str, Fingerprint] = {}
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # unreadable or vanished folder: nothing to index there
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
                st = entry.stat()
            except OSError:
                continue  # vanished between listing and stat (an editor's temp file, a git checkout)
            if stat.S_ISREG(st.st_mode):
                notes[rel] = Fingerprint(st.st_mtime_ns, st.st_size)
    return notes


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
    """The note's bytes, or None when it vanished since it was listed."""
    try:
        return (root / rel).read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def read_text(path: Path) -> str | None:
    """A settings file as text (BOM dropped), or None when there is none."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return None


def write_atomic(path: Path, data: bytes) -> bool:
    """Write `data` to `path` via a temp file and a rename; returns False (and writes nothing) if unchanged.

    A reader never sees a half-written file; an existing file keeps its permissions.
    """
    if path.is_symlink():  # a user who links the output elsewhere wants the link kept and its target written
        path = Path(os.path.realpath(path))
    try:
        if path.read_bytes() == data:
            return False
    except (FileNotFoundError, IsADirectoryError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    except OSError as exc:  # name the output, not the temp file that could not be made
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK if mode is None else mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    return True


class NoteChanged(Refused):
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
    tmp = temp_file(path.parent, data, 0o666 & ~_UMASK)
    try:
        try:
            os.link(tmp, path)  # fails if the name is taken: never overwrites
        except FileExistsError:
            raise UserError(f"{path} exists already: nothing was written") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def private_dir(path: Path) -> Path:
    """Make vaultnet's own folder in a vault (cache, calendar, token) with a `.gitignore` that keeps all of
    it out of git, whatever the vault's own .gitignore says."""
    path.mkdir(parents=True, exist_ok=True)
    ignore = path / ".gitignore"
    if not ignore.exists():
        with contextlib.suppress(OSError):  # a read-only vault: nothing is written there anyway
            ignore.write_text("# made by vaultnet: its cache, calendar and secret token stay out of git\n*\n")
    return path

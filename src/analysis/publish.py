"""Put a finished output folder in place without ever losing a user's file.

A command that writes a folder (``report``, and any other that writes one)
builds it in a work folder beside the destination, then calls :func:`publish`.
The guarantees, which the README states to users:

- The published folder carries a marker file, :data:`MARKER`, listing exactly
  the files the command wrote (relative path, size, sha256).
- An existing destination is replaced only with ``force=True``, and only if it
  carries a valid marker (or is empty). Then only the files listed in its
  marker that are unchanged (same size and sha256) are removed; every other
  file stays where it is and is named in :attr:`PublishResult.kept`. A folder
  without the marker is refused even with ``force``.
- The folder holding the input file, the working folder and the compendium
  are never replaced.
- While files are moved into place, SIGINT and SIGTERM are held and delivered
  once the new folder is complete, so an interrupt leaves either the old state
  or the new one, never a mix and never a hidden ``.NAME.old-…`` folder.
- Folders are created with the user's umask; parent folders created for the
  destination are removed again if the command fails or is interrupted.

Typical use::

    with staging(out_dir, force=force, protected=[input_path]) as work:
        ...  # write every output file into ``work``
        result = publish(work, out_dir, force=force)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = [
    "MARKER",
    "PublishError",
    "PublishResult",
    "check_destination",
    "publish",
    "read_marker",
    "signals_held",
    "staging",
]

#: the marker file of a folder this package wrote
MARKER = ".cramp-reanalysis-report.json"
_TOOL = "cramp-reanalysis"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class PublishError(FileExistsError):
    """The destination cannot be written or replaced; nothing was changed."""


@dataclass(frozen=True)
class PublishResult:
    """What :func:`publish` did.

    Attributes
    ----------
    out_dir : pathlib.Path
        The folder now in place.
    written : tuple of str
        Files written (relative POSIX paths), the marker last.
    removed : tuple of str
        Files of the earlier output that were listed in its marker, unchanged,
        and removed.
    kept : tuple of str
        Files already in ``out_dir`` that this package did not write (or that
        were changed since): left exactly where they were.
    """

    out_dir: Path
    written: tuple[str, ...]
    removed: tuple[str, ...]
    kept: tuple[str, ...]


def sha256_of(path: str | Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def signals_held(*, deliver: bool = True) -> Iterator[None]:
    """Hold SIGINT and SIGTERM for the duration of the block.

    A signal that arrives inside the block is recorded and, with ``deliver``,
    raised again (to the handler in place before the block) once the block has
    finished. Outside the main thread, where handlers cannot be set, the block
    runs unprotected.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda signum, _frame: caught.append(signum)) for s in held}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)
        if deliver and caught:
            signal.raise_signal(caught[0])


def _safe_relative(text: object) -> PurePosixPath | None:
    if not isinstance(text, str) or not text or "\\" in text or "\x00" in text:
        return None
    rel = PurePosixPath(text)
    if rel.is_absolute() or any(part in ("..", ".", "") for part in rel.parts):
        return None
    return rel


def read_marker(folder: str | Path) -> dict[str, tuple[int, str]] | None:
    """The files listed in ``folder``'s marker, ``{relative path: (bytes, sha256)}``.

    ``None`` if there is no marker or it is not a valid one (unreadable, not
    this package's, or listing a path that leaves the folder).
    """
    marker = Path(folder) / MARKER
    if marker.is_symlink() or not marker.is_file():
        return None
    try:
        content = json.loads(marker.read_text(encoding="utf-8"))
        entries = content["files"]
        if content.get("tool") != _TOOL or not isinstance(entries, list):
            return None
        files = {}
        for entry in entries:
            rel = _safe_relative(entry["path"])
            size, digest = entry["bytes"], entry["sha256"]
            if rel is None or not isinstance(size, int) or not isinstance(digest, str):
                return None
            if not _SHA256.fullmatch(digest) or str(rel) == MARKER:
                return None
            files[str(rel)] = (size, digest)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return files


def _listing(folder: Path) -> list[str]:
    """Every file, symlink and empty folder under ``folder``, relative, sorted."""
    found = []
    for root, dirs, files in os.walk(folder):
        base = Path(root)
        for name in files + [d for d in dirs if (base / d).is_symlink()]:
            found.append((base / name).relative_to(folder).as_posix())
        if not dirs and not files and base != folder:
            found.append(base.relative_to(folder).as_posix() + "/")
    return sorted(found)


def _unchanged(folder: Path, listed: dict[str, tuple[int, str]]) -> list[str]:
    """Listed files still as written: regular files, not links, same size and sha256."""
    same = []
    for rel, (size, digest) in listed.items():
        path = folder / rel
        if any(p.is_symlink() for p in (path, *path.parents) if folder in p.parents):
            continue
        if path.is_file() and path.stat().st_size == size and sha256_of(path) == digest:
            same.append(rel)
    return sorted(same)


def _summary(names: Iterable[str], limit: int = 5) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


@dataclass(frozen=True)
class _Plan:
    removed: tuple[str, ...]
    kept: tuple[str, ...]


def _plan(out_dir: Path, *, force: bool, protected: Iterable[Path] = ()) -> _Plan:
    """What replacing ``out_dir`` would remove and keep; raise if it must not be touched."""
    if not out_dir.exists() and not out_dir.is_symlink():
        return _Plan((), ())
    if not force:
        raise PublishError(f"{out_dir} exists; choose another --out or pass --force to replace it")
    if out_dir.is_symlink() or not out_dir.is_dir():
        raise PublishError(f"{out_dir} exists and is not a folder; it is not replaced")
    guarded = [Path(p).resolve() for p in protected]
    if any(out_dir == p or out_dir in p.parents for p in guarded):
        raise PublishError(
            f"{out_dir} holds the input file, the working folder or the compendium; "
            "it is never replaced, even with --force"
        )
    present = _listing(out_dir)
    listed = read_marker(out_dir)
    if listed is None and present:
        raise PublishError(
            f"{out_dir} is not a report folder written by cramp-reanalysis (it has no valid "
            f"{MARKER}); it is not replaced, even with --force: choose another --out, or "
            "move its files away yourself"
        )
    removed = _unchanged(out_dir, listed or {})
    kept = [p for p in present if p not in removed and p != MARKER]
    return _Plan(tuple(removed), tuple(kept))


def check_destination(
    out_dir: str | Path,
    *,
    force: bool,
    protected: Iterable[Path] = (),
    will_write: Iterable[str] = (),
) -> None:
    """Raise :class:`PublishError` if ``out_dir`` may not be written (or replaced).

    ``will_write`` names files (relative paths) the output will surely hold;
    a kept file or a folder where one of them must go is reported now, before
    the work, as :func:`publish` would after it.
    """
    out_dir = Path(out_dir).resolve()
    plan = _plan(out_dir, force=force, protected=protected)
    _refuse_conflicts(out_dir, _conflicts(out_dir, will_write, plan.kept))


def _refuse_conflicts(out_dir: Path, clashes: list[str]) -> None:
    if clashes:
        raise PublishError(
            f"{out_dir}: {_summary(clashes)} would be overwritten but "
            "cramp-reanalysis did not write it (or it was changed since; a folder is never "
            "replaced by a file); nothing was replaced: move it away or choose another --out"
        )


def _conflicts(out_dir: Path, new_files: Iterable[str], kept: Iterable[str]) -> list[str]:
    """Kept paths that a new file would overwrite or need as a folder, and folders in its place."""
    kept = set(kept)
    clashes = []
    for rel in new_files:
        parts = PurePosixPath(rel).parts
        for i in range(1, len(parts) + 1):
            prefix = "/".join(parts[:i])
            path = out_dir / prefix
            if prefix in kept or (i < len(parts) and path.exists() and not path.is_dir()):
                clashes.append(prefix)
            elif i == len(parts) and path.is_dir() and not path.is_symlink():
                clashes.append(prefix + "/")  # a folder where the new file must go
    return sorted(set(clashes))


def _manifest(work_dir: Path) -> list[dict[str, object]]:
    entries = []
    for rel in _listing(work_dir):
        path = work_dir / rel
        if rel.endswith("/") or rel == MARKER or path.is_symlink():
            continue
        entries.append({"path": rel, "bytes": path.stat().st_size, "sha256": sha256_of(path)})
    return entries


def _write_marker(work_dir: Path) -> list[str]:
    from analysis import __version__

    entries = _manifest(work_dir)
    marker = {
        "tool": _TOOL,
        "version": __version__,
        "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "note": "Files this command wrote. `--force` removes only these (if unchanged); "
        "anything else in the folder is left alone.",
        "files": entries,
    }
    (work_dir / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    return [str(e["path"]) for e in entries] + [MARKER]


def _sibling(out_dir: Path, kind: str) -> Path:
    """A new hidden folder beside ``out_dir``, created with the user's umask."""
    try:
        name_max = os.pathconf(out_dir.parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    room = max(1, min(name_max, 255) - len(f"..{kind}-12345678"))
    name = out_dir.name.encode()[:room].decode(errors="ignore")  # a long --out: cut, never longer
    while True:
        path = out_dir.parent / f".{name}.{kind}-{secrets.token_hex(4)}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path


def _move_all(moves: list[tuple[Path, Path]], done: list[tuple[Path, Path]]) -> None:
    for source, target in moves:
        for parent in reversed(target.parents):
            if not parent.exists():
                parent.mkdir()
                done.append((parent, parent))  # a folder made: removed on rollback
        os.replace(source, target)
        done.append((source, target))


def _roll_back(done: list[tuple[Path, Path]]) -> None:
    for source, target in reversed(done):
        with contextlib.suppress(OSError):
            if source == target:
                target.rmdir()
            else:
                source.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, source)


def _prune_empty(out_dir: Path, files: Iterable[str]) -> None:
    """Remove folders left empty by removing ``files`` (never ``out_dir`` itself)."""
    folders = {p for rel in files for p in (out_dir / rel).parents if out_dir in p.parents}
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()


def publish(
    work_dir: str | Path,
    out_dir: str | Path,
    *,
    force: bool,
    protected: Iterable[Path] = (),
    on_published: Callable[[PublishResult], None] | None = None,
) -> PublishResult:
    """Move the finished ``work_dir`` into place as ``out_dir``, with a marker.

    Parameters
    ----------
    work_dir : str or pathlib.Path
        A complete output folder, on the same file system as ``out_dir``
        (use :func:`staging`). It is consumed.
    out_dir : str or pathlib.Path
        Destination.
    force : bool
        Replace an earlier output of this package (see the module notes).
    protected : iterable of pathlib.Path
        Paths whose folders must never be replaced (the input file, ...).
    on_published : callable, optional
        Called with the result once the new folder is complete, while
        interrupts are still held.

    Returns
    -------
    PublishResult

    Raises
    ------
    PublishError
        If ``out_dir`` may not be replaced, or a file this package did not write
        sits where a new file must go; nothing is changed.
    OSError
        If moving fails; what was moved is moved back.
    """
    work_dir, out_dir = Path(work_dir), Path(out_dir).resolve()
    guard = [*protected, Path.cwd(), _project_root()]
    written = _write_marker(work_dir)
    with signals_held():
        plan = _plan(out_dir, force=force, protected=guard)
        _refuse_conflicts(out_dir, _conflicts(out_dir, written, plan.kept))
        if not out_dir.exists():
            os.rename(work_dir, out_dir)
        else:
            _replace_files(work_dir, out_dir, written, plan.removed)
        result = PublishResult(out_dir, tuple(written), plan.removed, plan.kept)
        if on_published is not None:
            on_published(result)
    return result


def _replace_files(
    work_dir: Path, out_dir: Path, written: list[str], removed: Iterable[str]
) -> None:
    """Swap the earlier output's files for the new ones, file by file, undoing on failure."""
    removed = [*removed, MARKER] if (out_dir / MARKER).is_file() else list(removed)
    trash = _sibling(out_dir, "old")
    done: list[tuple[Path, Path]] = []
    try:
        _move_all([(out_dir / rel, trash / rel) for rel in removed], done)
        _move_all([(work_dir / rel, out_dir / rel) for rel in written], done)
    except BaseException:
        _roll_back(done)
        shutil.rmtree(trash, ignore_errors=True)
        raise
    _prune_empty(out_dir, removed)
    shutil.rmtree(trash, ignore_errors=True)
    shutil.rmtree(work_dir, ignore_errors=True)


def _project_root() -> Path:
    from analysis import paths

    return paths.PROJECT_ROOT.resolve()


@contextlib.contextmanager
def staging(out_dir: str | Path, *, force: bool, protected: Iterable[Path] = ()) -> Iterator[Path]:
    """A work folder beside ``out_dir`` for building an output, cleaned up on any exit.

    Checks the destination first (raising :class:`PublishError` before
    anything is created), creates the missing parent folders and the work
    folder with the user's umask, and yields the work folder. On leaving the
    block, the work folder (if not published) is removed and, if the block
    raised, so are the parent folders it created.
    """
    out_dir = Path(out_dir).resolve()
    guard = [*protected, Path.cwd(), _project_root()]
    _plan(out_dir, force=force, protected=guard)
    created = []
    for parent in reversed(out_dir.parents):
        if not parent.exists():
            parent.mkdir()
            created.append(parent)
    work = None
    try:
        work = _sibling(out_dir, "partial")
        yield work
    except BaseException:
        with signals_held(deliver=False):
            if work is not None:
                shutil.rmtree(work, ignore_errors=True)
            for folder in reversed(created):
                with contextlib.suppress(OSError):
                    folder.rmdir()
        raise
    if work.exists():
        shutil.rmtree(work, ignore_errors=True)

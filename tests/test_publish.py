"""Publishing an output folder: the marker, what --force removes and keeps, rollback, signals."""

from __future__ import annotations

import hashlib
import json
import os
import signal
from pathlib import Path

import pytest

from analysis import publish as pub
from analysis.publish import MARKER, PublishError, publish, read_marker, signals_held, staging


def build(out: Path, files: dict[str, str], *, force: bool = False) -> pub.PublishResult:
    with staging(out, force=force) as work:
        for rel, text in files.items():
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            (work / rel).write_text(text)
        return publish(work, out, force=force)


def test_new_folder_gets_a_marker_listing_exactly_what_was_written(tmp_path):
    out = tmp_path / "out"
    result = build(out, {"a.txt": "A", "sub/b.txt": "BB"})
    assert result.written == ("a.txt", "sub/b.txt", MARKER)
    assert result.removed == () and result.kept == ()
    marker = json.loads((out / MARKER).read_text())
    assert marker["tool"] == "cramp-reanalysis" and marker["version"]
    assert marker["files"] == [
        {"path": "a.txt", "bytes": 1, "sha256": hashlib.sha256(b"A").hexdigest()},
        {"path": "sub/b.txt", "bytes": 2, "sha256": hashlib.sha256(b"BB").hexdigest()},
    ]
    assert read_marker(out) == {"a.txt": (1, marker["files"][0]["sha256"]),
                                "sub/b.txt": (2, marker["files"][1]["sha256"])}  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_force_removes_only_unchanged_listed_files(tmp_path):
    out = tmp_path / "out"
    build(out, {"a.txt": "A", "old/only.txt": "gone", "sub/b.txt": "B"})
    (out / "mine.docx").write_text("user")
    (out / "sub" / "notes.txt").write_text("user")
    result = build(out, {"a.txt": "A2", "sub/b.txt": "B2"}, force=True)
    assert set(result.removed) == {"a.txt", "old/only.txt", "sub/b.txt"}
    assert set(result.kept) == {"mine.docx", "sub/notes.txt"}
    assert (out / "a.txt").read_text() == "A2" and (out / "mine.docx").read_text() == "user"
    assert not (out / "old").exists()  # emptied, so removed
    assert set(read_marker(out)) == {"a.txt", "sub/b.txt"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_without_force_an_existing_folder_is_refused_before_anything_is_made(tmp_path):
    out = tmp_path / "out"
    build(out, {"a.txt": "A"})
    with pytest.raises(PublishError, match="exists; choose another --out or pass --force"):
        with staging(out, force=False):
            pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize(
    "marker",
    [
        "not json",
        json.dumps({"tool": "other", "files": []}),
        json.dumps(
            {
                "tool": "cramp-reanalysis",
                "files": [{"path": "/etc/passwd", "bytes": 1, "sha256": "0" * 64}],
            }
        ),  # fmt: skip
        json.dumps(
            {
                "tool": "cramp-reanalysis",
                "files": [{"path": "a/../../x", "bytes": 1, "sha256": "0" * 64}],
            }
        ),  # fmt: skip
        json.dumps({"tool": "cramp-reanalysis", "files": [{"path": "a.txt"}]}),
    ],
)
def test_an_invalid_marker_is_no_marker(tmp_path, marker):
    out = tmp_path / "out"
    out.mkdir()
    (out / MARKER).write_text(marker)
    (out / "a.txt").write_text("A")
    assert read_marker(out) is None
    with pytest.raises(PublishError, match="not a report folder"):
        with staging(out, force=True):
            pass
    assert (out / "a.txt").read_text() == "A"


def test_a_symlinked_listed_file_is_kept_not_followed(tmp_path):
    out = tmp_path / "out"
    build(out, {"a.txt": "A"})
    outside = tmp_path / "outside.txt"
    outside.write_text("A")
    (out / "a.txt").unlink()
    (out / "a.txt").symlink_to(outside)
    with pytest.raises(PublishError, match="a.txt would be overwritten"):
        build(out, {"a.txt": "A2"}, force=True)
    assert outside.read_text() == "A"


def test_a_failed_move_is_rolled_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(out, {"a.txt": "A", "b.txt": "B"})
    (out / "mine.txt").write_text("user")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_replace, calls = os.replace, []

    def failing(source, target):
        calls.append(target)
        if len(calls) == 4:  # after the old files went to the trash and one new one came in
            raise OSError(28, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(pub.os, "replace", failing)
    with pytest.raises(OSError, match="No space left"):
        build(out, {"a.txt": "A2", "b.txt": "B2"}, force=True)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_parents_made_for_the_destination_go_when_the_build_fails(tmp_path):
    out = tmp_path / "new" / "deep" / "out"
    with pytest.raises(RuntimeError):
        with staging(out, force=False) as work:
            assert work.parent == out.parent and work.name.startswith(".out.partial-")
            raise RuntimeError("a notebook failed")
    assert list(tmp_path.iterdir()) == []


def test_folders_follow_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        out = tmp_path / "out"
        build(out, {"sub/a.txt": "A"})
        assert out.stat().st_mode & 0o777 == 0o750
        assert (out / "sub").stat().st_mode & 0o777 == 0o750
    finally:
        os.umask(old)


def test_signals_are_held_then_delivered(tmp_path):
    seen = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    try:
        with signals_held():
            os.kill(os.getpid(), signal.SIGTERM)
            assert seen == []  # held
        assert seen == [signal.SIGTERM]
        with signals_held(deliver=False):
            os.kill(os.getpid(), signal.SIGTERM)
        assert seen == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_on_published_runs_while_interrupts_are_held(tmp_path):
    out = tmp_path / "out"
    seen = []

    def published(result):
        os.kill(os.getpid(), signal.SIGINT)  # held until publish returns
        seen.append((result.out_dir, (out / MARKER).is_file()))

    with pytest.raises(KeyboardInterrupt):
        with staging(out, force=False) as work:
            (work / "a.txt").write_text("A")
            publish(work, out, force=False, on_published=published)
    assert seen == [(out.resolve(), True)]
    assert (out / "a.txt").read_text() == "A"  # the interrupt came after: nothing undone


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_folder_where_a_new_file_goes_is_refused_and_nothing_changes(tmp_path):
    out = tmp_path / "out"
    build(out, {"a.txt": "A", "sub/b.txt": "B"})
    (out / "c.txt" / "inner").mkdir(parents=True)  # a user's folder, named like a new file
    (out / "c.txt" / "inner" / "keep.txt").write_text("user")
    before = _tree(tmp_path)
    with pytest.raises(PublishError, match=r"c\.txt/ would be overwritten"):
        build(out, {"a.txt": "A2", "c.txt": "C"}, force=True)
    assert _tree(tmp_path) == before and (out / "a.txt").read_text() == "A"
    with pytest.raises(PublishError, match=r"c\.txt/"):  # said before any work is done
        pub.check_destination(out, force=True, will_write=["c.txt"])


def test_the_hidden_work_folder_of_a_long_out_name_fits_name_max(tmp_path):
    name_max = os.pathconf(tmp_path, "PC_NAME_MAX")
    out = tmp_path / ("r" * (name_max - 1))  # a legal name, too long with the prefix
    result = build(out, {"a.txt": "A"})
    assert result.out_dir == out.resolve() and (out / "a.txt").read_text() == "A"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]
    long_utf8 = tmp_path / ("é" * (name_max // 2))  # cut on a character, not inside one
    build(long_utf8, {"a.txt": "A"})

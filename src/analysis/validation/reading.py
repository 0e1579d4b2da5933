"""Reading a file (or standard input) as a table of text, with bounded work.

Never raises for anything in the file: every failure is logged as a problem.
A file that cannot be a cohort table (a line of megabytes, thousands of
columns) is recognised before it is split into fields, so the time and
memory spent on a wrong file stay bounded.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.validation.columns import known_names, normalise_name
from analysis.validation.derived import DERIVED_NAMES
from analysis.validation.options import LoadOptions
from analysis.validation.problems import Log

#: longest line accepted (characters); a cohort row is a few hundred
MAX_LINE_CHARS = 100_000
#: most columns accepted in the header
MAX_COLUMNS = 1_000
#: most bytes read from standard input
MAX_STDIN_BYTES = 512 * 2**20

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary .xls (and .doc)
_SEP_LINE = re.compile(r"sep=(.)[ \t]*\r?\n?")
_STAT_SUFFIXES = {".sav": "SPSS", ".zsav": "SPSS", ".dta": "Stata"}


@dataclass
class RawTable:
    """A file read as text: what the checks start from.

    ``frame`` holds strings, indexed by spreadsheet row number, with the
    header's names as columns. ``merged`` maps a merged range of an Excel
    sheet (``'B3:B9'``) to its first and last 0-based column and its first
    and last row;
    ``formulas`` maps (row, 0-based column) to a formula without a saved
    result; ``variable_labels`` maps a column to its SPSS/Stata label.
    """

    frame: pd.DataFrame
    decimal: str | None
    header_row: int = 1
    other_sheets: tuple[str, ...] = ()
    merged: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    variable_labels: dict[str, str] = field(default_factory=dict)


def _sep_name(sep: str, *, cli: bool = False) -> str:
    if cli:
        return {"\t": "tab", ",": ",", ";": "';'", "|": "'|'"}.get(sep, repr(sep))
    return {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}.get(sep, repr(sep))


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their endings, as ``open(newline='')`` gives them, lazily.

    ``io.StringIO`` would first copy the whole text at four bytes a character.
    """
    for match in _LINE.finditer(text):
        if match.group():
            yield match.group()


def _detect_separator(text: str) -> str:
    lines = []
    for ln in _lines(text):  # the first 50 non-blank lines, without splitting it all
        if ln.strip():
            lines.append(ln.rstrip("\r\n"))
        if len(lines) == 50:
            break
    best, best_score = ",", (0, 0)
    for sep in (",", ";", "\t", "|"):
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=sep)]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        agree = sum(w == widths[0] for w in widths)
        score = (agree, widths[0])
        if score > best_score:
            best, best_score = sep, score
    return best


def _stdin_bytes(log: Log) -> bytes | None:
    if sys.stdin is None or sys.stdin.isatty():
        log.problem(
            value="-",
            rule="file-missing",
            message="'-' means standard input, but it is a terminal; pipe a file into "
            "it (cramp-reanalysis validate - < runners.csv) or name the file",
        )
        return None  # fmt: skip
    raw = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
    if len(raw) > MAX_STDIN_BYTES:
        log.problem(value="-", rule="not-a-table",
                    message=f"standard input holds more than {MAX_STDIN_BYTES // 2**20} MB; "
                            "save it to a file and name the file")  # fmt: skip
        return None
    log.decide("read from standard input")
    return raw


def _not_a_file(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file, for a person; None for a file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        hint = ""
        if path.name == "-":
            hint = "; '-' reads standard input only in `cramp-reanalysis validate -`"
        return "no such file" + hint
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder, not a file; name a file inside it"
    if stat.S_ISFIFO(mode):
        return (
            "a named pipe (FIFO), not a file: it is not read, since it may never end; "
            "save the data to a file, or pipe it into `cramp-reanalysis validate -`"
        )
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device (such as /dev/zero), not a file; name a data file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file; name a data file"
    return "not a regular file; name a data file"


def _read_bytes(source: str | Path, log: Log) -> tuple[bytes, str] | None:
    if str(source) == "-":
        raw = _stdin_bytes(log)
        return None if raw is None else (raw, "")
    path = Path(source)
    what = _not_a_file(path)
    if what is not None:
        log.problem(value=str(path), rule="file-missing", message=what)
        return None
    try:
        with path.open("rb") as handle:
            raw = handle.read()
    except OSError as exc:
        log.problem(
            value=str(path), rule="unreadable", message=f"cannot be read ({exc.strerror or exc})"
        )
        return None
    return raw, path.suffix.lower()


def read_table(source: str | Path, options: LoadOptions, log: Log) -> RawTable | None:
    """Read a file as a :class:`RawTable`, or return None with the problems logged."""
    got = _read_bytes(source, log)
    if got is None:
        return None
    raw, suffix = got
    name = Path(str(source)).name
    if raw.startswith(_OLE_MAGIC) or suffix in (".xls", ".ods", ".numbers"):
        log.problem(value=name, rule="unsupported-format",
                    message="old Excel .xls, .ods and .numbers files are not read; save the "
                            "sheet as .xlsx or CSV")  # fmt: skip
        return None
    if suffix in _STAT_SUFFIXES:
        from analysis.validation.statfiles import read_stat_file

        return read_stat_file(Path(source), _STAT_SUFFIXES[suffix], options, log)
    if suffix in (".xlsx", ".xlsm") or raw.startswith(_ZIP_MAGIC):
        if suffix not in (".xlsx", ".xlsm"):
            log.decide("the file is a zip archive: read as an Excel .xlsx workbook")
        from analysis.validation.excel import read_excel

        return read_excel(io.BytesIO(raw), name, options, log)
    text = _decode(raw, options.encoding, log)
    if text is None:
        return None
    return _read_text(text, options, log)


def _nul_hint(raw: bytes) -> str:
    """The encoding a file with NUL bytes is probably in, as a hint."""
    head = np.frombuffer(raw[:4000], dtype=np.uint8)
    if len(head) >= 4:
        even, odd = (head[0::2] == 0).mean(), (head[1::2] == 0).mean()
        if odd > 0.3 and even < 0.05:
            return ("it looks like UTF-16 text without a byte-order mark: pass "
                    "--encoding utf-16")  # fmt: skip
        if even > 0.3 and odd < 0.05:
            return ("it looks like UTF-16 (big-endian) text without a byte-order mark: pass "
                    "--encoding utf-16-be")  # fmt: skip
    return "export it as CSV (or UTF-16 text with a byte-order mark) or .xlsx"


def _longest_line(raw: bytes, *, chunk: int = 8 * 2**20) -> tuple[int, int]:
    """(length in bytes, 1-based line number) of the longest line, vectorised, chunk by chunk."""
    data = np.frombuffer(raw, dtype=np.uint8)
    best, best_line, lines_before, start = 0, 1, 0, 0  # start: where the current line starts
    for lo in range(0, len(data), chunk):
        ends = np.flatnonzero(data[lo : lo + chunk] == 10) + lo
        if not len(ends):
            continue
        lengths = np.diff(ends, prepend=start - 1) - 1
        i = int(np.argmax(lengths))
        if lengths[i] > best:
            best, best_line = int(lengths[i]), lines_before + i + 1
        lines_before += len(ends)
        start = int(ends[-1]) + 1
    if len(data) - start > best:
        best, best_line = len(data) - start, lines_before + 1
    return best, best_line


def _decode(raw: bytes, encoding: str | None, log: Log) -> str | None:
    longest, line = _longest_line(raw)
    if longest > MAX_LINE_CHARS * (2 if encoding and "16" in encoding else 1):
        fields = max(raw.count(b",", 0, 4 * MAX_LINE_CHARS),
                     raw.count(b";", 0, 4 * MAX_LINE_CHARS))  # fmt: skip
        log.problem(row=line, rule="not-a-table",
                    message=f"line {line} is {longest:,} bytes long (more than "
                            f"{fields:,} fields in its first {4 * MAX_LINE_CHARS:,} bytes); a "
                            f"cohort table has one line per runner, each at most "
                            f"{MAX_LINE_CHARS:,} characters: this is not a cohort table, or "
                            "its line breaks are lost")  # fmt: skip
        return None
    if encoding:
        enc = encoding
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
        log.decide("encoding: UTF-16 (detected from its byte-order mark)")
    else:
        enc = "utf-8-sig"
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError as exc:
        _encoding_problem(raw, exc, enc, log)
        return None
    except LookupError:
        log.problem(
            value=enc,
            rule="encoding",
            message="unknown encoding name; try utf-8, latin-1, cp1252 or utf-16",
        )
        return None
    text = text.removeprefix("\ufeff")
    if encoding:
        log.decide(f"encoding: {enc} (given)")
    if not text.strip():
        log.problem(value="", rule="empty-file", message="the file is empty")
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        log.problem(row=line, value="\\x00", rule="binary-file",
                    message=f"the file holds NUL bytes, so it is not a text table; "
                            f"{_nul_hint(raw)}")  # fmt: skip
        return None
    return text


def _encoding_problem(raw: bytes, exc: UnicodeDecodeError, enc: str, log: Log) -> None:
    """A wrong encoding, shown readably: the byte in hex and its line as latin-1 reads it."""
    line = raw[: exc.start].count(b"\n") + 1
    start = raw.rfind(b"\n", 0, exc.start) + 1
    end = raw.find(b"\n", exc.start)
    context = raw[start : end if end != -1 else len(raw)].decode("latin-1").strip()
    if len(context) > 60:
        context = context[:57] + "..."
    byte = raw[exc.start]
    hint = _nul_hint(raw) if b"\x00" in raw[:4000] else (
        "give its encoding, e.g. --encoding latin-1 or --encoding cp1252")  # fmt: skip
    log.problem(row=line, value=f"0x{byte:02X}", rule="encoding",
                message=f"the file is not valid {enc.removesuffix('-sig')}: byte 0x{byte:02X} "
                        f"(read as latin-1: {bytes([byte]).decode('latin-1')!r}) on line "
                        f"{line}, in {context!r}; {hint}")  # fmt: skip


def _read_text(text: str, options: LoadOptions, log: Log) -> RawTable | None:
    sep = options.sep
    first = _SEP_LINE.match(text)
    if first:
        text = text[first.end() :]
        if sep is None:
            sep = first.group(1)
            log.decide(f"separator: {_sep_name(sep)} (from the file's first line "
                       f"'sep={sep}', which Excel writes and hides)")  # fmt: skip
        else:
            log.decide(f"the file's first line 'sep={first.group(1)}' skipped")
    if sep is None:
        sep = _detect_separator(text)
        log.decide(f"separator: {_sep_name(sep)} (detected; override with --sep)")
    elif not first or options.sep is not None:
        log.decide(f"separator: {_sep_name(sep)} (given)")
    try:
        table = table_from_records(_records(text, sep), options, log, sep=sep)
    except csv.Error as exc:
        log.problem(rule="unparseable", message=f"the file could not be split into fields ({exc})")
        return None
    if table is None or log.has_errors:  # ragged rows: columns cannot be trusted, stop here
        return None
    _one_column(table.frame, sep, log)
    table.decimal = _decimal(table.frame, options, log)
    return table


def _records(text: str, sep: str) -> Iterator[tuple[int, list[str]]]:
    """Split CSV text into (spreadsheet row number, fields), lazily.

    Records are numbered as a spreadsheet shows them: a quoted cell holding a
    line break stays in one row, and a blank line is a row too (the reader
    gives it as an empty record). Raises :class:`csv.Error` while iterating.
    """
    reader = csv.reader(_lines(text), delimiter=sep)
    # one object per distinct cell content of a column: a million rows of lab values repeat
    # a few hundred strings, so memory follows the distinct values, not the cells; a column
    # of distinct values (ids) stops being pooled after 10,000 of them
    pools: list[dict[str, str]] = []
    for n, fields in enumerate(reader, start=1):
        while len(pools) < len(fields):
            pools.append({})
        yield n, [c if len(pool) > 10_000 else pool.setdefault(c, c)
                  for c, pool in zip(fields, pools, strict=False)]  # fmt: skip


def _one_column(frame: pd.DataFrame, sep: str, log: Log) -> None:
    if len(frame.columns) == 1 and len(frame):
        header = str(frame.columns[0])
        others = [s for s in (",", ";", "\t", "|") if s != sep and s in header]
        if others:
            log.problem(row=1, column=header[:60], rule="one-column",
                        message=f"the whole header is one column when split on "
                                f"{_sep_name(sep)}; the file seems separated by "
                                f"{_sep_name(others[0])}: pass --sep "
                                f"{_sep_name(others[0], cli=True)}")  # fmt: skip


def _decimal(frame: pd.DataFrame, options: LoadOptions, log: Log) -> str:
    if options.decimal is not None:
        log.decide(f"decimal mark: {options.decimal!r} (given)")
        return options.decimal
    sample = frame.head(500).to_numpy().ravel().tolist()
    comma = sum(bool(re.fullmatch(r"\s*[-+]?\d*,\d+\s*", str(c))) for c in sample)
    point = sum(bool(re.fullmatch(r"\s*[-+]?\d*\.\d+\s*", str(c))) for c in sample)
    decimal = "," if comma > point else "."
    log.decide(f"decimal mark: {decimal!r} (detected; override with --decimal)")
    return decimal


def _usable_header(header: list[str], options: LoadOptions) -> bool:
    """True if the header names a column the analysis uses, or options map one."""
    if options.columns or options.group_column is not None:
        return True
    return known_names(header) > 0 or any(normalise_name(h) in DERIVED_NAMES for h in header)


def _title_rows(records: list[tuple[int, list[str]]], options: LoadOptions, log: Log) -> bool:
    """True (and a problem logged) if the header seems to sit below a title."""
    if options.skip_rows or known_names(records[0][1]) >= 2:
        return False
    for n, fields in records[1:10]:
        if len(fields) <= MAX_COLUMNS and known_names(fields) >= 2:
            title = " ".join(c.strip() for c in records[0][1] if c.strip())
            log.problem(row=records[0][0], value=title[:60], rule="title-row",
                        message=f"looks like a title above the header: the column names "
                                f"seem to be on row {n}; pass --skip-rows {n - 1} to start "
                                f"there")  # fmt: skip
            return True
    return False


def table_from_records(
    records: Iterable[tuple[int, list[str]]],
    options: LoadOptions,
    log: Log,
    *,
    sep: str = ",",
    stop_early: bool = True,
) -> RawTable | None:
    """Build the table of strings indexed by spreadsheet row number; report ragged rows.

    Rows up to ``options.skip_rows`` are dropped; the first non-blank record
    after them is the header. Blank records are skipped but keep their
    number, so every row is reported where a spreadsheet shows it. Trailing
    header cells that are empty, with nothing under them, are dropped
    (spreadsheet exports often add them) and the drop is echoed. When the
    header names no column the analysis uses and no option maps one, only
    the first rows are read (``stop_early``): nothing in the rest could be
    checked, and a wrong file of millions of lines costs no more than that.
    """
    if options.skip_rows:
        log.decide(f"rows 1-{options.skip_rows} skipped (--skip-rows {options.skip_rows})")
    kept = (r for r in records if r[0] > options.skip_rows and any(c.strip() for c in r[1]))
    head = list(itertools.islice(kept, 10))  # the header and what is above it, checked first
    if not head:
        log.problem(value="", rule="empty-file", message="the file is empty")
        return None
    if len(head[0][1]) > MAX_COLUMNS:
        log.problem(row=head[0][0], rule="not-a-table",
                    message=f"the header has {len(head[0][1]):,} columns; a cohort table has "
                            f"at most {MAX_COLUMNS:,}: this is not a cohort table")  # fmt: skip
        return None
    if _title_rows(head, options, log):
        return None
    if stop_early and not _usable_header(head[0][1], options):
        log.decide(f"only the first {len(head) - 1} data rows were read: the header names no "
                   "column this analysis uses, so no row can be checked")  # fmt: skip
        records = head
    else:
        records = head + list(kept)
    (header_row, header), body = records[0], records[1:]
    header = [h.strip() for h in header]
    width = _trim_empty_right(header, body, log)
    header = header[:width]
    rows: list[list[str]] = []
    numbers: list[int] = []
    for n, fields in body:
        if len(fields) > width and not any(c.strip() for c in fields[width:]):
            fields = fields[:width]
        if len(fields) != width:
            shown = sep.join(fields[:50])
            log.problem(row=n, value=shown if len(shown) <= 80 else shown[:77] + "...",
                        rule="ragged-row",
                        message=f"has {len(fields)} fields but the header (row {header_row}) "
                                f"has {width}; a separator inside a value, or a cell "
                                "missing?")  # fmt: skip
            continue
        rows.append(fields)
        numbers.append(n)
    cells = np.empty((len(rows), width), dtype=object)  # one block, no intermediate copies
    for i, fields in enumerate(rows):
        cells[i] = fields
    del rows
    frame = pd.DataFrame(cells, index=pd.Index(numbers, dtype="int64"),
                         columns=pd.Index(header, dtype=object), copy=False)  # fmt: skip
    return RawTable(frame=frame, decimal=None, header_row=header_row)


def _trim_empty_right(header: list[str], body: list[tuple[int, list[str]]], log: Log) -> int:
    width = len(header)
    while (
        width > 0
        and header[width - 1] == ""
        and all(len(f) < width or not f[width - 1].strip() for _, f in body)
    ):
        width -= 1
    if width < len(header):
        log.decide(f"{len(header) - width} empty unnamed column(s) at the right edge ignored "
                   "(nothing in them)")  # fmt: skip
    return width


def cell_text(value: object) -> str:
    """A cell of a workbook or a statistics file as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def describe_source(source: str | Path) -> str:
    """How a source is named in messages."""
    return "standard input" if str(source) == "-" else os.fspath(source)

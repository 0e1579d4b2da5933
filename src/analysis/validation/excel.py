"""Reading an Excel ``.xlsx`` sheet: values, merged cells, formulas without a result."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from analysis.validation.options import LoadOptions
from analysis.validation.problems import Log, listing
from analysis.validation.reading import RawTable, cell_text, table_from_records

#: most bytes a workbook may unpack to (a cohort sheet unpacks to a few megabytes)
MAX_UNPACKED_BYTES = 256 * 2**20


def _open(data: io.BytesIO, name: str, log: Log, *, data_only: bool) -> Any:
    import openpyxl

    try:
        data.seek(0)
        return openpyxl.load_workbook(data, read_only=not data_only, data_only=data_only)
    except Exception as exc:  # openpyxl and zipfile raise many types for a broken file
        log.problem(value=name, rule="unreadable",
                    message=f"not a readable .xlsx workbook ({type(exc).__name__}: "
                            f"{str(exc)[:120]}); save it again as .xlsx or CSV")  # fmt: skip
        return None


def _sheet_name(names: list[str], sheet: str | int, log: Log) -> str | None:
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            log.problem(value=str(sheet), rule="sheet-missing",
                        message=f"the workbook has {len(names)} sheet(s) ({listing(names)}); "
                                "--sheet counts from 0")  # fmt: skip
            return None
        return names[sheet]
    if sheet in names:
        return sheet
    if sheet.isdigit() and int(sheet) < len(names):
        return names[int(sheet)]  # a number given as text, and no sheet of that name
    log.problem(
        value=str(sheet),
        rule="sheet-missing",
        message=f"no such sheet; the workbook's sheets are {listing(names)}",
    )
    return None


def _formulas(data: io.BytesIO, name: str, sheet: str, empty: set[tuple[int, int]],
              log: Log) -> dict[tuple[int, int], str]:  # fmt: skip
    """Formulas of the cells that have no saved value (``data_only`` read them as empty)."""
    book = _open(data, name, log, data_only=False)
    if book is None:
        return {}
    try:
        found = {}
        for r, row in enumerate(book[sheet].iter_rows(values_only=True), start=1):
            for c, value in enumerate(row):
                if (r, c) in empty and isinstance(value, str) and value.startswith("="):
                    found[(r, c)] = value
        return found
    finally:
        book.close()


def _unpacked_size(data: io.BytesIO) -> int:
    """Bytes the workbook's parts take once unpacked (0 if it is not a readable zip)."""
    try:
        with zipfile.ZipFile(data) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0  # openpyxl reports a broken workbook itself
    finally:
        data.seek(0)


def read_excel(data: io.BytesIO, name: str, options: LoadOptions, log: Log) -> RawTable | None:
    """Read one sheet of a workbook as text, noting merged ranges and formulas."""
    size = _unpacked_size(data)
    if size > MAX_UNPACKED_BYTES:
        log.problem(value=name, rule="not-a-table",
                    message=f"the workbook unpacks to {size / 2**20:,.0f} MB (at most "
                            f"{MAX_UNPACKED_BYTES // 2**20} MB are read): not a cohort table, "
                            "or export the sheet as CSV")  # fmt: skip
        return None
    book = _open(data, name, log, data_only=True)
    if book is None:
        return None
    try:
        names = list(book.sheetnames)
        sheet = _sheet_name(names, options.sheet, log)
        if sheet is None:
            return None
        ws = book[sheet]
        records = [
            (n, [cell_text(v) for v in row])
            for n, row in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1)
        ]
        merged = {str(rng.coord): (rng.min_col - 1, rng.max_col - 1, rng.min_row, rng.max_row)
                  for rng in ws.merged_cells.ranges if rng.max_row > rng.min_row}  # fmt: skip
    except Exception as exc:
        log.problem(value=name, rule="unreadable",
                    message=f"the workbook could not be read ({type(exc).__name__}: "
                            f"{str(exc)[:120]})")  # fmt: skip
        return None
    finally:
        book.close()
    log.decide(f"read Excel sheet {sheet!r}" + (" (the first)" if options.sheet == 0 else ""))
    empty = {(n, c) for n, row in records for c, v in enumerate(row) if v == ""}
    formulas = _formulas(data, name, sheet, empty, log) if empty else {}
    table = table_from_records(records, options, log)
    if table is None or log.has_errors:
        return None
    table.decimal = "."
    table.other_sheets = tuple(n for n in names if n != sheet)
    table.merged = merged
    table.formulas = formulas
    return table

"""Reading SPSS (``.sav``) and Stata (``.dta``) files with pyreadstat.

Value labels replace the codes they label (so ``1`` labelled ``'cramp'`` is
read as ``cramp``) and are echoed; variable labels are kept as hints for
naming columns whose own names are not recognised.

pyreadstat's C reader can crash the whole process on a damaged file (a single
changed byte is enough), so the file is read in a child process: a crash, a
hang or any error there becomes a problem, never a lost command.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from analysis.validation.options import LoadOptions
from analysis.validation.problems import Log
from analysis.validation.reading import RawTable, cell_text, table_from_records

#: seconds the child process may take to read a statistics file
READ_TIMEOUT = 300


def _labelled(value: object, labels: dict[object, str]) -> str:
    if value in labels:
        return str(labels[value])
    if isinstance(value, float) and value.is_integer() and int(value) in labels:
        return str(labels[int(value)])
    return cell_text(value)


def _read_in_this_process(path: str, kind: str) -> dict[str, Any]:
    """Read the file as text, value labels applied; what the child process prints."""
    import pyreadstat

    reader = pyreadstat.read_sav if kind == "SPSS" else pyreadstat.read_dta
    frame, meta = reader(path, apply_value_formats=False, user_missing=False)
    value_labels: dict[str, dict[object, str]] = dict(meta.variable_value_labels or {})
    columns = [str(c) for c in frame.columns]
    rows = [[_labelled(v, value_labels[c]) if c in value_labels else cell_text(v)
             for c, v in zip(columns, row, strict=True)]
            for row in frame.itertuples(index=False, name=None)]  # fmt: skip
    return {
        "columns": columns,
        "rows": rows,
        "value_labels": {
            c: [[cell_text(k), str(v)] for k, v in labels.items()]
            for c, labels in value_labels.items()
        },  # fmt: skip
        "variable_labels": {
            str(k): str(v) for k, v in (meta.column_names_to_labels or {}).items() if v
        },  # fmt: skip
    }


def _read_in_child(path: Path, kind: str, log: Log) -> dict[str, Any] | None:
    # -P: a folder named "analysis" in the working directory must not shadow the package
    command = [sys.executable, "-P", "-m", "analysis.validation.statfiles", str(path), kind]
    try:
        done = subprocess.run(command, capture_output=True, timeout=READ_TIMEOUT)
    except subprocess.TimeoutExpired:
        log.problem(value=path.name, rule="unreadable",
                    message=f"reading the {kind} file took more than {READ_TIMEOUT} s and was "
                            "stopped; save it again, or export CSV")  # fmt: skip
        return None
    if done.returncode != 0:
        if done.returncode < 0:
            why = f"the reader crashed ({signal.Signals(-done.returncode).name})"
        else:
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            why = lines[-1][:160] if lines else f"exit status {done.returncode}"
        log.problem(value=path.name, rule="unreadable",
                    message=f"not a readable {kind} file: {why}; the file may be damaged: "
                            "save it again from SPSS/Stata, or export CSV")  # fmt: skip
        return None
    return json.loads(done.stdout)


def read_stat_file(path: Path, kind: str, options: LoadOptions, log: Log) -> RawTable | None:
    """Read an SPSS or Stata file as text, its value labels applied."""
    read = _read_in_child(path, kind, log)
    if read is None:
        return None
    columns, rows = read["columns"], read["rows"]
    log.decide(f"read {kind} file ({len(columns)} variables, {len(rows)} cases)")
    for column, labels in read["value_labels"].items():
        shown = ", ".join(f"{k} = {v!r}" for k, v in labels[:6])
        log.decide(f"column {column!r}: the file's value labels used ({shown})")
    records = [(1, columns)] + [(n, row) for n, row in enumerate(rows, start=2)]
    table = table_from_records(records, options, log, stop_early=False)
    if table is None or log.has_errors:
        return None
    table.decimal = "."
    table.variable_labels = dict(read["variable_labels"])
    return table


if __name__ == "__main__":  # the child process: print the file as JSON, or fail
    json.dump(_read_in_this_process(sys.argv[1], sys.argv[2]), sys.stdout)

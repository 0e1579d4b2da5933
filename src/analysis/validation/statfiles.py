"""Reading SPSS (``.sav``) and Stata (``.dta``) files with pyreadstat.

Value labels replace the codes they label (so ``1`` labelled ``'cramp'`` is
read as ``cramp``) and are echoed; variable labels are kept as hints for
naming columns whose own names are not recognised.
"""

from __future__ import annotations

from pathlib import Path

from analysis.validation.options import LoadOptions
from analysis.validation.problems import Log
from analysis.validation.reading import RawTable, cell_text, table_from_records


def _labelled(value: object, labels: dict[object, str]) -> str:
    if value in labels:
        return str(labels[value])
    if isinstance(value, float) and value.is_integer() and int(value) in labels:
        return str(labels[int(value)])
    return cell_text(value)


def read_stat_file(path: Path, kind: str, options: LoadOptions, log: Log) -> RawTable | None:
    """Read an SPSS or Stata file as text, its value labels applied."""
    import pyreadstat

    reader = pyreadstat.read_sav if kind == "SPSS" else pyreadstat.read_dta
    try:
        frame, meta = reader(str(path), apply_value_formats=False, user_missing=False)
    except Exception as exc:  # pyreadstat raises its own types for broken files
        log.problem(value=path.name, rule="unreadable",
                    message=f"not a readable {kind} file ({type(exc).__name__}: "
                            f"{str(exc)[:120]}); save it again, or export CSV")  # fmt: skip
        return None
    log.decide(f"read {kind} file ({len(frame.columns)} variables, {len(frame)} cases)")
    value_labels: dict[str, dict[object, str]] = dict(meta.variable_value_labels or {})
    columns = [str(c) for c in frame.columns]
    body = []
    for n, row in enumerate(frame.itertuples(index=False, name=None), start=2):
        body.append((n, [_labelled(v, value_labels[c]) if c in value_labels else cell_text(v)
                         for c, v in zip(columns, row, strict=True)]))  # fmt: skip
    for column, labels in value_labels.items():
        shown = ", ".join(f"{cell_text(k)} = {v!r}" for k, v in list(labels.items())[:6])
        log.decide(f"column {column!r}: the file's value labels used ({shown})")
    table = table_from_records([(1, columns), *body], options, log, stop_early=False)
    if table is None or log.has_errors:
        return None
    table.decimal = "."
    table.variable_labels = {str(k): str(v) for k, v in
                             (meta.column_names_to_labels or {}).items() if v}  # fmt: skip
    return table

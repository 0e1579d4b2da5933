"""Run the analysis notebooks on a dataset and assemble the report folder.

:func:`build_report` runs in phases: *validate* the input, *prepare* the
cohort and comparison table, *execute* the notebooks with papermill
(parameterised: the data path and a figure folder), write the *provenance*,
*assemble* one self-contained ``report.html``, and *publish* the folder with
:func:`analysis.publish.publish`. Everything is built in a work folder beside
the destination and moved into place only when complete, so an interrupted
or failing run never leaves a folder that looks finished; an existing
destination is replaced only with ``force=True`` and only if this package
wrote it (its marker file lists exactly what it wrote; nothing else in the
folder is touched).

Layout of a report folder::

    report.html          one page, figures embedded, code hidden
    results.csv          compare_groups on every variable present
    results_adjusted.csv compare_adjusted: post-only, change score and ANCOVA per analyte
    headline.csv         the primary family by its leading analysis (analysis.headline)
    validation.txt       every check and its outcome
    provenance.json      input path and sha256, options, versions, seed, time
    cohort.csv           the cohort as loaded, in the canonical schema
    notebooks/NN-*.ipynb the executed notebooks
    html/NN-*.html       one page per notebook
    figures/*.png|svg    every figure
    .cramp-reanalysis-report.json   the files written (paths, sizes, sha256)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import platform
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from analysis import paths
from analysis.publish import PublishResult, check_destination, publish, sha256_of, staging
from analysis.report_notebooks import data_notebooks, parameters_of
from analysis.report_text import report_intro
from analysis.validation.problems import count_findings

if TYPE_CHECKING:
    import pandas as pd

    from analysis.validation import CohortCheck

__all__ = [
    "ReportError",
    "ReportResult",
    "build_report",
    "data_notebooks",
    "report_limitations",
    "sha256_of",
]

_VERSIONED = ("cramp-reanalysis", "numpy", "pandas", "scipy", "statsmodels", "matplotlib",
              "papermill", "nbconvert", "ipykernel")  # fmt: skip


class ReportError(RuntimeError):
    """The report could not be built (not a data problem)."""


@dataclass(frozen=True)
class ReportResult:
    """What :func:`build_report` wrote.

    ``kept`` lists the files already in the destination that this package did
    not write: they were left in place.
    """

    out_dir: Path
    notebooks: tuple[Path, ...]
    figures: tuple[Path, ...]
    kept: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Run:
    """One report run: what was asked, resolved once."""

    data_path: Path
    out_dir: Path
    notebooks: tuple[Path, ...]
    load_options: dict[str, Any]
    margins: dict[str, float]
    n_resamples: int
    seed: int
    cohort_name: str
    started: str
    say: Callable[[str], None]


def derived_columns() -> tuple[frozenset[str], Callable[[str], tuple[str, ...]]]:
    """The derived-variable names and the function giving each one's input columns.

    The one place the report reaches into the validation code for them.
    """
    from analysis.validation import DERIVED_NAMES, derived_inputs

    return frozenset(DERIVED_NAMES), derived_inputs


def report_limitations(cohort: pd.DataFrame, notebooks: Sequence[Path] | None = None) -> list[str]:
    """What a report of ``cohort`` will leave out, one line each, for ``validate`` to say.

    Variables with fewer than two values in a group (their row of
    ``results.csv`` will be empty, with a note) and notebooks that cannot run
    on this cohort (they are left out of the report, with the reason).
    """
    from analysis.compare import default_variables
    from analysis.report_notebooks import MIN_PER_GROUP, short_of_values, why_not_runnable

    too_few = f"fewer than {MIN_PER_GROUP} values in a group"
    shorts = [s for c in default_variables(cohort) if (s := short_of_values(cohort, c))]
    shown = "; ".join(shorts[:4]) + (f"; and {len(shorts) - 4} more" if len(shorts) > 4 else "")
    lines = [f"results.csv: no comparison of {shown}: {too_few}"] if shorts else []
    chosen = list(notebooks) if notebooks is not None else data_notebooks()
    lines += [why for nb in chosen if (why := why_not_runnable(Path(nb), cohort))]
    return lines


def versions(names: Sequence[str] = _VERSIONED) -> dict[str, str]:
    """Python's and each named distribution's version, for ``provenance.json``."""
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _resolve_notebooks(notebooks: Sequence[Path] | None) -> tuple[Path, ...]:
    chosen = list(notebooks) if notebooks is not None else data_notebooks()
    if not chosen:
        raise ReportError(
            f"no notebooks to run: none in {paths.NOTEBOOKS_DIR} declares a `data_path` parameter"
        )
    missing = [str(nb) for nb in chosen if not Path(nb).is_file()]
    if missing:
        raise ReportError(f"notebook not found: {', '.join(missing)}")
    return tuple(Path(nb).resolve() for nb in chosen)


def _validate(run: _Run) -> tuple[CohortCheck, str | None]:
    """Phase 1: read and check the input; raise if it cannot be analysed."""
    from analysis.validation import check_cohort

    input_hash = sha256_of(run.data_path) if run.data_path.is_file() else None
    check = check_cohort(run.data_path, **run.load_options)
    check.raise_for_errors()
    for line in check.decisions:
        run.say(f"  {line}")
    for line in check.skipped:
        run.say(f"  skipped: {line}")
    return check, input_hash


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write ``table`` as CSV with every text cell neutralised (:func:`safe_text.csv_cell`)."""
    import pandas as pd

    from analysis.safe_text import csv_cell

    safe = table.copy()
    for column in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[column]) or
                pd.api.types.is_bool_dtype(safe[column])):  # fmt: skip
            safe[column] = safe[column].map(csv_cell, na_action="ignore").astype(object)
    safe.to_csv(path, index=False, lineterminator="\n")


def _prepare(run: _Run, check: CohortCheck, work: Path) -> tuple[Path, pd.DataFrame]:
    """Phase 2: validation.txt, cohort.csv (as the notebooks load it) and results.csv."""
    from analysis.compare import compare_groups, default_variables
    from analysis.schema import CANONICAL_COLUMNS

    cohort = cast("pd.DataFrame", check.cohort)  # no errors means a cohort
    for folder in ("notebooks", "html", "figures"):
        (work / folder).mkdir()
    (work / "validation.txt").write_text(check.to_text(), encoding="utf-8")
    # canonical columns, plus a derived one taken from the file because it could not be
    # recomputed from them
    derived, inputs_of = derived_columns()
    columns = [c for c in cohort.columns if c in set(CANONICAL_COLUMNS)]
    columns += [c for c in cohort.columns
                if c in derived and not all(n in cohort.columns for n in inputs_of(c))]  # fmt: skip
    cohort_csv = work / "cohort.csv"
    write_csv(cohort[columns], cohort_csv)
    accepted = count_findings(check.warnings)
    run.say(f"validated {run.data_path.name}: {check.n_rows} rows, {accepted} warnings accepted")
    variables = default_variables(cohort)
    run.say(f"comparing {len(variables)} variables ({run.n_resamples} resamples each)")
    try:
        results = compare_groups(cohort, variables, margins=run.margins or None,
                                 n_resamples=run.n_resamples, seed=run.seed)  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise ReportError(f"the comparison failed: {type(exc).__name__}: {exc}") from None
    write_csv(results, work / "results.csv")
    run.say(f"compared {len(variables)} variables -> results.csv")
    return cohort_csv, results


#: files every report writes (checked against the destination before any work)
_ALWAYS_WRITTEN = ("report.html", "validation.txt", "provenance.json", "cohort.csv")


def _failure(exc: Exception) -> str:
    """An exception as a reason: the message alone for the expected kinds, else its type too."""
    if isinstance(exc, (KeyError, TypeError, ValueError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _adjusted(run: _Run, check: CohortCheck, work: Path) -> tuple[pd.DataFrame | None, str]:
    """Phase 2b: results_adjusted.csv and headline.csv, or the reason they are left out.

    The baseline-adjusted table and the headline need analytes measured before
    and after (or ``pv_change``) with enough runners in each group; a file
    without them still gets its report, and the report says why the headline
    is missing.
    """
    from analysis.adjusted import compare_adjusted
    from analysis.primary import headline

    cohort = cast("pd.DataFrame", check.cohort)
    try:
        adjusted = compare_adjusted(cohort, margins=run.margins or None)
    except Exception as exc:  # any failure leaves this part out, never the whole report
        why = _failure(exc)
        run.say(f"baseline-adjusted comparison left out: {why}")
        return None, f"the baseline-adjusted comparison could not be made: {why}"
    write_csv(adjusted, work / "results_adjusted.csv")
    try:
        table = headline(cohort, margins=run.margins or None)
    except Exception as exc:  # as above
        why = _failure(exc)
        run.say(f"headline left out: {why}")
        return None, why
    write_csv(table, work / "headline.csv")
    run.say("baseline-adjusted comparison -> results_adjusted.csv, headline.csv")
    return table, ""


def _parameters_for(run: _Run, declared: Mapping[str, Any], cohort_csv: Path,
                    figures: Path) -> dict[str, Any]:  # fmt: skip
    offered: dict[str, Any] = {
        "data_path": str(cohort_csv),
        "figure_dir": str(figures),
        "cohort_name": run.cohort_name,
        # the notebooks' tables must be the table of results.csv
        "n_resamples": run.n_resamples,
        "seed": run.seed,
    }
    if run.margins:
        offered["margins"] = dict(run.margins)
    return {k: v for k, v in offered.items() if k in declared}


def _run_one(run: _Run, nb: Path, work: Path, cohort_csv: Path) -> Path:
    """Execute one notebook into ``work/notebooks`` and write its HTML page."""
    import papermill as pm

    from analysis import report_notebooks as rn
    from analysis.report_text import notebook_html

    try:
        declared = parameters_of(nb)
    except Exception as exc:
        raise ReportError(f"notebook {nb.name} cannot be read: "
                          f"{type(exc).__name__}: {exc}") from None  # fmt: skip

    target = work / "notebooks" / nb.name
    params = _parameters_for(run, declared, cohort_csv, work / "figures")
    try:
        rn.execute(rn.without_interactive_cells(nb, work / ".src"), target, params, cwd=nb.parent)
    except pm.PapermillExecutionError as exc:
        raise ReportError(f"notebook {nb.name} failed in cell {exc.exec_count}: "
                          f"{exc.ename}: {exc.evalue}") from None  # fmt: skip
    except Exception as exc:  # kernel died, no such kernel, invalid notebook...
        raise ReportError(
            f"notebook {nb.name} could not be run: {type(exc).__name__}: {exc}"
        ) from None
    rn.tidy_executed(nb, target, work, run.out_dir)
    (work / "html" / nb.with_suffix(".html").name).write_text(notebook_html(target),
                                                              encoding="utf-8")  # fmt: skip
    return target


def _execute(run: _Run, check: CohortCheck, work: Path, cohort_csv: Path) -> list[Path]:
    """Phase 3: run every notebook that can run on this cohort; say why others cannot."""
    import shutil

    from analysis.report_notebooks import kernel_environment, why_not_runnable

    cohort = cast("pd.DataFrame", check.cohort)
    executed = []
    total = len(run.notebooks)
    with kernel_environment(work):
        try:
            for i, nb in enumerate(run.notebooks, start=1):
                why = why_not_runnable(nb, cohort)
                if why:
                    check.skipped.append(why)
                    run.say(f"[{i}/{total}] skipped: {why}")
                    continue
                run.say(f"[{i}/{total}] running {nb.name}")
                tic = time.monotonic()
                executed.append(_run_one(run, nb, work, cohort_csv))
                run.say(f"[{i}/{total}] {nb.name} done in {time.monotonic() - tic:.1f} s")
        finally:
            shutil.rmtree(work / ".src", ignore_errors=True)
    return executed


def _provenance(run: _Run, check: CohortCheck, input_hash: str | None) -> dict[str, Any]:
    """Phase 4: what was read, with which options and versions, and when."""
    from analysis import __version__

    return {
        "input": {
            "path": str(run.data_path),
            "sha256": input_hash,
            "rows": check.n_rows,
            "bytes": run.data_path.stat().st_size,
        },  # fmt: skip
        "options": {
            "load": {
                k: (list(v) if isinstance(v, tuple | set) else v)
                for k, v in run.load_options.items()
            },  # fmt: skip
            "margins": dict(run.margins),
            "n_resamples": run.n_resamples,
            "seed": run.seed,
        },
        "decisions": check.decisions,
        "warnings_accepted": count_findings(check.warnings),
        "skipped": check.skipped,
        "notebooks": [nb.name for nb in run.notebooks],
        "package": {"name": "cramp-reanalysis", "version": __version__},
        "versions": versions(),
        "platform": platform.platform(),
        "command": sys.argv,
        "time_started": run.started,
        "time_finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _assemble(run: _Run, check: CohortCheck, results: pd.DataFrame, executed: Sequence[Path],
              work: Path, headline: tuple[pd.DataFrame | None, str]) -> None:  # fmt: skip
    """Phase 5: the one-page report.html."""
    from analysis.report_text import combine_html, report_title

    intro = report_intro(run.data_path, check, results, run.cohort_name, headline=headline)
    title = report_title(run.data_path, run.cohort_name)
    (work / "report.html").write_text(combine_html(executed, title, intro), encoding="utf-8")
    run.say("combined report.html")


def build_report(
    data_path: str | Path,
    out_dir: str | Path,
    *,
    notebooks: Sequence[Path] | None = None,
    load_options: Mapping[str, Any] | None = None,
    margins: Mapping[str, float] | None = None,
    n_resamples: int = 10_000,
    seed: int | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    cohort_name: str | None = None,
    on_published: Callable[[PublishResult], None] | None = None,
) -> ReportResult:
    """Build a full report folder for one dataset.

    Parameters
    ----------
    data_path : str or pathlib.Path
        The cohort file (never modified).
    out_dir : str or pathlib.Path
        Destination folder; must not exist unless ``force``.
    notebooks : sequence of pathlib.Path, optional
        Notebooks to execute; default :func:`data_notebooks`. A notebook that
        cannot run on this file (see
        :func:`analysis.report_notebooks.why_not_runnable`) is left out, with
        the reason in the report and ``provenance.json``.
    load_options : mapping, optional
        Options for :func:`analysis.check_cohort` (separator, mappings, units).
    margins : mapping, optional
        Equivalence margins, as for :func:`analysis.compare_groups`.
    n_resamples, seed :
        Passed to :func:`analysis.compare_groups`.
    force : bool, default False
        Replace an earlier report in ``out_dir``: only the files listed in its
        marker (and unchanged) are removed; other files stay
        (:func:`analysis.publish.publish`).
    progress : callable, optional
        Called with one line of progress per step.
    cohort_name : str, optional
        How the report names the dataset (default: the file name).
    on_published : callable, optional
        Called with the :class:`analysis.publish.PublishResult` the moment the
        report is in place (interrupts are held until it returns).

    Returns
    -------
    ReportResult

    Raises
    ------
    analysis.DataValidationError
        If the data fail validation; nothing is written.
    FileExistsError
        If ``out_dir`` exists and may not be replaced
        (:class:`analysis.publish.PublishError`); it is left untouched.
    ReportError
        If a notebook fails to execute; nothing is written.
    """
    from analysis.compare import DEFAULT_SEED

    data_path, out_dir = Path(data_path).resolve(), Path(out_dir).resolve()
    check_destination(out_dir, force=force, protected=[data_path], will_write=_ALWAYS_WRITTEN)
    run = _Run(
        data_path=data_path, out_dir=out_dir, notebooks=(), load_options=dict(load_options or {}),
        margins=dict(margins or {}), n_resamples=n_resamples,
        seed=DEFAULT_SEED if seed is None else seed, cohort_name=cohort_name or data_path.name,
        started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        say=progress or (lambda _line: None),
    )  # fmt: skip
    check, input_hash = _validate(run)
    run = dataclasses.replace(run, notebooks=_resolve_notebooks(notebooks))
    with staging(out_dir, force=force, protected=[data_path]) as work:
        cohort_csv, results = _prepare(run, check, work)
        headline = _adjusted(run, check, work)
        executed = _execute(run, check, work, cohort_csv)
        if input_hash is not None and sha256_of(data_path) != input_hash:
            raise ReportError(f"{data_path} changed while the report was built; run again")
        (work / "provenance.json").write_text(
            json.dumps(_provenance(run, check, input_hash), indent=2, default=str) + "\n",
            encoding="utf-8",
        )
        _assemble(run, check, results, executed, work, headline)
        published = publish(work, out_dir, force=force, protected=[data_path],
                            on_published=on_published)  # fmt: skip
    run.say(f"report written to {out_dir}")
    written = [out_dir / rel for rel in published.written]
    return ReportResult(
        out_dir,
        tuple(sorted(p for p in written if p.parent.name == "notebooks" and p.suffix == ".ipynb")),
        tuple(sorted(p for p in written if p.parent.name == "figures")),
        published.kept,
    )

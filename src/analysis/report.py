"""Run the analysis notebooks on a dataset and assemble the report folder.

:func:`build_report` validates the input, writes the comparison table and the
validation report, executes the notebooks with papermill (parameterised: the
data path and a figure folder), converts each to HTML, combines them into one
self-contained ``report.html``, and records provenance. Everything is built in
a temporary folder beside the destination and moved into place only when
complete, so an interrupted or failing run never leaves a folder that looks
finished; an existing destination is replaced only when ``force=True``.

Layout of a report folder::

    report.html          one page, figures embedded, code hidden
    results.csv          compare_groups on every variable present
    validation.txt       every check and its outcome
    provenance.json      input path and sha256, options, versions, seed, time
    cohort.csv           the cohort as loaded, in the canonical schema
    notebooks/NN-*.ipynb the executed notebooks
    html/NN-*.html       one page per notebook
    figures/*.png|svg    every figure
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from analysis import paths

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ReportError", "build_report", "data_notebooks", "sha256_of"]

_VERSIONED = ("cramp-reanalysis", "numpy", "pandas", "scipy", "matplotlib", "papermill",
              "nbconvert", "ipykernel")  # fmt: skip


class ReportError(RuntimeError):
    """The report could not be built (not a data problem)."""


@dataclass(frozen=True)
class ReportResult:
    """What :func:`build_report` wrote."""

    out_dir: Path
    notebooks: tuple[Path, ...]
    figures: tuple[Path, ...]


def sha256_of(path: str | Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _parameters_of(notebook: Path) -> dict[str, Any]:
    import papermill as pm

    return dict(pm.inspect_notebook(str(notebook)))


def data_notebooks(folder: Path | None = None) -> list[Path]:
    """The notebooks that analyse a dataset: those with a ``data_path`` parameter."""
    folder = folder or paths.NOTEBOOKS_DIR
    return [nb for nb in sorted(folder.glob("[0-9][0-9]-*.ipynb"))
            if "data_path" in _parameters_of(nb)]  # fmt: skip


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _combine_html(executed: Sequence[Path], title: str, intro_markdown: str) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    combined = nbformat.v4.new_notebook()
    combined.cells.append(nbformat.v4.new_markdown_cell(intro_markdown))
    for nb_path in executed:
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            if "parameters" in cell.metadata.get("tags", []) or "injected-parameters" in (
                cell.metadata.get("tags", [])
            ):
                continue
            combined.cells.append(cell)
    combined.metadata["title"] = title
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)  # fmt: skip
    body, _ = exporter.from_notebook_node(combined)
    return _self_contained(body)


def _notebook_html(nb_path: Path) -> str:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(embed_images=True).from_filename(str(nb_path))
    return _self_contained(body)


_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", re.I)


def _self_contained(html: str) -> str:
    """Drop the remote scripts nbconvert links (require.js, MathJax) so the page is one file.

    Figures are embedded as data URIs; the page needs no network. Formulas in
    markdown then show as their TeX source.
    """
    return _REMOTE_SCRIPT.sub("", html)


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
) -> ReportResult:
    """Build a full report folder for one dataset.

    Parameters
    ----------
    data_path : str or pathlib.Path
        The cohort file (never modified).
    out_dir : str or pathlib.Path
        Destination folder; must not exist unless ``force``.
    notebooks : sequence of pathlib.Path, optional
        Notebooks to execute; default :func:`data_notebooks`.
    load_options : mapping, optional
        Options for :func:`analysis.check_cohort` (separator, mappings, units).
    margins : mapping, optional
        Equivalence margins, as for :func:`analysis.compare_groups`.
    n_resamples, seed :
        Passed to :func:`analysis.compare_groups`.
    force : bool, default False
        Replace an existing ``out_dir``.
    progress : callable, optional
        Called with one line of progress per step.
    cohort_name : str, optional
        How the report names the dataset (default: the file name).

    Returns
    -------
    ReportResult

    Raises
    ------
    analysis.DataValidationError
        If the data fail validation; nothing is written.
    FileExistsError
        If ``out_dir`` exists and ``force`` is false; it is left untouched.
    ReportError
        If a notebook fails to execute; nothing is written.
    """
    import papermill as pm

    from analysis.compare import DEFAULT_SEED, compare_groups, default_variables
    from analysis.validation import DERIVED_NAMES, check_cohort, derived_inputs

    say = progress or (lambda _line: None)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    data_path = Path(data_path).resolve()
    out_dir = Path(out_dir).resolve()
    seed = DEFAULT_SEED if seed is None else seed
    _check_destination(out_dir, data_path, force=force)
    input_hash = sha256_of(data_path) if data_path.is_file() else None
    check = check_cohort(data_path, **dict(load_options or {}))
    check.raise_for_errors()
    cohort = cast("pd.DataFrame", check.cohort)  # no errors means a cohort
    for line in check.decisions:
        say(f"  {line}")
    for line in check.skipped:
        say(f"  skipped: {line}")
    notebooks = list(notebooks) if notebooks is not None else data_notebooks()
    if not notebooks:
        raise ReportError(
            f"no notebooks to run: none in {paths.NOTEBOOKS_DIR} declares a `data_path` parameter"
        )
    missing_nb = [str(nb) for nb in notebooks if not Path(nb).is_file()]
    if missing_nb:
        raise ReportError(f"notebook not found: {', '.join(missing_nb)}")
    notebooks = [Path(nb).resolve() for nb in notebooks]

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        (work / "notebooks").mkdir()
        (work / "html").mkdir()
        figures = work / "figures"
        figures.mkdir()
        (work / "validation.txt").write_text(check.to_text(), encoding="utf-8")
        # the cohort as the notebooks will load it: canonical columns, plus a derived
        # one taken from the file because it could not be recomputed from them
        canonical = [c for c in cohort.columns if c in _canonical_columns()]
        canonical += [c for c in cohort.columns if c in DERIVED_NAMES and not all(
            n in cohort.columns for n in derived_inputs(c))]  # fmt: skip
        cohort_csv = work / "cohort.csv"
        cohort[canonical].to_csv(cohort_csv, index=False, lineterminator="\n")
        say(f"validated {data_path.name}: {check.n_rows} rows, {len(check.warnings)} "
            "warnings accepted")  # fmt: skip
        variables = default_variables(cohort)
        say(f"comparing {len(variables)} variables ({n_resamples} resamples each)")
        try:
            results = compare_groups(cohort, variables, margins=margins,
                                     n_resamples=n_resamples, seed=seed)  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            raise ReportError(f"the comparison failed: {type(exc).__name__}: {exc}") from None
        results.to_csv(work / "results.csv", index=False, lineterminator="\n")
        say(f"compared {len(variables)} variables -> results.csv")
        executed = []
        # a stale user kernelspec must not run the notebooks in another environment, and
        # figures must reach the notebook (MPLBACKEND=Agg, as `make` sets, would drop them)
        kernel_env = {"JUPYTER_DATA_DIR": str(work / ".jupyter"),
                      "MPLBACKEND": "module://matplotlib_inline.backend_inline"}  # fmt: skip
        env_backup = {k: os.environ.get(k) for k in kernel_env}
        os.environ.update(kernel_env)
        _write_quiet_kernelspec(work / ".jupyter")
        try:
            for i, nb in enumerate(notebooks, start=1):
                absent = [c for c in _requirements(nb) if c not in cohort.columns]
                if absent:
                    why = f"{nb.name} not run: it needs {', '.join(absent)}, absent from the file"
                    check.skipped.append(why)
                    say(f"[{i}/{len(notebooks)}] skipped: {why}")
                    continue
                say(f"[{i}/{len(notebooks)}] running {nb.name}")
                tic = time.monotonic()
                try:
                    declared = _parameters_of(nb)
                except Exception as exc:
                    raise ReportError(f"notebook {nb.name} cannot be read: "
                                      f"{type(exc).__name__}: {exc}") from None  # fmt: skip
                params: dict[str, Any] = {}
                if "data_path" in declared:
                    params["data_path"] = str(cohort_csv)
                if "figure_dir" in declared:
                    params["figure_dir"] = str(figures)
                if "margins" in declared and margins:
                    params["margins"] = dict(margins)
                if "cohort_name" in declared:
                    params["cohort_name"] = cohort_name or data_path.name
                # the notebooks' tables must be the table of results.csv
                if "n_resamples" in declared:
                    params["n_resamples"] = n_resamples
                if "seed" in declared:
                    params["seed"] = seed
                target = work / "notebooks" / nb.name
                try:
                    pm.execute_notebook(
                        str(_without_interactive_cells(nb, work / ".src")), str(target),
                        parameters=params, kernel_name=_KERNEL_NAME,
                        progress_bar=False, cwd=str(nb.parent), log_output=False,
                    )  # fmt: skip
                except pm.PapermillExecutionError as exc:
                    raise ReportError(
                        f"notebook {nb.name} failed in cell {exc.exec_count}: "
                        f"{exc.ename}: {exc.evalue}"
                    ) from None
                except Exception as exc:  # kernel died, no such kernel, invalid notebook...
                    raise ReportError(
                        f"notebook {nb.name} could not be run: {type(exc).__name__}: {exc}"
                    ) from None
                _tidy_executed(nb, target, work, out_dir)
                (work / "html" / nb.with_suffix(".html").name).write_text(
                    _notebook_html(target), encoding="utf-8"
                )
                executed.append(target)
                say(f"[{i}/{len(notebooks)}] {nb.name} done in {time.monotonic() - tic:.1f} s")
        finally:
            for key, value in env_backup.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            shutil.rmtree(work / ".jupyter", ignore_errors=True)
            shutil.rmtree(work / ".src", ignore_errors=True)
        if input_hash is not None and sha256_of(data_path) != input_hash:
            raise ReportError(f"{data_path} changed while the report was built; run again")
        finished = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        provenance = {
            "input": {
                "path": str(data_path),
                "sha256": input_hash,
                "rows": check.n_rows,
                "bytes": data_path.stat().st_size,
            },  # fmt: skip
            "options": {
                "load": {
                    k: (list(v) if isinstance(v, tuple | set) else v)
                    for k, v in dict(load_options or {}).items()
                },  # fmt: skip
                "margins": dict(margins or {}),
                "n_resamples": n_resamples,
                "seed": seed,
            },
            "decisions": check.decisions,
            "warnings_accepted": len(check.warnings),
            "skipped": check.skipped,
            "notebooks": [nb.name for nb in notebooks],
            "versions": _versions(),
            "platform": platform.platform(),
            "command": sys.argv,
            "time_started": started,
            "time_finished": finished,
        }
        (work / "provenance.json").write_text(
            json.dumps(provenance, indent=2, default=str) + "\n", encoding="utf-8"
        )
        intro = _report_intro(data_path, check, results, cohort_name)
        (work / "report.html").write_text(
            _combine_html(executed, f"Cramp reanalysis: {data_path.name}", intro),
            encoding="utf-8",
        )
        say("combined report.html")
        if out_dir.exists():
            _check_destination(out_dir, data_path, force=force)  # again: it may have changed
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            old.rmdir()
            out_dir.rename(old)
            work.rename(out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            work.rename(out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    say(f"report written to {out_dir}")
    return ReportResult(
        out_dir,
        tuple(sorted((out_dir / "notebooks").glob("*.ipynb"))),
        tuple(sorted((out_dir / "figures").glob("*"))),
    )


def _check_destination(out_dir: Path, data_path: Path, *, force: bool) -> None:
    """Refuse an existing destination unless ``force``; never replace what is not a report.

    ``force`` replaces a folder only if it is empty or holds a previous report
    (a ``provenance.json``), and never one that contains the input file, the
    working directory or the compendium itself.
    """
    if not out_dir.exists():
        return
    if not force:
        raise FileExistsError(
            f"{out_dir} exists; choose another --out or pass --force to replace it"
        )
    if not out_dir.is_dir():
        raise FileExistsError(f"{out_dir} exists and is not a folder; it is not replaced")
    protected = [data_path, Path.cwd().resolve(), paths.PROJECT_ROOT.resolve()]
    if any(out_dir == p or out_dir in p.parents for p in protected):
        raise FileExistsError(
            f"{out_dir} holds the input file, the working folder or the compendium; "
            "it is never replaced, even with --force"
        )
    if any(out_dir.iterdir()) and not (out_dir / "provenance.json").is_file():
        raise FileExistsError(
            f"{out_dir} is not empty and is not a report folder (no provenance.json); "
            "it is not replaced, even with --force"
        )


#: the kernel the report runs its notebooks in: this interpreter, quiet log. Its own
#: name, because inside a virtual environment jupyter_core lists the environment's
#: ``python3`` spec before any user folder.
_KERNEL_NAME = "cramp-reanalysis-report"


def _requirements(notebook: Path) -> list[str]:
    """Columns a notebook needs, from its metadata ``analysis.requires`` (default none)."""
    import nbformat

    meta = nbformat.read(notebook, as_version=4).metadata.get("analysis", {})
    return [str(c) for c in meta.get("requires", [])]


#: cells with this tag need a person at the keyboard (widgets); reports leave them out,
#: and nbval skips them too (they also carry ``nbval-skip``)
INTERACTIVE_TAG = "interactive"


def _without_interactive_cells(notebook: Path, folder: Path) -> Path:
    """A copy of ``notebook`` without the cells tagged :data:`INTERACTIVE_TAG`.

    A widget cell can leave papermill waiting for ever for the kernel's last
    message (seen with ``ipywidgets.interact``); a report has no one to move
    its sliders anyway.
    """
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if INTERACTIVE_TAG not in c.metadata.get("tags", [])]
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / notebook.name
    nbformat.write(nb, copy)
    return copy


def _tidy_executed(source: Path, executed: Path, work: Path, out_dir: Path) -> None:
    """Make an executed notebook read well where it ends up.

    It gets the source's kernelspec, so it opens anywhere, and the injected
    parameters name the final report folder rather than the temporary one it
    was built in.
    """
    import nbformat

    original = nbformat.read(source, as_version=4).metadata.get("kernelspec")
    nb = nbformat.read(executed, as_version=4)
    if original:
        nb.metadata["kernelspec"] = original
    else:
        nb.metadata.pop("kernelspec", None)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = cell.source.replace(str(work), str(out_dir))
    nbformat.write(nb, executed)


def _write_quiet_kernelspec(data_dir: Path) -> None:
    """A kernelspec of its own name for this interpreter whose own log stays quiet.

    jupyter_client interrupts a kernel as it shuts it down, and ipykernel then
    logs "KeyboardInterrupt caught in kernel" on the terminal at random: noise
    for the user, and it would break ``--quiet``. Errors in cells still reach
    the notebook and fail the run.
    """
    spec = data_dir / "kernels" / _KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
            "--IPKernelApp.log_level=CRITICAL"]  # fmt: skip
    kernel = {"argv": argv, "display_name": "Python 3 (cramp-reanalysis)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")


def _canonical_columns() -> set[str]:
    from analysis.schema import CANONICAL_COLUMNS

    return set(CANONICAL_COLUMNS)


def _markdown_table(results: Any) -> list[str]:
    """The key columns of the comparison table as markdown, rounded for reading."""
    import pandas as pd

    def fmt(value: Any, digits: int = 3) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        try:
            number = float(value)
        except (TypeError, ValueError):
            return "" if value is None else str(value)
        if number != number:  # NaN
            return ""
        return f"{number:.{digits}g}" if abs(number) < 1e-3 and number else f"{number:.{digits}f}"

    head = ["variable", "unit", "n cramp / control", "mean diff", "95 % CI", "p (Welch)",
            "p (Holm)", "margin", "equivalent"]  # fmt: skip
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, r in results.iterrows():
        equivalent = r["equivalent"]
        rows.append("| " + " | ".join([
            f"`{r['variable']}`", str(r["unit"]), f"{r['n_cramp']} / {r['n_control']}",
            fmt(r["mean_diff"]), f"{fmt(r['ci_low'])} to {fmt(r['ci_high'])}",
            fmt(r["p_welch"]), fmt(r["p_holm"]), fmt(r["margin"], 2),
            "" if pd.isna(equivalent) else ("yes" if bool(equivalent) else "no"),
        ]) + " |")  # fmt: skip
    return rows


def _example_caveat(data_path: Path) -> list[str]:
    """For a user's file: the notebooks' prose was written for the bundled example."""
    bundled = {paths.example_path(name).resolve() for name in paths.EXAMPLES}
    if data_path.resolve() in bundled:
        return []
    return [
        "**Reading the explanations.** The text between the results was written for the "
        "bundled *synthetic* example cohort, to teach. The tables and figures are computed "
        'from your file; where a sentence quotes a number or a verdict ("no test finds the '
        'groups different"), trust the table or figure next to it, not the sentence.',
        "",
    ]


def _report_intro(data_path: Path, check: Any, results: Any, cohort_name: str | None) -> str:
    counts = check.cohort["group"].value_counts()
    lines = [
        f"# Cramp reanalysis report: {cohort_name or data_path.name}",
        "",
        f"Input `{data_path.name}`: {check.n_rows} runners, "
        f"{int(counts.get('cramp', 0))} with cramp and {int(counts.get('control', 0))} "
        f"controls; {len(check.warnings)} values flagged and accepted "
        "(see `validation.txt`). Every number below is computed from this file; "
        "the full comparison table is `results.csv`, and `provenance.json` records "
        "the input's sha256, the options and the versions used.",
        "",
        *_example_caveat(data_path),
        "Decisions taken while reading the file:",
        "",
        *[f"- {d}" for d in check.decisions],
        "",
        "Sections skipped, and why:",
        "",
        *([f"- {d}" for d in check.skipped] or ["- none"]),
    ]
    if results is not None and len(results):
        lines += ["", "## Results at a glance", "",
                  "Cramp minus control; 95 % Welch CI; p adjusted by Holm across the "
                  "variables; TOST against the margin (teaching defaults unless given). "
                  "Every column is in `results.csv`.", ""]  # fmt: skip
        lines += _markdown_table(results)
    noted = [] if results is None or "note" not in results else [
        (r["variable"], r["note"]) for _, r in results.iterrows()
        if isinstance(r["note"], str) and r["note"]]  # fmt: skip
    if noted:
        lines += ["", "Comparisons with a caveat (see the `note` column of `results.csv`):", ""]
        lines += [f"- `{v}`: {n}" for v, n in noted]
    return "\n".join(lines)

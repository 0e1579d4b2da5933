"""Running the analysis notebooks for a report: which can run, in which kernel, how.

A notebook declares in its metadata (``analysis``) the columns it needs
(``requires``) and the columns it compares between the groups (``compares``:
each needs at least two values in each group). :func:`why_not_runnable` says
why a notebook cannot run on a cohort, so the report can leave it out with the
reason and ``validate`` can say so in advance.

Notebooks run in a kernel of this interpreter (:data:`KERNEL_NAME`), started
from a worker thread while the main thread waits: an interrupt (SIGINT or
SIGTERM) reaches the main thread at once, which then stops the kernel and
removes its connection file before passing the interrupt on.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import paths

if TYPE_CHECKING:
    import pandas as pd

#: the kernel the report runs its notebooks in: this interpreter, quiet log. Its own
#: name, because inside a virtual environment jupyter_core lists the environment's
#: ``python3`` spec before any user folder.
KERNEL_NAME = "cramp-reanalysis-report"

#: cells with this tag need a person at the keyboard (widgets); reports leave them out,
#: and nbval skips them too (they also carry ``nbval-skip``)
INTERACTIVE_TAG = "interactive"

#: values per group a compared column needs (a variance needs two)
MIN_PER_GROUP = 2


def parameters_of(notebook: Path) -> dict[str, Any]:
    """The parameters a notebook declares (its cell tagged ``parameters``)."""
    import papermill as pm

    return dict(pm.inspect_notebook(str(notebook)))


def data_notebooks(folder: Path | None = None) -> list[Path]:
    """The notebooks that analyse a dataset: those with a ``data_path`` parameter."""
    folder = folder or paths.NOTEBOOKS_DIR
    return [nb for nb in sorted(folder.glob("[0-9][0-9]-*.ipynb"))
            if "data_path" in parameters_of(nb)]  # fmt: skip


def _needs(notebook: Path) -> dict[str, Any]:
    import nbformat

    meta = nbformat.read(notebook, as_version=4).metadata.get("analysis", {})
    needs: dict[str, Any] = {key: [str(c) for c in meta.get(key, [])]
                             for key in ("requires", "compares")}  # fmt: skip
    needs["compares_any"] = bool(meta.get("compares_any", False))
    return needs


def short_of_values(cohort: pd.DataFrame, column: str) -> str | None:
    """``'sodium_post (1 cramp)'`` if a group has too few values of ``column``, else None."""
    from analysis.schema import GROUPS

    counts = cohort.groupby("group", observed=True)[column].count()
    few = [f"{int(counts.get(g, 0))} {g}" for g in GROUPS if counts.get(g, 0) < MIN_PER_GROUP]
    return f"{column} ({', '.join(few)})" if few else None


def without_spread(cohort: pd.DataFrame, column: str) -> str | None:
    """``'sodium_post'`` if every value of ``column`` is the same within each group, else None.

    A Welch test or TOST then has no standard error: nothing can be tested.
    """
    sds = cohort.groupby("group", observed=True)[column].std(ddof=1)
    return column if len(sds) and bool((sds.fillna(0) == 0).all()) else None


def requirements(notebook: Path) -> list[str]:
    """Columns a notebook needs, from its metadata ``analysis.requires`` (default none)."""
    return _needs(notebook)["requires"]


def why_not_runnable(notebook: Path, cohort: pd.DataFrame) -> str | None:
    """Why ``notebook`` cannot run on ``cohort``, or ``None`` if it can.

    From the notebook's metadata ``analysis``: every column in ``requires``
    and ``compares`` must be present; every column in ``compares`` needs at
    least :data:`MIN_PER_GROUP` values in each group and some spread (values
    not all identical within both groups); with ``compares_any``,
    at least one variable the comparison table covers must have that many.
    """
    from analysis.compare import default_variables

    needs = _needs(notebook)
    absent = [c for c in needs["requires"] + needs["compares"] if c not in cohort.columns]
    if absent:
        return (f"{notebook.name} not run: it needs {', '.join(dict.fromkeys(absent))}, "
                "absent from the file")  # fmt: skip
    short = [s for c in needs["compares"] if (s := short_of_values(cohort, c))]
    if short:
        return (f"{notebook.name} not run: it compares {', '.join(short)} between the groups "
                f"and needs at least {MIN_PER_GROUP} values in each")  # fmt: skip
    flat = [s for c in needs["compares"] if (s := without_spread(cohort, c))]
    if flat:
        return (
            f"{notebook.name} not run: it tests {', '.join(flat)} between the groups, "
            "but its values are all the same within each group (no spread, no test)"
        )
    if needs["compares_any"] and all(short_of_values(cohort, c)
                                     for c in default_variables(cohort)):  # fmt: skip
        return (
            f"{notebook.name} not run: no variable has at least {MIN_PER_GROUP} values "
            "in each group, so there is nothing to compare"
        )
    return None


def without_interactive_cells(notebook: Path, folder: Path) -> Path:
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


def tidy_executed(source: Path, executed: Path, work: Path, out_dir: Path) -> None:
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
    spec = data_dir / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
            "--IPKernelApp.log_level=CRITICAL"]  # fmt: skip
    kernel = {"argv": argv, "display_name": "Python 3 (cramp-reanalysis)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")


@contextlib.contextmanager
def environment_set(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block; restore (or remove) them after."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def kernel_environment(folder: Path) -> Iterator[None]:
    """The environment the notebooks run in, kept inside ``folder`` and removed after.

    A stale user kernelspec must not run the notebooks in another environment,
    kernel connection files must not outlive the run, and figures must reach
    the notebook (``MPLBACKEND=Agg``, as ``make`` sets, would drop them).
    """
    jupyter = folder / ".jupyter"
    values = {"JUPYTER_DATA_DIR": str(jupyter), "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"),
              "MPLBACKEND": "module://matplotlib_inline.backend_inline"}  # fmt: skip
    with environment_set(values):
        _write_quiet_kernelspec(jupyter)
        try:
            yield
        finally:
            shutil.rmtree(jupyter, ignore_errors=True)


def _tracked_kernel_manager() -> tuple[type, list[Any]]:
    """A kernel-manager class that remembers every manager it makes, and that list."""
    from jupyter_client.manager import AsyncKernelManager

    made: list[Any] = []

    class TrackedKernelManager(AsyncKernelManager):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    return TrackedKernelManager, made


def _stop_kernels(managers: Sequence[Any]) -> None:
    """Kill the kernels' processes and remove their connection files."""
    for km in managers:
        process = getattr(getattr(km, "provisioner", None), "process", None)
        with contextlib.suppress(Exception):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        with contextlib.suppress(Exception):
            km.cleanup_connection_file()
        connection = getattr(km, "connection_file", "")
        if connection:
            with contextlib.suppress(OSError):
                os.remove(connection)


def execute(notebook: Path, target: Path, parameters: dict[str, Any], *, cwd: Path) -> None:
    """Execute ``notebook`` into ``target`` with papermill, interruptibly.

    Papermill runs in a worker thread (so its kernel client installs no signal
    handlers of its own); the calling thread waits, and on ``KeyboardInterrupt``
    stops the kernel, removes its connection file and re-raises.
    """
    import papermill as pm

    manager_class, managers = _tracked_kernel_manager()
    outcome: dict[str, BaseException] = {}

    def run() -> None:
        try:
            pm.execute_notebook(
                str(notebook), str(target), parameters=parameters, kernel_name=KERNEL_NAME,
                progress_bar=False, cwd=str(cwd), log_output=False,
                kernel_manager_class=manager_class,
            )  # fmt: skip
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=f"papermill {notebook.name}", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except BaseException:
        from analysis.publish import signals_held

        with signals_held(deliver=False):  # a second Ctrl-C must not cut the clean-up short
            _stop_kernels(managers)
            worker.join(15)
        raise
    if "error" in outcome:
        raise outcome["error"]

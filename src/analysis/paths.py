"""Every path the compendium uses, in one place.

Paths are resolved from the project root (the folder holding ``pyproject.toml``
and ``data/``), never from the current working directory, so notebooks run the
same under Jupyter, nbval, nbconvert and papermill (which keeps the caller's
working directory).

Examples
--------
>>> from analysis import paths
>>> paths.example_path("marathon").name
'marathon_synthetic.csv'
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "DATA_DIR",
    "EXAMPLES",
    "NOTEBOOKS_DIR",
    "PROJECT_ROOT",
    "REPORTS_DIR",
    "example_path",
    "find_project_root",
]


def find_project_root(start: Path | None = None) -> Path:
    """Return the compendium's root folder.

    The environment variable ``CRAMP_PROJECT_ROOT`` wins; otherwise the first
    folder above ``start`` (default: this file, then the working directory)
    that holds both
    ``pyproject.toml`` and a ``data`` folder.

    Raises
    ------
    FileNotFoundError
        If no such folder exists (for instance, the package was installed
        without its data); the message says how to point at a checkout.
    """
    env = os.environ.get("CRAMP_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    starts = [start] if start is not None else [Path(__file__), Path.cwd()]
    for here in (s.resolve() for s in starts):
        for folder in [here, *here.parents]:
            if (folder / "pyproject.toml").is_file() and (folder / "data").is_dir():
                return folder
    raise FileNotFoundError(
        f"could not find the compendium's root folder above {starts}; "
        "set CRAMP_PROJECT_ROOT to the checkout that holds `data/` and `pyproject.toml`"
    )


try:
    PROJECT_ROOT = find_project_root()
except FileNotFoundError:  # installed without a checkout: own files still work
    PROJECT_ROOT = Path.cwd()
DATA_DIR = PROJECT_ROOT / "data"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"

#: bundled example datasets: short name -> file name in ``data/``
EXAMPLES: dict[str, str] = {
    "marathon": "marathon_synthetic.csv",
    "ultra": "ultra_synthetic.csv",
}


def example_path(name: str = "marathon") -> Path:
    """Path of a bundled example dataset.

    Parameters
    ----------
    name : {'marathon', 'ultra'}
        ``'marathon'`` is the synthetic 82-runner cohort modelled on
        Maughan (1986); ``'ultra'`` the synthetic reconstruction of
        Schwellnus et al. (2004).

    Returns
    -------
    pathlib.Path
        Absolute path of the CSV file.
    """
    try:
        return DATA_DIR / EXAMPLES[name]
    except KeyError:
        raise ValueError(f"`name` must be one of {sorted(EXAMPLES)}; got {name!r}") from None

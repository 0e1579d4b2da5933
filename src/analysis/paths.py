"""Every path the compendium uses, in one place.

Two layouts, one set of names:

- **a checkout** (``git clone`` then ``make setup``, an editable install): the
  project root is the folder holding ``pyproject.toml``, ``data/`` and
  ``src/analysis/``, and its ``notebooks/`` and ``data/`` are used, so an edit
  there is seen at once;
- **an installed wheel** (``pip install`` or ``pipx install``): the notebooks
  and data travel inside the package, as ``analysis/_bundle/notebooks`` and
  ``analysis/_bundle/data`` (copied there at build time from the top-level
  folders; see ``setup.py``), and are found with :mod:`importlib.resources`.

Paths never depend on the current working directory, so notebooks run the
same under Jupyter, nbval, nbconvert and papermill (which keeps the caller's
working directory), and a user's own project folder (which may well hold a
``pyproject.toml`` and a ``data/``) is never mistaken for the compendium.
The environment variable ``CRAMP_PROJECT_ROOT`` overrides both layouts.

Examples
--------
>>> from analysis import paths
>>> paths.example_path("marathon").name
'marathon_synthetic.csv'
>>> paths.example_path("marathon").is_file()
True
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

__all__ = [
    "BUNDLE_NAME",
    "DATA_DIR",
    "EXAMPLES",
    "IN_CHECKOUT",
    "NOTEBOOKS_DIR",
    "PROJECT_ROOT",
    "REPORTS_DIR",
    "bundle_root",
    "example_path",
    "find_project_root",
]

#: the folder inside the package that holds the bundled ``notebooks/`` and ``data/``
BUNDLE_NAME = "_bundle"


def _is_checkout(folder: Path) -> bool:
    return (
        (folder / "pyproject.toml").is_file()
        and (folder / "data").is_dir()
        and (folder / "src" / "analysis" / "__init__.py").is_file()
    )


def find_project_root(start: Path | None = None) -> Path:
    """Return the checkout of the compendium that this package runs from.

    The environment variable ``CRAMP_PROJECT_ROOT`` wins; otherwise the first
    folder above ``start`` (default: this file) that holds ``pyproject.toml``,
    a ``data`` folder and ``src/analysis/``. The working directory is never
    searched.

    Parameters
    ----------
    start : pathlib.Path, optional
        Where to start looking upwards; default: this module's file.

    Returns
    -------
    pathlib.Path
        The checkout's root folder.

    Raises
    ------
    FileNotFoundError
        If no such folder exists, as for an installed wheel (its notebooks and
        data are then read from the package: see :func:`bundle_root`).
    """
    env = os.environ.get("CRAMP_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    here = (start if start is not None else Path(__file__)).resolve()
    for folder in [here, *here.parents]:
        if _is_checkout(folder):
            return folder
    raise FileNotFoundError(
        f"no checkout of the compendium above {here}; "
        "set CRAMP_PROJECT_ROOT to the checkout that holds `data/` and `pyproject.toml`"
    )


def bundle_root() -> Path:
    """Folder of the notebooks and data carried inside the installed package.

    Returns
    -------
    pathlib.Path
        ``analysis/_bundle`` inside the installed package. In a checkout it
        does not exist (the checkout's own folders are used instead).

    Raises
    ------
    RuntimeError
        If the package is imported from an archive (a zip file) rather than
        from folders on disk: the notebooks must be real files to be run.
    """
    bundle = resources.files("analysis") / BUNDLE_NAME
    if not isinstance(bundle, Path):
        raise RuntimeError(
            f"the package is imported from an archive ({bundle!r}); install it "
            "with pip or pipx so that its notebooks and data are files on disk"
        )
    return bundle


def _root() -> tuple[Path, bool]:
    try:
        return find_project_root(), True
    except FileNotFoundError:
        return bundle_root(), False


PROJECT_ROOT, IN_CHECKOUT = _root()
DATA_DIR = PROJECT_ROOT / "data"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
#: reports go under the checkout, or under the working folder for an installed package
REPORTS_DIR = (PROJECT_ROOT if IN_CHECKOUT else Path.cwd()) / "reports"

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
        Absolute path of the CSV file, in the checkout's ``data/`` or, for an
        installed package, in the copy of ``data/`` it carries.

    Raises
    ------
    ValueError
        If `name` is not a bundled example.
    """
    try:
        return DATA_DIR / EXAMPLES[name]
    except KeyError:
        raise ValueError(f"`name` must be one of {sorted(EXAMPLES)}; got {name!r}") from None

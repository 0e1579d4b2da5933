"""The public functions: check a cohort (every problem), or load it (or raise)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import pandas as pd

from analysis.validation.checks import run_checks
from analysis.validation.options import LoadOptions
from analysis.validation.problems import CohortCheck, Log, Problem
from analysis.validation.reading import describe_source


def check_cohort(
    source: str | Path | pd.DataFrame,
    *,
    options: LoadOptions | Mapping[str, Any] | None = None,
    **option_values: Any,
) -> CohortCheck:
    """Read and check a cohort; collect every problem instead of stopping.

    Nothing in the file can make this function raise: an unreadable file,
    a wrong encoding, ragged rows, a broken workbook are all reported as
    :class:`Problem` entries. Only invalid *options* raise.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        A ``.csv``/``.txt``/``.tsv`` file, an ``.xlsx`` file, an SPSS ``.sav``
        or Stata ``.dta`` file, ``'-'`` for standard input (text, at most
        512 MB), or a table already in memory. The file is only read, never
        modified.
    options : LoadOptions or mapping, optional
        Reading and mapping options, checked when built (see
        :class:`LoadOptions` for each one).
    **option_values
        Any option of :class:`LoadOptions` by name (``sep``, ``decimal``,
        ``encoding``, ``sheet``, ``columns``, ``group_column``,
        ``cramp_labels``, ``control_labels``, ``haematocrit_unit``,
        ``haemoglobin_unit``, ``censored``, ``derived``, ``skip_rows``,
        ``units_row``, ``na_values``); applied over ``options``.

    Returns
    -------
    CohortCheck
        ``.cohort`` (canonical columns, then derived ones, then any extra
        columns of the file, kept as text; a plain 0-based index, row ``i``
        being spreadsheet row ``i + 2``) is ``None`` when there are errors.

    Raises
    ------
    ValueError, TypeError
        For an invalid or unknown option (never for the file's content).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"Cramp?": ["Yes", "No", "maybe"],
    ...                       "Na post": ["141", "14", "140"]})
    >>> check = check_cohort(table)
    >>> check.ok
    False
    >>> for problem in check.errors:
    ...     print(problem)
    row 3, column 'Na post', value '14': Serum sodium must be between 90 and 200 mmol/L to be physiologically possible (read as 14 mmol/L); a typo or a unit slip? [impossible-value]
    row 4, column 'Cramp?', value 'maybe': is neither a cramp nor a control label; accepted labels are ['cramp', 'cramped', 'cramper', 'crampers', 'cramping', 'cramps', 'eamc', 'true', 'y', 'yes'] and ['control', 'controls', 'false', 'n', 'no', 'no cramp', 'no cramps', 'no-cramp', 'non cramper', 'non crampers', 'non-cramp', 'non-cramper', 'non-crampers', 'noncramp', 'noncramper', 'noncrampers', 'none']; pass --cramp-label/--control-label for other labels [unknown-group]
    """  # noqa: E501
    opts = LoadOptions.of(options, **option_values)
    log = Log()
    try:
        return run_checks(source, opts, log)
    except Exception as exc:  # a defect here must still not become a traceback for data
        name = "DataFrame" if isinstance(source, pd.DataFrame) else describe_source(source)
        problem = Problem(row=None, column=None, value=None, rule="internal-error",
                          message=f"the file could not be checked ({type(exc).__name__}: "
                                  f"{str(exc)[:200]}); this is a defect of the compendium, "
                                  "please report it with the file")  # fmt: skip
        return CohortCheck(name, None, [problem], log.decisions)


def load_cohort(
    source: str | Path | pd.DataFrame,
    *,
    options: LoadOptions | Mapping[str, Any] | None = None,
    **option_values: Any,
) -> pd.DataFrame:
    """Load a cohort in the canonical schema, or raise with every problem.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        The file (CSV, ``.xlsx``, ``.sav``, ``.dta``, ``'-'`` for standard
        input) or table to load; never modified.
    options : LoadOptions or mapping, optional
        Reading and mapping options (see :class:`LoadOptions`).
    **option_values
        Any option of :class:`LoadOptions` by name, e.g. ``sep=';'``.

    Returns
    -------
    pandas.DataFrame
        One row per runner, every row of the file kept (missing values stay
        NaN): ``subject_id`` (if present), ``group`` in {'cramp', 'control'},
        the canonical numeric columns present (units as in
        :mod:`analysis.schema`: mmol/L, haemoglobin g/dL, haematocrit as a
        fraction), the derived columns (``pv_change``, ``bv_change``,
        ``cv_change`` in %, ``<analyte>_change`` post minus pre) and any extra
        columns of the file as text.

    Raises
    ------
    DataValidationError
        If anything is wrong; ``.problems`` lists every error at once, each
        with row, column, value and rule.

    Examples
    --------
    >>> from analysis import example_path
    >>> cohort = load_cohort(example_path("marathon"))
    >>> cohort.shape[0], list(cohort.columns[:4])
    (82, ['subject_id', 'group', 'age_years', 'finish_time_min'])
    """
    check = check_cohort(source, options=options, **option_values)
    check.raise_for_errors()
    return cast(pd.DataFrame, check.cohort)  # no errors means a cohort

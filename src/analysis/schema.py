"""The canonical cohort schema: columns, units, plausibility limits, reference ranges.

One table describes every variable the compendium knows. The loader uses the
*plausible* limits to reject physiologically impossible values (a typo or a
unit slip such as sodium 14 or 1400) and the *reference* ranges only to flag
values, never to reject them: post-race values outside the adult reference
range are expected. Equivalence margins and the families of hypotheses are
pre-specified here and argued in ``docs/margins.md`` and ``docs/inference.md``;
every margin and family can be overridden per call.

Examples
--------
>>> from analysis.schema import VARIABLES, unit_of
>>> VARIABLES["sodium"].reference
(135, 145)
>>> unit_of("sodium_post"), unit_of("pv_change")
('mmol/L', '%')
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ANALYTES",
    "CANONICAL_COLUMNS",
    "DEFAULT_MARGINS",
    "DERIVED",
    "FAMILIES",
    "GROUPS",
    "PRIMARY",
    "TIMEPOINTS",
    "VARIABLES",
    "Variable",
    "base_of",
    "default_margin",
    "family_of",
    "label_of",
    "unit_of",
]

#: group labels after loading; "cramp minus control" is the direction of every difference
GROUPS: tuple[str, str] = ("cramp", "control")
TIMEPOINTS: tuple[str, str] = ("pre", "post")


@dataclass(frozen=True)
class Variable:
    """One measured variable.

    Attributes
    ----------
    name : str
        Canonical base name (``sodium``; columns are ``sodium_pre``/``sodium_post``
        for analytes measured before and after the race).
    label : str
        Human-readable label for tables and axes.
    unit : str
        Unit of the canonical column.
    plausible : tuple of float
        Inclusive limits outside which a value is physiologically impossible
        and rejected.
    reference : tuple of float or None
        Adult reference range (flagging only); ``None`` where none applies.
    decimals : int
        Decimals used when writing example data (lab-like precision).
    timed : bool
        True for analytes with ``_pre`` and ``_post`` columns.
    """

    name: str
    label: str
    unit: str
    plausible: tuple[float, float]
    reference: tuple[float, float] | None
    decimals: int
    timed: bool


# Plausible limits are deliberately wide (survivable extremes, not reference
# ranges); reference ranges are common adult serum ranges (labs differ; see the
# data card).
_VARIABLE_LIST = [
    Variable("age_years", "Age", "years", (10, 100), None, 0, False),
    Variable("finish_time_min", "Finishing time", "min", (60, 2000), None, 0, False),
    Variable("cramp_onset_km", "Cramp onset", "km", (0, 250), None, 1, False),
    Variable("sodium", "Serum sodium", "mmol/L", (90, 200), (135, 145), 0, True),
    Variable("potassium", "Serum potassium", "mmol/L", (1.0, 10.0), (3.5, 5.0), 1, True),
    Variable("chloride", "Serum chloride", "mmol/L", (50, 160), (96, 106), 0, True),
    Variable("bicarbonate", "Serum bicarbonate", "mmol/L", (2, 60), (22, 29), 0, True),
    Variable("magnesium", "Serum magnesium", "mmol/L", (0.1, 5.0), (0.70, 1.00), 2, True),
    Variable("calcium", "Serum calcium (total)", "mmol/L", (0.5, 5.0), (2.2, 2.6), 2, True),
    # men's ranges: the example cohorts are male, as in Maughan (1986)
    Variable("haemoglobin", "Haemoglobin", "g/dL", (3, 25), (13.8, 17.2), 1, True),
    Variable("haematocrit", "Haematocrit", "fraction", (0.10, 0.80), (0.39, 0.50), 3, True),
]
VARIABLES: dict[str, Variable] = {v.name: v for v in _VARIABLE_LIST}

#: analytes measured before and after the race
ANALYTES: tuple[str, ...] = tuple(v.name for v in _VARIABLE_LIST if v.timed)

#: the canonical column order (optional columns may be absent from a cohort)
CANONICAL_COLUMNS: tuple[str, ...] = (
    "subject_id",
    "group",
    "age_years",
    "finish_time_min",
    "cramp_onset_km",
    *(f"{a}_{t}" for a in ANALYTES for t in TIMEPOINTS),
)

#: derived variables: name -> (label, unit)
DERIVED: dict[str, tuple[str, str]] = {
    "pv_change": ("Plasma-volume change (Dill & Costill)", "%"),
    "bv_change": ("Blood-volume change (Dill & Costill)", "%"),
    "cv_change": ("Red-cell-volume change (Dill & Costill)", "%"),
}

#: default equivalence margins, in the variable's unit: the group shift that would move
#: 5 % more runners across a clinical decision limit (analysis.margins, docs/margins.md),
#: rounded down to one significant figure; pv_change has no decision limit (docs/margins.md)
DEFAULT_MARGINS: dict[str, float] = {
    "sodium": 1.0,
    "potassium": 0.1,
    "chloride": 1.0,
    "bicarbonate": 0.6,
    "magnesium": 0.04,
    "pv_change": 5.0,
}


#: the pre-specified primary family: the three outcomes of Maughan (1986); see docs/inference.md
PRIMARY: tuple[str, ...] = ("sodium_post", "potassium_post", "pv_change")

#: named families of hypotheses; Holm adjusts within a family, never across a call.
#: ``*_change`` columns of analytes (post minus pre) are in none: they re-ask the
#: question of the ``*_post`` column by another analysis and are not counted twice.
FAMILIES: dict[str, tuple[str, ...]] = {
    "primary": PRIMARY,
    "exploratory": tuple(f"{a}_post" for a in ANALYTES if f"{a}_post" not in PRIMARY)
    + tuple(d for d in DERIVED if d not in PRIMARY),
    "baseline": tuple(f"{a}_pre" for a in ANALYTES),
}

#: family label of an analyte's ``*_change`` column (not counted in any family)
REDUNDANT = "redundant"
#: family label of a column the schema does not know (adjusted over the call's such rows)
UNSPECIFIED = "unspecified"


def family_of(column: str, families: dict[str, str] | None = None) -> str:
    """Family of hypotheses a column belongs to.

    Parameters
    ----------
    column : str
        A canonical, derived or user column name.
    families : dict, optional
        Overrides, column -> family name, checked first.

    Returns
    -------
    str
        ``'primary'``, ``'exploratory'`` or ``'baseline'`` (:data:`FAMILIES`);
        ``'redundant'`` for an analyte's ``*_change`` column (post minus pre:
        counted once, under ``*_post``); ``'unspecified'`` for a column the
        schema does not know.

    Examples
    --------
    >>> from analysis.schema import family_of
    >>> family_of("sodium_post"), family_of("sodium_pre"), family_of("sodium_change")
    ('primary', 'baseline', 'redundant')
    >>> family_of("hp"), family_of("hp", {"hp": "primary"})
    ('unspecified', 'primary')
    """
    if families and column in families:
        return str(families[column])
    for name, members in FAMILIES.items():
        if column in members:
            return name
    if column.endswith("_change") and base_of(column) != column:
        return REDUNDANT
    return UNSPECIFIED


def base_of(column: str) -> str:
    """Base variable of a column name: ``sodium_post`` -> ``sodium``.

    ``<analyte>_change`` (post minus pre) also maps to the analyte.
    """
    for suffix in ("_pre", "_post", "_change"):
        if column.endswith(suffix) and column[: -len(suffix)] in ANALYTES:
            return column[: -len(suffix)]
    return column


def unit_of(column: str) -> str:
    """Unit of a canonical or derived column; ``''`` when unknown.

    A change of an analyte (``sodium_change``) has the analyte's unit.
    """
    if column in DERIVED:
        return DERIVED[column][1]
    base = base_of(column)
    return VARIABLES[base].unit if base in VARIABLES else ""


def label_of(column: str) -> str:
    """Readable label of a column, e.g. ``'Serum sodium, post-race'``."""
    if column in DERIVED:
        return DERIVED[column][0]
    base = base_of(column)
    if base not in VARIABLES:
        return column
    label = VARIABLES[base].label
    for suffix, words in (("_pre", "pre-race"), ("_post", "post-race"), ("_change", "change")):
        if column.endswith(suffix) and base != column:
            return f"{label}, {words}"
    return label


def default_margin(column: str) -> float | None:
    """Teaching-default equivalence margin for a column, or ``None``.

    Margins are stated for an analyte's concentration and apply to its
    ``_pre``, ``_post`` and ``_change`` columns alike; ``pv_change`` has its own.
    """
    if column in DEFAULT_MARGINS:
        return DEFAULT_MARGINS[column]
    return DEFAULT_MARGINS.get(base_of(column))

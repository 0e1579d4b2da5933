"""The reading and mapping options, in one frozen object checked once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any

#: separators accepted by name as well as by character
SEPARATOR_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}

_CHOICES: dict[str, tuple[Any, ...]] = {
    "haematocrit_unit": ("auto", "fraction", "percent"),
    "haemoglobin_unit": ("auto", "g/dL", "g/L"),
    "censored": ("error", "missing"),
    "decimal": (None, ".", ","),
}


def normalise_separator(sep: str | None) -> str | None:
    """Return the one-character separator meant by ``sep`` (``'tab'`` -> ``'\\t'``).

    Raises
    ------
    ValueError
        If ``sep`` is not one character (after resolving the names ``tab``,
        ``comma``, ``semicolon``, ``pipe``) or is a quote, a newline or a
        letter or digit.
    """
    if sep is None:
        return None
    resolved = SEPARATOR_NAMES.get(str(sep).lower(), sep)
    if len(resolved) != 1 or resolved in '"\r\n' or resolved.isalnum():
        raise ValueError(
            f"`sep` must be one character such as ',', ';', '|' or the word 'tab'; got {sep!r}"
        )
    return resolved


def _labels(name: str, value: Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str | bytes):
        raise TypeError(f"`{name}` must be a list of labels, not one string; got {value!r}")
    return tuple(str(v) for v in value)


@dataclass(frozen=True, kw_only=True)
class LoadOptions:
    """How to read a cohort file and map it onto the schema; checked when built.

    It behaves as a read-only mapping of the options that differ from their
    defaults, so ``check_cohort(path, **options)`` and ``dict(options)`` work.

    Parameters
    ----------
    sep : str, optional
        Field separator (one character, or ``'tab'``); detected among ``,``
        ``;`` tab and ``|`` when omitted (an Excel ``sep=;`` first line is
        obeyed).
    decimal : {'.', ','}, optional
        Decimal mark; detected when omitted.
    encoding : str, optional
        Text encoding; UTF-8 (with or without BOM) when omitted, UTF-16 when
        the file starts with its byte-order mark.
    sheet : str or int, default 0
        Excel sheet name or 0-based index; text of digits is a sheet name if
        the workbook has one of that name, an index otherwise.
    columns : mapping, optional
        Canonical name -> column name in the file, e.g.
        ``{'sodium_pre': 'Na (mmol/L) before'}``. Other columns are matched by
        canonical name (case and spacing ignored) or common spellings
        (``Na_pre``, ``Hct post``, ``hemoglobin_after``), each echoed in
        :attr:`CohortCheck.decisions`. Given mappings win over inferred ones.
    group_column : str, optional
        The column holding the group; default ``group`` or a common spelling
        (``cramp``, ``Cramp?``, ``status``...).
    cramp_labels, control_labels : iterable of str, optional
        Labels (case-insensitive) meaning cramp and control. When both are
        omitted, ``cramp``/``cramper``/``EAMC``... and
        ``control``/``non-cramper``... are inferred; yes/no answers
        (``yes``, ``y``, ``true`` and ``no``, ``n``, ``false``, ``none``) are
        inferred only under a column whose name asks about cramp
        (``Cramp?``, ``cramped``), never under ``group`` or ``status``. In an
        SPSS or Stata file the group column's own value labels are used.
    haematocrit_unit : {'auto', 'fraction', 'percent'}, default 'auto'
        ``auto`` takes percent when the median haematocrit exceeds 1.5.
    haemoglobin_unit : {'auto', 'g/dL', 'g/L'}, default 'auto'
        ``auto`` takes g/L when the median haemoglobin exceeds 30.
    censored : {'error', 'missing'}, default 'error'
        What a censored lab value such as ``<135`` is: an error, or a missing
        value with a warning. Either way it is reported per cell.
    derived : bool, default True
        Add the derived columns of :func:`add_derived`.
    skip_rows : int, default 0
        Rows above the header to ignore (a title, notes); rows keep their
        spreadsheet numbers.
    units_row : bool, default False
        The row under the header holds units (``mmol/L``, ``%``): it is
        skipped and echoed.
    na_values : iterable of str, default ()
        Extra cell contents read as missing (case-insensitive), e.g.
        ``('#N/A', '?')``, on top of blanks, ``NA``, ``n/a``, ``-``...

    Raises
    ------
    ValueError, TypeError
        For an option outside its allowed values, naming the option, the rule
        and the value.

    Examples
    --------
    >>> options = LoadOptions(sep="semicolon", skip_rows=2, na_values=["#N/A"])
    >>> dict(options)
    {'sep': ';', 'skip_rows': 2, 'na_values': ['#N/A']}
    >>> LoadOptions(decimal=";")
    Traceback (most recent call last):
    ...
    ValueError: `decimal` must be one of ['.', ',']; got ';'
    """

    sep: str | None = None
    decimal: str | None = None
    encoding: str | None = None
    sheet: str | int = 0
    columns: Mapping[str, str] | None = None
    group_column: str | None = None
    cramp_labels: tuple[str, ...] | None = None
    control_labels: tuple[str, ...] | None = None
    haematocrit_unit: str = "auto"
    haemoglobin_unit: str = "auto"
    censored: str = "error"
    derived: bool = True
    skip_rows: int = 0
    units_row: bool = False
    na_values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "sep", normalise_separator(self.sep))
        for name, allowed in _CHOICES.items():
            if getattr(self, name) not in allowed:
                shown = [a for a in allowed if a is not None]
                raise ValueError(f"`{name}` must be one of {shown}; got {getattr(self, name)!r}")
        for name in ("cramp_labels", "control_labels"):
            set_(self, name, _labels(name, getattr(self, name)))
        na = _labels("na_values", self.na_values)
        set_(self, "na_values", tuple(v.strip() for v in na or ()))
        if self.columns is not None:
            if not isinstance(self.columns, Mapping):
                raise TypeError(f"`columns` must be a mapping canonical -> column; got "
                                f"{self.columns!r}")  # fmt: skip
            set_(self, "columns", MappingProxyType({str(k): str(v) for k, v in
                                                   self.columns.items()}))  # fmt: skip
        if isinstance(self.skip_rows, bool) or not isinstance(self.skip_rows, int):
            raise TypeError(f"`skip_rows` must be a whole number; got {self.skip_rows!r}")
        if self.skip_rows < 0:
            raise ValueError(f"`skip_rows` must be 0 or more; got {self.skip_rows!r}")
        if not isinstance(self.sheet, str | int) or isinstance(self.sheet, bool):
            raise TypeError(f"`sheet` must be a sheet name or a 0-based index; got "
                            f"{self.sheet!r}")  # fmt: skip
        for name in ("derived", "units_row"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"`{name}` must be True or False; got {getattr(self, name)!r}")

    @classmethod
    def of(cls, options: LoadOptions | Mapping[str, Any] | None = None, /,
           **changes: Any) -> LoadOptions:  # fmt: skip
        """Build options from a mapping or other options, with ``changes`` applied.

        Raises
        ------
        TypeError
            For a name that is not an option, listing the options.
        """
        known = {f.name for f in fields(cls)}
        given = dict(options or {})
        given.update(changes)
        unknown = sorted(set(given) - known)
        if unknown:
            raise TypeError(f"unknown option {unknown[0]!r}; the options are "
                            f"{', '.join(sorted(known))}")  # fmt: skip
        if isinstance(options, LoadOptions) and not changes:
            return options
        return cls(**given)

    def replace(self, **changes: Any) -> LoadOptions:
        """A copy with ``changes`` applied (checked again)."""
        return replace(self, **changes)

    # the mapping protocol: the options that differ from their defaults
    def keys(self) -> list[str]:
        """The names of the options that differ from their defaults."""
        return [f.name for f in fields(self) if getattr(self, f.name) != f.default]

    def __getitem__(self, name: str) -> Any:
        if name not in self.keys():
            raise KeyError(name)
        value = getattr(self, name)
        if isinstance(value, Mapping):
            return dict(value)
        if isinstance(value, tuple):
            return list(value)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

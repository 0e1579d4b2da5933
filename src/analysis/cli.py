"""The command line: ``cramp-reanalysis`` (also ``python -m analysis``).

Exit status: 0 on success, 2 when the data or the options are unusable (every
problem is printed on stderr, one per line, and nothing is written), 1 when a
report could not be built for another reason (a notebook failed; the message
says which).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analysis.validation import LoadOptions

__all__ = ["build_parser", "main"]

EPILOG = """\
examples:
  cramp-reanalysis validate my_runners.csv
  cramp-reanalysis report my_runners.csv --out my-report
  cramp-reanalysis report export.csv --out rep --sep ';' --decimal , \\
      --column sodium_pre="Na vor" --column sodium_post="Na nach" \\
      --group-column "Cramp?" --cramp-label Yes --control-label No \\
      --haematocrit-unit percent --haemoglobin-unit g/L
  cramp-reanalysis validate lab.tsv --sep tab --encoding latin-1
  cramp-reanalysis validate runners.xlsx --sheet "Race day"
  cramp-reanalysis validate lab.csv --censored missing     # '<135' -> missing, listed
  cramp-reanalysis validate export.csv --skip-rows 2 --units-row --na-values '#N/A,n.b.'
  cramp-reanalysis validate study.sav                      # SPSS/Stata: value labels used
  cramp-reanalysis validate - < runners.csv                # standard input
  cramp-reanalysis report my.csv --out rep --margin sodium=2 --margin pv_change=4 \\
      --seed 7 --n-resamples 20000 --quiet
  cramp-reanalysis report my.csv --out rep --force         # replace an earlier report
  cramp-reanalysis report --out reports --all-notebooks --force   # bundled example

A valid file has one row per runner, a group column (cramp / control, or
labels you map with --cramp-label/--control-label) and at least one analyte
column such as sodium_pre, sodium_post, potassium_post, haemoglobin_pre,
haematocrit_post. Rows are numbered as in a spreadsheet (header = row 1).
Exit status: 0 done; 2 unusable data or options (every problem on stderr,
one per line: row, column, value, rule; nothing written); 1 the report
could not be built (nothing written); 130 interrupted (nothing written; an
interrupt after the report is in place does not undo it: exit 0, and it says so).
See README.md, "Your own data".
"""


#: names accepted by --margin: analytes, their columns, and derived variables
def _margin_names() -> set[str]:
    from analysis import schema

    names = set(schema.ANALYTES) | set(schema.DERIVED)
    names |= {f"{a}_{t}" for a in schema.ANALYTES for t in ("pre", "post", "change")}
    return names


def _key_value(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    key, value = text.split("=", 1)
    if not key.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return key.strip(), value.strip()


def _margin(text: str) -> tuple[str, float]:
    key, value = _key_value(text)
    if key not in _margin_names():
        raise argparse.ArgumentTypeError(
            f"--margin {text!r}: unknown variable {key!r}; use an analyte (sodium), one of "
            "its columns (sodium_post, sodium_change) or pv_change"
        )
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--margin {text!r}: the margin must be a number, e.g. sodium=3"
        ) from None
    if not (number > 0 and number != float("inf")):
        raise argparse.ArgumentTypeError(f"--margin {text!r}: the margin must be positive")
    return key, number


def _separator(text: str) -> str:
    from analysis.validation import normalise_separator

    try:
        return str(normalise_separator(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("`sep`", "--sep")) from None


def _at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {number}")
        return number

    return parse


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("reading the file")
    g.add_argument(
        "--sep",
        type=_separator,
        metavar="SEP",
        help="field separator: ',', ';', '|' or the word tab (default: detected "
        "and echoed), e.g. --sep ';' or --sep tab",
    )
    g.add_argument(
        "--decimal",
        choices=[".", ","],
        help="decimal mark (default: detected and echoed), e.g. --decimal ,",
    )
    g.add_argument(
        "--encoding",
        metavar="NAME",
        help="text encoding, e.g. --encoding latin-1 or cp1252 (default: UTF-8 "
        "with or without BOM; UTF-16 when it has a BOM)",
    )
    g.add_argument(
        "--sheet",
        default=0,
        metavar="NAME|INDEX",
        help="Excel sheet name or 0-based index, e.g. --sheet 'Race day' (default: the first)",
    )
    g.add_argument(
        "--skip-rows",
        type=_at_least(0),
        default=0,
        metavar="N",
        help="ignore the first N rows (a title or notes above the header), e.g. "
        "--skip-rows 2; rows keep their spreadsheet numbers",
    )
    g.add_argument(
        "--units-row",
        action="store_true",
        help="the row under the header holds units (e.g. mmol/L, %%): skip it and echo them",
    )
    g.add_argument(
        "--na-values",
        action="append",
        default=[],
        metavar="TOKEN[,TOKEN]",
        help="extra cell contents that mean missing, e.g. --na-values '#N/A,?' "
        "(default: blank, NA, n/a, nan, null, none, '.', '-', missing, nd, not done)",
    )
    m = parser.add_argument_group("mapping columns, groups and units")
    m.add_argument(
        "--column",
        action="append",
        type=_key_value,
        default=[],
        metavar="CANONICAL=SOURCE",
        help="use the file's column SOURCE as CANONICAL, e.g. --column "
        "sodium_post='Na after'; repeatable; wins over inferred names",
    )
    m.add_argument(
        "--group-column",
        metavar="NAME",
        help="the column holding the group, e.g. --group-column 'Cramp?' "
        "(default: 'group' or a common spelling such as 'cramp')",
    )
    m.add_argument(
        "--cramp-label",
        action="append",
        metavar="VALUE",
        help="a value meaning cramp, e.g. --cramp-label Yes; repeatable "
        "(default: cramp/cramper/EAMC...; yes/y/true only under a column "
        "named like 'Cramp?')",
    )
    m.add_argument(
        "--control-label",
        action="append",
        metavar="VALUE",
        help="a value meaning control, e.g. --control-label No; repeatable "
        "(default: control/non-cramper...; no/n/false under 'Cramp?')",
    )
    m.add_argument(
        "--haematocrit-unit",
        choices=["auto", "fraction", "percent"],
        default="auto",
        help="e.g. --haematocrit-unit percent (default: auto, "
        "percent if the median exceeds 1.5, echoed)",
    )
    m.add_argument(
        "--haemoglobin-unit",
        choices=["auto", "g/dL", "g/L"],
        default="auto",
        help="e.g. --haemoglobin-unit g/L (default: auto, g/L if the median exceeds 30, echoed)",
    )
    m.add_argument(
        "--censored",
        choices=["error", "missing"],
        default="error",
        help="censored lab values such as '<135': an error (default) or "
        "missing, each reported per cell",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress or echo on stderr; only errors"
    )


def _default_margins_text() -> str:
    from analysis import schema

    return ", ".join(
        f"{name} {value:g} {schema.unit_of(name)}".replace("%", "%%")
        for name, value in schema.DEFAULT_MARGINS.items()
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with every option documented."""
    from analysis import __version__

    parser = argparse.ArgumentParser(
        prog="cramp-reanalysis",
        description="Rerun the cramp-versus-electrolyte reanalysis (Maughan 1986) on a "
                    "dataset: validate it, compare crampers with controls, and write a report.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser("validate", help="check a file and print every problem",
                       description="Check a file and print the validation report. Exit "
                                   "status 2 if anything must be fixed.",
                       epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    v.add_argument("data", type=Path, help="CSV (any common separator), .xlsx, SPSS .sav or "
                   "Stata .dta file, or - to read standard input")  # fmt: skip
    _add_data_options(v)

    r = sub.add_parser("report", help="run the whole analysis and write a report folder",
                       description="Validate DATA, run the analysis notebooks on it and write "
                                   "report.html, results.csv, validation.txt, "
                                   "provenance.json, the executed notebooks and the figures "
                                   "(PNG and SVG) into --out.",
                       epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    r.add_argument(
        "data",
        type=Path,
        nargs="?",
        help="CSV or .xlsx file (default: the bundled synthetic marathon cohort)",
    )
    r.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="report folder to create, e.g. --out my-report; refused if it exists, unless --force",
    )
    r.add_argument(
        "--force",
        action="store_true",
        help="replace an earlier report in --out (only the files it lists in its "
        ".cramp-reanalysis-report.json; anything else in the folder stays)",
    )
    r.add_argument(
        "--margin",
        action="append",
        type=_margin,
        default=[],
        metavar="VARIABLE=VALUE",
        help="equivalence margin in the variable's unit, e.g. --margin sodium=2 or "
        f"--margin pv_change=4; repeatable (defaults: {_default_margins_text()})",
    )
    r.add_argument(
        "--n-resamples",
        type=_at_least(100),
        default=10_000,
        metavar="N",
        help="bootstrap and permutation resamples, at least 100, e.g. "
        "--n-resamples 20000 (default: 10000)",
    )
    r.add_argument(
        "--seed",
        type=_at_least(0),
        default=None,
        metavar="N",
        help="seed of every resampling method, e.g. --seed 7 (default: a fixed "
        "seed; either way recorded in results.csv and provenance.json)",
    )
    r.add_argument(
        "--all-notebooks",
        action="store_true",
        help="run every notebook, not only those that analyse DATA (teaching "
        "notebooks on the other bundled cohorts included)",
    )
    _add_data_options(r)
    _add_synthesise_parser(sub)
    return parser


def _add_synthesise_parser(sub: argparse._SubParsersAction) -> None:
    """The ``synthesise`` subcommand (random-effects synthesis of an evidence table)."""
    s = sub.add_parser(
        "synthesise",
        help="pool published studies (an evidence table) and write a synthesis folder",
        description="Read an evidence table (one row per study x variable x time point x "
        "comparison, numbers as printed), pool each variable and time point with a "
        "random-effects model and write report.html, results.csv, effects.csv, "
        "leave_one_out.csv, cumulative.csv, provenance.json and figures/ into --out. "
        "Exit status 2 (every problem listed, nothing written) for a bad table.",
        epilog="examples:\n  cramp-reanalysis synthesise --out evidence\n"
        "  cramp-reanalysis synthesise my_table.csv --out evidence --method DL --force\n"
        "  cramp-reanalysis report runners.csv --out rep   # individual runners instead\n"
        'See README.md, "What the published evidence says".',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument(
        "evidence",
        type=Path,
        nargs="?",
        help="evidence table CSV, e.g. my_table.csv (default: the bundled data/evidence_table.csv)",
    )
    s.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="folder to create, e.g. --out evidence; refused if it exists, "
                   "unless --force")  # fmt: skip
    s.add_argument("--method", choices=["REML", "DL", "PM"], default="REML",
                   help="estimator of the between-study variance tau² (default: REML)")  # fmt: skip
    s.add_argument("--force", action="store_true",
                   help="replace an earlier output in --out: only the files it wrote "
                   "are removed, other files stay")  # fmt: skip
    s.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def _run_synthesise(args: argparse.Namespace, interrupts: _Interrupts | None = None) -> int:
    """Dispatch of ``synthesise``: exit 0 done, 2 bad table or --out refused, 1 cannot write."""
    from analysis.meta import default_evidence_path
    from analysis.synthesis_report import write_synthesis
    from analysis.validation import DataValidationError, count_findings

    source = args.evidence or default_evidence_path()

    def say(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    try:
        result = write_synthesis(
            source, args.out, method=args.method, force=args.force, progress=say,
            on_published=interrupts.on_published if interrupts else None,
        )  # fmt: skip
    except DataValidationError as exc:
        print(f"cramp-reanalysis: {source} cannot be synthesised; {count_findings(exc.problems)} "
              "problem(s), nothing was written:", file=sys.stderr)  # fmt: skip
        _print_problems(exc.problems)
        return 2
    except FileExistsError as exc:
        print(f"error: {exc}; nothing was written", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write the synthesis ({exc}); nothing was written", file=sys.stderr)
        return 1
    _say_kept_and_late(say, result, interrupts, "synthesis")
    return 0


def _load_options(args: argparse.Namespace) -> LoadOptions:
    from analysis.validation import LoadOptions

    return LoadOptions(
        sep=args.sep, decimal=args.decimal, encoding=args.encoding,
        sheet=args.sheet,  # digits: a sheet of that name, else an index
        columns=dict(args.column) or None, group_column=args.group_column,
        cramp_labels=args.cramp_label, control_labels=args.control_label,
        haematocrit_unit=args.haematocrit_unit, haemoglobin_unit=args.haemoglobin_unit,
        censored=args.censored, skip_rows=args.skip_rows, units_row=args.units_row,
        na_values=[t for arg in args.na_values for t in arg.split(",") if t.strip()],
    )  # fmt: skip


def _print_problems(problems: Sequence[object]) -> None:
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)


class _Interrupts:
    """SIGINT and SIGTERM as ``KeyboardInterrupt``, until the output is in place.

    Once a report is published, an interrupt no longer undoes anything: it is
    noted (``late``) and the command finishes, saying the report was written.
    """

    def __init__(self) -> None:
        self.published: object | None = None
        self.late = False

    def handle(self, signum: int, frame: object) -> None:
        if self.published is not None:
            self.late = True
            return
        raise KeyboardInterrupt

    def on_published(self, result: object) -> None:
        self.published = result


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Exit status 130 means interrupted before anything was written; an
    interrupt that arrives once the report is in place does not undo it, and
    the command ends with 0 and says so.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    interrupts = _Interrupts()
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, interrupts.handle) for s in held}
    try:
        with warnings.catch_warnings():
            _route_warnings(quiet=args.quiet)
            return _run(args, interrupts)
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written", file=sys.stderr)
        return 130
    except Exception as exc:  # a defect, not a data problem: one line unless debugging
        if os.environ.get("CRAMP_REANALYSIS_DEBUG"):
            raise
        print(f"error: unexpected failure ({type(exc).__name__}: {exc}); nothing was "
              "written. This is a defect: please report it (set CRAMP_REANALYSIS_DEBUG=1 "
              "for the traceback).", file=sys.stderr)  # fmt: skip
        return 1
    finally:
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)


def _route_warnings(*, quiet: bool) -> None:
    """Inside ``warnings.catch_warnings``: none with ``--quiet``, else one plain line each."""
    if quiet:
        warnings.simplefilter("ignore")
        # statsmodels adds "always" filters when imported, ahead of this one: the
        # warnings they let through are shown by nobody
        warnings.showwarning = lambda *_args, **_kwargs: None
        return

    def show(message: Warning | str, category: type[Warning], *_args: object,
             **_kwargs: object) -> None:  # fmt: skip
        print(f"warning: {message}", file=sys.stderr, flush=True)

    warnings.showwarning = show


def _validate(args: argparse.Namespace, options: dict[str, object]) -> int:
    from analysis.report import report_limitations
    from analysis.validation import check_cohort, count_findings

    check = check_cohort(args.data, **options)  # type: ignore[arg-type]
    if not args.quiet or not check.ok:
        print(check.to_text(), end="", flush=True)
    if not check.ok:
        print(f"cramp-reanalysis: {args.data}: {count_findings(check.errors)} problem(s); fix them "
              "and run again:", file=sys.stderr)  # fmt: skip
        _print_problems(check.errors)
        return 2
    if not args.quiet:
        try:
            limits = report_limitations(check.cohort)
        except Exception as exc:  # a broken notebook must not fail the check of a file
            limits = [f"(the notebooks could not be checked: {type(exc).__name__}: {exc})"]
        for line in limits:
            print(f"warning: the report will leave out: {line}", file=sys.stderr)
    return 0


def _summary(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _run(args: argparse.Namespace, interrupts: _Interrupts | None = None) -> int:
    if args.command == "synthesise":
        return _run_synthesise(args, interrupts)
    from analysis.validation import DataValidationError, count_findings

    def say(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    options = _load_options(args)
    if args.command == "validate":
        return _validate(args, options)

    from analysis import paths
    from analysis.report import ReportError, build_report

    data = args.data or paths.example_path("marathon")
    notebooks = sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb")) if (
        args.all_notebooks) else None  # fmt: skip
    try:
        result = build_report(
            data, args.out, notebooks=notebooks, load_options=options,
            margins=dict(args.margin) or None, n_resamples=args.n_resamples, seed=args.seed,
            force=args.force, progress=say,
            on_published=interrupts.on_published if interrupts else None,
        )  # fmt: skip
    except DataValidationError as exc:
        print(f"cramp-reanalysis: {data} cannot be analysed; {count_findings(exc.problems)} "
              "problem(s), nothing was written:", file=sys.stderr)  # fmt: skip
        _print_problems(exc.problems)
        return 2
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ReportError as exc:
        print(f"error: {exc}; nothing was written", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot write the report ({exc}); nothing was written", file=sys.stderr)
        return 1
    _say_kept_and_late(say, result, interrupts, "report")
    return 0


def _say_kept_and_late(say: Callable[[str], None], result: Any,
                       interrupts: _Interrupts | None, what: str) -> None:  # fmt: skip
    """Name the files kept in the destination, and an interrupt that came too late."""
    if result.kept:
        say(f"kept {len(result.kept)} file(s) in {result.out_dir} that cramp-reanalysis did "
            f"not write, untouched: {_summary(result.kept)}")  # fmt: skip
    if interrupts is not None and interrupts.late:
        say(f"interrupt received after the {what} was complete; it is kept in {result.out_dir}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

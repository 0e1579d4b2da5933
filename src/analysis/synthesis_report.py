"""Write the evidence synthesis of a table into a folder (``cramp-reanalysis synthesise``).

Layout of the folder::

    report.html        one page: method, every forest and leave-one-out plot,
                       pooled estimates, equivalence verdicts, rows without an
                       estimate and why (every text from the table escaped)
    results.csv        the pooled estimates, one row per variable x time point
    effects.csv        one effect size per table row (with the exclusion reason)
    leave_one_out.csv, cumulative.csv
    provenance.json    input path and sha256, options, versions, time
    figures/*.png      forest_<variable>_<time>.png, leave_one_out_<...>.png

The folder is published as ``report`` publishes its folder
(:mod:`analysis.publish`): built beside the destination and moved into place
only when complete, with a marker listing the files written; ``force``
replaces only an earlier output of this package and removes only the files
its marker lists (other files stay); the folder holding the input table is
never replaced, and the input is only read. Text from the table is escaped
in the HTML (:func:`analysis.safe_text.html_text`) and neutralised in the CSV
files (:func:`analysis.report.write_csv`), so a spreadsheet does not run a
cell such as ``=HYPERLINK(...)`` as a formula.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import platform
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.report import versions
from analysis.safe_text import html_text

if TYPE_CHECKING:
    from analysis.meta import EvidenceSynthesis
    from analysis.publish import PublishResult

__all__ = ["write_synthesis"]

_VERSIONED = ("cramp-reanalysis", "numpy", "pandas", "scipy", "statsmodels", "matplotlib")
#: the ``command`` recorded in provenance.json
_COMMAND = "synthesise"
#: files every synthesis writes (checked against the destination before any work)
_ALWAYS_WRITTEN = ("report.html", "results.csv", "effects.csv", "provenance.json")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _margin_for(res: EvidenceSynthesis, variable: str, time_point: str) -> float | None:
    """The schema's margin when this variable and time point is pooled as a mean difference."""
    from analysis import schema

    p = res.pooled
    if p.empty:
        return None
    row = p[(p["variable"] == variable) & (p["time_point"] == time_point)]
    if row.empty or row["measure"].iloc[0] != "MD":
        return None
    return schema.default_margin(variable)


#: most variable/time-point settings drawn (two figures each); the rest are listed
MAX_FIGURE_SETTINGS = 40
#: most rows of one forest plot (one per study); a larger setting is not drawn
MAX_FOREST_ROWS = 150
#: longest slug of a variable or time point in a figure's file name
_SLUG_CHARS = 40


def _figure_base(variable: str, time_point: str, used: set[str]) -> str:
    """``<variable>_<time point>`` as a short, unique, safe file-name part.

    A name from the table is slugged and cut to :data:`_SLUG_CHARS`
    characters; a cut or clashing name gets 8 hex digits of its hash, so that
    file names stay short (NAME_MAX) and distinct.
    """
    import hashlib

    a, b = _slug(variable), _slug(time_point)
    base = f"{a[:_SLUG_CHARS]}_{b[:_SLUG_CHARS]}"
    if max(len(a), len(b)) > _SLUG_CHARS or base in used:
        digest = hashlib.sha256(f"{variable}\0{time_point}".encode()).hexdigest()[:8]
        base = f"{base}_{digest}"
    while base in used:
        base += "_"
    used.add(base)
    return base


def _figures(
    res: EvidenceSynthesis, folder: Path, left_out: list[str] | None = None
) -> list[tuple[str, str, str, Path]]:
    """Draw every figure; return (variable, time point, kind, file) per figure.

    At most :data:`MAX_FIGURE_SETTINGS` settings are drawn and none with more
    than :data:`MAX_FOREST_ROWS` rows; what is not drawn is appended to
    ``left_out``, with the reason.
    """
    from analysis import evidence_plots as ep

    folder.mkdir()
    out: list[tuple[str, str, str, Path]] = []
    used: set[str] = set()
    left_out = [] if left_out is None else left_out
    groups = res.effects[["variable", "time_point"]].drop_duplicates()
    if len(groups) > MAX_FIGURE_SETTINGS:
        left_out.append(f"{len(groups) - MAX_FIGURE_SETTINGS} of {len(groups)} variable and "
                        f"time-point settings are not drawn (at most {MAX_FIGURE_SETTINGS}); "
                        "their numbers are in results.csv and effects.csv")  # fmt: skip
    counts = res.effects.groupby(["variable", "time_point"], sort=False).size()
    for variable, time_point in groups.head(MAX_FIGURE_SETTINGS).itertuples(index=False):
        if counts[(variable, time_point)] > MAX_FOREST_ROWS:
            left_out.append(f"{variable}, {time_point}: {counts[(variable, time_point)]} rows, "
                            f"more than {MAX_FOREST_ROWS} for one figure; not drawn")  # fmt: skip
            continue
        base = _figure_base(variable, time_point, used)
        margin = _margin_for(res, variable, time_point)
        ax = ep.forest_plot(res, variable, time_point, margin=margin)
        out.append((variable, time_point, "forest", _save(ax, folder / f"forest_{base}.png")))
        try:
            ax = ep.leave_one_out_plot(res, variable, time_point)
        except KeyError:  # fewer than two studies
            continue
        path = _save(ax, folder / f"leave_one_out_{base}.png")
        out.append((variable, time_point, "leave-one-out", path))
    return out


def _save(ax: object, path: Path) -> Path:
    import matplotlib.pyplot as plt

    from analysis.plots import make_literal

    fig = make_literal(ax.figure)  # type: ignore[attr-defined]
    fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return path


def _fmt(x: float) -> str:
    import math

    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.3g}"


def _p(x: float) -> str:
    return "< 0.0001" if x < 1e-4 else f"{x:.2g}"


def _margin_text(margin: float, unit: str) -> str:
    return "none stated" if margin != margin else f"{margin:g} {html_text(unit)}"


def _pooled_table(res: EvidenceSynthesis) -> str:
    from analysis.meta import SINGLE_STUDY

    e = html_text
    head = ("<tr><th>variable</th><th>time point</th><th>unit</th><th>k</th><th>studies</th>"
            "<th>estimate</th>"
            "<th>CI</th><th>prediction interval</th><th>τ² [Q-profile CI]</th><th>I²</th>"
            "<th>Q (df), p</th><th>funnel test</th></tr>")  # fmt: skip
    body = []
    for r in res.pooled.itertuples():
        single = r.k == 1
        pi = f"[{_fmt(r.pi_low)}, {_fmt(r.pi_high)}]" if not single else f"– ({SINGLE_STUDY})"
        tau = "–" if single else f"{_fmt(r.tau2)} [{_fmt(r.tau2_ci_low)}, {_fmt(r.tau2_ci_high)}]"
        i2 = "–" if single else f"{r.i2:.0f}%"
        q = "–" if single else f"{r.q:.3g} ({r.q_df:.0f}), {_p(r.q_p_value)}"
        body.append(
            f"<tr><td>{e(r.variable)}</td><td>{e(r.time_point)}</td><td>{e(r.unit)}</td>"
            f"<td>{r.k}</td><td>{e(r.studies)}</td><td>{_fmt(r.estimate)}</td>"
            f"<td>[{_fmt(r.ci_low)}, "
            f"{_fmt(r.ci_high)}]</td><td>{pi}</td><td>{tau}</td><td>{i2}</td>"
            f"<td>{q}</td><td>{e(r.funnel_test)}</td></tr>"
        )
    return f"<table>{head}{''.join(body)}</table>"


def _html(res: EvidenceSynthesis, figures: list, source: Path, fixture: bool,
          left_out: list[str] | None = None) -> str:  # fmt: skip
    from analysis.meta import judge_equivalence, study_labels

    e = html_text
    level = round(100 * res.confidence_level)
    test = {
        "knha": "Hartung-Knapp-Sidik-Jonkman (t, k − 1 df)",
        "z": "normal (Wald)",
        "adhoc": "modified Hartung-Knapp (scale at least 1; t, k − 1 df)",
    }[res.test]
    parts = [f"<h1>Evidence synthesis: {e(source.name)}</h1>"]
    if fixture:
        parts.append("<p class='warn'><b>This is the test fixture</b> (a few printed numbers "
                     "used to test the code), not the curated evidence table.</p>")  # fmt: skip
    parts.append(
        f"<p>Random-effects model per variable and time point: τ² by {e(res.method)}, "
        f"{level}% confidence interval by {test}, {level}% prediction interval as "
        "metafor's <code>predict</code>. Effects are cramp − control: mean differences in the "
        "unit when all studies share it, Hedges' g otherwise. Rows are pooled only within "
        "one variable and time point (blood taken at presentation to a medical tent is "
        "never pooled with post-race samples) and never two rows of one study (they share "
        "participants). A group of one study is that study's own estimate, not a pooled "
        "one.</p>"
    )
    parts += ["<h2>Pooled estimates</h2>", _pooled_table(res)]
    eq = judge_equivalence(res)
    if not eq.empty:
        rows = "".join(
            f"<tr><td>{e(r.variable)}</td><td>{e(r.time_point)}</td><td>"
            f"{_margin_text(r.margin, r.unit)}</td>"
            f"<td>[{_fmt(r.equivalence_ci_low)}, {_fmt(r.equivalence_ci_high)}]"
            f"</td><td>{e(r.verdict)}</td></tr>"
            for r in eq.itertuples()
        )
        parts += ["<h2>Equivalence against the compendium's margins</h2>",
                  "<p>Verdict from the 90% interval of the pooled mean (two one-sided tests "
                  "at 5%); see docs/margins.md for why each margin.</p>",
                  "<table><tr><th>variable</th><th>time point</th><th>margin</th>"
                  f"<th>90% CI</th><th>verdict</th></tr>{rows}</table>"]  # fmt: skip
    missing = res.effects[res.effects["excluded_reason"] != ""]
    if not missing.empty:
        names = study_labels(res.effects)
        items = "".join(f"<li>{e(names[str(r.study_id)])}, {e(str(r.variable))} "
                        f"({e(str(r.time_point))}): {e(str(r.excluded_reason))}</li>"
                        for r in missing.itertuples())  # fmt: skip
        parts += ["<h2>Rows without an estimate</h2>", f"<ul>{items}</ul>"]
    parts.append("<h2>Figures</h2>")
    if left_out:
        parts.append("<ul>" + "".join(f"<li>{e(t)}</li>" for t in left_out) + "</ul>")
    for variable, time_point, kind, path in figures:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        alt = e(f"{kind} plot: {variable}, {time_point}")
        parts.append(f"<figure><img alt=\"{alt}\" src=\"data:image/png;base64,{data}\">"
                     f"<figcaption>{alt}</figcaption></figure>")  # fmt: skip
    style = ("body{font-family:sans-serif;max-width:75em;margin:2em auto;font-size:16px}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .5em}"
             "img{max-width:100%}.warn{background:#fff3cd;padding:.5em}")  # fmt: skip
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Evidence "
            f"synthesis</title><style>{style}</style></head><body>{''.join(parts)}"
            "</body></html>\n")  # fmt: skip


def write_synthesis(
    evidence_path: str | Path,
    out_dir: str | Path,
    *,
    method: str = "REML",
    test: str = "knha",
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    on_published: Callable[[PublishResult], None] | None = None,
) -> PublishResult:
    """Synthesise an evidence table and write the folder described in the module.

    Parameters
    ----------
    evidence_path : str or pathlib.Path
        The evidence table (read only, never modified).
    out_dir : str or pathlib.Path
        Folder to create; an existing one only with ``force`` (see above).
    method : {'REML', 'DL', 'PM'}, default 'REML'
    test : {'knha', 'z', 'adhoc'}, default 'knha'
    force : bool, default False
        Replace an earlier output of this package in ``out_dir``: only the
        files listed in its marker (and unchanged) are removed; other files
        stay (:func:`analysis.publish.publish`).
    progress : callable, optional
        Called with one line per step.
    on_published : callable, optional
        Called with the :class:`analysis.publish.PublishResult` the moment the
        folder is in place (interrupts are held until it returns).

    Returns
    -------
    analysis.publish.PublishResult
        The folder written, the files written, removed and kept.

    Raises
    ------
    analysis.DataValidationError
        The table has problems (all listed); nothing is written.
    FileExistsError
        ``out_dir`` exists and may not be replaced, or holds the input table
        (:class:`analysis.publish.PublishError`); nothing is written.
    """
    from analysis import meta
    from analysis.publish import check_destination, sha256_of, staging
    from analysis.publish import publish as publish_folder

    say = progress or (lambda _line: None)
    source = Path(evidence_path).resolve()
    out_dir = Path(out_dir).resolve()
    meta._check_options(method, test, 0.95)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    check_destination(out_dir, force=force, protected=[source], will_write=_ALWAYS_WRITTEN)
    with staging(out_dir, force=force, protected=[source]) as work:
        digest = sha256_of(source) if source.is_file() else None
        table = meta.load_table(source)
        say(f"read {len(table)} rows from {source}")
        res = meta.synthesise(table, method=method, test=test)
        _write_files(res, work, source, say)
        if digest is not None and sha256_of(source) != digest:
            raise RuntimeError(f"{source} changed while it was read; run again")
        provenance = {
            "command": _COMMAND, "argv": sys.argv,
            "input": {"path": str(source), "sha256": digest, "rows": len(table),
                      "is_test_fixture": meta.is_fixture(source)},
            "options": {"method": method, "test": test, "confidence_level": 0.95},
            "versions": versions(_VERSIONED), "platform": platform.platform(),
            "time_started": started,
            "time_finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }  # fmt: skip
        (work / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n",
                                              encoding="utf-8")  # fmt: skip
        result = publish_folder(work, out_dir, force=force, protected=[source],
                                on_published=on_published)  # fmt: skip
    say(f"synthesis written to {out_dir}")
    return result


def _write_files(res: EvidenceSynthesis, work: Path, source: Path,
                 say: Callable[[str], None]) -> None:  # fmt: skip
    """The CSV files (neutralised), the figures and report.html, into ``work``."""
    from analysis import meta
    from analysis.report import write_csv

    for name, frame in (("results", res.pooled), ("effects", res.effects),
                        ("leave_one_out", res.leave_one_out),
                        ("cumulative", res.cumulative)):  # fmt: skip
        write_csv(frame, work / f"{name}.csv")
    left_out: list[str] = []
    figures = _figures(res, work / "figures", left_out)
    say(f"drew {len(figures)} figures" + (f"; {len(left_out)} left out" if left_out else ""))
    page = _html(res, figures, source, meta.is_fixture(source), left_out)
    (work / "report.html").write_text(page, encoding="utf-8")

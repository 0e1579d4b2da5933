"""The words of a report: its introduction, the results table, the combined page.

Every piece of text that comes from the user's file or options goes through
:func:`analysis.safe_text.markdown_text` before it reaches markdown, so it
shows as the characters it is and never as markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis import paths
from analysis.safe_text import markdown_text, visible_text
from analysis.validation.problems import count_findings

#: what the report says about its CSV files (kept in one place for the README's promise)
CSV_NOTE = (
    "In every CSV file of the report, a text cell that begins with `=`, `+`, `-`, `@`, "
    "a tab or a carriage return (and is not a plain number) is written with a leading `'`, "
    "so that a spreadsheet shows it as text instead of running it as a formula."
)


def _fmt(value: Any, digits: int = 3) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "" if value is None else markdown_text(value)
    if number != number:  # NaN
        return ""
    return f"{number:.{digits}g}" if abs(number) < 1e-3 and number else f"{number:.{digits}f}"


def results_table(results: Any) -> list[str]:
    """The key columns of the comparison table as markdown lines, rounded for reading.

    This one function builds the "results at a glance" table from a DataFrame
    with the columns of :func:`analysis.compare_groups`.
    """
    import pandas as pd

    head = ["variable", "family", "unit", "n cramp / control", "mean diff (post-only)",
            "95 % CI (post-only Welch)", "p (post-only Welch)",
            "p (post-only Welch, Holm in family)", "margin (SD units)",
            "equivalent (post-only Welch TOST, Holm in family)"]  # fmt: skip
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, r in results.iterrows():
        equivalent = r.get("equivalent_holm", r["equivalent"])
        rows.append("| " + " | ".join([
            code_text(r["variable"]), markdown_text(r.get("family", "")), markdown_text(r["unit"]),
            f"{r['n_cramp']} / {r['n_control']}", _fmt(r["mean_diff"]),
            f"{_fmt(r['ci_low'])} to {_fmt(r['ci_high'])}", _fmt(r["p_welch"]),
            _fmt(r["p_holm"]),
            "" if pd.isna(r["margin"])
            else f"{_fmt(r['margin'], 2)} ({_fmt(r['margin_sd'], 2)} SD)",
            "" if pd.isna(equivalent) else ("yes" if bool(equivalent) else "no"),
        ]) + " |")  # fmt: skip
    return rows


def example_caveat(data_path: Path) -> list[str]:
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


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_ .%/()-]{1,200}")


def code_text(value: object) -> str:
    """Markdown showing ``value`` as code if it is a plain name, else as escaped text."""
    text = str(value)
    return f"`{text}`" if _PLAIN_NAME.fullmatch(text) else markdown_text(text)


def _items(lines: Sequence[str], empty: str | None = None) -> list[str]:
    if not lines and empty is not None:
        return [f"- {empty}"]
    return [f"- {markdown_text(line)}" for line in lines]


def headline_section(headline: Any, reason: str = "") -> list[str]:
    """The report's lead: the primary family by its leading analysis, as markdown lines.

    ``headline`` is :func:`analysis.headline`'s table (``None`` when it could
    not be made, with ``reason``). Every cell is escaped: the labels and units
    come from the schema, but nothing here relies on that.
    """
    lines = ["## Headline: the primary family", ""]
    if headline is None or not len(headline):
        return lines + [f"No headline for this file: {markdown_text(reason or 'no data')}.", ""]
    from analysis.primary import headline_display, headline_sentence

    shown = headline_display(headline)
    lines += [
        "The three comparisons the 1986 paper is about (post-race sodium and potassium, "
        "plasma-volume change), each by the analysis that can be defended for groups that "
        "were not randomised: ANCOVA on the pre-race value with HC2 standard errors and "
        "Satterthwaite degrees of freedom where "
        "a pre-race value exists, Welch otherwise (docs/inference.md). p and the "
        "equivalence verdict are adjusted by Holm within this family of three; margins "
        "are argued in docs/margins.md. Post-only and change-score results are in "
        "`headline.csv` and `results_adjusted.csv`.",
        "",
        headline_sentence(headline),
        "",
        "| " + " | ".join(markdown_text(c) for c in shown.columns) + " |",
        "|" + "---|" * len(shown.columns),
    ]
    lines += ["| " + " | ".join(markdown_text(v) for v in row) + " |"
              for row in shown.itertuples(index=False)]  # fmt: skip
    return lines + [""]


def report_intro(
    data_path: Path,
    check: Any,
    results: Any,
    cohort_name: str | None,
    *,
    headline: tuple[Any, str] | None = None,
) -> str:
    """The first cell of ``report.html``: the input, the headline, decisions, results.

    ``results`` is the DataFrame shown as "results at a glance" (by
    :func:`results_table`); ``None`` or empty leaves that section out.
    ``headline`` is ``(table, reason)`` as made for :func:`headline_section`;
    ``None`` leaves the headline out.
    """
    counts = check.cohort["group"].value_counts()
    name = markdown_text(cohort_name or data_path.name)
    lines = [
        f"# Cramp reanalysis report: {name}",
        "",
        f"Input {code_text(data_path.name)}: {check.n_rows} runners, "
        f"{int(counts.get('cramp', 0))} with cramp and {int(counts.get('control', 0))} "
        f"controls; {count_findings(check.warnings)} values flagged and accepted "
        "(see `validation.txt`). Every number below is computed from this file; "
        "the full comparison table is `results.csv`, and `provenance.json` records "
        "the input's sha256, the options and the versions used.",
        "",
        CSV_NOTE,
        "",
        *example_caveat(data_path),
        *(headline_section(*headline) if headline is not None else []),
        "Decisions taken while reading the file:",
        "",
        *_items(check.decisions),
        "",
        "Sections skipped, and why:",
        "",
        *_items(check.skipped, empty="none"),
    ]
    if results is not None and len(results):
        lines += ["", "## Results at a glance", "",
                  "Cramp minus control by the post-only Welch analysis, every variable "
                  "(the headline above is ANCOVA on the pre-race value for pre/post "
                  "analytes, so its numbers differ); 95 % Welch CI; p adjusted by Holm within each "
                  "family of hypotheses (primary: post-race sodium and potassium and "
                  "plasma-volume change; docs/inference.md); TOST against the margin "
                  "(defaults argued in docs/margins.md unless given). "
                  "Every column is in `results.csv`.", ""]  # fmt: skip
        lines += results_table(results)
    noted = [] if results is None or "note" not in results else [
        (r["variable"], r["note"]) for _, r in results.iterrows()
        if isinstance(r["note"], str) and r["note"]]  # fmt: skip
    if noted:
        lines += ["", "Comparisons with a caveat (see the `note` column of `results.csv`):", ""]
        lines += [f"- {code_text(v)}: {markdown_text(n)}" for v, n in noted]
    return "\n".join(lines)


def report_title(data_path: Path, cohort_name: str | None = None) -> str:
    """The page title (plain text: nbconvert's template escapes it)."""
    return f"Cramp reanalysis: {visible_text(cohort_name or data_path.name)}"


_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", re.I)


def self_contained(html: str) -> str:
    """Drop the remote scripts nbconvert links (require.js, MathJax) so the page is one file.

    Figures are embedded as data URIs; the page needs no network. Formulas in
    markdown then show as their TeX source.
    """
    return _REMOTE_SCRIPT.sub("", html)


def combine_html(executed: Sequence[Path], title: str, intro_markdown: str) -> str:
    """One page: the introduction, then every executed notebook without code or parameters."""
    import nbformat
    from nbconvert import HTMLExporter

    combined = nbformat.v4.new_notebook()
    combined.cells.append(nbformat.v4.new_markdown_cell(intro_markdown))
    for nb_path in executed:
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            tags = cell.metadata.get("tags", [])
            if "parameters" in tags or "injected-parameters" in tags:
                continue
            combined.cells.append(cell)
    combined.metadata["title"] = title
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)  # fmt: skip
    body, _ = exporter.from_notebook_node(combined)
    return self_contained(body)


def notebook_html(nb_path: Path) -> str:
    """One executed notebook as a self-contained HTML page."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(embed_images=True).from_filename(str(nb_path))
    return self_contained(body)

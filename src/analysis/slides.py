"""Live slides for the 50-minute teaching route (``docs/teaching-route.md``).

The route is data: :data:`ROUTE` names, per notebook, the sections shown in
class (by their heading text, so a renamed heading fails loudly) and, where a
single cell needs its own treatment, the cell by its id. :func:`apply_route`
writes the matching ``metadata.slideshow.slide_type`` of every cell, and the
notebook's ``metadata.rise`` options, into the notebooks, and nothing else:
cell sources and outputs are left byte-identical, and applying twice changes
nothing. jupyterlab-rise then presents exactly the route from the running
notebook (``make lab``, open a notebook, Alt-R or the toolbar's slideshow
button).

How a stop selects cells
------------------------
- ``(heading, slide_type)``: the markdown cell holding that heading gets
  ``slide_type``; the cells after it, up to the next cell that holds any
  heading, continue the same slide (``"-"``), except that a code cell whose
  saved output is a figure starts its own vertical slide (``"subslide"``), so
  the figure fits the screen. For the notebook's title
  (a level-1 heading) the cells of its section are shown too, except the
  setup cells: a code cell tagged ``parameters`` and the cell that starts with
  ``%matplotlib`` are run before class, not shown.
- ``("id:<cell id>", slide_type)``: that one cell, overriding what its section
  gave it (``"skip"`` hides a cell of a shown section, ``"subslide"`` starts a
  new vertical slide, ``"fragment"`` reveals it on the next key press).

Every other cell of a route notebook is ``"skip"``, so the slideshow is the
route. Every heading of a route notebook must be named either in
:data:`ROUTE` or in :data:`OFF_ROUTE` (left for homework), or share a cell
with a named one, so a section added later must be placed before the
notebooks can be applied. Notebooks not in
the route carry no slide metadata.

Run ``python -m analysis.slides`` (or ``make slides``) after any change to a
route notebook's headings or cells; ``--check`` only reports what would change.

Examples
--------
>>> from analysis import slides
>>> sorted(slides.ROUTE)[:2]
['01-describe-cohort.ipynb', '02-compute-plasma-volume.ipynb']
>>> slides.headings("# Title\\n\\n```\\n# a comment\\n```\\n## Part *one*\\n")
['Title', 'Part *one*']
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from analysis import paths

__all__ = [
    "OFF_ROUTE",
    "RISE_OPTIONS",
    "ROUTE",
    "SLIDE_TYPES",
    "apply_route",
    "headings",
    "main",
    "slide_types",
]

SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")

#: Options of jupyterlab-rise stored in each route notebook's ``metadata.rise``:
#: a white theme for projectors, scrolling inside a slide taller than the
#: screen and no reveal.js centring (which cuts the top off a long slide).
RISE_OPTIONS: dict[str, Any] = {
    "center": False,
    "scroll": True,
    "theme": "white",
}

#: The route, in class order per notebook: (heading or ``id:<cell id>``, slide type).
ROUTE: dict[str, tuple[tuple[str, str], ...]] = {
    "01-describe-cohort.ipynb": (
        ("01 · The study and the cohort", "slide"),
        ("Distributions against the reference ranges", "slide"),
    ),
    "02-compute-plasma-volume.ipynb": (
        ("Did plasma volume fall within each group?", "slide"),
        ("Did it fall *more* in the crampers?", "slide"),
    ),
    "03-compare-groups.ipynb": (
        ("03 · Comparing crampers and controls", "slide"),
        ("The headline: three outcomes, each by the analysis chosen in advance", "subslide"),
        ("Post-only, change score or ANCOVA?", "slide"),
        ("Lord's paradox: crampers and controls were not randomised", "subslide"),
        ("Estimation plots", "slide"),
        ("id:b0720762", "skip"),  # potassium's estimation plot: homework
        ("The multiplicity problem, and families of hypotheses", "slide"),
    ),
    "04-interpret-no-difference.ipynb": (
        ('04 · What "no difference" can and cannot mean', "slide"),
        ("1. The equivalence margin and TOST", "slide"),
        ("Read the smallest margin first", "subslide"),
        ("id:1a98adcd", "skip"),  # 8-column TOST table: the figure below says it
        ("2. Power and the minimum detectable difference", "slide"),
        ("id:4560ceb6", "skip"),  # per-variable MDE table and its lead-in: homework
        ("id:24b4392f", "skip"),
        ("id:82d8dfe4", "skip"),
        ("4. How the verdict moves with the margin", "slide"),
        ("What we can now say about 1986", "slide"),
    ),
    "05-detect-difference.ipynb": (
        ("05 · When a difference is there", "slide"),
        ("Is it large enough to matter?", "slide"),
        ("Against the reference range", "slide"),  # opens with the four situations
    ),
    "06-check-published.ipynb": (("The forest plot", "slide"),),
    "08-synthesise-evidence.ipynb": (("Post-race sodium", "slide"),),
    "09-explore-cramp-causes.ipynb": (
        ("What a post-race blood sample can and cannot say", "slide"),
    ),
}

#: Headings of route notebooks deliberately left out of class (homework).
OFF_ROUTE: dict[str, tuple[str, ...]] = {
    "01-describe-cohort.ipynb": (
        "What was measured: the data card",
        "Group summaries",
        "Sodium below 135 mmol/L: exercise-associated hyponatraemia",
        "Try it",
    ),
    "02-compute-plasma-volume.ipynb": (
        "02 · Plasma volume from haemoglobin and haematocrit",
        "The idea",
        "The worked example of the 1974 paper",
        "Haemoglobin before and after, in each group",
        "How far to trust Dill & Costill after a marathon",
        "Try it",
    ),
    "03-compare-groups.ipynb": (
        "Every variable, post-race, by several tests",
        "The table, part 1: estimates",
        "Part 2: six tests, and which of them hold their level here",
        "Part 3: three intervals",
        "Before → after within each group",
        "Try it",
    ),
    "04-interpret-no-difference.ipynb": (
        "Explore: group sizes and margin",
        "3. The Bayes factor, and the most this design can give",
        "Try it",
    ),
    "05-detect-difference.ipynb": (
        "A difference that is statistically significant",
        "Which family? Holm over the tests the study ran",
        "All variables against their margins",
        "Try it",
    ),
    "06-check-published.ipynb": (
        "06 · The published evidence, read critically",
        "The table of published summaries",
        "Who was compared with whom",
        "Recomputing from printed summaries",
        "Which test? A one-sided Welch test",
        "Every row, checked",
        "Kona: whole numbers hide the difference",
        "Try it",
    ),
    "08-synthesise-evidence.ipynb": (
        "08 · What the published evidence says",
        "What a random-effects model assumes",
        "The evidence table, as effect sizes",
        "Where Maughan (1986) sits",
        "Who was compared with whom",
        "What can be pooled with what",
        "Why the prediction interval is the honest summary for a clinician",
        "What a pooled estimate from two studies means (illustration only)",
        "Kona: blood at presentation to the medical tent",
        "Creatine kinase, lactate dehydrogenase, magnesium and sodium change",
        "Equivalence against the compendium's margins",
        "Small-study effects",
        "Try it",
        "References",
    ),
    "09-explore-cramp-causes.ipynb": (
        "09 · So what does cause cramp?",
        "What counts as an exercise-associated muscle cramp?",
        "Two hypotheses, and what each predicts",
        "Muscle damage: CK and LDH",
        "Risk factors: a history of cramp and a faster pace",
        "What the Kona medical-tent records add",
        'Exercise-associated hyponatraemia: why "drink more" can be dangerous',
    ),
}

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _levelled(markdown: str) -> list[tuple[int, str]]:
    found, fenced = [], False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := _HEADING.match(line)):
            found.append((len(match.group(1)), match.group(2)))
    return found


def headings(markdown: str) -> list[str]:
    """The ATX heading texts of a markdown string, outside fenced code, in order."""
    return [text for _, text in _levelled(markdown)]


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def _cell_headings(cell: Mapping[str, Any]) -> list[str]:
    return headings(_source(cell)) if cell.get("cell_type") == "markdown" else []


def _is_setup(cell: Mapping[str, Any]) -> bool:
    if cell.get("cell_type") != "code":
        return False
    tags = cell.get("metadata", {}).get("tags", [])
    return "parameters" in tags or _source(cell).lstrip().startswith("%matplotlib")


def _shows_figure(cell: Mapping[str, Any]) -> bool:
    outputs = cell.get("outputs", []) if cell.get("cell_type") == "code" else []
    return any("image/png" in out.get("data", {}) for out in outputs)


def _check_stops(name: str, stops: Sequence[tuple[str, str]]) -> None:
    for selector, slide_type in stops:
        if slide_type not in SLIDE_TYPES:
            raise ValueError(
                f"ROUTE[{name!r}]: slide type of {selector!r} must be one of "
                f"{SLIDE_TYPES}, got {slide_type!r}"
            )


def _check_headings(
    name: str, per_cell: Sequence[Sequence[str]], stops, off_route: Iterable[str]
) -> None:
    found = [h for hs in per_cell for h in hs]
    named = [s for s, _ in stops if not s.startswith("id:")]
    missing = [h for h in named if h not in found]
    if missing:
        raise ValueError(f"{name}: route heading(s) not in the notebook: {missing}")
    duplicated = sorted({h for h in found if found.count(h) > 1} & set(named))
    if duplicated:
        raise ValueError(f"{name}: route heading(s) occur more than once: {duplicated}")
    # a heading is placed if it is named, left off the route, or shares a shown cell
    shown = {h for hs in per_cell if set(hs) & set(named) for h in hs}
    unplaced = [h for h in found if h not in shown and h not in set(off_route)]
    if unplaced:
        raise ValueError(
            f"{name}: heading(s) neither on the route (slides.ROUTE) nor left for "
            f"homework (slides.OFF_ROUTE): {unplaced}; place each, then apply again"
        )


def slide_types(
    notebook: Mapping[str, Any],
    stops: Sequence[tuple[str, str]],
    *,
    name: str = "notebook",
    off_route: Iterable[str] = (),
) -> list[str]:
    """The slide type of every cell of ``notebook`` for one notebook's ``stops``.

    Parameters
    ----------
    notebook : mapping
        A notebook as parsed from its JSON (nbformat 4.5 or later: cells have ids).
    stops : sequence of (str, str)
        ``(heading text or "id:<cell id>", slide type)``, as in :data:`ROUTE`.
    name : str, default 'notebook'
        The notebook's name, for error messages.
    off_route : iterable of str, default ()
        Headings deliberately left out; every other heading must be a stop.

    Returns
    -------
    list of str
        One of :data:`SLIDE_TYPES` per cell; cells outside the stops are ``"skip"``.

    Raises
    ------
    ValueError
        If a stop's heading or cell id is missing or ambiguous, a slide type is
        unknown, or a heading of the notebook is neither a stop nor off the route.
    """
    _check_stops(name, stops)
    cells = notebook["cells"]
    per_cell = [_cell_headings(cell) for cell in cells]
    _check_headings(name, per_cell, stops, off_route)
    types = ["skip"] * len(cells)
    for selector, slide_type in stops:
        if selector.startswith("id:"):
            continue
        start = next(i for i, hs in enumerate(per_cell) if selector in hs)
        types[start] = slide_type
        title = (1, selector) in _levelled(_source(cells[start]))
        for i in range(start + 1, len(cells)):
            if per_cell[i]:
                break
            if title and _is_setup(cells[i]):
                types[i] = "skip"
            else:
                types[i] = "subslide" if _shows_figure(cells[i]) else "-"
    ids = {cell.get("id"): i for i, cell in enumerate(cells)}
    for selector, slide_type in stops:  # single cells override their section
        if selector.startswith("id:"):
            if selector[3:] not in ids:
                raise ValueError(f"{name}: route cell {selector!r} is not in the notebook")
            types[ids[selector[3:]]] = slide_type
    return types


def _render(notebook: Mapping[str, Any]) -> str:
    # nbformat's own layout (nbformat.writes), so a notebook saved by Jupyter is unchanged
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _with_slides(notebook: dict[str, Any], types: Sequence[str] | None) -> dict[str, Any]:
    for i, cell in enumerate(notebook["cells"]):
        metadata = cell.setdefault("metadata", {})
        if types is None:
            metadata.pop("slideshow", None)
        else:
            metadata["slideshow"] = {"slide_type": types[i]}
    if types is None:
        notebook["metadata"].pop("rise", None)
    else:
        notebook["metadata"]["rise"] = dict(RISE_OPTIONS)
    return notebook


def apply_route(
    notebook_dir: Path | str | None = None,
    *,
    route: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    off_route: Mapping[str, Iterable[str]] | None = None,
    write: bool = True,
) -> list[Path]:
    """Write the route's slide metadata into every notebook of ``notebook_dir``.

    Parameters
    ----------
    notebook_dir : path, optional
        Folder of the notebooks (default :data:`analysis.paths.NOTEBOOKS_DIR`).
    route, off_route : mapping, optional
        Default :data:`ROUTE` and :data:`OFF_ROUTE`.
    write : bool, default True
        If False, only report which notebooks would change.

    Returns
    -------
    list of pathlib.Path
        The notebooks whose file changed (or would change).

    Raises
    ------
    ValueError
        If a route notebook is missing or its headings do not match the route
        (see :func:`slide_types`); nothing is written then.
    """
    folder = Path(notebook_dir) if notebook_dir is not None else paths.NOTEBOOKS_DIR
    route = ROUTE if route is None else route
    off_route = OFF_ROUTE if off_route is None else off_route
    missing = sorted(n for n in route if not (folder / n).is_file())
    if missing:
        raise ValueError(f"notebook_dir {folder}: route notebook(s) not found: {missing}")
    updated: dict[Path, str] = {}
    for path in sorted(folder.glob("*.ipynb")):
        before = path.read_text(encoding="utf-8")
        notebook = json.loads(before)
        types = None
        if path.name in route:
            types = slide_types(
                notebook, route[path.name], name=path.name, off_route=off_route.get(path.name, ())
            )
        after = _render(_with_slides(notebook, types))
        if after != before:
            updated[path] = after
    if write:
        for path, text in updated.items():
            path.write_text(text, encoding="utf-8")
    return list(updated)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis.slides [--check] [DIR]``: apply the route's slide metadata."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis.slides",
        description="Write the teaching route's slide metadata into the notebooks "
        "(metadata only; sources and outputs untouched).",
    )
    parser.add_argument("notebook_dir", nargs="?", default=None, help="default: notebooks/")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a notebook would change"
    )
    args = parser.parse_args(argv)
    try:
        changed = apply_route(args.notebook_dir, write=not args.check)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    verb = "would change" if args.check else "updated"
    for path in changed:
        print(f"{verb}: {path.name}")
    if not changed:
        print("slide metadata up to date")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())

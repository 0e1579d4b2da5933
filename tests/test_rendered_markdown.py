"""What a reader sees: every notebook's markdown, rendered as a reader's tools render it.

nbval compares stored outputs and never renders markdown, so a Try-it answer
that leaks out of its ``<details>`` (a missing blank line after ``</details>``
swallows the next question into the HTML block) passes every other test. These
tests render each notebook in ``notebooks/`` twice: with nbconvert's
``HTMLExporter`` (its mistune renderer, as in ``reports/html`` and
``report.html``) and with a CommonMark renderer (markdown-it-py), which treats
HTML blocks as JupyterLab's marked does. They parse the HTML with the standard
library's ``html.parser`` and check that

- each "Try it" question is rendered bold and is followed by its own closed
  ``<details>`` holding a ``<summary>`` and a non-empty answer, none nested;
- no literal markdown (``**``, a backtick, ``](``) is left in the text a reader
  sees outside code.

Markdown produced by code cells (``text/markdown`` outputs, such as prose
rendered from results) is rendered and checked the same way.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from markdown_it import MarkdownIt
from nbconvert import HTMLExporter

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))
QUESTION = re.compile(r"^\*\*(\d+)\.", re.MULTILINE)
LITERAL_MARKDOWN = ("**", "`", "](")
# Text inside these elements is code, not prose: markdown syntax may appear there.
CODE_TAGS = {"code", "pre", "script", "style", "kbd", "samp"}
VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "wbr", "source"}


class _Details:
    def __init__(self, depth: int):
        self.depth = depth  # how many <details> enclose this one
        self.summary = ""
        self.answer = ""
        self.closed = False


class _Reader(HTMLParser):
    """Collect the visible prose text, every ``<details>`` and every bold question."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.open_details: list[_Details] = []
        self.details: list[_Details] = []
        self.in_summary = 0
        self.in_strong = 0
        self.strong_text: list[str] = []
        self.questions: list[str] = []
        self.prose: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        self.stack.append(tag)
        if tag == "details":
            item = _Details(depth=len(self.open_details))
            self.open_details.append(item)
            self.details.append(item)
        elif tag == "summary":
            self.in_summary += 1
        elif tag == "strong":
            self.in_strong += 1
            self.strong_text = []

    def handle_endtag(self, tag):
        if tag in VOID_TAGS or tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
            self._close(top)
            if top == tag:
                break

    def _close(self, tag):
        if tag == "details" and self.open_details:
            self.open_details.pop().closed = True
        elif tag == "summary":
            self.in_summary -= 1
        elif tag == "strong":
            self.in_strong -= 1
            text = "".join(self.strong_text).strip()
            if re.match(r"^\d+\.", text):
                self.questions.append(text)

    def handle_data(self, data):
        in_code = any(tag in CODE_TAGS for tag in self.stack)
        if self.in_strong:
            self.strong_text.append(data)
        if self.open_details:
            current = self.open_details[-1]
            if self.in_summary:
                current.summary += data
            else:
                current.answer += data
        if not in_code:
            self.prose.append(data)


def _markdown_sources(notebook) -> list[str]:
    """Every markdown cell, and every ``text/markdown`` output of a code cell."""
    sources = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            sources.append(cell.source)
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown")
            if text is not None:
                sources.append(text)
    return sources


def _html(path: Path, renderer: str) -> str:
    notebook = nbformat.read(path, as_version=4)
    if renderer == "nbconvert":
        body, _ = HTMLExporter().from_notebook_node(notebook)
        return body
    commonmark = MarkdownIt("commonmark", {"html": True})
    return "\n".join(commonmark.render(text) for text in _markdown_sources(notebook))


def _read(body: str) -> _Reader:
    reader = _Reader()
    reader.feed(body)
    reader.close()
    return reader


def _questions_in_source(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    found = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and "## Try it" in cell.source:
            found += QUESTION.findall(cell.source)
    return found


@pytest.fixture(
    scope="module",
    params=[(path, r) for path in NOTEBOOKS for r in ("nbconvert", "commonmark")],
    ids=lambda p: f"{p[0].stem}-{p[1]}",
)
def rendered(request):
    path, renderer = request.param
    return path, _read(_html(path, renderer))


def test_there_are_notebooks_with_exercises():
    assert len(NOTEBOOKS) >= 7
    assert all(_questions_in_source(path) for path in NOTEBOOKS)


def test_each_answer_sits_in_its_own_closed_details(rendered):
    path, reader = rendered
    questions = _questions_in_source(path)
    assert len(reader.details) == len(questions), (
        f"{path.name}: {len(questions)} Try-it questions but {len(reader.details)} <details>"
    )
    for number, item in zip(questions, reader.details, strict=True):
        where = f"{path.name}, answer to question {number}"
        assert item.closed, f"{where}: <details> never closed"
        assert item.depth == 0, f"{where}: <details> nested inside another"
        assert item.summary.strip() == "Answer", f"{where}: summary {item.summary!r}"
        assert len(item.answer.strip()) > 20, f"{where}: the <details> is empty"


def test_each_question_renders_bold(rendered):
    path, reader = rendered
    numbers = [text.split(".")[0] for text in reader.questions]
    assert numbers == _questions_in_source(path), f"{path.name}: bold questions {numbers}"
    answers = "".join(item.answer for item in reader.details)
    assert not any(question in answers for question in reader.questions), (
        f"{path.name}: a question is rendered inside an answer"
    )


def test_no_literal_markdown_leaks_into_the_text(rendered):
    path, reader = rendered
    text = "".join(reader.prose)
    for mark in LITERAL_MARKDOWN:
        where = text.find(mark)
        assert where < 0, (
            f"{path.name}: literal {mark!r} in rendered text: {text[where - 80 : where + 80]!r}"
        )


@pytest.mark.parametrize("renderer", ["nbconvert", "commonmark"])
@pytest.mark.parametrize(
    "broken",
    [
        "</details>\n**2. Q?**\n\n<details><summary>Answer</summary>\n\nAnother answer here.",
        "</details>\n\n**2. Q?**\n\n<details><summary>Answer</summary>\nAnother **answer** here.",
    ],
    ids=["no-blank-after-details", "no-blank-after-summary"],
)
def test_the_checks_catch_broken_markdown(tmp_path, renderer, broken):
    """The checks above fail on the broken markdown they guard against."""
    source = (
        "## Try it\n\n**1. Q?**\n\n<details><summary>Answer</summary>\n\n"
        f"A long enough answer.\n\n{broken}\n\n</details>"
    )
    path = tmp_path / "broken.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(source)]), path)
    reader = _read(_html(path, renderer))
    assert "**" in "".join(reader.prose)

"""The report opened in headless Chromium: every figure renders."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analysis import example_path
from analysis.report import build_report

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists()
                                        else None)  # fmt: skip
FIXTURE_NB = Path(__file__).parent / "fixtures" / "01-fixture-plot.ipynb"
PROBE = """
<script>
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const drawn = images.filter((img) => img.complete && img.naturalWidth > 0);
  document.title = `IMAGES total=${images.length} rendered=${drawn.length}`;
});
</script>
"""


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (run tests/ensure_chromium.sh as root to add it)")
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=5000",
               *args]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "report"
    build_report(example_path("marathon"), out, notebooks=[FIXTURE_NB], n_resamples=200)
    return out / "report.html"


def test_every_figure_renders(report, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                     encoding="utf-8")  # fmt: skip
    result = chromium("--dump-dom", probe.as_uri(), profile=tmp_path / "profile")
    match = re.search(r"IMAGES total=(\d+) rendered=(\d+)", result.stdout)
    assert match, result.stderr[-2000:]
    total, rendered = map(int, match.groups())
    assert total >= 1
    assert rendered == total


def test_screenshot(report, tmp_path):
    shot = tmp_path / "report.png"
    chromium(f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri(),
             profile=tmp_path / "profile")  # fmt: skip
    assert shot.is_file() and shot.stat().st_size > 10_000
    keep = Path(__file__).parent.parent / ".pytest-artifacts"
    if keep.is_dir():  # look at it by hand: mkdir .pytest-artifacts before the run
        shutil.copy(shot, keep / "report.png")


HOSTILE = Path(__file__).parent / "data" / "hostile_names"
# handler code in double-quoted attributes, quoting with backticks: valid raw HTML in
# markdown, and still valid JavaScript inside the loader's repr() quoting
FILE_NAME = '<img src=x onerror="document.body.classList.add(`pwnedfile`)"> *n*.csv'
GROUP_COLUMN = 'Cramp? <b onmouseover="document.body.classList.add(`pwnedgroup`)">x</b>'
SODIUM_COLUMN = 'Na <svg onload="document.body.classList.add(`pwnedcolumn`)"> [l](javascript:x)'
CRAMP_LABEL = "<script>document.body.classList.add(`pwnedlabel`)</script>"
CONTROL_LABEL = "__no__ `x` <i>n</i>"


class _Dom(HTMLParser):
    """Every element with its attributes, and the text, of a dumped DOM."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.script_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

        self._tag = tag

    def handle_data(self, data):
        if getattr(self, "_tag", None) in ("script", "style"):
            self.script_text.append(data)
        else:
            self.text.append(data)

    def handle_endtag(self, tag):
        self._tag = None


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    """A report of the hostile-names corpus, with hostile options and file name too."""
    folder = tmp_path_factory.mktemp("hostile")
    with open(HOSTILE / "hostile_columns.csv", encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    header[1], header[3] = GROUP_COLUMN, SODIUM_COLUMN
    labels = {"cramp": CRAMP_LABEL, "control": CONTROL_LABEL}
    data = folder / FILE_NAME
    with open(data, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *[[r[0], labels[r[1]], *r[2:]] for r in rows]])
    options = {"columns": {"sodium_post": SODIUM_COLUMN}, "group_column": GROUP_COLUMN,
               "cramp_labels": [CRAMP_LABEL], "control_labels": [CONTROL_LABEL]}  # fmt: skip
    out = folder / "report"
    build_report(data, out, notebooks=[FIXTURE_NB], n_resamples=200, load_options=options)
    return out


def test_hostile_names_are_text_in_the_browser(hostile_report, tmp_path):
    from analysis.safe_text import visible_text

    page = hostile_report / "report.html"
    result = chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert "</html>" in result.stdout, result.stderr[-2000:]
    dom = _Dom()
    dom.feed(result.stdout)
    classes = " ".join(attrs.get("class", "") for _, attrs in dom.elements)
    assert "pwned" not in classes  # no handler ran
    for tag, attrs in dom.elements:
        assert tag not in ("svg", "b", "i", "iframe", "object", "embed"), (tag, attrs)
        assert not (tag == "img" and not attrs.get("src", "").startswith("data:image/")), attrs
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert "javascript:" not in attrs.get("href", "") and "evil" not in attrs.get("href", "")
    assert "pwned" not in "".join(dom.script_text)  # no script came from the names
    text = "".join(dom.text)
    for name in [*_corpus_names(), GROUP_COLUMN, SODIUM_COLUMN, CRAMP_LABEL, CONTROL_LABEL,
                 FILE_NAME]:  # fmt: skip
        # as itself, or as the loader quotes it in its decisions (Python's repr, long
        # names cut after their first characters: the start must be there, as text)
        shown = visible_text(name)
        assert shown in text or repr(name) in text or shown[:40] in text, name[:80]
    decisions = json.loads((hostile_report / "provenance.json").read_text())["decisions"]
    assert len(decisions) >= 5
    for line in decisions:
        assert visible_text(line) in text, line[:80]


def _corpus_names() -> list[str]:
    spec = importlib.util.spec_from_file_location("make_corpus", HOSTILE / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.names()


def test_hostile_ids_are_neutralised_in_every_csv(hostile_report):
    import pandas as pd

    cohort = pd.read_csv(hostile_report / "cohort.csv", keep_default_na=False)
    assert cohort["subject_id"].iloc[0].startswith("'=HYPERLINK(")
    assert list(cohort["subject_id"].iloc[1:5]) == ["'+1+2", "'-3+4", "'@SUM(A1:A9)", "R5"]
    for name in ("cohort.csv", "results.csv"):
        table = pd.read_csv(hostile_report / name, keep_default_na=False, dtype=str)
        for column in table.columns:
            for cell in table[column]:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")) or cell[1:].replace(
                    ".", "", 1).isdigit(), (name, column, cell)  # fmt: skip
    page = (hostile_report / "report.html").read_text(encoding="utf-8")
    assert (
        "is written with a leading <code>'</code>, so that a spreadsheet shows it as text" in page
    )

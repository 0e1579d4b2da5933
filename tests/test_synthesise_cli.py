"""``cramp-reanalysis synthesise``: outputs, exit status, --force, escaping, input untouched."""

from __future__ import annotations

import csv
import hashlib
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.publish import MARKER, read_marker

FIXTURE = Path(__file__).parent / "data" / "evidence_fixture.csv"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def table(tmp_path) -> Path:
    path = tmp_path / "evidence.csv"
    path.write_bytes(FIXTURE.read_bytes())
    return path


def test_writes_every_output_and_leaves_input_untouched(table, tmp_path):
    before = _sha(table)
    out = tmp_path / "syn"
    assert main(["synthesise", str(table), "--out", str(out), "-q"]) == 0
    assert _sha(table) == before
    names = {p.name for p in out.iterdir()}
    assert names >= {
        "report.html",
        "results.csv",
        "effects.csv",
        "leave_one_out.csv",
        "cumulative.csv",
        "provenance.json",
        "figures",
    }
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert "forest_sodium_post.png" in figures and "leave_one_out_sodium_post.png" in figures
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert prov["input"]["sha256"] == before and prov["input"]["rows"] == 9
    assert prov["options"]["method"] == "REML" and prov["command"] == "synthesise"
    with open(out / "results.csv", encoding="utf-8") as handle:
        rows = {r["variable"]: r for r in csv.DictReader(handle)}
    assert int(rows["sodium"]["k"]) == 2 and rows["sodium"]["test"] == "knha"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Rows without an estimate" in page and "abstract gives no group means or SDs" in page
    assert not list(tmp_path.glob(".syn*"))  # no work folder left behind
    assert read_marker(out) is not None  # the marker of analysis.publish, as for report


def test_method_option_and_force(table, tmp_path, capsys):
    out = tmp_path / "syn"
    assert main(["synthesise", str(table), "--out", str(out), "-q"]) == 0
    assert main(["synthesise", str(table), "--out", str(out), "-q", "--method", "DL"]) == 2
    assert "exists" in capsys.readouterr().err
    assert json.loads((out / "provenance.json").read_text())["options"]["method"] == "REML"
    assert (
        main(["synthesise", str(table), "--out", str(out), "-q", "--method", "DL", "--force"]) == 0
    )
    assert json.loads((out / "provenance.json").read_text())["options"]["method"] == "DL"


def test_force_never_replaces_a_foreign_folder(table, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious", encoding="utf-8")
    assert main(["synthesise", str(table), "--out", str(out), "-q", "--force"]) == 2
    assert "not replaced, even with --force" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["thesis.docx"]


def test_force_keeps_files_the_command_did_not_write(table, tmp_path, capsys):
    out = tmp_path / "syn"
    assert main(["synthesise", str(table), "--out", str(out), "-q"]) == 0
    (out / "my_notes.txt").write_text("mine", encoding="utf-8")
    (out / "figures" / "my_sketch.png").write_bytes(b"not a png")
    assert main(["synthesise", str(table), "--out", str(out), "--force", "--method", "DL"]) == 0
    err = capsys.readouterr().err
    assert "kept 2 file(s)" in err and "my_notes.txt" in err
    assert (out / "my_notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "figures" / "my_sketch.png").read_bytes() == b"not a png"
    assert json.loads((out / "provenance.json").read_text())["options"]["method"] == "DL"
    assert "my_notes.txt" not in read_marker(out) and (out / MARKER).is_file()


def test_bad_table_exit_2_every_problem_nothing_written(tmp_path, capsys):
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("139.8", "about 140")
    lines[4] = lines[4].replace(",abstract,", ",tweet,")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _sha(bad)
    out = tmp_path / "deeper" / "syn"
    assert main(["synthesise", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "2 problem(s), nothing was written" in err
    assert "row 4" in err and "cramp_center" in err and "row 5" in err and "source_kind" in err
    assert not (tmp_path / "deeper").exists()  # no folder left, not even the parent
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]
    assert _sha(bad) == before


class _Page(HTMLParser):
    """Elements, attributes and text of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]

    def handle_data(self, data):
        self.text.append(data)


HOSTILE_STUDY = "<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:y)"


def test_text_from_the_table_is_escaped_and_neutralised(tmp_path):
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    for i in (1, 2):  # every row of Maughan (no estimate: listed with its reason)
        lines[i] = lines[i].replace("Maughan", '"' + HOSTILE_STUDY + '"', 1)
        lines[i] = lines[i].replace("the other runners", "=HYPERLINK(1)")
    table = tmp_path / "evil.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _sha(table)
    out = tmp_path / "syn"
    assert main(["synthesise", str(table), "--out", str(out), "-q"]) == 0
    assert _sha(table) == before
    page = _Page()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    assert "script" not in page.tags and "onerror" not in page.attrs
    assert page.tags.count("img") == page.tags.count("figure")  # only the figures
    assert any(HOSTILE_STUDY in t for t in page.text)  # shown as the text it is
    with open(out / "effects.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    groups = [r["comparison_group"] for r in rows]
    assert "'=HYPERLINK(1)" in groups
    assert not any(g.startswith("=") for g in groups)
    with open(out / "results.csv", encoding="utf-8") as handle:
        pooled = list(csv.DictReader(handle))
    assert any(r["estimate"].startswith("-") for r in pooled)  # numbers are not altered


def test_unknown_method_is_a_usage_error(table, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["synthesise", str(table), "--out", str(tmp_path / "o"), "--method", "ML"])
    assert info.value.code == 2
    assert "invalid choice: 'ML'" in capsys.readouterr().err


def test_force_never_replaces_the_folder_holding_the_input(tmp_path, capsys):
    out = tmp_path / "syn"
    assert main(["synthesise", str(FIXTURE), "--out", str(out), "-q"]) == 0
    inside = out / "mine.csv"
    inside.write_bytes(FIXTURE.read_bytes())
    assert main(["synthesise", str(inside), "--out", str(out), "-q", "--force"]) == 2
    assert "holds the input file" in capsys.readouterr().err
    assert inside.read_bytes() == FIXTURE.read_bytes()


def test_interrupt_before_publishing_writes_nothing(table, tmp_path, monkeypatch, capsys):
    from analysis import synthesis_report

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(synthesis_report, "_figures", interrupted)
    out = tmp_path / "deeper" / "syn"
    assert main(["synthesise", str(table), "--out", str(out), "-q"]) == 130
    assert "interrupted; nothing was written" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evidence.csv"]


def test_on_published_is_called_once_the_folder_is_complete(table, tmp_path):
    from analysis.synthesis_report import write_synthesis

    seen = []
    out = tmp_path / "syn"
    result = write_synthesis(table, out, on_published=lambda r: seen.append(
        sorted(p.name for p in r.out_dir.iterdir())))  # fmt: skip
    assert result.out_dir == out.resolve() and len(seen) == 1
    assert "report.html" in seen[0] and MARKER in seen[0]


def test_two_rows_of_one_study_exit_2_and_write_nothing(tmp_path, capsys):
    """The worked example repeats a study of the curated table: never pooled with itself."""
    root = Path(__file__).parents[1] / "data"
    example = (root / "examples" / "evidence_one_study.csv").read_text(encoding="utf-8")
    table = tmp_path / "mine.csv"
    curated = (root / "evidence_table.csv").read_text(encoding="utf-8")
    table.write_text(curated + example.splitlines()[1] + "\n", encoding="utf-8")
    out = tmp_path / "syn"
    assert main(["synthesise", str(table), "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "1 problem(s), nothing was written" in err and "[one-row-per-study]" in err
    assert "row 28" in err and "besides row 18" in err
    assert not out.exists()


PWN_STUDY = '<img src=x onerror="document.body.classList.add(`pwnedstudy`)">'
PWN_GROUP = "<script>document.body.classList.add(`pwnedgroup`)</script>"
DOM_PROBE = """
<script>
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const drawn = images.filter((img) => img.complete && img.naturalWidth > 0);
  const pwned = Array.from(document.body.classList).filter((c) => c.startsWith("pwned"));
  document.title = `PROBE images=${images.length} drawn=${drawn.length} pwned=${pwned.length}`;
});
</script>
"""


@pytest.mark.slow
def test_hostile_names_stay_text_in_chromium(tmp_path):
    """report.html opened in headless Chromium: no handler runs, every figure is drawn."""
    import re
    import shutil
    import subprocess

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Chromium is not installed (tests/ensure_chromium.sh adds it)")
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    for i in (1, 2):
        lines[i] = lines[i].replace("Maughan", '"' + PWN_STUDY.replace('"', '""') + '"', 1)
        lines[i] = lines[i].replace("the other runners", PWN_GROUP)
    table = tmp_path / "evil.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "syn"
    assert main(["synthesise", str(table), "--out", str(out), "-q"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", DOM_PROBE + "</body>"), encoding="utf-8")
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000",
               "--dump-dom", probe.as_uri()]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    match = re.search(r"PROBE images=(\d+) drawn=(\d+) pwned=(\d+)", result.stdout)
    assert match, result.stderr[-2000:]
    images, drawn, pwned = map(int, match.groups())
    assert pwned == 0 and images >= 1 and drawn == images
    assert "pwnedstudy" in result.stdout  # the name is there, as text


def test_the_readme_one_study_example_runs_as_written(tmp_path, monkeypatch, capsys):
    """README, "Adding one study is adding one row": the command shown succeeds."""
    import shlex

    root = Path(__file__).parents[1]
    command = ".venv/bin/cramp-reanalysis synthesise data/examples/evidence_one_study.csv"
    readme = (root / "README.md").read_text(encoding="utf-8")
    (line,) = [ln for ln in readme.splitlines() if ln.startswith(command)]
    argv = shlex.split(line)[1:]
    monkeypatch.chdir(root)
    argv[argv.index("--out") + 1] = str(tmp_path / "my-synthesis")
    assert main([*argv, "-q"]) == 0, capsys.readouterr().err
    with open(tmp_path / "my-synthesis" / "results.csv", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["variable"], row["time_point"], row["k"]) == ("ck", "24h_post", "1")

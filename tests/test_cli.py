"""The command line, end to end in a subprocess: exit codes, stderr, files, refusals."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis import example_path
from analysis.cli import build_parser

FIXTURES = Path(__file__).parent / "fixtures"
PROBLEM_LINE = re.compile(r"^error: (row \d+, )?(column '[^']*', )?(value '.*', )?.+ \[[a-z-]+\]$")


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *map(str, args)], cwd=cwd, capture_output=True,
        text=True, timeout=300, env={**os.environ, **(env or {})},
    )  # fmt: skip


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def project(tmp_path):
    """A throw-away compendium root whose notebooks/ holds the fixture notebook."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "pyproject.toml").write_text("")
    shutil.copy(example_path("marathon"), root / "data" / "marathon_synthetic.csv")
    shutil.copy(FIXTURES / "01-fixture-plot.ipynb", root / "notebooks")
    return root, {"CRAMP_PROJECT_ROOT": str(root)}


BAD = "subject_id,group,sodium_post,potassium_post\nA,cramp,14,4.4\nB,maybe,<135,abc\nA,control,141,4.5\n"


def test_help_documents_every_option_with_examples(tmp_path):
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, subparser in sub.choices.items():
        text = run(name, "--help", cwd=tmp_path).stdout
        for action in subparser._actions:
            for option in action.option_strings:
                assert option in text, (name, option)
            if action.option_strings and action.help and action.dest not in ("help", "quiet",
                                                                              "force", "all_notebooks"):  # fmt: skip
                assert "e.g." in action.help or action.choices, (name, action.dest)
        assert "examples:" in text and "cramp-reanalysis report" in text
    top = run("--help", cwd=tmp_path)
    assert top.returncode == 0 and "validate" in top.stdout and "report" in top.stdout


def test_validate_clean_file(tmp_path):
    result = run("validate", example_path("marathon"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Result: PASSED" in result.stdout
    assert "separator: ','" in result.stdout
    assert result.stderr == ""


def test_validate_bad_file_lists_every_problem_on_stderr(tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text(BAD)
    before = sha256(data)
    result = run("validate", data, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    problems = [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
    assert all(PROBLEM_LINE.match(ln) for ln in problems), problems
    assert [re.search(r"\[([a-z-]+)\]$", ln).group(1) for ln in problems] == [
        "impossible-value",
        "unknown-group",
        "censored-value",
        "not-a-number",
        "duplicate-id",
    ]
    assert problems[0].startswith("error: row 2, column 'sodium_post', value '14': ")
    assert "Result: FAILED" in result.stdout
    assert sha256(data) == before


def test_report_bad_file_exit_2_and_nothing_written(tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text(BAD)
    result = run("report", data, "--out", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len([ln for ln in result.stderr.splitlines() if PROBLEM_LINE.match(ln)]) == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--margin", "sodum=2"], "unknown variable 'sodum'"),
        (["--margin", "sodium=-1"], "must be positive"),
        (["--n-resamples", "5"], "must be at least 100"),
        (["--seed", "x"], "expected a whole number"),
        (["--sep", "ab"], "--sep must be one character"),
        (["--column", "sodium_post"], "expected NAME=VALUE"),
        (["--haematocrit-unit", "litres"], "invalid choice"),
    ],
)
def test_bad_options_exit_2_without_traceback(tmp_path, args, message):
    result = run("report", example_path("marathon"), "--out", tmp_path / "o", *args,
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_input_file(tmp_path):
    result = run("validate", tmp_path / "nope.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert "no such file [file-missing]" in result.stderr


def test_report_end_to_end_then_refuse_then_force_quiet(project, tmp_path):
    root, env = project
    data = tmp_path / "mine.csv"
    data.write_bytes(example_path("marathon").read_bytes())
    before = sha256(data)
    out = tmp_path / "rep"
    result = run("report", data, "--out", out, "--n-resamples", "200", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "[1/1] running 01-fixture-plot.ipynb" in result.stderr
    assert "separator: ',' (detected" in result.stderr  # decisions are echoed
    for name in ("report.html", "results.csv", "validation.txt", "provenance.json"):
        assert (out / name).is_file()
    assert sha256(data) == before
    stamp = (out / "provenance.json").read_bytes()

    refused = run("report", data, "--out", out, cwd=tmp_path, env=env)
    assert refused.returncode == 2
    assert "exists; choose another --out or pass --force" in refused.stderr
    assert (out / "provenance.json").read_bytes() == stamp

    quiet = run("report", data, "--out", out, "--force", "--quiet", "--n-resamples", "200",
                cwd=tmp_path, env=env)  # fmt: skip
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    assert (out / "provenance.json").read_bytes() != stamp
    assert sha256(data) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.csv", "project", "rep"]


def test_failing_notebook_exit_1_and_nothing_written(project, tmp_path):
    root, env = project
    shutil.copy(FIXTURES / "02-fixture-fails.ipynb", root / "notebooks")
    result = run("report", "--out", tmp_path / "rep", "--n-resamples", "200", cwd=tmp_path,
                 env=env)  # fmt: skip
    assert result.returncode == 1
    assert (
        "02-fixture-fails.ipynb failed" in result.stderr and "nothing was written" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]


#: runs the command with a pause at one point, announced on stderr, so that a test can send
#: a signal exactly there; the package itself has no test hooks
HOOKED = """
import sys, time
import analysis.publish as publish, analysis.report as report
from analysis import cli

pause, where = float(sys.argv[1]), sys.argv[2]

def announce(what):
    print(f"HOOK {what}", file=sys.stderr, flush=True)
    time.sleep(pause)

if where == "publish":
    replace_files, rename = publish._replace_files, publish.os.rename
    def slow_replace(*args, **kwargs):
        announce("publishing")
        return replace_files(*args, **kwargs)
    publish._replace_files = slow_replace
elif where == "after":
    build = report.build_report
    def slow_build(*args, **kwargs):
        result = build(*args, **kwargs)
        announce("returned")
        return result
    report.build_report = slow_build
sys.exit(cli.main(sys.argv[3:]))
"""


def _kernels_of(folder: Path) -> list[str]:
    """Command lines of live processes that mention ``folder`` (kernels started from it)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(folder) in text and "ipykernel" in text:
            found.append(text)
    return found


def interrupted_run(tmp_path: Path, env: dict[str, str], args: list[str], *, wait_for: str,
                    signum: int, where: str = "none", pause: float = 0.0):  # fmt: skip
    """Run the command, send ``signum`` once ``wait_for`` is on stderr; return (status, stderr)."""
    private_tmp = tmp_path / "private-tmp"
    private_tmp.mkdir(exist_ok=True)
    hooked = tmp_path / "hooked.py"
    hooked.write_text(HOOKED)
    proc = subprocess.Popen(
        [sys.executable, str(hooked), str(pause), where, *map(str, args)],
        cwd=tmp_path, env={**os.environ, **env, "TMPDIR": str(private_tmp)},
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    seen = []
    try:
        deadline = time.monotonic() + 180
        for line in proc.stderr:
            seen.append(line)
            if wait_for in line or time.monotonic() > deadline:
                break
        proc.send_signal(signum)
        rest = proc.stderr.read()
        status = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    time.sleep(0.5)  # a kernel killed on interrupt is gone by now
    assert list(private_tmp.iterdir()) == [], "kernel connection file left behind"
    assert _kernels_of(private_tmp) == [], "kernel process left behind"
    private_tmp.rmdir()
    hooked.unlink()
    return status, "".join(seen) + rest


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("wait_for", ["comparing", "running 01-fixture-plot"])
def test_interrupt_before_publishing_writes_nothing(project, tmp_path, signum, wait_for):
    root, env = project
    out = tmp_path / "new" / "deep" / "rep"
    status, stderr = interrupted_run(
        tmp_path, env, ["report", "--out", out, "--n-resamples", "200"],
        wait_for=wait_for, signum=signum,
    )  # fmt: skip
    assert status == 130, stderr
    assert stderr.rstrip().endswith("error: interrupted; nothing was written")
    assert "Traceback" not in stderr
    # the parents made for --out are gone too
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]


@pytest.fixture
def earlier_report(project, tmp_path):
    root, env = project
    out = tmp_path / "rep"
    done = run("report", "--out", out, "--n-resamples", "200", "--seed", "1", cwd=tmp_path,
               env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (out / "manuscript_draft.docx").write_bytes(b"mine")
    return out, env


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("where,wait_for", [("publish", "HOOK publishing"),
                                            ("after", "HOOK returned")])  # fmt: skip
def test_interrupt_once_the_report_is_in_place_keeps_it_and_says_so(
    earlier_report, tmp_path, signum, where, wait_for
):
    out, env = earlier_report
    status, stderr = interrupted_run(
        tmp_path, env, ["report", "--out", out, "--force", "--n-resamples", "200", "--seed", "2"],
        wait_for=wait_for, signum=signum, where=where, pause=2.0,
    )  # fmt: skip
    assert status == 0, stderr
    assert f"report written to {out}" in stderr
    assert "interrupt received after the report was complete; it is kept in" in stderr
    assert "nothing was written" not in stderr and "Traceback" not in stderr
    assert json.loads((out / "provenance.json").read_text())["options"]["seed"] == 2
    assert (out / "manuscript_draft.docx").read_bytes() == b"mine"
    assert "kept 1 file(s)" in stderr and "manuscript_draft.docx" in stderr
    # no hidden half-built or half-deleted folder beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "rep"]


def test_ctrl_c_leaves_no_output_folder(project, tmp_path):
    root, env = project
    out = tmp_path / "rep"
    proc = subprocess.Popen(
        [sys.executable, "-m", "analysis", "report", "--out", str(out), "--n-resamples", "200"],
        cwd=tmp_path, env={**os.environ, **env}, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        for line in proc.stderr:
            if "running 01-fixture-plot" in line or time.monotonic() > deadline:
                break
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        rest = proc.stderr.read()
        assert proc.wait(timeout=60) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "interrupted; nothing was written" in rest
    assert "Traceback" not in rest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]


# crampers all at one value: SciPy warns of precision loss in its moment calculation
SEPARATED = ("subject_id,group,sodium_post\nA,cramp,140\nB,cramp,140\nC,cramp,140\nD,cramp,140\n"
             "E,control,141\nF,control,142\nG,control,143\nH,control,144\n")  # fmt: skip


def test_quiet_lets_no_runtime_warning_through(project, tmp_path):
    root, env = project
    data = tmp_path / "separated.csv"
    data.write_text(SEPARATED)
    loud = run("report", data, "--out", tmp_path / "loud", "--n-resamples", "200", cwd=tmp_path,
               env=env)  # fmt: skip
    assert loud.returncode == 0, loud.stderr
    warned = [ln for ln in loud.stderr.splitlines() if "Warning" in ln or "warning:" in ln]
    assert warned, "this file is chosen because SciPy warns on it"
    assert all(ln.startswith("warning: ") for ln in warned), warned
    assert ".py:" not in loud.stderr and "site-packages" not in loud.stderr
    quiet = run("report", data, "--out", tmp_path / "quiet", "--n-resamples", "200", "-q",
                cwd=tmp_path, env=env)  # fmt: skip
    assert quiet.returncode == 0
    assert quiet.stderr == ""


ONE_CRAMPER = ("subject_id,group,sodium_pre,sodium_post\nA,cramp,140,139\nB,control,141,142\n"
               "C,control,139,140\nD,control,142,141\n")  # fmt: skip
NO_CRAMP_SODIUM_POST = ("subject_id,group,sodium_pre,sodium_post\nA,cramp,140,\nB,cramp,139,\n"
                        "C,control,141,142\nD,control,139,140\nE,control,142,141\n")  # fmt: skip
REAL_04 = "04-interpret-no-difference.ipynb"
REAL_07 = "07-analyse-your-data.ipynb"


@pytest.mark.parametrize(
    "text,reasons",
    [
        (ONE_CRAMPER, [f"{REAL_04} not run: it compares sodium_post (1 cramp) between the groups",
                       f"{REAL_07} not run: no variable has at least 2 values in each group"]),
        (NO_CRAMP_SODIUM_POST, [f"{REAL_04} not run: it compares sodium_post (0 cramp) between"]),
    ],
)  # fmt: skip
def test_a_valid_file_gets_a_report_without_the_sections_it_cannot_have(tmp_path, text, reasons):
    from analysis.paths import NOTEBOOKS_DIR

    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    for name in (REAL_04, REAL_07):
        shutil.copy(NOTEBOOKS_DIR / name, root / "notebooks")
    env = {"CRAMP_PROJECT_ROOT": str(root)}
    data = tmp_path / "small.csv"
    data.write_text(text)
    checked = run("validate", data, cwd=tmp_path, env=env)
    assert checked.returncode == 0, checked.stderr
    for reason in reasons:
        assert f"warning: the report will leave out: {reason}" in checked.stderr
    (line,) = [ln for ln in checked.stderr.splitlines() if "results.csv: no comparison" in ln]
    assert line.startswith("warning: the report will leave out: results.csv: no comparison of")
    assert "sodium_post (" in line and line.endswith("fewer than 2 values in a group")
    out = tmp_path / "rep"
    report = run("report", data, "--out", out, "--n-resamples", "200", cwd=tmp_path, env=env)
    assert report.returncode == 0, report.stderr
    assert "Traceback" not in report.stderr and "error" not in report.stderr
    skipped = "\n".join(json.loads((out / "provenance.json").read_text())["skipped"])
    for reason in reasons:
        assert reason in report.stderr and reason in skipped
    assert (out / "results.csv").is_file() and (out / "report.html").is_file()


PRE_CONSTANT = "subject_id,group,sodium_pre,sodium_post\n" + "".join(
    f"R{i},{'cramp' if i < 5 else 'control'},140,{139 + (i * 7) % 5}\n" for i in range(12)
)


def test_quiet_is_quiet_even_where_statsmodels_warns(project, tmp_path):
    """A constant pre-race value makes the ANCOVA design rank-deficient (statsmodels warns)."""
    root, env = project
    data = tmp_path / "pre_constant.csv"
    data.write_text(PRE_CONSTANT)
    quiet = run("report", data, "--out", tmp_path / "quiet", "--n-resamples", "200", "-q",
                cwd=tmp_path, env=env)  # fmt: skip
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    adjusted = (tmp_path / "quiet" / "results_adjusted.csv").read_text()
    assert "SingularMatrixWarning" in adjusted  # recorded in the note instead


def test_quiet_outlasts_always_filters_added_after_it(tmp_path):
    code = ("import warnings\nfrom analysis.cli import _route_warnings\n"
            "with warnings.catch_warnings():\n    _route_warnings(quiet=True)\n"
            "    warnings.simplefilter('always')  # as statsmodels does when imported\n"
            "    warnings.warn('loud')\n")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""

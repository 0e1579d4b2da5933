"""The built wheel and sdist: what they carry, and that the wheel works on its own.

``python -m build`` runs once per module (isolated build: setuptools comes from
the configured package index). The expected contents are derived from the
checkout's folders by the packaging rule (every ``notebooks/*.ipynb``; every
csv, json and md file under ``data/``; all of ``data/examples/``), never from a
fixed list, so a new notebook or data file that the build forgets fails here.

The install test puts the wheel into a fresh virtual environment whose
dependencies come from this project's pinned ``.venv`` (see
:func:`_fresh_venv` for why), runs the command from a temporary folder with no
checkout in sight, and compares its ``results.csv`` with the checkout's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

import analysis
from analysis import paths
from analysis.report import build_report, data_notebooks

ROOT = paths.PROJECT_ROOT
NAME = f"cramp_reanalysis-{analysis.__version__}"
PLOT_NB = Path(__file__).parent / "fixtures" / "01-fixture-plot.ipynb"
#: the pinned environment's Jupyter data (nbconvert templates), see _fresh_venv
JUPYTER_PATH = str(Path(sysconfig.get_path("data")) / "share" / "jupyter")
#: never in a distribution
FORBIDDEN_PARTS = {"tests", ".venv", "benchmarks", "reports", "__pycache__", ".ipynb_checkpoints"}


def _expected_bundle() -> set[str]:
    """Files the package must carry, as paths relative to the checkout."""
    data = ROOT / "data"
    found = {p for ext in ("ipynb", "css") for p in (ROOT / "notebooks").glob(f"*.{ext}")}
    found |= {p for ext in ("csv", "json", "md") for p in data.rglob(f"*.{ext}")}
    found |= set((data / "examples").iterdir())
    return {
        p.relative_to(ROOT).as_posix()
        for p in found
        if p.is_file() and not FORBIDDEN_PARTS & set(p.relative_to(ROOT).parts)
    }


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> tuple[Path, Path]:
    """Build the sdist, then the wheel from it, exactly as ``python -m build`` does."""
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=600, cwd=out,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / f"{NAME}-py3-none-any.whl", out / f"{NAME}.tar.gz"


def test_twine_check_passes(dist):
    twine = Path(sys.executable).parent / "twine"
    result = subprocess.run([str(twine), "check", "--strict", *map(str, dist)],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_wheel_carries_every_notebook_and_data_file_and_nothing_else(dist):
    wheel, _ = dist
    names = zipfile.ZipFile(wheel).namelist()
    bundled = {n.removeprefix("analysis/_bundle/") for n in names if "/_bundle/" in n}
    expected = _expected_bundle()
    assert bundled == expected
    assert {"notebooks/01-describe-cohort.ipynb", "data/README.md",
            "data/marathon_synthetic.csv", "data/manifest.json"} <= bundled  # fmt: skip
    assert "analysis/py.typed" in names and "analysis/paths.py" in names
    assert f"{NAME}.dist-info/licenses/LICENSE" in names
    for name in names:
        assert not FORBIDDEN_PARTS & set(name.split("/")), name
        assert not name.endswith((".pyc", ".pyo")), name


def test_bundled_files_are_the_checkouts_bytes(dist):
    wheel, _ = dist
    with zipfile.ZipFile(wheel) as zf:
        for relative in sorted(_expected_bundle()):
            assert zf.read(f"analysis/_bundle/{relative}") == (ROOT / relative).read_bytes()


def test_wheel_metadata_version_and_command(dist):
    wheel, _ = dist
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read(f"{NAME}.dist-info/METADATA").decode()
        entry_points = zf.read(f"{NAME}.dist-info/entry_points.txt").decode()
    assert f"\nVersion: {analysis.__version__}\n" in metadata
    assert "cramp-reanalysis = analysis.cli:main" in entry_points


def test_sdist_carries_sources_notebooks_and_data_but_no_tests(dist):
    _, sdist = dist
    with tarfile.open(sdist) as tf:
        names = {n.removeprefix(f"{NAME}/") for n in tf.getnames()}
    assert _expected_bundle() <= names
    assert {"pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE",
            "src/analysis/py.typed", "src/analysis/paths.py"} <= names  # fmt: skip
    for name in names:
        assert not FORBIDDEN_PARTS & set(name.split("/")), name


def test_no_bundle_is_committed_and_the_checkout_wins():
    assert not (ROOT / "src" / "analysis" / paths.BUNDLE_NAME).exists()
    assert paths.IN_CHECKOUT
    assert paths.NOTEBOOKS_DIR == ROOT / "notebooks" and paths.DATA_DIR == ROOT / "data"


def test_a_users_project_folder_is_never_taken_for_the_compendium(tmp_path, monkeypatch):
    """A folder with its own pyproject.toml and data/ (a researcher's project)."""
    (tmp_path / "data").mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    monkeypatch.delenv("CRAMP_PROJECT_ROOT", raising=False)
    with pytest.raises(FileNotFoundError, match="no checkout of the compendium"):
        paths.find_project_root(tmp_path / "data")
    env = {k: v for k, v in os.environ.items() if k != "CRAMP_PROJECT_ROOT"}
    seen = subprocess.run(
        [sys.executable, "-c", "from analysis import paths; print(paths.PROJECT_ROOT)"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env, check=True,
    ).stdout.strip()  # fmt: skip
    assert Path(seen) == ROOT


def _fresh_venv(folder: Path, wheel: Path) -> Path:
    """A new virtual environment holding the wheel; its dependencies from the pinned .venv.

    The wheel goes into the new environment's own site-packages (``--no-deps``);
    a ``.pth`` line then appends this environment's site-packages to
    ``sys.path`` for the dependencies. Why not a clean ``pip install WHEEL``
    from the index: it takes about 60 s more here, needs the network in CI, and
    may resolve newer library versions than the lock, which would change the
    last digits of results.csv; the README's manual check does that route.
    Why not ``--system-site-packages``: created from a venv's interpreter it
    exposes the *base* interpreter's packages, not the venv's. The ``.pth``
    line adds the folder without running the ``.pth`` files inside it, so the
    checkout's editable hook (``src/`` on ``sys.path``) stays off: the test
    asserts that ``analysis`` is imported from the new environment. The
    dependencies' data files (nbconvert's templates) lie under the pinned
    environment's ``share/jupyter``, outside ``sys.path``: :data:`JUPYTER_PATH`
    is set to it when the command runs.
    """
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)  # fmt: skip
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", "--no-index", str(wheel)],
        check=True, timeout=300, capture_output=True, text=True,
    )  # fmt: skip
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
    (Path(site) / "_pinned_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv


@pytest.mark.slow
def test_installed_wheel_works_from_any_folder(dist, tmp_path):
    wheel, _ = dist
    venv = _fresh_venv(tmp_path, wheel)
    work = tmp_path / "work"  # no checkout above it, nothing in it
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "CRAMP_PROJECT_ROOT", "VIRTUAL_ENV"}}  # fmt: skip
    env |= {"PYTHONHASHSEED": "0", "MPLBACKEND": "Agg", "JUPYTER_PATH": JUPYTER_PATH}

    def run(*args: str, program: str = "cramp-reanalysis") -> subprocess.CompletedProcess:
        return subprocess.run([str(venv / "bin" / program), *args], capture_output=True,
                              text=True, timeout=900, cwd=work, env=env)  # fmt: skip

    deps = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                           "check"], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert deps.returncode == 0, deps.stdout + deps.stderr
    assert run("--version").stdout == f"cramp-reanalysis {analysis.__version__}\n"
    probe = run("-c", "import analysis, json; from analysis import paths; print(json.dumps("
                "[analysis.__file__, str(paths.DATA_DIR), str(paths.NOTEBOOKS_DIR), "
                "str(analysis.example_path('marathon')), paths.IN_CHECKOUT]))", program="python")  # fmt: skip
    module, data_dir, notebooks, example, in_checkout = json.loads(probe.stdout)
    for path in (module, data_dir, notebooks, example):
        assert Path(path).is_relative_to(venv), path
    assert Path(example).is_file() and in_checkout is False

    ultra = run("validate", str(Path(data_dir) / "ultra_synthetic.csv"))
    assert ultra.returncode == 0 and "Result: PASSED" in ultra.stdout, ultra.stderr
    messy = run("validate", str(Path(data_dir) / "examples" / "messy_export_semicolon.csv"))
    assert messy.returncode == 2 and "row 24, column 'K post'" in messy.stderr

    report = run("report", "--out", "rep")  # the bundled example, its data notebooks
    assert report.returncode == 0, report.stderr[-3000:]
    out = work / "rep"
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["versions"]["cramp-reanalysis"] == analysis.__version__
    assert prov["input"]["path"] == example
    assert prov["notebooks"] == [nb.name for nb in data_notebooks()]
    # the checkout's results.csv with the same options; the notebooks do not change it
    options = prov["options"]
    reference = build_report(
        paths.example_path("marathon"), tmp_path / "checkout", notebooks=[PLOT_NB],
        margins=options["margins"] or None, n_resamples=options["n_resamples"],
        seed=options["seed"],
    ).out_dir  # fmt: skip
    assert (out / "results.csv").read_bytes() == (reference / "results.csv").read_bytes()
    assert (out / "cohort.csv").read_bytes() == (reference / "cohort.csv").read_bytes()

"""The two install routes pin the same versions; the README's commands are the contract."""

import re
import tomllib

from analysis import paths

ROOT = paths.PROJECT_ROOT


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements.lock line {line!r} is not an exact pin"
            pins[name.lower().replace("_", "-")] = version
    return pins


# conda-forge names that differ from the PyPI names in requirements.in
CONDA_TO_PYPI = {"python-build": "build"}


def _conda() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        match = re.fullmatch(r"\s+- ([A-Za-z0-9_.-]+)=([^=\s]+)", line)
        if match:
            name = match.group(1).lower().replace("_", "-")
            pins[CONDA_TO_PYPI.get(name, name)] = match.group(2)
    return pins


def test_every_top_level_requirement_is_pinned_in_the_lock():
    lock = _lock()
    for line in (ROOT / "requirements.in").read_text().splitlines():
        name = line.strip()
        if name and not name.startswith("#"):
            assert name.lower() in lock, f"{name} is not pinned in requirements.lock"


def test_conda_environment_agrees_with_the_lock():
    lock, conda = _lock(), _conda()
    conda.pop("python")
    assert conda, "environment.yml pins nothing"
    wanted = {
        n.strip().lower()
        for n in (ROOT / "requirements.in").read_text().splitlines()
        if n.strip() and not n.startswith("#")
    }
    assert set(conda) == wanted
    for name, version in conda.items():
        assert lock[name] == version, f"{name}: environment.yml {version} != lock {lock[name]}"


def test_project_dependencies_are_in_the_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = _lock()
    for requirement in project["dependencies"] + project["optional-dependencies"]["dev"]:
        name = re.split(r"[<>=!\[ ]", requirement, maxsplit=1)[0].lower()
        assert name in lock, f"{name} (pyproject.toml) is missing from requirements.lock"


def test_entry_point_reserved():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["cramp-reanalysis"] == "analysis.cli:main"


def test_readme_quickstart_commands_are_the_makefile_targets_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert "make report" in readme and "make test" in readme
    makefile = (ROOT / "Makefile").read_text()
    for target in ("report", "test", "lab", "data"):
        assert re.search(rf"^{target}:", makefile, re.M), target
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)
    assert "--nbval-lax" not in makefile
    assert "--nbval-current-env" in makefile

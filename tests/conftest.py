"""Shared fixtures: the bundled cohorts, loaded once per session."""

from __future__ import annotations

import os

import pandas as pd
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

from analysis import example_path, load_cohort


@pytest.fixture(scope="session")
def marathon() -> pd.DataFrame:
    return load_cohort(example_path("marathon"))


@pytest.fixture(scope="session")
def ultra() -> pd.DataFrame:
    return load_cohort(example_path("ultra"))


@pytest.fixture
def write_csv(tmp_path):
    """Write text to a CSV file in a temporary folder and return its path."""

    def _write(text: str, name: str = "cohort.csv", encoding: str = "utf-8"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write


# The fixture notebooks are inputs of the report tests (one fails on purpose),
# not notebooks to check with nbval.
collect_ignore_glob = ["fixtures/*"]

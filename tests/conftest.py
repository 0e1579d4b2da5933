"""Shared fixtures: the bundled cohorts, loaded once per session."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import example_path, load_cohort  # noqa: E402


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

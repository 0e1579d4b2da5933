"""The synthetic example cohorts: byte-identical regeneration and the published facts."""

import hashlib
import json

import pandas as pd
import pytest

from analysis import paths
from analysis.synthetic import MARATHON, SPECS, ULTRA, generate_cohort, to_csv_text, write_examples


@pytest.mark.parametrize("spec", list(SPECS.values()), ids=list(SPECS))
def test_regenerates_byte_for_byte(spec):
    committed = (paths.DATA_DIR / spec.file_name).read_bytes()
    assert to_csv_text(generate_cohort(spec)).encode("utf-8") == committed


def test_make_data_writes_identical_files_and_manifest(tmp_path):
    manifest = write_examples(tmp_path)
    for spec in SPECS.values():
        assert (tmp_path / spec.file_name).read_bytes() == (
            paths.DATA_DIR / spec.file_name
        ).read_bytes()
    committed = json.loads((paths.DATA_DIR / "manifest.json").read_text())
    for name, entry in manifest.items():
        assert committed[name] == json.loads(json.dumps(entry))


def test_manifest_sha256_matches_files():
    manifest = json.loads((paths.DATA_DIR / "manifest.json").read_text())
    for name, entry in manifest.items():
        assert hashlib.sha256((paths.DATA_DIR / name).read_bytes()).hexdigest() == entry["sha256"]


def test_data_card_names_every_file_with_its_sha256_and_seed():
    card = (paths.DATA_DIR / "README.md").read_text()
    manifest = json.loads((paths.DATA_DIR / "manifest.json").read_text())
    for name, entry in manifest.items():
        assert name in card
        assert entry["sha256"] in card
        if "seed" in entry:
            assert f"seed {entry['seed']}" in card


def test_synthetic_files_are_labelled_synthetic():
    for spec in SPECS.values():
        assert "synthetic" in spec.file_name


def test_marathon_honours_published_facts(marathon):
    assert len(marathon) == 82
    assert marathon["group"].value_counts().to_dict() == {"control": 67, "cramp": 15}
    onset = marathon.loc[marathon["group"] == "cramp", "cramp_onset_km"]
    assert f"{onset.mean():.0f} ± {onset.std():.0f}" == "35 ± 6"  # Maughan 1986
    assert onset.max() <= 42.195
    assert marathon.loc[marathon["group"] == "control", "cramp_onset_km"].isna().all()
    bicarb = marathon[["bicarbonate_pre", "bicarbonate_post"]].mean()
    assert bicarb["bicarbonate_pre"] == pytest.approx(28, abs=0.5)  # 28 -> 24 mmol/L
    assert bicarb["bicarbonate_post"] == pytest.approx(24, abs=0.5)
    for group in ("cramp", "control"):
        rows = marathon[marathon["group"] == group]
        assert rows["sodium_change"].mean() > 0  # sodium rose in both groups
        assert rows["pv_change"].mean() < 0  # plasma volume fell in both groups


def test_marathon_pre_post_correlated_within_runner(marathon):
    r = marathon[["sodium_pre", "sodium_post"]].corr().iloc[0, 1]
    assert 0.5 < r < 0.95  # changes, not independent draws (expected 2 / sqrt(2**2 + 1.5**2) = 0.8)


@pytest.mark.parametrize(
    "column,group,mean,sd",
    [(t.column, t.group, t.mean, t.sd) for t in ULTRA.targets],
)
def test_ultra_reproduces_schwellnus_2004_when_rounded(ultra, column, group, mean, sd):
    values = ultra.loc[ultra["group"] == group, column]
    decimals = len(mean.split(".")[1])
    assert f"{values.mean():.{decimals}f}" == mean
    assert f"{values.std(ddof=1):.{len(sd.split('.')[1])}f}" == sd


def test_ultra_group_sizes(ultra):
    assert ultra["group"].value_counts().to_dict() == {"control": 22, "cramp": 21}


def test_generated_frame_records_attempt():
    frame = generate_cohort(MARATHON)
    manifest = json.loads((paths.DATA_DIR / "manifest.json").read_text())
    assert frame.attrs["attempt"] == manifest[MARATHON.file_name]["attempt"]
    assert isinstance(frame, pd.DataFrame)

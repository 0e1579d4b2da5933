"""Plasma-, blood- and cell-volume change against Dill & Costill (1974)."""

import numpy as np
import pandas as pd
import pytest

from analysis import blood_volume_change, cell_volume_change, plasma_volume_change


def test_worked_example_blood_volume():
    # Dill & Costill (1974): Hb 15.1 -> 16.7 g/100 mL, so 100 mL of blood becomes 90.4 mL
    assert blood_volume_change(15.1, 16.7) == pytest.approx(-9.6, abs=0.05)
    assert 100 + blood_volume_change(15.1, 16.7) == pytest.approx(90.42, abs=0.005)


def test_worked_example_cells_fill_41_ml():
    # ... and with Hct_A = 0.453 the cells fill 0.453 x 90.4 = 41.0 mL
    bv_after = 100 + blood_volume_change(15.1, 16.7)
    assert 0.453 * bv_after == pytest.approx(41.0, abs=0.05)


def test_plasma_volume_formula_by_hand():
    # PV_B = 100 (1 - 0.44) = 56; PV_A = 90.419 (1 - 0.453) = 49.459; change -11.68 %
    bv_after = 100 * 15.1 / 16.7
    expected = 100 * (bv_after * (1 - 0.453) / (100 * (1 - 0.44)) - 1)
    assert plasma_volume_change(15.1, 16.7, 0.44, 0.453) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(-11.68, abs=0.005)


def test_cell_volume_sums_with_plasma_volume():
    # CV + PV = BV before and after: the three changes are consistent
    hb_b, hb_a, hct_b, hct_a = 14.2, 15.0, 0.42, 0.445
    bv = 100 + blood_volume_change(hb_b, hb_a)
    cv = (100 * hct_b) * (1 + cell_volume_change(hb_b, hb_a, hct_b, hct_a) / 100)
    pv = (100 * (1 - hct_b)) * (1 + plasma_volume_change(hb_b, hb_a, hct_b, hct_a) / 100)
    assert cv + pv == pytest.approx(bv, rel=1e-12)


def test_no_change_gives_zero():
    assert plasma_volume_change(15, 15, 0.45, 0.45) == 0
    assert cell_volume_change(15, 15, 0.45, 0.45) == pytest.approx(0)


def test_vectorised_over_arrays_and_series_keeps_index():
    hb_pre = pd.Series([15.0, 14.0, np.nan], index=["a", "b", "c"])
    out = plasma_volume_change(
        hb_pre, pd.Series([15.0, 15.4, 15.0], index=hb_pre.index), 0.45, 0.47
    )
    assert list(out.index) == ["a", "b", "c"]
    assert np.isnan(out["c"])
    arr = plasma_volume_change(np.array([15.0, 14.0]), np.array([15.0, 15.4]), 0.45, 0.47)
    assert arr.shape == (2,)
    assert arr[0] == pytest.approx(100 * (0.53 / 0.55 - 1))


@pytest.mark.parametrize(
    "hct_pre,hct_post,name", [(45, 0.46, "hct_pre"), (0.44, 1.2, "hct_post"), (0.0, 0.4, "hct_pre")]
)
def test_haematocrit_must_be_a_fraction(hct_pre, hct_post, name):
    with pytest.raises(ValueError, match=rf"`{name}` must be a fraction strictly between 0 and 1"):
        plasma_volume_change(15, 16, hct_pre, hct_post)
    with pytest.raises(ValueError, match=rf"`{name}` must be a fraction"):
        cell_volume_change(15, 16, hct_pre, hct_post)

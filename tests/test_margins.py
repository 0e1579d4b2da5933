"""Default margins follow from the consequence of a group shift (docs/margins.md)."""

import pandas as pd
import pytest

from analysis import schema
from analysis.margins import ANCHORS, margin_from_anchor, share_beyond, shift_for_share
from analysis.paths import PROJECT_ROOT

# tests/reference/margins.R: gap + sd * qnorm(pnorm(-gap / sd) + 0.05)
R = pd.read_csv(PROJECT_ROOT / "tests" / "reference" / "margins.csv").set_index("variable")


@pytest.mark.parametrize("variable", list(ANCHORS))
def test_shift_matches_r(variable):
    a = ANCHORS[variable]
    assert a.sd == pytest.approx(R.loc[variable, "sd"], rel=1e-12)
    assert shift_for_share(a.centre, a.sd, a.limit) == pytest.approx(
        R.loc[variable, "shift_5pp"], rel=1e-9
    )
    assert share_beyond(a.centre, a.sd, a.limit) == pytest.approx(
        R.loc[variable, "share_before"], rel=1e-9
    )


def test_defaults_are_the_consequence_margins_not_the_rcv():
    for variable in ANCHORS:
        assert schema.DEFAULT_MARGINS[variable] == margin_from_anchor(variable), variable
    # a 3 mmol/L shift of a mean of 140 (SD 2.64) raises the share below 135 from ~3 % to ~22 %
    assert R.loc["sodium", "share_before"] == pytest.approx(0.0289, abs=5e-4)
    assert R.loc["sodium", "share_after_3"] == pytest.approx(0.224, abs=5e-3)
    assert schema.DEFAULT_MARGINS["sodium"] < 3

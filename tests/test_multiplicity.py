"""Tests for analysis.multiplicity against R p.adjust (tests/reference/closed_form.R)."""

import numpy as np
import pytest

from analysis.multiplicity import holm

REL = 1e-6  # closed form


def test_matches_p_adjust():
    # p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2), "holm")
    np.testing.assert_allclose(
        holm([0.01, 0.04, 0.03, 0.005, 0.2]), [0.040, 0.090, 0.090, 0.025, 0.200], rtol=REL
    )


def test_nan_stays_nan_and_is_not_counted():
    # p.adjust(c(0.01, 0.04, NA, 0.03, 0.005, NA, 0.2), "holm"): m = 5, not 7
    out = holm([0.01, 0.04, np.nan, 0.03, 0.005, np.nan, 0.2])
    np.testing.assert_allclose(out, [0.040, 0.090, np.nan, 0.090, 0.025, np.nan, 0.200], rtol=REL)
    assert np.isnan(out[[2, 5]]).all()


def test_ties_and_cap_at_one():
    # p.adjust(c(0.5, 0.0001, 0.3, 0.0001), "holm")
    np.testing.assert_allclose(holm([0.5, 0.0001, 0.3, 0.0001]), [0.6, 4e-4, 0.6, 4e-4], rtol=REL)
    assert holm([0.6, 0.9])[1] == 1.0


def test_empty_and_all_nan():
    assert holm([]).shape == (0,)
    assert np.isnan(holm([np.nan, np.nan])).all()


def test_input_is_not_modified():
    p = np.array([0.03, 0.01])
    holm(p)
    np.testing.assert_array_equal(p, [0.03, 0.01])


@pytest.mark.parametrize(
    ("pvalues", "exc", "match"),
    [
        ([[0.1, 0.2]], ValueError, r"`pvalues` must be one-dimensional; got shape \(1, 2\)"),
        ([0.1, 1.2], ValueError, r"`pvalues` must lie in \[0, 1\]; got \[1.2\] at \[1\]"),
        ([-0.01], ValueError, r"`pvalues` must lie in \[0, 1\]; got \[-0.01\]"),
        (["a"], TypeError, r"`pvalues` must be an array of numbers; got \['a'\]"),
    ],
)
def test_bad_input_raises(pvalues, exc, match):
    with pytest.raises(exc, match=match):
        holm(pvalues)


def test_holm_within_is_holm_per_family():
    from analysis.multiplicity import holm, holm_within

    p = np.array([0.01, 0.04, 0.03, 0.2, np.nan, 0.002])
    fam = ["a", "a", "b", "c", "a", "b"]
    out = holm_within(p, fam, exclude=("c",))
    np.testing.assert_allclose(out[[0, 1, 4]], holm(p[[0, 1, 4]]), rtol=1e-15)
    np.testing.assert_allclose(out[[2, 5]], holm(p[[2, 5]]), rtol=1e-15)
    assert np.isnan(out[3])
    with pytest.raises(ValueError, match="one length"):
        holm_within([0.1, 0.2], ["a"])


def test_families_of_the_schema():
    from analysis import schema

    assert schema.PRIMARY == ("sodium_post", "potassium_post", "pv_change")
    assert schema.family_of("chloride_post") == "exploratory"
    assert schema.family_of("bv_change") == "exploratory"
    assert schema.family_of("magnesium_pre") == "baseline"
    assert schema.family_of("sodium_change") == "redundant"
    assert schema.family_of("age_years") == "unspecified"
    members = [m for ms in schema.FAMILIES.values() for m in ms]
    assert len(members) == len(set(members)), "a column is in two families"


def test_family_larger_than_the_p_values_given_matches_p_adjust_n():
    # tests/reference/holm_n.Rout: p.adjust(c(0.004, 0.03), "holm", n = 21)
    np.testing.assert_allclose(holm([0.004, 0.03], n=21), [0.084, 0.600], rtol=REL)
    # p.adjust(c(0.0049, 0.0092, 0.93, 0.36), "holm", n = 21)
    np.testing.assert_allclose(
        holm([0.0049, 0.0092, 0.93, 0.36], n=21), [0.1029, 0.1840, 1.0, 1.0], rtol=REL
    )
    # p.adjust(c(0.01, NA, 0.03, 0.2), "holm", n = 5): NA not counted, n is the family
    np.testing.assert_allclose(
        holm([0.01, np.nan, 0.03, 0.2], n=5), [0.05, np.nan, 0.12, 0.60], rtol=REL
    )
    # n equal to the number given is the plain adjustment: p.adjust(..., n = 3)
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03], n=3), [0.03, 0.06, 0.06], rtol=REL)
    # the old one-liner (pad with p = 1) agrees: the hypotheses not given rank last
    padded = holm([0.0049, 0.0092, 0.93, 0.36] + [1.0] * 17)[:4]
    np.testing.assert_allclose(holm([0.0049, 0.0092, 0.93, 0.36], n=21), padded, rtol=REL)


@pytest.mark.parametrize("n", [1, 2.5, True, "21"])
def test_family_size_below_the_p_values_given_or_not_an_integer_is_refused(n):
    with pytest.raises(ValueError, match=r"`n` must be an integer of at least the number"):
        holm([0.01, 0.02, 0.03], n=n)

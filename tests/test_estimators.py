"""PartialSoftMatching / SoftMatching: fit on training stimuli, score held-out ones."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import population

import parsm
from parsm._folds import kfold


def test_hand_rolled_cross_validation_equals_cv_score(rng):
    X, Y = population(rng, 60, 12), population(rng, 60, 17)
    for est, s in ((parsm.PartialSoftMatching(s=0.6), 0.6), (parsm.SoftMatching(), 1.0)):
        scores = [est.fit_score(X[tr], Y[tr], X[te], Y[te]) for tr, te in kfold(60, 5)]
        assert np.mean(scores) == pytest.approx(parsm.cv_score(X, Y, s, cv=5), abs=1e-12)


def test_fitted_attributes(rng):
    X, Y = population(rng, 50, 10), population(rng, 50, 14)
    est = parsm.PartialSoftMatching().fit(X, Y)
    lc = parsm.lcurve(X, Y)
    assert est.s_ == lc.s0 and est.lcurve_.s0 == lc.s0
    m = parsm.partial_soft_match(X, Y, est.s_)
    np.testing.assert_allclose(est.plan_, m.plan, atol=1e-12)
    assert est.score(X, Y) == pytest.approx(m.score, abs=1e-12)
    assert est.ranking_.s == est.s_ and est.ranking_.shape == (10, 14)
    sm = parsm.SoftMatching().fit(X, Y)
    assert sm.s_ == 1.0 and sm.lcurve_ is None
    assert sm.score(X, Y) == pytest.approx(parsm.soft_match(X, Y).score, abs=1e-12)


def test_params_and_errors(rng):
    X, Y = population(rng, 30, 6), population(rng, 30, 8)
    est = parsm.PartialSoftMatching(s=0.5, metric="cosine")
    assert est.get_params()["metric"] == "cosine"
    assert est.set_params(s=0.3) is est and est.s == 0.3
    assert "s=0.3" in repr(est)
    with pytest.raises(ValueError, match="unknown parameter"):
        est.set_params(alpha=1)
    with pytest.raises(ValueError, match="not fitted yet"):
        est.score(X, Y)
    est.fit(X, Y)
    with pytest.raises(ValueError, match="score the same units"):
        est.score(X[:, :5], Y)
    with pytest.raises(ValueError, match="'auto' or a mass"):
        parsm.PartialSoftMatching(s="elbow").fit(X, Y)


def test_sklearn_cross_validate_when_installed(rng):
    sklearn = pytest.importorskip("sklearn.model_selection")
    X, Y = population(rng, 60, 9), population(rng, 60, 11)
    folds = sklearn.KFold(5, shuffle=True, random_state=42)
    for est, s in ((parsm.PartialSoftMatching(s=0.5), 0.5), (parsm.SoftMatching(), 1.0)):
        scores = sklearn.cross_validate(est, X, Y, cv=folds)["test_score"]
        assert scores.mean() == pytest.approx(parsm.cv_score(X, Y, s, cv=5), abs=1e-12)

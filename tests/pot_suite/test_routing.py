"""The POT suite in this folder really runs parsm: the patched names are parsm's."""

import ot
import ot.partial
from scipy.sparse import coo_array

import parsm.ot


def test_pot_names_route_to_parsm() -> None:
    assert ot.emd is parsm.ot.emd and ot.lp.emd2 is parsm.ot.emd2
    assert ot.dist is parsm.ot.dist and ot.utils.dist is parsm.ot.dist
    assert ot.partial.partial_wasserstein is parsm.ot.partial.partial_wasserstein
    # A sparse M reaches parsm's forbidden-arc solver: the only arcs are (0, 1) and (1, 0).
    plan = ot.emd([], [], coo_array(([3.0, 5.0], ([0, 1], [1, 0])), shape=(2, 2)))
    assert plan.toarray().tolist() == [[0.0, 0.5], [0.5, 0.0]]

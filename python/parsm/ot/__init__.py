"""A drop-in for POT's (``import ot``) exact transport calls, backed by parsm's Rust solver.

Swap ``import ot`` for ``import parsm.ot as ot`` in code that calls:

- :func:`emd`, :func:`emd2` (balanced transport, ``ot.emd`` / ``ot.emd2``);
- :func:`dist` (``ot.dist``);
- :func:`partial.partial_wasserstein`, :func:`partial.partial_wasserstein2`.

Signatures, defaults, return values and log keys follow POT 0.9.7. Where parsm is stricter,
each docstring says so. In short:

- **It solves to optimality.** There is no iteration cap: ``numItermax`` is accepted and
  ignored (POT's default of 100000 already returns non-optimal plans at n = 2000).
- **It is exact for any cost.** Partial transport removes the dummy-to-dummy arc instead of
  pricing it at ``2 max(M)``, so zero, negative and huge costs give the true optimum.
- **It raises where POT returns NaN or a silently wrong plan**: NaN/inf costs or weights,
  constant units in ``dist(..., "correlation"/"cosine")``, marginals of different sums
  (``ValueError`` rather than POT's ``AssertionError``).
- **Only numpy**: other POT backends (torch, jax, ...) are not accepted.
"""

from . import partial
from .lp import emd, emd2
from .utils import dist

__all__ = ["emd", "emd2", "dist", "partial"]

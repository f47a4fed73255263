"""Type stubs of the native module ``parsm._core`` (PyO3 bindings of the Rust core)."""

import numpy as np
import numpy.typing as npt

__version__: str

_Solution = tuple[
    npt.NDArray[np.float64], float, npt.NDArray[np.float64], npt.NDArray[np.float64], str, int
]

def cost_matrix(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    metric: str,
    n_threads: int | None = None,
) -> npt.NDArray[np.float64]:
    """Cost between the columns of ``x`` (M x Nx) and ``y`` (M x Ny); GIL released."""

def emd(
    cost: npt.NDArray[np.float64],
    a: npt.NDArray[np.float64],
    b: npt.NDArray[np.float64],
    max_iter: int | None = None,
) -> _Solution:
    """Balanced transport: ``(plan, cost, u, v, status, iterations)``."""

def partial(
    cost: npt.NDArray[np.float64],
    a: npt.NDArray[np.float64],
    b: npt.NDArray[np.float64],
    m: float,
    n_dummies: int | None = None,
    max_iter: int | None = None,
) -> _Solution:
    """Exact partial transport of mass ``m``: ``(plan, cost, u, v, status, iterations)``.

    ``u`` and ``v`` cover the augmented problem: real nodes first, then the dummy points.
    """

def default_dummies(nx: int, ny: int) -> int:
    """Number of dummy points ``partial`` uses when ``n_dummies`` is None."""

"""POT's own tests, run against ``parsm.ot``.

``test_ot.py``, ``test_partial.py`` and ``test_utils.py`` are POT's test files, copied
unchanged from https://github.com/PythonOT/POT at commit aed0120 (2026-06-03; MIT License,
Copyright (c) 2016-2023 POT contributors). For every test in this folder, the functions that
``parsm.ot`` replaces -- ``emd``, ``emd2``, ``dist``, ``partial_wasserstein`` and
``partial_wasserstein2`` -- are patched into POT's namespaces (only for the duration of each
test, so that the rest of parsm's suite keeps POT itself as its oracle). POT's other functions
run as they are, and call parsm where they reach a patched name at call time.

Two tests check behaviour where parsm differs on purpose (the README's "stricter than POT"
list); they are marked as expected failures with the reason, so that a change to either
behaviour shows up.
"""

from __future__ import annotations

import functools

import ot
import ot.lp
import ot.partial
import ot.utils
import pytest
from ot.backend import get_backend_list

import parsm.ot as parsm_ot

#: Tests that assert POT's behaviour where parsm is stricter on purpose.
DIFFERS_ON_PURPOSE = {
    "test_emd_dimension_and_mass_mismatch": (
        "parsm raises ValueError (its MarginalError / ShapeError), not AssertionError, for "
        "weights that do not fit M or do not have equal sums"
    ),
    "test_warnings": (
        "parsm always solves to optimality and ignores numItermax, so there is no "
        "'numItermax reached' warning to give"
    ),
}


@pytest.fixture(autouse=True)
def parsm_in_pot(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (ot, ot.lp):
        monkeypatch.setattr(module, "emd", parsm_ot.emd)
        monkeypatch.setattr(module, "emd2", parsm_ot.emd2)
    for module in (ot, ot.utils):
        monkeypatch.setattr(module, "dist", parsm_ot.dist)
    monkeypatch.setattr(ot.partial, "partial_wasserstein", parsm_ot.partial.partial_wasserstein)
    monkeypatch.setattr(ot.partial, "partial_wasserstein2", parsm_ot.partial.partial_wasserstein2)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = getattr(item, "originalname", item.name)
        reason = DIFFERS_ON_PURPOSE.get(name)
        if reason is not None and "pot_suite" in str(item.path):
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))


# POT's own conftest: the backend fixture and the skip helpers its tests use.
@pytest.fixture(params=get_backend_list())
def nx(request: pytest.FixtureRequest):
    yield request.param


def skip_arg(arg, value, reason=None, getter=lambda x: x):
    if isinstance(arg, (tuple, list)):
        n = len(arg)
    else:
        arg = (arg,)
        n = 1
    if n == 1 or not isinstance(value, (tuple, list)):
        value = (value,)
    if not isinstance(getter, (tuple, list)):
        getter = [getter] * n
    if reason is None:
        reason = f"Param {arg} should be skipped for value {value}"

    def wrapper(function):
        @functools.wraps(function)
        def wrapped(*args, **kwargs):
            if all(arg[i] in kwargs and getter[i](kwargs[arg[i]]) == value[i] for i in range(n)):
                pytest.skip(reason)
            return function(*args, **kwargs)

        return wrapped

    return wrapper


def pytest_configure(config: pytest.Config) -> None:
    pytest.skip_arg = skip_arg  # type: ignore[attr-defined]
    pytest.skip_backend = functools.partial(skip_arg, "nx", getter=str)  # type: ignore[attr-defined]

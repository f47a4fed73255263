"""The README's Python examples run as written, in order, in one namespace (later blocks use
the quickstart's X and Y)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_examples_run(capsys):
    pytest.importorskip("matplotlib")  # the figures block
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 3
    namespace: dict = {}
    for k, code in enumerate(blocks):
        exec(compile(code, f"README.md python block {k}", "exec"), namespace)
        if k == 0:  # the quickstart's claims
            assert namespace["lc"].s0 == pytest.approx(2 / 3)
            assert namespace["m"].matched_y[80:].sum() == 0

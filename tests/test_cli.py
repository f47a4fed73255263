"""The ``parsm`` command line."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from parsm.cli import main


def test_demo_separates_signal_from_noise(capsys):
    assert main(["demo", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    sm = re.search(r"soft matching \(s = 1\)\s+([\d.]+)\s+([\d.]+)\s+(\d+) / 90", out)
    pm = re.search(r"partial \(s = 100/190 = 0\.526\)\s+([\d.]+)\s+([\d.]+)\s+(\d+) / 90", out)
    assert sm and pm, out
    assert int(sm.group(3)) == 90  # balanced matching must use every noise unit of Y
    assert int(pm.group(3)) <= 5  # partial matching leaves (almost) all of them out
    assert float(pm.group(2)) > float(sm.group(2))  # matched parts are more similar


def test_entry_point_and_module_run():
    out = subprocess.run(
        [sys.executable, "-m", "parsm", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("parsm ")


def test_unknown_command_exits_nonzero():
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2

"""The progress bar helper: shown when asked for, and no tqdm object when off."""

import time

from parsm._progress import Progress


def test_bar_off_builds_no_tqdm_and_still_counts(capsys):
    with Progress("parsm quiet", 3, False) as bar:
        assert bar._bar is None
        assert bar.step() is None  # no callback for the native call when off
        bar.advance(2)
    assert capsys.readouterr().err == ""


def test_bar_on_shows_its_label(capsys):
    with Progress("parsm loud", 2, True) as bar:
        time.sleep(1.1)  # the bar appears only after a second
        bar.advance()
        report = bar.step()
        assert report is not None
        report(1, 2)
    assert "parsm loud" in capsys.readouterr().err

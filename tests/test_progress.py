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


def test_a_portion_moves_a_shared_bar_and_only_in_this_process():
    """A native call on a worker thread moves the bar shared under a key through its steps as
    it reports, never back; without that bar (no key, closed, another process's key) the
    callback only stops a cancellable call."""
    import pytest

    from parsm._progress import cancel_all, cancellable, portion_of, reset_cancel

    with Progress("parsm shared", 4, True) as bar:
        key = bar.share()
        with portion_of(key, 2) as report:
            assert report is not None
            report(1, 4)
            assert bar._bar.n == pytest.approx(0.5)
            report(4, 4)
            assert bar._bar.n == pytest.approx(2.0)
        assert bar._bar.n == pytest.approx(2.0), "a dropped portion does not move it back"
        bar.advance(2)
        assert bar._bar.n == pytest.approx(2.0)
        bar.advance(1)
        assert bar._bar.n == pytest.approx(3.0)
        other = "1:" + key.split(":")[1]
        with portion_of(other, 1) as report:
            assert report is None
    with portion_of(key, 1) as report:
        assert report is None, "a closed bar is not shared"
    with cancellable(), portion_of(None, 1) as report:
        assert report is not None
        report(0, 1)
        cancel_all()
        try:
            with pytest.raises(KeyboardInterrupt):
                report(0, 1)
        finally:
            reset_cancel()

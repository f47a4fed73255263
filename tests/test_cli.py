"""The ``parsm`` command line: demo, compare, rank, file formats and one-line errors."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import numpy as np
import pytest

import parsm
from parsm.cli import main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The spurious-units task saved as .npy (X) and .csv with unit names (Y)."""
    d = tmp_path_factory.mktemp("data")
    t = parsm.datasets.spurious_units_task(0)
    X, _ = parsm.drop_constant_units(t.X[:300])
    Y, kept = parsm.drop_constant_units(t.Y[:300])
    np.save(d / "X.npy", X)
    names = [("signal" if t.signal_y[k] else "noise") + f"_{k}" for k in kept]
    with open(d / "Y.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names)
        w.writerows(Y.tolist())
    np.savez(d / "both.npz", X=X, Y=Y)
    return d, X, Y, names


def test_demo_reproduces_both_simulations(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    s0 = float(re.search(r"matched share s0 = ([\d.]+)", out).group(1))
    assert abs(s0 - 100 / 190) < 0.05
    partial_noise = re.search(r"partial \(s = s0\)\s+[\d.]+\s+[\d.]+\s+(\d+) / (\d+)", out)
    assert int(partial_noise.group(1)) <= 5
    assert "soft matching picks Yb; partial soft matching picks Ya" in out


def test_demo_writes_figures(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert main(["demo", "--out", str(tmp_path)]) == 0
    for name in parsm.demo.FIGURES:
        png = tmp_path / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert "Model selection" in (tmp_path / "demo.txt").read_text()


def test_compare_writes_every_output(files, tmp_path, capsys):
    d, X, Y, names = files
    code = main(["compare", str(d / "X.npy"), str(d / "Y.csv"), "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "partial soft matching" in out and "best-aligned units of Y: signal_" in out
    summary = json.loads((tmp_path / "summary.json").read_text())
    m = parsm.partial_soft_match(X, Y, summary["s"])
    assert summary["partial"]["score"] == pytest.approx(m.score, abs=1e-12)
    assert summary["soft_matching"]["score"] == pytest.approx(parsm.soft_match(X, Y).score)
    assert summary["parsm"] == parsm.__version__ and summary["unmatched_mass"] == 1 - m.s
    with open(tmp_path / "units_y.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["unit"] for r in rows] == names
    assert {int(r["rank"]) for r in rows} == set(range(1, len(names) + 1))
    assert [bool(int(r["matched"])) for r in rows] == list(m.matched_y)
    plan = np.load(tmp_path / "plan.npz")
    dense = np.zeros(tuple(plan["shape"]))
    dense[plan["row"], plan["col"]] = plan["mass"]
    assert np.sum(dense * parsm.cost_matrix(X, Y)) == pytest.approx(m.cost, abs=1e-12)
    try:
        import matplotlib  # noqa: F401
    except ImportError:  # no figures without it; the rest is written all the same
        assert not (tmp_path / "plan.png").exists()
    else:
        assert (tmp_path / "plan.png").stat().st_size > 5_000


def test_compare_json_with_cv_and_fixed_s(files, capsys):
    d, X, Y, _ = files
    args = ["compare", str(d / "both.npz"), str(d / "both.npz"), "--key-x", "X", "--key-y", "Y"]
    assert main([*args, "--s", "0.4", "--cv", "3", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["s"] == 0.4 and summary["s_source"] == "given"
    assert summary["partial"]["cv_score"] == pytest.approx(parsm.cv_score(X, Y, 0.4, cv=3))


def test_rank_prints_best_and_worst_with_names(files, capsys):
    d, _, _, names = files
    assert main(["rank", str(d / "X.npy"), str(d / "Y.csv"), "--top", "5%", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["best_y"]) == len(out["worst_y"]) == round(0.05 * len(names))
    assert all(u.startswith("signal_") for u in out["best_y"])
    assert all(u.startswith("noise_") for u in out["worst_y"])
    assert main(["rank", str(d / "X.npy"), str(d / "Y.csv"), "--top", "3"]) == 0
    text = capsys.readouterr().out
    assert "best-aligned units of Y (3 of " in text and "entry mass" in text


def _bad_inputs(d):
    np.save(d / "pickle.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(d / "short.npy", np.ones((10, 4)))
    nan = np.random.default_rng(0).standard_normal((300, 4))
    nan[3, 1] = np.nan
    np.save(d / "nan.npy", nan)
    np.save(d / "flat.npy", np.ones(300))
    (d / "ragged.csv").write_text("a,b,c\n1,2,3\n4,5\n7,8,9\n")
    (d / "words.csv").write_text("a,b\n1,2\n3,x\n")


@pytest.mark.parametrize(
    ("x", "message"),
    [
        ("missing.npy", "missing.npy: no such file"),
        ("pickle.npy", "holds Python objects (a pickle), which parsm never loads"),
        ("short.npy", "X has 10 stimuli (rows) but Y has 300"),
        ("nan.npy", "NaN or infinite"),
        ("flat.npy", "must be a 2-D array"),
        ("ragged.csv", "line 3: 2 fields but the header has 3"),
        ("words.csv", "line 3, column 'b': 'x' is not a number"),
        ("data.xlsx", "unknown format '.xlsx'; save the sheet as .csv"),
        ("data.dat", "unknown format '.dat'; use one of .npy"),
    ],
)
def test_bad_files_give_one_line_and_exit_1(files, tmp_path, capsys, x, message):
    d = files[0]
    _bad_inputs(tmp_path)
    (tmp_path / "data.xlsx").write_bytes(b"PK\x03\x04")
    (tmp_path / "data.dat").write_text("1 2\n")
    assert main(["compare", str(tmp_path / x), str(d / "Y.csv")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("parsm compare: error: "), err
    assert message in err and "Traceback" not in err


def test_debug_shows_the_traceback(files, tmp_path):
    with pytest.raises(FileNotFoundError):
        main(["rank", str(tmp_path / "missing.npy"), str(files[0] / "Y.csv"), "--debug"])


def test_hdf5_without_h5py_or_with_it(files, tmp_path, capsys):
    d, X, Y, _ = files
    try:
        import h5py
    except ImportError:
        (tmp_path / "x.h5").write_bytes(b"\x89HDF\r\n\x1a\n")
        assert main(["compare", str(tmp_path / "x.h5"), str(d / "Y.csv")]) == 1
        assert "pip install 'parsm[io]'" in capsys.readouterr().err
        return
    with h5py.File(tmp_path / "x.h5", "w") as f:
        f["responses"] = X.T
        f["extra"] = np.zeros(3)
        f.create_group("session2")["responses"] = X.T
    assert main(["compare", str(tmp_path / "x.h5"), str(d / "Y.csv")]) == 1
    err = capsys.readouterr().err
    assert "2 2-D numeric datasets (responses" in err and "session2/responses" in err
    assert "choose one with --dataset" in err
    assert main(["compare", str(tmp_path / "x.h5"), str(d / "Y.csv"), "--dataset-x", "nope"]) == 1
    assert "no dataset 'nope'; its 2-D datasets: responses" in capsys.readouterr().err
    args = ["--dataset-x", "responses", "--transpose", "--s", "0.5", "--json"]
    # --transpose applies to both files: give Y as units x stimuli too
    np.save(tmp_path / "yt.npy", Y.T)
    assert main(["compare", str(tmp_path / "x.h5"), str(tmp_path / "yt.npy"), *args]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["partial"]["score"] == pytest.approx(parsm.partial_soft_match(X, Y, 0.5).score)


def test_entry_point_and_module_run():
    out = subprocess.run(
        [sys.executable, "-m", "parsm", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("parsm ")


def test_usage_errors_exit_2(capsys):
    for argv in (["frobnicate"], ["rank", "a.npy", "b.npy", "--top", "lots"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compare", "X.npy", "Y.npy", "--s", "2"], "--s 2 is outside [0, 1]"),
        (["compare", "X.npy", "Y.npy", "--cv", "1"], "--cv 1 needs at least 2 folds"),
        (["compare", "X.npy", "Y.npy", "--grid", "1"], "--grid 1 needs at least 3 points"),
        (["rank", "X.npy", "Y.npy", "--threads", "0"], "--threads 0 must be at least 1"),
        (["rank", "X.npy", "Y.npy", "--top", "-5"], "--top -5 must be a count of at least 1"),
        (["rank", "X.npy", "Y.npy", "--top", "200%"], "--top 2 as a share must be in (0, 1]"),
        (["rank", "X.npy", "Y.npy", "--top", "1.5"], "--top 1.5 as a share must be in (0, 1]"),
        (["pairwise", "a.npz", "--jobs", "0"], "--jobs 0 must be a positive count"),
    ],
)
def test_bad_option_values_exit_2_before_reading_files(argv, message, capsys):
    # The files do not exist: the option is reported first, before any file is read.
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert "Traceback" not in err


def test_out_pointing_at_a_file_fails_before_computing(files, tmp_path, capsys):
    d = files[0]
    (tmp_path / "taken").write_text("")
    args = ["compare", str(d / "X.npy"), str(d / "Y.csv"), "--out", str(tmp_path / "taken")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "exists and is not a folder" in err


def test_unit_tables_name_each_units_main_partner(tmp_path):
    from parsm.report import unit_table, write_outputs

    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 30))
    Y = np.hstack(
        [X[:, :20] + 0.3 * rng.standard_normal((200, 20)), rng.standard_normal((200, 10))]
    )
    labels_y = [f"y{k}" for k in range(30)]
    c = parsm.compare(X, Y, labels_y=labels_y)
    rows = unit_table(c, "x")
    assert [r["partner"] for r in rows[:20]] == labels_y[:20]
    assert all(r["partner"] == "" and r["partner_mass"] == 0.0 for r in rows[20:])
    assert rows[0]["partner_mass"] == pytest.approx(1 / 30)
    back = unit_table(c, "y")
    assert [r["partner"] for r in back[:20]] == [str(k) for k in range(20)]
    write_outputs(c, tmp_path, figures=False)
    with open(tmp_path / "units_y.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert table[3]["partner"] == "3" and float(table[3]["partner_mass"]) == pytest.approx(1 / 30)


def test_rank_prints_a_readable_number_by_default(files, capsys):
    d = files[0]
    assert main(["rank", str(d / "X.npy"), str(d / "Y.csv")]) == 0
    out = capsys.readouterr().out
    assert "best-aligned units of Y (10 of " in out and "--top for more" in out
    assert len(out.splitlines()) < 70

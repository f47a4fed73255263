"""Reading the files users have: CSV header and index detection, missing cells, per-file
transposes, masked arrays and DataFrames, HDF5 groups, MATLAB files, and errors that name the
file and speak in the command line's terms."""

from __future__ import annotations

import csv

import numpy as np
import pytest

import parsm
from parsm.cli import main
from parsm.io import load_populations, load_responses


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 5))
    Y = X[:, ::-1] + 0.2 * rng.standard_normal((60, 5))
    return X, Y


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def test_a_first_row_of_numbers_is_data_not_names(tmp_path, data):
    X, _ = data
    write_csv(tmp_path / "x.csv", X.tolist())
    notes = []
    got, units = load_responses(tmp_path / "x.csv", notes=notes)
    assert units is None and got.shape == X.shape
    np.testing.assert_allclose(got, X, rtol=1e-15)
    assert "first row is all numbers" in notes[0]
    # --no-header forces it; a header row is still found by default.
    write_csv(tmp_path / "h.csv", [[f"u{k}" for k in range(5)], *X.tolist()])
    assert load_responses(tmp_path / "h.csv")[1] == [f"u{k}" for k in range(5)]
    assert load_responses(tmp_path / "x.csv", header=False)[0].shape == (60, 5)


def test_pandas_default_column_names_are_a_header(tmp_path, data):
    """A DataFrame built from an array and written without its index has the header 0, 1, ...,
    n - 1: names, not a stimulus; header=False still reads it as data."""
    pd = pytest.importorskip("pandas")
    X, _ = data
    pd.DataFrame(X).to_csv(tmp_path / "x.tsv", sep="\t", index=False)
    notes = []
    got, units = load_responses(tmp_path / "x.tsv", notes=notes)
    assert units == ["0", "1", "2", "3", "4"] and got.shape == X.shape
    np.testing.assert_allclose(got, X, rtol=1e-15)
    assert "pandas' default column names" in notes[0]
    assert load_responses(tmp_path / "x.tsv", header=False)[0].shape == (61, 5)
    # Two columns 0, 1 may be counts: data.
    write_csv(tmp_path / "counts.csv", [[0, 1], [2, 0], [1, 1]])
    assert load_responses(tmp_path / "counts.csv")[0].shape == (3, 2)


def test_a_pandas_index_column_is_not_a_unit(tmp_path, data):
    pd = pytest.importorskip("pandas")
    X, _ = data
    pd.DataFrame(X, columns=list("abcde")).to_csv(tmp_path / "x.csv")
    notes = []
    got, units = load_responses(tmp_path / "x.csv", notes=notes)
    assert units == list("abcde") and got.shape == (60, 5)
    assert "pandas index" in notes[0]
    # units x stimuli with names in the first column
    rows = [["unit", *[f"s{k}" for k in range(60)]]]
    rows += [[f"n{u}", *X[:, u].tolist()] for u in range(5)]
    write_csv(tmp_path / "t.csv", rows)
    got, units = load_responses(tmp_path / "t.csv", transpose=True)
    assert units == [f"n{u}" for u in range(5)]
    np.testing.assert_allclose(got, X, rtol=1e-15)


def test_missing_cells_are_nan_and_can_drop_stimuli(tmp_path, data, capsys):
    X, Y = data
    rows = [[f"u{k}" for k in range(5)], *[[repr(v) for v in r] for r in X.tolist()]]
    rows[4][2] = ""
    rows[9][0] = "NA"
    write_csv(tmp_path / "x.csv", rows)
    np.save(tmp_path / "y.npy", Y)
    got, _ = load_responses(tmp_path / "x.csv")
    assert np.isnan(got[3, 2]) and np.isnan(got[8, 0]) and np.isnan(got).sum() == 2
    args = ["compare", str(tmp_path / "x.csv"), str(tmp_path / "y.npy"), "--s", "0.5"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "--missing drop-stimuli" in err and "impute" not in err
    assert main([*args, "--missing", "drop-stimuli", "--json"]) == 0
    captured = capsys.readouterr()
    assert "dropped 2 stimuli with missing values" in captured.err
    keep = np.ones(60, dtype=bool)
    keep[[3, 8]] = False
    want = parsm.partial_soft_match(X[keep], Y[keep], 0.5).score
    import json

    assert json.loads(captured.out)["partial"]["score"] == pytest.approx(want, rel=1e-12)


def test_transpose_one_file_and_suggest_it(tmp_path, data, capsys):
    X, Y = data
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "yt.npy", Y.T)
    base = ["compare", str(tmp_path / "x.npy"), str(tmp_path / "yt.npy"), "--s", "0.5"]
    assert main(base) == 1
    assert "--transpose-x or --transpose-y" in capsys.readouterr().err
    assert main([*base, "--transpose-y"]) == 0
    assert main([*base, "--transpose"]) == 1
    assert "stimuli (file columns, transposed)" in capsys.readouterr().err


def test_drop_constant_in_cli_terms(tmp_path, data, capsys):
    X, Y = data
    X = X.copy()
    X[:, 1] = 3.0
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "y.npy", Y)
    base = ["rank", str(tmp_path / "x.npy"), str(tmp_path / "y.npy")]
    assert main(base) == 1
    err = capsys.readouterr().err
    assert "(with --drop-constant)" in err and "parsm.drop_constant_units" not in err
    assert main([*base, "--drop-constant"]) == 0
    assert "dropped 1 constant units of X" in capsys.readouterr().err


def test_masked_arrays_and_dataframes_in_the_api(data):
    X, Y = data
    masked = np.ma.masked_array(X, mask=np.zeros(X.shape, dtype=bool))
    masked.mask[5, 1] = True
    with pytest.raises(ValueError, match="1 NaN"):
        parsm.cost_matrix(masked, Y)
    np.testing.assert_array_equal(
        parsm.cost_matrix(np.ma.masked_array(X), Y), parsm.cost_matrix(X, Y)
    )
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(Y, columns=[f"v{k}" for k in range(5)]).astype("Float64")
    r = parsm.rank_units(X, frame, s=0.5)
    assert list(r.labels_y) == [f"v{k}" for k in range(5)]
    frame.iloc[2, 3] = pd.NA
    with pytest.raises(ValueError, match="NaN"):
        parsm.rank_units(X, frame, s=0.5)


def test_dataframes_labelling_the_same_stimuli_in_other_orders_are_refused(data):
    """Rows are paired by position: DataFrames indexed by stimulus in different orders would
    compare each stimulus with another one, a silently wrong number."""
    pd = pytest.importorskip("pandas")
    X, Y = data
    stimuli = [f"img{k}" for k in range(60)]
    fx, fy = pd.DataFrame(X, index=stimuli), pd.DataFrame(Y, index=stimuli)
    shuffled = fy.iloc[np.random.default_rng(1).permutation(60)]
    message = "label the same stimuli \\(rows\\) in different orders"
    for run in (
        lambda: parsm.cost_matrix(fx, shuffled),
        lambda: parsm.partial_soft_match(fx, shuffled, 0.5),
        lambda: parsm.compare(fx, shuffled, s=0.5, progress=False),
        lambda: parsm.rank_units(fx, shuffled, s=0.5),
        lambda: parsm.cv_score(fx, shuffled, s=0.5),
    ):
        with pytest.raises(ValueError, match="X and Y " + message):
            run()
    with pytest.raises(ValueError, match="population 'a' and population 'c' " + message):
        parsm.pairwise({"a": fx, "b": fy, "c": shuffled}, s=0.5)
    # Put in one order, or unlabelled (0, 1, ..., n - 1) on either side: compared as given.
    aligned = shuffled.loc[fx.index]
    assert (
        parsm.partial_soft_match(fx, aligned, 0.5).cost == parsm.partial_soft_match(X, Y, 0.5).cost
    )
    plain = pd.DataFrame(X)
    assert np.isfinite(parsm.partial_soft_match(plain, shuffled, 0.5).cost)


def test_npz_with_ids_beside_the_responses(tmp_path, data):
    X, Y = data
    np.savez(tmp_path / "r.npz", resp=X, ids=np.arange(60), fs=np.array([[30.0]]))
    np.testing.assert_array_equal(load_responses(tmp_path / "r.npz")[0], X)
    np.savez(tmp_path / "two.npz", X=X, Y=Y, ids=np.arange(60))
    with pytest.raises(ValueError, match=r"holds 3 arrays \(X \(60, 5\), Y \(60, 5\), ids"):
        load_responses(tmp_path / "two.npz")
    np.testing.assert_array_equal(load_responses(tmp_path / "two.npz", key="Y")[0], Y)


def test_hdf5_groups_and_matlab_files(tmp_path, data):
    X, _ = data
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "rec.h5", "w") as f:
        f["stimulus_ids"] = np.arange(60)
        f.create_group("processing").create_group("ophys")["dff"] = X
    got, _ = load_responses(tmp_path / "rec.h5")  # the one 2-D dataset, inside groups
    np.testing.assert_array_equal(got, X)
    with h5py.File(tmp_path / "rec.h5", "a") as f:
        f["timestamps"] = np.arange(60.0)[:, None]  # 2-D, but a vector
    np.testing.assert_array_equal(load_responses(tmp_path / "rec.h5")[0], X)
    with h5py.File(tmp_path / "rec.h5", "a") as f:
        f["other"] = X[:, :2]
    with pytest.raises(ValueError, match="has 3 2-D numeric datasets"):
        load_responses(tmp_path / "rec.h5")
    np.testing.assert_array_equal(
        load_responses(tmp_path / "rec.h5", dataset="processing/ophys/dff")[0], X
    )
    scipy_io = pytest.importorskip("scipy.io")
    scipy_io.savemat(tmp_path / "v5.mat", {"resp": X, "ids": np.arange(60.0)[None, :], "fs": 30.0})
    np.testing.assert_array_equal(load_responses(tmp_path / "v5.mat", key="resp")[0], X)
    # MATLAB keeps every scalar and vector 2-D: the one matrix among them is the responses.
    np.testing.assert_array_equal(load_responses(tmp_path / "v5.mat")[0], X)
    scipy_io.savemat(tmp_path / "two.mat", {"resp": X, "other": X[:, :3]})
    with pytest.raises(ValueError, match=r"holds 2 2-D numeric variables \(resp"):
        load_responses(tmp_path / "two.mat")
    # A struct's fields, nested too, as struct.field (scipy reads a struct as a record).
    scipy_io.savemat(tmp_path / "s.mat", {"S": {"resp": X, "meta": {"raw": X[:, :2]}}})
    np.testing.assert_array_equal(load_responses(tmp_path / "s.mat", key="S.resp")[0], X)
    raw, _ = load_responses(tmp_path / "s.mat", key="S.meta.raw")
    np.testing.assert_array_equal(raw, X[:, :2])
    with pytest.raises(ValueError, match=r"as struct\.field"):
        load_responses(tmp_path / "s.mat")
    # MATLAB v7.3 is HDF5, column-major: h5py sees the transpose, parsm undoes it; a struct
    # is a group, its fields named as in v5 (or as the HDF5 path).
    with h5py.File(tmp_path / "v73.mat", "w") as f:
        f["resp"] = X.T
        f["S/resp"] = X[:, :2].T
        f["fs"] = np.ones((1, 1))
    with pytest.raises(ValueError, match=r"S\.resp \(60, 2\)"):
        load_responses(tmp_path / "v73.mat")
    np.testing.assert_array_equal(load_responses(tmp_path / "v73.mat", key="resp")[0], X)
    for key in ("S.resp", "S/resp"):
        got, _ = load_responses(tmp_path / "v73.mat", key=key)
        np.testing.assert_array_equal(got, X[:, :2])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.npy", b"", r"is empty \(0 bytes\)"),
        ("text.npy", b"1,2\n3,4\n", "is not a NumPy .npy file"),
        ("noise.npz", b"\x00\x01garbage", "is not a NumPy .npz archive"),
        ("bad.h5", b"not hdf5 at all", "not a readable HDF5 file"),
        ("empty.csv", b"\n\n", "is empty"),
    ],
)
def test_reader_errors_name_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    if name.endswith(".h5"):
        pytest.importorskip("h5py")
    with pytest.raises(ValueError, match=message) as exc:
        load_responses(path)
    assert name in str(exc.value)


def test_latin1_csv_and_folders(tmp_path, data, capsys):
    X, _ = data
    text = "caf\xe9,b\n" + "\n".join(f"{a},{b}" for a, b in X[:, :2].tolist())
    (tmp_path / "l1.csv").write_bytes(text.encode("latin-1"))
    notes = []
    got, units = load_responses(tmp_path / "l1.csv", notes=notes)
    assert units == ["caf\xe9", "b"] and "Latin-1" in notes[0]
    (tmp_path / "folder.npy").mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        load_responses(tmp_path / "folder.npy")


def test_a_one_dimensional_file_gets_cli_advice(tmp_path, data, capsys):
    X, Y = data
    np.save(tmp_path / "flat.npy", X[:, 0])
    np.save(tmp_path / "y.npy", Y)
    assert main(["compare", str(tmp_path / "flat.npy"), str(tmp_path / "y.npy")]) == 1
    err = capsys.readouterr().err
    assert "must hold a 2-D array, stimuli x units" in err and "reshape" not in err


def test_spreadsheet_and_savetxt_text_files(tmp_path, data, capsys):
    """Text files as users have them: a European spreadsheet's export (semicolons, decimal
    commas), np.savetxt's defaults (spaces, .txt) and its header (a # comment line), and
    comment lines; each read as the same responses, with a note saying what was guessed."""
    X, Y = data
    names = [f"u{k}" for k in range(5)]

    def euro(v: float) -> str:
        return repr(v).replace(".", ",")

    rows = [";".join(names)] + [";".join(euro(v) for v in row) for row in X.tolist()]
    (tmp_path / "euro.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    np.savetxt(tmp_path / "plain.txt", X)
    np.savetxt(tmp_path / "named.csv", X, delimiter=",", header=",".join(names))
    commented = "# recorded 2026-01-01\n# session 3\n" + "\n".join(
        ",".join(repr(v) for v in row) for row in [*X.tolist()]
    )
    (tmp_path / "commented.csv").write_text(commented, encoding="utf-8")
    for name, units, said in [
        ("euro.csv", names, "separated by semicolons (decimal commas read as points)"),
        ("plain.txt", None, "separated by spaces"),
        ("named.csv", names, "the unit names come from the comment line '# u0,u1,u2,u3,u4'"),
        ("commented.csv", None, "2 line(s) starting with # skipped as comments"),
    ]:
        notes: list[str] = []
        got, got_units = load_responses(tmp_path / name, notes=notes)
        assert got_units == units, name
        np.testing.assert_array_equal(got, X, err_msg=name)
        assert any(said in n for n in notes), (name, notes)
    # Thousands separators of a decimal-comma file, and names with commas, stay what they are.
    (tmp_path / "t.csv").write_text("a,b;c\n1.234,5;2\n3;-0,25\n", encoding="utf-8")
    got, units = load_responses(tmp_path / "t.csv")
    assert units == ["a,b", "c"] and got.tolist() == [[1234.5, 2.0], [3.0, -0.25]]
    # The command line reads them too, and says what it guessed.
    np.savetxt(tmp_path / "y.txt", Y)
    assert main(["compare", str(tmp_path / "euro.csv"), str(tmp_path / "y.txt"), "--s", "0.5"]) == 0
    assert "separated by spaces" in capsys.readouterr().err


def test_compressed_text_and_a_separator_ending_every_line(tmp_path, data, capsys):
    """pandas and np.savetxt compress a .csv.gz / .txt.gz by its name; some spreadsheets end
    every line with a separator (on the header too, or on the data rows only). Each reads as
    the same responses; a unit whose cells are all empty stays a unit (of NaN)."""
    import gzip

    X, Y = data
    names = [f"u{k}" for k in range(5)]
    np.savetxt(tmp_path / "x.csv.gz", X, delimiter=",", header=",".join(names))
    np.savetxt(tmp_path / "x.txt.gz", X)
    body = [",".join(repr(v) for v in row) + "," for row in X.tolist()]
    (tmp_path / "both.csv").write_text("\n".join([",".join(names) + ","] + body) + "\n")
    (tmp_path / "rows.csv").write_text("\n".join([",".join(names)] + body) + "\n")
    (tmp_path / "none.csv").write_text("\n".join(body) + "\n")
    for name, units in [
        ("x.csv.gz", names),
        ("x.txt.gz", None),
        ("both.csv", names),
        ("rows.csv", names),
        ("none.csv", None),
    ]:
        notes: list[str] = []
        got, got_units = load_responses(tmp_path / name, notes=notes)
        np.testing.assert_array_equal(got, X, err_msg=name)
        assert got_units == units, name
        if name.endswith(".csv"):
            assert any("the empty last column is ignored" in n for n in notes), (name, notes)
    named_empty = [",".join(names + ["dead"])] + body
    (tmp_path / "dead.csv").write_text("\n".join(named_empty) + "\n")
    got, got_units = load_responses(tmp_path / "dead.csv")
    assert got_units == names + ["dead"] and np.isnan(got[:, 5]).all()
    (tmp_path / "bad.csv.gz").write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(ValueError, match="bad.csv.gz: not a readable gzip file"):
        load_responses(tmp_path / "bad.csv.gz")
    (tmp_path / "y.tsv.gz").write_bytes(
        gzip.compress("\n".join("\t".join(repr(v) for v in r) for r in Y.tolist()).encode())
    )
    assert (
        main(["compare", str(tmp_path / "x.csv.gz"), str(tmp_path / "y.tsv.gz"), "--s", "0.5"]) == 0
    )
    # pairwise names populations by their files, without both suffixes of a compressed one.
    out = tmp_path / "pw"
    files = [str(tmp_path / "x.csv.gz"), str(tmp_path / "y.tsv.gz"), str(tmp_path / "both.csv")]
    assert main(["pairwise", *files, "--s", "0.5", "--out", str(out)]) == 0
    rows = list(csv.DictReader(open(out / "pairs.csv")))
    assert [(r["a"], r["b"]) for r in rows] == [("x", "y"), ("x", "both"), ("y", "both")]
    capsys.readouterr()
    np.save(tmp_path / "c.npy", X.astype(complex))
    assert main(["compare", str(tmp_path / "c.npy"), str(tmp_path / "x.csv.gz")]) == 1
    err = capsys.readouterr().err
    assert "got dtype complex128. The file must hold real numbers." in err and "np." not in err
    for suffix in (".parquet", ".feather", ".pkl"):
        (tmp_path / f"t{suffix}").write_bytes(b"PAR1")
        with pytest.raises(ValueError, match=r"save the table as \.csv"):
            load_responses(tmp_path / f"t{suffix}")


def test_matlab_cell_arrays_and_sparse_matrices(tmp_path, data):
    """MATLAB users keep populations in a cell array (resp{1}, resp{2}, ...) and counts in
    sparse matrices: v5 (scipy) and v7.3 (HDF5: cells are references into #refs#, a sparse
    matrix is a group of compressed columns) read both, cells named as MATLAB names them."""
    h5py = pytest.importorskip("h5py")
    scipy_io = pytest.importorskip("scipy.io")
    sparse = pytest.importorskip("scipy.sparse")
    X, Y = data
    S = sparse.random(60, 6, density=0.3, random_state=1, format="csc")
    cells = np.empty((1, 2), dtype=object)
    cells[0, 0], cells[0, 1] = X, Y[:, :4]
    grid = np.empty((2, 2), dtype=object)
    grid[0, 0], grid[1, 0], grid[0, 1], grid[1, 1] = X, Y, X[:, :2], Y[:, :3]
    scipy_io.savemat(tmp_path / "v5.mat", {"resp": cells, "S": S, "G": grid, "who": "mouse 3"})
    with h5py.File(tmp_path / "v73.mat", "w", userblock_size=512) as f:
        refs = f.create_group("#refs#")
        a, b = refs.create_dataset("a", data=X.T), refs.create_dataset("b", data=Y[:, :4].T)
        c = f.create_dataset("resp", data=np.array([[a.ref], [b.ref]], dtype=h5py.ref_dtype))
        c.attrs["MATLAB_class"] = np.bytes_("cell")
        g = f.create_group("S")
        g.attrs["MATLAB_class"], g.attrs["MATLAB_sparse"] = np.bytes_("double"), np.uint64(60)
        g["data"], g["ir"], g["jc"] = (
            S.data,
            S.indices.astype(np.uint64),
            S.indptr.astype(np.uint64),
        )
        who = f.create_dataset("who", data=np.array([[109, 111], [117, 115]], dtype=np.uint16))
        who.attrs["MATLAB_class"] = np.bytes_("char")
    with open(tmp_path / "v73.mat", "r+b") as f:  # MATLAB's text in the user block
        f.write(b"MATLAB 7.3 MAT-file")
    for name in ("v5.mat", "v73.mat"):
        path = tmp_path / name
        np.testing.assert_array_equal(load_responses(path, key="resp{1}")[0], X)
        np.testing.assert_array_equal(load_responses(path, key="resp{2}")[0], Y[:, :4])
        np.testing.assert_array_equal(load_responses(path, key="S")[0], S.toarray())
        found = load_populations(path)
        assert {"resp{1}", "resp{2}", "S"} <= set(found), name  # HDF5 lists names sorted
        with pytest.raises(ValueError, match=r"resp\{1\} \(60, 5\), resp\{2\} \(60, 4\)"):
            load_responses(path)
    # Broken v7.3 structures are errors naming the file, not tracebacks or endless recursion.
    with h5py.File(tmp_path / "bad73.mat", "w", userblock_size=512) as f:
        g = f.create_group("S")
        g.attrs["MATLAB_sparse"] = np.uint64(60)
        g["data"] = S.data  # no ir or jc
    with h5py.File(tmp_path / "loop73.mat", "w", userblock_size=512) as f:
        loop = f.create_dataset("C", shape=(1, 1), dtype=h5py.ref_dtype)
        loop[0, 0] = loop.ref  # a cell that holds itself
    for name, said in [("bad73.mat", "'jc'"), ("loop73.mat", "nested more than 32 levels")]:
        with open(tmp_path / name, "r+b") as f:
            f.write(b"MATLAB 7.3 MAT-file")
        with pytest.raises(ValueError, match=f"{name}: not a readable MATLAB v7.3 file.*{said}"):
            load_responses(tmp_path / name)
    # A 2-D cell array's cells as MATLAB indexes them, column by column.
    np.testing.assert_array_equal(load_responses(tmp_path / "v5.mat", key="G{2,1}")[0], Y)
    np.testing.assert_array_equal(load_responses(tmp_path / "v5.mat", key="G{1,2}")[0], X[:, :2])


def test_files_labelling_the_same_stimuli_in_other_orders_are_refused(tmp_path, data, capsys):
    """pandas writes the stimulus labels as an index column; files sorted differently would be
    compared stimulus against other stimulus."""
    pd = pytest.importorskip("pandas")
    X, Y = data
    stimuli = [f"img{k}" for k in range(60)]
    fx = pd.DataFrame(X, index=pd.Index(stimuli, name="stimulus"))
    fy = pd.DataFrame(Y, index=pd.Index(stimuli, name="stimulus"))
    fx.to_csv(tmp_path / "x.csv")
    fy.to_csv(tmp_path / "y.csv")
    fy.iloc[::-1].to_csv(tmp_path / "y_reversed.csv")
    labels: list[str] = []
    got, _ = load_responses(tmp_path / "y_reversed.csv", stimuli=labels)
    assert labels == stimuli[::-1]
    np.testing.assert_array_equal(got, Y[::-1])
    fx.T.to_csv(tmp_path / "x_units_by_stimuli.csv")  # transposed: the header names stimuli
    labels = []
    load_responses(tmp_path / "x_units_by_stimuli.csv", transpose=True, stimuli=labels)
    assert labels == stimuli
    x, y, rev = (str(tmp_path / n) for n in ("x.csv", "y.csv", "y_reversed.csv"))
    for argv in (["compare", x, rev], ["pairwise", x, y, rev]):
        assert main([*argv, "--s", "0.5"]) == 1
        err = capsys.readouterr().err
        assert "label the same stimuli (rows) in different orders" in err, err
    assert main(["compare", x, y, "--s", "0.5"]) == 0

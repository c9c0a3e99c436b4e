"""Tests for skrapid.datasets (no network, no real MNIST files needed)."""

import gzip
import struct

import numpy as np
import pytest

from skrapid import datasets
from skrapid.datasets import (
    _mnist,
    binarize,
    load_digits_nudged,
    load_mnist,
    make_mnist_like,
)
from skrapid.datasets._mnist import _read_amat, _read_idx

# --------------------------------------------------------------------------
# Helpers writing tiny synthetic files
# --------------------------------------------------------------------------


def _idx_bytes(array, type_code=0x08):
    array = np.asarray(array)
    header = struct.pack(">I", (type_code << 8) | array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    dtype = {
        0x08: ">u1",
        0x09: ">i1",
        0x0B: ">i2",
        0x0C: ">i4",
        0x0D: ">f4",
        0x0E: ">f8",
    }[type_code]
    return header + array.astype(dtype).tobytes()


def _write(path, data, compress=None):
    if compress is None:
        compress = path.name.endswith(".gz")
    if compress:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)
    return path


def _fake_mnist(folder, prefix="train", n=5, gz=True, seed=0):
    rng = np.random.RandomState(seed)
    images = rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
    images[0, 0, 0] = 255
    images[0, 0, 1] = 0
    labels = rng.randint(0, 10, size=n).astype(np.uint8)
    ext = ".gz" if gz else ""
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / f"{prefix}-images-idx3-ubyte{ext}", _idx_bytes(images))
    _write(folder / f"{prefix}-labels-idx1-ubyte{ext}", _idx_bytes(labels))
    return images, labels


def _amat_text(rows):
    return "".join(" ".join(str(int(v)) for v in row) + "\n" for row in rows)


def _fake_amat(folder, subset="train", n=4, gz=False, seed=0):
    rows = np.random.RandomState(seed).randint(0, 2, size=(n, 784))
    folder.mkdir(parents=True, exist_ok=True)
    ext = ".gz" if gz else ""
    _write(folder / f"binarized_mnist_{subset}.amat{ext}", _amat_text(rows).encode())
    return rows


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv("SKRAPID_DATA", raising=False)


# --------------------------------------------------------------------------
# _read_idx
# --------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_roundtrip(tmp_path, gz):
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    path = _write(tmp_path / ("a.idx" + (".gz" if gz else "")), _idx_bytes(a))
    out = _read_idx(path)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, a)


@pytest.mark.parametrize(
    "type_code, dtype",
    [
        (0x09, np.int8),
        (0x0B, np.int16),
        (0x0C, np.int32),
        (0x0D, np.float32),
        (0x0E, np.float64),
    ],
)
def test_read_idx_other_types_native_order(tmp_path, type_code, dtype):
    a = np.array([[-3, 1000], [7, -1]])
    if np.dtype(dtype).itemsize == 1:
        a = np.array([[-3, 100], [7, -1]])
    out = _read_idx(_write(tmp_path / "a.idx", _idx_bytes(a, type_code)))
    assert out.dtype == np.dtype(dtype)
    assert out.dtype.isnative
    np.testing.assert_array_equal(out, a)


def test_read_idx_bad_magic(tmp_path):
    data = b"\x00\x01\x08\x01" + struct.pack(">I", 2) + b"\x01\x02"
    with pytest.raises(ValueError, match="magic number 0x00010801"):
        _read_idx(_write(tmp_path / "bad.idx", data))
    data = b"\x00\x00\x07\x01" + struct.pack(">I", 2) + b"\x01\x02"
    with pytest.raises(ValueError, match="magic number"):
        _read_idx(_write(tmp_path / "bad2.idx", data))


def test_read_idx_truncated(tmp_path):
    full = _idx_bytes(np.zeros((3, 28, 28), dtype=np.uint8))
    with pytest.raises(ValueError, match="truncated"):
        _read_idx(_write(tmp_path / "short.idx", full[:-10]))
    with pytest.raises(ValueError, match="truncated"):
        _read_idx(_write(tmp_path / "header.idx", full[:9]))
    with pytest.raises(ValueError, match="too short"):
        _read_idx(_write(tmp_path / "tiny.idx", b"\x00\x00"))
    with pytest.raises(ValueError, match="corrupt"):
        _read_idx(_write(tmp_path / "long.idx", full + b"\x00"))


def test_read_idx_truncated_gzip(tmp_path):
    full = _idx_bytes(np.zeros((3, 28, 28), dtype=np.uint8))
    good = _write(tmp_path / "x.idx.gz", full)
    broken = tmp_path / "broken.idx.gz"
    broken.write_bytes(good.read_bytes()[:20])
    with pytest.raises(ValueError, match="gzip"):
        _read_idx(broken)
    not_gz = tmp_path / "notgz.idx.gz"
    not_gz.write_bytes(b"this is not gzip data")
    with pytest.raises(ValueError, match="gzip"):
        _read_idx(not_gz)


# --------------------------------------------------------------------------
# _read_amat
# --------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True])
def test_read_amat(tmp_path, gz):
    rows = np.array([[0, 1, 1], [1, 0, 0]])
    path = tmp_path / ("a.amat" + (".gz" if gz else ""))
    _write(path, _amat_text(rows).encode())
    out = _read_amat(path)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, rows)


def test_read_amat_general_formats(tmp_path):
    # CRLF endings, tabs, blank lines, "1.0"-style values.
    text = b"0 1.0\t1\r\n\r\n1.0 0 0.0\r\n"
    out = _read_amat(_write(tmp_path / "a.amat", text))
    np.testing.assert_array_equal(out, [[0, 1, 1], [1, 0, 0]])
    text = b"0  1   1\r\n\n1\t0 0"  # multiple spaces, no final newline
    out = _read_amat(_write(tmp_path / "b.amat", text))
    np.testing.assert_array_equal(out, [[0, 1, 1], [1, 0, 0]])


def test_read_amat_errors(tmp_path):
    with pytest.raises(ValueError, match="row 1 has 2 values"):
        _read_amat(_write(tmp_path / "ragged.amat", b"0 1 1\n1 0\n"))
    with pytest.raises(ValueError, match="only 0 and 1"):
        _read_amat(_write(tmp_path / "two.amat", b"0 1 2\n1 0 0\n"))
    with pytest.raises(ValueError, match="non-numeric"):
        _read_amat(_write(tmp_path / "text.amat", b"0 1 x\n1 0 0\n"))
    with pytest.raises(ValueError, match="no data rows"):
        _read_amat(_write(tmp_path / "empty.amat", b"\n  \n"))


# --------------------------------------------------------------------------
# load_mnist
# --------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("subset, prefix", [("train", "train"), ("test", "t10k")])
def test_load_mnist_idx(tmp_path, gz, subset, prefix):
    images, labels = _fake_mnist(tmp_path, prefix=prefix, n=5, gz=gz)
    X, y = load_mnist(tmp_path, subset=subset, allow_download=False)
    assert X.shape == (5, 784)
    assert X.dtype == np.float32
    assert y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_allclose(X, images.reshape(5, -1) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, labels)


def test_load_mnist_bunch_dtype_and_subfolder(tmp_path):
    images, labels = _fake_mnist(tmp_path / "mnist", n=3)
    bunch = load_mnist(
        str(tmp_path), return_X_y=False, dtype=np.float64, allow_download=False
    )
    assert bunch.data.dtype == np.float64
    assert bunch.images.shape == (3, 28, 28)
    np.testing.assert_allclose(bunch.images, images / 255.0)
    np.testing.assert_array_equal(bunch.target, labels)
    assert len(bunch.filenames) == 2
    assert "MNIST" in bunch.DESCR


def test_load_mnist_env_var(tmp_path, monkeypatch):
    _fake_mnist(tmp_path, prefix="t10k", n=2)
    monkeypatch.setenv("SKRAPID_DATA", str(tmp_path))
    X, y = load_mnist(subset="test", allow_download=False)
    assert X.shape == (2, 784)


def test_load_mnist_default_home(tmp_path, monkeypatch, no_env):
    monkeypatch.setenv("HOME", str(tmp_path))
    _fake_mnist(tmp_path / "skrapid_data" / "mnist", prefix="t10k", n=2)
    X, _ = load_mnist(subset="test", allow_download=False)
    assert X.shape == (2, 784)


def test_load_mnist_missing_files_message(tmp_path, no_env):
    with pytest.raises(FileNotFoundError) as excinfo:
        load_mnist(tmp_path, subset="test", allow_download=False)
    msg = str(excinfo.value)
    assert str(tmp_path) in msg
    assert str(tmp_path / "mnist") in msg
    assert "t10k-images-idx3-ubyte" in msg
    assert "t10k-labels-idx1-ubyte.gz" in msg
    assert "SKRAPID_DATA" in msg and "data_home" in msg


def test_load_mnist_only_labels_missing(tmp_path):
    _fake_mnist(tmp_path, n=2)
    (tmp_path / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="train-labels-idx1-ubyte"):
        load_mnist(tmp_path, allow_download=False)


def test_load_mnist_download_fallback(tmp_path, monkeypatch):
    calls = []

    def fake_fetch(name, **kwargs):
        calls.append((name, kwargs))
        column = np.arange(70000, dtype=np.float64)[:, None] % 256
        X = np.broadcast_to(column, (70000, 784))  # no 440 MB allocation
        y = np.array([str(i % 10) for i in range(70000)], dtype=object)
        return X, y

    monkeypatch.setattr(_mnist, "fetch_openml", fake_fetch)
    X, y = load_mnist(tmp_path, subset="test")
    assert calls[0][0] == "mnist_784"
    assert calls[0][1]["data_home"] == str(tmp_path)
    assert X.shape == (10000, 784) and X.dtype == np.float32
    assert y.dtype == np.int64
    assert y[0] == 60000 % 10
    np.testing.assert_allclose(X[0, 0], (60000 % 256) / 255.0, rtol=1e-6)
    X, y = _mnist._fetch_mnist_openml(tmp_path, "train")
    assert X.shape == (60000, 784) and y[:3].tolist() == [0, 1, 2]


def test_load_mnist_download_failure(tmp_path, monkeypatch):
    def failing_fetch(name, **kwargs):
        raise OSError("network unreachable")

    monkeypatch.setattr(_mnist, "fetch_openml", failing_fetch)
    with pytest.raises(FileNotFoundError, match="network unreachable") as excinfo:
        load_mnist(tmp_path)
    assert "train-images-idx3-ubyte" in str(excinfo.value)


def test_load_mnist_no_download_when_disallowed(tmp_path, monkeypatch):
    def fail(*args, **kwargs):  # pragma: no cover - must not be called
        raise AssertionError("fetch_openml must not be called")

    monkeypatch.setattr(_mnist, "fetch_openml", fail)
    with pytest.raises(FileNotFoundError, match="allow_download=False"):
        load_mnist(tmp_path, allow_download=False)


def test_load_mnist_corrupt_files(tmp_path):
    _fake_mnist(tmp_path, n=3, gz=False)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ValueError, match="truncated"):
        load_mnist(tmp_path, allow_download=False)


def test_load_mnist_mismatched_files(tmp_path):
    _fake_mnist(tmp_path, n=3, gz=False)
    _write(tmp_path / "train-labels-idx1-ubyte", _idx_bytes(np.zeros(2)))
    with pytest.raises(ValueError, match="3 images"):
        load_mnist(tmp_path, allow_download=False)
    _write(tmp_path / "train-images-idx3-ubyte", _idx_bytes(np.zeros((2, 8, 8))))
    with pytest.raises(ValueError, match="28, 28"):
        load_mnist(tmp_path, allow_download=False)


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("subset", ["train", "valid", "test"])
def test_load_binarized_mnist(tmp_path, gz, subset):
    rows = _fake_amat(tmp_path / "binarized_mnist", subset=subset, n=3, gz=gz)
    X, y = load_mnist(tmp_path, subset=subset, binarized=True)
    assert y is None
    assert X.shape == (3, 784) and X.dtype == np.float32
    np.testing.assert_array_equal(X, rows)
    bunch = load_mnist(
        tmp_path, subset=subset, binarized=True, return_X_y=False, dtype=np.uint8
    )
    assert bunch.target is None and bunch.data.dtype == np.uint8
    assert bunch.images.shape == (3, 28, 28)


def test_load_binarized_mnist_wrong_width(tmp_path):
    _write(tmp_path / "binarized_mnist_test.amat", b"0 1\n1 0\n")
    with pytest.raises(ValueError, match="784"):
        load_mnist(tmp_path, subset="test", binarized=True)


def test_load_binarized_mnist_missing(tmp_path, monkeypatch):
    def fail(*args, **kwargs):  # pragma: no cover - must not be called
        raise AssertionError("fetch_openml must not be called")

    monkeypatch.setattr(_mnist, "fetch_openml", fail)
    with pytest.raises(FileNotFoundError) as excinfo:
        load_mnist(tmp_path, subset="valid", binarized=True)
    msg = str(excinfo.value)
    assert "binarized_mnist_valid.amat" in msg
    assert str(tmp_path / "binarized_mnist") in msg


def test_load_mnist_bad_parameters(tmp_path):
    with pytest.raises(ValueError, match="subset='valid'.*binarized=True"):
        load_mnist(tmp_path, subset="valid", allow_download=False)
    with pytest.raises(ValueError, match="subset='dev'"):
        load_mnist(tmp_path, subset="dev", binarized=True)
    with pytest.raises(ValueError, match="floating"):
        load_mnist(tmp_path, dtype=np.int32, allow_download=False)


# --------------------------------------------------------------------------
# binarize
# --------------------------------------------------------------------------


def test_binarize_threshold():
    X = np.array([[0.2, 0.5, 0.51], [1.0, 0.0, 0.7]])
    out = binarize(X)
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 1]])
    assert out.dtype == np.float64
    np.testing.assert_array_equal(binarize(X, threshold=0.1), [[1, 1, 1], [1, 0, 1]])
    # Thresholding is not restricted to [0, 1].
    np.testing.assert_array_equal(binarize([-3.0, 5.0], threshold=0), [0, 1])


def test_binarize_spin_units():
    X = np.array([0.2, 0.9, 0.6], dtype=np.float32)
    out = binarize(X, units="spin")
    np.testing.assert_array_equal(out, [-1, 1, 1])
    assert out.dtype == np.float32
    out = binarize(X, method="stochastic", units="spin", random_state=0)
    assert set(np.unique(out).tolist()) <= {-1.0, 1.0}


@pytest.mark.parametrize(
    "X, dtype",
    [
        (np.zeros(3, dtype=np.float32), np.float32),
        (np.zeros(3, dtype=np.float64), np.float64),
        (np.zeros(3, dtype=np.int32), np.float64),
        (np.zeros(3, dtype=bool), np.float64),
        ([0, 1, 1], np.float64),
    ],
)
@pytest.mark.parametrize("method", ["threshold", "stochastic"])
def test_binarize_dtype(X, dtype, method):
    out = binarize(X, method=method, random_state=0)
    assert out.dtype == dtype
    assert out.shape == np.shape(X)


def test_binarize_stochastic_mean():
    p = np.array([0.0, 0.05, 0.3, 0.5, 0.9, 1.0])
    n = 20000
    X = np.tile(p, (n, 1))
    out = binarize(X, method="stochastic", random_state=42)
    assert set(np.unique(out).tolist()) <= {0.0, 1.0}
    se = np.sqrt(p * (1 - p) / n)
    assert np.all(np.abs(out.mean(axis=0) - p) <= 5 * se + 1e-12)
    # p = 0 and p = 1 are deterministic.
    assert np.all(out[:, 0] == 0) and np.all(out[:, -1] == 1)


def test_binarize_stochastic_reproducible():
    X = np.random.RandomState(0).uniform(size=(50, 20))
    a = binarize(X, method="stochastic", random_state=3)
    b = binarize(X, method="stochastic", random_state=3)
    c = binarize(X, method="stochastic", random_state=4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    rng = np.random.RandomState(3)
    np.testing.assert_array_equal(binarize(X, method="stochastic", random_state=rng), a)


def test_binarize_does_not_modify_input():
    X = np.array([0.2, 0.8])
    binarize(X, units="spin")
    np.testing.assert_array_equal(X, [0.2, 0.8])


@pytest.mark.parametrize("method", ["threshold", "stochastic"])
def test_binarize_nan_inf(method):
    with pytest.raises(ValueError, match="NaN"):
        binarize([0.1, np.nan], method=method)
    with pytest.raises(ValueError, match="infinity"):
        binarize([0.1, np.inf], method=method)


def test_binarize_stochastic_out_of_range():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        binarize([0.1, 1.5], method="stochastic")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        binarize([-0.1, 0.5], method="stochastic")


def test_binarize_bad_parameters():
    with pytest.raises(ValueError, match="method='bogus'"):
        binarize([0.1], method="bogus")
    with pytest.raises(ValueError, match="units='binary'"):
        binarize([0.1], units="binary")
    with pytest.raises(ValueError, match="threshold"):
        binarize([0.1], threshold=np.nan)
    with pytest.raises(ValueError, match="threshold"):
        binarize([0.1], threshold="0.5")
    with pytest.raises(ValueError, match="real numbers"):
        binarize(np.array(["a", "b"]))


def test_binarize_rejects_sparse():
    from scipy import sparse

    with pytest.raises(TypeError, match="sparse"):
        binarize(sparse.csr_matrix(np.eye(2)))


# --------------------------------------------------------------------------
# load_digits_nudged and make_mnist_like
# --------------------------------------------------------------------------


def test_load_digits_nudged():
    X, y = load_digits_nudged()
    assert X.shape == (8985, 64) and y.shape == (8985,)
    assert X.dtype == np.float64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(y[:1797], y[1797:3594])
    Xr, _ = load_digits_nudged(scale=False, dtype=np.float32)
    assert Xr.dtype == np.float32 and Xr.max() == 16.0
    images = Xr.reshape(5, 1797, 8, 8)
    # Second block: shifted up (row i takes row i + 1 of the original).
    np.testing.assert_array_equal(images[1][:, :-1], images[0][:, 1:])
    assert np.all(images[1][:, -1] == 0)
    # Last block: shifted down.
    np.testing.assert_array_equal(images[4][:, 1:], images[0][:, :-1])
    bunch = load_digits_nudged(return_X_y=False)
    assert bunch.images.shape == (8985, 8, 8)
    assert "nudge" in bunch.DESCR.lower()


def test_make_mnist_like():
    X, y = make_mnist_like(60, random_state=0)
    assert X.shape == (60, 784) and y.shape == (60,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert set(np.unique(X).tolist()) <= {0.0, 1.0}
    assert 0.05 < X.mean() < 0.6
    X2, y2 = make_mnist_like(60, random_state=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make_mnist_like(5, random_state=1, dtype=np.float32)
    assert X3.dtype == np.float32
    with pytest.raises(ValueError, match="n_samples"):
        make_mnist_like(0)


# --------------------------------------------------------------------------
# bars and stripes
# --------------------------------------------------------------------------


def _rows(X):
    return {tuple(row) for row in np.asarray(X).tolist()}


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_make_bars_vertical(n):
    X = datasets.make_bars(n)
    assert X.shape == (2**n - 2, n * n) and X.dtype == np.float64
    assert len(_rows(X)) == X.shape[0]
    images = X.reshape(-1, n, n)
    # Every column is constant, and no image is uniform.
    assert np.all(images == images[:, :1, :])
    assert np.all(np.abs(images.sum(axis=(1, 2))) < n * n)
    assert set(np.unique(X).tolist()) == {-1.0, 1.0}
    # Order: the integer whose bits (column 0 first) are the column states.
    bits = (images[:, 0, :] + 1) / 2
    codes = bits @ (2 ** np.arange(n - 1, -1, -1))
    np.testing.assert_array_equal(codes, np.arange(1, 2**n - 1))


def test_make_bars_options():
    X = datasets.make_bars(4, include_uniform=True, units="bernoulli")
    assert X.shape == (16, 16)
    np.testing.assert_array_equal(X[0], np.zeros(16))
    np.testing.assert_array_equal(X[-1], np.ones(16))
    np.testing.assert_array_equal(datasets.make_bars(4, units="bernoulli"), X[1:-1])
    V = datasets.make_bars(3)
    Hz = datasets.make_bars(3, orientation="horizontal", dtype=np.float32)
    assert Hz.dtype == np.float32
    np.testing.assert_array_equal(
        Hz, V.reshape(-1, 3, 3).transpose(0, 2, 1).reshape(-1, 9)
    )
    # Row-major flattening: pixel (r, c) at r * n + c.
    X = datasets.make_bars(4)
    assert X[0, 3] == 1 and X[0, 2] == -1 and X[0, 4 + 3] == 1
    assert datasets.make_bars(4, dtype=np.int8).dtype == np.int8


def test_make_bars_bad_parameters():
    with pytest.raises(ValueError, match="n=1"):
        datasets.make_bars(1)
    with pytest.raises(ValueError, match="n=2.0"):
        datasets.make_bars(2.0)
    with pytest.raises(ValueError, match="orientation='diagonal'"):
        datasets.make_bars(4, orientation="diagonal")
    with pytest.raises(ValueError, match="units='binary'"):
        datasets.make_bars(4, units="binary")
    with pytest.raises(ValueError, match="include_uniform"):
        datasets.make_bars(4, include_uniform="yes")
    with pytest.raises(ValueError, match="dtype"):
        datasets.make_bars(4, dtype=np.uint8)  # cannot hold -1
    with pytest.raises(ValueError, match="dtype"):
        datasets.make_bars(4, dtype=np.str_)


@pytest.mark.parametrize("units", ["spin", "bernoulli"])
def test_bars_4x4_split(units):
    X_train, X_test = datasets.bars_4x4_split(units=units)
    assert X_train.shape == (10, 16) and X_test.shape == (4, 16)
    all_bars = datasets.make_bars(4, units=units)
    assert _rows(X_train) | _rows(X_test) == _rows(all_bars)
    assert not _rows(X_train) & _rows(X_test)
    flip = (lambda X: -X) if units == "spin" else (lambda X: 1 - X)
    assert _rows(flip(X_train)) == _rows(X_train)
    assert _rows(flip(X_test)) == _rows(X_test)
    lo = -1.0 if units == "spin" else 0.0
    pattern = np.array([1, -1, 1, -1], dtype=float)
    expected = np.tile(np.where(pattern > 0, 1.0, lo), 4)
    np.testing.assert_array_equal(X_test[0], expected)
    train_patterns = {tuple(row) for row in X_train[:, :4].tolist()}
    assert (1.0, lo, lo, lo) in train_patterns and (1.0, 1.0, lo, 1.0) in (
        train_patterns
    )


def test_bars_4x4_split_dtype_and_errors():
    X_train, X_test = datasets.bars_4x4_split(dtype=np.float32)
    assert X_train.dtype == X_test.dtype == np.float32
    with pytest.raises(ValueError, match="units='ising'"):
        datasets.bars_4x4_split(units="ising")


@pytest.mark.parametrize("units", ["spin", "bernoulli"])
def test_make_bars_and_stripes(units):
    X = datasets.make_bars_and_stripes(12, units=units)
    assert X.shape == (8188, 144) and X.dtype == np.float64
    assert len(np.unique(X, axis=0)) == 8188
    images = X.reshape(-1, 12, 12)
    vertical = np.all(images == images[:, :1, :], axis=(1, 2))
    horizontal = np.all(images == images[:, :, :1], axis=(1, 2))
    assert np.all(vertical ^ horizontal)
    assert vertical.sum() == horizontal.sum() == 4094
    small = datasets.make_bars_and_stripes(3, units=units)
    expected = np.concatenate(
        [
            datasets.make_bars(3, units=units),
            datasets.make_bars(3, units=units, orientation="horizontal"),
        ]
    )
    np.testing.assert_array_equal(small, expected)
    assert datasets.make_bars_and_stripes(2).shape == (4, 4)


def test_make_bars_and_stripes_errors():
    with pytest.raises(ValueError, match="n=0"):
        datasets.make_bars_and_stripes(0)
    with pytest.raises(ValueError, match="units='bits'"):
        datasets.make_bars_and_stripes(4, units="bits")

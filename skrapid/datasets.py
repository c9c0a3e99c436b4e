"""Data sets and data preparation for restricted Boltzmann machines.

This module provides

- :func:`load_digits_nudged`: scikit-learn's 8x8 digits enlarged five times
  with one-pixel shifts, as in scikit-learn's example "Restricted Boltzmann
  Machine features for digit classification";
- :func:`binarize`: deterministic or stochastic binarization of data in
  ``[0, 1]`` to ``{0, 1}`` (Bernoulli units) or ``{-1, +1}`` (spin units);
- :func:`load_mnist`: the original MNIST and Larochelle's fixed binarized
  MNIST read from local files;
- :func:`make_mnist_like`: a small MNIST-shaped binary data set built from
  scikit-learn's embedded digits, for tests and quick experiments that must
  not depend on the MNIST files;
- :func:`make_bars`, :func:`bars_4x4_split` and :func:`make_bars_and_stripes`:
  the synthetic bars (and stripes) images of the RAPID paper;
- :func:`lattice_kernel`, :func:`lattice_eigenvalues` and
  :func:`sample_gaussian_field`: free scalar fields on periodic 1D and 2D
  lattices, the targets of the scalar-field RBM paper.
"""

import functools
import gzip
import numbers
import os
import struct
import zlib
from pathlib import Path

import numpy as np
from scipy import ndimage, sparse
from sklearn.datasets import fetch_openml, load_digits
from sklearn.preprocessing import minmax_scale
from sklearn.utils import Bunch, check_random_state

__all__ = [
    "bars_4x4_split",
    "binarize",
    "lattice_eigenvalues",
    "lattice_kernel",
    "load_digits_nudged",
    "load_mnist",
    "make_bars",
    "make_bars_and_stripes",
    "make_mnist_like",
    "sample_gaussian_field",
]

#: Environment variable naming the default data folder.
DATA_ENV_VAR = "SKRAPID_DATA"

_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_MNIST_SIZES = {"train": 60000, "test": 10000}
_BINARIZED_SIZES = {"train": 50000, "valid": 10000, "test": 10000}
_SUBFOLDERS = ("mnist", "binarized_mnist")
_N_PIXELS = 784

# IDX type codes (third byte of the magic number) and their big-endian dtypes.
_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

# The four one-pixel shifts of scikit-learn's ``nudge_dataset``.
_DIRECTION_KERNELS = (
    [[0, 1, 0], [0, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [1, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 1], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 0], [0, 1, 0]],
)

_WHITESPACE = np.zeros(256, dtype=bool)
_WHITESPACE[list(b" \t\n\r\v\f")] = True

_DIGITS_NUDGED_DESCR = """\
Nudged digits data set
----------------------

scikit-learn's optical recognition of handwritten digits data set (1797
images of 8x8 pixels with values 0..16, classes 0..9) enlarged five times as
in scikit-learn's example "Restricted Boltzmann Machine features for digit
classification": the original images followed by the images shifted by one
pixel (with zero fill) in each of four directions, obtained with
``scipy.ndimage.convolve`` and the 3x3 direction kernels. The labels are
repeated accordingly, giving 8985 samples of 64 features. When ``scale=True``
every feature is min-max scaled to [0, 1] with
``sklearn.preprocessing.minmax_scale`` after the nudge.
"""

_MNIST_DESCR = """\
MNIST
-----

The MNIST database of handwritten digits (LeCun, Cortes and Burges): 60000
training and 10000 test grey-level images of 28x28 pixels, read from the
original IDX files (optionally gzip-compressed). Pixels are divided by 255 so
that they lie in [0, 1]; each row of ``data`` is one image flattened in
row-major order. Labels are the digits 0..9.
"""

_BINARIZED_MNIST_DESCR = """\
Binarized MNIST (fixed binarization)
------------------------------------

The fixed, stochastically binarized MNIST of Salakhutdinov & Murray (2008) as
distributed by Larochelle & Murray (2011): 50000 training, 10000 validation
and 10000 test images of 28x28 pixels in {0, 1}, read from the ``.amat``
text files (optionally gzip-compressed). No labels are distributed with this
data set, so ``target`` is None.
"""


# --------------------------------------------------------------------------
# Nudged digits
# --------------------------------------------------------------------------


def _nudge_images(images):
    """Return the images followed by their four one-pixel shifts."""
    shifted = [images]
    for kernel in _DIRECTION_KERNELS:
        weights = np.asarray(kernel, dtype=images.dtype)[np.newaxis]
        shifted.append(ndimage.convolve(images, weights=weights, mode="constant"))
    return np.concatenate(shifted, axis=0)


def load_digits_nudged(*, scale=True, dtype=np.float64, return_X_y=True):
    """Load scikit-learn's digits enlarged five times by one-pixel shifts.

    This reproduces the data preparation of scikit-learn's example
    "Restricted Boltzmann Machine features for digit classification": each
    8x8 image of :func:`sklearn.datasets.load_digits` is kept and shifted by
    one pixel up, left, right and down (``scipy.ndimage.convolve`` with the
    3x3 direction kernels and ``mode="constant"``), giving
    ``5 * 1797 = 8985`` samples. The original images come first, then the
    four shifted copies in the order of the example; the labels are repeated
    accordingly.

    Parameters
    ----------
    scale : bool, default=True
        If True, min-max scale every feature to ``[0, 1]`` after the nudge
        with ``sklearn.preprocessing.minmax_scale(X, feature_range=(0, 1))``,
        as in the example. If False, the pixels keep their original range
        ``0..16``.

    dtype : data-type, default=np.float64
        Floating dtype of the returned data.

    return_X_y : bool, default=True
        If True, return ``(X, y)``. If False, return a
        :class:`~sklearn.utils.Bunch`.

    Returns
    -------
    X : ndarray of shape (8985, 64)
        The nudged images, flattened. Only returned when ``return_X_y=True``.

    y : ndarray of shape (8985,)
        The digit labels (0..9). Only returned when ``return_X_y=True``.

    data : :class:`~sklearn.utils.Bunch`
        Only returned when ``return_X_y=False``. Dictionary-like object with
        attributes ``data`` (ndarray of shape (8985, 64)), ``target``
        (ndarray of shape (8985,)), ``images`` (ndarray of shape
        (8985, 8, 8), a reshaped view of ``data``) and ``DESCR`` (str).

    See Also
    --------
    sklearn.datasets.load_digits : The original 1797 images.


    Examples
    --------
    >>> from skrapid.datasets import load_digits_nudged
    >>> X, y = load_digits_nudged()
    >>> X.shape, y.shape
    ((8985, 64), (8985,))
    >>> float(X.min()), float(X.max())
    (0.0, 1.0)
    >>> bunch = load_digits_nudged(scale=False, return_X_y=False)
    >>> bunch.images.shape
    (8985, 8, 8)
    """
    dtype = _check_float_dtype(dtype)
    digits = load_digits()
    # The nudge is exact in any floating dtype; scaling in ``dtype`` makes
    # dtype=np.float32 reproduce the example bit for bit.
    images = np.asarray(digits.images, dtype=dtype)
    X = _nudge_images(images).reshape(-1, 64)
    y = np.tile(np.asarray(digits.target, dtype=np.int64), 5)
    if scale:
        X = minmax_scale(X, feature_range=(0, 1))
    X = np.ascontiguousarray(X, dtype=dtype)
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        images=X.reshape(-1, 8, 8),
        target_names=np.arange(10),
        DESCR=_DIGITS_NUDGED_DESCR,
    )


# --------------------------------------------------------------------------
# Binarization
# --------------------------------------------------------------------------


def binarize(
    X, *, threshold=0.5, method="threshold", units="bernoulli", random_state=None
):
    """Binarize data deterministically or stochastically.

    Parameters
    ----------
    X : array-like of any shape
        Data to binarize. For ``method="stochastic"`` every value must lie
        in ``[0, 1]``; it is read as the probability that the unit is on.
        NaN and infinite values are rejected.

    threshold : float, default=0.5
        For ``method="threshold"``, values strictly greater than
        ``threshold`` are set on. Ignored for ``method="stochastic"``.

    method : {"threshold", "stochastic"}, default="threshold"
        ``"threshold"``: a unit is on when ``x > threshold``.
        ``"stochastic"``: a unit is on with probability ``x``, independently
        of the others.

    units : {"bernoulli", "spin"}, default="bernoulli"
        Encoding of the result: ``"bernoulli"`` gives values in ``{0, 1}``,
        ``"spin"`` gives values in ``{-1, +1}`` (on = +1).

    random_state : int, RandomState instance or None, default=None
        Controls the random draws of ``method="stochastic"``. Pass an int
        for reproducible output. Ignored for ``method="threshold"``.

    Returns
    -------
    X_bin : ndarray of the same shape as X
        The binarized data. Floating inputs keep their dtype (float32 stays
        float32); integer and boolean inputs give float64.

    Raises
    ------
    ValueError
        If ``method`` or ``units`` is unknown, if ``X`` contains NaN or
        infinite values, if ``threshold`` is not a finite number, or if
        ``method="stochastic"`` and ``X`` has values outside ``[0, 1]``.


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.datasets import binarize
    >>> X = np.array([[0.1, 0.6], [0.9, 0.5]], dtype=np.float32)
    >>> binarize(X)
    array([[0., 1.],
           [1., 0.]], dtype=float32)
    >>> binarize(X, units="spin")
    array([[-1.,  1.],
           [ 1., -1.]], dtype=float32)
    >>> binarize([[0.0, 1.0]], method="stochastic", random_state=0)
    array([[0., 1.]])
    """
    if method not in ("threshold", "stochastic"):
        raise ValueError(
            f"Unknown method={method!r}; expected 'threshold' or 'stochastic'."
        )
    if units not in ("bernoulli", "spin"):
        raise ValueError(f"Unknown units={units!r}; expected 'bernoulli' or 'spin'.")
    if method == "threshold" and (
        not isinstance(threshold, numbers.Real)
        or isinstance(threshold, bool)
        or not np.isfinite(threshold)
    ):
        raise ValueError(
            f"threshold must be a finite real number; got threshold={threshold!r}."
        )
    if sparse.issparse(X):
        raise TypeError(
            "binarize does not accept sparse input; convert it with X.toarray()."
        )

    X = np.asarray(X)
    if X.dtype.kind in "biu":
        X = X.astype(np.float64)
    elif X.dtype.kind != "f":
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"X must contain real numbers; got an array of dtype {X.dtype}."
            ) from exc
    if np.isnan(X).any():
        raise ValueError("Input X contains NaN.")
    if np.isinf(X).any():
        raise ValueError("Input X contains infinity.")

    if method == "threshold":
        on = X > threshold
    else:
        if X.size and (X.min() < 0 or X.max() > 1):
            raise ValueError(
                "method='stochastic' needs probabilities: all values of X must "
                f"lie in [0, 1]; got min={float(X.min())!r}, "
                f"max={float(X.max())!r}."
            )
        rng = check_random_state(random_state)
        on = rng.random_sample(X.shape) < X

    X_bin = on.astype(X.dtype)
    if units == "spin":
        X_bin *= 2
        X_bin -= 1
    return X_bin


# --------------------------------------------------------------------------
# File readers
# --------------------------------------------------------------------------


def _read_bytes(path):
    """Read a whole file, decompressing it when its name ends with ``.gz``."""
    path = Path(path)
    if path.suffix != ".gz":
        return path.read_bytes()
    with open(path, "rb") as raw:
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as f:
                return f.read()
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise ValueError(
                f"Could not decompress {str(path)!r}: the gzip file is corrupt "
                f"or truncated ({exc})."
            ) from exc


def _read_idx(path):
    """Read an IDX file (the MNIST format), gzip-compressed or not.

    Parameters
    ----------
    path : str or path-like
        File to read; names ending with ``.gz`` are decompressed.

    Returns
    -------
    array : ndarray
        Array with the dimensions and element type given in the header, in
        native byte order.

    Raises
    ------
    ValueError
        If the magic number is invalid, or the file is truncated or longer
        than its header announces.
    """
    raw = _read_bytes(path)
    name = str(path)
    if len(raw) < 4:
        raise ValueError(
            f"{name!r} is not a valid IDX file: {len(raw)} bytes, too short for "
            "the 4-byte magic number."
        )
    magic = struct.unpack(">I", raw[:4])[0]
    zero_bytes, type_code, ndim = raw[0] | raw[1], raw[2], raw[3]
    if zero_bytes or type_code not in _IDX_DTYPES or ndim == 0:
        raise ValueError(
            f"{name!r} is not a valid IDX file: bad magic number 0x{magic:08X} "
            "(expected 0x0000TTDD with type code TT in "
            "{08, 09, 0B, 0C, 0D, 0E} and DD >= 1 dimensions)."
        )
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(
            f"{name!r} is truncated: the header announces {ndim} dimensions "
            f"({header_size} header bytes) but the file has {len(raw)} bytes."
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    dtype = _IDX_DTYPES[type_code]
    count = int(np.prod(shape, dtype=np.int64))
    expected = count * dtype.itemsize
    found = len(raw) - header_size
    if found < expected:
        raise ValueError(
            f"{name!r} is truncated: the header announces shape {shape} "
            f"({expected} data bytes) but only {found} data bytes follow."
        )
    if found > expected:
        raise ValueError(
            f"{name!r} is corrupt: the header announces shape {shape} "
            f"({expected} data bytes) but {found} data bytes follow."
        )
    array = np.frombuffer(raw, dtype=dtype, count=count, offset=header_size)
    return array.reshape(shape).astype(dtype.newbyteorder("="))


def _read_amat(path):
    """Read a ``.amat`` text file of binary values, gzip-compressed or not.

    Each non-empty line holds one row of whitespace-separated values, all
    in ``{0, 1}``.

    Parameters
    ----------
    path : str or path-like
        File to read; names ending with ``.gz`` are decompressed.

    Returns
    -------
    array : ndarray of shape (n_rows, n_columns), dtype uint8

    Raises
    ------
    ValueError
        If the file is empty, has rows of different lengths, or holds values
        other than 0 and 1.
    """
    raw = _read_bytes(path)
    name = str(path)
    lines = [line for line in raw.splitlines() if line.strip()]
    if not lines:
        raise ValueError(f"{name!r} contains no data rows.")

    buf = np.frombuffer(raw, dtype=np.uint8)
    byte_counts = np.bincount(buf, minlength=256)
    allowed = _WHITESPACE.copy()
    allowed[[ord("0"), ord("1")]] = True
    fast = not np.any(byte_counts[~allowed])
    if fast:
        # Only "0", "1" and whitespace occur; whitespace bytes are < ord("0").
        is_token = buf >= ord("0")
        fast = not np.any(is_token[1:] & is_token[:-1])
    if fast:
        # Fast path: every value is a single character "0" or "1".
        values = buf[is_token] - np.uint8(ord("0"))
        counts = np.fromiter(
            (line.count(b"0") + line.count(b"1") for line in lines),
            dtype=np.int64,
            count=len(lines),
        )
    else:
        # General path, e.g. values written as "1.0".
        tokens = [line.split() for line in lines]
        counts = np.array([len(row) for row in tokens], dtype=np.int64)
        try:
            values = np.array(
                [float(t) for row in tokens for t in row], dtype=np.float64
            )
        except ValueError as exc:
            raise ValueError(f"{name!r} contains a non-numeric value: {exc}") from exc
        if not np.all((values == 0) | (values == 1)):
            bad = float(values[(values != 0) & (values != 1)][0])
            raise ValueError(
                f"{name!r} contains the value {bad!r}; binary .amat files must "
                "hold only 0 and 1."
            )
        values = values.astype(np.uint8)

    n_columns = int(counts[0])
    bad_rows = np.flatnonzero(counts != n_columns)
    if bad_rows.size:
        row = int(bad_rows[0])
        raise ValueError(
            f"{name!r} is corrupt: row {row} has {int(counts[row])} values but "
            f"row 0 has {n_columns}."
        )
    return values.reshape(len(lines), n_columns)


# --------------------------------------------------------------------------
# MNIST
# --------------------------------------------------------------------------


def _check_float_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating dtype; got dtype={dtype}.")
    return dtype


def _get_data_home(data_home=None):
    """Resolve the data folder: argument, then $SKRAPID_DATA, then ~/skrapid_data."""
    if data_home is None:
        data_home = os.environ.get(DATA_ENV_VAR) or os.path.join("~", "skrapid_data")
    return Path(data_home).expanduser()


def _search_folders(data_home):
    return [data_home] + [data_home / sub for sub in _SUBFOLDERS]


def _find_file(folders, name):
    """Return the first existing ``name`` or ``name.gz`` in ``folders``."""
    for folder in folders:
        for candidate in (folder / name, folder / (name + ".gz")):
            if candidate.is_file():
                return candidate
    return None


def _missing_files_error(what, folders, names, extra=""):
    searched = ", ".join(repr(str(f)) for f in folders)
    expected = ", ".join(f"{n!r} (or {n + '.gz'!r})" for n in names)
    return FileNotFoundError(
        f"Could not find the {what}. Expected the file(s) {expected} in one of "
        f"the folders {searched}.{extra} To fix this, put the files in one of "
        f"these folders, or pass data_home=<folder containing them> (the "
        f"subfolders 'mnist/' and 'binarized_mnist/' are also searched), or set "
        f"the {DATA_ENV_VAR} environment variable to that folder."
    )


def _fetch_mnist_openml(data_home, subset):
    """Return (X, y) of MNIST from OpenML, X in 0..255. Raises on any failure."""
    X, y = fetch_openml(
        "mnist_784",
        version=1,
        as_frame=False,
        parser="liac-arff",
        data_home=str(data_home),
        return_X_y=True,
    )
    X = np.asarray(X)
    y = np.asarray(y).astype(np.int64)
    if X.shape != (70000, _N_PIXELS) or y.shape != (70000,):
        raise ValueError(f"unexpected shapes from OpenML: X {X.shape}, y {y.shape}")
    if subset == "train":
        return X[:60000], y[:60000]
    return X[60000:], y[60000:]


def load_mnist(
    data_home=None,
    *,
    subset="train",
    binarized=False,
    return_X_y=True,
    dtype=np.float32,
    allow_download=True,
):
    """Load MNIST or the fixed binarized MNIST from local files.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding the files. The files are looked for directly in it
        and in its subfolders ``mnist/`` and ``binarized_mnist/``. If None,
        the environment variable ``SKRAPID_DATA`` is used, and if that is not
        set, ``~/skrapid_data``.

    subset : {"train", "valid", "test"}, default="train"
        Which part to load. With ``binarized=False``: ``"train"`` (60000
        images) or ``"test"`` (10000 images). With ``binarized=True``:
        ``"train"`` (50000), ``"valid"`` (10000) or ``"test"`` (10000).

    binarized : bool, default=False
        If False, read the original MNIST IDX files
        ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
        ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` (each
        optionally ending with ``.gz``). If True, read Larochelle's fixed
        binarized MNIST ``binarized_mnist_{train,valid,test}.amat``
        (optionally ending with ``.gz``), which has no labels.

    return_X_y : bool, default=True
        If True, return ``(X, y)``. If False, return a
        :class:`~sklearn.utils.Bunch`.

    dtype : data-type, default=np.float32
        dtype of the returned pixels. Must be floating for
        ``binarized=False``; may also be an integer or boolean dtype for
        ``binarized=True``.

    allow_download : bool, default=True
        If True and the original MNIST files are not found, try
        ``sklearn.datasets.fetch_openml("mnist_784")`` (which downloads the
        data unless it is already cached under ``data_home``). Never used
        for ``binarized=True``.

    Returns
    -------
    X : ndarray of shape (n_samples, 784)
        The images flattened in row-major order. Pixels of the original
        MNIST are divided by 255 and lie in ``[0, 1]``; binarized MNIST
        pixels are 0 or 1. Only returned when ``return_X_y=True``.

    y : ndarray of shape (n_samples,) of int64, or None
        The digit labels, or None for the binarized MNIST. Only returned
        when ``return_X_y=True``.

    data : :class:`~sklearn.utils.Bunch`
        Only returned when ``return_X_y=False``. Dictionary-like object with
        attributes ``data``, ``target`` (as above), ``images`` (a view of
        ``data`` of shape (n_samples, 28, 28)), ``filenames`` (the files
        read; empty when the data came from OpenML) and ``DESCR``.

    Raises
    ------
    FileNotFoundError
        If the files are not found (and, for the original MNIST, the
        download is disallowed or fails). The message lists the folders
        searched and the file names expected.
    ValueError
        If ``subset`` or ``dtype`` is invalid, or a file is corrupt or
        truncated.


    Examples
    --------
    A tiny IDX file pair with two blank images, written to a temporary
    folder, is enough to show the interface:

    >>> import gzip, struct, tempfile
    >>> from pathlib import Path
    >>> from skrapid.datasets import load_mnist
    >>> tmp = Path(tempfile.mkdtemp())
    >>> images = struct.pack(">IIII", 0x0803, 2, 28, 28) + bytes(2 * 784)
    >>> labels = struct.pack(">II", 0x0801, 2) + bytes([3, 7])
    >>> _ = (tmp / "t10k-images-idx3-ubyte").write_bytes(images)
    >>> with gzip.open(tmp / "t10k-labels-idx1-ubyte.gz", "wb") as f:
    ...     _ = f.write(labels)
    >>> X, y = load_mnist(tmp, subset="test", allow_download=False)
    >>> X.shape, X.dtype, y.tolist()
    ((2, 784), dtype('float32'), [3, 7])
    >>> import shutil
    >>> shutil.rmtree(tmp)
    """
    if binarized not in (True, False):
        raise ValueError(f"binarized must be True or False; got {binarized!r}.")
    valid_subsets = tuple(_BINARIZED_SIZES if binarized else _MNIST_SIZES)
    if subset not in valid_subsets:
        hint = (
            " (the 'valid' subset exists only for binarized=True)"
            if subset == "valid"
            else ""
        )
        raise ValueError(
            f"Unknown subset={subset!r} for binarized={binarized}; expected one "
            f"of {valid_subsets}{hint}."
        )
    dtype = np.dtype(dtype)
    if binarized:
        if dtype.kind not in "fiub":
            raise ValueError(f"dtype must be a real numeric dtype; got {dtype}.")
    else:
        dtype = _check_float_dtype(dtype)

    data_home = _get_data_home(data_home)
    folders = _search_folders(data_home)

    if binarized:
        name = f"binarized_mnist_{subset}.amat"
        path = _find_file(folders, name)
        if path is None:
            raise _missing_files_error(
                f"binarized MNIST {subset!r} subset", folders, [name]
            )
        X = _read_amat(path)
        if X.shape[1] != _N_PIXELS:
            raise ValueError(
                f"{str(path)!r} has {X.shape[1]} values per row; binarized "
                f"MNIST has {_N_PIXELS}."
            )
        X = X.astype(dtype)
        y = None
        filenames = [str(path)]
        descr = _BINARIZED_MNIST_DESCR
    else:
        names = _MNIST_FILES[subset]
        paths = [_find_file(folders, n) for n in names]
        filenames = [str(p) for p in paths if p is not None]
        descr = _MNIST_DESCR
        if None in paths:
            missing = [n for n, p in zip(names, paths, strict=True) if p is None]
            what = f"MNIST {subset!r} subset"
            if not allow_download:
                raise _missing_files_error(
                    what,
                    folders,
                    missing,
                    " Downloading is disabled (allow_download=False).",
                )
            try:
                X, y = _fetch_mnist_openml(data_home, subset)
            except Exception as exc:  # network errors come in many types
                raise _missing_files_error(
                    what,
                    folders,
                    missing,
                    " Fetching 'mnist_784' from OpenML also failed "
                    f"({type(exc).__name__}: {exc}).",
                ) from exc
            filenames = []
            X = (X / 255.0).astype(dtype)
        else:
            images = _read_idx(paths[0])
            labels = _read_idx(paths[1])
            if (
                images.dtype != np.uint8
                or images.ndim != 3
                or (images.shape[1:] != (28, 28))
            ):
                raise ValueError(
                    f"{filenames[0]!r} does not hold MNIST images: expected "
                    "unsigned bytes of shape (n, 28, 28), got "
                    f"{images.dtype} of shape {images.shape}."
                )
            if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
                raise ValueError(
                    f"{filenames[1]!r} holds labels of shape {labels.shape} "
                    f"but {filenames[0]!r} holds {images.shape[0]} images."
                )
            X = np.divide(
                images.reshape(images.shape[0], _N_PIXELS),
                dtype.type(255),
                dtype=dtype,
            )
            y = labels.astype(np.int64)

    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        images=X.reshape(-1, 28, 28),
        filenames=filenames,
        DESCR=descr,
    )


# --------------------------------------------------------------------------
# MNIST-like data from the embedded digits
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _digits_28x28():
    """Return the 1797 digits upsampled to 28x28 in [0, 1], and their labels.

    The result is cached and read-only; callers index it (which copies).
    """
    digits = load_digits()
    images = np.empty((digits.images.shape[0], 28, 28), dtype=np.float64)
    for i, img in enumerate(digits.images):
        images[i] = ndimage.zoom(img / 16.0, 28 / 8, order=1)
    np.clip(images, 0.0, 1.0, out=images)
    images = images.reshape(-1, _N_PIXELS)
    target = np.array(digits.target, dtype=np.int64)
    images.flags.writeable = False
    target.flags.writeable = False
    return images, target


def make_mnist_like(n_samples=500, *, random_state=None, dtype=np.float64):
    """Make a small MNIST-shaped binary data set from the embedded digits.

    Images of :func:`sklearn.datasets.load_digits` are drawn with
    replacement, upsampled from 8x8 to 28x28 with
    ``scipy.ndimage.zoom(img / 16, 28 / 8, order=1)`` (clipped to
    ``[0, 1]``) and binarized stochastically (each pixel is on with
    probability equal to its grey level). Needs no file and no network.

    Parameters
    ----------
    n_samples : int, default=500
        Number of images to generate.

    random_state : int, RandomState instance or None, default=None
        Controls both the choice of images and the binarization. Pass an
        int for reproducible output.

    dtype : data-type, default=np.float64
        dtype of the returned pixels.

    Returns
    -------
    X : ndarray of shape (n_samples, 784)
        Binary images with values in ``{0, 1}``, flattened in row-major
        order.

    y : ndarray of shape (n_samples,) of int64
        The digit labels (0..9).

    See Also
    --------
    load_mnist : The real MNIST, read from local files.


    Examples
    --------
    >>> from skrapid.datasets import make_mnist_like
    >>> X, y = make_mnist_like(100, random_state=0)
    >>> X.shape, y.shape
    ((100, 784), (100,))
    >>> sorted(set(X.ravel().tolist()))
    [0.0, 1.0]
    """
    if (
        not isinstance(n_samples, numbers.Integral)
        or isinstance(n_samples, bool)
        or n_samples < 1
    ):
        raise ValueError(
            f"n_samples must be a positive integer; got n_samples={n_samples!r}."
        )
    dtype = np.dtype(dtype)
    rng = check_random_state(random_state)
    images, target = _digits_28x28()
    idx = rng.randint(0, images.shape[0], size=n_samples)
    X = binarize(images[idx], method="stochastic", random_state=rng)
    return X.astype(dtype, copy=False), target[idx]


# --------------------------------------------------------------------------
# Bars and stripes
# --------------------------------------------------------------------------

_BARS_UNITS = ("bernoulli", "spin")

# Column patterns of the RAPID paper's 4x4 bars split (Pozas-Kerstjens et al.
# 2021, App. C); each set also holds the negatives of these patterns.
_BARS_4X4_TRAIN = (
    (1, -1, -1, -1),
    (1, 1, -1, -1),
    (1, 1, 1, -1),
    (1, -1, 1, 1),
    (1, 1, -1, 1),
)
_BARS_4X4_TEST = (
    (1, -1, 1, -1),
    (1, -1, -1, 1),
)


def _check_bars_units(units):
    if units not in _BARS_UNITS:
        raise ValueError(f"units must be 'bernoulli' or 'spin'; got units={units!r}.")


def _check_bars_dtype(dtype, units):
    dtype = np.dtype(dtype)
    allowed = "fi" if units == "spin" else "fiub"
    if dtype.kind not in allowed:
        kinds = "a floating or signed integer" if units == "spin" else "a numeric"
        raise ValueError(
            f"dtype must be {kinds} dtype for units={units!r}; got dtype={dtype}."
        )
    return dtype


def _check_bars_size(n):
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 2:
        raise ValueError(f"n must be an integer >= 2; got n={n!r}.")
    return int(n)


def _line_states(n, include_uniform):
    """(m, n) bits of the line states in increasing order of the integer whose
    binary digits they are (line 0 is the most significant bit)."""
    codes = np.arange(2**n, dtype=np.int64)
    if not include_uniform:
        codes = codes[1:-1]
    shifts = np.arange(n - 1, -1, -1, dtype=np.int64)
    return ((codes[:, None] >> shifts) & 1).astype(np.int8)


def _lines_to_images(states, orientation):
    """Images (m, n*n) whose columns (vertical) or rows (horizontal) take the
    given (m, n) line states, flattened row-major."""
    m, n = states.shape
    if orientation == "vertical":
        images = np.broadcast_to(states[:, None, :], (m, n, n))
    else:
        images = np.broadcast_to(states[:, :, None], (m, n, n))
    return images.reshape(m, n * n)


def _bits_to_units(bits, units, dtype):
    out = bits.astype(dtype)
    if units == "spin":
        out *= 2
        out -= 1
    return out


def make_bars(
    n=4,
    *,
    orientation="vertical",
    units="spin",
    include_uniform=False,
    dtype=np.float64,
):
    """Make all n x n images made of full bars.

    For ``orientation="vertical"`` every column of an image is entirely on
    (+1, or 1 for Bernoulli units) or entirely off (-1, or 0). There are
    ``2**n`` such images; by default the two uniform ones (all on, all off)
    are left out, giving ``2**n - 2`` images (14 for n=4), the bars data set
    of the RAPID paper.

    Parameters
    ----------
    n : int, default=4
        Side of the square images (at least 2).

    orientation : {"vertical", "horizontal"}, default="vertical"
        ``"vertical"``: each column is constant (vertical bars).
        ``"horizontal"``: each row is constant (the transposed images).

    units : {"spin", "bernoulli"}, default="spin"
        Pixel values {-1, +1} or {0, 1}.

    include_uniform : bool, default=False
        Whether to include the two uniform images.

    dtype : data-type, default=np.float64
        dtype of the returned pixels.

    Returns
    -------
    X : ndarray of shape (n_images, n * n)
        The images flattened in row-major order (pixel (r, c) at index
        ``r * n + c``). Image ``k`` is ordered by the integer whose binary
        digits are the line states, line 0 (column 0, resp. row 0) being the
        most significant bit.

    See Also
    --------
    bars_4x4_split : The RAPID paper's train/test split of ``make_bars(4)``.
    make_bars_and_stripes : Vertical bars and horizontal stripes together.


    Examples
    --------
    >>> from skrapid.datasets import make_bars
    >>> X = make_bars(4)
    >>> X.shape
    (14, 16)
    >>> X[0].reshape(4, 4)
    array([[-1., -1., -1.,  1.],
           [-1., -1., -1.,  1.],
           [-1., -1., -1.,  1.],
           [-1., -1., -1.,  1.]])
    >>> make_bars(3, orientation="horizontal", units="bernoulli")[0]
    array([0., 0., 0., 0., 0., 0., 1., 1., 1.])
    """
    n = _check_bars_size(n)
    if orientation not in ("vertical", "horizontal"):
        raise ValueError(
            "orientation must be 'vertical' or 'horizontal'; got "
            f"orientation={orientation!r}."
        )
    _check_bars_units(units)
    if include_uniform not in (True, False):
        raise ValueError(
            f"include_uniform must be True or False; got {include_uniform!r}."
        )
    dtype = _check_bars_dtype(dtype, units)
    bits = _lines_to_images(_line_states(n, bool(include_uniform)), orientation)
    return _bits_to_units(bits, units, dtype)


def bars_4x4_split(*, units="spin", dtype=np.float64):
    """The train/test split of the 4x4 bars of the RAPID paper.

    The 14 non-uniform 4x4 images of vertical bars (:func:`make_bars` with
    ``n=4``) split into 10 training and 4 test images as in Pozas-Kerstjens
    et al. (2021), Sec. 5.1 and App. C. Every image lies on the same side
    as its negative ``-v``. Writing an image by its column pattern ``p``
    (column ``c`` is ``p[c]`` in every row), the test set holds
    ``[1, -1, 1, -1]``, ``[1, -1, -1, 1]`` and their negatives; the
    training set holds ``[1, -1, -1, -1]``, ``[1, 1, -1, -1]``,
    ``[1, 1, 1, -1]``, ``[1, -1, 1, 1]``, ``[1, 1, -1, 1]`` and their
    negatives.

    Parameters
    ----------
    units : {"spin", "bernoulli"}, default="spin"
        Pixel values {-1, +1} or {0, 1} (-1 is mapped to 0).

    dtype : data-type, default=np.float64
        dtype of the returned pixels.

    Returns
    -------
    X_train : ndarray of shape (10, 16)
        The listed training patterns followed by their negatives, each
        image flattened in row-major order.

    X_test : ndarray of shape (4, 16)
        The listed test patterns followed by their negatives.

    References
    ----------
    A. Pozas-Kerstjens, G. Muñoz-Gil, E. Piñol, M. Á. García-March,
    A. Acín, M. Lewenstein and P. R. Grzybowski, "Efficient training of
    energy-based models via spin-glass control", Machine Learning: Science
    and Technology 2, 025026 (2021).


    Examples
    --------
    >>> from skrapid.datasets import bars_4x4_split
    >>> X_train, X_test = bars_4x4_split()
    >>> X_train.shape, X_test.shape
    ((10, 16), (4, 16))
    >>> X_test[0].reshape(4, 4)[0]
    array([ 1., -1.,  1., -1.])
    """
    _check_bars_units(units)
    dtype = _check_bars_dtype(dtype, units)

    def images(patterns):
        p = np.array(patterns, dtype=np.int8)
        p = np.concatenate([p, -p])
        bits = _lines_to_images((p + 1) // 2, "vertical")
        return _bits_to_units(bits, units, dtype)

    return images(_BARS_4X4_TRAIN), images(_BARS_4X4_TEST)


def make_bars_and_stripes(n=12, *, units="spin", dtype=np.float64):
    """Make all n x n bars-and-stripes images.

    The union of the images of vertical bars (every column constant) and of
    horizontal stripes (every row constant). The two uniform images, the
    only ones that are both, are left out, so there are no duplicates and
    ``2 * (2**n - 2)`` images (8188 for n=12).

    Parameters
    ----------
    n : int, default=12
        Side of the square images (at least 2).

    units : {"spin", "bernoulli"}, default="spin"
        Pixel values {-1, +1} or {0, 1}.

    dtype : data-type, default=np.float64
        dtype of the returned pixels.

    Returns
    -------
    X : ndarray of shape (2 * (2**n - 2), n * n)
        ``make_bars(n, orientation="vertical")`` followed by
        ``make_bars(n, orientation="horizontal")``, flattened row-major.

    See Also
    --------
    make_bars : Bars of one orientation.


    Examples
    --------
    >>> from skrapid.datasets import make_bars_and_stripes
    >>> X = make_bars_and_stripes(12)
    >>> X.shape
    (8188, 144)
    >>> len(set(map(bytes, X.astype("int8"))))  # all distinct
    8188
    """
    n = _check_bars_size(n)
    _check_bars_units(units)
    dtype = _check_bars_dtype(dtype, units)
    states = _line_states(n, include_uniform=False)
    bits = np.concatenate(
        [_lines_to_images(states, "vertical"), _lines_to_images(states, "horizontal")]
    )
    return _bits_to_units(bits, units, dtype)


# --------------------------------------------------------------------------
# free scalar fields on a periodic lattice (scalar-field RBM paper, Sec. V)
# --------------------------------------------------------------------------
def _laplacian_1d(n):
    """Periodic 1D lattice Laplacian (-∂²): 2 on the diagonal, -1 to the two
    neighbours (a single -2 when n == 2, whose two neighbours coincide)."""
    L = 2.0 * np.eye(n)
    if n == 1:
        return np.zeros((1, 1))
    for i in range(n):
        L[i, (i + 1) % n] -= 1.0
        L[i, (i - 1) % n] -= 1.0
    return L


def _lattice_shape(shape):
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    if len(shape) not in (1, 2) or not all(
        isinstance(n, numbers.Integral) and n >= 1 for n in shape
    ):
        raise ValueError(
            f"shape must be a positive int (1D) or a pair of positive ints (2D); "
            f"got {shape!r}."
        )
    return shape


def lattice_kernel(shape, m2=4.0):
    """Kernel of a free scalar field on a periodic lattice (eqs. 77, 83).

    ``K = m² 1 + Δ`` with Δ the lattice Laplacian: in 1D
    ``K_ij = (2 + m²) δ_ij − δ_{i,j+1} − δ_{i,j−1}``; in 2D the Kronecker sum
    ``Δ = Δ_x ⊗ 1 + 1 ⊗ Δ_y`` on the row-major flattened N_x × N_y sites.
    The field's distribution is p(φ) ∝ exp(−½ φᵀ K φ).

    Parameters
    ----------
    shape : int or (int, int)
        N_v (1D) or (N_x, N_y) (2D).
    m2 : float, default=4.0
        Squared mass m² > 0 (the paper uses 4).

    Returns
    -------
    K : ndarray of shape (N, N)
        N = N_v or N_x·N_y.

    See Also
    --------
    lattice_eigenvalues : its spectrum in closed form (eqs. 78, 82).


    Examples
    --------
    >>> from skrapid.datasets import lattice_kernel
    >>> lattice_kernel(4, m2=1.0)
    array([[ 3., -1.,  0., -1.],
           [-1.,  3., -1.,  0.],
           [ 0., -1.,  3., -1.],
           [-1.,  0., -1.,  3.]])
    """
    shape = _lattice_shape(shape)
    if not (isinstance(m2, numbers.Real) and m2 > 0):
        raise ValueError(f"m2 must be a positive number; got {m2!r}.")
    if len(shape) == 1:
        lap = _laplacian_1d(shape[0])
    else:
        nx, ny = shape
        lap = np.kron(_laplacian_1d(nx), np.eye(ny)) + np.kron(
            np.eye(nx), _laplacian_1d(ny)
        )
    return lap + m2 * np.eye(lap.shape[0])


def lattice_eigenvalues(shape, m2=4.0):
    """Eigenvalues κ of :func:`lattice_kernel`, ascending (eqs. 78, 82).

    ``κ_k = m² + 2 − 2 cos(2πk/N)`` in 1D and
    ``κ_k = m² + 4 − 2 cos(2πk_x/N_x) − 2 cos(2πk_y/N_y)`` in 2D.

    Parameters
    ----------
    shape : int or tuple of two ints
        Lattice shape (1D or 2D, periodic).
    m2 : float, default=4.0
        Mass squared.

    Returns
    -------
    kappa : ndarray
        Eigenvalues of the lattice kernel, ascending.


    Examples
    --------
    >>> from skrapid.datasets import lattice_eigenvalues
    >>> lattice_eigenvalues(10, m2=4.0).round(3)
    array([4.   , 4.382, 4.382, 5.382, 5.382, 6.618, 6.618, 7.618, 7.618,
           8.   ])
    """
    shape = _lattice_shape(shape)
    if not (isinstance(m2, numbers.Real) and m2 > 0):
        raise ValueError(f"m2 must be a positive number; got {m2!r}.")
    p2 = [2.0 - 2.0 * np.cos(2 * np.pi * np.arange(n) / n) for n in shape]
    if len(shape) == 2:
        p2 = [(p2[0][:, None] + p2[1][None, :]).ravel()]
    return np.sort(m2 + p2[0])


def sample_gaussian_field(kernel, n_samples, *, random_state=None, dtype=np.float64):
    """Exact samples of the zero-mean Gaussian p(φ) ∝ exp(−½ φᵀ K φ).

    φ = L⁻ᵀ z with K = L Lᵀ (Cholesky) and z standard normal, so the samples
    are independent (no Markov chain, no autocorrelation).

    Parameters
    ----------
    kernel : array-like of shape (N, N)
        Symmetric positive-definite kernel K (e.g. :func:`lattice_kernel`).
    n_samples : int
    random_state : int, RandomState instance or None, default=None
    dtype : data-type, default=np.float64

    Returns
    -------
    X : ndarray of shape (n_samples, N)


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.datasets import lattice_kernel, sample_gaussian_field
    >>> K = lattice_kernel(6, m2=4.0)
    >>> X = sample_gaussian_field(K, 20000, random_state=0)
    >>> bool(np.abs(np.cov(X.T) - np.linalg.inv(K)).max() < 0.01)
    True
    """
    K = np.asarray(kernel, dtype=np.float64)
    if K.ndim != 2 or K.shape[0] != K.shape[1]:
        raise ValueError(f"kernel must be a square matrix; got shape {K.shape}.")
    if not np.all(np.isfinite(K)) or not np.allclose(K, K.T):
        raise ValueError("kernel must be finite and symmetric.")
    if not isinstance(n_samples, numbers.Integral) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
    try:
        L = np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        raise ValueError(
            "kernel must be positive definite (a normalizable Gaussian); its "
            f"smallest eigenvalue is {np.linalg.eigvalsh(K)[0]:.4g}."
        ) from None
    rng = check_random_state(random_state)
    z = rng.standard_normal((K.shape[0], n_samples))
    return np.linalg.solve(L.T, z).T.astype(dtype)

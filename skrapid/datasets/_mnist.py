"""MNIST: the IDX and binarized ``.amat`` file readers, :func:`load_mnist`
(local files, the data folder, an OpenML fallback) and the MNIST stand-in
:func:`make_mnist_like` built from scikit-learn's embedded digits.
"""

import functools
import gzip
import numbers
import os
import struct
import zlib
from pathlib import Path

import numpy as np
from scipy import ndimage
from sklearn.datasets import fetch_openml, load_digits
from sklearn.utils import Bunch, check_random_state

from ._toy import _check_float_dtype, binarize

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

_WHITESPACE = np.zeros(256, dtype=bool)
_WHITESPACE[list(b" \t\n\r\v\f")] = True

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

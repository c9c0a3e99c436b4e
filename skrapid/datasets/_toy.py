"""Toy binary data sets: nudged digits, binarization, bars and stripes.

- :func:`load_digits_nudged`: scikit-learn's 8x8 digits enlarged five times
  with one-pixel shifts, as in scikit-learn's example "Restricted Boltzmann
  Machine features for digit classification";
- :func:`binarize`: deterministic or stochastic binarization of data in
  ``[0, 1]`` to ``{0, 1}`` (Bernoulli units) or ``{-1, +1}`` (spin units);
- :func:`make_bars`, :func:`bars_4x4_split` and :func:`make_bars_and_stripes`:
  the synthetic bars (and stripes) images of the RAPID paper.
"""

import numbers

import numpy as np
from scipy import ndimage, sparse
from sklearn.datasets import load_digits
from sklearn.preprocessing import minmax_scale
from sklearn.utils import Bunch, check_random_state

# The four one-pixel shifts of scikit-learn's ``nudge_dataset``.
_DIRECTION_KERNELS = (
    [[0, 1, 0], [0, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [1, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 1], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 0], [0, 1, 0]],
)

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


def _check_float_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating dtype; got dtype={dtype}.")
    return dtype


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

    return _bits_to_units(on, units, X.dtype)


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

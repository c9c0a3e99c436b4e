"""scikit-learn conventions: argument names that metadata routing reads
right, and input tags that say what ``fit`` refuses."""

import numpy as np
import pytest


def test_inverse_transform_takes_x_and_deprecates_h():
    import warnings

    from skrapid import BinaryRBM

    X = np.array([[0, 1, 1], [1, 0, 0]] * 5, dtype=float)
    rbm = BinaryRBM(n_components=2, max_iter=2, random_state=0).fit(X)
    H = rbm.transform(X)
    # metadata routing sees no argument but X
    assert not hasattr(rbm, "set_inverse_transform_request")
    want = rbm.inverse_transform(H)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(rbm.inverse_transform(X=H), want)
    with pytest.warns(
        FutureWarning, match="removed in 0.3: pass the hidden states as X"
    ):
        np.testing.assert_array_equal(rbm.inverse_transform(H=H), want)
    with pytest.raises(TypeError, match="both X and H"):
        rbm.inverse_transform(H, H=H)
    with pytest.raises(TypeError, match="unexpected keyword"):
        rbm.inverse_transform(H, Y=H)


@pytest.mark.parametrize(
    "make, positive",
    [
        ("BinaryRBM()", True),
        ("BinaryRBM(units='spin')", False),
        ("RARBM()", False),
        ("RARBM(units='bernoulli')", True),
        ("RBM()", True),
        ("RBM(visible='spin')", False),
        ("RBM(visible='potts')", True),
        ("GaussianRBM()", False),
    ],
)
def test_positive_only_tag_matches_what_fit_refuses(make, positive):
    import skrapid

    est = eval(make, vars(skrapid))
    assert est.__sklearn_tags__().input_tags.positive_only is positive


def test_private_sklearn_helpers_come_from_one_module():
    """Every private scikit-learn name skrapid uses is imported by
    ``skrapid._sklearn_private`` and nowhere else."""
    import pathlib
    import re

    import skrapid
    from skrapid import _sklearn_private

    for name in _sklearn_private.__all__:
        assert getattr(_sklearn_private, name) is not None
    root = pathlib.Path(skrapid.__file__).parent
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if p.name != "_sklearn_private.py"
        and re.search(r"sklearn(\.\w+)*\._\w+|import _fit_context", p.read_text())
    ]
    assert not offenders, offenders

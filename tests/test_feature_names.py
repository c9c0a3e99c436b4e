"""scikit-learn parity: feature names, ``set_output`` and the HTML repr's link
to the API documentation."""

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skrapid import RARBM, BinaryRBM, GaussianRBM

rng = np.random.RandomState(0)
X01 = (rng.rand(60, 8) < 0.4).astype(float)
XPM = 2 * X01 - 1
XG = rng.randn(60, 8)

CASES = [
    (BinaryRBM(n_components=3, max_iter=2, random_state=0), X01, "binaryrbm"),
    (RARBM(n_components=3, n_patterns=1, max_iter=2, random_state=0), XPM, "rarbm"),
    (GaussianRBM(n_components=3, random_state=0), XG, "gaussianrbm"),
]
IDS = ["BinaryRBM", "RARBM", "GaussianRBM"]


@pytest.mark.parametrize("est, X, prefix", CASES, ids=IDS)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_get_feature_names_out(est, X, prefix, method):
    getattr(est, method)(X)
    names = est.get_feature_names_out()
    assert names.tolist() == [f"{prefix}{i}" for i in range(3)]


@pytest.mark.parametrize("est, X, prefix", CASES, ids=IDS)
def test_set_output_pandas(est, X, prefix):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X, columns=[f"pixel{i}" for i in range(X.shape[1])])
    est.set_output(transform="pandas").fit(df)
    assert est.feature_names_in_.tolist() == list(df.columns)
    out = est.transform(df)
    assert isinstance(out, pd.DataFrame)
    assert out.columns.tolist() == [f"{prefix}{i}" for i in range(3)]
    np.testing.assert_allclose(
        out.to_numpy(), est.set_output(transform="default").transform(X)
    )


def test_pipeline_set_output_and_feature_names():
    pd = pytest.importorskip("pandas")
    pipe = make_pipeline(
        MinMaxScaler(), BinaryRBM(n_components=4, max_iter=1, random_state=0)
    )
    pipe.set_output(transform="pandas").fit(X01)
    out = pipe.transform(X01)
    assert isinstance(out, pd.DataFrame)
    assert pipe.get_feature_names_out().tolist() == [f"binaryrbm{i}" for i in range(4)]
    g = make_pipeline(StandardScaler(), GaussianRBM(n_components=2)).fit(XG)
    assert g.get_feature_names_out().tolist() == ["gaussianrbm0", "gaussianrbm1"]


@pytest.mark.parametrize("est", [c[0] for c in CASES], ids=IDS)
def test_html_repr_links_to_the_api_page(est):
    name = type(est).__name__
    url = f"https://skrapid.readthedocs.io/en/latest/generated/skrapid.{name}.html"
    assert est._get_doc_link() == url
    assert url in est._repr_html_()
    assert url in make_pipeline(MinMaxScaler(), est)._repr_html_()

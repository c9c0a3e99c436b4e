"""
The input decides: NumPy, PyTorch and CuPy arrays
=================================================

skrapid follows scikit-learn's Array API convention.  NumPy input is computed
with NumPy, whatever is installed.  Under
``sklearn.config_context(array_api_dispatch=True)`` a PyTorch tensor is
computed by PyTorch and a CuPy array by CuPy, on the device it lives on, and
the outputs and the fitted attributes stay there; :func:`skrapid.to_numpy`
brings a fitted model home, so it pickles for a machine with neither PyTorch
nor a GPU.

This example fits the same model on NumPy input and, where they are
installed, on a PyTorch CPU tensor, a PyTorch CUDA tensor and a CuPy array,
and plots the time of 5 epochs of each.  Without PyTorch or a GPU it runs
the cases it can and says which it skipped.  (scikit-learn's dispatch needs
``SCIPY_ARRAY_API=1`` before SciPy is first imported: the first lines set it.)
"""

# %%
import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import pickle  # noqa: E402
import time  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402

import skrapid  # noqa: E402
from skrapid import BinaryRBM  # noqa: E402
from skrapid.datasets import make_mnist_like  # noqa: E402

X, _ = make_mnist_like(5000, random_state=0, dtype=np.float32)
inputs = {"NumPy": X}
try:
    import torch

    inputs["PyTorch (CPU)"] = torch.asarray(X)
    if torch.cuda.is_available():
        inputs["PyTorch (CUDA)"] = torch.asarray(X, device="cuda")
except ImportError:
    print("PyTorch is not installed: its cases are skipped")
if skrapid._backend.gpu_available():
    import cupy

    inputs["CuPy"] = cupy.asarray(X)
else:
    print("no CuPy with a CUDA GPU here: the CuPy case is skipped")

seconds, models = {}, {}
for name, data in inputs.items():
    with sklearn.config_context(array_api_dispatch=name != "NumPy"):
        rbm = BinaryRBM(
            n_components=256, batch_size=100, max_iter=5, learning_rate=0.05,
            random_state=0,
        )  # fmt: skip
        t0 = time.perf_counter()
        rbm.fit(data)
        H = rbm.transform(data[:10])
        seconds[name] = time.perf_counter() - t0
    models[name] = rbm
    print(
        f"{name:15s} 5 epochs in {seconds[name]:5.2f} s; components_ is a "
        f"{type(rbm.components_).__module__.split('.')[0]} array, transform "
        f"gives {type(H).__module__.split('.')[0]}"
    )

# %%
# Any of these models moves to a machine without PyTorch or a GPU as a NumPy
# copy.  PyTorch draws its own random numbers (a ``torch.Generator`` seeded
# from ``random_state``), so its fit is another draw of the same training, and
# scores like the NumPy fit up to that randomness.  On a CPU, NumPy input is
# the faster choice; the PyTorch path is for tensors on a GPU.
last = list(models)[-1]
portable = pickle.loads(pickle.dumps(skrapid.to_numpy(models[last])))
numpy_fit = models["NumPy"].score(X[4000:])
print(
    f"the {last} model as NumPy: held-out log-likelihood "
    f"{portable.score(X[4000:]):.1f} nats (NumPy fit: {numpy_fit:.1f})"
)

fig, ax = plt.subplots(figsize=(6, 2.6))
ax.barh(list(seconds), list(seconds.values()), color="C0")
ax.set_xlabel("seconds for 5 epochs (5000 x 784, H = 256)")
ax.invert_yaxis()
fig.tight_layout()
plt.show()

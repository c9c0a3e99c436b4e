"""
Training on a GPU with ``device=``
==================================

The same estimator runs on NumPy or, with ``device="gpu"``, on CuPy (install
``skrapid[gpu]``).  ``device="auto"`` picks the GPU when one is present, so
this example runs everywhere: on a machine without a GPU it trains on the
CPU and says so.  Whatever the device, the fitted attributes are NumPy
arrays, so the model pickles and scores anywhere.
"""

# %%
import pickle
import time

import numpy as np

from skrapid import BinaryRBM
from skrapid._backend import gpu_available
from skrapid.datasets import make_mnist_like

X, _ = make_mnist_like(5000, random_state=0, dtype=np.float32)
print("GPU available:", gpu_available())

t0 = time.perf_counter()
rbm = BinaryRBM(
    n_components=500,
    batch_size=1000,
    max_iter=5,
    learning_rate=0.05,
    device="auto",
    random_state=0,
).fit(X)
print(
    f"5 epochs in {time.perf_counter() - t0:.1f} s on "
    f"{'the GPU' if gpu_available() else 'the CPU'}"
)
print(type(rbm.components_).__module__, rbm.components_.dtype)

# %%
# A GPU-fitted model moves to a machine without a GPU as a pickle
clone = pickle.loads(pickle.dumps(rbm.set_params(device="cpu")))
log_z, se = clone.log_partition_function(
    "ais", n_betas=500, return_std=True, random_state=0
)
print(f"log Z = {log_z:.1f} ± {se:.2f} (AIS)")

"""
Categorical data: Potts units on digits in four grey levels
===========================================================

scikit-learn's 8x8 digits quantized to four grey levels are categorical data:
each pixel takes one of q = 4 values, coded 0..3 as
:class:`~sklearn.preprocessing.OrdinalEncoder` would code them.  A binary RBM
cannot model them without throwing levels away; ``RBM(visible="potts")``
models them as they are, with one q-state Potts unit per pixel.

The baseline is the model a user already has: independent pixels, each a
categorical distribution with Laplace smoothing.  The RBM's held-out
log-likelihood comes from forward AIS, with reverse AIS (started by parallel
tempering from the model's own samples) as its bracket.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skrapid import RBM

X = np.digitize(load_digits().data, [4, 8, 12])  # codes 0, 1, 2, 3
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)

# the baseline: independent categorical pixels, Laplace-smoothed
q = 4
counts = np.stack([(X_train == k).sum(0) for k in range(q)], axis=1)
p = (counts + 1) / (len(X_train) + q)
baseline = np.mean(np.log(p[np.arange(64), X_test]).sum(axis=1))

rbm = RBM(visible="potts", random_state=0).fit(X_train)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the diagnostics are printed below
    fwd = rbm.log_partition_function("ais", n_betas=2000, diagnostics=True)
    rev = rbm.log_partition_function("reverse_ais", n_betas=2000, diagnostics=True)
f_test = rbm.free_energy(X_test).mean()
print(f"independent categorical pixels: {baseline:.2f} nats per image")
print(
    f"Potts RBM (H = {rbm.n_components}): {-f_test - fwd.log_z:.2f} ± {fwd.std:.2f} "
    f"(reverse AIS {-f_test - rev.log_z:.2f}; AIS ESS {fwd.ess:.0f} of 100)"
)

# %%
# Samples by parallel tempering, as grey levels.
samples = rbm.sample(16, n_steps=300, method="pt", random_state=0)
fig, axes = plt.subplots(2, 16, figsize=(10, 1.8))
for ax, img in zip(axes[0], X_test[:16], strict=True):
    ax.imshow(img.reshape(8, 8), cmap="gray_r", vmin=0, vmax=3)
    ax.axis("off")
for ax, img in zip(axes[1], samples, strict=True):
    ax.imshow(img.reshape(8, 8), cmap="gray_r", vmin=0, vmax=3)
    ax.axis("off")
axes[0, 0].set_title("test digits", loc="left", fontsize=9)
axes[1, 0].set_title("Potts RBM samples (PT)", loc="left", fontsize=9)
plt.show()

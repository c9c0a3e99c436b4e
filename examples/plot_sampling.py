"""
Sampling from a trained model
=============================

A standard RBM trained on scikit-learn's 8x8 digits (binarized), then sampled
by block-Gibbs chains started from random states.  The samples' held-out
log-likelihood is known too: ``score`` uses the exact log Z here (the 16
hidden units are enumerated).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from skrapid import BinaryRBM
from skrapid.datasets import binarize, load_digits_nudged

X, _ = load_digits_nudged()
X = binarize(X, threshold=0.5)
rbm = BinaryRBM(
    n_components=16, learning_rate=0.05, batch_size=20, max_iter=20, random_state=0
).fit(X[:6000])
print(
    f"held-out log-likelihood: {rbm.score(X[6000:]):.2f} nats per image "
    f"(uniform model: {-64 * np.log(2):.2f})"
)

samples = rbm.sample(24, n_steps=1000, random_state=0)

# %%
fig, axes = plt.subplots(3, 8, figsize=(8, 3.2))
for ax, img in zip(axes.ravel(), samples, strict=True):
    ax.imshow(img.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax.axis("off")
fig.suptitle("24 samples, 1000 Gibbs sweeps each")
plt.show()

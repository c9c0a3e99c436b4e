"""
The spin-glass picture: Gibbs accessibility against the weights' scale
======================================================================

An RBM with independent random weights is a spin glass: at large weights
(low temperature) Gibbs chains get stuck far from the ground state.  An RBM
whose weights are built from a few patterns (RAPID's Regularized Axons) is
not: its low-energy states stay reachable.  The Gibbs accessibility (RAPID
paper, Sec. 5.1.1) is the lowest energy 10 chains reach in 10 sweeps divided
by the exact ground-state energy, here for V = 12 visible and H = 200 hidden
units, against the standard deviation of the weights (the paper's Fig. 1).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from skrapid.experiments import accessibility_vs_scale

stds = np.logspace(-2, 2, 9)
curves = {
    kind: accessibility_vs_scale(
        kind, stds, n_visible=12, n_hidden=200, n_repeats=10, seed=0
    )
    for kind in ("ra", "gaussian", "uniform")
}
for kind, c in curves.items():
    print(f"{kind:9s} plateau (std 100): {c['mean'][-1]:.3f}")

# %%
fig, ax = plt.subplots(figsize=(5.5, 3.8))
labels = {
    "ra": "RA weights (K = 10 patterns)",
    "gaussian": "Gaussian",
    "uniform": "uniform",
}
for kind, c in curves.items():
    m, sd = np.asarray(c["mean"]), np.asarray(c["std"])
    ax.semilogx(stds, m, label=labels[kind])
    ax.fill_between(stds, m - sd, m + sd, alpha=0.2)
ax.set_xlabel("standard deviation of the weights")
ax.set_ylabel("Gibbs accessibility")
ax.legend()
plt.show()

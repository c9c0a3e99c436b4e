"""
The scalar-field RBM learns a spectrum, infrared first, up to a cutoff
======================================================================

A free scalar field on a periodic 1D lattice of 10 sites (mass m² = 4) has
kernel eigenvalues κ between 4 and 8.  A Gaussian RBM (Aarts, Lucini & Park
2024) with 10 hidden nodes learns them from the exact two-point function;
with the mass parameter μ² = 6 below the largest κ, the modes above μ² cannot
be learnt and sit at μ², and with N_h = 6 hidden nodes only the six most
infrared modes are learnt: the RBM is an ultraviolet regulator.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from skrapid import GaussianRBM
from skrapid.datasets import lattice_eigenvalues, lattice_kernel
from skrapid.metrics import regulated_spectrum

K = lattice_kernel(10, m2=4.0)
kappa = lattice_eigenvalues(10, m2=4.0)
settings = {
    "μ² = 9, N_h = 10": (9.0, 10),
    "μ² = 6, N_h = 10": (6.0, 10),
    "μ² = 9, N_h = 6": (9.0, 6),
}
fits = {}
for name, (mu2, n_h) in settings.items():
    fits[name] = GaussianRBM(
        n_components=n_h,
        mu2=mu2,
        method="exact",
        learning_rate=0.5,
        max_iter=2000,
        random_state=0,
    ).fit_covariance(kernel=K)
    lam = np.linalg.eigvalsh(fits[name].kernel_)
    target = regulated_spectrum(kappa, mu2, n_h)
    print(f"{name}: max |λ / target - 1| = {np.max(np.abs(lam / target - 1)):.1e}")

# %%
# Each line is one eigenvalue of the RBM's kernel during training; dashed lines
# are the target κ.  The infrared (small κ) modes settle first.
fig, axes = plt.subplots(1, 3, figsize=(12, 3.5), sharey=True)
for ax, (name, rbm) in zip(axes, fits.items(), strict=True):
    ax.plot(np.array(rbm.history_["kernel_eigenvalues"]), lw=1)
    for k in np.unique(np.round(kappa, 6)):
        ax.axhline(k, color="k", ls="--", lw=0.5)
    ax.set_title(name, fontsize=9)
    ax.set_xlabel("epoch")
axes[0].set_ylabel("RBM kernel eigenvalues")
fig.tight_layout()
plt.show()

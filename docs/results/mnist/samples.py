"""16 samples from each saved H = 500 model: 1000 Gibbs sweeps and 1000 rounds
of parallel tempering (10 rungs) from random states -> samples.png.

Usage (from the repository root, after train_mnist.py saved the models)::

    python docs/results/mnist/samples.py
"""

import os

import joblib
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = {"BinaryRBM H=500": "binary_h500.joblib", "RARBM H=500": "rarbm_h500.joblib"}


def main():
    fig, axes = plt.subplots(4, 16, figsize=(16, 4.6))
    for row, (name, fname) in enumerate(MODELS.items()):
        est = joblib.load(os.path.join(HERE, fname))
        for col, method in enumerate(("gibbs", "pt")):
            S = est.sample(16, n_steps=1000, method=method, random_state=0)
            r = 2 * row + col
            for i, ax in enumerate(axes[r]):
                ax.imshow(S[i].reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
                ax.set_xticks([])
                ax.set_yticks([])
            axes[r, 0].set_ylabel(f"{name}\n{method}", fontsize=8)
    fig.suptitle(
        "binarized MNIST: 16 samples per model after 1000 Gibbs sweeps "
        "(gibbs) or 1000 PT rounds (pt), from random states"
    )
    fig.tight_layout()
    fig.savefig(os.path.join(HERE, "samples.png"), dpi=80)


if __name__ == "__main__":
    main()

"""Gradient-ascent optimizers for the training loop (SGD with momentum, Adam).

Optimizers act on a dict of parameter arrays in place and keep their state
in a dict of arrays of the same keys, so the state can be moved to the host
between ``partial_fit`` calls and back to the device.
"""

from __future__ import annotations

import math


def learning_rate_at(learning_rate: float, lr_decay: float, every: int, epoch: int):
    """Step schedule η_e = η_0 · r^⌊e / N⌋ (eq. A2 of the scalar-field paper)."""
    return learning_rate * lr_decay ** (epoch // every)


class SGD:
    """Stochastic gradient ascent with (heavy-ball) momentum.

    v ← μ v + η g;  θ ← θ + v.  With μ = 0 this is plain SGD, the update of
    scikit-learn's BernoulliRBM.
    """

    def __init__(self, momentum: float = 0.0):
        self.momentum = momentum

    def init_state(self, params, xp):
        if self.momentum == 0.0:
            return {}
        return {k: xp.zeros_like(p) for k, p in params.items()}

    def step(self, params, grads, lr, state):
        mu = self.momentum
        for k, g in grads.items():
            p = params[k]
            if mu == 0.0:
                g *= p.dtype.type(lr)  # gradients are fresh arrays: scale in place
                p += g
            else:
                vel = state[k]
                vel *= p.dtype.type(mu)
                g *= p.dtype.type(lr)  # in place: no temporary per step
                vel += g
                p += vel


class Adam:
    """Adam (Kingma & Ba 2015) for gradient ascent, with bias correction."""

    def __init__(self, beta1=0.9, beta2=0.999, eps=1e-8):
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def init_state(self, params, xp):
        state = {"t": 0}
        for k, p in params.items():
            state["m_" + k] = xp.zeros_like(p)
            state["v_" + k] = xp.zeros_like(p)
        return state

    def step(self, params, grads, lr, state):
        state["t"] = t = int(state["t"]) + 1
        b1, b2 = self.beta1, self.beta2
        step = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        for k, g in grads.items():
            p = params[k]
            m, v = state["m_" + k], state["v_" + k]
            dt = p.dtype.type
            m *= dt(b1)
            m += dt(1 - b1) * g
            v *= dt(b2)
            v += dt(1 - b2) * (g * g)
            p += dt(step) * m / (v**0.5 + dt(self.eps))


def make_optimizer(name: str, momentum: float):
    """Return the optimizer named ``"sgd"`` or ``"adam"``."""
    if name == "adam":
        return Adam()
    return SGD(momentum)

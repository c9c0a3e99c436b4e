"""Bernoulli units: states {0, 1}, E[s | x] = sigmoid(x), A(x) = log(1 + e^x)."""

from __future__ import annotations

from ._base import Layer, _log1p_exp_neg, _sigmoid


class Bernoulli(Layer):
    """Units with states {0, 1}: E[s|x] = sigmoid(x), A(x) = log(1 + e^x)."""

    name = "bernoulli"
    low, high = 0.0, 1.0
    binary = True

    def var(self, xp, field):
        m = _sigmoid(xp, field)
        return m * (1 - m)

    def mean(self, xp, field, out=None):
        return _sigmoid(xp, field, out=out)

    def prob_high(self, xp, field, out=None):
        return _sigmoid(xp, field, out=out)

    def log_partition(self, xp, field):
        # softplus(x) = max(x, 0) + log1p(exp(-|x|)); ~3x faster than
        # logaddexp(0, x) on NumPy and exact to the last bit in float64.
        out = _log1p_exp_neg(xp, field, 1)
        out += xp.maximum(field, 0)
        return out

"""Spin units: states {-1, +1}, E[s | x] = tanh(x), A(x) = log(2 cosh x)."""

from __future__ import annotations

from ._base import Layer, _log1p_exp_neg, _sigmoid


class Spin(Layer):
    """Units with states {-1, +1}: E[s|x] = tanh(x), A(x) = log(2 cosh x)."""

    name = "spin"
    low, high = -1.0, 1.0
    binary = True
    symmetric = True

    def var(self, xp, field):
        m = xp.tanh(field)
        return 1 - m * m

    def mean(self, xp, field, out=None):
        return xp.tanh(field, out=out)

    def prob_high(self, xp, field, out=None):
        return _sigmoid(xp, field, out=out, scale=2)  # (1 + tanh x) / 2

    def log_partition(self, xp, field):
        # log 2cosh(x) = |x| + log1p(exp(-2|x|)), overflow-free.
        out = _log1p_exp_neg(xp, field, 2)
        out += xp.abs(field)
        return out

"""``ExponentialFamily``: the base of distributions of the exponential family."""

from __future__ import annotations

from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Distributions of the form ``exp(<t(x), theta> - F(theta) + k(x))``.

    Each subclass here computes its entropy in closed form, so this class only marks the family.
    """

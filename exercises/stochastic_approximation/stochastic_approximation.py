"""Stochastic approximation. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/stochastic_approximation``."""


def incremental_means(xs: list[float]) -> list[float]:
    """The running mean after each sample: element ``k - 1`` is the mean of ``xs[:k]``.

    Computed one sample at a time, without a running sum:
    ``w_k = w_{k-1} + (x_k - w_{k-1}) / k`` for ``k = 1, 2, ...`` (``w_0`` does
    not matter: the first step gives ``w_1 = x_1``). Returns a new list of
    ``len(xs)`` floats; ``[]`` gives ``[]``. ``xs`` is left unchanged.
    """
    raise NotImplementedError


def robbins_monro(coeffs: list[float], w0: float, noise: list[float], a: float = 1.0) -> list[float]:
    """The Robbins–Monro iterates towards the root of ``g(w) = sum(coeffs[i] * w**i)``.

    ``coeffs`` are in ascending order of degree (``coeffs[0]`` is the constant
    term); ``g`` is increasing. For ``k = 1, ..., len(noise)`` one step is
    ``w <- w - (a / k) * (g(w) + noise[k - 1])``, starting from ``w = w0``.
    Returns ``w`` after each step: a list of ``len(noise)`` floats, ``[]`` when
    ``noise`` is empty. The inputs are left unchanged.
    """
    raise NotImplementedError

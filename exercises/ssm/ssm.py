"""State-space models, from HiPPO to Mamba. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/ssm``."""

from __future__ import annotations

from torch import Tensor


def hippo_legs(n: int) -> tuple[Tensor, Tensor]:
    """The HiPPO-LegS matrices ``(A, B)``: ``A`` (n, n) and ``B`` (n,), float64.

    ``A[i, k] = -sqrt(2i + 1) sqrt(2k + 1)`` for ``i > k``, ``-(i + 1)`` for ``i == k``,
    ``0`` for ``i < k`` (lower triangular); ``B[i] = sqrt(2i + 1)``. ``n >= 1``.
    """
    raise NotImplementedError


def discretize(A: Tensor, B: Tensor, dt: float, method: str = "zoh") -> tuple[Tensor, Tensor]:
    """``(A_bar, B_bar)`` for the step ``dt > 0``: ``A`` (N, N) invertible, ``B`` (N,).

    ``"zoh"``: ``A_bar = exp(dt A)`` (the matrix exponential), ``B_bar = A⁻¹ (A_bar − I) B``.
    ``"bilinear"``: ``A_bar = (I − dt/2 A)⁻¹ (I + dt/2 A)``, ``B_bar = (I − dt/2 A)⁻¹ dt B``.
    Results are (N, N) and (N,) in ``A``'s dtype. Any other ``method`` raises ``ValueError``.
    """
    raise NotImplementedError


def ssm_scan(A_bar: Tensor, B_bar: Tensor, C: Tensor, u: Tensor) -> Tensor:
    """The outputs ``y`` (L,) of ``x_k = A_bar x_{k−1} + B_bar u_k``, ``y_k = C · x_k``, from ``x_{−1} = 0``.

    ``A_bar`` (N, N), ``B_bar`` (N,), ``C`` (N,), ``u`` (L,) with ``L >= 1``, all of one dtype.
    """
    raise NotImplementedError


def ssm_kernel(A_bar: Tensor, B_bar: Tensor, C: Tensor, length: int) -> Tensor:
    """The convolution kernel ``K`` (length,): ``K[j] = C · A_bar^j B_bar`` for ``j = 0 .. length − 1``,
    so that ``ssm_scan`` equals ``y_k = Σ_{j ≤ k} K[j] u_{k−j}``. ``length >= 1``."""
    raise NotImplementedError


def selective_scan(u: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D_skip: Tensor) -> Tensor:
    """Mamba's selective scan: ``y`` (batch, L, D).

    ``u`` and ``delta`` (batch, L, D) with ``delta > 0`` (already through softplus: use it as it is),
    ``A`` (D, N) the diagonals of the per-channel state matrices, ``B`` and ``C`` (batch, L, N),
    ``D_skip`` (D,). For every batch element and channel ``d``, with a state ``h`` of N numbers from 0:
    ``h_t = exp(delta_t A[d]) * h_{t−1} + delta_t B_t u_t`` (elementwise), ``y_t = C_t · h_t + D_skip[d] u_t``.
    """
    raise NotImplementedError

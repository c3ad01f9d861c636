"""The Performer's FAVOR+: softmax attention estimated with positive random
features, in time linear in the sequence length. Read README.md in this folder,
then replace each ``raise NotImplementedError`` with your code and run
``grade exercises/performer``."""

from __future__ import annotations

from torch import Tensor


def favor_features(x: Tensor, projection: Tensor) -> Tensor:
    """Positive random features ``φ(x)_m = exp(ω_m·x − ‖x‖²/2) / √M``, shape (..., T, M).

    ``x`` (..., T, D); ``projection`` (M, D), row m is ω_m. Every feature is positive,
    and for ω ~ N(0, I) the expectation of ``φ(q)·φ(k)`` is ``exp(q·k)``. Result in
    ``x``'s dtype; the inputs are not modified.
    """
    raise NotImplementedError


def performer_attention(q: Tensor, k: Tensor, v: Tensor, projection: Tensor) -> Tensor:
    """Non-causal softmax attention estimated with ``favor_features``, shape (B, H, T, Dv).

    ``q`` (B, H, T, D), ``k`` (B, H, S, D), ``v`` (B, H, S, Dv), ``projection`` (M, D).
    With ``q' = q / D^(1/4)`` and ``k' = k / D^(1/4)`` (so that ``exp(q'·k') = exp(q·k / √D)``),
    ``out_i = φ(q'_i)ᵀ (Σ_j φ(k'_j) v_jᵀ) / (φ(q'_i)ᵀ Σ_j φ(k'_j))``, computed through
    these sums, never through a T × S matrix. Result in ``q``'s dtype; the inputs are
    not modified.
    """
    raise NotImplementedError

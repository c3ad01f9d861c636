"""Linear attention: attention without softmax, in O(T) time and memory. Read
README.md in this folder, then replace each ``raise NotImplementedError`` with
your code and run ``grade exercises/linear_attention``."""

from __future__ import annotations

from torch import Tensor


def linear_attention(q: Tensor, k: Tensor, v: Tensor, causal: bool = False, eps: float = 1e-6) -> Tensor:
    """``out_i = φ(q_i)ᵀ S / (φ(q_i)ᵀ z + eps)`` with ``φ(x) = elu(x) + 1``, shape (B, H, T, Dv).

    ``q`` (B, H, T, D), ``k`` (B, H, S, D), ``v`` (B, H, S, Dv). ``S = Σ_j φ(k_j) v_jᵀ``
    (D × Dv) and ``z = Σ_j φ(k_j)`` (D) over every key j (``causal=False``), or over
    j <= i for query i (``causal=True``, where S = T). Computed through these sums,
    never through a T × S matrix of scores. Result in ``q``'s dtype; the inputs are
    not modified.
    """
    raise NotImplementedError


def linear_attention_recurrent(q: Tensor, k: Tensor, v: Tensor, eps: float = 1e-6) -> Tensor:
    """The causal ``linear_attention`` as an RNN over time, shape (B, H, T, Dv).

    A state ``(S, z)`` starts at zero; at step i it adds ``φ(k_i) v_iᵀ`` and ``φ(k_i)``,
    then emits ``φ(q_i)ᵀ S / (φ(q_i)ᵀ z + eps)``. ``q``, ``k`` (B, H, T, D),
    ``v`` (B, H, T, Dv). The inputs are not modified.
    """
    raise NotImplementedError

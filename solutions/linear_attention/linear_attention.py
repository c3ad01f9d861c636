"""Reference solution: linear attention with the feature map elu(x) + 1
(Katharopoulos et al., "Transformers are RNNs", 2020)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def feature_map(x: Tensor) -> Tensor:
    # elu(x) + 1 is positive everywhere (x + 1 above 0, e^x below), so every
    # "score" φ(q)·φ(k) is positive and the normaliser never vanishes.
    return F.elu(x) + 1


def linear_attention(q: Tensor, k: Tensor, v: Tensor, causal: bool = False, eps: float = 1e-6) -> Tensor:
    phi_q, phi_k = feature_map(q), feature_map(k)
    # Softmax attention computes (φ(Q) φ(K)ᵀ) V: a T × S matrix first. Associativity
    # lets us compute φ(Q) (φ(K)ᵀ V) instead: a D × Dv matrix, never T × S.
    if causal:
        # Query i sees keys j <= i: running sums over time (prefix sums), one per position.
        S = torch.einsum("...jd,...je->...jde", phi_k, v).cumsum(dim=-3)  # (..., T, D, Dv)
        z = phi_k.cumsum(dim=-2)  # (..., T, D)
        numerator = torch.einsum("...id,...ide->...ie", phi_q, S)
    else:
        S = torch.einsum("...jd,...je->...de", phi_k, v)  # Σ_j φ(k_j) v_jᵀ, (..., D, Dv)
        z = phi_k.sum(dim=-2, keepdim=True)  # Σ_j φ(k_j), (..., 1, D)
        numerator = phi_q @ S
    denominator = (phi_q * z).sum(dim=-1, keepdim=True)  # φ(q_i)ᵀ z
    return numerator / (denominator + eps)


def linear_attention_recurrent(q: Tensor, k: Tensor, v: Tensor, eps: float = 1e-6) -> Tensor:
    # The causal form as an RNN: the state (S, z) has a fixed size however long the
    # sequence, which is what makes autoregressive decoding O(1) per token.
    phi_q, phi_k = feature_map(q), feature_map(k)
    S = q.new_zeros(*q.shape[:-2], q.shape[-1], v.shape[-1])  # (..., D, Dv)
    z = q.new_zeros(*q.shape[:-2], q.shape[-1])  # (..., D)
    outputs = []
    for i in range(q.shape[-2]):
        # Add token i to the state first: query i attends to itself.
        S = S + phi_k[..., i, :, None] * v[..., i, None, :]
        z = z + phi_k[..., i, :]
        numerator = (phi_q[..., i, :, None] * S).sum(dim=-2)  # φ(q_i)ᵀ S, (..., Dv)
        denominator = (phi_q[..., i, :] * z).sum(dim=-1, keepdim=True)
        outputs.append(numerator / (denominator + eps))
    return torch.stack(outputs, dim=-2)

"""Leaves out the denominator: out_i = φ(q_i)ᵀ S. Softmax divides by the sum
of the weights; so must linear attention, or the output grows with the number
of keys and with the size of φ(q)."""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_matches_the_explicit_quadratic_formula",
    "test_recurrent_matches_the_explicit_causal_formula",
    "test_long_sequences_never_build_a_t_by_t_matrix",
)


def linear_attention(q, k, v, causal=False, eps=1e-6):
    phi_q, phi_k = F.elu(q) + 1, F.elu(k) + 1
    if causal:
        S = torch.einsum("...jd,...je->...jde", phi_k, v).cumsum(dim=-3)
        return torch.einsum("...id,...ide->...ie", phi_q, S)  # no division by φ(q_i)ᵀ z
    return phi_q @ torch.einsum("...jd,...je->...de", phi_k, v)


def linear_attention_recurrent(q, k, v, eps=1e-6):
    phi_q, phi_k = F.elu(q) + 1, F.elu(k) + 1
    S = q.new_zeros(*q.shape[:-2], q.shape[-1], v.shape[-1])
    outputs = []
    for i in range(q.shape[-2]):
        S = S + phi_k[..., i, :, None] * v[..., i, None, :]
        outputs.append((phi_q[..., i, :, None] * S).sum(dim=-2))
    return torch.stack(outputs, dim=-2)

"""Uses φ(x) = elu(x) without the + 1. elu goes down to -1, so the weights
φ(q)·φ(k) can be negative or cancel to zero, and the normaliser can vanish:
the outputs are no longer averages of the values."""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_matches_the_explicit_quadratic_formula",
    "test_recurrent_matches_the_explicit_causal_formula",
    "test_long_sequences_never_build_a_t_by_t_matrix",
)


def phi(x):
    return F.elu(x)  # should be elu(x) + 1


def linear_attention(q, k, v, causal=False, eps=1e-6):
    phi_q, phi_k = phi(q), phi(k)
    if causal:
        S = torch.einsum("...jd,...je->...jde", phi_k, v).cumsum(dim=-3)
        z = phi_k.cumsum(dim=-2)
        numerator = torch.einsum("...id,...ide->...ie", phi_q, S)
    else:
        S = torch.einsum("...jd,...je->...de", phi_k, v)
        z = phi_k.sum(dim=-2, keepdim=True)
        numerator = phi_q @ S
    return numerator / ((phi_q * z).sum(dim=-1, keepdim=True) + eps)


def linear_attention_recurrent(q, k, v, eps=1e-6):
    phi_q, phi_k = phi(q), phi(k)
    S = q.new_zeros(*q.shape[:-2], q.shape[-1], v.shape[-1])
    z = q.new_zeros(*q.shape[:-2], q.shape[-1])
    outputs = []
    for i in range(q.shape[-2]):
        S = S + phi_k[..., i, :, None] * v[..., i, None, :]
        z = z + phi_k[..., i, :]
        numerator = (phi_q[..., i, :, None] * S).sum(dim=-2)
        outputs.append(numerator / ((phi_q[..., i, :] * z).sum(dim=-1, keepdim=True) + eps))
    return torch.stack(outputs, dim=-2)

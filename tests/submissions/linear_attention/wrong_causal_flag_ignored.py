"""The parallel form always sums over every key: causal=True gives the
non-causal result, so each query sees the future. (The recurrent form is
right, so the two disagree.)"""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_matches_the_explicit_quadratic_formula",
    "test_causal_parallel_form_equals_the_recurrent_form",
    "test_causal_output_ignores_the_future",
    "test_long_sequences_never_build_a_t_by_t_matrix",
)


def linear_attention(q, k, v, causal=False, eps=1e-6):
    phi_q, phi_k = F.elu(q) + 1, F.elu(k) + 1
    S = torch.einsum("...jd,...je->...de", phi_k, v)  # all keys, whatever causal says
    z = phi_k.sum(dim=-2, keepdim=True)
    return (phi_q @ S) / ((phi_q * z).sum(dim=-1, keepdim=True) + eps)


def linear_attention_recurrent(q, k, v, eps=1e-6):
    phi_q, phi_k = F.elu(q) + 1, F.elu(k) + 1
    S = q.new_zeros(*q.shape[:-2], q.shape[-1], v.shape[-1])
    z = q.new_zeros(*q.shape[:-2], q.shape[-1])
    outputs = []
    for i in range(q.shape[-2]):
        S = S + phi_k[..., i, :, None] * v[..., i, None, :]
        z = z + phi_k[..., i, :]
        numerator = (phi_q[..., i, :, None] * S).sum(dim=-2)
        outputs.append(numerator / ((phi_q[..., i, :] * z).sum(dim=-1, keepdim=True) + eps))
    return torch.stack(outputs, dim=-2)

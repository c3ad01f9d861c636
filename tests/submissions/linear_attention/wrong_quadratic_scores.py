"""Right numbers the quadratic way: builds the T × S matrix of weights
φ(q_i)·φ(k_j), masks it, and normalises its rows. That is exactly the cost
linear attention exists to avoid: at 20,000 tokens the matrix needs 3.2 GB."""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = ("test_never_builds_a_matrix_of_scores", "test_long_sequences_never_build_a_t_by_t_matrix")


def linear_attention(q, k, v, causal=False, eps=1e-6):
    scores = (F.elu(q) + 1) @ (F.elu(k) + 1).transpose(-1, -2)  # (..., T, S): quadratic
    if causal:
        scores = scores.tril()
    return (scores @ v) / (scores.sum(dim=-1, keepdim=True) + eps)


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

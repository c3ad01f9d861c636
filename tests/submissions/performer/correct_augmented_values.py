"""Correct, written differently from the reference: the features are computed
in log space, exp(ω·x − ‖x‖²/2 − ½ log M), with einsum; the attention appends
a column of ones to v, so that one pass over the keys gives the numerator
and the normaliser together."""

import math

import torch

EXPECTED_TO_FAIL = ()


def favor_features(x, projection):
    log_features = (
        torch.einsum("...td,md->...tm", x, projection)
        - 0.5 * torch.einsum("...td,...td->...t", x, x).unsqueeze(-1)
        - 0.5 * math.log(projection.shape[0])
    )
    return log_features.exp()


def performer_attention(q, k, v, projection):
    d = q.shape[-1]
    phi_q = favor_features(q / d**0.25, projection)
    phi_k = favor_features(k / d**0.25, projection)
    v_and_ones = torch.cat([v, torch.ones_like(v[..., :1])], dim=-1)
    summary = torch.einsum("...sm,...se->...me", phi_k, v_and_ones)  # [Σ φ(k) vᵀ | Σ φ(k)]
    out = torch.einsum("...tm,...me->...te", phi_q, summary)
    return out[..., :-1] / out[..., -1:]

"""Zero-order hold with B_bar = dt·B, the Euler step for B (what Mamba uses for its
B, but not zoh): right to first order in dt only. For x' = -x + u and dt = 0.5, B_bar
is 0.5 instead of 1 - e^-0.5 = 0.393."""

import torch

EXPECTED_TO_FAIL = (
    "test_discretize_known_answers",
    "test_zoh_matches_the_block_matrix_exponential",
    "test_zoh_and_bilinear_agree_to_third_order_as_dt_shrinks",
)


def hippo_legs(n):
    r = torch.sqrt(2 * torch.arange(n, dtype=torch.float64) + 1)
    A = torch.tril(-torch.outer(r, r), diagonal=-1) - torch.diag(torch.arange(1, n + 1, dtype=torch.float64))
    return A, r.clone()


def discretize(A, B, dt, method="zoh"):
    identity = torch.eye(A.shape[0], dtype=A.dtype)
    if method == "zoh":
        A_bar = torch.linalg.matrix_exp(dt * A)
        B_bar = dt * B  # should be A^-1 (A_bar - I) B
    elif method == "bilinear":
        backward = identity - dt / 2 * A
        A_bar = torch.linalg.solve(backward, identity + dt / 2 * A)
        B_bar = torch.linalg.solve(backward, dt * B)
    else:
        raise ValueError(f"unknown method {method!r}")
    return A_bar, B_bar


def ssm_scan(A_bar, B_bar, C, u):
    x = torch.zeros(A_bar.shape[0], dtype=A_bar.dtype)
    y = []
    for u_k in u:
        x = A_bar @ x + B_bar * u_k
        y.append(C @ x)
    return torch.stack(y)


def ssm_kernel(A_bar, B_bar, C, length):
    K = []
    x = B_bar
    for _ in range(length):
        K.append(C @ x)
        x = A_bar @ x
    return torch.stack(K)


def selective_scan(u, delta, A, B, C, D_skip):
    batch, length, channels = u.shape
    h = torch.zeros(batch, channels, A.shape[1], dtype=u.dtype)
    y = []
    for t in range(length):
        dt = delta[:, t, :, None]
        A_bar = torch.exp(dt * A)
        B_bar = dt * B[:, t, None, :]
        h = A_bar * h + B_bar * u[:, t, :, None]
        y.append((h * C[:, t, None, :]).sum(-1) + D_skip * u[:, t])
    return torch.stack(y, dim=1)

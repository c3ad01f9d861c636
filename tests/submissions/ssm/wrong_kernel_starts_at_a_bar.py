"""The kernel starts one power too high: K[j] = C A_bar^(j+1) B_bar, forgetting that
y_k already sees u_k through B_bar alone (K[0] = C B_bar)."""

import torch

EXPECTED_TO_FAIL = (
    "test_scan_and_kernel_known_answers",
    "test_kernel_matches_matrix_powers",
    "test_scan_equals_the_causal_convolution_with_the_kernel",
)


def hippo_legs(n):
    r = torch.sqrt(2 * torch.arange(n, dtype=torch.float64) + 1)
    A = torch.tril(-torch.outer(r, r), diagonal=-1) - torch.diag(torch.arange(1, n + 1, dtype=torch.float64))
    return A, r.clone()


def discretize(A, B, dt, method="zoh"):
    identity = torch.eye(A.shape[0], dtype=A.dtype)
    if method == "zoh":
        A_bar = torch.linalg.matrix_exp(dt * A)
        B_bar = torch.linalg.solve(A, (A_bar - identity) @ B)
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
    x = A_bar @ B_bar  # should start at B_bar (j = 0)
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

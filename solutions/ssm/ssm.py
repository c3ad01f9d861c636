"""Reference solution: state-space models, from HiPPO-LegS and the S4 discretisation
to Mamba's selective scan."""

from __future__ import annotations

import torch
from torch import Tensor


def hippo_legs(n: int) -> tuple[Tensor, Tensor]:
    # HiPPO-LegS (Gu et al., 2020): the state keeps the coefficients of the input's history
    # projected onto n Legendre polynomials. With r_i = sqrt(2i + 1):
    #   A[i, k] = -r_i r_k below the diagonal, -(i + 1) on it, 0 above;  B[i] = r_i.
    r = torch.sqrt(2 * torch.arange(n, dtype=torch.float64) + 1)
    A = torch.tril(-torch.outer(r, r), diagonal=-1) - torch.diag(torch.arange(1, n + 1, dtype=torch.float64))
    return A, r.clone()


def discretize(A: Tensor, B: Tensor, dt: float, method: str = "zoh") -> tuple[Tensor, Tensor]:
    # Turn x'(t) = A x(t) + B u(t) into x_k = A_bar x_{k-1} + B_bar u_k for a step of dt.
    identity = torch.eye(A.shape[0], dtype=A.dtype)
    if method == "zoh":
        # Zero-order hold: u is constant over the step, so the ODE is solved exactly:
        # A_bar = exp(dt A) (the matrix exponential, not elementwise exp),
        # B_bar = ∫_0^dt exp(s A) ds B = A^-1 (exp(dt A) - I) B.
        A_bar = torch.linalg.matrix_exp(dt * A)
        B_bar = torch.linalg.solve(A, (A_bar - identity) @ B)
    elif method == "bilinear":
        # Bilinear (Tustin, the trapezoid rule), as in S4:
        # A_bar = (I - dt/2 A)^-1 (I + dt/2 A),  B_bar = (I - dt/2 A)^-1 dt B.
        backward = identity - dt / 2 * A
        A_bar = torch.linalg.solve(backward, identity + dt / 2 * A)
        B_bar = torch.linalg.solve(backward, dt * B)
    else:
        raise ValueError(f"unknown discretisation method {method!r}: use 'zoh' or 'bilinear'")
    return A_bar, B_bar


def ssm_scan(A_bar: Tensor, B_bar: Tensor, C: Tensor, u: Tensor) -> Tensor:
    # The recurrent view: one state update per input, O(L N^2).
    x = torch.zeros(A_bar.shape[0], dtype=A_bar.dtype)
    y = []
    for u_k in u:
        x = A_bar @ x + B_bar * u_k  # update the state first ...
        y.append(C @ x)  # ... then read it: y_k sees u_k
    return torch.stack(y)


def ssm_kernel(A_bar: Tensor, B_bar: Tensor, C: Tensor, length: int) -> Tensor:
    # The convolutional view: unrolling the recurrence from x_{-1} = 0 gives
    # y_k = sum_j C A_bar^j B_bar u_{k-j}, so y = K * u with K_j = C A_bar^j B_bar.
    K = []
    x = B_bar  # A_bar^j B_bar, starting at j = 0
    for _ in range(length):
        K.append(C @ x)
        x = A_bar @ x
    return torch.stack(K)


def selective_scan(u: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D_skip: Tensor) -> Tensor:
    # Mamba (Gu & Dao, 2023): the parameters delta, B and C depend on the input, so there is
    # no fixed kernel: scan over time. Each of the D channels has its own diagonal SSM with
    # N states; A (D, N) holds the diagonals.
    batch, length, channels = u.shape
    h = torch.zeros(batch, channels, A.shape[1], dtype=u.dtype)
    y = []
    for t in range(length):
        dt = delta[:, t, :, None]  # (batch, D, 1)
        A_bar = torch.exp(dt * A)  # zoh on a diagonal A: an elementwise exp, (batch, D, N)
        B_bar = dt * B[:, t, None, :]  # Mamba's simplification of zoh for B: delta B
        h = A_bar * h + B_bar * u[:, t, :, None]
        y.append((h * C[:, t, None, :]).sum(-1) + D_skip * u[:, t])  # C_t h_t + D u_t
    return torch.stack(y, dim=1)

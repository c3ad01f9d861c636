"""Tests for ssm: the HiPPO definition, Van Loan's block exponential as the oracle for zoh,
matrix powers and float64 loops for the scans, and the relations between the views of an SSM
(recurrence and convolution, zoh and bilinear as dt shrinks, Mamba with constant parameters
and S4D)."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

FLOATS = [torch.float32, torch.float64]
LAYOUTS = ["contiguous", "transposed", "strided"]


def tolerance(dtype, size=1.0):
    """rtol and atol for ``dtype`` against a float64 oracle, atol scaled by the size of the terms
    (float32: a few dozen roundings, each ~1e-7 of the terms)."""
    if dtype == torch.float64:
        return {"rtol": 1e-9, "atol": 1e-9 * size}
    return {"rtol": 1e-4, "atol": 1e-5 * size}


def hippo_by_definition(n):
    """A and B of HiPPO-LegS, entry by entry, in float64."""
    A = torch.zeros(n, n, dtype=torch.float64)
    for i in range(n):
        for k in range(n):
            if i > k:
                A[i, k] = -math.sqrt(2 * i + 1) * math.sqrt(2 * k + 1)
            elif i == k:
                A[i, k] = -(i + 1)
    B = torch.tensor([math.sqrt(2 * i + 1) for i in range(n)], dtype=torch.float64)
    return A, B


def zoh_by_van_loan(A, B, dt):
    """Zero-order hold without A⁻¹: exp(dt [[A, B], [0, 0]]) = [[A_bar, B_bar], [0, 1]] (Van Loan, 1978)."""
    n = A.shape[0]
    block = torch.zeros(n + 1, n + 1, dtype=torch.float64)
    block[:n, :n], block[:n, n] = A.double(), B.double()
    exponential = torch.linalg.matrix_exp(dt * block)
    return exponential[:n, :n], exponential[:n, n]


def bilinear_in_float64(A, B, dt):
    A, B = A.double(), B.double()
    identity = torch.eye(A.shape[0], dtype=torch.float64)
    inverse = torch.linalg.inv(identity - dt / 2 * A)
    return inverse @ (identity + dt / 2 * A), inverse @ (dt * B)


def scan_in_float64(A_bar, B_bar, C, u):
    """The recurrence, one step at a time, in float64."""
    A_bar, B_bar, C, u = (t.double() for t in (A_bar, B_bar, C, u))
    x, y = torch.zeros(A_bar.shape[0], dtype=torch.float64), []
    for u_k in u:
        x = A_bar @ x + B_bar * u_k
        y.append(C @ x)
    return torch.stack(y)


def causal_convolution(kernel, u):
    """y_k = Σ_{j ≤ k} K_j u_{k−j}, in float64."""
    kernel, u = kernel.double(), u.double()
    return torch.stack([sum(kernel[j] * u[k - j] for j in range(k + 1)) for k in range(len(u))])


def selective_scan_in_float64(u, delta, A, B, C, D_skip):
    """Mamba's selective_scan_ref (without z, delta_bias and softplus), for (batch, L, D) layouts."""
    u, delta, A, B, C, D_skip = (t.double() for t in (u, delta, A, B, C, D_skip))
    delta_A = torch.exp(torch.einsum("bld,dn->bldn", delta, A))
    delta_B_u = torch.einsum("bld,bln,bld->bldn", delta, B, u)
    h = torch.zeros(u.shape[0], u.shape[2], A.shape[1], dtype=torch.float64)
    ys = []
    for t in range(u.shape[1]):
        h = delta_A[:, t] * h + delta_B_u[:, t]
        ys.append(torch.einsum("bdn,bn->bd", h, C[:, t]))
    return torch.stack(ys, dim=1) + u * D_skip


def randn(generator, *shape, dtype=torch.float64):
    return torch.randn(shape, generator=generator, dtype=torch.float64).to(dtype)


@st.composite
def continuous_systems(draw, dtypes=FLOATS):
    """(A, B): a stable, invertible A (N, N), N from 1 to 6: HiPPO-LegS, a negative diagonal (S4D),
    or a dense non-symmetric matrix shifted left of the imaginary axis; B (N,) random."""
    n = draw(st.integers(1, 6))
    kind = draw(st.sampled_from(["hippo", "diagonal", "dense"]))
    dtype, layout = draw(st.sampled_from(dtypes)), draw(st.sampled_from(LAYOUTS))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    if kind == "hippo":
        A = hippo_by_definition(n)[0]
    elif kind == "diagonal":
        A = -torch.diag(torch.rand(n, generator=generator, dtype=torch.float64) * 3 + 0.2)
    else:
        W = randn(generator, n, n)  # its eigenvalues lie within ‖W‖ of 0: shift them left of -0.2
        shift = float(torch.linalg.matrix_norm(W, ord=2)) + 0.2 + float(torch.rand(1, generator=generator))
        A = W - shift * torch.eye(n, dtype=torch.float64)
    B = randn(generator, n)
    return laid_out(A.to(dtype), layout), laid_out(B.to(dtype), layout)


@st.composite
def discrete_systems(draw, dtypes=FLOATS, max_length=24):
    """(A_bar, B_bar, C, u): a stable system discretised by zoh, in a drawn dtype and memory layout;
    u (L,) random with L from 1 to ``max_length``."""
    A, B = draw(continuous_systems(dtypes=[torch.float64]))
    dt = draw(st.sampled_from([0.01, 0.1, 0.3, 1.0]))
    A_bar, B_bar = zoh_by_van_loan(A, B, dt)
    dtype, layout = draw(st.sampled_from(dtypes)), draw(st.sampled_from(LAYOUTS))
    length = draw(st.one_of(st.just(1), st.integers(1, max_length)))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    C, u = randn(generator, A.shape[0]), randn(generator, length)
    return tuple(laid_out(t.to(dtype).contiguous(), layout) for t in (A_bar, B_bar, C, u))


@st.composite
def selective_inputs(draw, dtypes=FLOATS, constant=False):
    """Arguments of selective_scan: batch 1 to 3, L 1 to 16, D 1 to 4, N 1 to 6; delta positive (from
    0.01 to about 3, as softplus gives), A = -exp(randn) as Mamba's A_log parametrises it. B and C are
    (batch, L, N) views: in Mamba they are slices of one projection, not contiguous tensors.
    With ``constant``, delta (per channel), B and C do not change over time or batch."""
    batch, length = draw(st.integers(1, 3)), draw(st.one_of(st.just(1), st.integers(1, 16)))
    channels, n = draw(st.integers(1, 4)), draw(st.integers(1, 6))
    dtype, layout = draw(st.sampled_from(dtypes)), draw(st.sampled_from(LAYOUTS))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    u = randn(generator, batch, length, channels)
    if constant:
        delta = torch.nn.functional.softplus(randn(generator, channels)).expand(batch, length, channels)
        B = randn(generator, n).expand(batch, length, n)
        C = randn(generator, n).expand(batch, length, n)
    else:
        delta = torch.nn.functional.softplus(randn(generator, batch, length, channels)) + 0.01
        projection = randn(generator, batch, length, 2 * n + 1)  # as x_proj(x).split([1, N, N], dim=-1)
        B, C = projection[..., 1 : n + 1], projection[..., n + 1 :]
    A = -torch.exp(randn(generator, channels, n))
    D_skip = randn(generator, channels)
    tensors = [u, delta, A, B, C, D_skip]
    return [laid_out(t.to(dtype).contiguous(), layout) if layout != "contiguous" else t.to(dtype) for t in tensors]


def shapes(*tensors):
    return ", ".join(f"{list(t.shape)}" for t in tensors) + f" ({tensors[0].dtype})"


def check_tensor(got, call, shape, dtype):
    assert isinstance(got, torch.Tensor), f"{call} returned a {type(got).__name__}, expected a Tensor"
    assert list(got.shape) == list(shape), f"{call} returned shape {list(got.shape)}, expected {list(shape)}"
    assert got.dtype == dtype, f"{call} returned {got.dtype}, expected {dtype} (the inputs' dtype)"


def check_pair(got, call):
    assert isinstance(got, (tuple, list)) and len(got) == 2, (
        f"{call} returned {type(got).__name__}, expected a tuple of two tensors"
    )
    return got


@pytest.mark.points(2)
def test_hippo_legs_known_answer(submission):
    A, B = check_pair(submission.hippo_legs(3), "hippo_legs(3)")
    r3, r5, r15 = math.sqrt(3), math.sqrt(5), math.sqrt(15)
    expected_A = torch.tensor([[-1.0, 0.0, 0.0], [-r3, -2.0, 0.0], [-r5, -r15, -3.0]], dtype=torch.float64)
    expected_B = torch.tensor([1.0, r3, r5], dtype=torch.float64)
    assert_close(A, expected_A, name="A of hippo_legs(3)")
    assert_close(B, expected_B, name="B of hippo_legs(3)")
    A, B = check_pair(submission.hippo_legs(1), "hippo_legs(1)")
    assert_close(A, torch.tensor([[-1.0]], dtype=torch.float64), name="A of hippo_legs(1)")
    assert_close(B, torch.tensor([1.0], dtype=torch.float64), name="B of hippo_legs(1)")


@given(n=st.integers(1, 40))
def test_hippo_legs_matches_the_definition(submission, n):
    A, B = check_pair(submission.hippo_legs(n), f"hippo_legs({n})")
    expected_A, expected_B = hippo_by_definition(n)
    assert_close(A, expected_A, name=f"A of hippo_legs({n})")
    assert_close(B, expected_B, name=f"B of hippo_legs({n})")


@pytest.mark.points(2)
def test_discretize_known_answers(submission):
    A, B = torch.tensor([[-1.0]], dtype=torch.float64), torch.tensor([1.0], dtype=torch.float64)
    cases = [
        # x' = -x + u with dt = 0.5: A_bar = e^-0.5, B_bar = 1 - e^-0.5 (zoh); 0.75 / 1.25 and 0.5 / 1.25 (bilinear)
        ((A, B, 0.5, "zoh"), ([[math.exp(-0.5)]], [1 - math.exp(-0.5)])),
        ((A, B, 0.5, "bilinear"), ([[0.6]], [0.4])),
        # A diagonal: exp(dt A) is diagonal too (exp of each entry on the diagonal, 0 off it)
        (
            (torch.diag(torch.tensor([-1.0, -2.0], dtype=torch.float64)), torch.tensor([1.0, 1.0], dtype=torch.float64),
             0.5, "zoh"),
            ([[math.exp(-0.5), 0.0], [0.0, math.exp(-1.0)]], [1 - math.exp(-0.5), (1 - math.exp(-1.0)) / 2]),
        ),
    ]  # fmt: skip
    for (matrix, vector, dt, method), (expected_A, expected_B) in cases:
        call = f"discretize({matrix.tolist()}, {vector.tolist()}, {dt}, {method!r})"
        A_bar, B_bar = check_pair(submission.discretize(matrix, vector, dt, method), call)
        assert_close(A_bar, torch.tensor(expected_A, dtype=torch.float64), name=f"A_bar of {call}")
        assert_close(B_bar, torch.tensor(expected_B, dtype=torch.float64), name=f"B_bar of {call}")
    # zoh is the default method
    A_bar, B_bar = check_pair(submission.discretize(A, B, 0.5), "discretize(A, B, 0.5)")
    assert_close(A_bar, torch.tensor([[math.exp(-0.5)]], dtype=torch.float64), name="A_bar of discretize([[-1]], [1], 0.5)")  # fmt: skip


@pytest.mark.points(2)
@given(system=continuous_systems(), dt=st.floats(0.001, 2.0))
def test_zoh_matches_the_block_matrix_exponential(submission, system, dt):
    A, B = system
    call = f"discretize(A, B, {dt!r}, 'zoh') for A, B of shapes {shapes(A, B)}"
    A_bar, B_bar = check_pair(submission.discretize(A, B, dt, "zoh"), call)
    expected_A, expected_B = zoh_by_van_loan(A, B, dt)
    check_tensor(A_bar, call, A.shape, A.dtype)
    check_tensor(B_bar, call, B.shape, A.dtype)
    # B_bar = A⁻¹ (A_bar − I) B: rounding in A_bar − I is magnified by ‖A⁻¹‖.
    size = 1.0 + float(torch.linalg.matrix_norm(torch.linalg.inv(A.double()), ord=2)) * float(B.abs().max())
    assert_close(A_bar, expected_A.to(A.dtype), name=f"A_bar of {call}", **tolerance(A.dtype))
    assert_close(B_bar, expected_B.to(A.dtype), name=f"B_bar of {call}", **tolerance(A.dtype, size))


@given(system=continuous_systems(), dt=st.floats(0.001, 2.0))
def test_bilinear_matches_the_formula_in_float64(submission, system, dt):
    A, B = system
    call = f"discretize(A, B, {dt!r}, 'bilinear') for A, B of shapes {shapes(A, B)}"
    A_bar, B_bar = check_pair(submission.discretize(A, B, dt, "bilinear"), call)
    expected_A, expected_B = bilinear_in_float64(A, B, dt)
    check_tensor(A_bar, call, A.shape, A.dtype)
    check_tensor(B_bar, call, B.shape, A.dtype)
    size = 1.0 + float(expected_B.abs().max())
    assert_close(A_bar, expected_A.to(A.dtype), name=f"A_bar of {call}", **tolerance(A.dtype))
    assert_close(B_bar, expected_B.to(A.dtype), name=f"B_bar of {call}", **tolerance(A.dtype, size))


@pytest.mark.points(2)
@given(system=continuous_systems(dtypes=[torch.float64]), step=st.floats(0.005, 0.05))
def test_zoh_and_bilinear_agree_to_third_order_as_dt_shrinks(submission, system, step):
    # exp(dt A) = I + dt A + dt² A²/2 + dt³ A³/6 + ...; the bilinear map is I + dt A + dt² A²/2 + dt³ A³/4 + ...
    # So the two differ by about dt³ A³ / 12 (and the B_bars by dt³ A² B / 12): third order. B_bar = dt B
    # for zoh, or A_bar = I + dt A, is off at second order already.
    A, B = system
    norm_A = float(torch.linalg.matrix_norm(A, ord=2))
    dt = step / norm_A  # dt ‖A‖ = step, small
    zoh = check_pair(submission.discretize(A, B, dt, "zoh"), f"discretize(A, B, {dt!r}, 'zoh')")
    bilinear = check_pair(submission.discretize(A, B, dt, "bilinear"), f"discretize(A, B, {dt!r}, 'bilinear')")
    bounds = (step**3 / 6, dt * step**2 / 6 * float(torch.linalg.vector_norm(B)))
    for name, z, b, bound in zip(("A_bar", "B_bar"), zoh, bilinear, bounds):
        gap = float(torch.linalg.norm((z - b).double()))
        assert gap <= bound + 1e-12, (
            f"for A, B of shapes {shapes(A, B)} and dt = {dt:.3g} (dt ‖A‖ = {step:.3g}), {name} of 'zoh' and of "
            f"'bilinear' differ by {gap:.3g} (norm), expected at most {bound:.3g}: the two discretisations agree "
            f"up to terms in dt³; a difference in dt² means one of them is not the formula"
        )


@pytest.mark.points(2)
def test_scan_and_kernel_known_answers(submission):
    one = {"dtype": torch.float64}
    A_bar, B_bar, C = torch.tensor([[0.5]], **one), torch.tensor([1.0], **one), torch.tensor([2.0], **one)
    u = torch.tensor([1.0, 2.0, 3.0], **one)
    # x = 1, 0.5·1 + 2 = 2.5, 0.5·2.5 + 3 = 4.25; y = 2x
    got = submission.ssm_scan(A_bar, B_bar, C, u)
    assert_close(got, torch.tensor([2.0, 5.0, 8.5], **one), name="ssm_scan([[0.5]], [1], [2], [1, 2, 3])")
    got = submission.ssm_kernel(A_bar, B_bar, C, 4)
    assert_close(got, torch.tensor([2.0, 1.0, 0.5, 0.25], **one), name="ssm_kernel([[0.5]], [1], [2], 4)")
    # A lower-triangular A_bar: A_bar^j = [[0.5^j, 0], [j 0.5^(j-1), 0.5^j]], so C A_bar^j B_bar = j 0.5^(j-1).
    # (A_bar transposed would give 0 everywhere.)
    A_bar, B_bar, C = torch.tensor([[0.5, 0.0], [1.0, 0.5]], **one), torch.tensor([1.0, 0.0], **one), torch.tensor([0.0, 1.0], **one)  # fmt: skip
    got = submission.ssm_kernel(A_bar, B_bar, C, 4)
    assert_close(got, torch.tensor([0.0, 1.0, 1.0, 0.75], **one), name="ssm_kernel([[0.5, 0], [1, 0.5]], [1, 0], [0, 1], 4)")  # fmt: skip
    got = submission.ssm_scan(A_bar, B_bar, C, torch.tensor([1.0, 0.0, 0.0, 0.0], **one))
    assert_close(got, torch.tensor([0.0, 1.0, 1.0, 0.75], **one),
                 name="ssm_scan([[0.5, 0], [1, 0.5]], [1, 0], [0, 1], [1, 0, 0, 0]) (the impulse response)")  # fmt: skip


@pytest.mark.points(2)
@given(system=discrete_systems())
def test_scan_matches_the_recurrence_in_float64(submission, system):
    A_bar, B_bar, C, u = system
    call = f"ssm_scan(A_bar, B_bar, C, u) for shapes {shapes(A_bar, B_bar, C, u)}"
    got = submission.ssm_scan(A_bar, B_bar, C, u)
    check_tensor(got, call, u.shape, u.dtype)
    expected = scan_in_float64(A_bar, B_bar, C, u)
    size = 1.0 + float(expected.abs().max())
    assert_close(got, expected.to(u.dtype), name=call, **tolerance(u.dtype, size))


@given(system=discrete_systems())
def test_kernel_matches_matrix_powers(submission, system):
    A_bar, B_bar, C, u = system
    length = len(u)
    call = f"ssm_kernel(A_bar, B_bar, C, {length}) for shapes {shapes(A_bar, B_bar, C)}"
    got = submission.ssm_kernel(A_bar, B_bar, C, length)
    check_tensor(got, call, [length], u.dtype)
    A64, B64, C64 = A_bar.double(), B_bar.double(), C.double()
    expected = torch.stack([C64 @ torch.linalg.matrix_power(A64, j) @ B64 for j in range(length)])
    size = 1.0 + float(expected.abs().max())
    assert_close(got, expected.to(u.dtype), name=call, **tolerance(u.dtype, size))


@given(system=discrete_systems())
def test_scan_equals_the_causal_convolution_with_the_kernel(submission, system):
    A_bar, B_bar, C, u = system
    scanned = submission.ssm_scan(A_bar, B_bar, C, u)
    kernel = submission.ssm_kernel(A_bar, B_bar, C, len(u))
    check_tensor(scanned, "ssm_scan(A_bar, B_bar, C, u)", u.shape, u.dtype)
    check_tensor(kernel, f"ssm_kernel(A_bar, B_bar, C, {len(u)})", u.shape, u.dtype)
    expected = causal_convolution(kernel, u)
    size = 1.0 + float(expected.abs().max())
    assert_close(
        scanned,
        expected.to(u.dtype),
        name=f"ssm_scan against the causal convolution of u with ssm_kernel (shapes {shapes(A_bar, B_bar, C, u)})",
        **tolerance(u.dtype, size),
    )


@given(system=discrete_systems(dtypes=[torch.float64], max_length=12), delay=st.integers(1, 5), a=st.floats(-3, 3))
def test_scan_is_linear_and_time_invariant(submission, system, delay, a):
    A_bar, B_bar, C, u = system
    y = submission.ssm_scan(A_bar, B_bar, C, u)
    check_tensor(y, "ssm_scan(A_bar, B_bar, C, u)", u.shape, u.dtype)
    # Delaying the input by `delay` steps delays the output: the state starts at zero.
    delayed = submission.ssm_scan(A_bar, B_bar, C, torch.cat([torch.zeros(delay, dtype=u.dtype), u]))
    expected = torch.cat([torch.zeros(delay, dtype=u.dtype), y])
    size = 1.0 + float(y.abs().max())
    assert_close(delayed, expected, name=f"ssm_scan of u delayed by {delay} steps, against ssm_scan(u) delayed",
                 **tolerance(u.dtype, size))  # fmt: skip
    # Scaling and adding inputs scales and adds outputs.
    v = torch.flip(u, [0]) + 1.0
    combined = submission.ssm_scan(A_bar, B_bar, C, a * u + v)
    expected = a * y + submission.ssm_scan(A_bar, B_bar, C, v)
    size = 1.0 + float(expected.abs().max()) + abs(a) * float(y.abs().max())
    assert_close(combined, expected, name=f"ssm_scan({a!r} u + v) against {a!r} ssm_scan(u) + ssm_scan(v)",
                 **tolerance(u.dtype, size))  # fmt: skip


@pytest.mark.points(2)
def test_selective_scan_known_answer(submission):
    one = {"dtype": torch.float64}
    # One batch element, one channel, N = 2, L = 2. delta = 1 and A = [-ln 2, -ln 4] give
    # A_bar = [1/2, 1/4]; B_bar = delta B_t.
    u = torch.tensor([[[1.0], [2.0]]], **one)
    delta = torch.ones(1, 2, 1, **one)
    A = torch.tensor([[-math.log(2.0), -math.log(4.0)]], **one)
    B = torch.tensor([[[1.0, 2.0], [1.0, 0.0]]], **one)
    C = torch.tensor([[[1.0, 1.0], [1.0, -1.0]]], **one)
    D_skip = torch.tensor([0.5], **one)
    # h_0 = [1, 2] · 1 = [1, 2];            y_0 = 1 + 2 + 0.5 · 1 = 3.5
    # h_1 = [0.5, 0.5] + [1, 0] · 2 = [2.5, 0.5];  y_1 = 2.5 - 0.5 + 0.5 · 2 = 3
    got = submission.selective_scan(u, delta, A, B, C, D_skip)
    assert_close(got, torch.tensor([[[3.5], [3.0]]], **one), name="selective_scan for the example with delta = 1")
    # delta = 0.5: A_bar = [2^-0.5, 4^-0.5] = [0.7071.., 0.5], B_bar = B / 2.
    # h_0 = [0.5, 1]; y_0 = 1.5 + 0.5 = 2;  h_1 = [0.5 · 0.7071.. + 1, 0.5];  y_1 = 0.3535.. + 1 - 0.5 + 1
    got = submission.selective_scan(u, delta / 2, A, B, C, D_skip)
    expected = torch.tensor([[[2.0], [0.5 * math.sqrt(0.5) + 1.5]]], **one)
    assert_close(got, expected, name="selective_scan for the example with delta = 0.5")


@pytest.mark.points(2)
@given(inputs=selective_inputs())
def test_selective_scan_matches_a_float64_loop(submission, inputs):
    u = inputs[0]
    call = f"selective_scan(u, delta, A, B, C, D_skip) for shapes {shapes(*inputs)}"
    got = submission.selective_scan(*inputs)
    check_tensor(got, call, u.shape, u.dtype)
    expected = selective_scan_in_float64(*inputs)
    size = 1.0 + float(expected.abs().max())
    assert_close(got, expected.to(u.dtype), name=call, **tolerance(u.dtype, size))


@given(inputs=selective_inputs(constant=True))
def test_selective_scan_with_constant_parameters_is_a_convolution(submission, inputs):
    # With delta, B and C fixed over time, each channel is an LTI system with a diagonal A_bar
    # (S4D): y = K * u + D u with K_j = Σ_n C_n exp(delta A_n)^j delta B_n.
    u, delta, A, B, C, D_skip = inputs
    got = submission.selective_scan(*inputs)
    check_tensor(got, "selective_scan(u, delta, A, B, C, D_skip)", u.shape, u.dtype)
    delta64, A64, B64, C64 = delta[0, 0].double(), A.double(), B[0, 0].double(), C[0, 0].double()
    powers = torch.arange(u.shape[1], dtype=torch.float64)
    A_bar = torch.exp(delta64[:, None] * A64)  # (D, N)
    kernels = ((delta64[:, None] * C64 * B64)[:, None, :] * A_bar[:, None, :] ** powers[None, :, None]).sum(
        -1
    )  # (D, L)
    expected = (
        torch.stack(
            [
                torch.stack([causal_convolution(kernels[d], u[b, :, d]) for d in range(u.shape[2])], dim=-1)
                for b in range(u.shape[0])
            ]
        )
        + u.double() * D_skip.double()
    )
    size = 1.0 + float(expected.abs().max())
    assert_close(
        got,
        expected.to(u.dtype),
        name=f"selective_scan with delta, B, C constant over time (shapes {shapes(*inputs)}), against the "
        f"convolution with K_j = Σ_n C_n exp(delta A_n)^j delta B_n plus D u",
        **tolerance(u.dtype, size),
    )


def test_discretize_rejects_an_unknown_method(submission):
    A, B = torch.tensor([[-1.0]], dtype=torch.float64), torch.tensor([1.0], dtype=torch.float64)
    try:
        got = submission.discretize(A, B, 0.1, "euler")
    except ValueError:
        return
    pytest.fail(
        f"discretize([[-1.0]], [1.0], 0.1, 'euler') returned {got!r}; expected ValueError: the method is "
        f"'zoh' or 'bilinear', and silently falling back to one of them hides a typo"
    )

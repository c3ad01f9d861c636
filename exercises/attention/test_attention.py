"""Tests for attention: torch's own scaled_dot_product_attention and
multi_head_attention_forward in float64 as oracles, and what attention must do
when keys are permuted, scores are shifted or later tokens change."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

DTYPES = [torch.float32, torch.float64]
LAYOUTS = ["contiguous", "transposed", "strided"]
LN3 = math.log(3.0)


def tolerances(dtype, values):
    """float32 results against a float64 oracle: the scores' rounding errors move the
    weights by a few 1e-6 relative, so the absolute error is relative to the largest
    value; the mistakes tested for are off by 0.05 or more."""
    size = float(values.abs().max()) if values.numel() else 1.0
    if dtype == torch.float32:
        return {"rtol": 1e-4, "atol": 1e-4 * size}
    return {"rtol": 1e-9, "atol": 1e-9 * size}


def dtype_name(dtype):
    return str(dtype).removeprefix("torch.")


def randn(generator, shape, dtype, spread=1.0, layout="contiguous"):
    values = torch.randn(shape, generator=generator, dtype=torch.float64) * spread
    return laid_out(values.to(dtype), layout)


def top_left_causal(lq, lk):
    """Query i may attend to keys 0..i, as torch's is_causal."""
    return torch.ones(lq, lk, dtype=torch.bool).tril()


def reference_attention(case):
    """torch.nn.functional.scaled_dot_product_attention in float64, with the causal
    triangle folded into the mask (torch refuses both at once), cast to q's dtype."""
    q, k, v = (case[name].double() for name in ("q", "k", "v"))
    allowed = case["mask"]
    if case["causal"]:
        triangle = top_left_causal(q.shape[-2], k.shape[-2])
        allowed = triangle if allowed is None else allowed & triangle
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed, scale=case["scale"])
    return out.to(case["q"].dtype)


def describe(case):
    mask = case["mask"]
    return (
        f"q {tuple(case['q'].shape)}, k {tuple(case['k'].shape)}, v {tuple(case['v'].shape)}, "
        f"mask {'None' if mask is None else tuple(mask.shape)}, causal={case['causal']}, "
        f"scale={case['scale']}, {dtype_name(case['q'].dtype)}"
    )


def call(submission, case, **changes):
    case = {**case, **changes}
    return submission.scaled_dot_product_attention(
        case["q"], case["k"], case["v"], mask=case["mask"], causal=case["causal"], scale=case["scale"]
    )


def check_tensor(got, name, shape):
    assert isinstance(got, torch.Tensor), f"{name} returned a {type(got).__name__}, expected a Tensor"
    assert tuple(got.shape) == tuple(shape), f"{name} returned shape {tuple(got.shape)}, expected {tuple(shape)}"


def random_mask(generator, shape, lq, lk, causal):
    """A bool mask of ``shape`` (…, R, Lk) with R = Lq or 1 (broadcast over the queries),
    random, but with at least one allowed key in every row that the causal triangle
    also allows (a fully masked row has no softmax)."""
    density = float(torch.rand((), generator=generator)) * 0.8 + 0.1
    mask = torch.rand(shape, generator=generator) < density
    rows = shape[-2]
    if causal:
        # row r of a per-query mask may pick any key up to r; a broadcast row must work for query 0.
        limit = torch.arange(rows).clamp(max=lk - 1) if rows == lq else torch.zeros(rows, dtype=torch.long)
    else:
        limit = torch.full((rows,), lk - 1)
    pick = (torch.rand(shape[:-1], generator=generator) * (limit + 1)).long().clamp(max=lk - 1)
    mask.scatter_(-1, pick.unsqueeze(-1), True)
    return mask


@st.composite
def attention_inputs(draw, causal=None, masked=None, dtypes=DTYPES):
    """A dict of q, k, v, mask, causal and scale: 0 to 2 leading dimensions, 1 to 9
    queries and keys (often one, often as many queries as keys, often not), head sizes
    1 to 8 (values may be wider or narrower than keys), duplicated keys (tied scores),
    masks of every broadcastable shape, every tensor in a drawn memory layout."""
    dtype = draw(st.sampled_from(dtypes))
    leading = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    # sampled_from draws sizes evenly (integers favours the smallest) and shrinks to the first.
    lq = draw(st.sampled_from([3, 1, 2, 5, 9, 4, 6, 7, 8]))
    lk = draw(st.sampled_from([lq, 1, 2, 5, 9, 3, 4, 6, 7, 8]))
    d = draw(st.integers(1, 8))
    dv = draw(st.one_of(st.just(d), st.integers(1, 8)))
    spread = draw(st.sampled_from([0.5, 1.0, 2.0]))
    layout = draw(st.sampled_from(LAYOUTS))
    causal = draw(st.booleans()) if causal is None else causal
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    q = randn(generator, (*leading, lq, d), torch.float64, spread)
    k = randn(generator, (*leading, lk, d), torch.float64, spread)
    if lk > 1 and draw(st.booleans()):
        k[..., -1, :] = k[..., 0, :]  # two keys with equal scores for every query
    v = randn(generator, (*leading, lk, dv), torch.float64)
    mask_shapes = [None, (lq, lk), (*leading, lq, lk), (*leading, 1, lk)]
    if leading:
        mask_shapes.append((leading[0], *[1] * (len(leading) - 1), 1, lk))  # (B, 1, 1, Lk): key padding
    if masked is not None:
        mask_shapes = [s for s in mask_shapes if (s is not None) == masked]
    shape = draw(st.sampled_from(mask_shapes))
    mask = None if shape is None else random_mask(generator, shape, lq, lk, causal)
    return {
        "q": laid_out(q.to(dtype), layout),
        "k": laid_out(k.to(dtype), layout),
        "v": laid_out(v.to(dtype), layout),
        "mask": mask,
        "causal": causal,
        "scale": draw(st.sampled_from([None, None, 1.0, 0.3])),
    }


@pytest.mark.points(2)
def test_worked_example(submission):
    # D = 4, so the default scale is 1/2: query 1 · key 1 = 2 ln 3 scores ln 3, and the
    # weights of query 1 are e^0 : e^ln3 = 1 : 3, i.e. 1/4 and 3/4.
    q = torch.tensor([[0.0, 0.0, 0.0, 0.0], [LN3, LN3, 0.0, 0.0]])
    k = torch.tensor([[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]])
    v = torch.tensor([[0.0, 4.0], [4.0, 0.0]])
    cases = [
        ({}, [[2.0, 2.0], [3.0, 1.0]], "query 0 weighs both keys 1/2, query 1 weighs them 1/4 and 3/4"),
        ({"causal": True}, [[0.0, 4.0], [3.0, 1.0]], "query 0 sees key 0 only"),
        ({"mask": torch.tensor([[True, True], [False, True]])}, [[2.0, 2.0], [4.0, 0.0]], "query 1 sees key 1 only"),
        ({"scale": 1.0}, [[2.0, 2.0], [3.6, 0.4]], "query 1 scores 2 ln 3: weights 1/10 and 9/10"),
    ]
    for kwargs, expected, why in cases:
        got = submission.scaled_dot_product_attention(q, k, v, **kwargs)
        shown = ", ".join(
            f"{key}={value.tolist() if isinstance(value, torch.Tensor) else value}" for key, value in kwargs.items()
        )
        name = f"scaled_dot_product_attention(q, k, v{', ' if shown else ''}{shown})"
        check_tensor(got, name, (2, 2))
        assert_close(got, torch.tensor(expected), name=f"{name} ({why}; see README's example)")


@pytest.mark.points(2)
def test_multi_head_worked_example(submission):
    # d_model = 2, two heads of size 1 (scale 1): head 0 reads feature 0, head 1 feature 1.
    x = torch.tensor([[[0.0, 1.0], [1.0, 0.0]]])
    w_q, w_k, w_v, w_o = torch.eye(2) * LN3, torch.eye(2), torch.tensor([[4.0, 0.0], [0.0, 8.0]]), torch.eye(2)
    # Head 0 scores [[0, 0], [0, ln 3]] and values [0, 4]: outputs 2 and 3.
    # Head 1 scores [[ln 3, 0], [0, 0]] and values [8, 0]: outputs 6 and 4.
    for causal, expected in ((False, [[[2.0, 6.0], [3.0, 4.0]]]), (True, [[[0.0, 8.0], [3.0, 4.0]]])):
        got = submission.multi_head_attention(x, w_q, w_k, w_v, w_o, 2, causal=causal)
        name = f"multi_head_attention(x, w_q, w_k, w_v, w_o, n_heads=2, causal={causal}) of README's example"
        check_tensor(got, name, (1, 2, 2))
        assert_close(got, torch.tensor(expected), name=name)


@pytest.mark.points(2)
@given(case=attention_inputs())
def test_matches_torch_scaled_dot_product_attention(submission, case):
    got = call(submission, case)
    expected = reference_attention(case)
    name = f"scaled_dot_product_attention({describe(case)})"
    check_tensor(got, name, expected.shape)
    assert_close(got, expected, **tolerances(case["q"].dtype, case["v"]), name=f"{name}, against torch's in float64")


@st.composite
def inputs_and_key_order(draw):
    case = draw(attention_inputs(causal=False))
    return case, draw(st.permutations(range(case["k"].shape[-2])))


@given(case_and_order=inputs_and_key_order())
def test_permuting_keys_and_values_together_changes_nothing(submission, case_and_order):
    case, order = case_and_order
    index = torch.tensor(order, dtype=torch.long)
    mask = case["mask"]
    if mask is not None and mask.shape[-1] > 1:
        mask = mask[..., index]
    original = call(submission, case)
    permuted = call(submission, case, k=case["k"][..., index, :], v=case["v"][..., index, :], mask=mask)
    check_tensor(permuted, "scaled_dot_product_attention", original.shape)
    assert_close(
        permuted,
        original,
        **tolerances(case["q"].dtype, case["v"]),
        name=f"with keys, values and mask columns reordered as {order}, scaled_dot_product_attention"
        f"({describe(case)}) (attention is a weighted sum over the keys: their order must not matter)",
    )


@st.composite
def inputs_and_score_offsets(draw):
    """Inputs with one more feature: q gets a per-query value a_i, every key gets 1, so every
    score of query i grows by a_i · scale, from about ±200 up to ±50000 (float64 only):
    exp of such a score overflows to inf, or underflows to 0."""
    case = draw(attention_inputs())
    dtype = case["q"].dtype
    scale = case["scale"] if case["scale"] is not None else 1.0 / math.sqrt(case["q"].shape[-1])
    offsets = [200.0, 1000.0] if dtype == torch.float32 else [1000.0, 50000.0]
    size = draw(st.sampled_from(offsets))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    lq = case["q"].shape[-2]
    signs = torch.where(torch.rand(lq, generator=generator) < 0.5, -1.0, 1.0)
    shift = torch.round(signs * size * (1 + torch.rand(lq, generator=generator)) / scale)  # a_i, integers
    extra_q = shift.reshape(lq, 1).expand(*case["q"].shape[:-1], 1).to(dtype)
    extra_k = torch.ones(*case["k"].shape[:-1], 1, dtype=dtype)
    shifted = {**case, "q": torch.cat([case["q"], extra_q], -1), "k": torch.cat([case["k"], extra_k], -1)}
    return case, shifted, scale, size


@given(cases=inputs_and_score_offsets())
def test_a_large_offset_added_to_every_score_changes_nothing(submission, cases):
    case, shifted, scale, size = cases
    got = call(submission, shifted, scale=scale)
    expected = reference_attention({**case, "scale": scale})
    name = f"scaled_dot_product_attention({describe(shifted)})"
    check_tensor(got, name, expected.shape)
    assert not got.isnan().any() and not got.isinf().any(), (
        f"{name} returned NaN or inf: the last feature adds about ±{size:g} to every score of a query "
        f"(the scores reach about {float(shifted['q'][..., -1].abs().max()) * scale:.3g}); exp of that overflows "
        f"or underflows. Subtract each row's maximum score before exp (softmax is unchanged by it)"
    )
    # The offsets themselves round (float32 holds 1000 to within 6e-5), hence the looser tolerance.
    tolerance = tolerances(case["q"].dtype, case["v"])
    if case["q"].dtype == torch.float32:
        tolerance = {"rtol": 2e-3, "atol": 2e-3 * float(case["v"].abs().max())}
    assert_close(
        got,
        expected,
        **tolerance,
        name=f"{name}, where every score of a query is shifted by the same large amount, against the unshifted "
        "attention (softmax does not change when a constant is added to a row)",
    )


@given(case=attention_inputs(causal=True, masked=False))
def test_causal_equals_a_lower_triangular_mask(submission, case):
    lq, lk = case["q"].shape[-2], case["k"].shape[-2]
    causal = call(submission, case)
    masked = call(submission, case, causal=False, mask=top_left_causal(lq, lk))
    assert_close(
        causal,
        masked,
        **tolerances(case["q"].dtype, case["v"]),
        name=f"scaled_dot_product_attention({describe(case)}) against the same call with causal=False and "
        f"mask=torch.ones({lq}, {lk}).tril() (causal is top-left aligned, as torch's is_causal: query i sees "
        "keys 0..i, whatever Lk is)",
    )


@given(case=attention_inputs())
def test_equal_values_come_back_unchanged(submission, case):
    # The weights of a query sum to 1 (softmax over the keys), so if every key carries the
    # same value vector, every query returns that vector.
    row = case["v"][..., :1, :].double() + 1.5  # never all zeros
    v = row.expand(case["v"].shape).to(case["v"].dtype)
    got = call(submission, case, v=v)
    expected = row.expand(*case["q"].shape[:-1], v.shape[-1]).to(v.dtype)
    check_tensor(got, "scaled_dot_product_attention", expected.shape)
    assert_close(
        got,
        expected,
        **tolerances(case["q"].dtype, v),
        name=f"scaled_dot_product_attention({describe(case)}) with every value row equal (each query's weights "
        "must sum to 1 over the keys: softmax over the last axis of the scores, not over the queries; so every "
        "query must return that row)",
    )


@st.composite
def mha_inputs(draw, causal=None):
    """x (B, T, d_model) and four weights: 1 to 3 sequences of 1 to 8 tokens, 1 to 4 heads of
    size 1 to 5, each tensor in a drawn memory layout (x.view fails on some of them)."""
    dtype = draw(st.sampled_from(DTYPES))
    n_heads, head_dim = draw(st.sampled_from([2, 3, 1, 4])), draw(st.sampled_from([2, 3, 1, 4, 5]))
    d_model = n_heads * head_dim
    batch, length = draw(st.integers(1, 3)), draw(st.sampled_from([3, 1, 2, 5, 8, 4, 6, 7]))
    layout = draw(st.sampled_from(LAYOUTS))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    x = randn(generator, (batch, length, d_model), dtype, 1.0, layout)
    # Weights of unit gain, so that q and k have unit-variance entries and the scores stay moderate.
    weights = [randn(generator, (d_model, d_model), dtype, 1.0 / math.sqrt(d_model), layout) for _ in range(4)]
    return {"x": x, "weights": weights, "n_heads": n_heads, "causal": draw(st.booleans()) if causal is None else causal}


def describe_mha(case):
    x = case["x"]
    return (
        f"x {tuple(x.shape)}, n_heads={case['n_heads']} (head size {x.shape[-1] // case['n_heads']}), "
        f"causal={case['causal']}, {dtype_name(x.dtype)}"
    )


def call_mha(submission, case, x=None):
    x = case["x"] if x is None else x
    return submission.multi_head_attention(x, *case["weights"], case["n_heads"], causal=case["causal"])


def torch_multi_head_attention(case):
    """torch.nn.functional.multi_head_attention_forward in float64 (sequence-first, separate
    projection weights, no biases; its attn_mask is True where attending is NOT allowed)."""
    x = case["x"].double().transpose(0, 1)
    w_q, w_k, w_v, w_o = (w.double() for w in case["weights"])
    length, d_model = x.shape[0], x.shape[-1]
    blocked = torch.ones(length, length, dtype=torch.bool).triu(1) if case["causal"] else None
    out, _ = F.multi_head_attention_forward(
        x, x, x, d_model, case["n_heads"], None, None, None, None, False, 0.0, w_o, None,
        training=False, need_weights=False, attn_mask=blocked,
        use_separate_proj_weight=True, q_proj_weight=w_q, k_proj_weight=w_k, v_proj_weight=w_v,
    )  # fmt: skip
    return out.transpose(0, 1).to(case["x"].dtype)


def mha_tolerances(case, expected):
    return tolerances(case["x"].dtype, expected)


@pytest.mark.points(2)
@given(case=mha_inputs())
def test_multi_head_matches_torch_multi_head_attention(submission, case):
    got = call_mha(submission, case)
    expected = torch_multi_head_attention(case)
    name = f"multi_head_attention({describe_mha(case)})"
    check_tensor(got, name, expected.shape)
    assert_close(got, expected, **mha_tolerances(case, expected), name=f"{name}, against torch's in float64")


@given(case=mha_inputs())
def test_multi_head_of_one_token_is_its_value_projection(submission, case):
    x = case["x"][:, :1]
    w_v, w_o = (w.double() for w in case["weights"][2:])
    expected = (x.double() @ w_v.T @ w_o.T).to(x.dtype)  # one token attends only to itself, with weight 1
    got = call_mha(submission, case, x=x)
    name = f"multi_head_attention({describe_mha({**case, 'x': x})})"
    check_tensor(got, name, expected.shape)
    assert_close(
        got,
        expected,
        **mha_tolerances(case, expected),
        name=f"{name}: a single token attends only to itself, so the output must be x w_vᵀ w_oᵀ, but it",
    )


@st.composite
def mha_inputs_and_token_order(draw):
    case = draw(mha_inputs(causal=False))
    return case, draw(st.permutations(range(case["x"].shape[1])))


@given(case_and_order=mha_inputs_and_token_order())
def test_multi_head_permuting_tokens_permutes_the_output(submission, case_and_order):
    case, order = case_and_order
    index = torch.tensor(order, dtype=torch.long)
    original = call_mha(submission, case)
    permuted = call_mha(submission, case, x=case["x"][:, index])
    check_tensor(permuted, "multi_head_attention", original.shape)
    assert_close(
        permuted,
        original[:, index],
        **mha_tolerances(case, original),
        name=f"multi_head_attention({describe_mha(case)}) with the tokens reordered as {order}: without a causal "
        "mask self-attention treats the tokens as a set, so its output must be reordered the same way, but it",
    )


@st.composite
def mha_inputs_and_prefix(draw):
    case = draw(mha_inputs(causal=True))
    return case, draw(st.integers(1, case["x"].shape[1]))


@given(case_and_prefix=mha_inputs_and_prefix())
def test_multi_head_causal_output_ignores_later_tokens(submission, case_and_prefix):
    case, prefix = case_and_prefix
    full = call_mha(submission, case)
    short = call_mha(submission, case, x=case["x"][:, :prefix])
    check_tensor(short, "multi_head_attention", (*full.shape[:1], prefix, full.shape[-1]))
    assert_close(
        short,
        full[:, :prefix],
        **mha_tolerances(case, full),
        name=f"multi_head_attention({describe_mha(case)}) of the first {prefix} tokens against the first {prefix} "
        "outputs for the whole sequence (with causal=True a token never sees later ones), but it",
    )


@given(case=attention_inputs(), mha=mha_inputs())
def test_inputs_are_left_unchanged(submission, case, mha):
    before = {name: case[name].clone() for name in ("q", "k", "v")}
    call(submission, case)
    x_before, weights_before = mha["x"].clone(), [w.clone() for w in mha["weights"]]
    call_mha(submission, mha)
    changed = [name for name in before if not torch.equal(before[name], case[name])]
    changed += ["x"] if not torch.equal(x_before, mha["x"]) else []
    changed += [f"w_{n}" for n, b, w in zip("qkvo", weights_before, mha["weights"]) if not torch.equal(b, w)]
    assert not changed, f"the call changed its argument(s) {', '.join(changed)} in place: return new tensors instead"

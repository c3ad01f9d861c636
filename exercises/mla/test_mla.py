"""Tests for mla: the paper's formulas in float64 with torch's attention as the
oracle, torch's multi_head_attention_forward with the low-rank projections
multiplied out, DeepSeek-V2's cache sizes, and relations between the two forms."""

import math
from fractions import Fraction

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

DTYPES = [torch.float32, torch.float64]
LAYOUTS = ["contiguous", "transposed", "strided"]
FORMS = ["mla_attention", "mla_absorbed"]
WEIGHTS = ("w_dkv", "w_uk", "w_uv", "w_q", "w_o")
LN3 = math.log(3.0)


@st.composite
def mla_inputs(draw, causal=None, d_model_is_heads_times_dim=False, min_heads=1, min_length=1):
    """A dict of x, the five weights, n_heads and causal: 1 or 2 sequences of 1 to 7 tokens,
    d from 1 to 12, latent sizes d_c from 1 to 6 (above or below the head size), 1 to 4 heads
    of 1 to 5 features (mostly more than one head: with one head, a sum over heads is no
    mistake), weights of unit gain, every tensor in a drawn memory layout."""
    dtype = draw(st.sampled_from(DTYPES))
    # sampled_from draws evenly (integers favours its smallest values) and shrinks to the first.
    n_heads = draw(st.sampled_from([h for h in (2, 3, 4, 1) if h >= min_heads]))
    head_dim = draw(st.integers(1, 5))
    d_model = n_heads * head_dim if d_model_is_heads_times_dim else draw(st.integers(1, 12))
    d_c = draw(st.integers(1, 6))
    batch, length = (
        draw(st.integers(1, 2)),
        draw(st.sampled_from([n for n in (2, 3, 5, 7, 1, 4, 6) if n >= min_length])),
    )
    layout = draw(st.sampled_from(LAYOUTS))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))

    def randn(*shape, gain=1.0):
        values = torch.randn(shape, generator=generator, dtype=torch.float64) * gain / math.sqrt(shape[-1])
        return laid_out(values.to(dtype), layout)

    hd = n_heads * head_dim
    return {
        "x": randn(batch, length, d_model, gain=math.sqrt(d_model)),  # unit-variance entries
        "w_dkv": randn(d_c, d_model),
        "w_uk": randn(hd, d_c, gain=draw(st.sampled_from([1.0, 2.0]))),  # sharper or flatter softmaxes
        "w_uv": randn(hd, d_c),
        "w_q": randn(hd, d_model, gain=draw(st.sampled_from([1.0, 2.0]))),
        "w_o": randn(d_model, hd),
        "n_heads": n_heads,
        "causal": draw(st.booleans()) if causal is None else causal,
    }


def weights(case):
    return [case[name] for name in WEIGHTS]


def call(submission, form, case, **changes):
    case = {**case, **changes}
    return getattr(submission, form)(case["x"], *weights(case), case["n_heads"], causal=case["causal"])


def describe(case):
    x, n_heads = case["x"], case["n_heads"]
    return (
        f"x {tuple(x.shape)}, d_c={case['w_dkv'].shape[0]}, n_heads={n_heads}, "
        f"head size {case['w_q'].shape[0] // n_heads}, causal={case['causal']}, {str(x.dtype).removeprefix('torch.')}"
    )


def split_heads(t, n_heads):
    batch, length, width = t.shape
    return t.reshape(batch, length, n_heads, width // n_heads).transpose(1, 2)


def paper_formula(case):
    """DeepSeek-V2's equations in float64: c = W_dkv x, k = W_uk c, v = W_uv c, q = W_q x,
    per-head attention by torch's scaled_dot_product_attention (scale 1/√D), then W_o."""
    x, w_dkv, w_uk, w_uv, w_q, w_o = (t.double() for t in (case["x"], *weights(case)))
    n_heads = case["n_heads"]
    c = x @ w_dkv.T
    q, k, v = split_heads(x @ w_q.T, n_heads), split_heads(c @ w_uk.T, n_heads), split_heads(c @ w_uv.T, n_heads)
    o = F.scaled_dot_product_attention(q, k, v, is_causal=case["causal"])
    return o.transpose(1, 2).reshape(*x.shape[:2], -1) @ w_o.T


def size_of_terms(case):
    """A float64 bound on the output's terms: each head's output is an average of its values,
    so |out| <= |W_o| · max_t |v_t|. Rounding errors are relative to this, not to the output
    (whose terms may cancel)."""
    x, w_dkv, _, w_uv, _, w_o = (t.double().abs() for t in (case["x"], *weights(case)))
    largest_values = ((x @ w_dkv.T) @ w_uv.T).amax(dim=1, keepdim=True)  # (B, 1, H·D)
    return float((largest_values @ w_o.T).max())


def tolerances(case):
    size = size_of_terms(case)
    if case["x"].dtype == torch.float32:
        return {"rtol": 1e-4, "atol": 1e-4 * size}
    return {"rtol": 1e-9, "atol": 1e-9 * size}


def check_tensor(got, name, shape):
    assert isinstance(got, torch.Tensor), f"{name} returned a {type(got).__name__}, expected a Tensor"
    assert tuple(got.shape) == tuple(shape), f"{name} returned shape {tuple(got.shape)}, expected {tuple(shape)}"


@pytest.mark.points(2)
def test_worked_example(submission):
    # d = 2, d_c = 1, two heads of size 1 (scale 1). c = x[:, 0] = [0, 1]; both heads' keys are
    # c; values 4c and 8c; queries ln 3 · x. Head 0 scores [[0, 0], [0, ln 3]], head 1
    # [[ln 3, 0], [0, 0]]: with the causal mask the outputs are [0, 3] and [0, 4].
    x = torch.tensor([[[0.0, 1.0], [1.0, 0.0]]])
    w_dkv, w_uk, w_uv = torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0], [1.0]]), torch.tensor([[4.0], [8.0]])
    w_q, w_o = torch.eye(2) * LN3, torch.eye(2)
    for form in FORMS:
        for causal, expected in ((None, [[[0.0, 0.0], [3.0, 4.0]]]), (False, [[[2.0, 6.0], [3.0, 4.0]]])):
            kwargs = {} if causal is None else {"causal": causal}
            got = getattr(submission, form)(x, w_dkv, w_uk, w_uv, w_q, w_o, 2, **kwargs)
            name = f"{form}(README's example, n_heads=2{', causal=False' if causal is False else ''})"
            check_tensor(got, name, (1, 2, 2))
            assert_close(got, torch.tensor(expected), name=name + (" (causal by default)" if causal is None else ""))


def test_cache_known_answers(submission):
    # DeepSeek-V2: 128 heads of 128, d_c = 4 · 128 = 512. Per token and layer, MHA caches
    # 2 · 128 · 128 = 32768 numbers and the latent 512: 64 times fewer (the paper's 576 adds
    # the 64 dimensions of the decoupled RoPE key, left out here).
    cases = [
        ("mha_cache_elements", (1, 128, 128), 32_768),
        ("latent_cache_elements", (1, 512), 512),
        ("latent_cache_elements", (1, 576), 576),
        ("mha_cache_elements", (131_072, 128, 128), 4_294_967_296),  # a 128K context
        ("latent_cache_elements", (131_072, 512), 67_108_864),
        ("mha_cache_elements", (0, 32, 128), 0),
    ]
    for function, args, expected in cases:
        got = getattr(submission, function)(*args)
        assert got == expected, f"{function}{args} returned {got!r}, expected {expected:,}"


@given(
    seq_len=st.integers(1, 1 << 17),
    n_heads=st.integers(1, 128),
    head_dim=st.sampled_from([16, 64, 96, 128, 192]),
    d_c=st.integers(1, 1024),
)
def test_cache_ratio_is_the_papers_formula(submission, seq_len, n_heads, head_dim, d_c):
    mha = submission.mha_cache_elements(seq_len, n_heads, head_dim)
    latent = submission.latent_cache_elements(seq_len, d_c)
    assert isinstance(mha, int) and isinstance(latent, int), (
        f"mha_cache_elements and latent_cache_elements returned {type(mha).__name__} and "
        f"{type(latent).__name__}, expected ints"
    )
    # Keys and values of (seq_len, n_heads, head_dim) each, against one (seq_len, d_c) latent.
    expected_mha = 2 * torch.Size([seq_len, n_heads, head_dim]).numel()
    assert mha == expected_mha, (
        f"mha_cache_elements({seq_len}, {n_heads}, {head_dim}) returned {mha:,}, expected {expected_mha:,}: "
        "a key and a value per token and head"
    )
    assert latent == seq_len * d_c, (
        f"latent_cache_elements({seq_len}, {d_c}) returned {latent:,}, expected {seq_len * d_c:,}: one latent "
        "vector per token, shared by all heads"
    )
    ratio = Fraction(2 * n_heads * head_dim, d_c)
    assert Fraction(mha, latent) == ratio, (
        f"the cache ratio is {Fraction(mha, latent)}, expected 2·n_h·d_h/d_c = {ratio}"
    )


@pytest.mark.points(2)
@given(case=mla_inputs())
def test_mla_attention_matches_the_papers_formula(submission, case):
    got = call(submission, "mla_attention", case)
    expected = paper_formula(case).to(case["x"].dtype)
    name = f"mla_attention({describe(case)})"
    check_tensor(got, name, expected.shape)
    assert_close(got, expected, **tolerances(case), name=f"{name}, against DeepSeek-V2's equations in float64")


@pytest.mark.points(2)
@given(case=mla_inputs())
def test_mla_absorbed_matches_the_papers_formula(submission, case):
    got = call(submission, "mla_absorbed", case)
    expected = paper_formula(case).to(case["x"].dtype)
    name = f"mla_absorbed({describe(case)})"
    check_tensor(got, name, expected.shape)
    assert_close(
        got,
        expected,
        **tolerances(case),
        name=f"{name}, against DeepSeek-V2's equations in float64 (absorb W_uk and W_uv head by head, and keep "
        "the scale 1/√D: the scores are the same numbers as in the naive form),",
    )


@given(case=mla_inputs())
def test_both_forms_agree(submission, case):
    naive = call(submission, "mla_attention", case)
    absorbed = call(submission, "mla_absorbed", case)
    check_tensor(absorbed, "mla_absorbed", naive.shape)
    assert_close(
        absorbed, naive, **tolerances(case), name=f"mla_absorbed({describe(case)}) against mla_attention of the same"
    )


def fixed_case(seed, dtype, layout):
    """2 sequences of 6 tokens, d = 8, d_c = 3, 2 heads of 4 features: big enough that
    no other tensor holds the keys' or values' numbers by chance."""
    generator = torch.Generator().manual_seed(seed)

    def randn(*shape):
        return laid_out(
            (torch.randn(shape, generator=generator, dtype=torch.float64) / math.sqrt(shape[-1])).to(dtype), layout
        )

    return {
        "x": randn(2, 6, 8) * math.sqrt(8), "w_dkv": randn(3, 8), "w_uk": randn(8, 3), "w_uv": randn(8, 3),
        "w_q": randn(8, 8), "w_o": randn(8, 8), "n_heads": 2, "causal": True,
    }  # fmt: skip


def per_head_pieces(t, n_heads):
    """``t`` (B, T, H·D) and the parts a loop over sequences or heads would build."""
    heads = split_heads(t, n_heads)  # (B, H, T, D)
    return [t, *heads.unbind(1), *t.unbind(0), *heads.flatten(0, 1).unbind(0)]


@pytest.mark.points(1)
@pytest.mark.parametrize(
    "dtype, layout", [(torch.float64, "contiguous"), (torch.float32, "transposed")], ids=["float64", "float32"]
)
def test_the_absorbed_form_never_builds_per_head_keys_or_values(submission, dtype, layout):
    case = fixed_case(7, dtype, layout)
    _, log = submission.call_recording("mla_absorbed", case["x"], *weights(case), case["n_heads"], causal=True)
    x, w_dkv, w_uk, w_uv = (case[name].double() for name in ("x", "w_dkv", "w_uk", "w_uv"))
    c = x @ w_dkv.T
    built = [
        name
        for name, projection in (("keys c @ w_uk.T", w_uk), ("values c @ w_uv.T", w_uv))
        if any(log.created_a_tensor_like(piece) for piece in per_head_pieces(c @ projection.T, case["n_heads"]))
    ]
    assert not built, (
        f"mla_absorbed({describe(case)}) computed the per-head {' and '.join(built)}, in some layout: "
        "the absorbed form multiplies W_uk into the queries and W_uv into the output projection, so "
        "attention runs on the latent c alone and nothing of size T × H × D is built from it"
    )


# Two heads and two tokens at least: with one of either, mixing heads or tokens goes unseen.
@given(case=mla_inputs(d_model_is_heads_times_dim=True, min_heads=2, min_length=2))
def test_mla_is_multi_head_attention_with_low_rank_projections(submission, case):
    # Multiplying the up- and down-projections out gives ordinary MHA weights of rank d_c:
    # W_k = W_uk W_dkv and W_v = W_uv W_dkv. torch's own MHA is then the oracle.
    x = case["x"].double().transpose(0, 1)  # torch's functional MHA is sequence-first
    w_dkv, w_uk, w_uv, w_q, w_o = (w.double() for w in weights(case))
    length, d_model = x.shape[0], x.shape[-1]
    blocked = torch.ones(length, length, dtype=torch.bool).triu(1) if case["causal"] else None
    expected, _ = F.multi_head_attention_forward(
        x, x, x, d_model, case["n_heads"], None, None, None, None, False, 0.0, w_o, None,
        training=False, need_weights=False, attn_mask=blocked,
        use_separate_proj_weight=True, q_proj_weight=w_q, k_proj_weight=w_uk @ w_dkv, v_proj_weight=w_uv @ w_dkv,
    )  # fmt: skip
    expected = expected.transpose(0, 1).to(case["x"].dtype)
    for form in FORMS:
        got = call(submission, form, case)
        check_tensor(got, form, expected.shape)
        assert_close(
            got,
            expected,
            **tolerances(case),
            name=f"{form}({describe(case)}) against torch.nn.functional.multi_head_attention_forward with "
            "k_proj_weight = W_uk W_dkv and v_proj_weight = W_uv W_dkv (float64)",
        )


@st.composite
def inputs_and_latent_basis(draw):
    """An invertible map of the latent that rounds nothing: a permutation times powers of two."""
    case = draw(mla_inputs())
    d_c = case["w_dkv"].shape[0]
    order = torch.tensor(draw(st.permutations(range(d_c))), dtype=torch.long)
    powers = torch.tensor(draw(st.lists(st.sampled_from([-2, -1, 1, 2]), min_size=d_c, max_size=d_c)))
    scale = torch.sign(powers.double()) * 2.0 ** powers.abs().double()
    return case, order, scale


@given(inputs=inputs_and_latent_basis(), form=st.sampled_from(FORMS))
def test_changing_the_latent_basis_changes_nothing(submission, inputs, form):
    # c' = M c with M = diag(scale) P; the up-projections undo it: W_uk' = W_uk M⁻¹.
    case, order, scale = inputs
    dtype = case["x"].dtype
    w_dkv = (case["w_dkv"].double()[order] * scale[:, None]).to(dtype)
    w_uk = (case["w_uk"].double()[:, order] / scale).to(dtype)
    w_uv = (case["w_uv"].double()[:, order] / scale).to(dtype)
    original = call(submission, form, case)
    changed = call(submission, form, case, w_dkv=w_dkv, w_uk=w_uk, w_uv=w_uv)
    check_tensor(changed, form, original.shape)
    assert_close(
        changed,
        original,
        **tolerances(case),
        name=f"{form}({describe(case)}) with the latent's coordinates permuted as {order.tolist()} and scaled "
        f"by {scale.tolist()} (W_dkv's rows changed and W_uk's, W_uv's columns changed back) against the "
        "original (only the products W_uk W_dkv and W_uv W_dkv matter)",
    )


@st.composite
def causal_inputs_and_prefix(draw):
    case = draw(mla_inputs(causal=True))
    return case, draw(st.integers(1, case["x"].shape[1]))


@given(inputs=causal_inputs_and_prefix(), form=st.sampled_from(FORMS))
def test_causal_output_ignores_later_tokens(submission, inputs, form):
    case, prefix = inputs
    full = call(submission, form, case)
    short = call(submission, form, case, x=case["x"][:, :prefix])
    check_tensor(short, form, (full.shape[0], prefix, full.shape[2]))
    assert_close(
        short,
        full[:, :prefix],
        **tolerances(case),
        name=f"{form} of the first {prefix} tokens against the first {prefix} outputs for all tokens "
        f"({describe(case)}; with causal=True a token never sees later ones),",
    )


@given(case=mla_inputs(), form=st.sampled_from(FORMS))
def test_inputs_are_left_unchanged(submission, case, form):
    names = ("x", *WEIGHTS)
    before = {name: case[name].clone() for name in names}
    call(submission, form, case)
    changed = [name for name in names if not torch.equal(before[name], case[name])]
    assert not changed, f"{form} changed its argument(s) {', '.join(changed)} in place: return new tensors instead"

"""Tests for gqa: torch's scaled_dot_product_attention(enable_gqa=True) in float64
as the oracle, one head at a time as a brute force, published KV-cache sizes, and
decoding token by token against attention over the whole sequence."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

DTYPES = [torch.float32, torch.float64]
LAYOUTS = ["contiguous", "transposed", "strided", "channels_last"]
LN3 = math.log(3.0)


def tolerances(dtype, values):
    """float32 results against a float64 oracle: the absolute error is relative to the
    largest value; the mistakes tested for are off by 0.05 or more."""
    size = float(values.abs().max()) if values.numel() else 1.0
    if dtype == torch.float32:
        return {"rtol": 1e-4, "atol": 1e-4 * size}
    return {"rtol": 1e-9, "atol": 1e-9 * size}


def bottom_right_causal(length, kv_length):
    """Query i is position kv_length - length + i: it sees keys 0 .. kv_length - length + i."""
    return torch.ones(length, kv_length, dtype=torch.bool).tril(diagonal=kv_length - length)


def torch_gqa(q, k, v, causal=False):
    """torch's own grouped-query attention in float64 (it repeats each kv head for
    consecutive query heads), with the bottom-right causal mask, cast to q's dtype."""
    mask = bottom_right_causal(q.shape[-2], k.shape[-2]) if causal else None
    out = F.scaled_dot_product_attention(q.double(), k.double(), v.double(), attn_mask=mask, enable_gqa=True)
    return out.to(q.dtype)


def shapes(q, k, v):
    return f"q {tuple(q.shape)}, k {tuple(k.shape)}, v {tuple(v.shape)}, {str(q.dtype).removeprefix('torch.')}"


def check_tensor(got, name, shape):
    assert isinstance(got, torch.Tensor), f"{name} returned a {type(got).__name__}, expected a Tensor"
    assert tuple(got.shape) == tuple(shape), f"{name} returned shape {tuple(got.shape)}, expected {tuple(shape)}"


def random_tensor(generator, shape, dtype, layout, spread=1.0):
    values = torch.randn(shape, generator=generator, dtype=torch.float64) * spread
    return laid_out(values.to(dtype), layout)


@st.composite
def gqa_inputs(draw, causal=None, min_groups=1, min_kv_heads=1, dtypes=DTYPES):
    """``(q, k, v, causal)``: 1 or 2 sequences, 1 to 3 kv heads shared by 1 to 3 query heads
    each (MQA, GQA and MHA), 1 to 6 queries, as many keys or up to 5 more (never fewer when
    causal), head size 1 to 8, duplicated keys (tied scores), any memory layout."""
    dtype = draw(st.sampled_from(dtypes))
    batch = draw(st.integers(1, 2))
    # sampled_from draws sizes evenly (integers favours the smallest) and shrinks to the first.
    n_kv_heads = draw(st.sampled_from([n for n in (2, 1, 3) if n >= min_kv_heads]))
    group = draw(st.sampled_from([g for g in (2, 1, 3) if g >= min_groups]))
    length = draw(st.sampled_from([2, 1, 3, 4, 5, 6]))
    causal = draw(st.booleans()) if causal is None else causal
    extra = draw(st.sampled_from([2, 0, 1, 3, 4, 5]))
    kv_length = length + extra if causal else draw(st.sampled_from([length + extra, 1, 2, 5, 8]))
    head_dim = draw(st.integers(1, 8))
    layout = draw(st.sampled_from(LAYOUTS))
    spread = draw(st.sampled_from([0.5, 1.0, 2.0]))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    q = random_tensor(generator, (batch, n_kv_heads * group, length, head_dim), dtype, layout, spread)
    k = torch.randn(batch, n_kv_heads, kv_length, head_dim, generator=generator, dtype=torch.float64) * spread
    if kv_length > 1 and draw(st.booleans()):
        k[:, :, -1] = k[:, :, 0]  # two keys with equal scores
    v = random_tensor(generator, (batch, n_kv_heads, kv_length, head_dim), dtype, layout)
    return q, laid_out(k.to(dtype), layout), v, causal


def test_kv_cache_known_answers(submission):
    cases = [
        # Llama 2 70B: 80 layers, 8 kv heads of 128 (GQA), a 4096-token sequence in float16: 1.25 GiB.
        ((1, 4096, 80, 8, 128), 1_342_177_280),
        # Llama 2 7B: 32 layers, 32 heads of 128 (MHA, no sharing), same sequence: 2 GiB.
        ((1, 4096, 32, 32, 128), 2_147_483_648),
        # Mistral 7B: 32 layers, 8 kv heads of 128, a batch of 8 at 32k tokens: 32 GiB.
        ((8, 32768, 32, 8, 128), 34_359_738_368),
        ((1, 1, 1, 1, 1, 4), 8),  # one float32 key and one float32 value
        ((4, 0, 32, 8, 128), 0),  # nothing cached yet
    ]
    for args, expected in cases:
        got = submission.kv_cache_bytes(*args)
        assert got == expected, f"kv_cache_bytes{args} returned {got!r}, expected {expected:,}"


@given(
    batch=st.integers(0, 64),
    seq_len=st.integers(0, 1 << 17),
    n_layers=st.integers(1, 128),
    n_kv_heads=st.integers(1, 128),
    head_dim=st.sampled_from([32, 64, 80, 96, 128, 256]),
    bytes_per_elem=st.sampled_from([None, 1, 2, 4]),
)
def test_kv_cache_bytes_counts_keys_and_values_of_every_layer(
    submission, batch, seq_len, n_layers, n_kv_heads, head_dim, bytes_per_elem
):
    args = (batch, seq_len, n_layers, n_kv_heads, head_dim)
    if bytes_per_elem is None:
        got, element, call = submission.kv_cache_bytes(*args), 2, f"kv_cache_bytes{args}"
    else:
        got, element = submission.kv_cache_bytes(*args, bytes_per_elem), bytes_per_elem
        call = f"kv_cache_bytes{(*args, bytes_per_elem)}"
    # The cache as tensors: per layer a key and a value tensor of (batch, n_kv_heads, seq_len, head_dim).
    elements = torch.Size([n_layers, 2, batch, n_kv_heads, seq_len, head_dim]).numel()
    assert isinstance(got, int), f"{call} returned a {type(got).__name__}, expected an int"
    assert got == elements * element, (
        f"{call} returned {got:,}, expected {elements * element:,}: per layer, a key AND a value tensor of "
        f"(batch, n_kv_heads, seq_len, head_dim) elements of {element} bytes"
        + (" (the default bytes_per_elem is 2: float16)" if bytes_per_elem is None else "")
    )


@pytest.mark.points(2)
def test_worked_example(submission):
    # 4 query heads, 2 kv heads: query heads 0 and 1 read kv head 0, 2 and 3 read kv head 1.
    # With one key, each query head returns its kv head's only value.
    q, k = torch.ones(1, 4, 1, 1), torch.ones(1, 2, 1, 1)
    v = torch.tensor([10.0, 20.0]).reshape(1, 2, 1, 1)
    got = submission.grouped_query_attention(q, k, v)
    check_tensor(got, "grouped_query_attention(q (1, 4, 1, 1), k (1, 2, 1, 1), v [10, 20])", (1, 4, 1, 1))
    assert got.flatten().tolist() == [10.0, 10.0, 20.0, 20.0], (
        f"grouped_query_attention with 4 query heads, 2 kv heads and values [10, 20] returned "
        f"{got.flatten().tolist()} per query head, expected [10, 20] each repeated for its 2 consecutive query "
        "heads, [10, 10, 20, 20] (query head h reads kv head h // 2)"
    )
    # One query at the end of 2 positions (bottom-right): it sees both keys, scores [0, ln 3],
    # weights 1/4 and 3/4 of the values [0, 4]: 3. Top-left alignment would see key 0 only: 0.
    q, k, v = torch.tensor([[[[1.0]]]]), torch.tensor([[[[0.0], [LN3]]]]), torch.tensor([[[[0.0], [4.0]]]])
    got = submission.grouped_query_attention(q, k, v, causal=True)
    name = "grouped_query_attention(q [[1]], k [[0], [ln 3]], v [[0], [4]], causal=True)"
    check_tensor(got, name, (1, 1, 1, 1))
    assert_close(
        got,
        torch.tensor([[[[3.0]]]]),
        name=f"{name} (the one query is the last of 2 positions, so it sees both keys: 1/4 · 0 + 3/4 · 4)",
    )
    # The first token of a sequence: an empty cache, so it attends only to itself.
    out, k_cache, v_cache = submission.decode_step(
        torch.ones(1, 2, 1, 1), torch.zeros(1, 1, 0, 1), torch.zeros(1, 1, 0, 1), k[:, :, :1], v[:, :, 1:]
    )
    check_tensor(out, "decode_step with an empty cache", (1, 2, 1, 1))
    assert_close(
        out, torch.full((1, 2, 1, 1), 4.0), name="decode_step's output for the first token (empty caches, v_new = 4)"
    )
    check_tensor(k_cache, "decode_step's k_cache after the first token", (1, 1, 1, 1))


@pytest.mark.points(2)
@given(inputs=gqa_inputs())
def test_matches_torch_scaled_dot_product_attention_with_enable_gqa(submission, inputs):
    q, k, v, causal = inputs
    got = submission.grouped_query_attention(q, k, v, causal=causal)
    expected = torch_gqa(q, k, v, causal)
    name = f"grouped_query_attention({shapes(q, k, v)}, causal={causal})"
    check_tensor(got, name, expected.shape)
    assert_close(
        got,
        expected,
        **tolerances(q.dtype, v),
        name=f"{name}, against torch.nn.functional.scaled_dot_product_attention(enable_gqa=True) in float64"
        + (" with the causal mask aligned bottom-right" if causal else ""),
    )


def nearest_kv_head(out_h, q_h, k, v, causal, tolerance):
    """Which kv head's single-head attention ``out_h`` equals, if any (for messages)."""
    for g in range(k.shape[1]):
        candidate = torch_gqa(q_h, k[:, g : g + 1], v[:, g : g + 1], causal)
        if torch.allclose(out_h.double(), candidate.double(), rtol=tolerance["rtol"], atol=tolerance["atol"]):
            return g
    return None


@given(inputs=gqa_inputs(causal=False, min_groups=2, min_kv_heads=2))
def test_each_query_head_reads_kv_head_h_div_group(submission, inputs):
    q, k, v, causal = inputs
    n_q_heads, n_kv_heads = q.shape[1], k.shape[1]
    group = n_q_heads // n_kv_heads
    got = submission.grouped_query_attention(q, k, v, causal=causal)
    check_tensor(got, f"grouped_query_attention({shapes(q, k, v)})", q.shape)
    tolerance = tolerances(q.dtype, v)
    for h in range(n_q_heads):
        g = h // group
        # Brute force: plain attention of query head h alone against kv head g alone.
        expected = torch_gqa(q[:, h : h + 1], k[:, g : g + 1], v[:, g : g + 1], causal)
        if not torch.allclose(got[:, h : h + 1].double(), expected.double(), **tolerance):
            read = nearest_kv_head(got[:, h : h + 1], q[:, h : h + 1], k, v, causal, tolerance)
            instead = f"; it matches kv head {read} instead" if read is not None else ""
            pytest.fail(
                f"grouped_query_attention({shapes(q, k, v)}, causal={causal}): query head {h} must read kv head "
                f"{h} // {group} = {g} (each kv head serves {group} consecutive query heads: repeat_interleave, "
                f"not repeat){instead}"
            )


@st.composite
def causal_inputs_and_chunk(draw):
    q, k, v, _ = draw(gqa_inputs(causal=True))
    # Queries for every position of k, then keep the last few: a chunk of a longer prompt.
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    full_q = torch.randn(q.shape[0], q.shape[1], k.shape[2], q.shape[3], generator=generator, dtype=torch.float64)
    return full_q.to(q.dtype), k, v, draw(st.integers(1, k.shape[2]))


@given(inputs=causal_inputs_and_chunk())
def test_causal_queries_are_the_last_positions(submission, inputs):
    full_q, k, v, chunk = inputs
    full = submission.grouped_query_attention(full_q, k, v, causal=True)
    last = submission.grouped_query_attention(full_q[:, :, -chunk:], k, v, causal=True)
    check_tensor(last, "grouped_query_attention", (*full_q.shape[:2], chunk, full_q.shape[3]))
    assert_close(
        last,
        full[:, :, -chunk:],
        **tolerances(full_q.dtype, v),
        name=f"grouped_query_attention of the last {chunk} of {k.shape[2]} queries with causal=True, against the "
        f"last {chunk} rows of causal attention over all {k.shape[2]} (with S > T the queries are the last T "
        "positions: query i sees keys 0 .. S - T + i, bottom-right alignment)",
    )


@st.composite
def sequences_to_decode(draw):
    """``(q, k, v, prefix)``: a whole causal sequence and how many of its tokens are already
    in the cache (0 to 4) before decoding the rest one at a time."""
    q, k, v, _ = draw(gqa_inputs(causal=True))
    length = k.shape[2]
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    q = torch.randn(q.shape[0], q.shape[1], length, q.shape[3], generator=generator, dtype=torch.float64)
    return q.to(k.dtype), k, v, draw(st.integers(0, min(4, length - 1)))


@pytest.mark.points(2)
@given(inputs=sequences_to_decode())
def test_decoding_token_by_token_equals_causal_attention(submission, inputs):
    q, k, v, prefix = inputs
    length = k.shape[2]
    k_cache, v_cache = k[:, :, :prefix].contiguous(), v[:, :, :prefix].contiguous()
    outs = []
    for t in range(prefix, length):
        step = slice(t, t + 1)
        result = submission.decode_step(q[:, :, step], k_cache, v_cache, k[:, :, step], v[:, :, step])
        assert isinstance(result, tuple | list) and len(result) == 3, (
            f"decode_step returned {type(result).__name__}, expected a tuple (out, k_cache, v_cache)"
        )
        out, k_cache, v_cache = result
        check_tensor(out, f"decode_step at position {t}", (q.shape[0], q.shape[1], 1, q.shape[3]))
        check_tensor(k_cache, f"decode_step's k_cache after position {t}", (*k.shape[:2], t + 1, k.shape[3]))
        check_tensor(v_cache, f"decode_step's v_cache after position {t}", (*v.shape[:2], t + 1, v.shape[3]))
        outs.append(out)
    got = torch.cat(outs, dim=2)
    expected = torch_gqa(q, k, v, causal=True)[:, :, prefix:]
    assert_close(
        got,
        expected,
        **tolerances(q.dtype, v),
        name=f"decode_step token by token from position {prefix} to {length - 1} ({shapes(q, k, v)}), against "
        "causal attention over the whole sequence (torch, float64; each new token sees every cached token and "
        "itself),",
    )
    assert_close(k_cache, k, name=f"k_cache after decoding all {length} tokens, against all the keys")
    assert_close(v_cache, v, name=f"v_cache after decoding all {length} tokens, against all the values")


@given(inputs=gqa_inputs())
def test_gqa_equals_multi_head_attention_with_repeated_kv_heads(submission, inputs):
    q, k, v, causal = inputs
    group = q.shape[1] // k.shape[1]
    got = submission.grouped_query_attention(q, k, v, causal=causal)
    repeated = submission.grouped_query_attention(
        q, k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1), causal=causal
    )
    check_tensor(got, "grouped_query_attention", q.shape)
    assert_close(
        got,
        repeated,
        **tolerances(q.dtype, v),
        name=f"grouped_query_attention({shapes(q, k, v)}, causal={causal}) against the same call with each kv "
        f"head repeated for its {group} query heads (k.repeat_interleave({group}, dim=1), likewise v; sharing a kv "
        "head must compute exactly what copying it would),",
    )


@given(inputs=gqa_inputs(), decode=sequences_to_decode())
def test_inputs_are_left_unchanged(submission, inputs, decode):
    q, k, v, causal = inputs
    before = [t.clone() for t in (q, k, v)]
    submission.grouped_query_attention(q, k, v, causal=causal)
    changed = [name for name, b, t in zip("qkv", before, (q, k, v)) if not torch.equal(b, t)]
    dq, dk, dv, prefix = decode
    args = (dq[:, :, prefix : prefix + 1], dk[:, :, :prefix], dv[:, :, :prefix])
    args += (dk[:, :, prefix : prefix + 1], dv[:, :, prefix : prefix + 1])
    before = [t.clone() for t in args]
    submission.decode_step(*args)
    names = ("q_new", "k_cache", "v_cache", "k_new", "v_new")
    changed += [name for name, b, t in zip(names, before, args) if not torch.equal(b, t)]
    assert not changed, f"the call changed its argument(s) {', '.join(changed)} in place: return new tensors instead"

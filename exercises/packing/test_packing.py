"""Tests for packing: first-fit decreasing and loops over the mask as oracles, the definition of
a well-formed pack, and torch's scaled_dot_product_attention on each sequence alone."""

import random
from collections import Counter

import pytest
import torch
import torch.nn.functional as F
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

FLOATS = [torch.float32, torch.float64]
ALL_FLOATS = [torch.float32, torch.float64, torch.float16, torch.bfloat16]
LAYOUTS = ["contiguous", "transposed", "strided"]
FLOAT32_VS_FLOAT64 = {torch.float32: {"rtol": 1e-4, "atol": 1e-5}, torch.float64: {}}


# ---------------------------------------------------------------- pack_sequences


def first_fit_decreasing_count(lengths, max_length):
    """How many packs first-fit decreasing needs: the bound a packing must meet."""
    room = []
    for length in sorted(lengths, reverse=True):
        for p, free in enumerate(room):
            if length <= free:
                room[p] -= length
                break
        else:
            room.append(max_length - length)
    return len(room)


def segments(pack):
    """The sequences of a pack, cut at its cu_seqlens."""
    ids, cu = pack["input_ids"], pack["cu_seqlens"]
    return [ids[start:end] for start, end in zip(cu, cu[1:])]


def check_pack(pack, p, max_length, call):
    """A well-formed pack: the three keys, lists of ints, cu_seqlens from 0 to the length, strictly
    increasing, position ids restarting at 0 at every boundary, at most max_length tokens."""
    where = f"{call}: pack {p}"
    for key in sorted(pack):
        value = pack[key]
        assert isinstance(value, list) and all(type(x) is int for x in value), (
            f"{where}: {key} is {shown(value)}, expected a list of Python ints"
        )
    ids, positions, cu = pack["input_ids"], pack["position_ids"], pack["cu_seqlens"]
    assert len(ids) <= max_length, f"{where} holds {len(ids)} tokens, more than max_length={max_length}"
    assert len(positions) == len(ids), (
        f"{where} has {len(ids)} input_ids but {len(positions)} position_ids; expected one position per token"
    )
    assert len(cu) >= 2 and cu[0] == 0 and cu[-1] == len(ids), (
        f"{where} has cu_seqlens {shown(cu)}, expected boundaries starting at 0 and ending at its length {len(ids)}"
    )
    assert all(a < b for a, b in zip(cu, cu[1:])), (
        f"{where} has cu_seqlens {shown(cu)}: the boundaries must increase strictly (every sequence has a token)"
    )
    expected_positions = [i for start, end in zip(cu, cu[1:]) for i in range(end - start)]
    assert positions == expected_positions, (
        f"{where} has position_ids {shown(positions)} for cu_seqlens {shown(cu)}; expected {shown(expected_positions)}: "
        f"positions restart at 0 at the start of every sequence"
    )


def call_packing(submission, seqs, max_length):
    """pack_sequences on copies of ``seqs``; checks it returned a list of dicts with the three keys."""
    call = f"pack_sequences({shown(seqs)}, {max_length})"
    packs = submission.pack_sequences([list(s) for s in seqs], max_length)
    assert isinstance(packs, list), f"{call} returned a {type(packs).__name__}, expected a list of dicts"
    for p, pack in enumerate(packs):
        assert isinstance(pack, dict), f"{call}: pack {p} is a {type(pack).__name__}, expected a dict"
        keys = sorted(pack)
        assert keys == ["cu_seqlens", "input_ids", "position_ids"], (
            f"{call}: pack {p} has the keys {keys}, expected exactly 'input_ids', 'position_ids' and 'cu_seqlens'"
        )
    return packs, call


def check_contents(packs, seqs, call):
    """The sequences cut from the packs at their cu_seqlens are exactly the input sequences."""
    for p, pack in enumerate(packs):
        ids, cu = pack["input_ids"], pack["cu_seqlens"]
        assert isinstance(cu, list) and cu[:1] == [0] and cu[-1:] == [len(ids)] and cu == sorted(cu), (
            f"{call}: pack {p} has cu_seqlens {shown(cu)}; expected increasing boundaries from 0 to its "
            f"length {len(ids)}, so that the sequences can be cut out of it"
        )
    found = Counter(tuple(s) for pack in packs for s in segments(pack))
    expected = Counter(tuple(s) for s in seqs)
    missing, extra = sorted(expected - found), sorted(found - expected)
    assert not missing and not extra, (
        f"{call}: the sequences cut from the packs at their cu_seqlens differ from the input: "
        f"missing {shown([list(s) for s in missing])}, not in the input {shown([list(s) for s in extra])}; "
        f"every sequence must appear whole, in one pack, exactly once"
    )


def check_packing(submission, seqs, max_length):
    """Call pack_sequences, check every pack and that the packs hold exactly the input sequences."""
    packs, call = call_packing(submission, seqs, max_length)
    for p, pack in enumerate(packs):
        check_pack(pack, p, max_length, call)
    check_contents(packs, seqs, call)
    return packs


def shown(value, limit=200):
    """A value as messages show it: long ones cut after ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + " ...]"


@st.composite
def sequences(draw, max_count=12, max_max_length=16):
    """(seqs, max_length): 0 to ``max_count`` sequences of 1 to max_length tokens (some exactly
    max_length), token ids from a small range so that tokens and whole sequences repeat."""
    max_length = draw(st.integers(1, max_max_length))
    length = st.one_of(st.integers(1, max_length), st.just(max_length), st.integers(1, max(1, max_length // 3)))
    lengths = draw(st.lists(length, max_size=max_count))
    tokens = random.Random(draw(st.integers(0, 2**32 - 1)))  # drawing each token would be slow
    seqs = [[tokens.randrange(10) for _ in range(n)] for n in lengths]
    if seqs and draw(st.booleans()):
        seqs.append(list(seqs[draw(st.integers(0, len(seqs) - 1))]))  # a duplicate sequence
    return seqs, max_length


@st.composite
def many_sequences(draw):
    """100 to 300 sequences of 1 to 512 tokens for max_length 512, made from a drawn seed."""
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    count = draw(st.integers(100, 300))
    skew = draw(st.sampled_from([1.0, 2.0, 4.0]))  # long tails of short sequences, as real corpora have
    lengths = (1 + 511 * torch.rand(count, generator=generator) ** skew).long().tolist()
    return [torch.randint(0, 50_000, (n,), generator=generator).tolist() for n in lengths], 512


@pytest.mark.points(2)
def test_pack_sequences_known_answers(submission):
    seqs = [[11, 12, 13], [21, 22, 23, 24, 25], [31, 32], [41]]
    packs = check_packing(submission, seqs, 6)
    # 11 tokens need 2 packs of 6, and the only way is {5 + 1 tokens} and {3 + 2 tokens}.
    got = sorted(sorted(map(tuple, segments(pack))) for pack in packs)
    expected = [[(11, 12, 13), (31, 32)], [(21, 22, 23, 24, 25), (41,)]]
    assert got == expected, (
        f"pack_sequences({seqs}, 6) made the packs {[segments(pack) for pack in packs]}; expected two packs: "
        f"[21..25] with [41], and [11, 12, 13] with [31, 32]"
    )
    # In the given order, filling one pack until the next sequence does not fit gives
    # [3, 3, 3] [7] [7] [7]; sorting by length first gives [7, 3] three times.
    seqs = [[1] * 3, [2] * 3, [3] * 3, [4] * 7, [5] * 7, [6] * 7]
    packs = check_packing(submission, seqs, 10)
    assert len(packs) == 3, (
        f"pack_sequences(sequences of lengths [3, 3, 3, 7, 7, 7], 10) made {len(packs)} packs "
        f"{[segments(pack) for pack in packs]}; first-fit decreasing needs 3: [7, 3] three times"
    )
    got = submission.pack_sequences([], 8)
    assert got == [], f"pack_sequences([], 8) returned {got!r}, expected []"


@pytest.mark.points(2)
@given(case=sequences())
def test_packs_are_well_formed(submission, case):
    seqs, max_length = case
    packs, call = call_packing(submission, seqs, max_length)
    for p, pack in enumerate(packs):
        check_pack(pack, p, max_length, call)


@pytest.mark.points(2)
@given(case=sequences())
def test_packing_never_splits_or_drops_a_sequence(submission, case):
    seqs, max_length = case
    packs, call = call_packing(submission, seqs, max_length)
    check_contents(packs, seqs, call)


@pytest.mark.points(2)
@given(case=sequences())
def test_packing_needs_no_more_packs_than_first_fit_decreasing(submission, case):
    seqs, max_length = case
    packs, call = call_packing(submission, seqs, max_length)
    bound = first_fit_decreasing_count([len(s) for s in seqs], max_length)
    assert len(packs) <= bound, (
        f"{call} made {len(packs)} packs with lengths {[len(p['input_ids']) for p in packs]}; first-fit "
        f"decreasing needs only {bound} (sequence lengths {sorted((len(s) for s in seqs), reverse=True)})"
    )


@given(case=sequences(max_count=6), extra=st.integers(1, 5))
def test_a_sequence_longer_than_max_length_raises_value_error(submission, case, extra):
    seqs, max_length = case
    too_long = list(range(max_length + extra))
    try:
        got = submission.pack_sequences([*seqs, too_long], max_length)
    except ValueError:
        return
    pytest.fail(
        f"pack_sequences({shown([*seqs, too_long])}, {max_length}) returned {shown(got)}, but its last sequence "
        f"has {len(too_long)} tokens, more than max_length: it cannot be packed whole, so raise ValueError"
    )


# Corpus-sized inputs: a few, not shrunk (the small cases above shrink well).
@settings(max_examples=5, phases=[Phase.explicit, Phase.generate])
@given(case=many_sequences())
def test_packing_a_corpus(submission, case):
    seqs, max_length = case
    packs = check_packing(submission, seqs, max_length)
    bound = first_fit_decreasing_count([len(s) for s in seqs], max_length)
    assert len(packs) <= bound, (
        f"pack_sequences of {len(seqs)} sequences ({sum(map(len, seqs))} tokens) into rows of {max_length} made "
        f"{len(packs)} packs; first-fit decreasing needs only {bound}"
    )


# ---------------------------------------------------------------- unpad_input and pad_input


def unpad_by_loops(hidden, mask):
    """The kept tokens, their flat indices and the row lengths, one position at a time."""
    batch, seqlen = mask.shape
    kept, indices, lengths = [], [], []
    for b in range(batch):
        lengths.append(0)
        for s in range(seqlen):
            if mask[b, s]:
                kept.append(hidden[b, s])
                indices.append(b * seqlen + s)
                lengths[-1] += 1
    return kept, indices, lengths


@st.composite
def padded_batches(draw, dtypes=ALL_FLOATS):
    """(hidden, attention_mask): B 1 to 4 rows of S 1 to 8 positions, each row padded on the left or
    on the right (all rows the same side, as a tokenizer pads), a row now and then all padding but
    never every row; the mask bool or int64 (as tokenizers return it); hidden (B, S), (B, S, E) or
    (B, S, H, D) in a drawn dtype and memory layout."""
    batch, seqlen = draw(st.integers(1, 4)), draw(st.integers(1, 8))
    lengths = draw(st.lists(st.integers(0, seqlen), min_size=batch, max_size=batch).filter(any))
    left = draw(st.booleans())
    mask = torch.zeros(batch, seqlen, dtype=torch.bool)
    for b, n in enumerate(lengths):
        if left:
            mask[b, seqlen - n :] = True
        else:
            mask[b, :n] = True
    mask = mask.to(draw(st.sampled_from([torch.bool, torch.int64, torch.int32])))
    trailing = draw(st.sampled_from([(), (3,), (2, 3), (1,)]))
    dtype, layout = draw(st.sampled_from(dtypes)), draw(st.sampled_from(LAYOUTS))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    hidden = torch.randn(batch, seqlen, *trailing, generator=generator, dtype=torch.float64).to(dtype)
    return laid_out(hidden, layout), mask


def describe_batch(hidden, mask):
    return f"hidden of shape {list(hidden.shape)} {hidden.dtype}, attention_mask {mask.int().tolist()} ({mask.dtype})"


def check_unpadded(got, hidden, mask):
    call = f"unpad_input({describe_batch(hidden, mask)})"
    assert isinstance(got, (tuple, list)) and len(got) == 4, (
        f"{call} returned {type(got).__name__}, expected a tuple (hidden_unpad, indices, cu_seqlens, max_seqlen)"
    )
    hidden_unpad, indices, cu_seqlens, max_seqlen = got
    kept, expected_indices, lengths = unpad_by_loops(hidden, mask)
    for name, value, dtype in (("indices", indices, torch.int64), ("cu_seqlens", cu_seqlens, torch.int32)):
        assert isinstance(value, torch.Tensor) and value.dtype == dtype, (
            f"{call}: {name} is {value!r}, expected an {dtype} tensor"
            + (" (FlashAttention's kernels take int32 cu_seqlens)" if name == "cu_seqlens" else "")
        )
    assert indices.tolist() == expected_indices, (
        f"{call}: indices {indices.tolist()}, expected {expected_indices} (the kept positions of the "
        f"flattened batch * seqlen axis, in row-major order)"
    )
    expected_cu = [0, *(sum(lengths[: b + 1]) for b in range(len(lengths)))]
    assert cu_seqlens.tolist() == expected_cu, (
        f"{call}: cu_seqlens {cu_seqlens.tolist()}, expected {expected_cu} (0, then the running total of "
        f"each row's kept tokens {lengths})"
    )
    assert type(max_seqlen) is int and max_seqlen == max(lengths), (
        f"{call}: max_seqlen is {max_seqlen!r}, expected the Python int {max(lengths)} (the longest row)"
    )
    expected = torch.stack(kept)
    assert_close(hidden_unpad, expected, rtol=0, atol=0, name=f"hidden_unpad of {call}")


@pytest.mark.points(2)
def test_unpad_and_pad_known_answer(submission):
    hidden = torch.tensor([[[1.0], [2.0], [3.0]], [[4.0], [5.0], [6.0]]])
    mask = torch.tensor([[1, 1, 0], [0, 1, 1]])
    got = submission.unpad_input(hidden, mask)
    call = "unpad_input([[[1], [2], [3]], [[4], [5], [6]]], [[1, 1, 0], [0, 1, 1]])"
    assert isinstance(got, (tuple, list)) and len(got) == 4, f"{call} returned {got!r}, expected 4 values"
    hidden_unpad, indices, cu_seqlens, max_seqlen = got
    assert_close(hidden_unpad, torch.tensor([[1.0], [2.0], [5.0], [6.0]]), rtol=0, atol=0, name=f"hidden_unpad of {call}")  # fmt: skip
    assert torch.is_tensor(indices) and indices.tolist() == [0, 1, 4, 5], f"{call}: indices {indices!r}, expected [0, 1, 4, 5]"  # fmt: skip
    assert torch.is_tensor(cu_seqlens) and cu_seqlens.tolist() == [0, 2, 4], (
        f"{call}: cu_seqlens {cu_seqlens!r}, expected [0, 2, 4]"
    )
    assert max_seqlen == 2, f"{call}: max_seqlen {max_seqlen!r}, expected 2"
    padded = submission.pad_input(torch.tensor([[1.0], [2.0], [5.0], [6.0]]), torch.tensor([0, 1, 4, 5]), 2, 3)
    assert_close(padded, torch.tensor([[[1.0], [2.0], [0.0]], [[0.0], [5.0], [6.0]]]), rtol=0, atol=0,
                 name="pad_input([[1], [2], [5], [6]], [0, 1, 4, 5], 2, 3)")  # fmt: skip


@pytest.mark.points(2)
@given(batch=padded_batches())
def test_unpad_input_matches_a_loop_over_the_mask(submission, batch):
    hidden, mask = batch
    check_unpadded(submission.unpad_input(hidden, mask), hidden, mask)


@pytest.mark.points(2)
@given(batch=padded_batches())
def test_pad_input_puts_each_token_back_and_zeros_elsewhere(submission, batch):
    hidden, mask = batch
    kept, indices, _ = unpad_by_loops(hidden, mask)
    tokens = torch.stack(kept)
    got = submission.pad_input(tokens, torch.tensor(indices), mask.shape[0], mask.shape[1])
    keep = mask.bool().reshape(*mask.shape, *([1] * (hidden.dim() - 2)))
    expected = torch.where(keep, hidden, torch.zeros((), dtype=hidden.dtype))
    assert_close(got, expected, rtol=0, atol=0,
                 name=f"pad_input(tokens, {indices}, {mask.shape[0]}, {mask.shape[1]}) for {describe_batch(hidden, mask)}")  # fmt: skip


@given(batch=padded_batches())
def test_pad_after_unpad_restores_the_kept_tokens(submission, batch):
    hidden, mask = batch
    unpadded = submission.unpad_input(hidden, mask)
    assert isinstance(unpadded, (tuple, list)) and len(unpadded) == 4, (
        f"unpad_input({describe_batch(hidden, mask)}) returned {type(unpadded).__name__}, expected a tuple "
        f"(hidden_unpad, indices, cu_seqlens, max_seqlen)"
    )
    hidden_unpad, indices, _, _ = unpadded
    got = submission.pad_input(hidden_unpad, indices, mask.shape[0], mask.shape[1])
    keep = mask.bool().reshape(*mask.shape, *([1] * (hidden.dim() - 2)))
    expected = torch.where(keep, hidden, torch.zeros((), dtype=hidden.dtype))
    assert_close(got, expected, rtol=0, atol=0, name=f"pad_input(*unpad_input(...)[:2], B, S) for {describe_batch(hidden, mask)}")  # fmt: skip


# ---------------------------------------------------------------- varlen_attention


@st.composite
def packed_qkv(draw, dtypes=FLOATS):
    """(q, k, v, lengths): 1 to 4 sequences of 0 to 7 tokens (mostly at least 1), H 1 to 3,
    D 1 to 8. q, k and v are often slices of one (nnz, 3, H, D) projection, as a fused QKV layer
    gives them, so not contiguous."""
    lengths = draw(st.lists(st.one_of(st.integers(1, 7), st.just(1), st.just(0)), min_size=1, max_size=4).filter(any))
    heads, dim = draw(st.integers(1, 3)), draw(st.integers(1, 8))
    dtype = draw(st.sampled_from(dtypes))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([1.0, 1.0, 4.0]))  # larger scores: sharper softmax
    nnz = sum(lengths)
    qkv = (scale * torch.randn(nnz, 3, heads, dim, generator=generator, dtype=torch.float64)).to(dtype)
    layout = draw(st.sampled_from(["fused", "contiguous", "strided"]))
    if layout == "fused":
        q, k, v = qkv.unbind(1)
    else:
        q, k, v = (laid_out(t.contiguous(), layout) for t in qkv.unbind(1))
    return q, k, v, lengths


def cu_of(lengths):
    return torch.tensor([0, *torch.tensor(lengths).cumsum(0).tolist()], dtype=torch.int32)


def attention_per_sequence(q, k, v, lengths, causal):
    """torch's scaled_dot_product_attention on each sequence alone, in float64."""
    out, start = [], 0
    for n in lengths:
        if n:
            q_i, k_i, v_i = (t[start : start + n].double().transpose(0, 1) for t in (q, k, v))
            out.append(F.scaled_dot_product_attention(q_i, k_i, v_i, is_causal=causal).transpose(0, 1))
        start += n
    return torch.cat(out)


def describe_packed(q, lengths, causal):
    return (
        f"q, k, v of shape {list(q.shape)} {q.dtype}, cu_seqlens {cu_of(lengths).tolist()} "
        f"(sequence lengths {lengths}), causal={causal}"
    )


@pytest.mark.points(2)
def test_varlen_attention_known_answer(submission):
    # One key for all tokens: the weights are uniform over whatever a token may attend to, so the
    # output is a mean of values. Sequence 0 is token 0; sequence 1 is tokens 1 and 2.
    q = k = torch.ones(3, 1, 1)
    v = torch.tensor([[[10.0]], [[20.0]], [[30.0]]])
    cu = torch.tensor([0, 1, 3], dtype=torch.int32)
    got = submission.varlen_attention(q, k, v, cu)
    assert_close(got, torch.tensor([[[10.0]], [[25.0]], [[25.0]]]),
                 name="varlen_attention(ones, ones, [10, 20, 30], cu_seqlens=[0, 1, 3]) (means within each sequence)")  # fmt: skip
    got = submission.varlen_attention(q, k, v, cu, causal=True)
    assert_close(got, torch.tensor([[[10.0]], [[20.0]], [[25.0]]]),
                 name="varlen_attention(ones, ones, [10, 20, 30], cu_seqlens=[0, 1, 3], causal=True)")  # fmt: skip


@pytest.mark.points(2)
@given(case=packed_qkv(), causal=st.booleans())
def test_varlen_attention_equals_attention_on_each_sequence(submission, case, causal):
    q, k, v, lengths = case
    got = submission.varlen_attention(q, k, v, cu_of(lengths), causal=causal)
    expected = attention_per_sequence(q, k, v, lengths, causal).to(q.dtype)
    assert_close(got, expected, name=f"varlen_attention({describe_packed(q, lengths, causal)})",
                 **FLOAT32_VS_FLOAT64[q.dtype])  # fmt: skip


@st.composite
def packed_qkv_and_order(draw):
    q, k, v, lengths = draw(packed_qkv())
    return q, k, v, lengths, draw(st.permutations(range(len(lengths))))


@given(case=packed_qkv_and_order(), causal=st.booleans())
def test_reordering_the_sequences_reorders_the_output(submission, case, causal):
    q, k, v, lengths, order = case
    starts = [0, *torch.tensor(lengths).cumsum(0).tolist()]
    rows = torch.tensor([r for i in order for r in range(starts[i], starts[i + 1])], dtype=torch.long)
    reordered_lengths = [lengths[i] for i in order]
    out = submission.varlen_attention(q, k, v, cu_of(lengths), causal=causal)
    reordered = submission.varlen_attention(q[rows], k[rows], v[rows], cu_of(reordered_lengths), causal=causal)
    for got in (out, reordered):
        assert isinstance(got, torch.Tensor) and got.shape == q.shape, (
            f"varlen_attention({describe_packed(q, lengths, causal)}) returned {type(got).__name__} "
            f"{list(getattr(got, 'shape', []))}, expected a tensor of q's shape {list(q.shape)}"
        )
    assert_close(reordered, out[rows],
                 name=f"varlen_attention with the sequences in the order {order} ({describe_packed(q, lengths, causal)}), "
                      f"against the same rows of the output in the original order")  # fmt: skip

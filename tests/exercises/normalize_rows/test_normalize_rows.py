"""Tests of the test-only torch exercise: a float64 formula as the oracle."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader import assert_close


@st.composite
def matrices(draw):
    rows, cols = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**16))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    generator = torch.Generator().manual_seed(seed)
    return (torch.rand(rows, cols, generator=generator, dtype=torch.float64) + 0.5).to(dtype)


@pytest.mark.points(2)
@given(x=matrices())
def test_rows_match_the_float64_formula(submission, x):
    got = submission.normalize_rows(x)
    expected = (x.double() / torch.sqrt((x.double() ** 2).sum(dim=-1, keepdim=True))).to(x.dtype)
    assert_close(got, expected, name="normalize_rows(x)")


def test_known_answer(submission):
    got = submission.normalize_rows(torch.tensor([[3.0, 4.0]]))
    assert_close(got, torch.tensor([[0.6, 0.8]]), name="normalize_rows([[3, 4]])")

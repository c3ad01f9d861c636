"""Tests of the test-only torch exercise: a float64 formula as the oracle."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader import assert_close
from grader.timing import median_seconds


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


@pytest.mark.performance
@pytest.mark.points(0)
def test_speed_against_torch(submission, performance):
    """Informational: the submission's throughput beside torch's own on the CPU."""
    x = torch.rand(512, 512, generator=torch.Generator().manual_seed(0)) + 0.5
    moved = 2 * x.numel() * x.element_size()  # bytes read and written
    seconds = submission.call_timed("normalize_rows", x)
    baseline = median_seconds(lambda: torch.nn.functional.normalize(x, dim=-1), cuda=False)
    performance(
        case="512 × 512, float32, CPU",
        unit="GB/s",
        submission=moved / seconds / 1e9,
        baseline=moved / baseline / 1e9,
        baseline_name="torch.nn.functional.normalize",
    )

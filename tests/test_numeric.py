"""``assert_close``: per-dtype tolerances, NaN, shapes, dtypes, the error-norm
bound, and diagnostics that say where and how far a result is off."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from grader.numeric import ToleranceError, assert_close


def test_identical_and_within_tolerance_pass():
    x = torch.randn(8, 8)
    assert_close(x, x.clone())
    assert_close(x + 1e-7, x)
    assert_close(x.half(), x.half() * (1 + 4e-4))
    assert_close([1.0, 2.0], [1.0, 2.0 + 1e-9])


def test_one_wrong_element_is_located():
    expected = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
    actual = expected.clone()
    actual[1, 2, 3] += 0.5
    with pytest.raises(ToleranceError) as failure:
        assert_close(actual, expected)
    d = failure.value.diagnostics
    assert (d["mismatched"], d["total"], d["worst_index"]) == (1, 24, [1, 2, 3])
    assert (d["expected"], d["actual"]) == (23.0, 23.5)
    assert d["max_abs_error"] == pytest.approx(0.5)
    assert "at index (1, 2, 3): expected 23.0, got 23.5" in str(failure.value)
    cells = d["error_map"]["cells"]
    assert (d["error_map"]["rows"], d["error_map"]["cols"]) == (6, 4)
    assert cells[5][3] > 0 and sum(map(sum, cells)) == cells[5][3]


def test_zeros_cannot_hide_under_the_absolute_tolerance():
    expected = torch.full((16, 16), 1e-6)
    with pytest.raises(ToleranceError, match="relative error norm"):
        assert_close(torch.zeros(16, 16), expected)


def test_nan_where_the_reference_has_none_fails_but_matching_nan_passes():
    expected = torch.ones(4)
    actual = expected.clone()
    actual[2] = float("nan")
    with pytest.raises(ToleranceError, match="got nan"):
        assert_close(actual, expected)
    assert_close(torch.tensor([float("nan"), 1.0]), torch.tensor([float("nan"), 1.0]))


def test_shape_and_dtype_must_match():
    with pytest.raises(ToleranceError, match=r"shape \[4\], expected \[2, 2\]"):
        assert_close(torch.ones(4), torch.ones(2, 2))
    with pytest.raises(ToleranceError, match="dtype float16, expected float32"):
        assert_close(torch.ones(4).half(), torch.ones(4))
    assert_close(torch.ones(4).half(), torch.ones(4), check_dtype=False)


@pytest.mark.parametrize(
    "dtype, rtol", [(torch.float16, 1e-3), (torch.bfloat16, 1.6e-2), (torch.float32, 1.3e-6), (torch.float64, 1e-7)]
)
def test_default_tolerances_follow_the_dtype(dtype, rtol):
    expected = torch.full((4,), 100.0, dtype=dtype)
    assert_close(expected * (1 + rtol / 4), expected, rel_norm=1)
    with pytest.raises(ToleranceError):
        assert_close(expected.double() * (1 + 4 * rtol), expected.double(), rtol=rtol, atol=0)


def test_numpy_arrays_and_integers():
    assert_close(np.arange(5), np.arange(5))
    with pytest.raises(ToleranceError):
        assert_close(np.arange(5) + np.array([0, 0, 1, 0, 0]), np.arange(5))


def test_a_cancelling_scalar_is_judged_elementwise_not_by_the_norm():
    expected = torch.tensor(-1.1 * 0.875 + 0.7 * 1.375, dtype=torch.float64)  # about 1e-16
    assert_close(torch.tensor(0.0, dtype=torch.float64), expected)


def test_rtol_zero_keeps_a_usable_norm_bound():
    expected = torch.linspace(1, 2, 64, dtype=torch.float64)
    assert_close(expected + 1e-9, expected, rtol=0, atol=1e-8)

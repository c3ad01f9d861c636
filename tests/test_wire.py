"""The wire format: plain data crosses intact; nothing else crosses at all."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.errors import UnsupportedValue
from grader.sandbox import wire

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary()
plain_data = st.recursive(
    scalars,
    lambda children: (
        st.lists(children)
        | st.tuples(children, children)
        | st.dictionaries(st.text() | st.integers(), children)
        | st.frozensets(st.integers() | st.text())
    ),
    max_leaves=20,
)

# A CUDA tensor crosses the wire through host memory and is rebuilt on the GPU.
DEVICES = [
    "cpu",
    pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")),
]


def same(a, b) -> bool:
    """Equality that also compares types and treats NaN as equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    return a == b


def round_trip(value):
    tree, buffers = wire.encode(value)
    return wire.decode(tree, buffers)


@given(plain_data)
def test_plain_data_round_trips_with_its_types(value):
    assert same(round_trip(value), value)


@pytest.mark.parametrize(
    "dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.int64, torch.bool]
)
def test_tensors_round_trip_bit_for_bit(dtype):
    tensor = (torch.randn(3, 5) * 10).to(dtype)[:, ::2]  # non-contiguous
    back = round_trip(tensor)
    assert type(back) is torch.Tensor and back.dtype == dtype and back.shape == tensor.shape
    assert torch.equal(back, tensor)


@pytest.mark.parametrize(
    "make",
    [
        lambda base: base.t(),
        lambda base: base[:, ::2],
        lambda base: base[1:, 1:],
        lambda base: base[0].expand(3, 4),
        lambda base: base.reshape(2, 2, 3).permute(2, 0, 1),
    ],
    ids=["transpose", "step", "offset", "expand", "permute"],
)
@pytest.mark.parametrize("device", DEVICES)
def test_non_contiguous_tensors_arrive_as_the_same_view(make, device):
    view = make(torch.arange(12, dtype=torch.float32, device=device).reshape(3, 4))
    back = round_trip(view)
    assert back.device == view.device
    assert torch.equal(back, view)
    assert (back.stride(), back.is_contiguous()) == (view.stride(), view.is_contiguous())


def test_empty_and_scalar_tensors_round_trip():
    assert round_trip(torch.empty(0, 4)).shape == (0, 4)
    assert round_trip(torch.tensor(2.5)).item() == 2.5


def test_numpy_arrays_and_scalars_round_trip():
    array = np.arange(12, dtype=np.int32).reshape(3, 4).T
    back = round_trip(array)
    assert back.dtype == np.int32 and np.array_equal(back, array)
    assert round_trip(np.float64(1.5)) == 1.5 and type(round_trip(np.int64(3))) is int


def test_tensor_subclass_arrives_as_a_plain_tensor():
    class Liar(torch.Tensor):
        def __eq__(self, other):
            return True

    back = round_trip(torch.zeros(3).as_subclass(Liar))
    assert type(back) is torch.Tensor
    assert not torch.equal(back, torch.ones(3))


def test_subclasses_of_builtins_arrive_as_the_builtins():
    class Sneaky(int):
        def __eq__(self, other):
            return True

    back = round_trip([Sneaky(3)])
    assert type(back[0]) is int and back[0] != 4


@pytest.mark.parametrize("value", [object(), lambda: 1, np.array([object()]), {1: object()}, range(3)])
def test_other_objects_are_refused(value):
    with pytest.raises(UnsupportedValue):
        wire.encode(value)


@pytest.mark.parametrize(
    "tree",
    [
        {"$pickle": "gASVAAAAAAAAAC4="},
        {"$tuple": [1], "$extra": 2},
        {"$bytes": 5},
        {"$ndarray": {"dtype": "O", "shape": [1], "data": 0}},
        {"$tensor": {"dtype": "load", "shape": [1], "strides": [1], "data": 0}},
        {"$tensor": {"dtype": "float32", "shape": [3], "strides": [1], "data": 0}},
        {"$tensor": {"dtype": "float32", "shape": [2], "strides": [-1], "data": 0}},
        {"$tensor": {"dtype": "float32", "shape": [2], "data": 0}},
        {"$dict": [[[1], 2]]},
    ],
)
def test_malformed_or_dangerous_trees_are_refused(tree):
    with pytest.raises((ValueError, TypeError)):
        wire.decode(tree, [b"\x00" * 8])

"""Hypothesis strategies named after the domains the exercises work in.

Exercises' tests compose these so they read as sentences:
``@given(items=knapsack_items(max_items=8))``.
"""

from __future__ import annotations

from hypothesis import strategies as st


@st.composite
def knapsack_items(draw, max_items: int = 8, max_weight: int = 20, max_value: int = 50, max_capacity: int = 100):
    """``(weights, values, capacity)``: weights >= 1, values >= 0, and a capacity
    from 0 to a little past the total weight, so that all, some and none of the
    items fit."""
    n = draw(st.integers(0, max_items))
    weights = draw(st.lists(st.integers(1, max_weight), min_size=n, max_size=n))
    values = draw(st.lists(st.integers(0, max_value), min_size=n, max_size=n))
    capacity = draw(st.integers(0, min(sum(weights) + 5, max_capacity)))
    return weights, values, capacity


def distinct_positive_ints(min_size: int = 1, max_size: int = 6, max_value: int = 12):
    """Distinct candidates, as combination-sum problems take them."""
    return st.lists(st.integers(1, max_value), min_size=min_size, max_size=max_size, unique=True)


def gap_lists(max_size: int = 50, max_value: int = 10**9):
    """Non-negative ints with duplicates and wide ranges: the inputs of gap problems."""
    values = st.one_of(st.integers(0, 20), st.integers(0, max_value))
    return st.lists(values, max_size=max_size)


MEMORY_LAYOUTS = ("contiguous", "transposed", "strided", "channels_last")


def laid_out(tensor, layout: str):
    """The same values in another memory layout, to catch code that assumes contiguity:
    "transposed" (dimensions stored in reverse order), "strided" (every other element of
    a buffer twice as wide), "channels_last" (a 4-D tensor stored N, H, W, C, as vision
    models keep activations) or "contiguous". Works on any torch tensor without
    importing torch here."""
    if layout == "channels_last" and tensor.dim() == 4:
        return tensor.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)
    if layout == "transposed" and tensor.dim() >= 2:
        reverse = list(range(tensor.dim()))[::-1]
        return tensor.permute(reverse).contiguous().permute(reverse)
    if layout == "strided" and tensor.dim() >= 1:
        buffer = tensor.new_zeros(*tensor.shape[:-1], 2 * tensor.shape[-1])
        buffer[..., ::2] = tensor
        return buffer[..., ::2]
    return tensor

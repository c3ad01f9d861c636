"""Fingerprints of the values of the tensors a call created, recorded inside the worker.

Some exercises are about an intermediate result that code must never compute:
MLA's absorbed form never builds the per-head keys. Shapes cannot tell (its
per-head queries have the keys' shape); values can. During a recorded call the
worker notes, for every floating-point tensor an aten op returns, its number
of elements and three sums that no reshape, transpose or slicing order
changes: Σx, Σx² and Σ|x|. A test then asks ``CallLog.created_a_tensor_like``
whether any of them is the tensor it must not see, in any layout.

An exercise that records values lists this module in ``requires`` (after
torch). Like ``tensor_log`` this is a structural check for honest mistakes,
not a proof: code that scales the forbidden tensor, or leaves torch, escapes
it. Correctness is always checked on the outputs.
"""

from __future__ import annotations

import contextlib

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

LOG_NAME = "values"  # the field of CallLog this fills
MAX_DISTINCT = 10_000  # bounds what a pathological loop can send back


class _CreatedValues(TorchDispatchMode):
    def __init__(self, created: set[tuple[int, float, float, float]]):
        super().__init__()
        self.created = created

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        # Ops run inside this method are not seen by the mode: the sums below record nothing.
        for leaf in tree_leaves(result):
            if len(self.created) >= MAX_DISTINCT:
                break
            if isinstance(leaf, torch.Tensor) and leaf.is_floating_point() and leaf.numel():
                values = leaf.detach().to("cpu", torch.float64)
                self.created.add(
                    (values.numel(), float(values.sum()), float((values * values).sum()), float(values.abs().sum()))
                )
        return result


@contextlib.contextmanager
def recording():
    """Yields a set that fills with ``(elements, Σx, Σx², Σ|x|)`` while the block runs."""
    created: set[tuple[int, float, float, float]] = set()
    with _CreatedValues(created):
        yield created


def as_plain_data(created: set[tuple[int, float, float, float]], submission_file: str) -> list[list]:
    return [list(entry) for entry in sorted(created)]


with recording():  # pays torch's one-time dispatch-mode imports now (see tensor_log)
    torch.zeros(1)

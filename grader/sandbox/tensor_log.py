"""Which tensors a call created, recorded inside the worker.

Some exercises are about what code never builds: FlashAttention's point is
that no T×T score matrix exists. Outputs cannot show that, so the worker can
run a call under a torch dispatch mode that notes every tensor an aten op
returns. Only the distinct ``(op name, shape)`` pairs travel back, as plain
data.

An exercise that records lists this module in ``requires`` (after torch):
``submission.call_recording`` then fills ``CallLog.tensors``. The worker
imports it before the learner's code runs, since the first op under any
dispatch mode makes torch import ``torch._dynamo`` (over a second), which must
not count against a call's time limit, nor be paid by exercises that never
record.

This is a structural check, not a proof: code that leaves torch (numpy, pure
Python) is invisible to it. Correctness is always checked on the outputs.
"""

from __future__ import annotations

import contextlib

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

LOG_NAME = "tensors"  # the field of CallLog this fills
MAX_DISTINCT = 10_000  # a loop over blocks makes few distinct shapes; this bounds a pathological one


class _CreatedTensors(TorchDispatchMode):
    def __init__(self, created: set[tuple[str, tuple[int, ...]]]):
        super().__init__()
        self.created = created

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        if len(self.created) < MAX_DISTINCT:
            for leaf in tree_leaves(result):
                if isinstance(leaf, torch.Tensor):
                    self.created.add((str(func), tuple(leaf.shape)))
        return result


@contextlib.contextmanager
def recording():
    """Yields a set that fills with ``(op, shape)`` while the block runs."""
    created: set[tuple[str, tuple[int, ...]]] = set()
    with _CreatedTensors(created):
        yield created


def as_plain_data(created: set[tuple[str, tuple[int, ...]]], submission_file: str) -> list[list]:
    return [[op, list(shape)] for op, shape in sorted(created)]


with recording():  # pays torch's one-time imports now (see above)
    torch.zeros(1)

"""Uninitialised memory filled with NaN in the worker, so reading it is always caught.

``torch.empty`` returns whatever the allocator held: often zeros in a fresh
process, sometimes the right answer left by an earlier call. A kernel that
forgets to write part of its output can then pass by luck. An exercise that
lists this module in ``requires`` (after torch) gets, for the worker's whole
life, every floating-point tensor from ``empty``, ``empty_like`` and
``empty_strided`` filled with NaN, which no comparison accepts.
"""

from __future__ import annotations

import torch
from torch.utils._python_dispatch import TorchDispatchMode

_UNINITIALISED = {
    torch.ops.aten.empty.memory_format,
    torch.ops.aten.empty_like.default,
    torch.ops.aten.empty_strided.default,
    torch.ops.aten.new_empty.default,
    torch.ops.aten.new_empty_strided.default,
}


class _PoisonUninitialised(TorchDispatchMode):
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        if func in _UNINITIALISED and result.is_floating_point():
            result.fill_(float("nan"))
        return result


# Entered once, never left: it holds for every call in the worker (and the
# zygote's forks); a recorder's mode stacks above it during a recorded call.
_PoisonUninitialised().__enter__()
torch.zeros(1)  # pays torch's one-time dispatch-mode imports now, not during a call (see tensor_log)

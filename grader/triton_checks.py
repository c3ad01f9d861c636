"""What the tests of the Triton exercises share: where the kernels run, the
dtypes they are graded in, hypothesis settings for examples that each launch
a kernel, and the checks on a call's output and on what it launched.

For the tests (the trusted side); the worker's half is
``grader.sandbox.kernel_log``, which makes the same choice of device.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import Phase, settings

from grader.devices import kernel_device

DEVICE = kernel_device()
ON_GPU = DEVICE == "cuda"
BF16_ON_GPU_ONLY = pytest.mark.skipif(
    not ON_GPU, reason="bfloat16: Triton's interpreter computes it wrongly without an error; these cases run on a GPU"
)
DTYPES = [
    pytest.param(torch.float16, id="float16"),
    pytest.param(torch.bfloat16, id="bfloat16", marks=BF16_ON_GPU_ONLY),
    pytest.param(torch.float32, id="float32"),
]


def kernel_runs(on_gpu: int, interpreted: int) -> settings:
    """Settings for a property whose every example launches a kernel: ``on_gpu``
    or ``interpreted`` examples, and no shrinking. Triton's interpreter runs a
    launch in Python (a tenth of a second to a second), and shrinking would
    rerun the failing kernel hundreds of times; the report then says its
    input is the first failing one found, not the smallest."""
    return settings(max_examples=on_gpu if ON_GPU else interpreted, phases=[Phase.explicit, Phase.generate])


def assert_no_nan(got: torch.Tensor, call: str) -> None:
    """NaN is never right in these exercises: say where it is and where it comes from."""
    nan = torch.isnan(got)
    assert not nan.any(), (
        f"{call} returned NaN in {int(nan.sum())} of {got.numel()} elements, the first at index "
        f"{tuple(int(i) for i in nan.nonzero()[0])}: output your kernel never wrote (the grader fills "
        "torch.empty with NaN), or an invalid operation such as inf / inf or exp(-inf - (-inf))"
    )


def assert_own_kernel(log, call: str) -> list[str]:
    """The kernels defined in the submission that the recorded call launched
    (``submission.call_recording``); fails when there are none."""
    yours = sorted(name for name, defined_here in log.kernels if defined_here)
    others = sorted(name for name, defined_here in log.kernels if not defined_here)
    assert yours, (
        f"{call} launched no Triton kernel defined in your file"
        + (f" (only {', '.join(others)})" if others else "")
        + ": write a @triton.jit kernel and launch it with kernel[grid](...)"
    )
    return yours


def torch_ops(log, names: set[str], containing: tuple[str, ...] = ()) -> list[str]:
    """The torch ops the recorded call ran whose name (``mm`` of ``aten.mm.default``)
    is in ``names`` or contains one of ``containing``: work done outside the kernel."""
    return sorted(
        {op for op, _ in log.tensors if op.split(".")[1] in names or any(fragment in op for fragment in containing)}
    )


def report_speed(performance, *, case: str, unit: str, work: float, seconds: float, baselines: dict) -> None:
    """One row of the performance section per baseline: ``work`` (in the units of
    ``unit`` times 10¹², e.g. FLOP for TFLOP/s) per second, the submission's
    measured in its worker (``seconds``) beside each ``baselines[name]()`` timed
    here the same way (``grader.timing``)."""
    from grader.timing import median_seconds

    for name, run in baselines.items():
        performance(
            case=case,
            unit=unit,
            submission=work / seconds / 1e12,
            baseline=work / median_seconds(run, cuda=True) / 1e12,
            baseline_name=name,
        )

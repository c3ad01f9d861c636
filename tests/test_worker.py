"""The trust boundary seen from a test: calls, in-place changes, exceptions, restarts."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
import torch

from grader.devices import kernel_device
from grader.errors import LearnerRaised, SubmissionFailure, UnsupportedValue
from grader.sandbox.client import SubmissionProxy, Worker, WorkerSettings
from grader.submission import load_submission

SOURCE = """
import time

class EmptyHeap(IndexError):
    pass

def push(heap, item):
    heap.append(item)
    heap.sort()

def fill(table, array, tensor):
    table["seen"] = True
    array[0] = 42
    tensor.mul_(2)

def pop_empty(heap):
    if not heap:
        raise IndexError("pop from an empty heap")

def custom_error():
    raise EmptyHeap("nothing to pop")

def nap(seconds):
    time.sleep(seconds)
    return "awake"

def identity(value):
    return value

def generator():
    return (i for i in range(3))

def outer_scores(q, k):
    import torch
    return torch.softmax(q @ k.T, dim=-1).sum(dim=-1)

def scores_through_a_transpose(q, k):
    return (k @ q.T).T.sum()
"""


@pytest.fixture(scope="module")
def submission(tmp_path_factory):
    path = tmp_path_factory.mktemp("toy") / "toy.py"
    path.write_text(textwrap.dedent(SOURCE))
    settings = WorkerSettings(
        module="toy",
        entry_points=("push",),
        time_limit_s=1.0,
        memory_limit_mb=1024,
        requires=("torch", "grader.sandbox.tensor_log", "grader.sandbox.value_log"),
        protected=(),
        seed=0,
    )
    worker = Worker(load_submission(path, "toy"), settings)
    worker.start()
    yield SubmissionProxy(worker)
    worker.close()


def test_in_place_changes_are_seen_by_the_caller(submission):
    heap = [1, 5]
    assert submission.push(heap, 3) is None
    assert heap == [1, 3, 5]
    table, array, tensor = {}, np.zeros(3), torch.ones(2)
    submission.fill(table, array, tensor)
    assert table == {"seen": True} and array[0] == 42 and torch.equal(tensor, torch.full((2,), 2.0))


def test_builtin_exceptions_arrive_as_the_same_type_with_the_learners_message(submission):
    with pytest.raises(IndexError, match="pop from an empty heap") as raised:
        submission.pop_empty([])
    assert "toy.py, line 18, in pop_empty" in raised.value.learner.traceback


def test_a_recorded_call_lists_the_tensors_it_created(submission):
    q, k = torch.randn(5, 3), torch.randn(7, 3)
    result, log = submission.call_recording("outer_scores", q, k)
    assert torch.allclose(result, torch.ones(5), atol=1e-5)
    assert (5, 7) in {shape for _, shape in log.tensors}, log  # the score matrix the call built
    assert ("aten._softmax.default", (5, 7)) in log.tensors
    assert list(log.tensors) == sorted(log.tensors) and log.kernels == ()
    assert submission.outer_scores(q, k).shape == (5,), "an ordinary call after a recorded one returns a value alone"


def test_a_recorded_call_knows_the_values_it_created_in_any_layout(submission):
    q, k = torch.randn(5, 3, dtype=torch.float64), torch.randn(7, 3, dtype=torch.float64)
    _, log = submission.call_recording("scores_through_a_transpose", q, k)
    scores = q @ k.T
    assert log.created_a_tensor_like(scores) and log.created_a_tensor_like(scores.T.reshape(-1))
    assert not log.created_a_tensor_like(2 * scores), "a multiple of the scores was never created"
    assert not log.created_a_tensor_like(scores[:, :6]), "nor a part of them"


def test_non_builtin_exceptions_arrive_as_a_grader_error_naming_them(submission):
    with pytest.raises(LearnerRaised, match="non-builtin exception, EmptyHeap: nothing to pop"):
        submission.custom_error()


def test_a_slow_call_times_out_and_the_next_call_gets_a_fresh_worker(submission):
    with pytest.raises(SubmissionFailure, match=r"nap\(5\) timed out after 1 s") as failure:
        submission.nap(5)
    assert failure.value.kind == "timeout"
    assert submission.nap(0) == "awake"


def test_values_that_are_not_plain_data_are_refused(submission):
    with pytest.raises(UnsupportedValue, match="returned an object of type generator"):
        submission.generator()
    assert submission.identity({"a": (1, 2.5, None, b"x")}) == {"a": (1, 2.5, None, b"x")}


def test_captured_output_is_kept_per_take(submission):
    submission.identity(1)
    assert submission._worker.take_output() == ""


KERNEL_SOURCE = """
import torch
import triton
import triton.language as tl

@triton.jit
def double_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(out_ptr + offsets, 2 * tl.load(x_ptr + offsets, mask=mask), mask=mask)

def double(x):
    out = torch.empty_like(x)
    double_kernel[(triton.cdiv(x.numel(), 16),)](x, out, x.numel(), BLOCK=16)
    return out

def double_without_a_kernel(x):
    return x * 2

def double_first_block_only(x):
    out = torch.empty_like(x)
    double_kernel[(1,)](x, out, x.numel(), BLOCK=16)
    return out

modes_while_timed = []

def note_dispatch_mode(x):
    from torch.utils._python_dispatch import _get_current_dispatch_mode
    modes_while_timed.append(type(_get_current_dispatch_mode()).__name__)

def dispatch_modes_while_timed():
    return sorted(set(modes_while_timed))
"""


def test_triton_launches_are_recorded_and_memory_a_kernel_never_wrote_reads_as_nan(tmp_path):
    path = tmp_path / "kernels.py"
    path.write_text(KERNEL_SOURCE)
    # kernel_log first: it picks Triton's interpreter before the others' dispatch modes import Triton.
    requires = ("torch", "grader.sandbox.kernel_log", "grader.sandbox.poison", "grader.sandbox.tensor_log")
    settings = WorkerSettings("kernels", ("double",), 30.0, 1024, requires, (), seed=0)
    worker = Worker(load_submission(path, "kernels"), settings)
    try:
        submission = SubmissionProxy(worker)
        # Compiled on a GPU; without one, run in Triton's interpreter on the CPU.
        x = torch.arange(40, dtype=torch.float32, device=kernel_device())
        doubled, log = submission.call_recording("double", x)
        assert torch.equal(doubled, 2 * x)
        assert log.kernels == (("double_kernel", True),)
        doubled, log = submission.call_recording("double_without_a_kernel", x)
        assert torch.equal(doubled, 2 * x) and log.kernels == ()
        assert ("aten.mul.Tensor", (40,)) in log.tensors
        half_written = submission.double_first_block_only(x)
        assert torch.equal(half_written[:16], 2 * x[:16]) and half_written[16:].isnan().all(), (
            "memory the kernel never wrote reads as NaN (grader.sandbox.poison)"
        )
        assert submission.call_timed("note_dispatch_mode", x, warmup=1, repeats=3) >= 0
        assert submission.dispatch_modes_while_timed() == ["NoneType"], "timed runs pay for no NaN filling"
    finally:
        worker.close()

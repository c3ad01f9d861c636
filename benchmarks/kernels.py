"""How fast the reference Triton kernels are beside torch's own, on a CUDA GPU.

Times the reference solutions of `triton_softmax`, `triton_matmul` and
`flash_attention` against `torch.softmax`, `torch.matmul` (cuBLAS) and
`torch.nn.functional.scaled_dot_product_attention` at realistic sizes, with
`grader.timing.median_seconds`: CUDA events, the L2 cache flushed before each
run, the median of 20 runs after 5 warm-up runs (which also compile and
autotune), taken in three rounds that alternate between the reference and
torch; each figure is the median of its three rounds. Each kernel's result
is first compared with torch's at that size, so a configuration that only the
autotuner picks at large sizes cannot be fast and wrong unnoticed. Prints a table, or JSON with `--json`. Run from the
repository root on a machine with a CUDA GPU:

    python benchmarks/kernels.py
    python benchmarks/kernels.py --only flash_attention --json

Softmax is counted in TB/s of bytes read and written (it is limited by
memory), matmul in TFLOP/s of 2·M·N·K, attention in TFLOP/s of 4·B·H·N²·D,
halved when causal.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # grader.timing, when run as a script

DEVICE = "cuda"
ROUNDS = 3  # the median of ROUNDS medians of 20 runs each
SOFTMAX_SHAPES = [(8192, 8192, "float16"), (8192, 8192, "float32"), (4096, 4000, "float16"), (16384, 1024, "float16"),
                  (65536, 256, "float16")]  # fmt: skip
MATMUL_SHAPES = [(4096, 4096, 4096, "float16"), (8192, 8192, 8192, "float16"), (8192, 8192, 1024, "float16"),
                 (1024, 1024, 1024, "float16"), (4096, 4096, 4096, "bfloat16")]  # fmt: skip
ATTENTION_SHAPES = [(4, 32, n, d, causal) for d in (64, 128) for causal in (False, True)
                    for n in (1024, 2048, 4096, 8192, 16384)]  # fmt: skip


def load_reference(name: str):
    """solutions/NAME/NAME.py as a module."""
    path = REPO / "solutions" / name / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"reference_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def softmax_rows(torch, median) -> Iterator[dict]:
    reference = load_reference("triton_softmax")
    for rows, cols, dtype in SOFTMAX_SHAPES:
        x = torch.randn(rows, cols, device=DEVICE, dtype=getattr(torch, dtype))
        moved = 2 * x.numel() * x.element_size()
        yield row(
            "softmax", f"{rows} × {cols}, {dtype}", "TB/s", moved / 1e12,
            partial(reference.softmax, x), partial(torch.softmax, x, dim=-1), "torch.softmax", median,
            tolerance=1e-3,
        )  # fmt: skip


def matmul_rows(torch, median) -> Iterator[dict]:
    reference = load_reference("triton_matmul")
    for m, n, k, dtype in MATMUL_SHAPES:
        a = torch.randn(m, k, device=DEVICE, dtype=getattr(torch, dtype))
        b = torch.randn(k, n, device=DEVICE, dtype=getattr(torch, dtype))
        yield row(
            "matmul", f"{m} × {k} @ {k} × {n}, {dtype}", "TFLOP/s", 2 * m * n * k / 1e12,
            partial(reference.matmul, a, b), partial(torch.matmul, a, b), "torch.matmul", median,
            tolerance=0.05 * k**0.5,  # rounding of sums of k products of N(0, 1) values
        )  # fmt: skip


def attention_rows(torch, median) -> Iterator[dict]:
    import torch.nn.functional as F

    reference = load_reference("flash_attention")
    for b, h, n, d, causal in ATTENTION_SHAPES:
        q, k, v = (torch.randn(b, h, n, d, device=DEVICE, dtype=torch.float16) for _ in range(3))
        flops = 4 * b * h * n * n * d / (2 if causal else 1)
        yield row(
            "flash_attention", f"B {b}, H {h}, N {n}, D {d}, float16{', causal' if causal else ''}", "TFLOP/s",
            flops / 1e12, partial(reference.flash_attention, q, k, v, causal=causal),
            partial(F.scaled_dot_product_attention, q, k, v, is_causal=causal),
            "torch.nn.functional.scaled_dot_product_attention", median, tolerance=1e-2,
        )  # fmt: skip


def row(kernel, case, unit, work, ours: Callable, theirs: Callable, baseline_name, median, tolerance) -> dict:
    """One line of the table: the reference's and torch's throughput (``work`` per second) and their ratio."""
    expected, got = theirs(), ours()  # the first call also compiles and autotunes
    error = float((got.float() - expected.float()).abs().max())
    if error > tolerance:
        return {"kernel": kernel, "case": case, "unit": unit, "error": f"differs from {baseline_name} by {error:.3g}"}
    # Rounds alternate between the two, so a transient slowdown of the GPU (seen
    # here: a row of one run several times slower, for torch too) costs one
    # round of one side, not the row.
    rounds = [(median(ours), median(theirs)) for _ in range(ROUNDS)]
    reference_s = statistics.median(ours_s for ours_s, _ in rounds)
    baseline_s = statistics.median(theirs_s for _, theirs_s in rounds)
    return {
        "kernel": kernel,
        "case": case,
        "unit": unit,
        "reference": work / reference_s,
        "baseline": work / baseline_s,
        "baseline_name": baseline_name,
        "ratio": baseline_s / reference_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["softmax", "matmul", "flash_attention"], help="one kernel only")
    parser.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    arguments = parser.parse_args()

    import torch

    if not torch.cuda.is_available():
        sys.exit(
            "benchmarks/kernels.py needs a CUDA GPU: the kernels are compiled for it and timed with CUDA events, "
            "and none was found (Triton's CPU interpreter says nothing about speed)."
        )
    import triton

    from grader.timing import median_seconds

    def median(run):
        return median_seconds(run, cuda=True)

    sections = {"softmax": softmax_rows, "matmul": matmul_rows, "flash_attention": attention_rows}
    device = torch.cuda.get_device_name()
    versions = f"torch {torch.__version__}, triton {triton.__version__}"
    if not arguments.json:
        print(f"{device}, {versions}; median of {ROUNDS} rounds of 20 runs, L2 flushed; reference vs torch")
        print(f"{'kernel':<16} {'case':<40} {'reference':>10} {'torch':>10} {'ratio':>7}  unit")
    rows = []
    for name, section in sections.items():
        if arguments.only and name != arguments.only:
            continue
        for result in section(torch, median):
            rows.append(result)
            if arguments.json:
                continue
            if "error" in result:
                print(f"{result['kernel']:<16} {result['case']:<40} WRONG: {result['error']}")
            else:
                print(
                    f"{result['kernel']:<16} {result['case']:<40} {result['reference']:>10.1f} "
                    f"{result['baseline']:>10.1f} {result['ratio']:>6.2f}x  {result['unit']}",
                    flush=True,
                )
    if arguments.json:
        print(json.dumps({"device": device, "versions": versions, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()

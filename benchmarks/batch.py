"""How much faster `grade batch` is than one `grade` process per submission.

Generates N submissions per exercise (correct, wrong and crashing ones), then
grades them twice with the same parallelism: with `grade batch -j J`, and as
J concurrent `grade --submission ...` processes at a time. Prints the wall
time of each and their ratio. Run from the repository root:

    python benchmarks/batch.py --submissions 40 --jobs 2

The torch exercise is the test-only `normalize_rows` under tests/exercises:
every `grade` process pays `import torch` twice (grading process and
worker); a batch pays it once per grading process.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CRASHING = {
    "exception": "def {name}(*args):\n    raise ValueError('oops')\n",
    "segfault": "import ctypes\ndef {name}(*args):\n    ctypes.string_at(0)\n",
    "exit": "import os\ndef {name}(*args):\n    os._exit(1)\n",
}
EXERCISES = {
    "knapsack": {
        "path": REPO / "exercises" / "knapsack",
        "correct": REPO / "solutions" / "knapsack" / "knapsack.py",
        "wrong": REPO / "tests" / "submissions" / "knapsack" / "wrong_unbounded.py",
        "functions": ["max_value", "best_items"],
    },
    "normalize_rows (torch)": {
        "path": REPO / "tests" / "exercises" / "normalize_rows",
        "correct": REPO / "tests" / "solutions" / "normalize_rows" / "normalize_rows.py",
        "wrong": None,  # written below: rows divided by their sum instead of their norm
        "functions": ["normalize_rows"],
    },
}


def generate(exercise: dict, folder: Path, count: int) -> list[Path]:
    """``count`` submissions: half correct, a quarter wrong, a quarter crashing in one of three ways."""
    folder.mkdir(parents=True)
    correct = exercise["correct"].read_text()
    wrong = (
        exercise["wrong"].read_text()
        if exercise["wrong"]
        else "def normalize_rows(x):\n    return x / x.sum(-1, keepdim=True)\n"
    )
    kinds = list(CRASHING)
    paths = []
    for number in range(count):
        share = number % 4
        if share < 2:
            source = correct
        elif share == 2:
            source = wrong
        else:
            template = CRASHING[kinds[number % len(kinds)]]
            source = "\n".join(template.format(name=name) for name in exercise["functions"])
        path = folder / f"student_{number:03d}.py"
        path.write_text(source)
        paths.append(path)
    return paths


def time_batch(exercise: dict, folder: Path, jobs: int, max_examples: int) -> float:
    output = folder.parent / "gradebook"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "grader", "batch", str(folder), "--exercise", str(exercise["path"]),
         "--output-dir", str(output), "-j", str(jobs), "--max-examples", str(max_examples)],
        check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - started


def time_one_process_each(exercise: dict, paths: list[Path], jobs: int, max_examples: int) -> float:
    def grade(path: Path) -> int:
        return subprocess.run(
            [sys.executable, "-m", "grader", str(exercise["path"]), "--submission", str(path),
             "--format", "json", "--max-examples", str(max_examples)],
            capture_output=True,
        ).returncode  # fmt: skip

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        codes = list(pool.map(grade, paths))
    assert all(code in (0, 1) for code in codes), codes
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=40, help="submissions per exercise")
    parser.add_argument("--jobs", type=int, default=2, help="parallelism of both ways")
    parser.add_argument("--max-examples", type=int, default=100)
    arguments = parser.parse_args()
    print(f"{arguments.submissions} submissions per exercise, {arguments.jobs} at a time, "
          f"{arguments.max_examples} examples per property")  # fmt: skip
    print(f"{'exercise':<24} {'grade batch':>12} {'one process each':>17} {'ratio':>7}")
    for name, exercise in EXERCISES.items():
        workspace = Path(tempfile.mkdtemp(prefix="grade-benchmark-"))
        try:
            paths = generate(exercise, workspace / "submissions", arguments.submissions)
            batch_s = time_batch(exercise, workspace / "submissions", arguments.jobs, arguments.max_examples)
            each_s = time_one_process_each(exercise, paths, arguments.jobs, arguments.max_examples)
        finally:
            shutil.rmtree(workspace, ignore_errors=True)
        print(f"{name:<24} {batch_s:>11.1f}s {each_s:>16.1f}s {each_s / batch_s:>6.1f}x")


if __name__ == "__main__":
    main()

"""Shared helpers: grading through the real CLI, in a subprocess, as users run it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXERCISES = REPO / "exercises"
SOLUTIONS = REPO / "solutions"
TEST_EXERCISES = Path(__file__).resolve().parent / "exercises"
# The suite checks behaviour, not coverage of inputs: fewer examples keep it fast.
SUITE_MAX_EXAMPLES = "25"
# Submissions each exercise's class grades at once: one on CI's two cores, more on a
# large machine (benchmarks/gpu_check.sh grades the Triton classes on a GPU with 8).
SUITE_JOBS = os.environ.get("GRADER_SUITE_JOBS", "1")


def run_grade(
    *args: str, cwd: Path = REPO, env: dict | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """``grade ARGS`` in a fresh process; returns the completed process (text output)."""
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def grade_json(
    exercise: Path | str, *args: str, max_examples: str = SUITE_MAX_EXAMPLES, cwd: Path = REPO
) -> tuple[dict, int]:
    """Grade with ``--format json``; returns (result, exit status)."""
    process = run_grade(str(exercise), "--format", "json", "--max-examples", max_examples, *args, cwd=cwd)
    assert process.returncode in (0, 1), f"grade failed with {process.returncode}:\n{process.stderr}"
    return json.loads(process.stdout), process.returncode


def tree_digest(*roots: Path) -> dict[str, str]:
    """Every file under ``roots`` and a hash of its bytes."""
    digest = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


@pytest.fixture
def knapsack_copy(tmp_path: Path) -> Path:
    """A private copy of exercises/knapsack and its solution, for submissions that attack them."""
    shutil.copytree(EXERCISES / "knapsack", tmp_path / "exercises" / "knapsack")
    shutil.copytree(SOLUTIONS / "knapsack", tmp_path / "solutions" / "knapsack")
    return tmp_path / "exercises" / "knapsack"

"""Grading: (exercise, submission) -> GradingResult.

The tests run in this process under pytest with ``GradingPlugin``; the
learner's code runs in a worker (``grader.sandbox``). Grading is
deterministic: hypothesis draws from ``seed``, keeps no example database and
has no deadline (the per-call time limit bounds slowness instead).
"""

from __future__ import annotations

import contextlib
import io
import shlex
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from grader.errors import GraderError
from grader.exercise import Exercise
from grader.plugin import GradingPlugin
from grader.result import GradingResult, Status, overall_status
from grader.sandbox.client import Worker, WorkerSettings
from grader.submission import display_path, load_submission

DEFAULT_SEED = 0
DEFAULT_MAX_EXAMPLES = 100
_PYTEST_INI = Path(__file__).with_name("pytest-grading.ini")


def grade(
    exercise: Exercise,
    submission_path: Path | None = None,
    *,
    seed: int = DEFAULT_SEED,
    time_limit_s: float | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    extra_tests: Path | None = None,
    budget_s: float | None = None,
    on_test_start: Callable[[str, int, int], None] | None = None,
) -> GradingResult:
    """Grade ``submission_path`` (default: the exercise's stub, edited in place).

    ``extra_tests``: a folder of further ``test_*.py`` files (an instructor's
    hidden tests, kept outside the students' repository) that run and score
    like the exercise's own. ``budget_s``: seconds all calls into the
    submission may take together (batch grading bounds each student's share).
    ``on_test_start(name, position, count)`` hears of each test as it starts.
    """
    started = time.perf_counter()
    path = Path(submission_path) if submission_path else exercise.stub_file
    submission = load_submission(path, exercise.module)
    worker = Worker(
        submission,
        WorkerSettings(
            module=exercise.module,
            entry_points=exercise.entry_points,
            time_limit_s=time_limit_s or exercise.time_limit_s,
            memory_limit_mb=exercise.memory_limit_mb,
            requires=exercise.requires,
            protected=(*exercise.test_files, exercise.solution_file.parent.parent, *_extra(extra_tests)),
            seed=seed,
            budget_s=budget_s,
        ),
    )
    worker.start()  # its imports overlap pytest's collection
    plugin = GradingPlugin(exercise, worker, seed, on_test_start)
    try:
        _load_hypothesis_profile(max_examples)
        # pytest's own report is not shown: the result model is the report.
        pytest_output = io.StringIO()
        with contextlib.redirect_stdout(pytest_output):
            exit_code = pytest.main(_pytest_args(exercise, seed, extra_tests), plugins=[plugin])
    finally:
        worker.close()
    if plugin.collection_errors:
        raise GraderError(
            f"the tests of {exercise.name} could not be collected:\n" + "\n".join(plugin.collection_errors)
        )
    if exit_code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        detail = _why_pytest_stopped(pytest_output.getvalue())
        raise GraderError(
            f"pytest could not run the tests of {exercise.name} (exit code {int(exit_code)})"
            + (f":\n{detail}" if detail else "")
        )

    tests = plugin.tests
    load_failure = next((test.message for test in tests if test.status is Status.ERROR), "")
    counted = [test for test in tests if test.status is not Status.SKIPPED]
    return GradingResult(
        exercise=exercise.name,
        title=exercise.title,
        submission=submission.display_name,
        score=sum(test.score for test in counted),
        max_score=sum(test.max_score for test in counted),
        status=overall_status(tests, load_failed=bool(load_failure)),
        seed=seed,
        command=reproduce_command(exercise, submission_path, seed),
        duration_s=round(time.perf_counter() - started, 3),
        message=load_failure,
        notes=[*submission.notes, *_device_notes(exercise)],
        tests=tests,
        performance=plugin.measurements,
        performance_skipped=plugin.performance_skipped,
    )


def _device_notes(exercise: Exercise) -> list[str]:
    """Where the exercise's Triton kernels ran, when that was the interpreter: its
    sizes are small, bfloat16 is skipped and no speed is measured."""
    if "grader.sandbox.kernel_log" not in exercise.requires:
        return []
    from grader.devices import INTERPRETER_NOTE, kernel_device

    return [INTERPRETER_NOTE] if kernel_device() == "cpu" else []


def _why_pytest_stopped(output: str, max_lines: int = 40) -> str:
    """The lines of pytest's report that say why it stopped: an internal error's
    traceback (a hook that raised, in the grader or an exercise's tests) or an
    exit a test asked for."""
    lines = [line for line in output.splitlines() if line.startswith("INTERNALERROR>") or "Exit:" in line]
    return "\n".join(lines[-max_lines:])


def reproduce_command(exercise: Exercise, submission_path: Path | None, seed: int) -> str:
    words = ["grade", display_path(exercise.path)]
    if submission_path:
        words += ["--submission", display_path(Path(submission_path))]
    words += ["--seed", str(seed)]
    return shlex.join(words)


def _extra(extra_tests: Path | None) -> list[Path]:
    return [Path(extra_tests).resolve()] if extra_tests else []


def _pytest_args(exercise: Exercise, seed: int, extra_tests: Path | None) -> list[str]:
    extra_files = sorted(Path(extra_tests).resolve().glob("test_*.py")) if extra_tests else []
    return [
        *(str(path) for path in [*exercise.test_files, *extra_files]),
        "-c", str(_PYTEST_INI),
        "--rootdir", str(exercise.path),
        "--confcutdir", str(exercise.path),
        "--import-mode=importlib",  # same-named test modules of several exercises can coexist
        "--disable-plugin-autoload",  # only the plugins grading needs, whatever else is installed
        "-p", "_hypothesis_pytestplugin",
        "-p", "no:cacheprovider",  # writes nothing into the exercise folder
        "-q",
        "--tb=no",  # pytest formatting tracebacks nobody reads costs a second on a failing run
        "--hypothesis-seed", str(seed),
    ]  # fmt: skip


def _load_hypothesis_profile(max_examples: int) -> None:
    settings.register_profile(
        "grading",
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=False,  # --hypothesis-seed fixes the draws instead, so --seed can change them
        print_blob=False,
        report_multiple_bugs=False,  # one counterexample per test, the simplest one
        suppress_health_check=[HealthCheck.too_slow],  # every call crosses a process boundary
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    )
    settings.load_profile("grading")

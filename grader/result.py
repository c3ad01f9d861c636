"""The result model: what grading an exercise produced.

Every output format (terminal, JSON, HTML, CI formats, gradebooks) is a
function of ``GradingResult``; nothing else is read by them. ``as_dict`` is the
one serialisation and ``from_dict`` its inverse, so results written by one run
(a batch shard, say) can be rendered by another.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    PASSED = "passed"  # full marks / the test passed
    FAILED = "failed"  # graded, not full marks / wrong answer, exception, timeout, crash
    ERROR = "error"  # the submission could not be loaded, so nothing was really tested
    SKIPPED = "skipped"  # not run here (e.g. needs a GPU); counts towards neither score


# Gradescope's visibility levels. A test that is not "visible" counts in the
# score, but learner-facing reports show only its name, points and status.
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
HIDDEN_MESSAGE = "hidden test: its details are shown after grading is published"


@dataclass
class TestResult:
    """One test of the exercise."""

    __test__ = False  # not a pytest test class

    name: str
    max_score: float
    score: float
    status: Status
    message: str = ""  # why it failed, in a sentence or a short paragraph
    counterexample: dict[str, Any] | None = None  # argument name -> JSON-safe value
    # False where the test turns hypothesis's shrinking off (each example is costly, a
    # Triton kernel in the interpreter): the counterexample is the first found, not the smallest.
    counterexample_shrunk: bool = True
    output: str = ""  # the learner's captured stdout/stderr during this test
    traceback: str = ""  # the learner's frames only
    location: dict[str, Any] | None = None  # {"file", "line"} of the learner's failing line
    diagnostics: dict[str, Any] | None = None  # numeric comparison details (grader.numeric)
    duration_s: float = 0.0
    visibility: str = "visible"  # one of VISIBILITIES: who may see this test's details
    test_code: str = ""  # the test's source, for formats that show it (Exercism)


@dataclass
class Measurement:
    """One row of an exercise's performance section: the learner's code and a
    baseline (torch's own implementation, say) timed on the same case."""

    case: str  # e.g. "B 4, H 32, N 4096, D 64, float16, causal"
    unit: str  # what the figures count, higher is better: "TFLOP/s", "TB/s"
    submission: float
    baseline: float
    baseline_name: str  # e.g. "torch.nn.functional.scaled_dot_product_attention"

    @property
    def ratio(self) -> float:
        """The submission's speed as a multiple of the baseline's."""
        return self.submission / self.baseline if self.baseline else float("inf")


@dataclass
class GradingResult:
    """The whole grading of one submission of one exercise."""

    exercise: str
    title: str
    submission: str
    score: float
    max_score: float
    status: Status
    seed: int
    command: str  # the command line that reproduces this run
    duration_s: float
    message: str = ""  # why the submission as a whole failed (e.g. it does not load)
    notes: list[str] = field(default_factory=list)  # e.g. notebook lines that were dropped
    tests: list[TestResult] = field(default_factory=list)
    # Informational speed figures (an exercise's `performance` test), or why
    # there are none here (e.g. no GPU); both empty when the exercise times nothing.
    performance: list[Measurement] = field(default_factory=list)
    performance_skipped: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["status"] = self.status.value
        for test in data["tests"]:
            test["status"] = test["status"].value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradingResult:
        tests = [TestResult(**{**test, "status": Status(test["status"])}) for test in data.get("tests", [])]
        performance = [Measurement(**row) for row in data.get("performance", [])]
        return cls(**{**data, "status": Status(data["status"]), "tests": tests, "performance": performance})


def learner_view(result: GradingResult) -> GradingResult:
    """``result`` as a learner may see it: hidden tests keep their name, points and
    status, and lose their message, counterexample, output, traceback and source."""
    tests = [
        test
        if test.visibility == "visible"
        else dataclasses.replace(
            test,
            message=HIDDEN_MESSAGE if test.status is not Status.PASSED else "",
            counterexample=None,
            output="",
            traceback="",
            location=None,
            diagnostics=None,
            test_code="",
        )
        for test in result.tests
    ]
    return dataclasses.replace(result, tests=tests)


def overall_status(tests: list[TestResult], load_failed: bool) -> Status:
    if load_failed:
        return Status.ERROR
    counted = [test for test in tests if test.status is not Status.SKIPPED]
    if counted and all(test.status is Status.PASSED for test in counted):
        return Status.PASSED
    return Status.FAILED

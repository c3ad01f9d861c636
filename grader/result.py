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
    output: str = ""  # the learner's captured stdout/stderr during this test
    traceback: str = ""  # the learner's frames only
    location: dict[str, Any] | None = None  # {"file", "line"} of the learner's failing line
    diagnostics: dict[str, Any] | None = None  # numeric comparison details (grader.numeric)
    duration_s: float = 0.0


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

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["status"] = self.status.value
        for test in data["tests"]:
            test["status"] = test["status"].value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradingResult:
        tests = [TestResult(**{**test, "status": Status(test["status"])}) for test in data.get("tests", [])]
        return cls(**{**data, "status": Status(data["status"]), "tests": tests})


def overall_status(tests: list[TestResult], load_failed: bool) -> Status:
    if load_failed:
        return Status.ERROR
    counted = [test for test in tests if test.status is not Status.SKIPPED]
    if counted and all(test.status is Status.PASSED for test in counted):
        return Status.PASSED
    return Status.FAILED

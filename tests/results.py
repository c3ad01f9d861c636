"""Results built by hand for the tests of the output formats: no grading needed."""

from __future__ import annotations

from grader.result import GradingResult, Status, TestResult

SCRIPT = "<script>alert(1)</script>"


def a_test(name: str, status: Status = Status.FAILED, **fields) -> TestResult:
    max_score = fields.pop("max_score", 1.0)
    score = fields.pop("score", max_score if status is Status.PASSED else 0.0)
    return TestResult(name=name, max_score=max_score, score=score, status=status, **fields)


def a_result(*tests: TestResult, **fields) -> GradingResult:
    counted = [test for test in tests if test.status is not Status.SKIPPED]
    values = {
        "exercise": "attention",
        "title": "Scaled dot-product attention",
        "submission": "attention.py",
        "score": sum(test.score for test in counted),
        "max_score": sum(test.max_score for test in counted),
        "status": Status.PASSED if all(test.status is Status.PASSED for test in counted) else Status.FAILED,
        "seed": 7,
        "command": "grade exercises/attention --seed 7",
        "duration_s": 1.25,
        **fields,
    }
    return GradingResult(tests=list(tests), **values)

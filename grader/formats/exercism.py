"""Exercism's test-runner interface, version 3 (``results.json``).

Top-level ``status`` is ``error`` only when no test could run (the
submission did not load); each test's ``output`` is cut to 500 characters.
"""

from __future__ import annotations

import json

from grader.formats.text import failure_text, truncated
from grader.result import GradingResult, Status

LEARNER_FACING = True
OUTPUT_LIMIT = 500
_STATUS = {Status.PASSED: "pass", Status.FAILED: "fail", Status.ERROR: "error"}


def render(result: GradingResult) -> str:
    tests = [test for test in result.tests if test.status is not Status.SKIPPED]
    document: dict = {"version": 3, "status": _STATUS[result.status], "message": result.message or None}
    if result.status is not Status.ERROR:
        document["message"] = None
    document["tests"] = [
        {
            "name": test.name,
            "status": _STATUS[test.status],
            "message": failure_text(test, output=False) if test.status is not Status.PASSED else None,
            "output": truncated(test.output, OUTPUT_LIMIT) or None,
            "test_code": test.test_code,
        }
        for test in tests
    ]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

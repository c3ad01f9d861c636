"""Gradescope's autograder results (``/autograder/results/results.json``).

Gradescope shows each test's ``output`` to students according to the test's
``visibility``, so this format carries hidden tests' details unredacted and
lets Gradescope hide them until the due date or publication.
"""

from __future__ import annotations

import json

from grader.formats.text import failure_text
from grader.result import GradingResult, Status

LEARNER_FACING = False  # Gradescope enforces visibility itself


def render(result: GradingResult) -> str:
    summary = f"{result.title}: {result.score:g}/{result.max_score:g} ({result.status}). Reproduce: {result.command}"
    if result.message:
        summary += f"\n\n{result.message}"
    if result.notes:
        summary += "\n\n" + "\n".join(result.notes)
    document = {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": round(result.duration_s, 3),
        "output": summary,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": test.name,
                "score": test.score,
                "max_score": test.max_score,
                "status": "passed" if test.status is Status.PASSED else "failed",
                "output": failure_text(test) if test.status is not Status.PASSED else "",
                "visibility": test.visibility,
                "tags": [str(test.status)],
            }
            for test in result.tests
            if test.status is not Status.SKIPPED
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

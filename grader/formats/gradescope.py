"""Gradescope's autograder results (``/autograder/results/results.json``).

Gradescope shows each test's ``output`` to students according to the test's
``visibility``, so this format carries hidden tests' details unredacted and
lets Gradescope hide them until the due date or publication. A performance
section goes into the overall ``output`` and, per case, into ``leaderboard``
(shown where the assignment enables Gradescope's leaderboard).
"""

from __future__ import annotations

import json

from grader.formats.text import failure_text, performance_lines
from grader.result import GradingResult, Status

LEARNER_FACING = False  # Gradescope enforces visibility itself


def render(result: GradingResult) -> str:
    summary = f"{result.title}: {result.score:g}/{result.max_score:g} ({result.status}). Reproduce: {result.command}"
    if result.message:
        summary += f"\n\n{result.message}"
    if result.notes:
        summary += "\n\n" + "\n".join(result.notes)
    heading, lines = performance_lines(result)
    if heading:
        summary += "\n\n" + "\n".join([heading, *lines])
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
    if result.performance:
        # An assignment with Gradescope's leaderboard on ranks submissions by these;
        # without it they are ignored. Higher is better, Gradescope's default order.
        cases = {f"{row.case} ({row.unit})": round(row.submission, 4) for row in result.performance}
        document["leaderboard"] = [{"name": name, "value": value} for name, value in cases.items()]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

"""Plain-text pieces that several formats share: one test's failure as a paragraph."""

from __future__ import annotations

from grader.display import short_text
from grader.result import TestResult


def failure_text(test: TestResult, *, output: bool = True) -> str:
    """The message, smallest failing input, numeric details, traceback and output of one test."""
    parts = [test.message] if test.message else []
    if test.counterexample:
        lines = [f"  {name} = {short_text(value)}" for name, value in test.counterexample.items()]
        parts.append("Smallest failing input:\n" + "\n".join(lines))
    if test.diagnostics:
        details = {key: value for key, value in test.diagnostics.items() if key != "error_map"}
        parts.append(
            "Numeric details: " + ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in details.items())
        )
    if test.traceback:
        parts.append("In your code:\n" + test.traceback)
    if output and test.output:
        parts.append("Your code printed:\n" + test.output)
    return "\n\n".join(parts)


def truncated(text: str, limit: int, marker: str = "\n[... truncated]") -> str:
    return text if len(text) <= limit else text[: limit - len(marker)] + marker

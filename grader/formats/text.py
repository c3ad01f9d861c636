"""Plain-text pieces that several formats share: one test's failure as a paragraph, the performance table."""

from __future__ import annotations

from grader.display import short_text
from grader.result import GradingResult, TestResult


def counterexample_title(test: TestResult) -> str:
    """What the counterexample is: the smallest failing input, unless the test does not shrink."""
    if test.counterexample_shrunk:
        return "smallest failing input"
    return "failing input (the first found: this test does not shrink its inputs)"


def failure_text(test: TestResult, *, output: bool = True) -> str:
    """The message, smallest failing input, numeric details, traceback and output of one test."""
    parts = [test.message] if test.message else []
    if test.counterexample:
        lines = [f"  {name} = {short_text(value)}" for name, value in test.counterexample.items()]
        parts.append(f"{counterexample_title(test).capitalize()}:\n" + "\n".join(lines))
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


PERFORMANCE_HEADING = "Performance (informational, median of timed runs)"


def performance_lines(result: GradingResult) -> tuple[str, list[str]]:
    """The performance section as a heading and aligned lines of text; the lines are
    empty and the heading says why when nothing was measured, and both are empty
    when the exercise times nothing."""
    if result.performance_skipped:
        return f"Performance: not measured ({result.performance_skipped})", []
    table = performance_table(result)
    if not table:
        return "", []
    widths = [max(len(row[column]) for row in table) for column in range(len(table[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in table]
    return f"{PERFORMANCE_HEADING}:", lines


def performance_table(result: GradingResult) -> list[list[str]]:
    """The performance section as rows of cells, a header row first; empty when
    the exercise times nothing or timing was skipped (``performance_skipped``)."""
    if not result.performance:
        return []
    rows = [["case", "yours", "baseline", "ratio"]]
    for row in result.performance:
        rows.append(
            [
                row.case,
                f"{row.submission:.3g} {row.unit}",
                f"{row.baseline:.3g} {row.unit} ({row.baseline_name})",
                f"{row.ratio:.2f}×",
            ]
        )
    return rows

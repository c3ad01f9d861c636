"""The result for a person at a terminal: one line per test, then why the failures failed."""

from __future__ import annotations

import textwrap

import click

from grader.display import short_text
from grader.formats.text import counterexample_title, performance_lines
from grader.result import GradingResult, Status, TestResult

_MARKS = {
    Status.PASSED: ("✓", "green"),
    Status.FAILED: ("✗", "red"),
    Status.ERROR: ("!", "red"),
    Status.SKIPPED: ("-", "yellow"),
}


def _points(value: float) -> str:
    return f"{value:g}"


def render(result: GradingResult, *, verbose: bool = False) -> str:
    """The report as text with ANSI styles; ``click.echo`` drops them where colour is off."""
    lines = [click.style(f"{result.title} ({result.exercise})", bold=True) + f"  ·  {result.submission}"]
    lines += [click.style(f"  note: {note}", fg="yellow") for note in result.notes]
    if result.message:
        lines.append(click.style(f"  {result.message}", fg="red"))
    lines.append("")
    width = max((len(test.name) for test in result.tests), default=0)
    for test in result.tests:
        mark, colour = _MARKS[test.status]
        points = f"{_points(test.score)}/{_points(test.max_score)}"
        reason = test.message.splitlines()[0] if test.message and test.status is not Status.PASSED else ""
        lines.append(f"  {click.style(mark, fg=colour)} {points:>5}  {test.name:<{width}}  {reason}".rstrip())
    failures = [test for test in result.tests if test.status in (Status.FAILED, Status.ERROR) and _has_details(test)]
    if failures and not (result.status is Status.ERROR and not verbose):
        lines.append("")
    for test in failures:
        if result.status is Status.ERROR and not verbose:
            break  # the same load error on every test: said once above
        lines += _failure_details(test, verbose)
    lines += _performance_section(result)
    colour = "green" if result.status is Status.PASSED else "red"
    score = f"{_points(result.score)}/{_points(result.max_score)}"
    lines.append(click.style(f"Score: {score} ({result.status})", fg=colour, bold=True) + f"   seed {result.seed}")
    if result.status is not Status.PASSED:
        lines.append(f"Reproduce: {result.command}")
    return "\n".join(lines) + "\n"


def _performance_section(result: GradingResult) -> list[str]:
    heading, lines = performance_lines(result)
    if not heading:
        return []
    return [click.style(heading, bold=True), *("  " + line for line in lines), ""]


def _has_details(test: TestResult) -> bool:
    """More to say than the one-line reason already printed."""
    return bool(test.counterexample or test.diagnostics or test.traceback or test.output or "\n" in test.message)


def _failure_details(test: TestResult, verbose: bool) -> list[str]:
    lines = [click.style(f"── {test.name}", bold=True)]
    lines += _indented(test.message, 4)
    if test.counterexample:
        lines.append(f"    {counterexample_title(test)}:")
        lines += [f"      {name} = {short_text(value)}" for name, value in test.counterexample.items()]
    if test.diagnostics:
        lines += _indented(_diagnostics_text(test.diagnostics), 4)
    if test.traceback:
        lines.append("    in your code:")
        lines += _indented(test.traceback, 6)
    if test.output:
        output = test.output if verbose else _last_lines(test.output, 10)
        lines.append("    your code printed:")
        lines += _indented(output, 6)
    lines.append("")
    return lines


def _diagnostics_text(diagnostics: dict) -> str:
    parts = [f"{key.replace('_', ' ')}: {value}" for key, value in diagnostics.items() if key != "error_map"]
    return "; ".join(parts)


def _indented(text: str, spaces: int) -> list[str]:
    return textwrap.indent(text.rstrip(), " " * spaces).splitlines()


def _last_lines(text: str, count: int) -> str:
    lines = text.rstrip().splitlines()
    if len(lines) <= count:
        return text
    return f"[... {len(lines) - count} earlier lines; --verbose shows all]\n" + "\n".join(lines[-count:])

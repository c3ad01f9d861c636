"""GitHub Actions: workflow-command annotations, and a Markdown job summary.

``render`` is what the step prints: an ``::error`` annotation per failing test
(at the learner's file and line when known) and a notice with the score.
``step_summary`` is the Markdown that belongs in ``$GITHUB_STEP_SUMMARY``.
"""

from __future__ import annotations

from grader.display import short_text
from grader.formats.text import counterexample_title, performance_table
from grader.result import GradingResult, Status

LEARNER_FACING = True


def render(result: GradingResult) -> str:
    lines = []
    for test in result.tests:
        if test.status not in (Status.FAILED, Status.ERROR):
            continue
        location = test.location or {"file": result.submission}
        properties = {"file": location["file"]}
        if location.get("line"):
            properties["line"] = str(location["line"])
        properties["title"] = f"{test.name} ({test.score:g}/{test.max_score:g})"
        lines.append(_command("error", properties, _message(test)))
    score = f"{result.title}: {result.score:g}/{result.max_score:g} ({result.status})"
    lines.append(_command("notice", {"title": "Score"}, f"{score}. Reproduce: {result.command}"))
    return "\n".join(lines) + "\n"


def step_summary(result: GradingResult) -> str:
    lines = [
        f"## {result.title}: {result.score:g} / {result.max_score:g} ({result.status})",
        "",
        f"Reproduce: `{result.command}`",
        "",
    ]
    if result.message:
        lines += [f"> {result.message}", ""]
    lines += ["| | Test | Points | Why |", "| --- | --- | --- | --- |"]
    marks = {Status.PASSED: "✅", Status.FAILED: "❌", Status.ERROR: "⚠️", Status.SKIPPED: "⏭️"}
    for test in result.tests:
        why = _cell(test.message.splitlines()[0]) if test.message and test.status is not Status.PASSED else ""
        lines.append(f"| {marks[test.status]} | `{test.name}` | {test.score:g}/{test.max_score:g} | {why} |")
    failures = [test for test in result.tests if test.counterexample]
    for test in failures:
        lines += ["", f"<details><summary><code>{test.name}</code>: {counterexample_title(test)}</summary>", ""]
        lines += [f"- `{name}` = `{_cell(short_text(value))}`" for name, value in test.counterexample.items()]
        lines += ["", "</details>"]
    table = performance_table(result)
    if table:
        lines += ["", "**Performance** (informational, median of timed runs)", ""]
        lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in table[:1]]
        lines += ["| " + " | ".join("---" for _ in table[0]) + " |"]
        lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in table[1:]]
    elif result.performance_skipped:
        lines += ["", f"**Performance**: not measured ({_cell(result.performance_skipped)})"]
    return "\n".join(lines) + "\n"


def _message(test) -> str:
    text = test.message
    if test.counterexample:
        inputs = ", ".join(f"{name}={short_text(value, 80)}" for name, value in test.counterexample.items())
        text += f"\n{counterexample_title(test).capitalize()}: {inputs}"
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _command(kind: str, properties: dict[str, str], message: str) -> str:
    """``::kind key=value,...::message`` with GitHub's escaping of each part."""
    rendered = ",".join(f"{key}={_escape(value, property_value=True)}" for key, value in properties.items())
    return f"::{kind} {rendered}::{_escape(message)}"


def _escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text

"""A class's results side by side: ``gradebook.csv`` and ``gradebook.html``.

``entries`` are (student, result) pairs in the order the caller wants them
listed. The CSV has one row per student and one column per test (the points
earned; empty where that student's run had no such test), then one per case
a performance section measured (the student's figure); the page's table of
students has the same speed columns. The HTML page has
the same table, sortable by clicking a column header, the pass rate of every
test across the class and the most common failure messages.

The page is self-contained like the report: inline styles, one small inline
script (sorting) allowed by its hash in the Content-Security-Policy, and no
other script may run, so a student name or message can never become one.
"""

from __future__ import annotations

import base64
import collections
import csv
import functools
import hashlib
import io
import urllib.parse

from grader.formats.html import duration, first_line, percent, points
from grader.result import GradingResult, Status

Entries = list[tuple[str, GradingResult]]
COMMON_MESSAGES_SHOWN = 10
_LINK_SCHEMES = ("", "http", "https", "file")  # a report link is a path or a web address, never javascript:


@functools.cache
def _environment():
    from grader.templates import environment

    return environment()


def all_test_names(entries: Entries) -> list[str]:
    """Every test name, in the order first seen across the entries."""
    return list(dict.fromkeys(test.name for _, result in entries for test in result.tests))


def speed_columns(entries: Entries) -> list[str]:
    """A column per case a performance section measured (``"CASE (UNIT)"``), in the
    order first seen: an exercise graded on a GPU ranks its students by speed."""
    return list(dict.fromkeys(_speed_column(row) for _, result in entries for row in result.performance))


def _speed_column(row) -> str:
    return f"{row.case} ({row.unit})"


def render_csv(entries: Entries) -> str:
    names, speeds = all_test_names(entries), speed_columns(entries)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "score", "max_score", "status", *names, *speeds])
    for student, result in entries:
        earned = {test.name: points(test.score) for test in result.tests}
        measured = {_speed_column(row): f"{row.submission:.4g}" for row in result.performance}
        writer.writerow(
            [
                _spreadsheet_safe(student),
                points(result.score),
                points(result.max_score),
                result.status.value,
                *(earned.get(name, "") for name in names),
                *(measured.get(column, "") for column in speeds),
            ]
        )
    return buffer.getvalue()


def _spreadsheet_safe(text: str) -> str:
    """A leading = + - @ would make spreadsheets run the cell as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def render_html(entries: Entries, report_links: dict[str, str]) -> str:
    environment = _environment()
    script = environment.get_template("gradebook.js").render()  # as the template includes it
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    exercises = list(dict.fromkeys((result.title, result.exercise) for _, result in entries))
    speeds = speed_columns(entries)
    return environment.get_template("gradebook.html.j2").render(
        exercises=exercises,
        speed_columns=speeds,
        students=[_student_row(student, result, report_links.get(student), speeds) for student, result in entries],
        summary=_summary(entries),
        pass_rates=pass_rates(entries),
        messages=common_failures(entries),
        script_sources=f"'sha256-{digest}'",
    )


def _student_row(student: str, result: GradingResult, link: str | None, speeds: list[str]) -> dict:
    measured = {_speed_column(row): row.submission for row in result.performance}
    return {
        "name": student,
        "link": link if link and urllib.parse.urlsplit(link).scheme in _LINK_SCHEMES else None,
        "score": points(result.score),
        "max_score": points(result.max_score),
        "score_value": result.score,
        "max_score_value": result.max_score,
        "status": result.status.value,
        "duration": duration(result.duration_s),
        "duration_value": result.duration_s,
        # Not measured sorts as 0, below every measured figure.
        "speeds": [
            {"text": f"{measured[column]:.4g}" if column in measured else "", "value": measured.get(column, 0.0)}
            for column in speeds
        ],
    }


def _summary(entries: Entries) -> dict:
    scores = [percent(result.score, result.max_score) for _, result in entries]
    return {
        "students": len(entries),
        "full_marks": sum(result.status is Status.PASSED for _, result in entries),
        "not_loaded": sum(result.status is Status.ERROR for _, result in entries),
        "mean_percent": f"{round(sum(scores) / len(scores), 1) if scores else 0:g}%",
    }


def pass_rates(entries: Entries) -> list[dict]:
    """Per test: how many students' runs passed it out of those that graded it (skipped ones do not count)."""
    passed: collections.Counter[str] = collections.Counter()
    graded: collections.Counter[str] = collections.Counter()
    for _, result in entries:
        for test in result.tests:
            if test.status is not Status.SKIPPED:
                graded[test.name] += 1
                passed[test.name] += test.status is Status.PASSED
    return [
        {
            "name": name,
            "passed": passed[name],
            "graded": graded[name],
            "percent": percent(passed[name], graded[name]),
            "text": f"{passed[name]} / {graded[name]} ({percent(passed[name], graded[name]):g}%)"
            if graded[name]
            else "skipped in every run",
        }
        for name in all_test_names(entries)
    ]


def common_failures(entries: Entries, limit: int = COMMON_MESSAGES_SHOWN) -> list[dict]:
    """The first lines of failed and errored tests' messages, by how many students' runs show them."""
    students: dict[str, set[str]] = collections.defaultdict(set)
    tests: dict[str, dict[str, None]] = collections.defaultdict(dict)
    for student, result in entries:
        for test in result.tests:
            if test.status in (Status.FAILED, Status.ERROR) and test.message.strip():
                message = first_line(test.message)[0]
                students[message].add(student)
                tests[message][test.name] = None
    ranked = sorted(students, key=lambda message: -len(students[message]))  # stable: first seen wins a tie
    return [{"message": m, "students": len(students[m]), "tests": list(tests[m])} for m in ranked[:limit]]

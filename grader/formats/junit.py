"""JUnit XML, as GitHub Actions test reporters and GitLab's ``artifacts:reports:junit`` read it.

One ``testsuite`` per exercise, one ``testcase`` per test; a failed test is a
``failure`` and a submission that does not load makes every test an
``error``. Points travel as suite properties (``score``, ``max_score`` and
``points:<test>``), since testcase properties are not part of the schema
these readers follow, and so do speed figures (``performance:<case> vs <baseline>``).
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ElementTree

from grader.formats.text import failure_text
from grader.result import GradingResult, Status

LEARNER_FACING = True


def render(result: GradingResult) -> str:
    counts = {status: sum(test.status is status for test in result.tests) for status in Status}
    attributes = {
        "name": result.exercise,
        "tests": str(len(result.tests)),
        "failures": str(counts[Status.FAILED]),
        "errors": str(counts[Status.ERROR]),
        "skipped": str(counts[Status.SKIPPED]),
        "time": f"{result.duration_s:.3f}",
    }
    suites = ElementTree.Element("testsuites", attributes)
    suite = ElementTree.SubElement(
        suites,
        "testsuite",
        {**attributes, "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")},
    )
    properties = ElementTree.SubElement(suite, "properties")
    suite_properties = {
        "score": f"{result.score:g}",
        "max_score": f"{result.max_score:g}",
        "seed": str(result.seed),
        "command": result.command,
        **{f"points:{test.name}": f"{test.score:g}/{test.max_score:g}" for test in result.tests},
        **{
            f"performance:{row.case} vs {row.baseline_name}": (
                f"{row.submission:.3g} {row.unit}, baseline {row.baseline:.3g} {row.unit}, ratio {row.ratio:.2f}"
            )
            for row in result.performance
        },
    }
    for name, value in suite_properties.items():
        ElementTree.SubElement(properties, "property", {"name": name, "value": value})
    for test in result.tests:
        case = ElementTree.SubElement(
            suite, "testcase", {"name": test.name, "classname": result.exercise, "time": f"{test.duration_s:.3f}"}
        )
        first_line = test.message.splitlines()[0] if test.message else ""
        if test.status is Status.FAILED:
            ElementTree.SubElement(case, "failure", {"message": first_line, "type": "failure"}).text = failure_text(
                test, output=False
            )
        elif test.status is Status.ERROR:
            ElementTree.SubElement(case, "error", {"message": first_line, "type": "error"}).text = failure_text(
                test, output=False
            )
        elif test.status is Status.SKIPPED:
            ElementTree.SubElement(case, "skipped", {"message": first_line})
        if test.output:
            ElementTree.SubElement(case, "system-out").text = test.output
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"

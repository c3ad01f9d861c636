"""Every output format is a rendering of one result, checked against what its consumer reads."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ElementTree

import click
import junitparser
import pytest
from conftest import EXERCISES, REPO, TEST_EXERCISES, grade_json, run_grade

from grader import formats
from grader.result import GradingResult, Status

KNAPSACK = EXERCISES / "knapsack"
WRONG = REPO / "tests" / "submissions" / "knapsack" / "wrong_unbounded.py"
HIDDEN_TESTS = REPO / "examples" / "gradescope" / "hidden_tests"


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict:
    """One run of a failing submission, with the instructor's hidden tests, writing every format."""
    folder = tmp_path_factory.mktemp("reports")
    names = ["json", "gradescope", "exercism", "junit", "github", "html"]
    summary = folder / "step_summary.md"
    process = run_grade(
        str(KNAPSACK), "--submission", str(WRONG), "--extra-tests", str(HIDDEN_TESTS), "--max-examples", "25",
        *(option for name in names for option in ("--report", f"{name}:{folder / name}")),
        env={**os.environ, "GITHUB_STEP_SUMMARY": str(summary)},
    )  # fmt: skip
    assert process.returncode == 1, process.stderr
    texts = {name: (folder / name).read_text() for name in names}
    texts["step_summary"] = summary.read_text()
    texts["terminal"] = process.stdout
    return texts


def test_extra_tests_run_and_score_like_the_exercises_own(reports):
    result = json.loads(reports["json"])
    tests = {test["name"]: test for test in result["tests"]}
    assert tests["test_hidden_each_item_once"]["max_score"] == 3
    assert result["max_score"] == 11 + 3 + 1


def test_hidden_tests_show_name_and_status_but_no_details_to_learners(reports):
    result = json.loads(reports["json"])
    hidden = next(test for test in result["tests"] if test["name"] == "test_hidden_each_item_once")
    assert hidden["visibility"] == "hidden"
    assert hidden["status"] == "failed" and hidden["message"].startswith("hidden test")
    assert hidden["test_code"] == "" and hidden["counterexample"] is None
    for name in ("terminal", "exercism", "junit", "github", "step_summary", "html"):
        assert "[3, 4], [5, 1]" not in reports[name], f"the {name} report leaks a hidden test"


def test_gradescope_results_follow_the_autograder_spec(reports):
    document = json.loads(reports["gradescope"])
    assert {"score", "execution_time", "output", "visibility", "stdout_visibility", "tests"} <= document.keys()
    assert document["score"] == sum(test["score"] for test in document["tests"])
    for test in document["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility", "tags"} <= test.keys()
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
    hidden = next(test for test in document["tests"] if test["name"] == "test_hidden_each_item_once")
    assert hidden["visibility"] == "hidden" and "[3, 4], [5, 1]" in hidden["output"], "Gradescope itself hides it"


def test_exercism_results_follow_test_runner_interface_version_3(reports):
    document = json.loads(reports["exercism"])
    assert document["version"] == 3 and document["status"] == "fail" and document["message"] is None
    for test in document["tests"]:
        assert set(test) == {"name", "status", "message", "output", "test_code"}
        assert test["status"] in ("pass", "fail", "error")
        assert test["output"] is None or len(test["output"]) <= 500
        assert (test["message"] is None) == (test["status"] == "pass")
    visible = next(test for test in document["tests"] if test["name"] == "test_known_answers")
    assert visible["test_code"].startswith("@pytest.mark.points(2)\ndef test_known_answers(submission):")


def test_exercism_status_is_error_only_when_nothing_ran(tmp_path):
    broken = tmp_path / "knapsack.py"
    broken.write_text("def max_value(:\n")
    process = run_grade(str(KNAPSACK), "--submission", str(broken), "--format", "exercism")
    document = json.loads(process.stdout)
    assert document["status"] == "error" and document["message"].startswith("SyntaxError")


def test_junit_xml_reads_in_a_junit_parser(reports):
    xml = junitparser.JUnitXml.fromstring(reports["junit"])
    (suite,) = list(xml)
    cases = {case.name: case for case in suite}
    assert suite.tests == 9 and suite.failures == 5 and suite.errors == 0
    assert cases["test_known_answers"].result[0].message.startswith("max_value([10, 20, 30]")
    assert cases["test_item_order_does_not_matter"].is_passed
    properties = {prop.name: prop.value for prop in suite.properties()}
    assert properties["max_score"] == "15" and properties["points:test_known_answers"] == "0/2"


def test_junit_xml_is_well_formed_for_gitlab(reports):
    root = ElementTree.fromstring(reports["junit"])
    assert root.tag == "testsuites" and root[0].tag == "testsuite"
    assert all(case.get("classname") == "knapsack" for case in root.iter("testcase"))


def test_github_annotations_point_at_the_learners_file(reports):
    lines = reports["github"].splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 5
    assert all(re.match(r"::error file=[^,]*wrong_unbounded\.py,title=test_\w+ \(0/\d\)::", line) for line in errors)
    assert "%0ASmallest failing input: items=[[1], [1], 2]" in reports["github"]
    assert lines[-1].startswith("::notice title=Score::0/1 Knapsack: 4/15 (failed)")


def test_github_annotation_carries_the_line_of_a_learner_exception(tmp_path):
    submission = tmp_path / "knapsack.py"
    submission.write_text("def max_value(w, v, c):\n    return 0\n\ndef best_items(w, v, c):\n    raise KeyError(c)\n")
    process = run_grade(str(KNAPSACK), "--submission", str(submission), "--format", "github", "--max-examples", "5")
    assert f"::error file={submission},line=5,title=test_best_items_is_a_feasible_optimal_selection" in process.stdout


def test_github_step_summary_is_markdown_with_a_table_and_counterexamples(reports):
    summary = reports["step_summary"]
    assert summary.startswith("## 0/1 Knapsack: 4 / 15 (failed)")
    assert "| ❌ | `test_max_value_equals_best_subset` | 0/2 |" in summary
    assert "- `items` = `[[1], [1], 2]`" in summary


def test_show_hidden_gives_instructors_everything(tmp_path):
    result, _ = grade_json(KNAPSACK, "--submission", str(WRONG), "--extra-tests", str(HIDDEN_TESTS), "--show-hidden")
    hidden = next(test for test in result["tests"] if test["name"] == "test_hidden_each_item_once")
    assert "[3, 4], [5, 1]" in hidden["message"]


def test_performance_section_shows_measured_figures_in_every_format(tmp_path):
    submission = TEST_EXERCISES.parent / "solutions" / "normalize_rows" / "normalize_rows.py"
    names = ["json", "html", "gradescope", "junit"]
    process = run_grade(
        str(TEST_EXERCISES / "normalize_rows"), "--submission", str(submission),
        *(option for name in names for option in ("--report", f"{name}:{tmp_path / name}")),
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    reports = {name: (tmp_path / name).read_text() for name in names}
    result = json.loads(reports["json"])
    (row,) = result["performance"]
    assert row["case"] == "512 × 512, float32, CPU" and row["unit"] == "GB/s"
    assert row["submission"] > 0 and row["baseline"] > 0 and result["performance_skipped"] == ""
    assert GradingResult.from_dict(result).performance[0].ratio == pytest.approx(row["submission"] / row["baseline"])
    assert "Performance (informational" in process.stdout and "torch.nn.functional.normalize" in process.stdout
    assert 'id="performance-heading"' in reports["html"] and "GB/s" in reports["html"]
    gradescope = json.loads(reports["gradescope"])
    assert "Performance (informational" in gradescope["output"] and "GB/s" in gradescope["output"]
    assert gradescope["leaderboard"] == [
        {"name": "512 × 512, float32, CPU (GB/s)", "value": round(row["submission"], 4)}
    ]
    properties = {
        prop.get("name"): prop.get("value") for prop in ElementTree.fromstring(reports["junit"]).iter("property")
    }
    figures = properties["performance:512 × 512, float32, CPU vs torch.nn.functional.normalize"]
    assert figures.startswith(f"{row['submission']:.3g} GB/s, baseline {row['baseline']:.3g} GB/s, ratio ")


def test_performance_section_says_why_nothing_was_measured():
    result = GradingResult(
        exercise="flash_attention",
        title="FlashAttention",
        submission="flash_attention.py",
        score=1,
        max_score=1,
        status=Status.PASSED,
        seed=0,
        command="grade exercises/flash_attention",
        duration_s=1.0,
        performance_skipped="no CUDA GPU here",
    )
    assert "Performance: not measured (no CUDA GPU here)" in click.unstyle(formats.render("terminal", result))
    assert "Not measured: no CUDA GPU here" in formats.render("html", result)
    gradescope = json.loads(formats.render("gradescope", result))
    assert "Performance: not measured (no CUDA GPU here)" in gradescope["output"] and "leaderboard" not in gradescope


def test_a_counterexample_is_called_smallest_only_where_the_test_shrinks(tmp_path):
    (tmp_path / "test_unshrunk.py").write_text(
        "from hypothesis import Phase, given, settings, strategies as st\n\n"
        "@settings(phases=[Phase.generate], max_examples=20)\n"
        "@given(capacity=st.integers(2, 50))\n"
        "def test_one_item_is_taken_once(submission, capacity):\n"
        "    assert submission.max_value([1], [1], capacity) == 1, 'the item was taken more than once'\n"
    )
    common = ("--submission", str(WRONG), "--extra-tests", str(tmp_path))
    tests = {test["name"]: test for test in grade_json(KNAPSACK, *common)[0]["tests"]}
    unshrunk, shrunk = tests["test_one_item_is_taken_once"], tests["test_max_value_equals_best_subset"]
    assert unshrunk["counterexample"] and unshrunk["counterexample_shrunk"] is False
    assert shrunk["counterexample"] and shrunk["counterexample_shrunk"] is True
    terminal = click.unstyle(run_grade(str(KNAPSACK), *common, "-v", env={**os.environ, "NO_COLOR": "1"}).stdout)
    section = terminal[terminal.index("── test_one_item_is_taken_once") :]
    assert "failing input (the first found: this test does not shrink its inputs):" in section.split("──")[1]
    assert "smallest failing input:" in terminal[terminal.index("── test_max_value_equals_best_subset") :]

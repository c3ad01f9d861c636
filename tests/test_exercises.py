"""Every exercise: the reference scores full marks, the stub scores 0, every
realistic wrong answer under tests/submissions loses points on the tests it
should, and every alternative correct answer scores full marks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import EXERCISES, SOLUTIONS, TEST_EXERCISES, grade_json

from grader.exercise import all_exercises

EXERCISE_NAMES = [exercise.name for exercise in all_exercises(EXERCISES)]
SUBMISSIONS = sorted((Path(__file__).parent / "submissions").glob("*/*.py"))


def expected_failures(submission: Path) -> set[str]:
    """The ``EXPECTED_TO_FAIL`` tuple a wrong (or correct) submission declares."""
    for node in ast.parse(submission.read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EXPECTED_TO_FAIL":
            return set(ast.literal_eval(node.value))
    raise AssertionError(f"{submission} does not declare EXPECTED_TO_FAIL")


@pytest.mark.parametrize("name", EXERCISE_NAMES)
def test_reference_solution_scores_full_marks(name):
    result, exit_status = grade_json(EXERCISES / name, "--submission", str(SOLUTIONS / name / f"{name}.py"))
    failed = {test["name"]: test["message"] for test in result["tests"] if test["status"] != "passed"}
    assert failed == {}
    assert result["score"] == result["max_score"] > 0
    assert (result["status"], exit_status) == ("passed", 0)


@pytest.mark.parametrize("name", EXERCISE_NAMES)
def test_untouched_stub_scores_zero_with_not_implemented_messages(name):
    result, exit_status = grade_json(EXERCISES / name)
    assert (result["score"], result["status"], exit_status) == (0, "failed", 1)
    for test in result["tests"]:
        assert "not implemented" in test["message"], test


def test_every_exercise_has_wrong_answers_to_kill():
    covered = {submission.parent.name for submission in SUBMISSIONS if submission.name.startswith("wrong_")}
    assert set(EXERCISE_NAMES) <= covered


@pytest.mark.parametrize("submission", SUBMISSIONS, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_known_submission_scores_as_declared(submission):
    must_fail = expected_failures(submission)
    result, _ = grade_json(EXERCISES / submission.parent.name, "--submission", str(submission))
    failed = {test["name"] for test in result["tests"] if test["status"] != "passed"}
    if submission.name.startswith("correct_"):
        assert failed == set(), f"a correct solution failed: {failed}"
        assert result["score"] == result["max_score"]
    else:
        assert must_fail, "a wrong submission must name the tests it fails"
        assert must_fail <= failed, f"{sorted(must_fail - failed)} passed for a wrong answer"
        assert result["score"] < result["max_score"]


def test_torch_exercise_kept_under_tests_grades_reference_and_stub():
    exercise = TEST_EXERCISES / "normalize_rows"
    reference = exercise.parent.parent / "solutions" / "normalize_rows" / "normalize_rows.py"
    result, exit_status = grade_json(exercise, "--submission", str(reference))
    assert (result["score"], result["max_score"], exit_status) == (3, 3, 0)
    result, exit_status = grade_json(exercise)
    assert (result["score"], exit_status) == (0, 1)

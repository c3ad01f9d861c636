"""Every exercise: the reference scores full marks, the stub scores 0 with a
"not implemented" message on every test, every realistic wrong answer under
tests/submissions loses points on the tests it names, and every alternative
correct answer scores full marks.

Each exercise's submissions are graded in one `grade batch` run, so a torch
exercise imports torch once rather than once per submission.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
from conftest import EXERCISES, SOLUTIONS, SUITE_JOBS, SUITE_MAX_EXAMPLES, TEST_EXERCISES, run_grade

from grader.exercise import Exercise, all_exercises

SUBMISSIONS = Path(__file__).parent / "submissions"
LOAD_PROBLEMS: list[str] = []
EXERCISE_LIST = all_exercises(EXERCISES, problems=LOAD_PROBLEMS)
CASES = [
    *((exercise.path, SOLUTIONS / exercise.name) for exercise in EXERCISE_LIST),
    (TEST_EXERCISES / "normalize_rows", TEST_EXERCISES.parent / "solutions" / "normalize_rows"),
]


def expected_failures(submission: Path) -> set[str]:
    """The ``EXPECTED_TO_FAIL`` tuple a wrong (or correct) submission declares."""
    for node in ast.parse(submission.read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EXPECTED_TO_FAIL":
            return set(ast.literal_eval(node.value))
    raise AssertionError(f"{submission} does not declare EXPECTED_TO_FAIL")


def grade_class(exercise: Exercise, solution_dir: Path, folder: Path) -> dict[str, dict]:
    """The reference, the stub and every kept submission of ``exercise``, graded in one batch."""
    folder.mkdir()
    shutil.copy(solution_dir / f"{exercise.module}.py", folder / "reference.py")
    shutil.copy(exercise.stub_file, folder / "stub.py")
    for submission in sorted((SUBMISSIONS / exercise.name).glob("*.py")):
        shutil.copy(submission, folder / submission.name)
    output = folder.parent / "gradebook"
    process = run_grade(
        "batch", str(folder), "--exercise", str(exercise.path), "--output-dir", str(output),
        "-j", SUITE_JOBS, "--max-examples", SUITE_MAX_EXAMPLES, timeout=900,
    )  # fmt: skip
    assert process.returncode == 0, process.stderr
    records = map(json.loads, (output / "results.jsonl").read_text().splitlines())
    return {record["student"]: record["result"] for record in records}


def failing(result: dict) -> dict[str, str]:
    """Tests that lost points; a skipped test (bfloat16 in Triton's interpreter, speed
    without a GPU) ran nowhere and counts neither way."""
    return {test["name"]: test["message"][:200] for test in result["tests"] if test["status"] in ("failed", "error")}


@pytest.mark.parametrize("exercise_dir, solution_dir", CASES, ids=[case[0].name for case in CASES])
def test_exercise_grades_reference_stub_and_known_submissions_as_declared(exercise_dir, solution_dir, tmp_path):
    exercise = Exercise.load(exercise_dir)
    results = grade_class(exercise, solution_dir, tmp_path / "submissions")
    problems = []

    reference = results.pop("reference")
    if reference["status"] != "passed" or not reference["max_score"]:
        problems.append(f"the reference does not get full marks: {failing(reference)}")
    stub = results.pop("stub")
    if stub["score"] != 0 or stub["status"] != "failed":
        problems.append(f"the stub scores {stub['score']} ({stub['status']})")
    problems += [
        f"stub: {test['name']} does not say 'not implemented': {test['message'][:120]}"
        for test in stub["tests"]
        if test["status"] != "skipped" and "not implemented" not in test["message"]
    ]
    for student, result in sorted(results.items()):
        must_fail = expected_failures(SUBMISSIONS / exercise.name / f"{student}.py")
        failed = set(failing(result))
        if student.startswith("correct_") and failed:
            problems.append(f"{student} is correct but failed {failing(result)}")
        elif student.startswith("wrong_"):
            if not must_fail:
                problems.append(f"{student} must name the tests it fails (EXPECTED_TO_FAIL)")
            if must_fail - failed:
                problems.append(f"{student} passed {sorted(must_fail - failed)}, which a wrong answer must fail")
            if result["score"] >= result["max_score"]:
                problems.append(f"{student} got full marks")
    assert not problems, "\n".join(problems)


def test_every_exercise_folder_loads():
    assert not LOAD_PROBLEMS, "\n".join(LOAD_PROBLEMS)


@pytest.mark.parametrize("exercise", EXERCISE_LIST, ids=lambda exercise: exercise.name)
def test_exercise_keeps_realistic_wrong_answers_and_an_alternative_correct_one(exercise):
    kept = {path.name.split("_")[0] for path in (SUBMISSIONS / exercise.name).glob("*.py")}
    wrong = list((SUBMISSIONS / exercise.name).glob("wrong_*.py"))
    assert len(wrong) >= 2, f"{exercise.name} keeps {len(wrong)} wrong answers; at least two are needed"
    assert "correct" in kept, f"{exercise.name} keeps no correct_*.py written differently from the reference"

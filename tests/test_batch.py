"""Batch grading: a class of submissions, some hostile, into a complete gradebook."""

from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path

import nbformat
import pytest
from conftest import EXERCISES, REPO, SOLUTIONS, run_grade

REFERENCE = (SOLUTIONS / "knapsack" / "knapsack.py").read_text()
WRONG = sorted((REPO / "tests" / "submissions" / "knapsack").glob("wrong_*.py"))


def hostile(body: str, header: str = "") -> str:
    body = textwrap.indent(textwrap.dedent(body), "    ")
    return f"{textwrap.dedent(header)}\ndef max_value(weights, values, capacity):\n{body}\n\nbest_items = max_value\n"


HOSTILE = {
    "hang": hostile("while True:\n    pass"),
    "crash": hostile("ctypes.string_at(0)", header="import ctypes"),
    "fork_bomb": hostile("while True:\n    os.fork()", header="import os"),
    "fork_bomb_low_level": hostile(
        "import _posixsubprocess\nwhile True:\n    _posixsubprocess.fork_exec()", header="import os"
    ),
    "huge_output": hostile("while True:\n    print('x' * 10**6)"),
    "exit_at_import": hostile("return 0", header="import sys\nsys.exit(3)"),
    "syntax_error": "def max_value(:\n",
}


def make_class(folder: Path, size: int = 50) -> dict[str, str]:
    """``size`` submissions: hostile ones, wrong ones, a notebook, a folder, and references. Returns student -> kind."""
    folder.mkdir()
    kinds = {}
    for name, source in HOSTILE.items():
        (folder / f"{name}.py").write_text(source)
        kinds[name] = "hostile"
    for path in WRONG:
        (folder / f"{path.stem}.py").write_text(path.read_text())
        kinds[path.stem] = "wrong"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(REFERENCE)])
    nbformat.write(notebook, folder / "notebook_student.ipynb")
    (folder / "folder_student").mkdir()
    (folder / "folder_student" / "knapsack.py").write_text(REFERENCE)
    kinds["notebook_student"] = kinds["folder_student"] = "correct"
    for number in range(size - len(kinds)):
        (folder / f"student_{number:02d}.py").write_text(REFERENCE)
        kinds[f"student_{number:02d}"] = "correct"
    return kinds


def batch(submissions: Path, output: Path, *args: str):
    process = run_grade(
        "batch", str(submissions), "--exercise", str(EXERCISES / "knapsack"), "--output-dir", str(output),
        "--max-examples", "10", "--timeout", "1", "-j", "2", *args, timeout=600,
    )  # fmt: skip
    assert process.returncode == 0, process.stderr
    return process


def results(output: Path) -> dict[str, dict]:
    lines = (output / "results.jsonl").read_text().splitlines()
    return {record["student"]: record["result"] for record in map(json.loads, lines)}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    kinds = make_class(root / "submissions")
    process = batch(root / "submissions", root / "gradebook")
    return root, kinds, process


def test_every_student_gets_a_result_despite_hangs_crashes_and_fork_bombs(graded_class):
    root, kinds, _ = graded_class
    graded = results(root / "gradebook")
    assert set(graded) == set(kinds)
    for student, kind in kinds.items():
        result = graded[student]
        if kind == "correct":
            assert result["status"] == "passed", (student, result["message"])
        else:
            assert result["score"] < 11, student
    messages = {student: " ".join(test["message"] for test in graded[student]["tests"]) for student in HOSTILE}
    assert "timed out after 1 s" in messages["hang"]
    assert "killed by signal SIGSEGV" in messages["crash"]
    assert "does not allow forking the process" in messages["fork_bomb"]
    assert "does not allow starting a process" in messages["fork_bomb_low_level"]
    assert graded["exit_at_import"]["status"] == "error" and graded["syntax_error"]["status"] == "error"


def test_gradebook_csv_and_html_and_reports_are_complete(graded_class):
    root, kinds, process = graded_class
    with open(root / "gradebook" / "gradebook.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert {row["student"] for row in rows} == set(kinds)
    assert "test_known_answers" in rows[0]
    page = (root / "gradebook" / "gradebook.html").read_text()
    assert "reports/hang.html" in page
    assert all((root / "gradebook" / "reports" / f"{student}.html").is_file() for student in kinds)
    assert f"{len(kinds)} graded" in process.stdout


def test_resume_grades_only_what_is_missing(tmp_path, graded_class):
    root, kinds, _ = graded_class
    output = tmp_path / "gradebook"
    output.mkdir()
    lines = (root / "gradebook" / "results.jsonl").read_text().splitlines()
    kept = [json.loads(line) for line in lines[:45]]
    for record in kept:
        record["result"]["command"] = "graded before the interruption"
    # An interrupted run: 45 results, then half a line.
    (output / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in kept) + lines[45][:40])
    process = batch(root / "submissions", output, "--resume")
    assert "Grading 5 submissions" in process.stderr
    resumed = results(output)
    assert set(resumed) == set(kinds)
    assert sum(result["command"] == "graded before the interruption" for result in resumed.values()) == 45


def test_shards_merge_into_the_same_gradebook(tmp_path, graded_class):
    root, kinds, _ = graded_class
    small = tmp_path / "submissions"
    small.mkdir()
    for name in ["hang", "crash", "student_00", "student_01", "wrong_unbounded"]:
        source = root / "submissions" / f"{name}.py"
        (small / source.name).write_text(source.read_text())
    batch(small, tmp_path / "shard1", "--shard", "1/2")
    batch(small, tmp_path / "shard2", "--shard", "2/2")
    first, second = results(tmp_path / "shard1"), results(tmp_path / "shard2")
    assert not set(first) & set(second) and len(first) + len(second) == 5
    process = run_grade("merge", str(tmp_path / "shard1" / "results.jsonl"), str(tmp_path / "shard2" / "results.jsonl"),
                        "--output-dir", str(tmp_path / "merged"))  # fmt: skip
    assert process.returncode == 0, process.stderr
    merged = results(tmp_path / "merged")
    full = results(root / "gradebook")
    assert {student: result["score"] for student, result in merged.items()} == {
        student: full[student]["score"] for student in merged
    }
    assert (tmp_path / "merged" / "gradebook.html").is_file()


def test_a_class_timed_in_parallel_is_told_and_the_gradebook_ranks_speed(tmp_path, graded_class):
    _, _, knapsack_run = graded_class
    assert "measures speed" not in knapsack_run.stderr
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    reference = (REPO / "tests" / "solutions" / "normalize_rows" / "normalize_rows.py").read_text()
    for student in ("ada", "grace"):
        (submissions / f"{student}.py").write_text(reference)
    exercise = str(REPO / "tests" / "exercises" / "normalize_rows")
    for jobs, told in (("2", True), ("1", False)):
        output = tmp_path / f"gradebook-{jobs}"
        process = run_grade("batch", str(submissions), "--exercise", exercise, "--output-dir", str(output), "-j", jobs)
        assert process.returncode == 0, process.stderr
        assert ("normalize_rows measures speed, and 2 submissions grade at once" in process.stderr) == told
    rows = list(csv.DictReader((output / "gradebook.csv").open()))
    assert all(float(row["512 × 512, float32, CPU (GB/s)"]) > 0 for row in rows)

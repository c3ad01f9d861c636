"""Submissions that cannot be graded as code: a clear message, a score of 0,
exit status 1, and never a traceback from the grader. A path that does not
exist is a usage error (exit status 2)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
import pytest
from conftest import EXERCISES, SOLUTIONS, grade_json, run_grade

KNAPSACK = EXERCISES / "knapsack"
REFERENCE = (SOLUTIONS / "knapsack" / "knapsack.py").read_text()


def grade_source(tmp_path: Path, source: str, name: str = "knapsack.py") -> dict:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    result, exit_status = grade_json(KNAPSACK, "--submission", str(path), cwd=tmp_path)
    assert (result["score"], exit_status) == (0, 1)
    assert "Traceback (most recent call last)" not in result["message"]
    return result


def test_syntax_error_names_file_line_and_offending_line(tmp_path):
    result = grade_source(tmp_path, "def max_value(weights values, capacity):\n    return 0\n")
    assert result["status"] == "error"
    assert result["message"].startswith(
        "SyntaxError in knapsack.py, line 1: `def max_value(weights values, capacity):`"
    )
    assert {test["status"] for test in result["tests"]} == {"error"}
    assert result["tests"][0]["location"] == {"file": "knapsack.py", "line": 1}


def test_missing_entry_point_is_named(tmp_path):
    result = grade_source(tmp_path, "def max_value(weights, values, capacity):\n    return 0\n")
    assert result["message"] == "`best_items` is not defined in knapsack.py"


def test_entry_point_that_is_not_callable(tmp_path):
    result = grade_source(tmp_path, REFERENCE + "\nbest_items = 3\n")
    assert result["message"] == "`best_items` in knapsack.py is a int, not a function"


def test_import_error_in_learner_code_shows_the_learners_line(tmp_path):
    result = grade_source(tmp_path, "import numpy_but_misspelled\n" + REFERENCE)
    assert result["message"] == (
        "importing knapsack.py raised ModuleNotFoundError: No module named 'numpy_but_misspelled'"
    )
    assert "knapsack.py, line 1, in <module>" in result["tests"][0]["traceback"]


def test_invalid_notebook_json(tmp_path):
    result = grade_source(tmp_path, '{"cells": [', name="solution.ipynb")
    assert result["message"].startswith("solution.ipynb is not a valid Jupyter notebook")


def test_not_utf8_text(tmp_path):
    path = tmp_path / "knapsack.py"
    path.write_bytes(b"# \xff\xfe\n")
    result, exit_status = grade_json(KNAPSACK, "--submission", str(path), cwd=tmp_path)
    assert (result["status"], exit_status) == ("error", 1)
    assert "is not UTF-8 text" in result["message"]


def test_missing_submission_path_is_a_usage_error(tmp_path):
    process = run_grade(str(KNAPSACK), "--submission", str(tmp_path / "nowhere.py"))
    assert process.returncode == 2
    assert "does not exist" in process.stderr
    assert "Traceback" not in process.stderr


def test_missing_exercise_is_a_usage_error():
    process = run_grade("exercises/no_such_exercise")
    assert process.returncode == 2
    assert "no exercise at 'exercises/no_such_exercise'" in process.stderr


def test_folder_with_two_notebooks_asks_which(tmp_path):
    for name in ("a.ipynb", "b.ipynb"):
        nbformat.write(nbformat.v4.new_notebook(), tmp_path / name)
    process = run_grade(str(KNAPSACK), "--submission", str(tmp_path))
    assert process.returncode == 2
    assert "several notebooks (a.ipynb, b.ipynb)" in process.stderr


@pytest.mark.parametrize("kind", ["module", "notebook"])
def test_folder_submission_finds_the_module_or_its_one_notebook(tmp_path, kind):
    if kind == "module":
        (tmp_path / "knapsack.py").write_text(REFERENCE)
    else:
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(REFERENCE)])
        nbformat.write(notebook, tmp_path / "work.ipynb")
    result, exit_status = grade_json(KNAPSACK, "--submission", str(tmp_path))
    assert (result["status"], exit_status) == ("passed", 0)

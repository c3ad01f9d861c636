"""A notebook is graded like the same code in a .py file; IPython-only lines
are dropped with a note, and errors point at the cell and line."""

from __future__ import annotations

import nbformat
from conftest import EXERCISES, SOLUTIONS, grade_json

KNAPSACK = EXERCISES / "knapsack"
REFERENCE = (SOLUTIONS / "knapsack" / "knapsack.py").read_text()
WRONG = (EXERCISES.parent / "tests" / "submissions" / "knapsack" / "wrong_unbounded.py").read_text()


def notebook_of(source: str, path):
    """``source`` split over two code cells, with markdown, a magic, a shell line and a %%bash cell around it."""
    first, second = source.split("\ndef best_items", 1)
    cells = [
        nbformat.v4.new_markdown_cell("# My knapsack"),
        nbformat.v4.new_code_cell("%matplotlib inline\n!pip list\n" + first),
        nbformat.v4.new_code_cell("%%bash\necho this is not Python"),
        nbformat.v4.new_code_cell("def best_items" + second),
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def comparable(result: dict) -> list[tuple]:
    return [(t["name"], t["status"], t["score"], t["message"], t["counterexample"]) for t in result["tests"]]


def test_notebook_grades_like_the_same_code_in_a_py_file(tmp_path):
    (tmp_path / "wrong.py").write_text(WRONG)
    from_file, _ = grade_json(KNAPSACK, "--submission", str(tmp_path / "wrong.py"))
    from_notebook, _ = grade_json(KNAPSACK, "--submission", str(notebook_of(WRONG, tmp_path / "wrong.ipynb")))
    assert comparable(from_notebook) == comparable(from_file)
    assert from_notebook["score"] == from_file["score"] < from_file["max_score"]


def test_reference_in_a_notebook_scores_full_marks_and_notes_dropped_lines(tmp_path):
    result, exit_status = grade_json(KNAPSACK, "--submission", str(notebook_of(REFERENCE, tmp_path / "nb.ipynb")))
    assert (result["status"], exit_status) == ("passed", 0)
    notes = "\n".join(result["notes"])
    assert "cell 2, line 1: dropped IPython line `%matplotlib inline`" in notes
    assert "cell 2, line 2: dropped IPython line `!pip list`" in notes
    assert "cell 3: dropped the cell magic `%%bash`" in notes


def test_errors_point_at_notebook_cell_and_line(tmp_path):
    cells = [
        nbformat.v4.new_markdown_cell("intro"),
        nbformat.v4.new_code_cell("def max_value(weights, values, capacity):\n    return 0"),
        nbformat.v4.new_code_cell(
            "def best_items(weights, values, capacity):\n    x = 1\n    raise ValueError('oops')"
        ),
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    result, _ = grade_json(KNAPSACK, "--submission", str(path), cwd=tmp_path)
    failing = next(
        test for test in result["tests"] if test["name"] == "test_best_items_is_a_feasible_optimal_selection"
    )
    assert failing["message"] == "`best_items` raised ValueError: oops"
    assert "nb.ipynb, cell 3, line 3, in best_items\n    raise ValueError('oops')" in failing["traceback"]


def test_a_future_import_in_a_later_cell_holds_for_the_notebook_as_in_jupyter(tmp_path):
    # Jupyter compiles each cell alone, so `from __future__` may open any cell; joined, the
    # cells would be a SyntaxError. Without the import, the annotation below is a NameError.
    first, second = REFERENCE.removeprefix("from __future__ import annotations\n").split("\ndef best_items", 1)
    later = "from __future__ import annotations  # lazy annotations\n\ndef best_items" + second
    later = later.replace("def best_items(", "def helper(x: NotDefinedAnywhere) -> None: ...\n\ndef best_items(", 1)
    cells = [
        nbformat.v4.new_code_cell("import math"),
        nbformat.v4.new_code_cell(first),
        nbformat.v4.new_code_cell(later),
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    result, exit_status = grade_json(KNAPSACK, "--submission", str(path))
    assert (result["status"], exit_status) == ("passed", 0), result["message"]


def test_an_unknown_future_feature_is_the_learners_syntax_error(tmp_path):
    cells = [nbformat.v4.new_code_cell("import math"), nbformat.v4.new_code_cell("from __future__ import braces")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    result, _ = grade_json(KNAPSACK, "--submission", str(path), cwd=tmp_path)
    assert result["status"] == "error" and "nb.ipynb, cell 2, line 1" in result["message"], result["message"]

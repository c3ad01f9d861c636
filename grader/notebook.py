"""An exercise as a Jupyter notebook: the statement, the stub, and how to grade it."""

from __future__ import annotations

from pathlib import Path

from grader.exercise import Exercise
from grader.submission import display_path


def exercise_notebook(exercise: Exercise, notebook_path: Path):
    """An nbformat v4 notebook; ``notebook_path`` is where it will be saved (for the grading command)."""
    import nbformat

    command = f"grade {display_path(exercise.path)} --submission {display_path(notebook_path)}"
    cells = [
        nbformat.v4.new_markdown_cell(exercise.statement_file.read_text(encoding="utf-8")),
        nbformat.v4.new_code_cell(exercise.stub_file.read_text(encoding="utf-8").rstrip()),
        nbformat.v4.new_markdown_cell(
            "## Grading\n\n"
            "Write your code in the cell above (more cells are fine; they run in order, and IPython "
            "magics and `!` lines are left out of grading). Save the notebook, then in a terminal run:\n\n"
            f"```bash\n{command}\n```"
        ),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook

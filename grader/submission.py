"""Reading a learner's submission: a ``.py`` file, a notebook, or a folder with one.

Nothing here executes learner code: the source is read and compiled (which
only parses) so that a syntax error is reported without starting a worker.
"""

from __future__ import annotations
import __future__

import bisect
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.errors import SubmissionNotFound


@dataclass(frozen=True)
class Submission:
    path: Path  # the file the learner wrote (.py or .ipynb)
    source: str  # Python source, for a notebook its code cells joined
    display_name: str  # how messages name the file
    cell_starts: tuple[int, ...] = ()  # notebook only: first source line of each code cell
    cell_numbers: tuple[int, ...] = ()  # notebook only: the cell's position in the notebook (1-based)
    notes: tuple[str, ...] = ()
    load_error: str = ""  # set when the file cannot be loaded at all (syntax, notebook format)
    load_error_location: dict | None = field(default=None)
    # Notebook only: `from __future__` imports found in any cell. Jupyter compiles cell by
    # cell and keeps their effect for later cells; in the joined source they could not
    # stand where they were, so they are compiler flags instead (see `compiler_flags`).
    future_features: tuple[str, ...] = ()

    def describe_line(self, line: int) -> str:
        """``knapsack.py, line 3`` or ``solution.ipynb, cell 4, line 2``."""
        return describe_line(self.display_name, self.cell_starts, self.cell_numbers, line)


def compiler_flags(future_features: tuple[str, ...]) -> int:
    """The ``compile`` flags of these ``__future__`` features."""
    flags = 0
    for name in future_features:
        flags |= getattr(__future__, name).compiler_flag
    return flags


def describe_line(display_name: str, cell_starts: tuple[int, ...], cell_numbers: tuple[int, ...], line: int) -> str:
    if not cell_starts:
        return f"{display_name}, line {line}"
    index = max(bisect.bisect_right(cell_starts, line) - 1, 0)
    return f"{display_name}, cell {cell_numbers[index]}, line {line - cell_starts[index] + 1}"


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is below it."""
    absolute = Path(path).resolve()
    try:
        return str(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(absolute)


def load_submission(path: Path, module: str) -> Submission:
    """Read ``path`` (a .py file, a notebook, or a folder holding ``<module>.py`` or one notebook)."""
    path = Path(path)
    if not path.exists():
        raise SubmissionNotFound(f"submission {path} does not exist")
    if path.is_dir():
        path = _file_in_folder(path, module)
    if path.suffix == ".ipynb":
        submission = _read_notebook(path)
    else:
        try:
            source = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            return Submission(
                path, "", display_path(path), load_error=f"{display_path(path)} is not UTF-8 text: {error}"
            )
        submission = Submission(path, source, display_path(path))
    if submission.load_error:
        return submission
    return _checked_syntax(submission)


def _file_in_folder(folder: Path, module: str) -> Path:
    module_file = folder / f"{module}.py"
    if module_file.is_file():
        return module_file
    notebooks = sorted(folder.glob("*.ipynb"))
    if len(notebooks) == 1:
        return notebooks[0]
    if notebooks:
        names = ", ".join(notebook.name for notebook in notebooks)
        raise SubmissionNotFound(f"{folder} holds several notebooks ({names}); pass the one to grade")
    raise SubmissionNotFound(f"{folder} holds neither {module}.py nor a notebook")


def _read_notebook(path: Path) -> Submission:
    import nbformat  # only notebook submissions pay for it

    name = display_path(path)
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # noqa: BLE001 - nbformat raises several unrelated types for bad files
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return Submission(path, "", name, load_error=f"{name} is not a valid Jupyter notebook: {reason}")
    lines: list[str] = []
    cell_starts: list[int] = []
    cell_numbers: list[int] = []
    notes: list[str] = []
    future_features: set[str] = set()
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        cell_lines = cell.source.splitlines()
        if cell_lines and cell_lines[0].lstrip().startswith("%%"):
            notes.append(f"{name}, cell {number}: dropped the cell magic `{cell_lines[0].strip()}` and its cell")
            continue
        cell_starts.append(len(lines) + 1)
        cell_numbers.append(number)
        for line_number, line in enumerate(cell_lines, start=1):
            if line.lstrip().startswith(("%", "!")):
                notes.append(f"{name}, cell {number}, line {line_number}: dropped IPython line `{line.strip()}`")
                line = ""  # keep the numbering of the lines after it
            elif features := _future_import(line):
                future_features.update(features)
                line = ""  # a compiler flag now (Submission.future_features)
            lines.append(line)
        lines.append("")
    return Submission(
        path,
        "\n".join(lines),
        name,
        tuple(cell_starts),
        tuple(cell_numbers),
        tuple(notes),
        future_features=tuple(sorted(future_features)),
    )


_FUTURE_IMPORT = re.compile(r"from\s+__future__\s+import\s+([\w\s,]+?)\s*(#.*)?")


def _future_import(line: str) -> list[str]:
    """The features a one-line ``from __future__ import a, b`` names, if every one
    exists; otherwise nothing, and the line stays for compile to report."""
    match = _FUTURE_IMPORT.fullmatch(line)
    if not match:
        return []
    names = [name.strip() for name in match.group(1).split(",")]
    return names if all(name in __future__.all_feature_names for name in names) else []


def _checked_syntax(submission: Submission) -> Submission:
    try:
        flags = compiler_flags(submission.future_features)
        compile(submission.source, submission.display_name, "exec", flags=flags, dont_inherit=True)
    except SyntaxError as error:
        line = error.lineno or 1
        where = submission.describe_line(line)
        text = (error.text or "").strip()
        shown = f": `{text}`" if text else ""
        message = f"SyntaxError in {where}{shown}: {error.msg}"
        location = {"file": submission.display_name, "line": line}
        return replace(submission, load_error=message, load_error_location=location)
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, absurd nesting
        return replace(submission, load_error=f"{submission.display_name} cannot be compiled: {error}")
    return submission

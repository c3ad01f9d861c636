"""The stub as the project shipped it, for ``grade reset``.

The learner edits the stub in place, and may commit their work, so the
pristine stub is the newest committed version of the file in which every
entry point still only raises ``NotImplementedError``.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

from grader.errors import GraderError
from grader.exercise import Exercise


def pristine_stub(exercise: Exercise) -> str:
    root = Path(_git(exercise.path, "rev-parse", "--show-toplevel").strip())
    relative = exercise.stub_file.resolve().relative_to(root.resolve()).as_posix()
    for commit in _git(root, "log", "--format=%H", "--", relative).split():
        source = _git(root, "show", f"{commit}:{relative}")
        if is_stub(source, exercise.entry_points):
            return source
    raise GraderError(f"no committed version of {relative} is the untouched stub")


def is_stub(source: str, entry_points: tuple[str, ...]) -> bool:
    """Every entry point is defined and its body (docstring aside) is ``raise NotImplementedError``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    for name in entry_points:
        if name not in functions:
            return False
        body = functions[name].body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        if len(body) != 1 or not isinstance(body[0], ast.Raise):
            return False
        raised = body[0].exc
        raised = raised.func if isinstance(raised, ast.Call) else raised
        if not (isinstance(raised, ast.Name) and raised.id == "NotImplementedError"):
            return False
    return True


def _git(folder: Path, *args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        raise GraderError("`grade reset` needs git, to find the stub as the project shipped it") from None
    except subprocess.CalledProcessError as error:
        raise GraderError(f"`grade reset` needs a git checkout of the exercises: {error.stderr.strip()}") from None

"""A learner practising alone: progress, watch, notebooks, hints, reset, statements."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from conftest import EXERCISES, REPO, SOLUTIONS, grade_json

from grader.cli import main
from grader.exercise import Exercise
from grader.grading import grade
from grader.watch import watch

REFERENCE = (SOLUTIONS / "knapsack" / "knapsack.py").read_text()
WRONG = (REPO / "tests" / "submissions" / "knapsack" / "wrong_unbounded.py").read_text()


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """A learner's working copy: a copy of exercises/ and solutions/, in git, as the current directory."""
    shutil.copytree(EXERCISES, tmp_path / "exercises")
    shutil.copytree(SOLUTIONS, tmp_path / "solutions")
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", *command], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def progress_of(workspace: Path) -> dict:
    return json.loads((workspace / ".grade" / "progress.json").read_text())["exercises"]


def test_grading_your_own_stub_records_progress_and_others_do_not(workspace):
    stub = workspace / "exercises" / "knapsack" / "knapsack.py"
    stub.write_text(WRONG)
    assert invoke("exercises/knapsack", "--max-examples", "10").exit_code == 1
    stub.write_text(REFERENCE)
    assert invoke("exercises/knapsack", "--max-examples", "10").exit_code == 0
    stub.write_text(WRONG)
    assert invoke("exercises/knapsack", "--max-examples", "10").exit_code == 1
    entry = progress_of(workspace)["knapsack"]
    assert (entry["runs"], entry["best_score"], entry["last_score"], entry["passed"]) == (3, 11, 3, True)
    invoke("exercises/knapsack", "--submission", str(SOLUTIONS / "knapsack" / "knapsack.py"), "--max-examples", "5")
    assert progress_of(workspace)["knapsack"]["runs"] == 3, "someone else's file is not the learner's progress"


def test_progress_table_lists_every_exercise_with_totals_per_tag(workspace):
    (workspace / "exercises" / "knapsack" / "knapsack.py").write_text(REFERENCE)
    invoke("exercises/knapsack", "--max-examples", "5")
    result = invoke("progress")
    assert result.exit_code == 0
    knapsack_line = next(line for line in result.output.splitlines() if line.startswith("knapsack"))
    assert "11/11" in knapsack_line and "passed" in knapsack_line
    assert next(line for line in result.output.splitlines() if line.startswith("maximum_gap")).count("never") == 1
    assert "dynamic programming: 1/1" in result.output
    assert "Passed 1 of" in result.output


def test_a_corrupt_progress_file_is_rebuilt_not_fatal(workspace):
    (workspace / ".grade").mkdir()
    (workspace / ".grade" / "progress.json").write_text("{not json")
    result = CliRunner().invoke(main, ["exercises/knapsack", "--max-examples", "5"])
    assert result.exit_code == 1
    assert "was unreadable (JSONDecodeError) and starts afresh" in result.output
    assert progress_of(workspace)["knapsack"]["runs"] == 1


def test_hints_are_revealed_one_at_a_time(workspace):
    hints = Exercise.load(workspace / "exercises" / "knapsack").hints
    assert len(hints) >= 2
    first = invoke("hint", "knapsack").output
    assert "Hint 1/3" in first and "Hint 2/3" not in first
    second = invoke("hint", "knapsack").output
    assert "Hint 1/3" in second and "Hint 2/3" in second and hints[1] in second
    invoke("hint", "knapsack")
    assert "That was the last hint." in invoke("hint", "knapsack").output


def test_every_exercise_has_at_least_two_progressive_hints():
    for toml in sorted(EXERCISES.glob("*/exercise.toml")):
        assert len(Exercise.load(toml.parent).hints) >= 2, toml.parent.name


def test_notebook_holds_statement_stub_and_grading_command_and_grades(workspace):
    result = invoke("notebook", "knapsack", "--output", "knapsack.ipynb")
    assert result.exit_code == 0
    notebook = nbformat.read(workspace / "knapsack.ipynb", as_version=4)
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds == ["markdown", "code", "markdown"]
    assert notebook.cells[0].source.startswith("# 0/1 Knapsack")
    assert "raise NotImplementedError" in notebook.cells[1].source
    assert "grade exercises/knapsack --submission knapsack.ipynb" in notebook.cells[2].source
    notebook.cells[1].source = REFERENCE
    nbformat.write(notebook, workspace / "knapsack.ipynb")
    graded, exit_status = grade_json(
        workspace / "exercises" / "knapsack", "--submission", "knapsack.ipynb", cwd=workspace
    )
    assert (graded["status"], exit_status) == ("passed", 0)


def test_reset_refuses_without_yes_then_restores_and_keeps_a_backup(workspace):
    stub = workspace / "exercises" / "knapsack" / "knapsack.py"
    original = stub.read_text()
    stub.write_text(REFERENCE)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "my work"], check=True)
    refused = invoke("reset", "knapsack")
    assert refused.exit_code == 1 and "--yes" in refused.output
    assert stub.read_text() == REFERENCE
    done = invoke("reset", "knapsack", "--yes")
    assert done.exit_code == 0
    assert stub.read_text() == original, "the stub as shipped, though the learner committed their work"
    (backup,) = stub.parent.glob("knapsack.py.*.bak")
    assert backup.read_text() == REFERENCE
    assert "already the untouched stub" in invoke("reset", "knapsack").output


def test_show_renders_headings_and_code_blocks_and_an_html_page(workspace):
    text = invoke("show", "knapsack").output
    assert "0/1 Knapsack" in text and "# 0/1 Knapsack" not in text, "headings rendered, not raw Markdown"
    assert "def max_value(weights: list[int], values: list[int], capacity: int) -> int" in text
    assert invoke("show", "knapsack", "--html", "statement.html").exit_code == 0
    page = (workspace / "statement.html").read_text()
    assert "<h1>0/1 Knapsack</h1>" in page and "<pre><code" in page


def test_watch_grades_on_each_save_once_per_burst_and_reports_changes(workspace):
    exercise = Exercise.load(workspace / "exercises" / "knapsack")
    stub = exercise.stub_file
    stub.write_text(WRONG)
    shown: queue.Queue = queue.Queue()
    stop = threading.Event()
    gradings = []

    def grade_once():
        gradings.append(time.monotonic())
        return grade(exercise, max_examples=5)

    thread = threading.Thread(
        target=watch, args=(stub, grade_once, lambda result, changes: shown.put((result, changes)), stop)
    )
    thread.start()
    try:
        first, _ = shown.get(timeout=60)
        assert first.score < first.max_score
        for _ in range(10):  # a save storm: one grading
            stub.write_text(REFERENCE)
            time.sleep(0.02)
        second, changes = shown.get(timeout=60)
        assert second.score == second.max_score
        assert "test_max_value_equals_best_subset" in changes.newly_passing and not changes.newly_failing
        time.sleep(1.0)
        assert shown.empty() and len(gradings) == 2, "the burst of saves was graded once"
        stub.write_text(WRONG)
        third, changes = shown.get(timeout=60)
        assert "test_max_value_equals_best_subset" in changes.newly_failing
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive(), "watch stops when asked"

"""The ``grade`` command: exit statuses, formats, listing, determinism, start-up cost."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner
from conftest import EXERCISES, REPO, SOLUTIONS, grade_json, run_grade

from grader.cli import main

KNAPSACK = EXERCISES / "knapsack"
WRONG = REPO / "tests" / "submissions" / "knapsack" / "wrong_greedy_ratio.py"


def test_stub_prints_a_line_per_test_and_a_zero_score():
    process = run_grade("exercises/knapsack", "--max-examples", "10")
    assert process.returncode == 1
    lines = process.stdout.splitlines()
    assert any("0/2  test_known_answers" in line and "not implemented yet" in line for line in lines)
    assert "Score: 0/11 (failed)" in process.stdout
    assert "Reproduce: grade exercises/knapsack --seed 0" in process.stdout
    assert "\x1b[" not in process.stdout, "no colour when the output is not a terminal"


def test_reference_exits_zero_and_json_parses():
    result, exit_status = grade_json(KNAPSACK, "--submission", str(SOLUTIONS / "knapsack" / "knapsack.py"))
    assert exit_status == 0
    assert {"exercise", "score", "max_score", "status", "seed", "duration_s", "tests"} <= result.keys()
    assert {"name", "score", "max_score", "status", "message", "counterexample", "output"} <= result["tests"][0].keys()
    assert result["command"] == "grade exercises/knapsack --submission solutions/knapsack/knapsack.py --seed 0"


def test_failure_shows_the_shrunk_counterexample_as_data():
    result, exit_status = grade_json(KNAPSACK, "--submission", str(WRONG))
    assert exit_status == 1
    failing = {test["name"]: test for test in result["tests"] if test["status"] == "failed"}
    example = failing["test_max_value_equals_best_subset"]["counterexample"]
    weights, values, capacity = example["items"]
    assert len(weights) == len(values) and capacity >= 0, example


def test_output_file_receives_the_report(tmp_path):
    report = tmp_path / "result.json"
    process = run_grade(str(KNAPSACK), "--format", "json", "--output", str(report), "--max-examples", "5")
    assert process.returncode == 1 and process.stdout == ""
    assert json.loads(report.read_text())["exercise"] == "knapsack"


def test_three_runs_of_a_failing_submission_give_identical_results():
    def without_timings(result: dict) -> dict:
        result.pop("duration_s")
        for test in result["tests"]:
            test.pop("duration_s")
        return result

    runs = [without_timings(grade_json(KNAPSACK, "--submission", str(WRONG))[0]) for _ in range(3)]
    assert runs[0]["score"] < runs[0]["max_score"]
    assert runs[0] == runs[1] == runs[2]


def test_seed_changes_the_draws_and_is_recorded():
    first, _ = grade_json(KNAPSACK, "--submission", str(WRONG), "--seed", "1")
    assert first["seed"] == 1 and first["command"].endswith("--seed 1")


def test_bad_option_is_exit_status_two():
    process = run_grade("exercises/knapsack", "--format", "yaml")
    assert process.returncode == 2
    assert "Invalid value for '--format'" in process.stderr


def test_a_broken_test_stops_grading_with_the_reason(tmp_path):
    # An instructor's test with an unknown visibility makes the grader's own hook raise:
    # pytest stops with an internal error, whose reason must reach the instructor.
    (tmp_path / "test_extra.py").write_text(
        "import pytest\n\n@pytest.mark.visibility('secret')\ndef test_extra(submission):\n    pass\n"
    )
    process = run_grade(str(KNAPSACK), "--submission", str(WRONG), "--extra-tests", str(tmp_path))
    assert process.returncode == 2
    assert "pytest could not run the tests of knapsack (exit code 3)" in process.stderr
    assert "visibility must be one of" in process.stderr


def test_a_triton_exercise_says_when_its_kernels_ran_in_the_interpreter():
    from grader.devices import INTERPRETER_NOTE, kernel_device

    result, _ = grade_json(EXERCISES / "triton_softmax")  # the stub: every test fails at once
    assert (INTERPRETER_NOTE in result["notes"]) == (kernel_device() == "cpu")
    assert not grade_json(KNAPSACK)[0]["notes"], "exercises without kernels say nothing of devices"


def test_grading_announces_each_test_as_it_starts():
    from grader.exercise import Exercise
    from grader.grading import grade

    started = []
    result = grade(Exercise.load(KNAPSACK), WRONG, max_examples=5, on_test_start=lambda *seen: started.append(seen))
    count = len(result.tests)
    assert started == [(test.name, position, count) for position, test in enumerate(result.tests, start=1)]


def test_a_terminal_sees_the_running_test_on_stderr_and_the_report_never_does():
    import os
    import pty

    primary, secondary = pty.openpty()
    process = subprocess.run(
        [sys.executable, "-m", "grader", str(KNAPSACK), "--submission", str(WRONG), "--max-examples", "5"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=secondary, text=True, timeout=120,
    )  # fmt: skip
    os.close(secondary)
    terminal = b""
    while chunk := _read_available(primary):
        terminal += chunk
    os.close(primary)
    assert "running test 1/" in terminal.decode() and terminal.endswith(b"\r\x1b[2K"), terminal[-200:]
    assert "running test" not in process.stdout and "Score:" in process.stdout


def _read_available(fd: int) -> bytes:
    import os
    import select

    if not select.select([fd], [], [], 0.5)[0]:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:  # the other end is closed and everything was read
        return b""


def test_list_names_every_exercise():
    result = CliRunner().invoke(main, ["list"])
    assert result.exit_code == 0
    assert "knapsack" in result.output and "0/1 Knapsack" in result.output


def test_show_prints_the_statement():
    result = CliRunner().invoke(main, ["show", "knapsack"])
    assert result.exit_code == 0
    assert result.output.lstrip().startswith("0/1 Knapsack") and "Background" in result.output


def test_no_color_is_honoured_and_the_runner_grades_in_process(tmp_path):
    result = CliRunner().invoke(main, ["exercises/knapsack", "--max-examples", "5"], env={"NO_COLOR": "1"}, color=True)
    assert result.exit_code == 1
    assert "\x1b[" not in result.output
    assert "Score: 0/11" in result.output


def test_grading_a_non_torch_exercise_imports_no_torch(tmp_path):
    """Neither the grading process nor the worker imports torch for knapsack."""
    submission = tmp_path / "knapsack.py"
    submission.write_text(
        "import sys\n"
        "def max_value(weights, values, capacity):\n"
        "    raise ValueError('torch imported in the worker' if 'torch' in sys.modules else 'no torch')\n"
        "best_items = max_value\n"
    )
    script = (
        "import sys\n"
        "from grader.exercise import find_exercise\n"
        "from grader.grading import grade\n"
        f"result = grade(find_exercise('exercises/knapsack'), {str(submission)!r}, max_examples=5)\n"
        "print(result.tests[0].message)\n"
        "print('torch' in sys.modules)\n"
    )
    process = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    message, torch_in_grader = process.stdout.splitlines()[-2:]
    assert message == "`max_value` raised ValueError: no torch"
    assert torch_in_grader == "False"

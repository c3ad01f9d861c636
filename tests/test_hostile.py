"""Hostile submissions: each fails with a message that says what happened, while
the grader survives, reports a real result, and the files stay untouched."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import EXERCISES, TEST_EXERCISES, grade_json, run_grade, tree_digest


def write(tmp_path: Path, source: str, name: str = "submission.py") -> Path:
    path = tmp_path / name
    path.write_text(source)
    return path


def both_functions(body: str, header: str = "") -> str:
    """A knapsack submission: ``header`` at module level, then two entry points that both run ``body``."""
    body = textwrap.indent(textwrap.dedent(body), "    ")
    functions = (
        f"def max_value(weights, values, capacity):\n{body}\n\ndef best_items(weights, values, capacity):\n{body}\n"
    )
    return textwrap.dedent(header) + "\n" + functions


def grade_hostile(knapsack_copy: Path, source: str, *args: str, score: float = 0) -> dict:
    """Grade ``source``; it must score ``score`` and leave every file as it was."""
    root = knapsack_copy.parent.parent
    before = tree_digest(root / "exercises", root / "solutions")
    submission = write(root, source)
    result, exit_status = grade_json(knapsack_copy, "--submission", str(submission), *args)
    assert exit_status == 1
    passed = [test["name"] for test in result["tests"] if test["status"] == "passed"]
    assert result["score"] == score, f"passed: {passed}"
    assert tree_digest(root / "exercises", root / "solutions") == before, "the submission changed files"
    return result


@pytest.fixture(scope="module")
def constant_answer_score(tmp_path_factory) -> float:
    """What an honest submission returning -1 everywhere scores: some properties hold for a constant."""
    root = tmp_path_factory.mktemp("baseline")
    result, _ = grade_json(EXERCISES / "knapsack", "--submission", str(write(root, both_functions("return -1"))))
    return result["score"]


def messages(result: dict) -> list[str]:
    """The messages of the tests that carry points (a speed test, worth none, checks no answer)."""
    return [test["message"] for test in result["tests"] if test["max_score"] > 0]


def test_infinite_loop_times_out_and_every_test_still_runs(knapsack_copy):
    result = grade_hostile(knapsack_copy, both_functions("while True:\n    pass"), "--timeout", "0.5")
    assert len(result["tests"]) == 7
    assert all("timed out after 0.5 s" in message for message in messages(result))
    assert all(test["counterexample"] for test in result["tests"] if test["name"] != "test_known_answers")


def test_sys_exit_at_import_is_a_load_error(knapsack_copy):
    result = grade_hostile(knapsack_copy, both_functions("return 0", header="import sys\nsys.exit(0)"))
    assert result["status"] == "error"
    assert "called sys.exit(0) while being imported" in result["message"]
    assert {test["status"] for test in result["tests"]} == {"error"}


def test_sys_exit_inside_a_call_fails_that_call(knapsack_copy):
    result = grade_hostile(knapsack_copy, both_functions("sys.exit(0)", header="import sys"))
    assert all("exited with code 0" in message for message in messages(result))


def test_os_exit_kills_only_the_worker(knapsack_copy):
    result = grade_hostile(knapsack_copy, both_functions("os._exit(0)", header="import os"))
    assert all("exited the worker with code 0" in message for message in messages(result))


def test_segfault_is_reported_as_a_signal(knapsack_copy):
    result = grade_hostile(knapsack_copy, both_functions("ctypes.string_at(0)", header="import ctypes"))
    assert all("killed by signal SIGSEGV" in message for message in messages(result))


def test_allocating_50_gb_runs_out_of_memory(knapsack_copy):
    result = grade_hostile(knapsack_copy, both_functions("return len(bytearray(50 * 10**9))"))
    assert all("ran out of memory" in message for message in messages(result))


def test_a_torch_tensor_past_the_memory_limit_runs_out_of_memory(tmp_path):
    # torch reports it as a RuntimeError from its allocator, not as a MemoryError.
    source = "import torch\n\ndef normalize_rows(x):\n    return torch.empty(50 * 10**9, dtype=torch.uint8)\n"
    result, _ = grade_json(TEST_EXERCISES / "normalize_rows", "--submission", str(write(tmp_path, source)))
    assert result["score"] == 0
    assert all("ran out of memory (limit: 1024 MB)" in message for message in messages(result))


def test_monkeypatching_the_checkers_changes_nothing(knapsack_copy, constant_answer_score):
    source = """
        import builtins, operator, math
        import grader, grader.numeric
        grader.assert_close = grader.numeric.assert_close = lambda *args, **kwargs: None
        operator.eq = lambda a, b: True
        math.isclose = lambda *args, **kwargs: True
        builtins.sorted = lambda items, **kwargs: list(items)
        builtins.sum = lambda items, start=0: 0
        """
    result = grade_hostile(knapsack_copy, both_functions("return -1", header=source), score=constant_answer_score)
    assert "returned -1" in messages(result)[0]


def test_object_whose_eq_is_always_true_is_not_plain_data(knapsack_copy):
    source = """
        class Liar:
            def __eq__(self, other):
                return True
            __hash__ = object.__hash__
            def __ge__(self, other):
                return True
            def __iter__(self):
                return iter([])
        """
    result = grade_hostile(knapsack_copy, both_functions("return Liar()", header=source))
    assert all("returned an object of type" in message and "Liar" in message for message in messages(result))


def test_tensor_subclass_overriding_comparisons_arrives_as_a_plain_tensor(tmp_path):
    source = """
        import torch

        class Liar(torch.Tensor):
            @classmethod
            def __torch_function__(cls, func, types, args=(), kwargs=None):
                if func in (torch.allclose, torch.equal, torch.Tensor.__eq__, torch.isclose):
                    return True
                return super().__torch_function__(func, types, args, kwargs or {})

            def __eq__(self, other):
                return True

        def normalize_rows(x):
            return torch.zeros_like(x).as_subclass(Liar)
        """
    submission = write(tmp_path, textwrap.dedent(source))
    result, exit_status = grade_json(TEST_EXERCISES / "normalize_rows", "--submission", str(submission))
    assert (result["score"], exit_status) == (0, 1)
    assert all("differs from the expected value" in message for message in messages(result))


def test_printed_fake_result_json_does_not_reach_the_report(knapsack_copy, constant_answer_score):
    fake = json.dumps({"score": 11, "max_score": 11, "status": "passed", "tests": []})
    result = grade_hostile(
        knapsack_copy,
        both_functions(f"print({fake!r})\nreturn -1", header=f"print({fake!r})"),
        score=constant_answer_score,
    )
    assert fake in result["tests"][0]["output"]


def test_writing_a_fake_results_file_is_refused_and_overwritten(knapsack_copy):
    results = knapsack_copy.parent.parent / "results.json"
    fake = json.dumps({"score": 11, "max_score": 11, "status": "passed"})
    body = f"""
        import os
        try:
            open({str(results)!r}, "w").write({fake!r})
        except PermissionError as error:
            print(error)
        fd = os.open({str(results)!r}, os.O_WRONLY | os.O_CREAT)
        return -1
        """
    submission = write(knapsack_copy.parent.parent, both_functions(body))
    process = run_grade(str(knapsack_copy), "--submission", str(submission), "--format", "json",
                        "--output", str(results), "--max-examples", "5")  # fmt: skip
    assert process.returncode == 1
    result = json.loads(results.read_text())
    assert result["score"] == 0
    assert "does not allow writing" in result["tests"][0]["message"]


def test_deleting_the_exercise_files_is_refused(knapsack_copy, constant_answer_score):
    root = knapsack_copy.parent.parent
    body = f"""
        import os, shutil
        for attempt in (
            lambda: os.remove({str(knapsack_copy / "test_knapsack.py")!r}),
            lambda: shutil.rmtree({str(knapsack_copy)!r}),
            lambda: os.rename({str(root / "solutions")!r}, "stolen"),
            lambda: open({str(knapsack_copy / "knapsack.py")!r}, "w").close(),
        ):
            try:
                attempt()
            except PermissionError as error:
                print(error)
        return -1
        """
    result = grade_hostile(knapsack_copy, both_functions(body), score=constant_answer_score)
    assert "does not allow writing or removing" in result["tests"][0]["output"]


def test_reading_the_reference_solution_is_refused(knapsack_copy):
    reference = knapsack_copy.parent.parent / "solutions" / "knapsack" / "knapsack.py"
    source = f"""
        namespace = {{}}
        exec(open({str(reference)!r}).read(), namespace)
        max_value, best_items = namespace["max_value"], namespace["best_items"]
        """
    result = grade_hostile(knapsack_copy, textwrap.dedent(source))
    assert result["status"] == "error"
    assert "PermissionError: the grader does not allow reading" in result["message"]


def test_reading_the_tests_is_refused(knapsack_copy):
    body = f"return len(open({str(knapsack_copy / 'test_knapsack.py')!r}).read())"
    result = grade_hostile(knapsack_copy, both_functions(body))
    assert "raised PermissionError: the grader does not allow reading" in result["tests"][0]["message"]


@pytest.mark.parametrize(
    "statement, refused",
    [
        ("import subprocess; subprocess.run(['true'])", "starting a process"),
        ("import os; os.system('true')", "starting a process"),
        ("import socket; socket.socket()", "opening a socket"),
        ("import os; os.kill(os.getppid(), 9)", "signalling other processes"),
        ("import os; os.fork()", "forking the process"),
    ],
)
def test_processes_sockets_and_signals_are_refused(knapsack_copy, statement, refused):
    result = grade_hostile(knapsack_copy, both_functions(f"{statement}\nreturn -1"))
    assert refused in result["tests"][0]["message"]
